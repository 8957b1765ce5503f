"""The engine a server serves, and whether it is ready: ``starting`` while the index and the
model load (in a background thread, so the server answers health checks meanwhile), ``ok``
once the first question would be answered warm, ``unavailable`` when loading failed."""

from __future__ import annotations

import logging
import sys
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Literal

from kernel.errors import IndexUnavailableError, NotReadyError, PolicyQAError

if TYPE_CHECKING:
    from qa import PolicyQA

Status = Literal["starting", "ok", "unavailable"]
log = logging.getLogger("policyqa.runtime")

STARTING_MESSAGE = "PolicyQA is still loading its index and model; try again in a few seconds"


class Runtime:
    """Holds the ``PolicyQA`` a server answers with, once it is loaded and warmed up."""

    def __init__(self, qa: PolicyQA | None = None, load: Callable[[], PolicyQA] | None = None) -> None:
        if (qa is None) == (load is None):
            raise ValueError("give either a loaded engine or a function that loads one")
        self._qa = qa
        self._load = load
        self._error: str | None = None
        self._done = threading.Event()
        self._started = False
        self._lock = threading.Lock()
        if qa is not None:
            self._done.set()

    @property
    def status(self) -> Status:
        if self._qa is not None:
            return "ok"
        return "unavailable" if self._error is not None else "starting"

    @property
    def error(self) -> str | None:
        return self._error

    def start(self) -> None:
        """Load (and warm up) in a background thread; a second call does nothing."""
        with self._lock:
            if self._started or self._done.is_set():
                return
            self._started = True
        threading.Thread(target=self._run, name="policyqa-load", daemon=True).start()

    def _run(self) -> None:
        assert self._load is not None
        try:
            qa = self._load()
            qa.warm_up()  # the first question after "ok" must not pay for the model
            self._qa = qa
        except PolicyQAError as exc:
            self._error = str(exc)
            print(f"PolicyQA: index unavailable: {exc}", file=sys.stderr)
        except Exception as exc:  # noqa: BLE001 (reported on every request, never a dead server)
            log.exception("loading the engine failed")
            self._error = f"loading failed: {type(exc).__name__}: {exc}"
        finally:
            self._done.set()

    def wait(self, timeout: float | None = None) -> Status:
        """Block until loading has finished (or ``timeout`` seconds passed); the status then."""
        self._done.wait(timeout)
        return self.status

    def engine(self, wait: float = 0.0) -> PolicyQA:
        """The loaded engine, after waiting up to ``wait`` seconds for it; ``NotReadyError`` while
        it is still loading, ``IndexUnavailableError`` when loading failed."""
        if wait > 0:
            self._done.wait(wait)
        if self._qa is not None:
            return self._qa
        if self._error is not None:
            raise IndexUnavailableError(self._error)
        raise NotReadyError(STARTING_MESSAGE)
