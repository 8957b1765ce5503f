"""The rebuilt tokenizer gives the packaged engine's token ids.

Over every sentence of the five plans and every dev question, with both prefixes, ids are
equal (no exceptions needed). The known differences, all outside the corpus, are pinned in
``test_known_differences`` so a change in either side is noticed.
"""

from __future__ import annotations

import pytest

from tests.index.models.conftest import corpus_sentences, dev_questions

PREFIXES = {1: "query: ", 0: "passage: "}


def _texts() -> list[str]:
    return corpus_sentences() + dev_questions()


def test_corpus_is_what_we_think() -> None:
    assert len(corpus_sentences()) > 1500
    assert len(dev_questions()) >= 50


def test_normaliser_reproduces_every_packaged_mapping(e5_file, rebuilt_tokenizer) -> None:
    import re

    norm = rebuilt_tokenizer.normalizer
    bad = []
    for cp, outs in e5_file.norm_map.items():
        if cp == 0:
            continue
        want = re.sub(" {2,}", " ", "a" + "".join(map(chr, outs)) + "b")
        got = norm.normalize_str("a" + chr(cp) + "b")
        if got != want:
            bad.append((hex(cp), want, got))
    assert not bad, bad[:10]


def test_ids_equal_engine_for_every_sentence_and_question(engine_ids, rebuilt_tokenizer) -> None:
    diffs = []
    for text in _texts():
        for is_query, prefix in PREFIXES.items():
            want = engine_ids(text, is_query)
            got = rebuilt_tokenizer.encode(prefix + text).ids
            if got != want:
                diffs.append((text[:60], is_query, want, got))
    assert not diffs, f"{len(diffs)} differences, e.g. {diffs[:3]}"


def test_counts_equal_shipped_engine(engine, rebuilt_tokenizer) -> None:
    """The shipped library's own counts agree (needs no compiler)."""
    for text in _texts():
        for is_query, prefix in PREFIXES.items():
            shipped = engine.token_count(text, is_query=bool(is_query))
            assert len(rebuilt_tokenizer.encode(prefix + text).ids) == shipped, text


def test_wrapper_is_the_shipped_tokenizer(engine, engine_ids) -> None:
    """The compiled wrapper counts exactly as the shipped library, so its ids are the engine's."""
    for text in _texts():
        for is_query in PREFIXES:
            assert len(engine_ids(text, is_query)) == engine.token_count(text, is_query=bool(is_query)), text


def test_autotokenizer_loads_the_same_pipeline(e5_folder, rebuilt_tokenizer) -> None:
    from transformers import AutoTokenizer

    auto = AutoTokenizer.from_pretrained(str(e5_folder), local_files_only=True)
    assert (auto.bos_token_id, auto.pad_token_id, auto.eos_token_id, auto.unk_token_id) == (0, 1, 2, 3)
    assert auto.mask_token_id == len(auto) - 1 == 250001
    assert auto.model_max_length == 512
    for text in _texts()[::7] + ["  两个空格  ", "结尾空格 ", "𠀀𠀁"]:
        assert auto("passage: " + text)["input_ids"] == rebuilt_tokenizer.encode("passage: " + text).ids


def test_xlmroberta_tokenizer_class_loads(e5_folder) -> None:
    """The folder also loads as XLM-R's own class (transformers 5 rebuilds its standard pipeline,
    which differs from the engine only at leading/trailing whitespace)."""
    import transformers

    cls = getattr(transformers, "XLMRobertaTokenizerFast", None) or transformers.XLMRobertaTokenizer
    tok = cls.from_pretrained(str(e5_folder), local_files_only=True)
    assert tok("passage: 区卫生健康委")["input_ids"][0] == 0
    assert tok("passage: 区卫生健康委")["input_ids"][-1] == 2


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("", "text that normalises to nothing: the engine still emits a lone '▁' (unreachable with a prefix)"),
        ("\x7f", "same: DEL is deleted by the normalisation table"),
        ("<s>", "literal special-token text is one special token in tokenizers; the engine spells it"),
        ("<unk>", "same (the engine never matches the <unk> piece)"),
        ("Ａ\u0301", "a remapped character followed by a combining mark is one grapheme; tokenizers' "
                     "Precompiled normaliser replaces the whole grapheme by the first character's mapping"),
        ("的cccｶ\r", "equal-score segmentations (float rounding) break ties differently"),
    ],
)
def test_known_differences(engine_ids, rebuilt_tokenizer, text: str, why: str) -> None:
    assert rebuilt_tokenizer.encode(text).ids != engine_ids(text, -1), why


def test_unknown_characters_are_not_fused(engine_ids, rebuilt_tokenizer) -> None:
    for text in ["𠀀𠀁", "a𠀀𠀁b", "颛桥", " 𠀀 𠀁 ", "泖港镇"]:
        assert rebuilt_tokenizer.encode(text).ids == engine_ids(text, -1), text
