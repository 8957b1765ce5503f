"""The verifier on hand-written documents and answers with exact offsets."""

from __future__ import annotations

from dataclasses import replace

import pytest
from fake_openai import BAOSHAN_TEXT, CHANGNING_TEXT, sample_documents

from kernel.errors import PolicyQAError
from kernel.types import Answer, Citation, Passage
from qa.verify import (
    VerificationError,
    ensure_verified,
    find_markers,
    quoted_fallback,
    split_clauses,
    verify_answer,
)

DOCS = sample_documents()
# Exact offsets, checked once here so every test below can rely on them.
TCM = Citation("changning-test", 26, 42, "到2025年完成达标中医馆10个", "长宁区", ("三、主要任务", "（二）中医药"))
CLINICS = Citation("changning-test", 53, 69, "打造10个社区中医特色专病门诊。", "长宁区", ("三、主要任务", "（二）中医药"))
BAOSHAN = Citation("baoshan-test", 7, 17, "全覆盖设置社区中医馆", "宝山区", ("二、重点工作",))
PASSAGE = Passage("changning-test", 14, 69, CHANGNING_TEXT[14:69], 0.9, "长宁区")
VALID = "两个区：长宁区到2025年完成达标中医馆10个[1]；宝山区全覆盖设置社区中医馆[2]。"


def answer(text: str, *citations: Citation, refused: bool = False, passages: tuple[Passage, ...] = ()) -> Answer:
    return Answer(question="哪些区提出了社区中医馆的建设目标？", answer=text, refused=refused,
                  citations=citations, passages=passages)


def test_offsets_in_this_file_are_right() -> None:
    assert CHANGNING_TEXT[26:42] == TCM.quote
    assert CHANGNING_TEXT[53:69] == CLINICS.quote
    assert BAOSHAN_TEXT[7:17] == BAOSHAN.quote


def test_valid_answer_has_no_problems() -> None:
    assert verify_answer(answer(VALID, TCM, BAOSHAN, passages=(PASSAGE,)), DOCS) == []


def test_adjacent_and_repeated_markers() -> None:
    text = "长宁区到2025年完成达标中医馆10个并打造10个专病门诊[1][2]；另见[1]。宝山区全覆盖设置社区中医馆[3]。"
    assert verify_answer(answer(text, TCM, CLINICS, BAOSHAN), DOCS) == []
    assert find_markers(text) == [1, 2, 1, 3]


def test_refusal_without_citations_is_valid() -> None:
    assert verify_answer(answer("文件中未提及静安区的中医馆建设目标。", refused=True), DOCS) == []
    assert verify_answer(answer("The documents do not say whether Jing'an set such a target.", refused=True), DOCS) == []


def test_english_answer_with_trailing_note() -> None:
    text = ("Two districts: Changning aims for 10 standard TCM clinics by 2025 (到2025年完成达标中医馆10个) [1]. "
            "Baoshan sets up community TCM clinics everywhere (全覆盖设置社区中医馆) [2]. "
            "The plans of Minhang and Songjiang checked do not mention such a target.")
    assert verify_answer(answer(text, TCM, BAOSHAN), DOCS) == []


def test_lead_in_and_short_summary_need_no_citation() -> None:
    assert verify_answer(answer("两个区。\n长宁区[1]\n宝山区[2]", TCM, BAOSHAN), DOCS) == []
    assert verify_answer(answer("提出目标的区如下：\n1. 长宁区[1]\n2. 宝山区[2]", TCM, BAOSHAN), DOCS) == []


def test_bad_offsets() -> None:
    shifted = replace(TCM, start=27, end=43)
    assert verify_answer(answer(VALID, shifted, BAOSHAN), DOCS) == [
        "citation 1: text does not match changning-test[27:43] from character 0 "
        "(has '到2025年完成达标中医馆10个', document has '2025年完成达标中医馆10个，')"
    ]
    beyond = replace(BAOSHAN, start=7, end=10_000)
    assert verify_answer(answer(VALID, TCM, beyond), DOCS) == [
        f"citation 2: offsets 7:10000 outside baoshan-test (length {len(BAOSHAN_TEXT)})"
    ]
    empty = replace(BAOSHAN, start=7, end=7, quote="")
    assert verify_answer(answer(VALID, TCM, empty), DOCS) == [
        f"citation 2: offsets 7:7 outside baoshan-test (length {len(BAOSHAN_TEXT)})"
    ]


def test_unknown_document_and_bad_passage() -> None:
    ghost = replace(TCM, doc_id="ghost")
    bad_passage = replace(PASSAGE, text=PASSAGE.text + "x")
    assert verify_answer(answer(VALID, ghost, BAOSHAN, passages=(bad_passage,)), DOCS) == [
        "citation 1: unknown doc_id 'ghost'",
        "passage 1: text does not match changning-test[14:69] from character 55 (has 'x', document has '')",
    ]


def test_unresolved_marker() -> None:
    text = "长宁区到2025年完成达标中医馆10个[1]；宝山区全覆盖设置社区中医馆[3]。"
    assert verify_answer(answer(text, TCM, BAOSHAN), DOCS) == [
        "marker [3] has no citation (answer has 2)",
        "citation 2 is never referenced by a [2] marker",
    ]
    assert verify_answer(answer("长宁区设中医馆[0]。", TCM), DOCS) == [
        "marker [0] has no citation (answer has 1)",
        "citation 1 is never referenced by a [1] marker",
    ]


def test_unreferenced_citation() -> None:
    assert verify_answer(answer(VALID, TCM, BAOSHAN, CLINICS), DOCS) == [
        "citation 3 is never referenced by a [3] marker"
    ]


def test_markers_numbered_by_first_appearance() -> None:
    text = "宝山区全覆盖设置社区中医馆[2]；长宁区到2025年完成达标中医馆10个[1]。"
    assert verify_answer(answer(text, TCM, BAOSHAN), DOCS) == ["markers are not numbered by first appearance: [2, 1]"]


def test_uncited_clause() -> None:
    text = "长宁区到2025年完成达标中医馆10个[1]。宝山区全覆盖设置社区中医馆。静安区也建设了十个中医馆"
    assert verify_answer(answer(text, TCM), DOCS) == [
        "clause without a citation: '宝山区全覆盖设置社区中医馆。'",
        "clause without a citation: '静安区也建设了十个中医馆'",
    ]
    assert verify_answer(answer("长宁区建设中医馆。", refused=False), DOCS) == ["clause without a citation: '长宁区建设中医馆。'"]
    assert verify_answer(answer("   "), DOCS) == ["answer text is empty"]


def test_ensure_verified() -> None:
    good = answer(VALID, TCM, BAOSHAN)
    assert ensure_verified(good, DOCS) is good
    with pytest.raises(VerificationError) as err:
        ensure_verified(answer(VALID, TCM), DOCS)
    assert isinstance(err.value, PolicyQAError)
    assert err.value.problems == ("marker [2] has no citation (answer has 1)",)
    assert str(err.value) == "answer failed verification: marker [2] has no citation (answer has 1)"


def test_split_clauses_absorbs_markers_after_punctuation() -> None:
    text = "长宁区完成达标中医馆10个。[1]宝山区全覆盖[2]；\nIt costs 2.5 yuan [3]. Done"
    assert [(c.text, c.markers) for c in split_clauses(text)] == [
        ("长宁区完成达标中医馆10个。[1]", (1,)),
        ("宝山区全覆盖[2]；", (2,)),
        ("\nIt costs 2.5 yuan [3].", (3,)),
        (" Done", ()),
    ]
    assert "".join(c.text for c in split_clauses(text)) == text


def test_punctuation_inside_quotes_does_not_split_a_clause() -> None:
    text = "长宁区提出“到2025年完成达标中医馆10个；完成达标中医阁6个”[1]。闵行区、松江区的规划未提出此类目标。"
    cited = Citation("changning-test", 26, 52, "到2025年完成达标中医馆10个，完成达标中医阁6个", "长宁区")
    assert [c.markers for c in split_clauses(text)] == [(1,), ()]
    assert verify_answer(answer(text, cited), DOCS) == []


@pytest.mark.parametrize(
    ("lang", "part"),
    [("zh", "长宁区社区护理中心建几家；家庭病床分别是多少"), ("zh", "静安的目标是多少。养老床位呢"), ("en", "In Changning: how many beds; and how many nurses")],
)
def test_a_part_named_open_is_one_clause_the_verifier_accepts(lang: str, part: str) -> None:
    """The note naming a part the plans leave open may hold the part's own marks; each cut of
    it would be a clause stating something without a citation (an answer then failed to verify)."""
    from qa.analysis import analyze
    from qa.answerer import ExtractiveAnswerer
    from qa.verify import needs_citation, split_clauses

    analysis = analyze("长宁千人口康复床位目标是多少？" if lang == "zh" else "What is Changning's bed target?", ["长宁区", "静安区"])
    tail = ExtractiveAnswerer._open_tail(analysis, [part])
    clauses = split_clauses(tail)
    assert not any(needs_citation(c, i + 1, [*clauses]) for i, c in enumerate(clauses)), tail


def test_an_answer_failing_verification_is_replaced_by_its_checked_quotes() -> None:
    # a composing bug (an uncited clause) costs the reader the wording, not the answer
    broken = answer("长宁区到2025年完成达标中医馆10个[1]。宝山区全覆盖设置社区中医馆。", TCM, BAOSHAN, passages=(PASSAGE,))
    fixed = quoted_fallback(broken, DOCS)
    assert not fixed.refused and verify_answer(fixed, DOCS) == []
    assert fixed.citations == (TCM, BAOSHAN) and fixed.passages == (PASSAGE,)
    assert fixed.answer == "文件原文：到2025年完成达标中医馆10个[1]；全覆盖设置社区中医馆[2]。"
    assert fixed.notes[-1].startswith("verification failed, answer replaced by its quotes: ")
    assert "clause without a citation" in fixed.notes[-1]


def test_a_citation_that_does_not_check_out_is_dropped_and_with_none_left_it_is_a_refusal() -> None:
    wrong = replace(BAOSHAN, start=BAOSHAN.start + 1)
    fixed = quoted_fallback(answer("宝山区全覆盖设置社区中医馆[1]。", wrong, passages=(PASSAGE,)), DOCS)
    assert fixed.refused and fixed.citations == () and fixed.passages == (PASSAGE,)
    assert verify_answer(fixed, DOCS) == []
    english = replace(answer("Baoshan covers every community [1].", wrong), lang="en")
    assert quoted_fallback(english, DOCS).answer.startswith("The documents do not say")


def test_a_verified_answer_is_returned_as_it_is() -> None:
    good = answer(VALID, TCM, BAOSHAN)
    assert quoted_fallback(good, DOCS) is good
