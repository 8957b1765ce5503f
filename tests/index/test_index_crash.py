"""A writer SIGKILLed in the middle of writing an index leaves the previous one loadable.

The child process builds a second index over the first; a stand-in for one filesystem
call (fsync or rename) signals the parent and then hangs, so the kill lands at a known
point of the write: while files are being written, or between the two renames of the swap.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from index_helpers import HashEmbedder, small_docs

from index import build_index, load_index

REPO = Path(__file__).resolve().parents[2]

CHILD = textwrap.dedent(
    """
    import os, sys, time
    sys.path.insert(0, {repo!r})
    sys.path.insert(0, {repo!r} + '/tests/index')
    from kernel.offline import go_offline
    go_offline()
    import index.store as store
    from index import build_index
    from index_helpers import HashEmbedder, make_doc, small_docs

    folder, marker, where, after = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    calls = {{"fsync": 0, "rename": 0}}

    def hang():
        open(marker, "w").close()
        while True:
            time.sleep(1)

    real = {{"fsync": store._fsync_path, "rename": os.rename}}

    def fsync(path):
        real["fsync"](path)
        calls["fsync"] += 1
        if where == "fsync" and calls["fsync"] == after:
            hang()

    def rename(src, dst):
        real["rename"](src, dst)
        calls["rename"] += 1
        if where == "rename" and calls["rename"] == after:
            hang()

    store._fsync_path = fsync
    os.rename = rename
    docs = small_docs() + [make_doc("d-plan", "闵行区", ["在七宝地区迁址新建闵行区中医医院。"])]
    build_index(docs, folder, HashEmbedder(), progress=False)
    """
)


@pytest.mark.parametrize("where, after", [("fsync", 1), ("fsync", 4), ("rename", 1)])
def test_sigkill_during_write_keeps_previous_index(tmp_path, where, after):
    folder = tmp_path / "index"
    build_index(small_docs(), folder, HashEmbedder(), progress=False)
    before = [r.unit for r in load_index(folder, HashEmbedder()).retrieve("中医馆")]

    marker = tmp_path / "paused"
    script = tmp_path / "child.py"
    script.write_text(CHILD.format(repo=str(REPO)))
    child = subprocess.Popen([sys.executable, str(script), str(folder), str(marker), where, str(after)])
    try:
        deadline = time.monotonic() + 60
        while not marker.exists():
            assert child.poll() is None, f"child exited early with {child.returncode}"
            assert time.monotonic() < deadline, "child never reached the pause point"
            time.sleep(0.05)
        os.kill(child.pid, signal.SIGKILL)
        assert child.wait(timeout=10) == -signal.SIGKILL
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()

    loaded = load_index(folder, HashEmbedder())
    assert set(loaded.documents) == {"a-plan", "b-plan", "c-plan"}
    assert [r.unit for r in loaded.retrieve("中医馆")] == before
    # and a later build succeeds over the debris
    rebuilt = build_index(small_docs()[:1], folder, HashEmbedder(), progress=False)
    assert set(rebuilt.documents) == {"a-plan"}
    assert set(load_index(folder, HashEmbedder()).documents) == {"a-plan"}
