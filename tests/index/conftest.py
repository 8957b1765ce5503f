"""The real corpus index, built once per test session with the real default embedder.

It is the configured index folder under the ``POLICYQA_HOME`` that tests/conftest.py sets
(the same one the ``policyqa`` fixture loads), so a rerun finds it and the incremental
build re-embeds nothing. Tests that change an index work on a copy.
"""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def corpus_documents():
    from ingest.pipeline import load_corpus
    from ingest.settings import corpus_dir

    return load_corpus(corpus_dir())


@pytest.fixture(scope="session")
def real_index_dir(corpus_documents):
    from index import build_index, make_embedder
    from ingest.settings import index_dir

    folder = index_dir()
    build_index(corpus_documents, folder, make_embedder(), progress=False)
    return folder


@pytest.fixture(scope="session")
def real_index(real_index_dir):
    from index import load_index, make_embedder

    return load_index(real_index_dir, make_embedder())
