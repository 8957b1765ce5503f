"""What an answer quotes of a sentence: the part that answers, on real sentences of the plans."""

from __future__ import annotations

from pathlib import Path

from qa.compose import focus_text
from qa.terms import Term

CORPUS = Path(__file__).resolve().parents[2] / "data" / "corpus"


def plan_sentence(doc: str, holding: str) -> str:
    text = (CORPUS / f"{doc}.txt").read_text(encoding="utf-8")
    at = text.index(holding)
    start = max(text.rfind(c, 0, at) for c in "。\n") + 1
    return text[start : text.index("。", at) + 1]


def test_a_term_spelled_out_after_it_is_quoted_with_its_spelling_out() -> None:
    sentence = plan_sentence("minhang-2023-2025-health-service-plan", "“六个一”工程")
    said = focus_text(sentence, [Term("六个一")], (), False)
    assert said.startswith("推进“六个一”工程，即建设一幢医疗科研教学综合楼") and "绩效管理机制" in said
    assert sentence.find(said) >= 0, "always a verbatim piece of the sentence"
    assert "提升区域性医疗中心服务能级" not in said, "what comes after the list is not the answer"


def test_a_long_sentence_is_still_cut_to_the_clauses_asked_about() -> None:
    sentence = plan_sentence("minhang-2023-2025-health-service-plan", "“六个一”工程")
    said = focus_text(sentence, [Term("三甲医院")], (), False)
    assert "三甲医院" in said and "绩效管理" not in said
