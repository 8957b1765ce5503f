"""What a file really is, judged by its first bytes rather than its name.

An upload named ``report.pdf`` may be a Word file, a zip of images or random bytes. The
server checks the content before it accepts an upload, so the client hears at once (415)
instead of from a failed background job, and ingest runs the same check so the command line
gives the same reason.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

_SNIFF_BYTES = 1 << 20

# Leading bytes of formats people mistake for documents (or send by accident).
_MAGIC: dict[bytes, str] = {
    b"%PDF-": "a PDF file",
    b"PK\x03\x04": "a zip archive",
    b"\x89PNG": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"GIF8": "a GIF image",
    b"\xd0\xcf\x11\xe0": "an old Office (.doc/.xls) file",
    b"\x7fELF": "an executable",
    b"MZ": "a Windows executable",
    b"\x1f\x8b": "a gzip archive",
    b"Rar!": "a RAR archive",
    b"7z\xbc\xaf": "a 7-Zip archive",
}
_TEXT_BOMS = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")


def magic_kind(head: bytes) -> str | None:
    """The binary format ``head`` starts with, as words ("a PDF file"), or None."""
    for magic, kind in _MAGIC.items():
        if head.startswith(magic):
            return kind
    return None


def text_problem(data: bytes) -> str | None:
    """Why bytes meant as text are not text (a known binary format, NUL bytes), or None."""
    if data.startswith(_TEXT_BOMS):
        return None  # UTF-8/UTF-16 text; UTF-16 is full of NUL bytes by design
    found = magic_kind(data)
    if found:
        return f"binary file (looks like {found}), not text"
    if b"\x00" in data[:_SNIFF_BYTES]:
        return "binary file (contains NUL bytes), not text"
    return None


def content_problem(path: Path) -> str | None:
    """Why the content of ``path`` does not match its extension, or None when it does.

    Only cheap checks on the leading bytes (and, for .docx, the zip directory): full parsing
    is ingest's job and reports its own errors.
    """
    suffix = path.suffix.lower()
    with open(path, "rb") as f:
        head = f.read(_SNIFF_BYTES)
    if suffix in (".txt", ".md"):
        return text_problem(head)
    found = magic_kind(head)
    if suffix == ".pdf":
        # The PDF spec lets the header start anywhere in the first 1024 bytes.
        if b"%PDF-" in head[:1024]:
            return None
        return f"the content is {found}, not a PDF" if found else "the content has no %PDF- header, so it is not a PDF"
    if suffix == ".docx":
        if not head.startswith(b"PK\x03\x04"):
            what = f"is {found}" if found else "is not a zip archive"
            return f"the content {what}, so it is not a .docx (a .docx is a zip archive)"
        try:
            with zipfile.ZipFile(path) as archive:
                names = set(archive.namelist())
        except (zipfile.BadZipFile, OSError, ValueError):
            return "the content is a damaged zip archive, not a .docx"
        if "word/document.xml" not in names:
            return "the content is a zip archive without word/document.xml, not a .docx"
        return None
    return None
