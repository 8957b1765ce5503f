"""``policyqa index`` end to end on a tiny corpus folder with the real default embedder."""

from __future__ import annotations

import argparse

import pytest

from index import commands, load_index

pytestmark = pytest.mark.slow


def _run(argv):
    parser = argparse.ArgumentParser()
    commands.add_arguments(parser)
    return commands.run(parser.parse_args(argv))


def test_index_command_builds_then_reuses(tmp_path, capsys):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "xuhui-test-plan.txt").write_text(
        "徐汇区卫生健康工作要点\n一、总体要求\n推进徐汇区社区卫生服务中心标准化建设。到2025年家庭医生签约率达到50%。\n",
        encoding="utf-8",
    )
    folder = tmp_path / "index"
    assert _run(["--corpus", str(corpus), "--index", str(folder), "--quiet"]) == 0
    out = capsys.readouterr().out
    assert "embedded  xuhui-test-plan" in out and "e5-st:multilingual-e5-small" in out
    assert _run(["--corpus", str(corpus), "--index", str(folder), "--quiet"]) == 0
    assert "reused    xuhui-test-plan" in capsys.readouterr().out
    assert _run(["--corpus", str(corpus), "--index", str(folder), "--quiet", "--rebuild"]) == 0
    assert "embedded  xuhui-test-plan" in capsys.readouterr().out
    assert load_index(folder).retrieve("家庭医生签约率", top_k=1)[0].unit.doc_id == "xuhui-test-plan"


def test_missing_corpus_folder_is_a_clear_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="does not exist"):
        _run(["--corpus", str(tmp_path / "nope"), "--index", str(tmp_path / "i")])


def test_index_keeps_the_uploads_through_index_and_rebuild(tmp_path, capsys, monkeypatch):
    # A plan kept in the uploads folder (by an upload, or dropped there by hand) is part of the
    # document set: neither `policyqa index` nor `--rebuild` may drop it from the answers.
    corpus, uploads = tmp_path / "corpus", tmp_path / "uploads"
    corpus.mkdir()
    uploads.mkdir()
    (corpus / "xuhui-test-plan.txt").write_text(
        "徐汇区卫生健康工作要点\n一、总体要求\n推进徐汇区社区卫生服务中心标准化建设。\n", encoding="utf-8"
    )
    (uploads / "jiading-upload-plan.txt").write_text(
        "嘉定区卫生健康工作要点\n一、重点任务\n到2025年嘉定区新建社区康复中心3家，家庭病床服务覆盖各街镇。\n",
        encoding="utf-8",
    )
    (uploads / "broken.pdf").write_bytes(b"not a pdf at all")
    monkeypatch.setenv("POLICYQA_UPLOADS", str(uploads))
    folder = tmp_path / "index"
    for extra in ([], ["--rebuild"], []):
        assert _run(["--corpus", str(corpus), "--index", str(folder), "--quiet", *extra]) == 0
        out = capsys.readouterr().out
        assert f"1 from {corpus}, 1 from uploads {uploads}" in out
        assert "upload    jiading-upload-plan" in out and "skipped" in out and "broken.pdf" in out
        top = load_index(folder).retrieve("社区康复中心 家庭病床", top_k=1)[0]
        assert top.unit.doc_id == "jiading-upload-plan"
