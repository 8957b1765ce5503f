"""Small hand-written documents and protocol-honouring stand-in embedders for index tests."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import numpy as np

from index.embedders.base import Role
from kernel.types import Document, Unit


def make_doc(doc_id: str, district: str | None, sentences: Sequence[str], per_chunk: int = 2) -> Document:
    """A document whose sentences are the given strings and whose chunks group ``per_chunk`` of them."""
    text = "".join(sentences)
    pos = 0
    sents = []
    for i, s in enumerate(sentences):
        sents.append(Unit(doc_id, "sentence", i, pos, pos + len(s), s))
        pos += len(s)
    chunks = []
    for j in range(0, len(sents), per_chunk):
        group = sents[j : j + per_chunk]
        start, end = group[0].start, group[-1].end
        chunks.append(
            Unit(
                doc_id,
                "chunk",
                j // per_chunk,
                start,
                end,
                text[start:end],
                ("一、总体要求",),
                "一、总体要求",
            )
        )
    sha = hashlib.sha256(text.encode("utf-8")).hexdigest()
    return Document(
        doc_id, f"{district or ''}{doc_id}", district, text, sha, sentences=tuple(sents), chunks=tuple(chunks)
    )


SMALL_DOCS = (
    ("a-plan", "长宁区", ["到2025年完成达标中医馆10个。", "家庭医生签约率达到46%。", "建设区域性医疗中心。"]),
    ("b-plan", "宝山区", ["社区中医馆全覆盖。", "推进紧密型城市医疗集团建设。", "推广三明医改经验。"]),
    ("c-plan", "松江区", ["二级以上综合医院设置老年医学科。", "发展安宁疗护服务。"]),
)


def small_docs() -> list[Document]:
    return [make_doc(d, district, s) for d, district, s in SMALL_DOCS]


class HashEmbedder:
    """Deterministic character-bigram hashing vectors: fast, offline, honours the protocol."""

    def __init__(self, dim: int = 64, name: str = "hash64") -> None:
        self._dim = dim
        self._name = name

    @property
    def id(self) -> str:
        return f"test:{self._name}"

    @property
    def dim(self) -> int:
        return self._dim

    def embed(self, texts: Sequence[str], role: Role = "passage", progress: bool = False) -> np.ndarray:
        out = np.zeros((len(texts), self._dim), dtype=np.float32)
        for i, t in enumerate(texts):
            for a, b in zip(t, t[1:], strict=False):
                out[i, int(hashlib.md5((a + b).encode()).hexdigest()[:8], 16) % self._dim] += 1.0
            out[i, 0] += 1e-3  # never a zero vector
            out[i] /= np.linalg.norm(out[i])
        return out


class CountingEmbedder:
    """Wraps any embedder and counts what passes through, to prove what was (not) re-embedded."""

    def __init__(self, inner: object) -> None:
        self.inner = inner
        self.calls = 0
        self.texts: list[str] = []

    @property
    def id(self) -> str:
        return self.inner.id  # type: ignore[attr-defined]

    @property
    def dim(self) -> int:
        return self.inner.dim  # type: ignore[attr-defined]

    def embed(self, texts: Sequence[str], role: Role = "passage", progress: bool = False) -> np.ndarray:
        self.calls += 1
        if role == "passage":
            self.texts.extend(texts)
        return self.inner.embed(texts, role=role, progress=progress)  # type: ignore[attr-defined]
