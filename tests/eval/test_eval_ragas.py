"""ragas runs offline through its own evaluate(); LLM-judged metrics are skipped without an endpoint."""

from __future__ import annotations

import pytest

from eval.ragas_metrics import _import_ragas, cjk_spaced, ragas_scores

NON_LLM = ("exact_match", "string_present")
NEEDS_RAPIDFUZZ = ("non_llm_string_similarity", "non_llm_context_recall", "non_llm_context_precision_with_reference",
                   "non_llm_context_recall_partial", "non_llm_context_precision_partial")
LLM = ("faithfulness", "answer_relevancy", "factual_correctness")


@pytest.fixture
def no_llm(monkeypatch):
    for key in ("POLICYQA_LLM_BASE_URL", "POLICYQA_LLM_MODEL", "POLICYQA_LLM_API_KEY"):
        monkeypatch.delenv(key, raising=False)


def test_telemetry_is_off():
    _import_ragas()
    from ragas import _analytics

    assert _analytics.do_not_track() is True


def test_cjk_spacing():
    assert cjk_spaced("到2025年完成 ABC，好") == "到 2025 年 完 成 ABC ， 好"


def test_perfect_answers_score_one(items, perfect, no_llm):
    result = ragas_scores(items, perfect)
    assert result["rows"] == 4  # answerable items only
    for name in NON_LLM:
        assert result["metrics"][name] == 1.0
    for name in LLM:
        assert "POLICYQA_LLM_BASE_URL" in result["skipped"][name]
    assert "rouge_score" in result["skipped"]
    assert set(result["per_item"]) == {"dev-001", "dev-002", "dev-035", "dev-043"}


def test_context_metrics_are_character_level(items, partial, no_llm):
    pytest.importorskip("rapidfuzz")
    result = ragas_scores(items, partial)
    for name in NEEDS_RAPIDFUZZ:
        assert name in result["metrics"]
    per = result["per_item"]
    # dev-043 retrieved exactly its two gold quotes; dev-002 retrieved its quote 6th among unrelated text
    assert per["dev-043"]["non_llm_context_recall"] == 1.0
    assert per["dev-043"]["non_llm_context_recall_partial"] == 1.0
    assert per["dev-002"]["non_llm_context_recall_partial"] == 1.0
    assert per["dev-002"]["non_llm_context_precision_partial"] == pytest.approx(1 / 6, abs=1e-6)
    # dev-001's answer is a substring of nothing; the Chinese answer still gets a character-level similarity
    assert 0 < per["dev-001"]["non_llm_string_similarity"] < 1


def test_length_mismatch(items, perfect):
    with pytest.raises(ValueError, match="differ in length"):
        ragas_scores(items, perfect[:3])
