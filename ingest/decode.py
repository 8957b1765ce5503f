"""Bytes on disk to the one text every offset points into.

Government files arrive as UTF-8, GB18030/GBK, UTF-16, Word or PDF. Whatever the source,
the string returned here is what the index stores as ``Document.text``; nothing later may
change it. Every refusal is an ``UnsupportedDocumentError`` naming the file and the reason.
"""

from __future__ import annotations

import io
import os
import unicodedata
from pathlib import Path

from ingest.sniff import content_problem, text_problem
from kernel.errors import UnsupportedDocumentError
from kernel.limits import limits

MAX_BYTES = 50 * 1024 * 1024
MAX_DOCX_UNCOMPRESSED = 100 * 1024 * 1024  # declared total of a .docx's zip members (zip bombs)
MAX_DOCX_MEMBERS = 10_000
TEXT_SUFFIXES: tuple[str, ...] = (".txt", ".md")
SUPPORTED_SUFFIXES: tuple[str, ...] = (".txt", ".md", ".docx", ".pdf")

# Encodings charset-normalizer may pick that still make sense for Chinese documents; a guess
# outside these (cp1252, latin-1, ...) on bytes that are neither UTF-8 nor GB18030 is mojibake.
_FALLBACK_ENCODINGS = frozenset({"big5", "big5hkscs", "cp950", "hz", "utf_16", "utf_32", "gb2312", "gbk"})
_ALLOWED_CONTROLS = frozenset("\t\n\r\f\v")
_MAX_CONTROL_SHARE = 0.01


def read_document_text(path: Path) -> str:
    """The decoded text of a supported file, or ``UnsupportedDocumentError`` saying why not."""
    name = str(path)
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        shown = suffix or "(none)"
        raise UnsupportedDocumentError(
            name, f"unsupported extension {shown}; supported: {', '.join(SUPPORTED_SUFFIXES)}"
        )
    try:
        stat = os.stat(path)
    except FileNotFoundError:
        raise UnsupportedDocumentError(name, "no such file") from None
    except OSError as exc:
        raise UnsupportedDocumentError(name, f"cannot read file ({exc.strerror})") from None
    if not path.is_file():
        raise UnsupportedDocumentError(name, "not a regular file")
    if stat.st_size == 0:
        raise UnsupportedDocumentError(name, "empty file")
    if stat.st_size > MAX_BYTES:
        mb = stat.st_size / (1024 * 1024)
        raise UnsupportedDocumentError(
            name, f"file is {mb:.1f} MB, over the {MAX_BYTES // (1024 * 1024)} MB limit"
        )
    try:
        problem = content_problem(path)
        data = path.read_bytes()
    except OSError as exc:
        raise UnsupportedDocumentError(name, f"cannot read file ({exc.strerror})") from None
    if problem:
        raise UnsupportedDocumentError(name, problem)
    if suffix in TEXT_SUFFIXES:
        text = decode_text_bytes(data, name)
    elif suffix == ".docx":
        text = docx_text(data, name)
    else:
        text = pdf_text(data, name)
    if not text.strip():
        raise UnsupportedDocumentError(name, "no text in file (only whitespace)")
    limit = limits().max_document_chars
    if len(text) > limit:
        raise UnsupportedDocumentError(
            name, f"the text has {len(text):,} characters; the limit is {limit:,} (POLICYQA_MAX_DOCUMENT_CHARS)"
        )
    return text


def decode_text_bytes(data: bytes, name: str = "<bytes>") -> str:
    """Decode a plain-text file: BOM first, then strict UTF-8, then strict GB18030, then a guess."""
    if data.startswith(b"\xef\xbb\xbf"):
        return _checked(_strict(data[3:], "utf-8", name), name)
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = _strict(data, "utf-16", name)
        return _checked(text, name)
    problem = text_problem(data)
    if problem:
        raise UnsupportedDocumentError(name, problem)
    for encoding in ("utf-8", "gb18030"):
        try:
            return _checked(data.decode(encoding), name)
        except UnicodeDecodeError:
            continue
    return _checked(_guess(data, name), name)


def _strict(data: bytes, encoding: str, name: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise UnsupportedDocumentError(
            name, f"undecodable bytes: not valid {encoding} at byte {exc.start}"
        ) from None


def _guess(data: bytes, name: str) -> str:
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None or best.encoding not in _FALLBACK_ENCODINGS:
        raise UnsupportedDocumentError(
            name, "undecodable bytes: not UTF-8, GB18030/GBK or UTF-16 (save the file as UTF-8)"
        )
    return str(best)


def _checked(text: str, name: str) -> str:
    """Refuse decoded text that is mostly control characters: a binary file that happened to decode."""
    if not text:
        raise UnsupportedDocumentError(name, "empty file")
    sample = text[:200_000]
    controls = sum(1 for ch in sample if ch not in _ALLOWED_CONTROLS and unicodedata.category(ch) == "Cc")
    if controls > _MAX_CONTROL_SHARE * len(sample):
        raise UnsupportedDocumentError(name, "binary file (control characters), not text")
    return text


def docx_text(data: bytes, name: str = "<bytes>") -> str:
    """Paragraphs and tables in document order; each table cell on its own line ending ' |'.

    Tables are flattened the way the bundled plans are (one cell per line) with a '|' line
    after each row, so one table parser serves both.
    """
    try:
        import docx
        from docx.table import Table
    except ImportError as exc:  # pragma: no cover - a declared dependency
        raise UnsupportedDocumentError(
            name, "reading .docx needs python-docx: pip install python-docx"
        ) from exc
    _check_zip_size(data, name)
    try:
        document = docx.Document(io.BytesIO(data))
    except Exception:  # python-docx raises zip, XML and package errors alike
        raise UnsupportedDocumentError(name, "not a valid .docx file (cannot open it as Word XML)") from None
    lines: list[str] = []
    for block in document.iter_inner_content():
        if isinstance(block, Table):
            lines.extend(_table_lines(block))
        else:
            lines.append(_one_line(block.text))
    return "\n".join(lines).replace("\x00", "")


def _check_zip_size(data: bytes, name: str) -> None:
    """Refuse a zip bomb before anything is decompressed: the declared sizes bound what zipfile
    will ever inflate (it stops a member at its declared size), so checking them is enough."""
    import zipfile

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        return  # not a zip at all: python-docx reports it as an invalid .docx
    total = sum(m.file_size for m in members)
    if len(members) > MAX_DOCX_MEMBERS or total > MAX_DOCX_UNCOMPRESSED:
        limit = MAX_DOCX_UNCOMPRESSED // (1024 * 1024)
        raise UnsupportedDocumentError(
            name,
            f"refused as a possible zip bomb: {len(members)} parts unpacking to {total / (1024 * 1024):.0f} MB"
            f" (limit {limit} MB, {MAX_DOCX_MEMBERS} parts)",
        )


def _table_lines(table: object) -> list[str]:
    lines: list[str] = []
    for row in table.rows:  # type: ignore[attr-defined]
        seen: set[int] = set()
        for cell in row.cells:
            if id(cell._tc) in seen:  # a merged cell is returned once per grid column
                continue
            seen.add(id(cell._tc))
            lines.append(f"{_one_line(cell.text)} |")
        lines.append("|")
    return lines


def _one_line(text: str) -> str:
    return " ".join(part.strip() for part in text.splitlines() if part.strip())


def pdf_text(data: bytes, name: str = "<bytes>") -> str:
    """The text layer of every page, pages separated by a newline."""
    try:
        from pypdf import PdfReader
        from pypdf.errors import PyPdfError
    except ImportError as exc:  # pragma: no cover - a declared dependency
        raise UnsupportedDocumentError(name, "reading .pdf needs pypdf: pip install pypdf") from exc
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise UnsupportedDocumentError(name, "encrypted PDF; save an unprotected copy")
        pages = [page.extract_text() or "" for page in reader.pages]
    except UnsupportedDocumentError:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, OSError):
        raise UnsupportedDocumentError(name, "not a readable PDF file") from None
    text = "\n".join(p.strip("\n") for p in pages).replace("\x00", "")
    if not text.strip():
        raise UnsupportedDocumentError(name, "PDF has no text layer (scanned image?); OCR it first")
    return text
