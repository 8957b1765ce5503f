"""A live PolicyQA server on loopback, built on the real index, shared by the app tests.

The index is the shared test index (built once under POLICYQA_HOME); the servers work on a
copy of it with their own uploads folder, so the documents these tests upload never leak
into the index other test packages use.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from app_helpers import SMALL_UPLOAD_LIMIT, LiveServer, free_port, start_server
from private_index import private_engine

from kernel.limits import Limits


@pytest.fixture(scope="session")
def app_qa(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    """The real engine on a private copy of the shared test index."""
    with private_engine(tmp_path_factory.mktemp("app-home")) as qa:
        yield qa


def _serve(app_qa: object, **settings: object) -> LiveServer:
    from app import create_app
    from surfaces.settings import ServerSettings

    port = free_port()
    app = create_app(app_qa, settings=ServerSettings(port=port, **settings))  # type: ignore[arg-type]
    return start_server(app, port)


@pytest.fixture(scope="session")
def live_server(app_qa: object) -> Iterator[LiveServer]:
    server = _serve(app_qa)
    yield server
    server.stop()


@pytest.fixture(scope="session")
def small_limit_server(app_qa: object) -> Iterator[LiveServer]:
    """A second server on the same engine with a 64 KB upload limit, for the streaming cut-off."""
    server = _serve(app_qa, limits=Limits(max_upload_bytes=SMALL_UPLOAD_LIMIT))
    yield server
    server.stop()


@pytest.fixture(scope="session")
def base_url(live_server: LiveServer) -> str:
    return live_server.url


@pytest.fixture()
def client(base_url: str) -> Iterator[object]:
    import httpx

    with httpx.Client(base_url=base_url, timeout=180) as c:
        yield c
