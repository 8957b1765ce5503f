"""What the engine indexes: the corpus folder plus kept uploads, skipping bad uploads."""

from __future__ import annotations

from pathlib import Path

import pytest

from qa.engine import _corpus_documents


def test_bad_upload_is_skipped_and_reported(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    corpus, uploads = tmp_path / "corpus", tmp_path / "uploads"
    corpus.mkdir()
    uploads.mkdir()
    (corpus / "plan-a.txt").write_text("长宁区卫生规划\n一、总体要求\n推进社区卫生服务中心建设。", encoding="utf-8")
    (uploads / "plan-b.txt").write_text("宝山区工作要点\n推进家庭医生签约服务。", encoding="utf-8")
    (uploads / "broken.txt").write_bytes(b"\x00\x01\x02binary")
    docs = _corpus_documents(corpus, uploads)
    assert [d.doc_id for d in docs] == ["plan-a", "plan-b"]
    err = capsys.readouterr().err
    assert "skipped upload" in err and "broken.txt" in err


def test_upload_cannot_shadow_a_corpus_document(tmp_path: Path) -> None:
    corpus, uploads = tmp_path / "corpus", tmp_path / "uploads"
    corpus.mkdir()
    uploads.mkdir()
    (corpus / "plan.txt").write_text("长宁区卫生规划\n推进社区卫生服务中心建设。", encoding="utf-8")
    (uploads / "plan.md").write_text("# 伪造\n另一份文本。", encoding="utf-8")
    docs = _corpus_documents(corpus, uploads)
    assert len(docs) == 1 and "长宁区" in docs[0].text


def test_a_first_part_naming_only_a_district_leaves_the_question_to_the_part_pointing_back(policyqa) -> None:  # type: ignore[no-untyped-def]
    """"那闵行呢？它的…是多少": the part with "它" carries the whole topic; the first part
    ("那闵行呢") asks nothing itself, so its (no) terms must not be all the evidence is held to."""
    answer = policyqa.ask("那闵行呢？它的急救平均反应时间要求是多少")
    assert not answer.refused and "12分钟" in answer.answer, answer.answer


def test_a_later_part_behind_a_bare_pronoun_with_a_topic_of_its_own_is_asked_on_its_own(policyqa) -> None:  # type: ignore[no-untyped-def]
    """"那它对…定了什么标准": 它 is 闵行 (its plan), not the 急救分站 sentence the first part
    found, which shares words with the part (反应迅速) without stating its figures."""
    answer = policyqa.ask("闵行打算新建几个急救分站？那它对急救站点服务半径和反应时间定了什么标准？")
    assert "5个" in answer.answer and "3.5公里" in answer.answer and "12分钟" in answer.answer, answer.answer
    # a part whose topic is the thing pointed at is not asked about the district alone
    named = policyqa.ask("闵行中医医院迁到哪里？它建成后叫什么？")
    assert "七宝" in named.answer


def test_a_question_asking_for_two_things_of_one_kind_cites_both_statements(policyqa) -> None:  # type: ignore[no-untyped-def]
    """Minhang's plan relocates two TCM hospitals in two sentences that share their words
    (迁建, 中医, 医院): once the first is judged to answer, the second, as complete, is the
    other half of the answer, not a repetition to leave out."""
    answer = policyqa.ask("闵行两家中医类医院分别迁到哪里？")
    assert not answer.refused
    assert "七宝" in answer.answer and "紫竹" in answer.answer, answer.answer


def test_the_value_reached_is_not_answered_with_a_target(policyqa) -> None:  # type: ignore[no-untyped-def]
    """Minhang's plan sets its ambulance response time as a target (≤12分钟) and states no
    value reached; Songjiang's reports one (10分45秒). Asked for the value reached, the
    first is not stated, in Chinese and in English, and the target part of a two-part
    question is answered while the other is named open."""
    for question in ("闵行的救护车现在实际多少分钟能赶到？", "What is Minhang's actual average ambulance response time at present?"):
        assert policyqa.ask(question).refused, question
    reached = policyqa.ask("松江的救护车现在实际平均多少分钟能赶到？")
    assert not reached.refused and "10分45秒" in reached.answer, reached.answer
    both = policyqa.ask("闵行急救平均反应时间的目标定了多少？现在实际做到多少？")
    assert not both.refused and "12分钟" in both.answer and "文件中未提及" in both.answer, both.answer
