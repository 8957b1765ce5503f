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


def test_warm_up_loads_what_a_first_english_question_and_follow_up_need(policyqa) -> None:  # type: ignore[no-untyped-def]
    """After ``warm_up`` neither the first English question (the world's English place names,
    the districts' English spellings) nor the first follow-up imports or builds anything."""
    import cProfile
    import pstats

    from ingest import regions

    regions._world_english.cache_clear()  # as in a new process: built by the first use
    regions._scope_english.cache_clear()
    policyqa.warm_up()
    built = (regions._world_english.cache_info().misses, regions._scope_english.cache_info().misses)
    assert built[0] == 1 and built[1] >= 1
    profile = cProfile.Profile()
    profile.enable()
    first = policyqa.ask("Does Songjiang or Paris set a target for family doctor sign-ups?")
    follow = policyqa.ask("What about Baoshan?", history=[{"role": "user", "content": "长宁区家庭医生签约率的目标是多少？"},
                                                          {"role": "assistant", "content": first.answer}])
    profile.disable()
    assert follow.standalone_question  # the follow-up was resolved, so its code ran
    assert (regions._world_english.cache_info().misses, regions._scope_english.cache_info().misses) == built
    loaded = sorted({f"{path}:{name}" for path, _, name in pstats.Stats(profile).stats  # type: ignore[attr-defined]
                     if name == "<module>" or "countryinfo" in path})
    assert loaded == []
