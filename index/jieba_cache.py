"""jieba's dictionaries, prepared once under ``$POLICYQA_HOME/cache`` so a new process loads them fast.

jieba keeps its prefix dictionary in ``/tmp/jieba.cache`` and reads it with ``marshal.load``
on the open file, which reads item by item: 1.2-1.6 s here for what ``marshal.loads`` of
the same bytes does in 0.45 s. Its part-of-speech table is parsed from ``dict.txt`` on every
``import jieba.posseg`` (0.9 s, 40 MB) and the general IDF table from ``idf.txt`` (0.4 s,
35 MB), though a question looks up a few dozen words in them.

So, as files that are only caches (written atomically, rebuilt when missing, stale or
unreadable; a home that cannot be written just means jieba's own slow path):

- ``jieba-dict-<key>.marshal``: the prefix dictionary *with the index's words already added*
  (``FREQ``, ``total``), keyed by jieba's version, its dictionary file and those words in order;
- ``jieba-dict-<key>.sqlite``: the same dictionary as a table, so a new process that cuts only a
  question and a few passages (``policyqa ask``) looks up the words it meets (``Frequencies``)
  instead of reading the whole dictionary (0.45 s, 60 MB); after ``UPGRADE_AFTER`` look-ups (a
  build, a server) the tokenizer switches to the whole dictionary, as ``full_dictionary`` does;
- ``jieba-words-<key>.sqlite``: the part-of-speech tags and IDF of jieba's general dictionary,
  looked up per word (``WordTable``) instead of held in memory.

Both hold exactly what jieba computes; ``tests/index/test_jieba_cache.py`` checks it.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import threading
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import quote

from index.cache_files import cache_dir, cache_key, cached_marshal, file_stamp, write_atomically

FORMAT = "1"
_log = logging.getLogger(__name__)


def _jieba_files() -> tuple[str, str, str]:
    """(version, dictionary path, IDF table path) of the installed jieba."""
    import jieba

    root = os.path.dirname(jieba.__file__)
    return jieba.__version__, os.path.join(root, "dict.txt"), os.path.join(root, "analyse", "idf.txt")


def _key(*parts: object) -> str:
    version, *files = _jieba_files()
    return cache_key(FORMAT, version, *(file_stamp(f) for f in files), *parts)


# ---------------------------------------------------------------- the prefix dictionary


def dictionary_path(words: tuple[str, ...]) -> Path:
    return cache_dir() / f"jieba-dict-{_key('dict', *words)}.marshal"


def _is_dictionary(found: Any) -> bool:
    return (isinstance(found, tuple) and len(found) == 2
            and isinstance(found[0], dict) and isinstance(found[1], int))


def make_tokenizer(words: tuple[str, ...] = (), lazy: bool = False) -> Any:
    """A private ``jieba.Tokenizer`` with ``words`` added in order, initialised from the cache
    when it holds this dictionary, otherwise by jieba (and the cache written for next time).

    ``lazy``: look words up in the cache's table while few are needed (``Frequencies``), when
    the table is there; the same cuts either way."""
    import jieba

    jieba.setLogLevel(logging.WARNING)
    tok = jieba.Tokenizer()
    if lazy:
        table = _open_frequencies(words, tok)
        if table is not None:
            tok.FREQ, tok.total = table, table.total
            tok.initialized = True
            return tok

    def build() -> tuple[dict[str, int], int]:
        tok.initialize()
        for word in words:
            tok.add_word(word)
        return tok.FREQ, tok.total

    try:
        path: Path | None = dictionary_path(words)
    except OSError:  # jieba's files unreadable: let jieba report it
        path = None
    tok.FREQ, tok.total = cached_marshal(path, build, _is_dictionary)
    tok.initialized = True
    if path is not None:
        _write_frequencies(words, tok.FREQ, tok.total)
    return tok


def full_dictionary(tok: Any, words: tuple[str, ...]) -> None:
    """Give ``tok`` (made by ``make_tokenizer(words, lazy=True)``) the whole dictionary in memory,
    as a server wants before its first question; nothing when it has it already."""
    if isinstance(tok.FREQ, Frequencies):
        tok.FREQ = make_tokenizer(words).FREQ  # one assignment: a cut in progress reads either


# ---------------------------------------------------------------- the dictionary as a table

UPGRADE_AFTER = 20_000  # look-ups (about 0.1 s): beyond a question or two, the whole dictionary pays


class Frequencies(Mapping[str, int]):
    """jieba's ``FREQ`` read from the table word by word, each answer kept; after
    ``UPGRADE_AFTER`` table look-ups it puts the whole dictionary into ``tok``. Thread-safe."""

    def __init__(self, path: Path, tok: Any, words: tuple[str, ...]) -> None:
        uri = f"file:{quote(str(path))}?mode=ro&immutable=1"  # replaced whole, never written
        self._db = sqlite3.connect(uri, uri=True, check_same_thread=False)
        self._lock = threading.Lock()
        self._seen: dict[str, int | None] = {}
        self._queries = 0
        self._tok, self._words = tok, words
        self.total = int(self._db.execute("SELECT value FROM meta WHERE key = 'total'").fetchone()[0])
        self.path = path

    def _look_up(self, word: str) -> int | None:
        if word in self._seen:
            return self._seen[word]
        with self._lock:
            row = self._db.execute("SELECT freq FROM freq WHERE word = ?", (word,)).fetchone()
            self._queries += 1
            upgrade = self._queries == UPGRADE_AFTER
        found = None if row is None else int(row[0])
        self._seen[word] = found
        if upgrade:
            full_dictionary(self._tok, self._words)
        return found

    def get(self, word: str, default: Any = None) -> Any:  # type: ignore[override]
        found = self._look_up(word)
        return default if found is None else found

    def __contains__(self, word: object) -> bool:
        return isinstance(word, str) and self._look_up(word) is not None

    def __getitem__(self, word: str) -> int:
        found = self._look_up(word)
        if found is None:
            raise KeyError(word)
        return found

    def __len__(self) -> int:
        with self._lock:
            return int(self._db.execute("SELECT count(*) FROM freq").fetchone()[0])

    def __iter__(self) -> Iterator[str]:
        with self._lock:
            rows = self._db.execute("SELECT word FROM freq").fetchall()
        return (r[0] for r in rows)


def frequencies_path(words: tuple[str, ...]) -> Path:
    return cache_dir() / f"jieba-dict-{_key('dict', *words)}.sqlite"


def _open_frequencies(words: tuple[str, ...], tok: Any) -> Frequencies | None:
    try:
        path = frequencies_path(words)
        if not path.is_file():
            return None
        table = Frequencies(path, tok, words)
        pages = table._db.execute("PRAGMA page_count").fetchone()[0] * table._db.execute("PRAGMA page_size").fetchone()[0]
        if pages != path.stat().st_size:  # truncated or padded: not the file that was written
            return None
        table.get("的")  # reads the schema: a damaged file fails here, not on a question
        return table
    except (sqlite3.Error, OSError, TypeError, ValueError):
        return None


def _write_frequencies(words: tuple[str, ...], freq: Mapping[str, int], total: int) -> None:
    """The table beside the marshal file, when it is not there yet (a cache only: failures are logged)."""
    try:
        path = frequencies_path(words)
        if path.is_file() and _open_frequencies(words, None) is not None:
            return  # there and sound (a damaged one is replaced)

        def write(tmp: Path) -> None:
            db = sqlite3.connect(tmp)
            try:
                db.execute("CREATE TABLE freq (word TEXT PRIMARY KEY, freq INTEGER NOT NULL) WITHOUT ROWID")
                db.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL)")
                db.executemany("INSERT INTO freq VALUES (?, ?)", sorted(freq.items()))
                db.execute("INSERT INTO meta VALUES ('total', ?)", (int(total),))
                db.commit()
            finally:
                db.close()

        write_atomically(path, write)
    except (OSError, sqlite3.Error) as exc:
        _log.warning("could not cache jieba's dictionary as a table in %s: %s", cache_dir(), exc)


# ---------------------------------------------------------------- tags and IDF, per word


class WordTable(Mapping[str, Any]):
    """One column (``tag`` or ``idf``) of the word-table file, read per word; thread-safe."""

    def __init__(self, path: Path, column: str) -> None:
        if column not in ("tag", "idf"):
            raise ValueError(f"column must be 'tag' or 'idf', got {column!r}")
        uri = f"file:{quote(str(path))}?mode=ro&immutable=1"  # immutable: replaced whole, never written
        self._db = sqlite3.connect(uri, uri=True, check_same_thread=False)
        self._lock = threading.Lock()
        self._get = f"SELECT {column} FROM words WHERE word = ? AND {column} IS NOT NULL"
        self._column = column

    def __getitem__(self, word: str) -> Any:
        with self._lock:
            row = self._db.execute(self._get, (word,)).fetchone()
        if row is None:
            raise KeyError(word)
        return row[0]

    def __contains__(self, word: object) -> bool:
        return isinstance(word, str) and self.get(word) is not None

    def __len__(self) -> int:
        with self._lock:
            return int(self._db.execute(f"SELECT count(*) FROM words WHERE {self._column} IS NOT NULL").fetchone()[0])

    def __iter__(self) -> Iterator[str]:
        with self._lock:
            rows = self._db.execute(f"SELECT word FROM words WHERE {self._column} IS NOT NULL").fetchall()
        return (r[0] for r in rows)


def word_tables_path() -> Path:
    return cache_dir() / f"jieba-words-{_key('words')}.sqlite"


def _parse_word_tables() -> tuple[dict[str, float], dict[str, str]]:
    """jieba's general IDF table and part-of-speech tags, as jieba reads them."""
    import jieba.posseg

    _, _, idf_path = _jieba_files()
    idf: dict[str, float] = {}
    with open(idf_path, encoding="utf-8") as f:
        for line in f:
            word, _, value = line.rstrip().partition(" ")
            if value:
                idf[word] = float(value)
    return idf, dict(jieba.posseg.dt.word_tag_tab)


def _write_word_tables(tmp: Path, idf: Mapping[str, float], tags: Mapping[str, str]) -> None:
    db = sqlite3.connect(tmp)
    try:
        db.execute("CREATE TABLE words (word TEXT PRIMARY KEY, tag TEXT, idf REAL) WITHOUT ROWID")
        words = sorted(set(idf) | set(tags))
        db.executemany("INSERT INTO words VALUES (?, ?, ?)", ((w, tags.get(w), idf.get(w)) for w in words))
        db.commit()
    finally:
        db.close()


def _open_tables(path: Path) -> tuple[WordTable, WordTable] | None:
    try:
        idf, tags = WordTable(path, "idf"), WordTable(path, "tag")
        pages = tags._db.execute("PRAGMA page_count").fetchone()[0] * tags._db.execute("PRAGMA page_size").fetchone()[0]
        if pages != path.stat().st_size:  # truncated or padded: not the file that was written
            return None
        tags.get("的")  # reads the schema: a damaged file fails here, not on a question
        return idf, tags
    except (sqlite3.Error, OSError):
        return None


def word_tables() -> tuple[Mapping[str, float], Mapping[str, str]]:
    """(word -> IDF, word -> part-of-speech tag) of jieba's general dictionary."""
    try:
        path: Path | None = word_tables_path()
    except OSError:
        path = None
    if path is not None and path.is_file():
        opened = _open_tables(path)
        if opened is not None:
            return opened
    idf, tags = _parse_word_tables()
    if path is None:
        return idf, tags
    try:
        write_atomically(path, lambda tmp: _write_word_tables(tmp, idf, tags))
    except (OSError, sqlite3.Error) as exc:
        _log.warning("could not cache jieba's word tables in %s: %s", path.parent, exc)
        return idf, tags
    return _open_tables(path) or (idf, tags)
