"""Test-wide rules: no network beyond loopback, and the real index built once per session."""

from __future__ import annotations

import ipaddress
import os
import socket
from pathlib import Path

import pytest

from kernel.offline import go_offline

go_offline()  # the test session is an entry point: offline before anything else loads

REPO = Path(__file__).resolve().parent.parent
os.environ.setdefault("POLICYQA_HOME", str(REPO / ".policyqa-test"))


def _is_loopback(address: object) -> bool:
    if isinstance(address, tuple) and address:
        host = address[0]
    elif isinstance(address, (str, bytes)):
        return True  # AF_UNIX paths
    else:
        return False
    if host in ("localhost", "", None):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class NetworkBlockedError(RuntimeError):
    pass


@pytest.fixture(autouse=True)
def _no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Refuse every connection that is not to this machine: tests must pass unplugged."""
    real_connect = socket.socket.connect
    real_connect_ex = socket.socket.connect_ex

    def guarded_connect(self: socket.socket, address: object) -> None:
        if not _is_loopback(address):
            raise NetworkBlockedError(f"test tried to reach the network: {address!r}")
        return real_connect(self, address)

    def guarded_connect_ex(self: socket.socket, address: object) -> int:
        if not _is_loopback(address):
            raise NetworkBlockedError(f"test tried to reach the network: {address!r}")
        return real_connect_ex(self, address)

    monkeypatch.setattr(socket.socket, "connect", guarded_connect)
    monkeypatch.setattr(socket.socket, "connect_ex", guarded_connect_ex)


@pytest.fixture(scope="session")
def policyqa():  # type: ignore[no-untyped-def]
    """The real system over the bundled corpus, built once into $POLICYQA_HOME/index."""
    from qa import PolicyQA

    return PolicyQA.load(progress=True)
