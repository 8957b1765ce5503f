"""Say plainly that the documents do not answer, and why, in the question's language."""

from __future__ import annotations

from collections.abc import Sequence

from qa.analysis import QuestionAnalysis, district_english
from qa.terms import unmapped_english_words

REFUSAL_ZH = "文件中未提及"
REFUSAL_EN = "The documents do not say"


def refusal_text(analysis: QuestionAnalysis, covered: Sequence[str], reason: str = "silent") -> str:
    """A one-line refusal; for a place outside the corpus, say which districts it covers."""
    if analysis.lang == "en":
        if reason == "outside_place":
            places = ", ".join(analysis.outside_places)
            cover = ", ".join(district_english(d) for d in covered)
            return f"{REFUSAL_EN}: they are plans of {cover} only, and say nothing about {places}."
        if reason == "language":
            return f"{REFUSAL_EN}: PolicyQA answers questions in Chinese or English."
        if reason == "unknown_topic":
            words = ", ".join(unmapped_english_words(analysis.question, analysis.places)[:4])
            return (
                f"{REFUSAL_EN} this: nothing in these health plans matches “{words}”, "
                "and the closest passages are listed below as related reading."
            )
        if analysis.districts:
            names = ", ".join(district_english(d) for d in analysis.districts)
            return f"{REFUSAL_EN} this: the {names} plan states nothing on it, and the closest passages are listed below."
        return f"{REFUSAL_EN} this, the closest passages are listed below as related reading."
    if reason == "outside_place":
        places = "、".join(analysis.outside_places)
        return f"{REFUSAL_ZH}：现有文件只包括{'、'.join(covered)}的规划，不涉及{places}。"
    if reason == "language":
        return f"{REFUSAL_ZH}：PolicyQA 只回答中文或英文问题。"
    if analysis.districts:
        return f"{REFUSAL_ZH}：{'、'.join(analysis.districts)}的文件没有这方面的内容，下列相关段落仅供参考。"
    return f"{REFUSAL_ZH}该问题的相关内容，下列相关段落仅供参考。"


def silent_note(lang: str, checked: int, silent: int) -> str:
    """The note after an answer across districts: all plans were checked, the rest say nothing."""
    if lang == "en":
        return f"All {checked} district plans were checked, and the other {silent} do not mention it."
    return f"已核查全部{checked}个区的文件，其余{silent}个区未提及。"
