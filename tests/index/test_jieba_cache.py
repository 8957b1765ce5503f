"""jieba's dictionaries cached under the home: the same tables jieba builds, keyed by the words
added, and a damaged or unwritable cache is replaced or bypassed, never fatal."""

from __future__ import annotations

import marshal
import sqlite3
from pathlib import Path

import jieba
import pytest

from index import jieba_cache
from ingest.regions import scope_of

WORDS = scope_of(["闵行区", "宝山区"]).words
SENTENCES = ("闵行区七宝社区卫生服务中心迁址新建", "到2025年,全人群签约覆盖率达到48%", "大夫看病难的问题")


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("POLICYQA_HOME", str(tmp_path))
    return tmp_path


@pytest.fixture(scope="module")
def jiebas_own():  # type: ignore[no-untyped-def]
    """A tokenizer initialised by jieba itself, the place words added in order."""
    tok = jieba.Tokenizer()
    tok.initialize()
    for word in WORDS:
        tok.add_word(word)
    return tok


def test_cached_dictionary_is_the_one_jieba_builds(home: Path, jiebas_own) -> None:
    first = jieba_cache.make_tokenizer(WORDS)  # builds and writes the cache
    path = jieba_cache.dictionary_path(WORDS)
    assert path.is_file() and path.parent == home / "cache"
    second = jieba_cache.make_tokenizer(WORDS)  # reads it
    for tok in (first, second):
        assert tok.total == jiebas_own.total and tok.FREQ == jiebas_own.FREQ
        assert [tok.lcut_for_search(s) for s in SENTENCES] == [jiebas_own.lcut_for_search(s) for s in SENTENCES]
    assert "闵行区" in second.lcut("闵行区七宝")


def test_cache_is_keyed_by_the_words_and_their_order(home: Path) -> None:
    paths = {jieba_cache.dictionary_path(w) for w in ((), WORDS, WORDS[:4], tuple(reversed(WORDS)))}
    assert len(paths) == 4
    plain, shanghai = jieba_cache.make_tokenizer(()), jieba_cache.make_tokenizer(WORDS)
    assert jieba_cache.dictionary_path(()).is_file() and jieba_cache.dictionary_path(WORDS).is_file()
    assert "崇明区" not in plain.FREQ and shanghai.FREQ["崇明区"] > 0  # jieba itself has no 崇明区


@pytest.mark.parametrize("damage", [b"", b"not marshal at all", marshal.dumps(["a list", 3])])
def test_a_damaged_dictionary_cache_is_replaced(home: Path, jiebas_own, damage: bytes) -> None:
    path = jieba_cache.dictionary_path(WORDS)
    path.parent.mkdir(parents=True)
    path.write_bytes(damage)
    tok = jieba_cache.make_tokenizer(WORDS)
    assert tok.FREQ == jiebas_own.FREQ
    assert marshal.loads(path.read_bytes()) == (jiebas_own.FREQ, jiebas_own.total)


def test_an_unwritable_home_only_costs_time(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, jiebas_own) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("the home is a file, so no cache folder can be made under it")
    monkeypatch.setenv("POLICYQA_HOME", str(blocker))
    assert jieba_cache.make_tokenizer(WORDS).FREQ == jiebas_own.FREQ
    idf, tags = jieba_cache.word_tables()
    assert tags["医生"] == "n" and idf["医生"] > 0


def test_word_tables_hold_jiebas_tags_and_idf(home: Path) -> None:
    idf, tags = jieba_cache._parse_word_tables()
    cached_idf, cached_tags = jieba_cache.word_tables()
    assert isinstance(cached_tags, jieba_cache.WordTable)  # read per word, not held in memory
    assert dict(cached_tags.items()) == tags and dict(cached_idf.items()) == idf
    assert len(cached_tags) == len(tags) and len(cached_idf) == len(idf)
    assert cached_tags.get("没有这个词") is None and "没有这个词" not in cached_idf
    assert cached_tags["我们"] == tags["我们"] == "r"


def test_damaged_word_tables_are_replaced(home: Path) -> None:
    jieba_cache.word_tables()
    path = jieba_cache.word_tables_path()
    whole = path.read_bytes()
    for damage in (b"garbage" * 100, whole[: len(whole) // 2]):
        path.write_bytes(damage)
        idf, tags = jieba_cache.word_tables()
        assert tags["医生"] == "n" and idf["医生"] > 0
        assert path.read_bytes() != damage
        with sqlite3.connect(path) as db:
            assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)


def test_lazy_tokenizer_reads_the_same_dictionary_word_by_word(home: Path, jiebas_own) -> None:
    """A new process looks words up in the table instead of reading the whole dictionary,
    and cuts exactly as jieba does."""
    assert jieba_cache.make_tokenizer(WORDS, lazy=True).FREQ == jiebas_own.FREQ  # no table yet: the whole one
    assert jieba_cache.frequencies_path(WORDS).is_file()  # written beside the marshal file
    lazy = jieba_cache.make_tokenizer(WORDS, lazy=True)
    assert isinstance(lazy.FREQ, jieba_cache.Frequencies) and lazy.total == jiebas_own.total
    for sentence in SENTENCES:
        assert lazy.lcut_for_search(sentence) == jiebas_own.lcut_for_search(sentence)
        assert lazy.lcut(sentence) == jiebas_own.lcut(sentence)
    for word in ("医生", "闵行区", "崇明区", "卫生服务", "没有这个词", "社区卫"):
        assert lazy.FREQ.get(word) == jiebas_own.FREQ.get(word)
        assert (word in lazy.FREQ) == (word in jiebas_own.FREQ)
    assert len(lazy.FREQ) == len(jiebas_own.FREQ)
    assert isinstance(lazy.FREQ, jieba_cache.Frequencies)  # a few sentences did not need it all


def test_lazy_tokenizer_takes_the_whole_dictionary_when_many_words_are_needed(
    home: Path, jiebas_own, monkeypatch: pytest.MonkeyPatch
) -> None:
    jieba_cache.make_tokenizer(WORDS)
    monkeypatch.setattr(jieba_cache, "UPGRADE_AFTER", 30)
    lazy = jieba_cache.make_tokenizer(WORDS, lazy=True)
    cuts = [lazy.lcut_for_search(s) for s in SENTENCES * 2]
    assert isinstance(lazy.FREQ, dict) and lazy.FREQ == jiebas_own.FREQ  # switched during the cuts
    assert cuts == [jiebas_own.lcut_for_search(s) for s in SENTENCES * 2]
    server = jieba_cache.make_tokenizer(WORDS, lazy=True)
    jieba_cache.full_dictionary(server, WORDS)  # what a server's warm-up does
    assert isinstance(server.FREQ, dict) and server.FREQ == jiebas_own.FREQ


def test_a_damaged_dictionary_table_is_replaced(home: Path, jiebas_own) -> None:
    jieba_cache.make_tokenizer(WORDS)
    path = jieba_cache.frequencies_path(WORDS)
    whole = path.read_bytes()
    for damage in (b"garbage" * 100, whole[: len(whole) // 2]):
        path.write_bytes(damage)
        tok = jieba_cache.make_tokenizer(WORDS, lazy=True)  # falls back to the whole dictionary
        assert tok.FREQ == jiebas_own.FREQ and path.read_bytes() != damage
        assert isinstance(jieba_cache.make_tokenizer(WORDS, lazy=True).FREQ, jieba_cache.Frequencies)
