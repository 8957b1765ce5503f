from __future__ import annotations

import threading

import index.tokenize as tok
from index.tokenize import stopwords, tokenize


def test_numbers_stay_whole_and_stopwords_go():
    tokens = tokenize("到2025年家庭医生签约率达到46%，投入12.37亿元的项目")
    assert {"2025", "46%", "12.37", "家庭医生", "签约率"} <= set(tokens)
    assert "的" not in tokens and "，" not in tokens


def test_full_width_and_case_are_folded():
    assert tokenize("４６％ Sanming") == tokenize("46% sanming") == ["46%", "sanming"]


def test_same_tokens_for_query_and_passage_words():
    assert set(tokenize("提出社区中医馆建设目标的有哪些?")) <= set(
        tokenize("长宁区提出了社区中医馆的建设目标。")
    )


def test_question_words_are_stopwords():
    assert {"哪些", "什么", "which", "the"} <= stopwords()
    assert tokenize("哪些 什么 which the") == []


def test_district_names_are_kept_whole():
    assert "浦东新区" in tokenize("浦东新区卫生健康委员会")


def test_first_use_from_many_threads_is_safe(monkeypatch):
    monkeypatch.setattr(tok, "_tokenizer", None)  # force the lazy initialisation to race
    text = "推进紧密型城市医疗集团建设，社区卫生服务中心建成社区医院"
    results: list[list[str]] = []
    errors: list[BaseException] = []

    def work():
        try:
            results.append(tokenize(text))
        except BaseException as exc:  # pragma: no cover - the failure we are testing for
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert len(results) == 8 and all(r == results[0] for r in results)
