from __future__ import annotations

import threading

import index.tokenize as tok
from index.tokenize import get_tokenizer, stopwords, tokenize
from ingest.regions import scope_of


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


SHANGHAI = scope_of(["闵行区", "宝山区"]).words  # what a corpus of Shanghai plans adds


def test_district_names_are_kept_whole():
    assert "浦东新区" in tokenize("浦东新区卫生健康委员会", SHANGHAI)


def test_place_words_are_the_corpus_cities_districts_in_code_order():
    assert SHANGHAI[:4] == ("黄浦区", "黄浦", "徐汇区", "徐汇") and len(SHANGHAI) == 32
    hangzhou = scope_of(["西湖区"]).words
    assert "西湖区" in hangzhou and "黄浦区" not in hangzhou
    # Only the corpus's cities' names are added: a county named in passing elsewhere is cut
    # as jieba's own dictionary cuts it, whatever the gazetteer holds.
    assert get_tokenizer(SHANGHAI).lcut("阜阳市广德市池州市") == get_tokenizer(()).lcut("阜阳市广德市池州市")
    assert "广德市" not in get_tokenizer(SHANGHAI).lcut("阜阳市广德市池州市")


def test_first_use_from_many_threads_is_safe(monkeypatch):
    monkeypatch.setattr(tok, "_tokenizers", {})  # force the lazy initialisation to race
    text = "推进紧密型城市医疗集团建设，社区卫生服务中心建成社区医院"
    results: list[list[str]] = []
    errors: list[BaseException] = []

    def work():
        try:
            results.append(tokenize(text, SHANGHAI))
        except BaseException as exc:  # pragma: no cover - the failure we are testing for
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert len(results) == 8 and all(r == results[0] for r in results)
