"""A live PolicyQA server on loopback, built on the real index, shared by the app tests.

The index is the shared test index (built once under POLICYQA_HOME); the servers work on a
copy of it with their own uploads folder, so the documents these tests upload never leak
into the index other test packages use.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator

import pytest
from app_helpers import SMALL_UPLOAD_LIMIT, LiveServer, free_port, start_server

import ingest  # noqa: F401  (offline environment first)


@pytest.fixture(scope="session")
def app_qa(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    """The real engine on a private copy of the shared test index."""
    from index import build_index, make_embedder
    from ingest import load_corpus, settings
    from qa import PolicyQA

    shared = settings.index_dir()
    # The first session builds it (several minutes); later ones only check it is up to date.
    build_index(load_corpus(settings.corpus_dir()), shared, make_embedder(None), progress=False)
    work = tmp_path_factory.mktemp("app-home")
    shutil.copytree(shared, work / "index")
    old_uploads = os.environ.get("POLICYQA_UPLOADS")
    os.environ["POLICYQA_UPLOADS"] = str(work / "uploads")
    try:
        yield PolicyQA.load(work / "index", build_if_missing=False, progress=False)
    finally:
        if old_uploads is None:
            os.environ.pop("POLICYQA_UPLOADS", None)
        else:
            os.environ["POLICYQA_UPLOADS"] = old_uploads


def _serve(app_qa: object, **settings: object) -> LiveServer:
    from app import create_app
    from qa.http.settings import ServerSettings

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
    server = _serve(app_qa, max_upload_bytes=SMALL_UPLOAD_LIMIT)
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
