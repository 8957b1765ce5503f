"""BM25 read back without bm25s (``index.lexical``) scores exactly as bm25s does."""

from __future__ import annotations

import json
from pathlib import Path

import bm25s
import numpy as np
import pytest

from index.lexical import BM25Config, LexicalIndex
from index.tokenize import tokenize

TEXTS = ["长宁区到2025年完成达标中医馆10个", "宝山区全覆盖设置社区中医馆", "家庭医生签约率达到40%以上", "", "中医 中医 中医"]
QUERIES = ["中医馆建设目标", "家庭医生签约率", "中医", "没有这个词", "2025年 40%"]


def _bm25s_scores(folder: Path, tokens: list[str], size: int) -> np.ndarray:
    model = bm25s.BM25.load(str(folder), show_progress=False, verbosity=0)
    ids = model.get_tokens_ids(tokens)
    if not ids:
        return np.zeros(size, dtype=np.float32)
    return np.asarray(model.get_scores_from_ids(ids), dtype=np.float32)[:size]


@pytest.mark.parametrize("method", ["lucene", "bm25+", "bm25l", "robertson"])
def test_loaded_scores_equal_bm25s_and_survive_a_second_save(tmp_path: Path, method: str) -> None:
    config = BM25Config(method=method)  # type: ignore[arg-type]
    built = LexicalIndex.build(TEXTS, config)
    built.save(tmp_path / "a")
    loaded = LexicalIndex.load(tmp_path / "a", len(TEXTS), config)
    loaded.save(tmp_path / "b")  # a loaded model written again (an index copied to another store)
    again = LexicalIndex.load(tmp_path / "b", len(TEXTS), config)
    for query in QUERIES:
        tokens = tokenize(query)
        want = _bm25s_scores(tmp_path / "a", tokens, len(TEXTS))
        assert np.array_equal(loaded.scores(tokens), want), query
        assert np.array_equal(built.scores(tokens), want), query
        assert np.array_equal(again.scores(tokens), want), query
        assert np.array_equal(_bm25s_scores(tmp_path / "b", tokens, len(TEXTS)), want), query
    assert loaded.scores(tokenize("家庭医生签约率")).max() > 0  # the queries do match something
    assert not loaded.scores(["没有"]).any()


def test_damaged_files_are_refused(tmp_path: Path) -> None:
    LexicalIndex.build(TEXTS).save(tmp_path)
    with pytest.raises(ValueError, match="rows"):
        LexicalIndex.load(tmp_path, len(TEXTS) + 1, BM25Config())
    vocab = json.loads((tmp_path / "vocab.index.json").read_text(encoding="utf-8"))
    vocab["新词"] = 10_000
    (tmp_path / "vocab.index.json").write_text(json.dumps(vocab, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(ValueError, match="do not fit"):
        LexicalIndex.load(tmp_path, len(TEXTS), BM25Config())


@pytest.mark.slow
def test_the_real_index_scores_every_benchmark_question_as_bm25s() -> None:
    from eval.bench_split import read_items, round_files
    from index.store import read_store, resolve_folder
    from ingest import settings
    from tests.private_index import shared_index_dir

    folder = resolve_folder(shared_index_dir())
    stored = read_store(folder)
    words = tuple(stored.manifest.get("tokenizer_words", ()))
    questions = [it["question"] for it in read_items([settings.dev_bench_path(), *round_files("blind-r1")])]
    matched = 0
    for kind, lexical in stored.lexical.items():
        reference = bm25s.BM25.load(str(folder / "bm25" / kind), show_progress=False, verbosity=0)
        for q in questions:
            tokens = tokenize(q, words)
            ids = reference.get_tokens_ids(tokens)
            want = (np.asarray(reference.get_scores_from_ids(ids), dtype=np.float32)[: lexical.size] if ids
                    else np.zeros(lexical.size, dtype=np.float32))
            assert np.array_equal(lexical.scores(tokens), want), (kind, q)
            matched += bool(want.any())
    assert matched > len(questions)  # most questions match units of more than one kind
