"""Decoding: encodings give identical units, Word and PDF are read, bad files are refused by name."""

from __future__ import annotations

from pathlib import Path

import pytest
from ingest_helpers import CHANGNING, corpus_file, minimal_pdf, write_docx

from ingest import load_document
from ingest.decode import MAX_BYTES, read_document_text
from kernel.errors import UnsupportedDocumentError
from kernel.types import Document


def _same_units(a: Document, b: Document) -> None:
    assert a.text == b.text and a.sha256 == b.sha256
    assert (a.title, a.district) == (b.title, b.district)
    assert a.sections == b.sections
    assert a.units() == b.units()


@pytest.mark.parametrize("doc_id", [CHANGNING, "jingan-sanming-reform-plan"])
def test_gbk_copy_ingests_to_the_same_units(tmp_path: Path, corpus: dict[str, Document], doc_id: str) -> None:
    original = corpus_file(doc_id).read_text(encoding="utf-8")
    copy = tmp_path / f"{doc_id}.txt"
    copy.write_bytes(original.encode("gbk"))
    _same_units(load_document(copy), corpus[doc_id])


def test_gb18030_copy_ingests_to_the_same_units(tmp_path: Path, corpus: dict[str, Document]) -> None:
    doc_id = "songjiang-14th-five-year-health-plan"
    copy = tmp_path / f"{doc_id}.txt"
    copy.write_bytes(corpus_file(doc_id).read_text(encoding="utf-8").encode("gb18030"))
    _same_units(load_document(copy), corpus[doc_id])


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16"])
def test_bom_copies_ingest_to_the_same_units(
    tmp_path: Path, corpus: dict[str, Document], encoding: str
) -> None:
    copy = tmp_path / f"{CHANGNING}.txt"
    copy.write_bytes(corpus_file(CHANGNING).read_text(encoding="utf-8").encode(encoding))
    doc = load_document(copy)
    assert not doc.text.startswith("\ufeff")
    _same_units(doc, corpus[CHANGNING])


def test_crlf_is_kept_and_offsets_point_into_it(tmp_path: Path) -> None:
    path = tmp_path / "crlf.md"
    path.write_bytes("一、目标\r\n建设中心。提升能力。\r\n".encode())
    doc = load_document(path)
    assert doc.text == "一、目标\r\n建设中心。提升能力。\r\n"
    assert [u.text for u in doc.sentences] == ["一、目标", "建设中心。", "提升能力。"]
    assert doc.sections[0].path == ("一、目标",)


def test_docx_paragraphs_and_table(tmp_path: Path) -> None:
    doc = load_document(write_docx(tmp_path / "区方案.docx"))
    assert doc.doc_id == "区方案" and doc.title == "测试区卫生健康工作方案"
    assert doc.text.splitlines()[:6] == [
        "测试区卫生健康工作方案",
        "一、总体要求",
        "到2025年，建成社区卫生服务中心5家。加强人才队伍建设；提升服务能力。",
        "主要指标表",
        "序号 |",
        "指标 |",
    ]
    assert [s.path for s in doc.sections] == [("一、总体要求",), ("二、保障措施",)]
    assert [{c.label: c.text for c in r.cells} for r in doc.table_rows] == [
        {"序号": "1", "指标": "千人口医师数", "目标值": "≥3.5", "责任部门": "区卫健委"},
        {"序号": "2", "指标": "床位数", "目标值": "1200", "责任部门": "区财政局"},
    ]
    assert (
        doc.table_rows[0].context
        == "主要指标表 | 序号: 1 | 指标: 千人口医师数 | 目标值: ≥3.5 | 责任部门: 区卫健委"
    )
    assert [u.text for u in doc.sentences][-2:] == ["二、保障措施", "加强组织领导。"]
    assert not any("|" in u.text for u in doc.sentences)


def test_pdf_text_layer(tmp_path: Path) -> None:
    path = tmp_path / "plan.pdf"
    path.write_bytes(minimal_pdf(["Health plan 2025.", "Build 5 (five) centres; train staff!"]))
    assert read_document_text(path) == "Health plan 2025.\nBuild 5 (five) centres; train staff!"
    doc = load_document(path)
    assert [u.text for u in doc.sentences] == ["Health plan 2025.", "Build 5 (five) centres;", "train staff!"]


def _refused(path: Path) -> str:
    with pytest.raises(UnsupportedDocumentError) as info:
        load_document(path)
    assert info.value.path == str(path)
    message = str(info.value)
    assert message.startswith(f"{path}: ") and "\n" not in message
    return info.value.reason


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.txt"
    path.write_bytes(b"")
    assert _refused(path) == "empty file"


def test_bom_only_file_is_empty(tmp_path: Path) -> None:
    path = tmp_path / "bom.txt"
    path.write_bytes(b"\xef\xbb\xbf")
    assert _refused(path) == "empty file"


def test_whitespace_only_file(tmp_path: Path) -> None:
    path = tmp_path / "blank.md"
    path.write_bytes(b" \n\t\n")
    assert _refused(path) == "no text in file (only whitespace)"


def test_binary_file(tmp_path: Path) -> None:
    path = tmp_path / "data.txt"
    path.write_bytes(b"\x01\x02\x00\x00binary\x00" * 50)
    assert _refused(path) == "binary file (contains NUL bytes), not text"


def test_binary_file_recognised_by_signature(tmp_path: Path) -> None:
    path = tmp_path / "image.md"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + b"x" * 100)
    assert _refused(path) == "binary file (looks like a PNG image), not text"


def test_control_characters_are_binary(tmp_path: Path) -> None:
    path = tmp_path / "ctl.txt"
    path.write_bytes(bytes(range(1, 9)) * 20 + b"text")
    assert _refused(path) == "binary file (control characters), not text"


def test_undecodable_bytes(tmp_path: Path) -> None:
    path = tmp_path / "garbled.txt"
    path.write_bytes(b"plan \x80 text \xff end " * 30)
    assert _refused(path) == "undecodable bytes: not UTF-8, GB18030/GBK or UTF-16 (save the file as UTF-8)"


def test_bad_utf8_after_bom(tmp_path: Path) -> None:
    path = tmp_path / "badbom.txt"
    path.write_bytes(b"\xef\xbb\xbf\xe5\xae" + "健康".encode())
    assert _refused(path) == "undecodable bytes: not valid utf-8 at byte 0"


def test_file_over_the_size_limit_is_refused_before_reading(tmp_path: Path) -> None:
    path = tmp_path / "huge.txt"
    with path.open("wb") as f:
        f.truncate(MAX_BYTES + 1)  # sparse: no 50 MB written
    assert _refused(path) == "file is 50.0 MB, over the 50 MB limit"


def test_file_at_the_size_limit_is_read(tmp_path: Path) -> None:
    path = tmp_path / "edge.txt"
    path.write_bytes(b"ok.")
    assert load_document(path).text == "ok."


def test_unsupported_extension(tmp_path: Path) -> None:
    path = tmp_path / "plan.rtf"
    path.write_text("一、目标", encoding="utf-8")
    assert _refused(path) == "unsupported extension .rtf; supported: .txt, .md, .docx, .pdf"


def test_no_extension(tmp_path: Path) -> None:
    path = tmp_path / "README"
    path.write_text("text", encoding="utf-8")
    assert _refused(path).startswith("unsupported extension (none)")


def test_missing_file(tmp_path: Path) -> None:
    assert _refused(tmp_path / "missing.txt") == "no such file"


def test_corrupt_docx_and_pdf(tmp_path: Path) -> None:
    docx_path = tmp_path / "broken.docx"
    docx_path.write_bytes(b"not a zip at all")
    assert _refused(docx_path) == "the content is not a zip archive, so it is not a .docx (a .docx is a zip archive)"
    pdf_path = tmp_path / "broken.pdf"
    pdf_path.write_bytes(b"%PDF-1.4\ngarbage")
    assert _refused(pdf_path) == "not a readable PDF file"


def test_pdf_without_text_layer(tmp_path: Path) -> None:
    path = tmp_path / "scan.pdf"
    path.write_bytes(minimal_pdf([]))
    assert _refused(path) == "PDF has no text layer (scanned image?); OCR it first"


def test_a_document_over_the_character_limit_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "long.txt"
    path.write_text("健康" * 600, encoding="utf-8")
    monkeypatch.setenv("POLICYQA_MAX_DOCUMENT_CHARS", "1000")
    assert _refused(path) == "the text has 1,200 characters; the limit is 1,000 (POLICYQA_MAX_DOCUMENT_CHARS)"
    monkeypatch.setenv("POLICYQA_MAX_DOCUMENT_CHARS", "1200")
    assert len(load_document(path).text) == 1200
