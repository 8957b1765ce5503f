"""Files are judged by their content, not their names: a renamed PDF, image or archive is
refused with a reason that says what the file really is, and real documents pass."""

from __future__ import annotations

from pathlib import Path

import pytest
from sample_files import docx_bytes, zip_bytes

from ingest import load_document
from ingest.sniff import content_problem
from kernel.errors import UnsupportedDocumentError


def _write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("plan.txt", b"%PDF-1.7\n1 0 obj\n", "binary file (looks like a PDF file), not text"),
        ("plan.md", zip_bytes({"a.txt": b"x"}), "binary file (looks like a zip archive), not text"),
        ("plan.txt", b"MZ\x90\x00" + b"\x00" * 64, "binary file (looks like a Windows executable), not text"),
        ("plan.pdf", b"\x89PNG\r\n\x1a\n" + b"x" * 50, "the content is a PNG image, not a PDF"),
        ("plan.pdf", "一、目标\n建设社区中医馆。".encode(), "the content has no %PDF- header, so it is not a PDF"),
        ("plan.docx", b"%PDF-1.4\n", "the content is a PDF file, so it is not a .docx (a .docx is a zip archive)"),
        ("plan.docx", zip_bytes({"hello.txt": b"hi"}), "the content is a zip archive without word/document.xml, not a .docx"),
        ("plan.docx", b"PK\x03\x04" + b"\x00" * 40, "the content is a damaged zip archive, not a .docx"),
    ],
)
def test_content_that_does_not_match_the_name_is_refused_with_what_it_is(
    tmp_path: Path, name: str, data: bytes, reason: str
) -> None:
    path = _write(tmp_path, name, data)
    assert content_problem(path) == reason
    with pytest.raises(UnsupportedDocumentError) as info:
        load_document(path)
    assert info.value.reason == reason and info.value.path == str(path)


def test_real_documents_pass_the_content_check(tmp_path: Path) -> None:
    text = "一、目标\n到2025年建成社区中医馆10个。"
    files = {
        "utf8.txt": text.encode(),
        "bom.md": b"\xef\xbb\xbf" + text.encode(),
        "utf16.txt": text.encode("utf-16"),  # NUL bytes by design, but announced by its BOM
        "gbk.txt": text.encode("gbk"),
        "word.docx": docx_bytes(text),
        "late-header.pdf": b"\n\n  %PDF-1.4\n",  # the header may start within the first 1024 bytes
    }
    for name, data in files.items():
        assert content_problem(_write(tmp_path, name, data)) is None, name
    assert load_document(tmp_path / "utf16.txt").text == text
    assert "到2025年建成社区中医馆10个。" in load_document(tmp_path / "word.docx").text
