"""The index folder on disk: write it atomically, read it back verified.

Layout (all plain files)::

    manifest.json          format version, embedder id and dim, BM25 settings, per-document
                           sha256 and unit fingerprints, unit counts, sha256 of every file
    documents.json         the Documents (full text, sections, unit offsets)
    vectors/<kind>.npy     float32 (units of that kind, dim), rows in document order
    bm25/<kind>/...        bm25s files

A write goes to a temporary sibling folder (every file fsynced, the manifest last), then
two renames: the live folder to ``<name>.old``, the new one into place; ``.old`` is deleted
afterwards. A process killed at any point leaves either the live folder or ``.old`` intact,
and ``resolve_folder`` reads whichever holds a complete manifest. Reading checks every file
against the manifest's checksums, so truncation or tampering is a ``CorruptIndexError``
naming the file, never silently wrong results.
"""

from __future__ import annotations

import errno
import fcntl
import hashlib
import json
import os
import shutil
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np

from index.lexical import BM25Config, LexicalIndex
from index.serialize import document_from_json, document_to_json
from index.tokenize import TOKENIZER_VERSION
from kernel.errors import CorruptIndexError, IndexNotBuiltError, IndexWriteError
from kernel.types import Document, Unit

FORMAT_VERSION = 1
MANIFEST = "manifest.json"
DOCUMENTS = "documents.json"
# Kinds that get vectors and a BM25 model. Sections are containers, not passages.
INDEXED_KINDS: tuple[str, ...] = ("chunk", "sentence", "table_row")
_FIELD = {"chunk": "chunks", "sentence": "sentences", "table_row": "table_rows"}
# How chunk vectors are made: by embedding the chunk's text, or from its sentences and table
# rows (``index.chunk_vectors``). Indexes written before this was recorded embedded them.
ChunkVectors = Literal["embedded", "derived"]
CHUNK_VECTOR_MODES: tuple[ChunkVectors, ...] = ("embedded", "derived")
DEFAULT_CHUNK_VECTORS: ChunkVectors = "embedded"
# How sentence vectors are made: by embedding each sentence, or pooled from the pass that
# embeds its chunk (late chunking, ``index.late_sentences``). Older indexes embedded them.
SentenceVectors = Literal["embedded", "late"]
SENTENCE_VECTOR_MODES: tuple[SentenceVectors, ...] = ("embedded", "late")
DEFAULT_SENTENCE_VECTORS: SentenceVectors = "embedded"


def units_of(doc: Document, kind: str) -> tuple[Unit, ...]:
    return tuple(getattr(doc, _FIELD[kind]))


def fingerprint(units: Sequence[Unit]) -> str:
    """sha256 of the texts that get embedded: equal fingerprints mean reusable vectors."""
    h = hashlib.sha256()
    for u in units:
        h.update(u.retrieval_text.encode("utf-8"))
        h.update(b"\x1e")
    return h.hexdigest()


@dataclass(frozen=True)
class StoredIndex:
    """Everything an index holds, in memory. ``lexical`` (bm25s models) is the FAISS store's
    own: it is built when the FAISS store writes, and a Milvus store leaves it empty."""

    manifest: dict[str, Any]
    documents: tuple[Document, ...]
    vectors: dict[str, np.ndarray]
    lexical: dict[str, LexicalIndex] = field(default_factory=dict)

    @property
    def embedder_id(self) -> str:
        return str(self.manifest["embedder"]["id"])


def make_manifest(
    documents: Sequence[Document], embedder_id: str, dim: int, bm25: BM25Config,
    chunk_vectors: ChunkVectors = DEFAULT_CHUNK_VECTORS,
    sentence_vectors: SentenceVectors = DEFAULT_SENTENCE_VECTORS,
) -> dict[str, Any]:
    from ingest.regions import scope_of

    return {
        "format_version": FORMAT_VERSION,
        "embedder": {"id": embedder_id, "dim": int(dim)},
        "chunk_vectors": chunk_vectors,
        "sentence_vectors": sentence_vectors,
        "bm25": {"k1": bm25.k1, "b": bm25.b, "method": bm25.method},
        "tokenizer": TOKENIZER_VERSION,
        # The words the tokenizer keeps whole: the district names of the documents' cities.
        "tokenizer_words": list(scope_of(d.district for d in documents if d.district).words),
        "kinds": list(INDEXED_KINDS),
        "documents": [
            {
                "doc_id": d.doc_id,
                "sha256": d.sha256,
                "district": d.district,
                "region": d.region,
                "units": {k: len(units_of(d, k)) for k in INDEXED_KINDS},
                "fingerprints": {k: fingerprint(units_of(d, k)) for k in INDEXED_KINDS},
            }
            for d in documents
        ],
        "unit_counts": {k: sum(len(units_of(d, k)) for d in documents) for k in INDEXED_KINDS},
        "files": {},
    }


# ---------------------------------------------------------------- writing


def _sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _fsync_path(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _write_json(path: Path, obj: Any) -> None:
    with open(path, "w", encoding="utf-8") as f:
        json.dump(obj, f, ensure_ascii=False, separators=(",", ":"))


@contextmanager
def _write_lock(final: Path) -> Iterator[None]:
    """One writer per index folder at a time (readers never need it)."""
    lock_path = final.parent / f".{final.name}.lock"
    with open(lock_path, "a+") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


def _old(final: Path) -> Path:
    return final.parent / f"{final.name}.old"


def _clean_stale_tmp(final: Path) -> None:
    for tmp in final.parent.glob(f".{final.name}.tmp-*"):
        shutil.rmtree(tmp, ignore_errors=True)


def write_store(final: Path, stored: StoredIndex) -> None:
    """Write ``stored`` to ``final`` atomically (see module docstring).

    An ``OSError`` on the way (a full disk, a read-only folder) becomes ``IndexWriteError``
    naming the folder and the cause; the previous index stays readable.
    """
    final = Path(final)
    try:
        final.parent.mkdir(parents=True, exist_ok=True)
        with _write_lock(final):
            _clean_stale_tmp(final)  # left by a killed writer; safe under the lock
            tmp = final.parent / f".{final.name}.tmp-{os.getpid()}-{uuid.uuid4().hex[:8]}"
            tmp.mkdir()
            try:
                _write_contents(tmp, stored)
                _swap_into_place(tmp, final)
            finally:
                if tmp.exists():
                    shutil.rmtree(tmp, ignore_errors=True)
    except OSError as exc:
        raise IndexWriteError(
            f"could not write the index to {final}: {_describe(exc, final.parent)}; the previous index is kept"
        ) from exc


LOW_SPACE_BYTES = 64 * 1024 * 1024


def _describe(exc: OSError, folder: Path) -> str:
    """The cause, saying plainly when the disk is full: numpy reports a short write without errno."""
    cause = exc.strerror or str(exc) or type(exc).__name__
    try:
        free = shutil.disk_usage(folder).free
    except OSError:
        return cause
    if exc.errno == errno.ENOSPC or free < LOW_SPACE_BYTES:
        return f"{cause} (the disk is full: {free / (1024 * 1024):.1f} MB free)"
    return cause


def _write_contents(tmp: Path, stored: StoredIndex) -> None:
    files: list[Path] = []
    _write_json(tmp / DOCUMENTS, [document_to_json(d) for d in stored.documents])
    files.append(tmp / DOCUMENTS)
    (tmp / "vectors").mkdir()
    for kind, vecs in stored.vectors.items():
        path = tmp / "vectors" / f"{kind}.npy"
        np.save(path, np.ascontiguousarray(vecs, dtype=np.float32), allow_pickle=False)
        files.append(path)
    for kind, lex in stored.lexical.items():
        folder = tmp / "bm25" / kind
        folder.mkdir(parents=True)
        lex.save(folder)
        files.extend(sorted(p for p in folder.iterdir() if p.is_file()))
    checksums: dict[str, str] = {}
    for path in files:
        _fsync_path(path)
        checksums[path.relative_to(tmp).as_posix()] = _sha256_file(path)
    manifest = dict(stored.manifest, files=checksums)
    _write_json(tmp / MANIFEST, manifest)  # last: a folder without it is incomplete
    _fsync_path(tmp / MANIFEST)
    for folder in {p.parent for p in files} | {tmp}:
        _fsync_path(folder)


def _swap_into_place(tmp: Path, final: Path) -> None:
    old = _old(final)
    if not (final / MANIFEST).exists() and (old / MANIFEST).exists():
        # A previous swap died between its two renames: the good copy is in .old.
        shutil.rmtree(final, ignore_errors=True)
        os.rename(old, final)
    shutil.rmtree(old, ignore_errors=True)
    if final.exists():
        os.rename(final, old)
    os.rename(tmp, final)
    _fsync_path(final.parent)
    shutil.rmtree(old, ignore_errors=True)


# ---------------------------------------------------------------- reading


def resolve_folder(final: Path) -> Path:
    """The folder holding the live index: ``final``, or ``final.old`` after an interrupted swap."""
    final = Path(final)
    if (final / MANIFEST).is_file():
        return final
    if (_old(final) / MANIFEST).is_file():
        return _old(final)
    if final.exists() and any(final.iterdir()):
        raise CorruptIndexError(f"index folder {final} has no {MANIFEST}")
    raise IndexNotBuiltError(f"no index at {final}; build it first, run: policyqa index")


def read_manifest(folder: Path) -> dict[str, Any]:
    path = folder / MANIFEST
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise CorruptIndexError(f"cannot read {path}: {exc}") from exc
    if not isinstance(manifest, dict) or manifest.get("format_version") != FORMAT_VERSION:
        found = manifest.get("format_version") if isinstance(manifest, dict) else None
        raise CorruptIndexError(
            f"{path} has format version {found!r}, this version of PolicyQA reads {FORMAT_VERSION}"
        )
    for key in ("embedder", "bm25", "documents", "unit_counts", "files"):
        if key not in manifest:
            raise CorruptIndexError(f"{path} lacks the {key!r} entry")
    return manifest


def verify_files(folder: Path, manifest: dict[str, Any]) -> None:
    """Every file the manifest lists exists and matches its sha256."""
    for rel, expected in manifest["files"].items():
        path = folder / rel
        if not path.is_file():
            raise CorruptIndexError(f"index file {path} is missing")
        if _sha256_file(path) != expected:
            raise CorruptIndexError(f"index file {path} is damaged or truncated (checksum mismatch)")


def read_store(final: Path) -> StoredIndex:
    """Load and verify the index at ``final``."""
    folder = resolve_folder(Path(final))
    manifest = read_manifest(folder)
    verify_files(folder, manifest)
    try:
        rows = json.loads((folder / DOCUMENTS).read_text(encoding="utf-8"))
        documents = tuple(document_from_json(r) for r in rows)
    except (ValueError, KeyError, TypeError) as exc:
        raise CorruptIndexError(f"index file {folder / DOCUMENTS} is malformed: {exc}") from exc
    dim = int(manifest["embedder"]["dim"])
    bm25 = BM25Config(**manifest["bm25"])
    vectors: dict[str, np.ndarray] = {}
    lexical: dict[str, LexicalIndex] = {}
    for kind in manifest.get("kinds", INDEXED_KINDS):
        n = int(manifest["unit_counts"][kind])
        if n != sum(len(units_of(d, kind)) for d in documents):
            raise CorruptIndexError(f"{folder / DOCUMENTS} does not match the manifest's {kind} count {n}")
        path = folder / "vectors" / f"{kind}.npy"
        try:
            vecs = np.load(path, allow_pickle=False)
        except (OSError, ValueError) as exc:
            raise CorruptIndexError(f"index file {path} is unreadable: {exc}") from exc
        if vecs.dtype != np.float32 or vecs.shape != (n, dim):
            raise CorruptIndexError(
                f"index file {path} holds {vecs.dtype} {vecs.shape}, expected float32 ({n}, {dim})"
            )
        vectors[kind] = vecs
        try:
            lexical[kind] = LexicalIndex.load(folder / "bm25" / kind, n, bm25)
        except (OSError, ValueError, KeyError) as exc:
            raise CorruptIndexError(f"BM25 files in {folder / 'bm25' / kind} are unreadable: {exc}") from exc
    return StoredIndex(manifest, documents, vectors, lexical)
