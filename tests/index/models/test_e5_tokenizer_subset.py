"""The subset tokenizer gives exactly the full tokenizer's ids: on every text the index embeds,
every benchmark question, random text in the kept scripts, and (through the fallback) any other
text; a damaged cache is rebuilt."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from index.models.e5_tokenizer_subset import KEPT, SubsetTokenizer, subset_paths

REPO = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="module")
def subset(e5_folder: Path) -> SubsetTokenizer:
    return SubsetTokenizer(e5_folder / "tokenizer.json")


def _full_ids(full, texts: list[str]) -> list[list[int]]:  # type: ignore[no-untyped-def]
    return [list(e.ids) for e in full.encode_batch(texts)]


def _bench_questions() -> list[str]:
    out = []
    for path in sorted((REPO / "data" / "bench").rglob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                item = json.loads(line)
                out.append(item["question"])
                out += [turn.get("content", "") for turn in item.get("history") or ()]
    return out


def test_the_subset_is_much_smaller(e5_folder: Path, rebuilt_tokenizer) -> None:
    subset = SubsetTokenizer(e5_folder / "tokenizer.json")
    assert subset._subset is not None
    assert subset._subset.get_vocab_size() < 0.45 * rebuilt_tokenizer.get_vocab_size()
    subset.encode_ids(["query: 长宁区家庭医生签约率", "passage: Family doctors, 2025"])
    assert subset._full is None  # not loaded until a text needs it


@pytest.mark.slow
def test_same_ids_on_every_text_the_index_embeds_and_every_question(
    subset: SubsetTokenizer, rebuilt_tokenizer, corpus_documents
) -> None:
    units = [u for d in corpus_documents for u in (*d.chunks, *d.sentences, *d.table_rows)]
    texts = ["passage: " + u.retrieval_text for u in units] + ["query: " + q for q in _bench_questions()]
    texts += [d.text for d in corpus_documents]  # whole documents: every character of the corpus
    assert len(texts) > 3000
    assert all(subset.fits(t) for t in texts)  # the corpus and questions never need the fallback
    assert subset.encode_ids(texts) == _full_ids(rebuilt_tokenizer, texts)


FITS = ["query: 长宁区家庭医生签约率", "passage: ≥50％ ①② ™ € · → ★", "query: 東京都の病院は？"]  # kana are kept
FALLBACK = ["query: Привет, мир", "query: café naïve été", "query: 한국어 질문", "query: ελληνικά",
            "query: <s> literal special tokens </s>", "query: Ａ\u0301 combining mark"]


def test_texts_outside_the_kept_scripts_go_to_the_full_tokenizer(subset: SubsetTokenizer, rebuilt_tokenizer) -> None:
    assert all(subset.fits(t) for t in FITS) and not any(subset.fits(t) for t in FALLBACK)
    mixed = [*FITS, *FALLBACK]
    assert subset.encode_ids(mixed) == _full_ids(rebuilt_tokenizer, mixed)
    assert subset.token_to_id("<pad>") == rebuilt_tokenizer.token_to_id("<pad>")
    assert subset.token_to_id("<mask>") == rebuilt_tokenizer.token_to_id("<mask>")


def _kept_chars() -> st.SearchStrategy[str]:
    ranges = [st.characters(min_codepoint=lo, max_codepoint=hi) for lo, hi in KEPT]
    return st.one_of(*ranges, st.sampled_from(list("  \n\t長宁区医生签约率2025年%。，？")))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(_kept_chars(), max_size=40))
def test_same_ids_on_random_text_in_the_kept_scripts(subset: SubsetTokenizer, rebuilt_tokenizer, text: str) -> None:
    assert subset.encode_ids(["query: " + text]) == _full_ids(rebuilt_tokenizer, ["query: " + text])


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(max_size=30))
def test_same_ids_on_any_text(subset: SubsetTokenizer, rebuilt_tokenizer, text: str) -> None:
    assert subset.encode_ids([text]) == _full_ids(rebuilt_tokenizer, [text])


@pytest.mark.parametrize("which", [0, 1])
def test_a_damaged_cache_is_rebuilt(e5_folder: Path, rebuilt_tokenizer, tmp_path: Path,
                                    monkeypatch: pytest.MonkeyPatch, which: int) -> None:
    monkeypatch.setenv("POLICYQA_HOME", str(tmp_path))
    SubsetTokenizer(e5_folder / "tokenizer.json")
    damaged = subset_paths(e5_folder / "tokenizer.json")[which]
    damaged.write_text('{"model": "cut short', encoding="utf-8")
    fresh = SubsetTokenizer(e5_folder / "tokenizer.json")
    assert fresh._subset is not None and json.loads(damaged.read_text(encoding="utf-8"))
    text = ["query: 长宁区到2025年的家庭医生签约率目标是多少？"]
    assert fresh.encode_ids(text) == _full_ids(rebuilt_tokenizer, text)
