"""ragas scores for a run, through ragas's own ``evaluate`` on an ``EvaluationDataset``.

Rows are the answerable items (unanswerable ones have no reference contexts or reference
facts): user_input = question, response = answer, retrieved_contexts = passage texts,
reference_contexts = gold quotes, reference = reference_answer.

Chinese text: ragas's non-LLM metrics compare strings with rapidfuzz's Levenshtein distance,
which works on characters, so Chinese needs no word segmentation; we feed them text normalised
as CONTRACT.md says (NFKC, straight quotes, no whitespace, lower case) so full-width commas
and spacing do not count as differences. Whole-string Levenshtein punishes a 300-character
passage that contains a 30-character quote, so the context metrics are also run with a
character-level *partial* similarity (rapidfuzz ``partial_ratio``: the best-aligned substring),
plugged in through ragas's own ``distance_measure`` hook. BLEU, which splits on spaces, gets
one space between CJK characters; ROUGE is skipped because ``rouge_score`` deletes every
non-ASCII character before scoring. The LLM-judged metrics see the raw text.
"""

from __future__ import annotations

import math
import os
import re
import sys
import types
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from eval.normalize import normalize

LLM_ENV = ("POLICYQA_LLM_BASE_URL", "POLICYQA_LLM_MODEL", "POLICYQA_LLM_API_KEY")
CJK_NOTE = (
    "Chinese text: ragas string metrics use character-level Levenshtein (rapidfuzz), so no word "
    "segmentation is needed; inputs are normalised as CONTRACT.md says. `*_partial` context metrics "
    "use character-level best-substring similarity (rapidfuzz partial_ratio) through ragas's "
    "distance_measure hook, because whole-string Levenshtein scores a long passage containing a "
    "short gold quote as dissimilar. BLEU (if sacrebleu is installed) sees one space between CJK "
    "characters; ROUGE is skipped: rouge_score deletes non-ASCII characters."
)
_CJK = re.compile(r"([\u3400-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef])")


def cjk_spaced(text: str) -> str:
    """One space around every CJK character, for metrics that tokenise on whitespace."""
    return " ".join(_CJK.sub(r" \1 ", text).split())


def _import_ragas() -> types.ModuleType:
    """Import ragas offline, with telemetry off, and work around its stale LangChain import.

    ragas 0.4.3 imports ``langchain_community.chat_models.vertexai.ChatVertexAI`` (only for an
    isinstance check); langchain-community 0.4 removed that module, so a placeholder class that
    no object is an instance of stands in for it.
    """
    os.environ["RAGAS_DO_NOT_TRACK"] = "true"
    try:
        import langchain_community.chat_models.vertexai  # noqa: F401
    except ImportError:
        shim = types.ModuleType("langchain_community.chat_models.vertexai")
        shim.ChatVertexAI = type("ChatVertexAI", (), {})  # type: ignore[attr-defined]
        sys.modules[shim.__name__] = shim
    import ragas
    from ragas import _analytics

    _analytics.do_not_track.cache_clear()
    if not _analytics.do_not_track():
        raise RuntimeError("ragas telemetry could not be disabled")
    return ragas


def _partial_similarity_metric() -> Any:
    from ragas.metrics.base import MetricType, SingleTurnMetric

    @dataclass
    class PartialCharSimilarity(SingleTurnMetric):  # type: ignore[misc]
        """1.0 when the shorter string occurs in the longer; character-level, so CJK-safe."""

        name: str = "partial_char_similarity"
        _required_columns: dict[MetricType, set[str]] = field(
            default_factory=lambda: {MetricType.SINGLE_TURN: {"reference", "response"}}
        )

        def init(self, run_config: Any) -> None:
            pass

        async def _single_turn_ascore(self, sample: Any, callbacks: Any) -> float:
            from rapidfuzz import fuzz

            return float(fuzz.partial_ratio(sample.reference or "", sample.response or "")) / 100.0

    return PartialCharSimilarity()


def llm_settings() -> dict[str, str] | None:
    """The OpenAI-compatible endpoint from the environment, or None when not configured."""
    base_url, model, key = (os.environ.get(k, "").strip() for k in LLM_ENV)
    return {"base_url": base_url, "model": model, "api_key": key or "unused"} if base_url and model else None


def _non_llm_metrics(skipped: dict[str, str]) -> tuple[list[Any], list[Any]]:
    """(metrics on normalised text, metrics on CJK-spaced text) that can run here."""
    from ragas.metrics._context_precision import NonLLMContextPrecisionWithReference
    from ragas.metrics._context_recall import NonLLMContextRecall
    from ragas.metrics._string import ExactMatch, NonLLMStringSimilarity, StringPresence

    plain: list[Any] = [ExactMatch(), StringPresence()]
    try:
        import rapidfuzz  # noqa: F401

        plain += [
            NonLLMStringSimilarity(),
            NonLLMContextRecall(),
            NonLLMContextPrecisionWithReference(),
            NonLLMContextRecall(name="non_llm_context_recall_partial", _distance_measure=_partial_similarity_metric()),
            NonLLMContextPrecisionWithReference(
                name="non_llm_context_precision_partial", distance_measure=_partial_similarity_metric()
            ),
        ]
    except ImportError:
        for name in ("non_llm_string_similarity", "non_llm_context_recall", "non_llm_context_precision_with_reference"):
            skipped[name] = "rapidfuzz is not installed (pip install rapidfuzz)"
    spaced: list[Any] = []
    try:
        import sacrebleu  # noqa: F401
        from ragas.metrics._bleu_score import BleuScore

        spaced.append(BleuScore())
    except ImportError:
        skipped["bleu_score"] = "sacrebleu is not installed (pip install sacrebleu)"
    skipped["rouge_score"] = "rouge_score deletes non-ASCII characters, so every Chinese answer would score as empty"
    return plain, spaced


def _llm_metrics(skipped: dict[str, str]) -> tuple[list[Any], Any, Any]:
    names = ("faithfulness", "answer_relevancy", "factual_correctness")
    settings = llm_settings()
    if settings is None:
        for name in names:
            skipped[name] = "no LLM endpoint: set POLICYQA_LLM_BASE_URL and POLICYQA_LLM_MODEL (and POLICYQA_LLM_API_KEY)"
        return [], None, None
    from langchain_openai import ChatOpenAI
    from ragas.embeddings import LangchainEmbeddingsWrapper
    from ragas.llms import LangchainLLMWrapper
    from ragas.metrics._answer_relevance import ResponseRelevancy
    from ragas.metrics._factual_correctness import FactualCorrectness
    from ragas.metrics._faithfulness import Faithfulness

    llm = LangchainLLMWrapper(ChatOpenAI(temperature=0, **settings))  # type: ignore[arg-type]
    metrics: list[Any] = [Faithfulness(), FactualCorrectness()]
    embeddings = None
    try:
        from eval.lc_embeddings import EmbedderEmbeddings
        from index.embedders import make_embedder

        embeddings = LangchainEmbeddingsWrapper(EmbedderEmbeddings(make_embedder()))
        metrics.append(ResponseRelevancy())
    except Exception as exc:  # the embedder is optional here: say why and go on
        skipped["answer_relevancy"] = f"embedder unavailable: {exc}"
    return metrics, llm, embeddings


def _clean(value: Any) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(number) else number


def _evaluate(rows: list[dict[str, Any]], metrics: list[Any], **kwargs: Any) -> list[dict[str, float | None]]:
    from ragas import EvaluationDataset, evaluate

    if not metrics or not rows:
        return [{} for _ in rows]
    result = evaluate(EvaluationDataset.from_list(rows), metrics=metrics, show_progress=False, **kwargs)
    return [{k: _clean(v) for k, v in scores.items()} for scores in result.scores]


def ragas_scores(items: Sequence[dict[str, Any]], answers: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Run ragas on the answerable items; return means, per-item values and skipped metrics."""
    if len(items) != len(answers):
        raise ValueError(f"items and answers differ in length: {len(items)} != {len(answers)}")
    ragas = _import_ragas()
    pairs = [(i, a) for i, a in zip(items, answers, strict=True) if i.get("type") != "unanswerable"]
    raw = [
        {
            "user_input": item["question"],
            "response": str(answer.get("answer") or ""),
            # ragas takes max() over retrieved contexts: an empty list would crash the row
            "retrieved_contexts": [p.get("text", "") for p in answer.get("passages") or []] or [""],
            "reference_contexts": [ev["quote"] for ev in item["evidence"]],
            "reference": item["reference_answer"],
        }
        for item, answer in pairs
    ]

    def mapped(row: dict[str, Any], f: Any) -> dict[str, Any]:
        return {k: (f(v) if isinstance(v, str) else [f(x) for x in v]) if k != "user_input" else v
                for k, v in row.items()}

    skipped: dict[str, str] = {}
    plain, spaced = _non_llm_metrics(skipped)
    llm_metrics, llm, embeddings = _llm_metrics(skipped)
    per_row = [dict() for _ in raw]  # type: list[dict[str, float | None]]
    for rows, metrics, kwargs in (
        ([mapped(r, normalize) for r in raw], plain, {}),
        ([mapped(r, lambda s: cjk_spaced(normalize(s))) for r in raw], spaced, {}),
        (raw, llm_metrics, {"llm": llm, "embeddings": embeddings}),
    ):
        for target, scores in zip(per_row, _evaluate(rows, metrics, **kwargs), strict=True):
            target.update(scores)
    names = sorted({k for row in per_row for k in row})
    means: dict[str, float | None] = {}
    for name in names:
        values = [v for row in per_row if (v := row.get(name)) is not None]
        means[name] = sum(values) / len(values) if values else None
    return {
        "ragas_version": ragas.__version__,
        "rows": len(raw),
        "scope": "answerable items",
        "metrics": means,
        "per_item": {item["id"]: row for (item, _), row in zip(pairs, per_row, strict=True)},
        "skipped": skipped,
        "cjk_note": CJK_NOTE,
    }
