"""Section paths from the plans' real headings, and the heading rules on hand-written lines."""

from __future__ import annotations

import pytest

from ingest.pipeline import parse_text
from ingest.sections import heading_rank
from kernel.types import Document

CHANGNING = "changning-2023-health-development-action-plan"


def _path_of(doc: Document, phrase: str) -> tuple[str, ...]:
    return doc.section_path_at(doc.text.index(phrase))


@pytest.mark.parametrize(
    ("doc_id", "phrase", "path"),
    [
        (
            CHANGNING,
            "强化以天山中医医院为中心的区域中医医联体建设",
            ("三、加强区域整合,促进纵横互联,推进体系融合化", "(二)推进中医药区域协同发展"),
        ),
        (
            CHANGNING,
            "由区卫健委牵头,组织卫生健康各成员单位成立管理委员会",
            (
                "附件1",
                "三、主要任务",
                "(一)搭建区内“四统一”的管理新格局,全力保障整合型医疗卫生服务体系高质量发展",
                "1.明确组织架构,落实管理一体化",
            ),
        ),
        (
            CHANGNING,
            "(2)区公共卫生专业机构组织运行管理机制研究",
            ("附件3", "三、主要任务", "(一)融入社会治理,优化公共卫生体系建设", "3.配套项目"),
        ),
        (
            "minhang-2023-2025-health-service-plan",
            "在七宝地区迁址新建闵行区中医医院",
            ("二、重点任务", "（三）建设传承创新、优质便捷的中医药服务体系", "7.优化中医药服务体系"),
        ),
        (
            "songjiang-14th-five-year-health-plan",
            "我区优质医疗卫生资源还存在发展不够充分",
            ("二、面临形势", "（五）卫生健康领域内部矛盾发生新变化。"),
        ),
        (
            "songjiang-14th-five-year-health-plan",
            "加快推进疾病预防控制体系改革",
            ("四、主要任务", "（一）推进公共卫生体系现代化"),
        ),
        (
            "jingan-sanming-reform-plan",
            "认真学习三明坚持人民至上",
            ("一、重点任务", "（一）完善医改领导体制和工作机制"),
        ),
        (
            "baoshan-2025-health-work-plan",
            "着力打造健康宜居环境",
            ("一、坚持保障改善民生,高站位夯实全民健康根基",),
        ),
    ],
)
def test_real_heading_paths(
    corpus: dict[str, Document], doc_id: str, phrase: str, path: tuple[str, ...]
) -> None:
    assert _path_of(corpus[doc_id], phrase) == path


def test_preamble_has_no_section(corpus: dict[str, Document]) -> None:
    assert _path_of(corpus[CHANGNING], "特此通知") == ()


def test_numbered_sentences_and_title_lists_are_body(corpus: dict[str, Document]) -> None:
    doc = corpus[CHANGNING]
    headings = {s.heading for s in doc.sections}
    # "1.强化…。" under (二)工作目标 is a goal written as a sentence, not a heading
    assert not any(h.startswith("1.强化“硬件资源") for h in headings)
    # the list of attachment titles under 附件: has no body of its own
    assert not any(h.startswith("1.长宁区建设区域整合型") for h in headings)
    assert _path_of(doc, "6.长宁区医疗卫生健康事业高质量发展行动主要指标") == (
        "七、组织实施",
        "(三)加强宣传引导",
    )
    # the (1)…(5) project titles under 3.配套项目 are its body
    assert not any(h.startswith("(1)医疗机构公共卫生职能") for h in headings)


def test_section_bounds(corpus: dict[str, Document]) -> None:
    for doc in corpus.values():
        for s in doc.sections:
            assert doc.text[s.start : s.start + len(s.heading)] == s.heading
            assert s.level == len(s.path) and s.path[-1] == s.heading
            assert not doc.text[s.end - 1].isspace()
            if s.parent is not None:
                parent = doc.sections[s.parent]
                assert parent.start < s.start and s.end <= parent.end
                assert s.path[:-1] == parent.path


def test_table_lines_are_not_headings(corpus: dict[str, Document]) -> None:
    doc = corpus[CHANGNING]
    assert not any("优化 资源配置" in s.heading for s in doc.sections)
    assert [s.heading for s in doc.sections if s.level == 1][-3:] == ["附件", "附件5", "附件6"]


@pytest.mark.parametrize(
    ("line", "rank"),
    [
        ("附件3", 0),
        ("附件", 0),
        ("第一章 总则", 1),
        ("第二节 公共卫生", 2),
        ("一、总体要求", 3),
        ("（一）指导思想", 4),
        ("(二)工作目标", 4),
        ("1.明确组织架构,落实管理一体化", 5),
        ("12、推动医疗服务转型", 5),
        ("（3）明确医疗机构公共卫生职能", 6),
        ("## Markdown heading", -8),
        ("（五）卫生健康领域内部矛盾发生新变化。", 4),
        ("1.强化数据汇聚整合共享,推动数智基座一体化。", None),
        ("1.做实基本医疗卫生服务。以全科服务为导向,提升诊疗能力。", None),
        ("附件:长宁区提升社区卫生服务能力三年行动计划", None),
        ("3.0版应用上线", None),
        ("2025年目标", None),
        ("（责任部门:区卫健委）", None),
        ("1.", None),
        ("一、" + "很长的标题" * 15, None),
    ],
)
def test_heading_rank(line: str, rank: int | None) -> None:
    assert heading_rank(line) == rank


def test_nesting_and_ends_on_a_small_text() -> None:
    text = (
        "方案\n一、目标\n到2025年完成。\n（一）分目标\n正文一。\n（二）另一个\n正文二。\n二、措施\n正文三。\n"
    )
    doc = parse_text("t", text)
    assert [(s.heading, s.level, s.parent) for s in doc.sections] == [
        ("一、目标", 1, None),
        ("（一）分目标", 2, 0),
        ("（二）另一个", 2, 0),
        ("二、措施", 1, None),
    ]
    first = doc.sections[0]
    assert (
        text[first.start : first.end]
        == "一、目标\n到2025年完成。\n（一）分目标\n正文一。\n（二）另一个\n正文二。"
    )
    assert doc.section_path_at(text.index("正文二")) == ("一、目标", "（二）另一个")
