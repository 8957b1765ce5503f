"""multilingual-e5-small through ONNX Runtime: the query path without torch.

``import torch`` and ``sentence_transformers`` cost about three seconds and a gigabyte
before the first vector; this engine needs only ``onnxruntime`` and ``tokenizers``, opens
the folder's ``onnx/model.onnx`` (weights memory-mapped, see ``e5_onnx``) and embeds a
question several times faster. It computes what the torch engine computes -- the folder's
``tokenizer.json``, the ``query: `` / ``passage: `` prompts, mean pooling over every token,
L2 normalisation, and the same 510-token windows for over-long texts -- so its vectors agree
with torch's to cosine >= 0.9999 and it shares the torch engine's embedder id: an index built
by either is searched by either.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from pathlib import Path
from typing import Any

import numpy as np

from index.embedders.base import Role, SpanVectors
from index.embedders.late_pooling import check_spans, pool_spans, span_tokens, unpooled
from index.models.e5_convert import PROMPTS
from index.models.e5_embedder import DIM, EMBEDDER_ID, MAX_TOKENS, length_batches, torch_threads
from index.models.e5_onnx import ONNX_FILE, ONNX_SUBDIR, has_onnx, onnx_export_possible
from index.models.e5_tokenizer_subset import SubsetTokenizer
from kernel.errors import EmbedderUnavailableError

# Padded tokens per forward pass. Smaller batches than torch's 4096 keep each layer's
# activations and attention scores in cache: 1024 embedded the plans' chunks 22% and their
# sentences 23% faster here (medians of 3, 2 cores), with bit-identical vectors (each row's
# arithmetic does not depend on the other rows of its batch). With two one-thread workers
# (below), 512 took 9-11% less CPU than 1024 and 40 MB less memory (a third of the
# plans' texts, 4 interleaved runs); 256 was no better.
ONNX_TOKEN_BUDGET = 512

# Many batches (a build) run on this many worker threads, each batch on one core, through a
# session without an intra-op thread pool: two batches at once instead of one batch split
# over two threads, whose threads spin-wait at every operator (40% more CPU for the same
# work here) and lose their core whenever another process wants it. Same arithmetic per row,
# so the same bits.
BATCH_SESSION_THREADS = 1
# Fewer batches than this (a question, an edited paragraph) run on the query session instead:
# opening a second session (0.3-0.7 s) would cost more than it saves.
MIN_PIECES_FOR_WORKERS = 8

# (model file, threads) -> (session, tokenizer): one process opens each model once, however many
# embedders (index snapshots, PolicyQA instances, tests) use it. Sessions and tokenizers are safe
# to share between threads. ``clear_cache()`` frees them.
_OPEN: dict[tuple[str, int], tuple[Any, Any]] = {}
_OPEN_LOCK = threading.Lock()
# (model file, threads) -> the session, opened or being opened on another thread: ONNX Runtime
# builds a session without holding the GIL, so it overlaps with the imports and loading that
# hold it (``open_session_early``).
_SESSIONS: dict[tuple[str, int], Future[Any]] = {}
_SESSIONS_LOCK = threading.Lock()
# tokenizer.json -> its tokenizer, shared by the query session and the batch session
_TOKENIZERS: dict[str, Any] = {}
_TOKENIZERS_LOCK = threading.Lock()


def clear_cache() -> None:
    """Forget every opened session and tokenizer (the memory is freed once no embedder holds them)."""
    with _OPEN_LOCK, _SESSIONS_LOCK, _TOKENIZERS_LOCK:
        _OPEN.clear()
        _SESSIONS.clear()
        _TOKENIZERS.clear()


def _session_key(path: Path, threads: int) -> tuple[str, int]:
    return str(path.resolve()), threads


def _new_session(path: Path, threads: int) -> Any:
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.log_severity_level = 3  # warnings about unused initializers are noise here
    # Idle intra-op threads sleep instead of spinning: a spinning thread holds its core between
    # operators, and on a machine shared with other work that core is taken away mid-query. A
    # query (20 tokens, 2 threads) took 76 ms spinning and 50 ms not at load 5, 143 and 96 ms
    # at load 8.6 (one thread: 59 and 128 ms); the same bits either way.
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    return ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])


def _start_session(path: Path, threads: int) -> Future[Any]:
    """The session for ``path`` with ``threads`` intra-op threads: being opened on a daemon
    thread (started now unless it was already), or opened."""
    key = _session_key(path, threads)
    with _SESSIONS_LOCK:
        found = _SESSIONS.get(key)
        if found is not None:
            return found
        future: Future[Any] = Future()
        _SESSIONS[key] = future

    def open_session() -> None:
        try:
            future.set_result(_new_session(path, threads))
        except BaseException as exc:  # onnxruntime raises its own Fail/InvalidGraph types
            with _SESSIONS_LOCK:
                if _SESSIONS.get(key) is future:
                    del _SESSIONS[key]  # the next load tries again
            future.set_exception(exc)

    threading.Thread(target=open_session, name="e5-onnx-open", daemon=True).start()
    return future


def open_session_early(model_dir: Path | str, threads: int | None = None, onnx_file: str = ONNX_FILE) -> bool:
    """Start opening the folder's ONNX session on another core now, so that a new process's
    first question finds it open (``OnnxE5Embedder.load`` takes it over). False, and nothing
    started, when the export is not there yet (the embedder writes it on first use)."""
    folder = Path(model_dir)
    path = folder / ONNX_SUBDIR / onnx_file
    if not has_onnx(folder) or not path.is_file():
        return False
    _start_session(path, threads or torch_threads())
    return True


class OnnxE5Embedder:
    """``Embedder`` over the folder's ONNX export; loads in well under a second, no torch."""

    engine = "onnx"

    def __init__(self, model_dir: Path | str, token_budget: int = ONNX_TOKEN_BUDGET, threads: int | None = None,
                 onnx_file: str = ONNX_FILE) -> None:
        self.model_dir = Path(model_dir)
        self.token_budget = token_budget
        self.threads = threads
        self.onnx_file = onnx_file
        self._session: Any = None
        self._tokenizer: Any = None
        self._pad_id = 1
        self._lock = threading.RLock()

    @property
    def id(self) -> str:
        return EMBEDDER_ID

    @property
    def dim(self) -> int:
        return DIM

    # ------------------------------------------------------------------ loading
    def load(self) -> OnnxE5Embedder:
        """Open the tokenizer and the query session now (``embed`` does it on first use otherwise)."""
        with self._lock:
            if self._session is None:
                threads = self.threads or torch_threads()
                key = (str((self.model_dir / ONNX_SUBDIR / self.onnx_file).resolve()), threads)
                with _OPEN_LOCK:
                    if key not in _OPEN:
                        _OPEN[key] = self._open(threads)
                    self._session, self._tokenizer = _OPEN[key]
                self._set_pad()
        return self

    def _load_tokenizer(self) -> None:
        """The tokenizer without the query session: a build's batches run on their own session."""
        with self._lock:
            if self._tokenizer is None:
                with _OPEN_LOCK:
                    _, self._tokenizer = self._open(None)
                self._set_pad()

    def _set_pad(self) -> None:
        pad = self._tokenizer.token_to_id("<pad>")
        self._pad_id = 1 if pad is None else int(pad)

    def _shared_tokenizer(self) -> Any:
        """One tokenizer per folder in a process, whichever sessions use it."""
        key = str((self.model_dir / "tokenizer.json").resolve())
        with _TOKENIZERS_LOCK:
            if key not in _TOKENIZERS:
                try:
                    tokenizer = SubsetTokenizer(self.model_dir / "tokenizer.json")
                    tokenizer.token_to_id("<pad>")  # a source that cannot be read fails here, not on a question
                except Exception as exc:  # tokenizers raises its own exception types
                    raise EmbedderUnavailableError(f"could not open {self.model_dir / 'tokenizer.json'}: {exc}") from exc
                _TOKENIZERS[key] = tokenizer
            return _TOKENIZERS[key]

    def _open(self, threads: int | None) -> tuple[Any, Any]:
        """(session with ``threads`` intra-op threads, or None without ``threads``; tokenizer)."""
        try:
            import onnxruntime  # noqa: F401  (checked here; the session opens on another thread)
            import tokenizers  # noqa: F401  (the subset tokenizer's library)
        except ImportError as exc:
            raise EmbedderUnavailableError(
                f"the ONNX e5 engine needs onnxruntime and tokenizers ({exc}); install them with: "
                "pip install onnxruntime tokenizers"
            ) from exc
        path = self.model_dir / ONNX_SUBDIR / self.onnx_file
        if not has_onnx(self.model_dir) and onnx_export_possible():
            from index.models.e5_convert import ensure_e5_model

            ensure_e5_model(self.model_dir)  # first use: build the folder, export included (torch)
        if not has_onnx(self.model_dir) or not path.is_file():
            raise EmbedderUnavailableError(
                f"{path} is missing; write it with: policyqa models build (which needs torch)"
            )
        # the session opens on another thread (without the GIL) while the tokenizer, which
        # holds it, loads here; it may have been started earlier by ``open_session_early``
        pending = _start_session(path, threads) if threads else None
        tokenizer = self._shared_tokenizer()
        if pending is None:
            return None, tokenizer
        try:
            session = pending.result()
        except Exception as exc:
            raise EmbedderUnavailableError(f"could not open {path}: {type(exc).__name__}: {exc}") from exc
        return session, tokenizer

    # ------------------------------------------------------------------ embedding
    def embed(self, texts: Sequence[str], role: Role = "passage", progress: bool = False) -> np.ndarray:
        if role not in ("query", "passage"):
            raise ValueError(f"role must be 'query' or 'passage', got {role!r}")
        return self._run([str(t) for t in texts], role, None, progress).texts

    def pools_spans(self) -> bool:
        """Always: e5 mean-pools every token (the folder's ``1_Pooling``)."""
        return True

    def embed_spans(self, texts: Sequence[str], spans: Sequence[Sequence[tuple[int, int]]],
                    progress: bool = False) -> SpanVectors:
        """Passage vectors of ``texts`` and, from the same pass, of each span of each text
        (late chunking, ``index.embedders.late_pooling``): the ``passage: `` prompt stays on
        the text and out of every span. A text longer than one pass (512 tokens) is embedded
        in windows as ``embed`` does, and its spans on their own."""
        items = [str(t) for t in texts]
        check_spans(items, spans)
        return self._run(items, "passage", [list(s) for s in spans], progress)

    def _run(self, items: list[str], role: Role, spans: list[list[tuple[int, int]]] | None,
             progress: bool) -> SpanVectors:
        out = np.empty((len(items), DIM), dtype=np.float32)
        span_out = [np.full((len(s), DIM), np.nan, dtype=np.float32) for s in spans or [[] for _ in items]]
        if not items:
            return SpanVectors(out, span_out)
        self._load_tokenizer()
        prompt = PROMPTS[role]
        with self._lock:
            texts = [prompt + t for t in items]
            if spans is None:
                ids = self._tokenizer.encode_ids(texts)
                offsets: list[list[tuple[int, int]]] = []
            else:
                encoded = self._tokenizer.encode_with_offsets(texts)
                ids, offsets = [e[0] for e in encoded], [e[1] for e in encoded]
            lengths = [len(x) for x in ids]
            short = [i for i, n in enumerate(lengths) if n <= MAX_TOKENS]
            long = [i for i, n in enumerate(lengths) if n > MAX_TOKENS]
            batches = [[short[j] for j in b] for b in length_batches([lengths[i] for i in short], self.token_budget)]
            pieces = len(batches) + len(long)
            workers = min(self.threads or torch_threads(), pieces) if pieces >= MIN_PIECES_FOR_WORKERS else 1
            session = self.load()._session if workers < 2 else self._batch_session()
            done, started, last = 0, time.monotonic(), 0.0

            def one_batch(rows: list[int]) -> list[int]:
                hidden, mask = self._hidden([ids[i] for i in rows], session)
                out[rows] = _normalise(_masked_mean(hidden, mask))
                for r, i in enumerate(rows):
                    if spans and spans[i]:
                        positions = [span_tokens(offsets[i], sp, len(prompt)) for sp in spans[i]]
                        span_out[i][:] = pool_spans(hidden[r], positions)
                return rows

            def one_long(i: int) -> list[int]:
                out[i] = self._embed_windows(ids[i], session)
                return [i]

            with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="e5-onnx-batch") if workers > 1 else _Inline() as pool:
                # the longest work first (long texts, then batches from the longest down), so no
                # worker is left alone with a big piece at the end
                jobs = [pool.submit(one_long, i) for i in long] + [pool.submit(one_batch, b) for b in reversed(batches)]
                for job in as_completed(jobs):
                    done += len(job.result())
                    if progress and time.monotonic() - last > 2:
                        last = time.monotonic()
                        print(f"  embedded {done}/{len(items)} texts ({last - started:.0f} s)", file=sys.stderr)
            alone = unpooled(span_out, long) if spans else []
            if alone:  # spans of over-long texts, or covering no token: on their own, as if not in a chunk
                assert spans is not None
                vecs = self._run([items[i][slice(*spans[i][j])] for i, j in alone], "passage", None, False).texts
                for (i, j), vec in zip(alone, vecs, strict=True):
                    span_out[i][j] = vec
            if progress:
                print(f"  embedded {len(items)} texts in {time.monotonic() - started:.1f} s", file=sys.stderr)
        return SpanVectors(out, span_out, len(alone))

    def _batch_session(self) -> Any:
        """A session for one call's batches: one thread per run, runs side by side. Not kept:
        a server that re-indexes an upload does not hold a second model afterwards."""
        path = self.model_dir / ONNX_SUBDIR / self.onnx_file
        try:
            return _new_session(path, BATCH_SESSION_THREADS)
        except Exception as exc:
            raise EmbedderUnavailableError(f"could not open {path}: {type(exc).__name__}: {exc}") from exc

    def _hidden(self, seqs: list[list[int]], session: Any = None) -> tuple[np.ndarray, np.ndarray]:
        """(last hidden state, attention mask) of the id sequences, padded to the longest."""
        width = max(len(s) for s in seqs)
        ids = np.full((len(seqs), width), self._pad_id, dtype=np.int64)
        mask = np.zeros((len(seqs), width), dtype=np.int64)
        for row, s in enumerate(seqs):
            ids[row, : len(s)] = s
            mask[row, : len(s)] = 1
        hidden = (session or self._session).run(["last_hidden_state"], {"input_ids": ids, "attention_mask": mask})[0]
        return hidden, mask

    def _mean_pool(self, seqs: list[list[int]], session: Any = None) -> np.ndarray:
        """Raw token means (no normalisation) of each id sequence, padded to the longest."""
        return _masked_mean(*self._hidden(seqs, session))

    def _embed_windows(self, ids: list[int], session: Any = None) -> np.ndarray:
        """An over-long text as the torch engine embeds it: 510-token windows, length-weighted mean."""
        bos, content, eos = ids[0], ids[1:-1], ids[-1]
        width = MAX_TOKENS - 2
        windows = [content[a : a + width] for a in range(0, len(content), width)]
        pooled = self._mean_pool([[bos, *w, eos] for w in windows], session)
        weights = np.array([len(w) for w in windows], dtype=np.float64)[:, None]
        vec = (pooled * weights).sum(0) / weights.sum()
        return (vec / max(np.linalg.norm(vec), 1e-6)).astype(np.float32)


class _Inline:
    """``submit`` runs the call now: one batch, or one worker, needs no thread."""

    def __enter__(self) -> _Inline:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def submit(self, fn: Any, *args: Any) -> Future[Any]:
        done: Future[Any] = Future()
        done.set_result(fn(*args))
        return done


def _masked_mean(hidden: np.ndarray, mask: np.ndarray) -> np.ndarray:
    weights = mask[..., None].astype(np.float32)
    return (hidden * weights).sum(1) / weights.sum(1)  # type: ignore[no-any-return]


def _normalise(vecs: np.ndarray) -> np.ndarray:
    return vecs / np.maximum(np.linalg.norm(vecs, axis=1, keepdims=True), 1e-12)
