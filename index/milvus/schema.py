"""The collection a Milvus index generation lives in: fields, analyzer, indexes, row ids.

One collection holds every unit of every indexed kind (``kind`` tells them apart and every
search filters on it) plus ``payload`` rows carrying the manifest and the documents, so a
generation is self-contained and moving one alias swaps all of it at once.

BM25 is computed by Milvus where the server can (a BM25 Function from ``text`` to
``sparse``, jieba analyzer), else by us (``index.milvus.client_bm25``): the same
``sparse`` field then holds our BM25 weights and is searched by inner product.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from typing import Any, Literal

from index.lexical import BM25Config

BM25Mode = Literal["milvus", "client"]
KIND_CODES: dict[str, int] = {"chunk": 1, "sentence": 2, "table_row": 3}
PAYLOAD_KIND = "payload"
ROW_SPAN = 10**12  # primary key = kind code * ROW_SPAN + row; payload rows use code 9
PAYLOAD_CODE = 9
MAX_VARCHAR_BYTES = 65535
PAYLOAD_CHARS = 16000  # <= 4 bytes a character in UTF-8: a piece always fits a VARCHAR
# Exact search (FLAT) up to this many units, as FAISS's IndexFlatIP; HNSW above, where a
# flat scan per query would be the slowest step.
FLAT_MAX_ROWS = 200_000
HNSW_PARAMS = {"M": 16, "efConstruction": 200}
# Words Milvus's jieba analyzer must drop besides the stopwords: punctuation is a token there.
# One partition per region (district) in a large collection, so that a search within regions
# reads only theirs: Milvus Lite prunes by ``partition_names`` only (a partition key hashes
# into 16 buckets its searches do not prune), and a Milvus server refuses more than 1,024
# partitions by default (``rootCoord.maxPartitionNum``): beyond ``MAX_REGION_PARTITIONS``
# regions there is one partition. Up to ``PARTITION_FROM_UNITS`` units there is one partition
# too: Milvus Lite keeps BM25 statistics per segment, and such a collection is one segment
# (its ``MAX_SEGMENT_ROWS``) whose statistics span the corpus, where a partition per region
# would give each region its own and make scores across regions incomparable (at 1x,
# retrieval hit@5 on the dev set fell from 0.887 to 0.875); a larger collection is several
# segments, each with its own statistics, whatever its partitions.
PARTITION_FROM_UNITS = 100_000
MAX_REGION_PARTITIONS = 1000
DEFAULT_PARTITION = "_default"  # documents of no district (city-level, national) and payload rows
PUNCTUATION = tuple("，。、；：？！“”‘’（）《》【】—…·,.;:?!\"'()[]<>-/%+*=")


def pk(kind: str, row: int) -> int:
    return KIND_CODES[kind] * ROW_SPAN + row


def row_of_pk(kind: str, key: int) -> int:
    return int(key) - KIND_CODES[kind] * ROW_SPAN


def normalise(text: str) -> str:
    """What the BM25 field holds and queries send: NFKC and lower case, as ``index.tokenize``."""
    return unicodedata.normalize("NFKC", text).lower()


def fit_varchar(text: str) -> str:
    """``text`` cut to what a VARCHAR(65535) holds (bytes, not characters)."""
    data = text.encode("utf-8")
    if len(data) <= MAX_VARCHAR_BYTES:
        return text
    return data[:MAX_VARCHAR_BYTES].decode("utf-8", errors="ignore")


def analyzer_params(words: Sequence[str] = ()) -> dict[str, Any]:
    """jieba in search mode with the corpus's place words (the manifest's ``tokenizer_words``)
    as words, and our stopwords dropped, so Milvus's BM25 sees about the tokens
    ``index.tokenize`` gives bm25s."""
    from index.tokenize import stopwords

    return {
        "tokenizer": {"type": "jieba", "mode": "search", "dict": ["_default_", *words]},
        "filter": ["lowercase", {"type": "stop", "stop_words": sorted({*stopwords(), *PUNCTUATION})}],
    }


def make_schema(client: Any, dim: int, mode: BM25Mode, words: Sequence[str] = ()) -> Any:
    from pymilvus import DataType, Function, FunctionType

    schema = client.create_schema(auto_id=False, enable_dynamic_field=False)
    schema.add_field("pk", DataType.INT64, is_primary=True)
    schema.add_field("kind", DataType.VARCHAR, max_length=16)
    schema.add_field("doc_id", DataType.VARCHAR, max_length=512)
    schema.add_field("district", DataType.VARCHAR, max_length=128)
    schema.add_field("row", DataType.INT64)
    if mode == "milvus":
        schema.add_field(
            "text", DataType.VARCHAR, max_length=MAX_VARCHAR_BYTES, enable_analyzer=True,
            analyzer_params=analyzer_params(words),
        )
    else:
        schema.add_field("text", DataType.VARCHAR, max_length=MAX_VARCHAR_BYTES)
    schema.add_field("payload", DataType.VARCHAR, max_length=MAX_VARCHAR_BYTES)
    schema.add_field("dense", DataType.FLOAT_VECTOR, dim=dim)
    schema.add_field("sparse", DataType.SPARSE_FLOAT_VECTOR)
    if mode == "milvus":
        schema.add_function(
            Function(name="bm25", function_type=FunctionType.BM25, input_field_names=["text"],
                     output_field_names=["sparse"])
        )
    return schema


def dense_index_type(units: int) -> str:
    return "FLAT" if units <= FLAT_MAX_ROWS else "HNSW"


def make_index_params(client: Any, mode: BM25Mode, dense_type: str, bm25: BM25Config) -> Any:
    params = client.prepare_index_params()
    params.add_index("dense", index_type=dense_type, metric_type="IP",
                     params=HNSW_PARAMS if dense_type == "HNSW" else {})
    for field in ("kind", "doc_id", "district"):  # every search filters on them
        params.add_index(field, index_type="INVERTED")
    if mode == "milvus":
        params.add_index("sparse", index_type="SPARSE_INVERTED_INDEX", metric_type="BM25",
                         params={"bm25_k1": bm25.k1, "bm25_b": bm25.b})
    else:
        params.add_index("sparse", index_type="SPARSE_INVERTED_INDEX", metric_type="IP")
    return params


def region_partitions(
    districts: Sequence[str | None], units: int, from_units: int = PARTITION_FROM_UNITS
) -> dict[str, str] | None:
    """district -> its partition's name (``r0000``..., in sorted order: names Milvus accepts
    whatever the district's script); None (one partition) for a collection of at most
    ``from_units`` units, or too many regions for partitions."""
    named = sorted({d for d in districts if d})
    if units <= from_units or len(named) > MAX_REGION_PARTITIONS:
        return None
    return {d: f"r{i:04d}" for i, d in enumerate(named)}


def string_list(values: Any) -> str:
    """A Milvus expression list literal of strings, quoted and escaped."""
    quoted = []
    for v in sorted(values):
        escaped = str(v).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
        quoted.append(f'"{escaped}"')
    return "[" + ", ".join(quoted) + "]"
