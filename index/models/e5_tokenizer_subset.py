"""The e5 tokenizer with only the pieces of Chinese, ASCII and common symbols: the same ids, a third of the load.

``tokenizers`` needs 1.2-1.7 s and about 280 MB to build the unigram model of the folder's
``tokenizer.json`` (250,002 pieces in a hundred scripts), holding the GIL throughout: the
largest single cost of a new ``policyqa ask``. Chinese and English text can only ever use
the 104,000 pieces written in CJK ideographs, ASCII, Latin-1 and general punctuation and
symbols, CJK and full-width forms (``KEPT``); this module writes those pieces, in their
original order and with their scores, as a second tokenizer file and encodes with it.

Why the ids are exactly the full tokenizer's. Normaliser and pre-tokeniser are copied
unchanged. The unigram lattice of a pre-token holds every vocabulary piece that occurs in it
(plus an ``<unk>`` node scored from the vocabulary's lowest score, which the subset keeps).
Every dropped piece contains a character outside ``KEPT``; call those characters *unsafe*.
A normalised text with no unsafe character contains no dropped piece, so its lattice, and
hence its Viterbi path, is the same in both tokenizers; the subset's ids are mapped back to
the full ids. A text with an unsafe character (Cyrillic, Japanese kana, Latin with accents,
...) is encoded by the full tokenizer, loaded on first need. ``tests/index/models/
test_e5_tokenizer_subset.py`` checks the ids on every unit text of the corpus and question
of the benchmarks, and on texts that need the fallback.

The subset is a cache (``$POLICYQA_HOME/cache``), keyed by the source file's path, size and
modification time, written atomically, rebuilt when missing or unreadable.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

FORMAT = 1

# (first, last) code points of the characters whose pieces are kept.
KEPT: tuple[tuple[int, int], ...] = (
    (0x20, 0x7E),  # ASCII
    (0xA0, 0xBF), (0xD7, 0xD7), (0xF7, 0xF7),  # Latin-1 symbols, ×, ÷ (not its accented letters)
    (0x2000, 0x2BFF),  # general punctuation, super/subscripts, currency, letterlike, arrows, maths, shapes
    (0x2E80, 0x33FF),  # CJK radicals, symbols and punctuation, enclosed CJK, compatibility
    (0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF),  # CJK ideographs
    (0xFE30, 0xFE4F), (0xFF00, 0xFFEF),  # CJK compatibility and full-width forms
)
_META = "\u2581"


def _kept(ch: str) -> bool:
    o = ord(ch)
    return ch == _META or any(lo <= o <= hi for lo, hi in KEPT)


def subset_paths(source: Path) -> tuple[Path, Path]:
    """(tokenizer file, sidecar with the id map and the unsafe characters) for ``source``."""
    from index.cache_files import cache_dir, cache_key, file_stamp

    key = cache_key(FORMAT, file_stamp(source))
    folder = cache_dir()
    return folder / f"e5-tokenizer-subset-{key}.json", folder / f"e5-tokenizer-subset-{key}.ids.json"


def build_subset(source: Path) -> tuple[str, dict[str, Any]]:
    """(subset tokenizer JSON, sidecar) for the full tokenizer file ``source``."""
    spec = json.loads(source.read_text(encoding="utf-8"))
    model = spec["model"]
    if model.get("type") != "Unigram":
        raise ValueError(f"{source} holds a {model.get('type')} model; only Unigram tokenizers are subset")
    vocab = model["vocab"]
    specials = {t["id"] for t in spec.get("added_tokens", ())}
    lowest = min(range(len(vocab)), key=lambda i: vocab[i][1])
    keep = [i for i, (piece, _) in enumerate(vocab)
            if i in specials or i == lowest or i == model.get("unk_id") or all(_kept(c) for c in piece)]
    kept_ids = set(keep)
    unsafe = sorted({c for i, (piece, _) in enumerate(vocab) if i not in kept_ids for c in piece if not _kept(c)})
    new_id = {old: new for new, old in enumerate(keep)}
    model["vocab"] = [vocab[i] for i in keep]
    if model.get("unk_id") is not None:
        model["unk_id"] = new_id[model["unk_id"]]
    for token in spec.get("added_tokens", ()):
        token["id"] = new_id[token["id"]]
    _remap_post_processor(spec.get("post_processor"), new_id)
    added = [t["content"] for t in spec.get("added_tokens", ())]
    side = {"format": FORMAT, "ids": keep, "unsafe": "".join(unsafe), "added": added}
    return json.dumps(spec, ensure_ascii=False), side


def _remap_post_processor(node: Any, new_id: dict[int, int]) -> None:
    """Special-token ids inside the post-processor (``TemplateProcessing``'s ``special_tokens``)."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "ids" and isinstance(value, list) and all(isinstance(v, int) for v in value):
                node[key] = [new_id[v] for v in value]
            else:
                _remap_post_processor(value, new_id)
    elif isinstance(node, list):
        for item in node:
            _remap_post_processor(item, new_id)


def _write_text(path: Path, text: str) -> None:
    from index.cache_files import write_atomically

    write_atomically(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))


class SubsetTokenizer:
    """Encodes as the full tokenizer of ``source`` does (``<s> … </s>`` ids), with the subset
    when the text allows and the full tokenizer otherwise. Thread-safe."""

    def __init__(self, source: Path | str) -> None:
        self.source = Path(source)
        self._lock = threading.Lock()
        self._full: Any = None
        self._subset: Any = None
        self._to_full: list[int] = []
        self._unsafe: frozenset[str] = frozenset()
        self._added: tuple[str, ...] = ()
        self._open_subset()

    def _open_subset(self) -> None:
        from tokenizers import Tokenizer

        try:
            tok_path, ids_path = subset_paths(self.source)
        except OSError:
            return  # the source is unreadable: the full tokenizer will say so
        for attempt in range(2):
            try:
                side = json.loads(ids_path.read_text(encoding="utf-8"))
                if side.get("format") != FORMAT:
                    raise ValueError("another format")
                subset = Tokenizer.from_file(str(tok_path))
                if subset.get_vocab_size(with_added_tokens=True) != len(side["ids"]):
                    raise ValueError("id map and tokenizer disagree")
                self._subset, self._to_full, self._unsafe = subset, list(side["ids"]), frozenset(side["unsafe"])
                self._added = tuple(side["added"])
                self._subset.no_truncation()
                self._subset.no_padding()
                return
            except Exception:  # missing, stale or damaged cache (tokenizers raises its own types)
                if attempt:
                    return
            try:
                text, side = build_subset(self.source)
                _write_text(tok_path, text)
                _write_text(ids_path, json.dumps(side, ensure_ascii=False))
            except (OSError, ValueError, KeyError, TypeError):
                return  # no subset: every text goes to the full tokenizer

    def full(self) -> Any:
        """The full tokenizer, loaded on first need."""
        with self._lock:
            if self._full is None:
                from tokenizers import Tokenizer

                full = Tokenizer.from_file(str(self.source))
                full.no_truncation()
                full.no_padding()
                self._full = full
            return self._full

    def fits(self, text: str) -> bool:
        """Whether the subset encodes ``text`` as the full tokenizer does: no unsafe character
        in the text or in what the normaliser makes of it. (A special token written out in
        the text, "<s>", splits it before normalising; such a text goes to the full tokenizer.)"""
        if self._subset is None or any(token in text for token in self._added):
            return False
        unsafe = self._unsafe
        return unsafe.isdisjoint(text) and unsafe.isdisjoint(self._subset.normalizer.normalize_str(text))

    def encode_ids(self, texts: Sequence[str]) -> list[list[int]]:
        """Token ids of each text, as the full tokenizer gives them."""
        fits = [self.fits(t) for t in texts]
        out: list[list[int]] = [[] for _ in texts]
        mine = [i for i, ok in enumerate(fits) if ok]
        if mine:
            to_full = self._to_full
            for i, enc in zip(mine, self._subset.encode_batch([texts[i] for i in mine]), strict=True):
                out[i] = [to_full[j] for j in enc.ids]
        rest = [i for i, ok in enumerate(fits) if not ok]
        if rest:
            for i, enc in zip(rest, self.full().encode_batch([texts[i] for i in rest]), strict=True):
                out[i] = list(enc.ids)
        return out

    def encode_with_offsets(self, texts: Sequence[str]) -> list[tuple[list[int], list[tuple[int, int]]]]:
        """(token ids as the full tokenizer gives them, each token's character span in its text).

        The subset cuts a text it fits exactly as the full tokenizer does, so the offsets agree too."""
        fits = [self.fits(t) for t in texts]
        out: list[tuple[list[int], list[tuple[int, int]]]] = [([], []) for _ in texts]
        mine = [i for i, ok in enumerate(fits) if ok]
        if mine:
            to_full = self._to_full
            for i, enc in zip(mine, self._subset.encode_batch([texts[i] for i in mine]), strict=True):
                out[i] = ([to_full[j] for j in enc.ids], list(enc.offsets))
        rest = [i for i, ok in enumerate(fits) if not ok]
        if rest:
            for i, enc in zip(rest, self.full().encode_batch([texts[i] for i in rest]), strict=True):
                out[i] = (list(enc.ids), list(enc.offsets))
        return out

    def token_to_id(self, token: str) -> int | None:
        if self._subset is not None:
            sub = self._subset.token_to_id(token)
            return None if sub is None else self._to_full[sub]
        return self.full().token_to_id(token)
