"""The manifest and the documents as rows of the collection, and back.

The answerer needs every document's full text (citations are verified against it), so a
generation carries its documents: each as JSON (``index.serialize``) cut into pieces a
VARCHAR holds, in rows of kind ``payload`` numbered by ``row``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

from index.milvus.schema import PAYLOAD_CHARS, PAYLOAD_CODE, PAYLOAD_KIND, ROW_SPAN
from index.serialize import document_from_json, document_to_json
from kernel.errors import CorruptIndexError
from kernel.types import Document

MANIFEST_ID = "__manifest__"
CLIENT_BM25_ID = "__client_bm25__"


def _pieces(text: str) -> list[str]:
    return [text[i : i + PAYLOAD_CHARS] for i in range(0, len(text), PAYLOAD_CHARS)] or [""]


def payload_rows(
    manifest: Mapping[str, Any], documents: Sequence[Document], extra: Mapping[str, Any], dim: int
) -> Iterator[dict[str, Any]]:
    """Rows holding ``manifest``, every document and ``extra`` (key -> JSON value)."""
    blobs: list[tuple[str, str]] = [(MANIFEST_ID, json.dumps(manifest, ensure_ascii=False))]
    blobs += [(d.doc_id, json.dumps(document_to_json(d), ensure_ascii=False)) for d in documents]
    blobs += [(key, json.dumps(value, ensure_ascii=False)) for key, value in extra.items()]
    filler = [1.0] + [0.0] * (dim - 1)  # never searched: every search filters on kind
    n = 0
    for key, text in blobs:
        for part, piece in enumerate(_pieces(text)):
            yield {"pk": PAYLOAD_CODE * ROW_SPAN + n, "kind": PAYLOAD_KIND, "doc_id": key, "district": "",
                   "row": part, "text": "", "payload": piece, "dense": filler}
            n += 1


def read_payload(rows: Iterable[Mapping[str, Any]], where: str) -> tuple[dict[str, Any], tuple[Document, ...], dict[str, Any]]:
    """(manifest, documents in manifest order, extras) from the payload rows of a collection."""
    parts: dict[str, list[tuple[int, str]]] = {}
    for r in rows:
        parts.setdefault(str(r["doc_id"]), []).append((int(r["row"]), str(r["payload"])))
    blobs = {key: "".join(p for _, p in sorted(pieces)) for key, pieces in parts.items()}
    try:
        manifest = json.loads(blobs.pop(MANIFEST_ID))
        order = [e["doc_id"] for e in manifest["documents"]]
        documents = tuple(document_from_json(json.loads(blobs.pop(doc_id))) for doc_id in order)
        extras = {key: json.loads(text) for key, text in blobs.items()}
    except KeyError as exc:
        raise CorruptIndexError(f"the Milvus collection {where} lacks the payload row(s) of {exc}") from exc
    except (ValueError, TypeError) as exc:
        raise CorruptIndexError(f"the Milvus collection {where} holds a malformed payload: {exc}") from exc
    return manifest, documents, extras
