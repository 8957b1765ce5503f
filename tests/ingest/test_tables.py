"""Rows rebuilt from the flattened tables, with labelled cells and their own offsets."""

from __future__ import annotations

from ingest.pipeline import parse_text
from ingest.tables import find_tables, squash
from kernel.types import Document, Unit

CHANGNING = "changning-2023-health-development-action-plan"


def _cells(row: Unit) -> dict[str, str]:
    return {c.label: c.text for c in row.cells}


def _row_with(doc: Document, phrase: str) -> Unit:
    rows = [r for r in doc.table_rows if any(phrase in c.text for c in r.cells)]
    assert len(rows) == 1, [r.text for r in rows]
    return rows[0]


def test_indicator_row_for_physicians_per_thousand(corpus: dict[str, Document]) -> None:
    doc = corpus[CHANGNING]
    row = _row_with(doc, "千人口执业医师数")
    assert _cells(row) == {
        "领域": "专业技术队伍",
        "序号": "7",
        "主要指标": "千人口执业医师数(人)*",
        "2025年目标值": "≥6.2",
        "市卫健委规划值": "≥3.6",
    }
    assert row.text == "7 |\n千人口执业医师数(人)* |\n≥6.2 |\n≥3.6 |"  # up to the pipe closing the row
    assert row.section == ("附件6",)
    assert row.context == (
        "附件6 长宁区卫生健康事业高质量发展行动主要指标 | 领域: 专业技术队伍 | 序号: 7 | "
        "主要指标: 千人口执业医师数(人)* | 2025年目标值: ≥6.2 | 市卫健委规划值: ≥3.6"
    )
    group = row.cells[0]
    assert doc.text[group.start : group.end] == "专业技术队伍" and group.start < row.start


def test_indicator_rows_carry_their_group(corpus: dict[str, Document]) -> None:
    doc = corpus[CHANGNING]
    indicator = [r for r in doc.table_rows if r.section == ("附件6",)]
    assert [int(_cells(r)["序号"]) for r in indicator] == list(range(1, 27))
    assert _cells(indicator[0])["领域"] == "城区 健康 水平"
    assert "领域: 城区健康水平" in indicator[0].context
    assert _cells(_row_with(doc, "定点医院ICU床位数"))["领域"] == "应急 医疗 救治 体系"
    beds = _cells(_row_with(doc, "千人口医疗机构床位数"))
    assert beds["2025年目标值"] == "12.37 (开放床位) 9.72 (编制床位)"
    assert beds["市卫健委规划值"] == "7.5 (编制床位)"
    # the last row has no trailing " |" and the note after the table is not a cell
    last = indicator[-1]
    assert _cells(last) == {
        "领域": "中医 服务 能力",
        "序号": "26",
        "主要指标": "综合医院设置中医床位占总床位比例(%)",
        "2025年目标值": "5",
        "市卫健委规划值": "5",
    }
    assert any(s.text == "注:带*号的指标2025年目标值为十四五规划的目标值" for s in doc.sentences)


def test_work_task_rows_have_content_and_department(corpus: dict[str, Document]) -> None:
    doc = corpus[CHANGNING]
    tasks = [r for r in doc.table_rows if r.section == ("附件",)]
    assert len(tasks) == 19
    for row in tasks:
        labels = [c.label for c in row.cells]
        assert labels == ["分类", "序号", "工作内容", "责任部门"], row.unit_id
    row = _row_with(doc, "合理配置医疗设备。推进社区卫生服务中心新冠救治场所扩容建设")
    assert _cells(row)["分类"] == "(一) 优化 资源配置"
    assert _cells(row)["序号"] == "2"
    assert _cells(row)["责任部门"] == "区卫健委"
    # a department cell without its " |" (line 400) still lands in its own row
    row = _row_with(doc, "提升服务质量。专题培育15名卓越家庭医生工作室主管")
    assert _cells(row)["责任部门"] == "区医保局、区财政局、区人社局、区卫健委"
    assert _cells(row)["分类"] == "(三) 签约 高质量发展"
    assert row.context.startswith(
        "附件 长宁区提升社区卫生服务能力三年行动计划(2023-2025年)工作任务表 | 分类: (三) 签约高质量发展"
    )


def test_table_cells_produce_no_sentences(corpus: dict[str, Document]) -> None:
    doc = corpus[CHANGNING]
    for row in doc.table_rows:
        assert not any(row.start < s.end and s.start < row.end for s in doc.sentences), row.unit_id
    assert not any(s.text.rstrip().endswith("|") for s in doc.sentences)
    assert any(
        s.text == "长宁区提升社区卫生服务能力三年行动计划(2023-2025年)工作任务表" for s in doc.sentences
    )


def test_table_chunks_group_rows_with_labels(corpus: dict[str, Document]) -> None:
    doc = corpus[CHANGNING]
    chunk = next(c for c in doc.chunks if "千人口执业医师数" in c.text)
    assert chunk.context.startswith("附件6 长宁区卫生健康事业高质量发展行动主要指标\n")
    assert "序号: 7 | 主要指标: 千人口执业医师数(人)* | 2025年目标值: ≥6.2" in chunk.context
    assert chunk.text.startswith(tuple(f"{n} |" for n in range(1, 27)))


SMALL = "\n".join(
    [
        "一、附表",
        "指标表",
        "类别 |",
        "序号 |",
        "名称 |",
        "数值 |",
        "甲 组 |",
        "1 |",
        "病床 |",
        "100 |",
        "2 |",
        "医生 |",
        "≥3 |",
        "|",
        "乙组 |",
        "3 |",
        "护士 |",
        "7",
        "|",
        "表后正文。",
    ]
)


def test_small_table_exact_cells_and_offsets() -> None:
    (table,) = find_tables(SMALL)
    assert table.title == "指标表" and table.title_span is None
    assert table.header == ("类别", "序号", "名称", "数值")
    assert SMALL[table.start : table.end].startswith("类别 |") and SMALL[table.start : table.end].endswith(
        "7\n|"
    )
    rows = [[(c.label, c.text) for c in r] for r in table.rows]
    assert rows == [
        [("类别", "甲 组"), ("序号", "1"), ("名称", "病床"), ("数值", "100")],
        [("类别", "甲 组"), ("序号", "2"), ("名称", "医生"), ("数值", "≥3")],
        [("类别", "乙组"), ("序号", "3"), ("名称", "护士"), ("数值", "7")],
    ]
    for row in table.rows:
        for c in row:
            assert SMALL[c.start : c.end] == c.text
    doc = parse_text("small", SMALL)
    assert [u.text for u in doc.sentences] == ["一、附表", "指标表", "表后正文。"]
    # A row runs to the pipe that closes its last cell; the last row here has none.
    assert [u.text for u in doc.table_rows] == ["1 |\n病床 |\n100 |", "2 |\n医生 |\n≥3 |", "3 |\n护士 |\n7"]
    assert doc.table_rows[2].context == "指标表 | 类别: 乙组 | 序号: 3 | 名称: 护士 | 数值: 7"


def test_table_without_index_column_uses_separator_runs() -> None:
    text = "表一\n项目 |\n目标 |\n|\n床位 |\n100 |\n|\n医生 |\n20 |\n|\n正文。"
    (table,) = find_tables(text)
    assert table.header == ("项目", "目标")
    assert [[(c.label, c.text) for c in r] for r in table.rows] == [
        [("项目", "床位"), ("目标", "100")],
        [("项目", "医生"), ("目标", "20")],
    ]


def test_squash() -> None:
    assert squash("城区 健康 水平") == "城区健康水平"
    assert squash("2025年 目标值") == "2025年目标值"
    assert squash("12.37 (开放床位)  9.72") == "12.37 (开放床位) 9.72"
