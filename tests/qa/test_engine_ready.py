"""``PolicyQA.load()`` returns ready to answer: the query model and dictionaries are loaded there,
not on the first question; ``warm=False`` leaves them to the first question."""

from __future__ import annotations

import pytest

from tests.private_index import shared_index_dir

pytestmark = pytest.mark.slow


def _engine_loaded(qa) -> bool:  # type: ignore[no-untyped-def]
    embedder = qa.index._embedder
    return embedder is not None and (getattr(embedder, "_session", None) or getattr(embedder, "_model", None)) is not None


def test_load_is_ready_to_answer_and_lazy_load_is_not(tmp_path) -> None:
    import shutil

    from index.tokenize import get_tokenizer  # noqa: F401  (the jieba dictionary is process-wide)
    from qa import PolicyQA

    shutil.copytree(shared_index_dir(), tmp_path / "index")
    lazy = PolicyQA.load(tmp_path / "index", build_if_missing=False, progress=False, warm=False)
    assert not _engine_loaded(lazy)  # nothing loaded yet: this check can fail
    ready = PolicyQA.load(tmp_path / "index", build_if_missing=False, progress=False)
    assert _engine_loaded(ready)
    first = ready.ask("长宁区到2025年要建成几个达标中医馆?")
    assert not first.refused and "10" in first.answer
