"""Build ``tokenizer.json`` reproducing the packaged engine's tokenizer (``tok_content`` in ``e5.c``).

The engine: map every codepoint through the packaged normalisation table, collapse runs of
two or more U+0020 into one, prepend U+2581 unless the text starts with a space, turn every
space into U+2581, then run a unigram Viterbi over the whole string (unknown single
characters score ``min(score) - 10``), and wrap the ids in ``<s> … </s>``.

The same pipeline in ``tokenizers`` terms:

* normaliser ``Sequence[Precompiled(table), Replace(" {2,}", " ")]`` -- the packaged table is
  compiled here into SentencePiece's ``precompiled_charsmap`` format (a darts-clone
  double-array trie over UTF-8 keys followed by NUL-terminated replacements);
* pre-tokeniser ``Metaspace("▁", prepend_scheme="always", split=True)``; splitting at U+2581
  cannot change the Viterbi result because no packaged piece has U+2581 after its first
  character (checked when building); then every character that occurs in no piece is
  isolated, so a run of unknown characters gives one ``<unk>`` each, as in the engine;
* model ``Unigram(pieces, scores, unk_id)``; post-processor ``TemplateProcessing("<s> $A </s>")``.

Ids are identical for every sentence of the bundled plans and every dev question. Known
differences (pinned by ``tests/index/models/test_e5_tokenizer_parity.py``), none reachable
from ordinary text behind the ``query: ``/``passage: `` prefixes:

* text that normalises to nothing ("", DEL): the engine still emits a lone ``▁``;
* literal ``<s>``/``</s>``/``<unk>``/``<mask>`` in the text become the special token here;
* a remapped character followed by a combining mark (one grapheme, e.g. fullwidth A + U+0301):
  tokenizers' ``Precompiled`` maps the whole grapheme by its first character, dropping the mark;
* segmentations whose scores tie up to float rounding may be broken the other way.
"""

from __future__ import annotations

import base64
import json
import struct
from collections.abc import Iterable

from index.models.e5_format import E5File

META = "\u2581"
SPECIALS = ("<s>", "<pad>", "</s>", "<unk>", "<mask>")


# --------------------------------------------------------------------------- charsmap
def _encode_offset(pos: int, base: int) -> int:
    offset = pos ^ base
    if offset < (1 << 21):
        return offset << 10
    if offset % 256 == 0 and offset < (1 << 29):
        return ((offset >> 8) << 10) | (1 << 9)
    raise ValueError("double-array offset does not fit a darts-clone unit")


def build_double_array(keys: dict[bytes, int]) -> list[int]:
    """Darts-clone units for ``keys`` (byte strings without NUL) -> values (< 2**31).

    Unit layout read by ``spm_precompiled``: bits 0-7 label, bit 8 has-leaf, bit 9 offset
    shift, bits 10-31 offset; a leaf unit (label 0 child) is ``1 << 31 | value``. Children of
    the node at ``pos`` whose base is ``b`` live at ``b ^ label``; every base is distinct.
    """
    trie: dict = {}
    for key, value in keys.items():
        if not key or 0 in key:
            raise ValueError(f"bad charsmap key {key!r}")
        node = trie
        for byte in key:
            node = node.setdefault(byte, {})
        node[None] = value  # terminal value

    units: list[int] = [0]
    used = bytearray(1)  # position taken by a unit
    used_bases: set[int] = set()
    first_free = 1

    def ensure(n: int) -> None:
        if len(used) < n:
            grow = n - len(used)
            used.extend(b"\0" * grow)
            units.extend([0] * grow)

    queue: list[tuple[int, dict]] = [(0, trie)]
    used[0] = 1
    while queue:
        pos, node = queue.pop(0)
        labels = sorted(k for k in node if k is not None)
        has_leaf = None in node
        wanted = ([0] if has_leaf else []) + labels
        if not wanted:
            continue
        while first_free < len(used) and used[first_free]:
            first_free += 1
        candidate = first_free
        while True:  # find a base whose needed slots are all free
            base = candidate ^ wanted[0]
            ensure((base | 0xFF) + 1)
            if base not in used_bases and base != 0 and all(not used[base ^ c] for c in wanted):
                break
            candidate += 1
            while candidate < len(used) and used[candidate]:
                candidate += 1
        used_bases.add(base)
        units[pos] |= _encode_offset(pos, base) | ((1 << 8) if has_leaf else 0)
        if has_leaf:
            used[base] = 1
            units[base] = (1 << 31) | node[None]
        for label in labels:
            child = base ^ label
            used[child] = 1
            units[child] = label
            queue.append((child, node[label]))
    size = ((len(units) + 255) // 256) * 256
    units.extend([0] * (size - len(units)))
    return units


def precompiled_charsmap(norm_map: dict[int, tuple[int, ...]]) -> bytes:
    """SentencePiece ``precompiled_charsmap`` bytes for a codepoint -> codepoints table."""
    blob = bytearray()
    where: dict[str, int] = {}
    keys: dict[bytes, int] = {}
    for cp, outs in sorted(norm_map.items()):
        if cp == 0:
            continue  # NUL ends a key in the trie search; the engine never sees it either (C string)
        text = "".join(chr(o) for o in outs)
        if text not in where:
            where[text] = len(blob)
            blob += text.encode("utf-8") + b"\0"
        keys[chr(cp).encode("utf-8")] = where[text]
    units = build_double_array(keys)
    trie = struct.pack(f"<{len(units)}I", *units)
    return struct.pack("<I", len(trie)) + trie + bytes(blob)


# --------------------------------------------------------------------------- tokenizer
def check_pieces(pieces: Iterable[str]) -> None:
    """Splitting at U+2581 is only exact if no piece carries it past its first character."""
    bad = [p for p in pieces if META in p[1:]]
    if bad:
        raise ValueError(f"{len(bad)} pieces contain an inner {META!r}, e.g. {bad[:3]}")


def _char_class(pieces: Iterable[str]) -> str:
    """Regex class body (ranges) of every character occurring in some piece."""
    ranges: list[list[int]] = []
    for cp in sorted({ord(ch) for piece in pieces for ch in piece}):
        if ranges and ranges[-1][1] == cp - 1:
            ranges[-1][1] = cp
        else:
            ranges.append([cp, cp])
    return "".join(f"\\x{{{a:X}}}" if a == b else f"\\x{{{a:X}}}-\\x{{{b:X}}}" for a, b in ranges)


def build_tokenizer(model: E5File):
    """A ``tokenizers.Tokenizer`` equivalent to the packaged engine's tokenizer."""
    from tokenizers import (
        AddedToken,
        Regex,
        Tokenizer,
        decoders,
        models,
        normalizers,
        pre_tokenizers,
        processors,
    )

    check_pieces(model.pieces)
    if [model.pieces[i] for i in (model.bos, model.pad, model.eos, model.unk)] != list(SPECIALS[:4]):
        raise ValueError("special pieces are not the XLM-R layout <s> <pad> </s> <unk>")
    if model.pieces[-1] != "<mask>":
        raise ValueError("the last piece is not <mask>")
    vocab = [(piece, float(score)) for piece, score in zip(model.pieces, model.scores, strict=True)]
    tok = Tokenizer(models.Unigram(vocab, unk_id=model.unk, byte_fallback=False))
    tok.normalizer = normalizers.Sequence(
        [normalizers.Precompiled(precompiled_charsmap(model.norm_map)), normalizers.Replace(Regex(" {2,}"), " ")]
    )
    tok.pre_tokenizer = pre_tokenizers.Sequence([
        pre_tokenizers.Metaspace(replacement=META, prepend_scheme="always", split=True),
        # The engine emits one <unk> per unknown character; tokenizers' Unigram fuses a run of
        # them into one. Characters that occur in no piece at all are always unknown and no
        # piece can span them, so isolating each one is exact and restores one <unk> each.
        pre_tokenizers.Split(Regex(f"[^{_char_class(model.pieces)}]"), behavior="isolated"),
    ])
    tok.decoder = decoders.Metaspace(replacement=META, prepend_scheme="always", split=True)
    tok.post_processor = processors.TemplateProcessing(
        single="<s> $A </s>",
        pair="<s> $A </s> </s> $B </s>",
        special_tokens=[("<s>", model.bos), ("</s>", model.eos)],
    )
    tok.add_special_tokens(
        [AddedToken(t, special=True, normalized=False, lstrip=(t == "<mask>")) for t in SPECIALS]
    )
    return tok


def tokenizer_files(model: E5File, max_length: int) -> dict[str, str]:
    """File name -> text for ``tokenizer.json``, ``tokenizer_config.json``, ``special_tokens_map.json``."""
    tok = build_tokenizer(model)
    specials = {
        "bos_token": "<s>", "eos_token": "</s>", "unk_token": "<unk>", "sep_token": "</s>",
        "pad_token": "<pad>", "cls_token": "<s>", "mask_token": "<mask>",
    }
    config = {
        # PreTrainedTokenizerFast loads tokenizer.json verbatim in transformers 4 and 5; the
        # transformers-5 XLMRobertaTokenizer class would rebuild its own pipeline instead.
        "tokenizer_class": "PreTrainedTokenizerFast",
        "model_max_length": max_length,
        "clean_up_tokenization_spaces": False,
        "model_input_names": ["input_ids", "attention_mask"],
        **specials,
    }
    return {
        "tokenizer.json": tok.to_str(pretty=False),
        "tokenizer_config.json": json.dumps(config, indent=2, ensure_ascii=False),
        "special_tokens_map.json": json.dumps(specials, indent=2),
    }


def charsmap_b64(model: E5File) -> str:
    """The compiled table as it appears inside ``tokenizer.json`` (handy in tests)."""
    return base64.b64encode(precompiled_charsmap(model.norm_map)).decode("ascii")
