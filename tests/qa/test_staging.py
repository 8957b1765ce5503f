"""Staged uploads settle on restart: kept when the index already holds that very document
(the kill came after the index write), removed otherwise, and never mistaken for another id."""

from __future__ import annotations

from pathlib import Path

from ingest import load_document
from qa import staging

TEXT = "嘉定区卫生健康工作要点\n一、主要目标\n到2025年建成社区康复驿站27个。\n"


def _staged(uploads: Path, name: str, text: str) -> Path:
    folder = staging.staging_dir(uploads)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_staged_file_whose_document_is_indexed_is_kept(tmp_path: Path) -> None:
    uploads = tmp_path / "uploads"
    path = _staged(uploads, "jiading-plan.txt", TEXT)
    indexed = {"jiading-plan": load_document(path)}
    (uploads / "jiading-plan.md").write_text("older upload of the same id", encoding="utf-8")
    (uploads / "jiading-plan.v2.md").write_text("another document", encoding="utf-8")

    lines = staging.recover_staged(uploads, indexed)

    assert lines == ["kept jiading-plan.txt: its index was written before the interruption"]
    assert (uploads / "jiading-plan.txt").read_text(encoding="utf-8") == TEXT
    assert not (uploads / "jiading-plan.md").exists()  # replaced by the newer file type
    assert (uploads / "jiading-plan.v2.md").exists()  # a different doc_id is left alone
    assert not any(staging.staging_dir(uploads).iterdir())


def test_a_staged_file_the_index_does_not_hold_is_discarded(tmp_path: Path) -> None:
    uploads = tmp_path / "uploads"
    older = _staged(uploads, "jiading-plan.txt", TEXT)
    indexed = {"jiading-plan": load_document(older)}
    _staged(uploads, "jiading-plan.txt", TEXT.replace("27", "30"))  # a re-upload cut short
    _staged(uploads, "new-plan.txt", TEXT)
    _staged(uploads, "broken.txt", "\x00\x01binary")

    lines = staging.recover_staged(uploads, indexed)

    assert sorted(lines) == [
        "discarded broken.txt: interrupted before it was indexed; upload it again",
        "discarded jiading-plan.txt: interrupted before it was indexed; upload it again",
        "discarded new-plan.txt: interrupted before it was indexed; upload it again",
    ]
    assert not any(staging.staging_dir(uploads).iterdir()) and not (uploads / "jiading-plan.txt").exists()


def test_nothing_staged_means_nothing_to_say(tmp_path: Path) -> None:
    assert staging.recover_staged(tmp_path / "uploads", {}) == []
