"""Receive a multipart upload straight to disk, refusing it as soon as it is known to be too big.

The ``Content-Length`` header is checked before a byte of the body is read; the body is then
counted while it streams through a multipart parser into files, so a client that sends no (or a
false) length is cut off at the limit too. Nothing is held in memory whole.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path
from typing import IO

from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.requests import Request

from ingest.sniff import content_problem
from surfaces.errors import ApiError
from surfaces.settings import UPLOAD_SUFFIXES

FILE_FIELDS = ("file", "files")
TEXT_FIELDS = ("region",)  # optional: the region the files belong to ("杭州市西湖区", "national")
MAX_TEXT_FIELD = 512
_UNSAFE = re.compile(r"[^\w.\- ()\[\]（）【】]+", re.UNICODE)


def sanitize_filename(name: str) -> str:
    """A safe base name: no directories, no NUL or control characters, no leading dots.

    >>> sanitize_filename("../../etc/passwd.txt")
    'passwd.txt'
    >>> sanitize_filename("C:\\\\temp\\\\宝山区 计划.md")
    '宝山区 计划.md'
    """
    name = unicodedata.normalize("NFC", name)
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")  # NUL, controls, format
    name = re.split(r"[\\/]", name)[-1]
    stem, dot, suffix = name.rpartition(".")
    if not dot:
        stem, suffix = name, ""
    stem = _UNSAFE.sub("-", stem).strip(" .-")[:120] or "upload"
    suffix = _UNSAFE.sub("", suffix).lower()[:10]
    return f"{stem}.{suffix}" if suffix else stem


def check_suffix(name: str) -> None:
    suffix = Path(name).suffix.lower()
    if suffix not in UPLOAD_SUFFIXES:
        allowed = ", ".join(UPLOAD_SUFFIXES)
        raise ApiError(400, "unsupported_document", f"{name}: unsupported file type {suffix or '(none)'}; allowed: {allowed}")


def check_declared_length(request: Request, max_bytes: int) -> None:
    """413 before reading anything when the declared body is over the limit."""
    declared = request.headers.get("content-length")
    if declared is None:
        return
    try:
        length = int(declared)
    except ValueError:
        raise ApiError(400, "bad_request", f"Content-Length is not a number: {declared!r}") from None
    if length > max_bytes:
        raise ApiError(413, "upload_too_large", f"upload is {length} bytes; the limit is {max_bytes} bytes")


class _PartWriter:
    """Callbacks for python-multipart: file parts go to ``dest``; the text fields of
    ``TEXT_FIELDS`` are kept (up to ``MAX_TEXT_FIELD`` bytes each); other fields are ignored."""

    def __init__(self, dest: Path) -> None:
        self.dest = dest
        self.saved: list[Path] = []
        self._headers: dict[bytes, bytes] = {}
        self._field: list[bytes] = []
        self._value: list[bytes] = []
        self._out: IO[bytes] | None = None
        self.fields: dict[str, bytearray] = {}
        self._text: bytearray | None = None

    def callbacks(self) -> dict[str, object]:
        return {
            "on_part_begin": self._part_begin,
            "on_header_field": lambda d, s, e: self._field.append(d[s:e]),
            "on_header_value": lambda d, s, e: self._value.append(d[s:e]),
            "on_header_end": self._header_end,
            "on_headers_finished": self._headers_finished,
            "on_part_data": self._part_data,
            "on_part_end": self._part_end,
        }

    def _part_begin(self) -> None:
        self._headers = {}

    def _header_end(self) -> None:
        self._headers[b"".join(self._field).lower()] = b"".join(self._value).strip()
        self._field.clear()
        self._value.clear()

    def _headers_finished(self) -> None:
        _, options = parse_options_header(self._headers.get(b"content-disposition"))
        field = options.get(b"name", b"").decode("utf-8", "replace")
        raw_name = options.get(b"filename")
        if raw_name is None and field in TEXT_FIELDS:
            self._text = self.fields.setdefault(field, bytearray())
            return
        if raw_name is None or field not in FILE_FIELDS:
            return
        name = sanitize_filename(raw_name.decode("utf-8", "replace"))
        check_suffix(name)
        target = self.dest / name
        n = 1
        while target.exists():
            n += 1
            target = self.dest / f"{Path(name).stem}-{n}{Path(name).suffix}"
        self._out = target.open("wb")
        self.saved.append(target)

    def _part_data(self, data: bytes, start: int, end: int) -> None:
        if self._out is not None:
            self._out.write(data[start:end])
        elif self._text is not None:
            self._text.extend(data[start:end])
            if len(self._text) > MAX_TEXT_FIELD:
                raise ApiError(400, "bad_region", f"a form field is over {MAX_TEXT_FIELD} bytes")

    def _part_end(self) -> None:
        self._text = None
        if self._out is not None:
            self._out.close()
            self._out = None

    def close(self) -> None:
        self._part_end()


async def receive_files(request: Request, dest: Path, max_bytes: int) -> tuple[list[Path], dict[str, str]]:
    """Stream the multipart body of ``request`` into ``dest``; returns the saved files and the
    text fields of ``TEXT_FIELDS`` that were sent."""
    check_declared_length(request, max_bytes)
    content_type, params = parse_options_header(request.headers.get("content-type", ""))
    boundary = params.get(b"boundary")
    if content_type != b"multipart/form-data" or not boundary:
        raise ApiError(400, "bad_upload", "send the document as multipart/form-data in a field named 'file'")
    writer = _PartWriter(dest)
    parser = MultipartParser(boundary, writer.callbacks())  # type: ignore[arg-type]
    received = 0
    try:
        async for chunk in request.stream():
            received += len(chunk)
            if received > max_bytes:
                raise ApiError(413, "upload_too_large", f"upload is over the limit of {max_bytes} bytes")
            parser.write(chunk)
        parser.finalize()
    except ApiError:
        raise
    except Exception as exc:  # python-multipart's parse errors
        raise ApiError(400, "bad_upload", f"malformed multipart body: {exc}") from None
    finally:
        writer.close()
    empty = [p.name for p in writer.saved if p.stat().st_size == 0]
    if not writer.saved:
        raise ApiError(400, "bad_upload", "no file found: send it in a multipart field named 'file'")
    if empty:
        raise ApiError(400, "unsupported_document", f"{', '.join(empty)}: the file is empty")
    for path in writer.saved:  # judged by content, not by the name the client chose
        problem = content_problem(path)
        if problem:
            raise ApiError(415, "unsupported_document", f"{path.name}: {problem}")
    try:
        fields = {k: v.decode("utf-8") for k, v in writer.fields.items()}
    except UnicodeDecodeError:
        raise ApiError(400, "bad_region", "form fields must be UTF-8 text") from None
    return writer.saved, fields
