"""``MilvusStore``: an index as Milvus collections, one per build, reached through an alias.

A build writes a new collection (units, vectors, BM25, and the manifest and documents as
payload rows), loads it, checks its row counts, and only then moves the alias to it: the
alias move is Milvus's atomic swap, so a reader opening the index sees the old generation
or the new one, never a half-written one. The previous generation is kept until the next
build (a process still serving it keeps working, and it is the way back); older ones are
dropped. An opened index is pinned to its collection, not to the alias.

BM25 runs inside Milvus when the server supports BM25 functions with the jieba analyzer;
whether it does is found by asking it (creating the collection), not from the URI. When it
refuses, our own BM25 weights go into the same sparse field (``index.milvus.client_bm25``).
"""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np

from index.lexical import BM25Config
from index.milvus import client_bm25
from index.milvus.payload import CLIENT_BM25_ID, payload_rows, read_payload
from index.milvus.schema import (
    DEFAULT_PARTITION,
    PARTITION_FROM_UNITS,
    PAYLOAD_KIND,
    BM25Mode,
    analyzer_params,
    dense_index_type,
    fit_varchar,
    make_index_params,
    make_schema,
    normalise,
    pk,
    region_partitions,
    row_of_pk,
)
from index.milvus.search import MilvusKindRetriever
from index.store import INDEXED_KINDS, StoredIndex, units_of
from index.store_protocol import OpenIndex
from kernel.errors import (
    CorruptIndexError,
    IndexNotBuiltError,
    IndexWriteError,
    PolicyQAError,
    StoreUnavailableError,
)

INSERT_BATCH = 512
ITERATOR_BATCH = 4096
INSTALL_HINT = "pip install 'policyqa[milvus]' (pymilvus, milvus-lite)"


def _quiet_logs() -> None:
    """pymilvus logs every refused call with a traceback; ours says what failed in one line."""
    for name in ("pymilvus", "milvus_lite"):
        logging.getLogger(name).setLevel(logging.CRITICAL)
    try:  # Milvus Lite analyses text with the global jieba, which announces its dictionary
        import jieba

        jieba.setLogLevel(logging.WARNING)
    except ImportError:
        pass


class MilvusStore:
    """An index in Milvus: ``uri`` (a Milvus Lite ``.db`` file or ``http://host:19530``) and the
    alias its live collection is reached by."""

    backend = "milvus"

    def __init__(
        self, uri: str, alias: str = "policyqa", bm25: BM25Mode | None = None,
        partition_from_units: int = PARTITION_FROM_UNITS,
    ) -> None:
        self.uri = uri
        self.alias = alias
        self._forced_mode = bm25  # tests force "client"; None: ask the server
        self._partition_from_units = partition_from_units  # a partition per region above it (schema.py says why)
        self._client: Any = None

    def __repr__(self) -> str:
        return f"MilvusStore({self.uri!r}, {self.alias!r})"

    @property
    def location(self) -> str:
        return f"{self.uri}#{self.alias}"

    # ------------------------------------------------------------------ connection

    @property
    def client(self) -> Any:
        if self._client is None:
            try:
                import pymilvus
            except ImportError as exc:
                raise StoreUnavailableError(f"the Milvus backend needs pymilvus: {INSTALL_HINT}") from exc
            _quiet_logs()
            if self.uri.endswith(".db"):  # Milvus Lite, run in this process by pymilvus
                Path(self.uri).parent.mkdir(parents=True, exist_ok=True)
            try:
                self._client = pymilvus.MilvusClient(self.uri)
            except Exception as exc:  # noqa: BLE001 - any failure to connect reads the same
                reason = _lite_locked(self.uri) or _reason(exc)
                raise StoreUnavailableError(f"cannot reach Milvus at {self.uri}: {reason}") from exc
        return self._client

    def live_collection(self) -> str:
        """The collection the alias points to; ``IndexNotBuiltError`` when there is none."""
        try:
            return str(self.client.describe_alias(self.alias)["collection_name"])
        except StoreUnavailableError:
            raise
        except Exception as exc:  # noqa: BLE001 - pymilvus raises MilvusException for a missing alias
            raise IndexNotBuiltError(
                f"no index in Milvus at {self.uri} (alias {self.alias!r}); build it first, run: policyqa index"
            ) from exc

    # ------------------------------------------------------------------ reading

    def _iterate(self, collection: str, expr: str, fields: list[str]) -> Iterator[dict[str, Any]]:
        it = self.client.query_iterator(collection, batch_size=ITERATOR_BATCH, filter=expr, output_fields=fields)
        try:
            while True:
                batch = it.next()
                if not batch:
                    return
                yield from batch
        finally:
            it.close()

    def _payload(self, collection: str) -> tuple[dict[str, Any], tuple[Any, ...], dict[str, Any]]:
        rows = self._iterate(collection, f'kind == "{PAYLOAD_KIND}"', ["doc_id", "row", "payload"])
        return read_payload(rows, collection)

    def _check_counts(self, collection: str, manifest: dict[str, Any]) -> None:
        for kind in manifest.get("kinds", INDEXED_KINDS):
            got = self.client.query(collection, filter=f'kind == "{kind}"', output_fields=["count(*)"])
            n = int(got[0]["count(*)"])
            if n != int(manifest["unit_counts"][kind]):
                raise CorruptIndexError(
                    f"the Milvus collection {collection} holds {n} {kind} rows, its manifest says "
                    f"{manifest['unit_counts'][kind]}"
                )

    def read(self) -> StoredIndex:
        with _milvus_errors(self.uri, "read the index from"):
            return self._read()

    def _read(self) -> StoredIndex:
        collection = self.live_collection()
        self.client.load_collection(collection)  # a new process or a restarted server has it released
        manifest, documents, _ = self._payload(collection)
        dim = int(manifest["embedder"]["dim"])
        vectors: dict[str, np.ndarray] = {}
        for kind in manifest.get("kinds", INDEXED_KINDS):
            n = int(manifest["unit_counts"][kind])
            out = np.full((n, dim), np.nan, dtype=np.float32)
            for r in self._iterate(collection, f'kind == "{kind}"', ["pk", "dense"]):
                row = row_of_pk(kind, r["pk"])
                if not 0 <= row < n:
                    raise CorruptIndexError(f"the Milvus collection {collection} has a {kind} row {row} of {n}")
                out[row] = r["dense"]
            if np.isnan(out).any():
                raise CorruptIndexError(f"the Milvus collection {collection} lacks some of its {n} {kind} vectors")
            vectors[kind] = out
        return StoredIndex(manifest, documents, vectors)

    def open(self) -> OpenIndex:
        with _milvus_errors(self.uri, "open the index in"):
            return self._open()

    def _open(self) -> OpenIndex:
        collection = self.live_collection()
        self.client.load_collection(collection)  # a server forgets what was loaded when it restarts
        manifest, documents, extras = self._payload(collection)
        self._check_counts(collection, manifest)
        return self._opened(collection, manifest, documents, extras)

    def _opened(self, collection: str, manifest: dict[str, Any], documents: tuple[Any, ...],
                extras: dict[str, Any]) -> OpenIndex:
        mode: BM25Mode = manifest["milvus"]["bm25"]
        stats = extras.get(CLIENT_BM25_ID, {})
        partitions = manifest["milvus"].get("partitions")  # None: one partition (or an older build)
        districts = {d.doc_id: d.district for d in documents}
        retrievers = {
            kind: MilvusKindRetriever(
                kind, tuple(u for d in documents for u in units_of(d, kind)), self.client, collection, mode,
                stats.get(kind), manifest["milvus"]["dense_index"], partitions, districts,
            )
            for kind in manifest.get("kinds", INDEXED_KINDS)
        }
        return OpenIndex(manifest, documents, retrievers, f"{self.uri}#{collection}")

    def count_documents(self) -> int:
        try:
            collection = self.live_collection()
        except IndexNotBuiltError:
            return 0
        got = self.client.query(collection, filter=f'kind == "{PAYLOAD_KIND}" and row == 0', output_fields=["doc_id"])
        return sum(1 for r in got if not str(r["doc_id"]).startswith("__"))

    # ------------------------------------------------------------------ writing

    def write(self, stored: StoredIndex) -> OpenIndex:
        from index.store import _write_lock
        from ingest.settings import home_dir

        lock = Path(self.uri).with_suffix("") if self.uri.endswith(".db") else home_dir() / f"milvus-{self.alias}"
        try:
            lock.parent.mkdir(parents=True, exist_ok=True)
            with _write_lock(lock):
                return self._write(stored)
        except OSError as exc:
            raise IndexWriteError(f"could not lock {lock} to write the index: {exc}") from exc

    def _write(self, stored: StoredIndex) -> OpenIndex:
        client = self.client
        name = f"{self.alias}_g{time.time_ns()}"
        units = sum(len(v) for v in stored.vectors.values())
        dense_type = dense_index_type(units)
        bm25 = BM25Config(**stored.manifest["bm25"])
        words = tuple(stored.manifest.get("tokenizer_words", ()))  # the corpus's place words
        mode = self._create(name, int(stored.manifest["embedder"]["dim"]), dense_type, bm25, words)
        partitions = region_partitions([d.district for d in stored.documents], units, self._partition_from_units)
        manifest = dict(stored.manifest, backend="milvus",
                        milvus={"collection": name, "bm25": mode, "dense_index": dense_type,
                                "analyzer": analyzer_params(words) if mode == "milvus" else "index.tokenize",
                                "partitions": partitions})
        extras: dict[str, Any] = {}
        try:
            for partition in (partitions or {}).values():
                client.create_partition(name, partition)
            tokens: dict[str, list[list[str]]] | None = None
            if mode == "client":
                tokens, extras[CLIENT_BM25_ID] = _client_tokens(stored)
            rows = _unit_rows(stored, tokens, extras.get(CLIENT_BM25_ID, {}), bm25)
            self._insert(name, mode, rows, partitions)
            self._insert(name, mode, payload_rows(manifest, stored.documents, extras, int(manifest["embedder"]["dim"])))
            client.flush(name)
            client.load_collection(name)
            self._check_counts(name, manifest)
        except BaseException as exc:
            self._drop(name)
            if isinstance(exc, Exception) and not isinstance(exc, CorruptIndexError):
                raise IndexWriteError(
                    f"could not write the index to Milvus at {self.uri}: {_reason(exc)}; the previous index is kept"
                ) from exc
            raise
        previous = self._swap_alias(name)
        self._drop_old(keep={name, previous})
        return self._opened(name, manifest, stored.documents, extras)

    def _create(self, name: str, dim: int, dense_type: str, bm25: BM25Config, words: tuple[str, ...] = ()) -> BM25Mode:
        """Create the collection with Milvus's BM25 if the server takes it, else for client BM25."""
        client = self.client
        modes: list[BM25Mode] = [self._forced_mode] if self._forced_mode else ["milvus", "client"]
        refusal = ""
        for mode in modes:
            try:
                client.create_collection(
                    name, schema=make_schema(client, dim, mode, words),
                    index_params=make_index_params(client, mode, dense_type, bm25),
                )
                if mode == "client" and refusal:
                    print(f"policyqa: Milvus at {self.uri} has no BM25 function with the jieba analyzer "
                          f"({refusal}); BM25 is computed by PolicyQA instead", file=sys.stderr)
                return mode
            except Exception as exc:  # noqa: BLE001 - the server's refusal is the capability answer
                refusal = _reason(exc)
                self._drop(name)
        raise IndexWriteError(f"Milvus at {self.uri} refused to create collection {name}: {refusal}")

    def _insert(
        self, name: str, mode: BM25Mode, rows: Iterator[dict[str, Any]], partitions: dict[str, str] | None = None
    ) -> None:
        """Insert ``rows`` in batches, each row into its district's partition (``partitions``;
        None, or a row of no district: the default partition)."""
        batches: dict[str, list[dict[str, Any]]] = {}
        for row in rows:
            if mode == "client" and "sparse" not in row:  # payload rows: a sparse vector is required
                row["sparse"] = {client_bm25.EMPTY_DIM: 1.0}
            partition = (partitions or {}).get(row["district"], DEFAULT_PARTITION)
            batch = batches.setdefault(partition, [])
            batch.append(row)
            if len(batch) >= INSERT_BATCH:
                self.client.insert(name, batch, partition_name=partition)
                batches[partition] = []
        for partition, batch in batches.items():
            if batch:
                self.client.insert(name, batch, partition_name=partition)

    def _swap_alias(self, name: str) -> str | None:
        """Point the alias at ``name``; the collection it pointed to before (None: first build)."""
        try:
            previous: str | None = self.live_collection()
        except IndexNotBuiltError:
            previous = None
        if previous is None:
            self.client.create_alias(name, self.alias)
        else:
            self.client.alter_alias(name, self.alias)
        return previous

    def _drop_old(self, keep: set[str | None]) -> None:
        prefix = f"{self.alias}_g"
        for other in self.client.list_collections():
            if other.startswith(prefix) and other[len(prefix):].isdigit() and other not in keep:
                self._drop(other)

    def _drop(self, name: str) -> None:
        try:
            self.client.drop_collection(name)
        except Exception:  # noqa: BLE001 - best effort: a leftover is dropped by the next build
            pass


def _unit_rows(
    stored: StoredIndex, tokens: dict[str, list[list[str]]] | None, stats: dict[str, Any], bm25: BM25Config
) -> Iterator[dict[str, Any]]:
    """One row per unit of every kind; with ``tokens`` (client BM25) its BM25 weights too."""
    for kind in stored.manifest.get("kinds", INDEXED_KINDS):
        vecs = stored.vectors[kind]
        units = [(d, u) for d in stored.documents for u in units_of(d, kind)]
        for row, (doc, unit) in enumerate(units):
            item = {
                "pk": pk(kind, row), "kind": kind, "doc_id": doc.doc_id, "district": doc.district or "",
                "row": row, "text": fit_varchar(normalise(unit.retrieval_text)), "payload": "",
                "dense": vecs[row].tolist(),
            }
            if tokens is not None:
                item["sparse"] = client_bm25.unit_vector(tokens[kind][row], stats[kind], bm25)
            yield item


def _client_tokens(stored: StoredIndex) -> tuple[dict[str, list[list[str]]], dict[str, Any]]:
    """Every unit's BM25 tokens (``index.tokenize``) and each kind's statistics."""
    from index.tokenize import tokenize

    words = tuple(stored.manifest.get("tokenizer_words", ()))
    tokens = {
        kind: [tokenize(u.retrieval_text, words) for d in stored.documents for u in units_of(d, kind)]
        for kind in stored.manifest.get("kinds", INDEXED_KINDS)
    }
    return tokens, {kind: client_bm25.kind_stats(lists) for kind, lists in tokens.items()}


@contextmanager
def _milvus_errors(uri: str, doing: str) -> Iterator[None]:
    """A refusal from Milvus while reading becomes one line naming the server and the reason."""
    try:
        yield
    except PolicyQAError:
        raise
    except Exception as exc:  # noqa: BLE001 - pymilvus's MilvusException and gRPC errors alike
        raise StoreUnavailableError(f"could not {doing} Milvus at {uri}: {_reason(exc)}") from exc


def _lite_locked(uri: str) -> str | None:
    """Why a Milvus Lite file did not open when another process holds it (pymilvus only says
    "Open local milvus failed")."""
    import fcntl

    lock = Path(uri) / "LOCK"
    if not uri.endswith(".db") or not lock.is_file():
        return None
    with open(lock, "a+") as f:
        try:
            fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            return ("another process has this Milvus Lite file open (Milvus Lite serves one process at a "
                    "time): stop it, or run a Milvus server and set POLICYQA_MILVUS_URI=http://host:19530")
        fcntl.flock(f, fcntl.LOCK_UN)
    return None


def _reason(exc: BaseException) -> str:
    message = getattr(exc, "message", None) or str(exc) or type(exc).__name__
    return " ".join(str(message).split())
