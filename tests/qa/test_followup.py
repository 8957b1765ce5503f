"""Follow-up resolution is pure: exact rewrites for hand-written chats about the five plans."""

from __future__ import annotations

import pytest

from ingest.regions import find_districts
from qa.followup import _KNOWN, Turn, _districts_in, resolve, turns_from

CORPUS = ["闵行区", "长宁区", "松江区", "宝山区", "静安区"]

TCM = "长宁到2025年要建成几个达标中医馆？"
TCM_ANSWER = "到2025年完成达标中医馆10个，完成达标中医阁6个［1］。"
TCM_CHAT = [Turn("user", TCM), Turn("assistant", TCM_ANSWER)]

HOSPITAL = "闵行区2023年开办的是哪家医院？"
HOSPITAL_ANSWER = "2023年开办闵行区浦江医院，并作为区内平战结合后备定点医院［1］。"
HOSPITAL_CHAT = [Turn("user", HOSPITAL), Turn("assistant", HOSPITAL_ANSWER)]

EN_TCM = "How many TCM clinics will Changning District complete by 2025?"
EN_TCM_CHAT = [Turn("user", EN_TCM), Turn("assistant", "10 standard TCM clinics by 2025 [1].")]

EN_HOSPITAL = "Which hospital will Minhang open in 2023?"
EN_HOSPITAL_CHAT = [Turn("user", EN_HOSPITAL), Turn("assistant", "In 2023 Minhang opens Pujiang Hospital [1].")]


# -- turns -------------------------------------------------------------------------------
def test_turns_from_keeps_user_and_assistant_and_drops_system() -> None:
    history = [
        {"role": "system", "content": "You answer from the plans."},
        {"role": "user", "content": TCM},
        {"role": "assistant", "content": TCM_ANSWER},
    ]
    assert turns_from(history) == [Turn("user", TCM), Turn("assistant", TCM_ANSWER)]
    assert turns_from([]) == []


@pytest.mark.parametrize(
    ("history", "message"),
    [
        ([{"role": "bot", "content": "hi"}], r"history\[0\]: turn role 'bot' is not one of user, assistant, system"),
        ([{"role": "user", "content": TCM}, {"role": "user"}], r"history\[1\] has no 'content'"),
        ([{"content": "x"}], r"history\[0\] has no 'role'"),
        ([{"role": "user", "content": 3}], r"history\[0\]: turn content must be a string, got int"),
        ([("user", TCM)], r"history\[0\] must be a mapping"),
        ("长宁呢", r"history must be a list"),
        (None, r"history must be a list"),
    ],
)
def test_turns_from_rejects_bad_turns(history: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        turns_from(history)  # type: ignore[arg-type]


def test_turn_validates_itself() -> None:
    with pytest.raises(ValueError, match="'tool' is not one of"):
        Turn("tool", "x")


def test_bad_arguments_to_resolve() -> None:
    with pytest.raises(TypeError, match="turns_from"):
        resolve("那宝山呢？", [{"role": "user", "content": TCM}], CORPUS)  # type: ignore[list-item]
    with pytest.raises(ValueError, match="'火星区' is not a district"):
        resolve("那宝山呢？", TCM_CHAT, ["长宁区", "火星区"])
    with pytest.raises(TypeError, match="question must be a string"):
        resolve(None, TCM_CHAT, CORPUS)  # type: ignore[arg-type]


# -- nothing to resolve --------------------------------------------------------------------
@pytest.mark.parametrize("question", ["那宝山呢？", "What about Minhang?", "它什么时候建成？", "床位数呢？", TCM])
def test_no_history_means_standalone(question: str) -> None:
    assert resolve(question, [], CORPUS) is None
    assert resolve(question, [Turn("assistant", "您好，请提问。")], CORPUS) is None
    assert resolve(question, turns_from([{"role": "system", "content": "x"}]), CORPUS) is None


@pytest.mark.parametrize(
    "question",
    [
        "宝山区的家庭医生签约率是多少？",
        "哪些区提出了2025年中医馆建设目标？",
        "闵行和松江区的急救站有什么不同?",
        "宝山区中医馆？",
        "What does the Jing'an plan say about 三明 reform?",
        "Which districts plan new TCM clinics?",
        "Is it true that Songjiang plans a new hospital?",
        "What CMI target does Changning set for its district-level public hospitals for 2025?",
        "And the bed count in Baoshan?",  # a district and a full topic: standalone despite "and"
        "那么长宁区到2025年的中医馆目标是多少？",
        "北京的社区卫生服务中心有几家？",
        "Какие районы?",  # a language the system cannot read is never rewritten
        "这些规划中哪个区提到了安宁疗护？",  # asks across districts with a topic of its own
        "谢谢",  # not a question: nothing to resolve
        "Thanks!",
        # a pronoun after the question's own first part refers inside the question
        "长宁区的区域性医疗中心是哪家医院？这家医院什么时候迁建？",
        "Which hospital is Changning's regional medical centre, and when will it move?",
        "静安区三明医改的主要做法及其成效有哪些？",
        "",
        "   ",
    ],
)
def test_standalone_question_with_history_is_left_alone(question: str) -> None:
    assert resolve(question, TCM_CHAT, CORPUS) is None
    assert resolve(question, EN_HOSPITAL_CHAT, CORPUS) is None


@pytest.mark.parametrize(
    ("question", "zh_scoped", "en_scoped"),
    [
        ("家庭医生签约服务费怎么发放？", "长宁区的家庭医生签约服务费怎么发放？", "闵行区的家庭医生签约服务费怎么发放？"),
        ("Does the plan say that community centres will add beds?", None, None),
    ],
)
def test_a_question_naming_no_district_stays_in_the_chats_district(question: str, zh_scoped: str | None, en_scoped: str | None) -> None:
    # a question with a topic of its own, in a chat about one district, is about that district
    zh, en = resolve(question, TCM_CHAT, CORPUS), resolve(question, EN_HOSPITAL_CHAT, CORPUS)
    assert zh is not None and ("长宁" in zh or "Changning" in zh)
    assert en is not None and ("闵行" in en or "Minhang" in en)
    if zh_scoped:
        assert zh == zh_scoped and en == en_scoped


# -- district switch ----------------------------------------------------------------------
@pytest.mark.parametrize(
    ("question", "standalone"),
    [
        ("那宝山呢？", "宝山到2025年要建成几个达标中医馆？"),
        ("松江的呢", "松江到2025年要建成几个达标中医馆？"),
        ("那宝山区呢", "宝山到2025年要建成几个达标中医馆？"),  # written as the topic wrote it
        ("Baoshan?", "宝山到2025年要建成几个达标中医馆？"),
        ("What about Minhang?", "闵行到2025年要建成几个达标中医馆？"),  # topic's language kept
        ("Same for Jingan?", "静安到2025年要建成几个达标中医馆？"),
        ("Is it the same in Songjiang?", "松江到2025年要建成几个达标中医馆？"),
        ("那宝山和松江呢？", "宝山和松江到2025年要建成几个达标中医馆？"),
        ("那宝山的中医馆呢？", "宝山到2025年要建成几个达标中医馆？"),  # restates part of the topic only
        ("那其他区呢？", "闵行、松江、宝山和静安到2025年要建成几个达标中医馆？"),
        ("各区呢？", "闵行、长宁、松江、宝山和静安到2025年要建成几个达标中医馆？"),
        ("What about the other districts?", "闵行、松江、宝山和静安到2025年要建成几个达标中医馆？"),
    ],
)
def test_district_switch_in_chinese_topic(question: str, standalone: str) -> None:
    assert resolve(question, TCM_CHAT, CORPUS) == standalone


@pytest.mark.parametrize(
    ("question", "standalone"),
    [
        ("What about Baoshan?", "How many TCM clinics will Baoshan District complete by 2025?"),
        ("And Jing'an?", "How many TCM clinics will Jing'an District complete by 2025?"),
        ("那宝山呢？", "How many TCM clinics will Baoshan District complete by 2025?"),
        ("What about Pudong?", "How many TCM clinics will Pudong District complete by 2025?"),
    ],
)
def test_district_switch_in_english_topic(question: str, standalone: str) -> None:
    assert resolve(question, EN_TCM_CHAT, CORPUS) == standalone


def test_full_district_name_replaced_as_written() -> None:
    assert resolve("那宝山呢？", HOSPITAL_CHAT, CORPUS) == "宝山区2023年开办的是哪家医院？"
    assert resolve("Songjiang?", HOSPITAL_CHAT, CORPUS) == "松江区2023年开办的是哪家医院？"


def test_district_outside_the_corpus_is_still_substituted() -> None:
    assert resolve("那徐汇呢？", TCM_CHAT, CORPUS) == "徐汇到2025年要建成几个达标中医馆？"
    assert resolve("那浦东呢？", HOSPITAL_CHAT, CORPUS) == "浦东新区2023年开办的是哪家医院？"
    assert resolve("What about Xuhui?", EN_HOSPITAL_CHAT, CORPUS) == "Which hospital will Xuhui open in 2023?"
    assert resolve("那北京呢？", TCM_CHAT, CORPUS) == "北京到2025年要建成几个达标中医馆？"
    assert resolve("What about Hangzhou?", EN_HOSPITAL_CHAT, CORPUS) == "Which hospital will Hangzhou open in 2023?"


def test_topic_without_district_gets_the_district_in_front() -> None:
    chat = [Turn("user", "社区卫生服务中心要设置哪些床位？"), Turn("assistant", "老年护理床位［1］。")]
    assert resolve("那宝山呢？", chat, CORPUS) == "宝山区社区卫生服务中心要设置哪些床位？"
    chat = [Turn("user", "Which beds should community health centres set up?"), Turn("assistant", "…")]
    assert resolve("What about Minhang?", chat, CORPUS) == "In Minhang, which beds should community health centres set up?"


def test_two_district_topic_switched_pairwise_or_as_a_group() -> None:
    chat = [Turn("user", "长宁和宝山的中医馆目标分别是多少？"), Turn("assistant", "…")]
    assert resolve("那松江和静安呢？", chat, CORPUS) == "松江和静安的中医馆目标分别是多少？"
    assert resolve("那闵行呢？", chat, CORPUS) == "闵行的中医馆目标分别是多少？"


# -- comparison -----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("question", "standalone"),
    [
        ("跟宝山比呢？", "长宁和宝山到2025年要建成几个达标中医馆？"),
        ("和宝山相比呢", "长宁和宝山到2025年要建成几个达标中医馆？"),
        ("How does that compare with Baoshan?", "长宁和宝山到2025年要建成几个达标中医馆？"),
    ],
)
def test_comparison_names_both_districts(question: str, standalone: str) -> None:
    assert resolve(question, TCM_CHAT, CORPUS) == standalone


def test_comparison_in_english_topic_and_with_a_new_topic() -> None:
    assert (
        resolve("Compared with Baoshan?", EN_TCM_CHAT, CORPUS)
        == "How many TCM clinics will Changning District and Baoshan District complete by 2025?"
    )
    chat = [Turn("user", "宝山区2025年要设置多少个社区中医馆？"), Turn("assistant", "全覆盖设置社区中医馆［1］。")]
    assert resolve("跟长宁比呢？", chat, CORPUS) == "宝山区和长宁区2025年要设置多少个社区中医馆？"
    assert resolve("跟长宁比，床位数呢？", chat, CORPUS) == "宝山区和长宁区的床位数是多少？"


@pytest.mark.parametrize(
    "question",
    ["宝山那边到现在已经做到多少了？比长宁这个目标多吗？", "Has Baoshan already gone past that?", "Hasn't Baoshan got beyond that by now?"],
)
def test_a_comparison_naming_districts_but_no_topic_compares_the_chats_topic(question: str) -> None:
    # districts, time, ask and measure words, a word of outdoing: nothing of its own is compared
    standalone = resolve(question, TCM_CHAT, CORPUS)
    assert standalone is not None and standalone.startswith("长宁和宝山到2025年要建成几个达标中医馆？"), standalone


def test_a_comparison_naming_districts_and_a_topic_of_its_own_stands_alone() -> None:
    assert resolve("宝山的家庭医生签约率比长宁高吗？", TCM_CHAT, CORPUS) is None


def test_a_determiner_before_a_quoted_term_is_no_pronoun() -> None:
    # 这个“一区一品牌” names its topic, and 哪几个区 asks across all of them: it stands alone
    assert resolve("这个“一区一品牌”别的区也提了吗？一共哪几个区提到？", TCM_CHAT, CORPUS) is None


def test_this_noun_is_the_term_the_last_answer_quoted_before_it() -> None:
    chat = [Turn("user", "宝山今年养老这块有什么新做法？"), Turn("assistant", "宝山提出探索“五床联动”机制，提升家庭病床覆盖率。")]
    assert resolve("这几个区的文件里，还有哪些区提到了这个机制？", chat, CORPUS) == "这几个区的文件里，还有哪些区提到了“五床联动”机制？"


def test_a_district_switch_whose_words_only_point_back_asks_the_chats_question() -> None:
    # 指标表, 这一项: the plans and a pointer, nothing of its own
    chat = [Turn("user", "松江的婴儿死亡率降到多少了？"), Turn("assistant", "降至0.83‰［1］。")]
    assert resolve("那长宁呢？它的指标表里这一项怎么定的？", chat, CORPUS) == "长宁的婴儿死亡率降到多少了？"


def test_outdoing_the_chats_figure_compares_the_two_districts() -> None:
    chat = [Turn("user", "长宁的居民健康素养水平目标是多少？"), Turn("assistant", "≥36%［1］。")]
    standalone = resolve("松江现在做到多少了？有没有超过长宁这个数？", chat, CORPUS)
    assert standalone is not None and standalone.startswith("长宁和松江的居民健康素养水平目标是多少？"), standalone


def test_this_aspect_in_another_district_with_both_compared_asks_the_chats_question_of_both() -> None:
    standalone = resolve("宝山在这方面定的多少？两个区谁更高？", TCM_CHAT, CORPUS)
    assert standalone is not None and standalone.startswith("长宁和宝山到2025年要建成几个达标中医馆？"), standalone


# -- topic switch -----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("question", "standalone"),
    [
        ("床位数呢？", "长宁区的床位数是多少？"),
        ("那护士呢", "长宁区的护士有多少？"),
        ("床位数是多少？", "长宁区的床位数是多少？"),
        ("那宝山的床位数呢？", "宝山的床位数是多少？"),
        ("And the bed count?", "In Changning, what is the bed count?"),
        ("How about the nurses?", "In Changning, how many nurses?"),
    ],
)
def test_topic_switch_keeps_the_districts(question: str, standalone: str) -> None:
    assert resolve(question, TCM_CHAT, CORPUS) == standalone


def test_topic_switch_after_a_question_that_asked_no_figure() -> None:
    chat = [Turn("user", "静安区如何推进家庭医生签约服务？"), Turn("assistant", "推进以家庭为单元的签约服务［1］。")]
    assert resolve("那医联体呢？", chat, CORPUS) == "静安区的规划对医联体有什么安排？"
    assert resolve("And hospice care?", chat, CORPUS) == "In Jing'an, what does the plan say about hospice care?"


# -- pronouns ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("question", "standalone"),
    [
        ("它什么时候建成？", "闵行区浦江医院什么时候建成？"),
        ("这家医院是什么定位？", "闵行区浦江医院是什么定位？"),
        ("其床位数是多少？", "闵行区浦江医院的床位数是多少？"),
        ("那里有急救分站吗？", "闵行区浦江医院有急救分站吗？"),
        ("When will it open?", "When will 闵行区浦江医院 open?"),
    ],
)
def test_pronoun_becomes_the_organisation_in_the_last_answer(question: str, standalone: str) -> None:
    assert resolve(question, HOSPITAL_CHAT, CORPUS) == standalone


def test_pronoun_prefers_the_organisation_the_topic_did_not_name() -> None:
    chat = [Turn("user", "长宁区的区域性医疗中心是哪家医院？"), Turn("assistant", "以同仁医院区域性医疗中心为核心［1］。")]
    assert resolve("它要争创几级医院？", chat, CORPUS) == "长宁区的同仁医院要争创几级医院？"


def test_organisation_name_is_cut_from_the_answer_sentence() -> None:
    chat = [
        Turn("user", "长宁区哪家医院要异地迁建？"),
        Turn("assistant", "2025年底前,完成光华医院异地迁建一期工程和妇保院改扩建工程［1］。"),
    ]
    assert resolve("它的一期工程什么时候完成？", chat, CORPUS) == "长宁区的光华医院的一期工程什么时候完成？"
    chat = [Turn("user", "长宁区要推动哪些社区卫生服务中心迁建？"), Turn("assistant", "推动5家华阳社区卫生服务中心异地迁建［1］。")]
    assert resolve("它迁到哪里？", chat, CORPUS) == "长宁区的华阳社区卫生服务中心迁到哪里？"


@pytest.mark.parametrize(
    ("question", "standalone"),
    [
        ("When will it open?", "In Minhang, when will Pujiang Hospital open?"),
        ("What is its role?", "In Minhang, what is Pujiang Hospital's role?"),
        ("How many beds does this hospital have?", "In Minhang, how many beds does Pujiang Hospital have?"),
    ],
)
def test_english_pronoun_becomes_the_organisation(question: str, standalone: str) -> None:
    assert resolve(question, EN_HOSPITAL_CHAT, CORPUS) == standalone


def test_pronoun_for_the_topic_itself_follows_the_topic_question() -> None:
    assert resolve("这个目标是哪个文件定的？", TCM_CHAT, CORPUS) == TCM + "这个目标是哪个文件定的？"
    assert resolve("Which document sets this target?", EN_TCM_CHAT, CORPUS) == EN_TCM + " Which document sets this target?"
    # no organisation in the answer or the topic: the pronoun cannot stand for a name
    assert resolve("它什么时候建成？", TCM_CHAT, CORPUS) == TCM + "它什么时候建成？"


def test_pronoun_for_the_plan_becomes_the_topic_district_plan() -> None:
    assert resolve("该规划的实施期限是哪几年？", TCM_CHAT, CORPUS) == "长宁区规划的实施期限是哪几年？"
    assert resolve("此次规划提出了哪些主要任务？", TCM_CHAT, CORPUS) == "长宁区规划提出了哪些主要任务？"
    assert resolve("What is the period of this plan?", EN_TCM_CHAT, CORPUS) == "What is the period of the Changning plan?"


def test_district_and_place_pronouns_become_the_topic_districts() -> None:
    assert resolve("该区的床位数是多少？", TCM_CHAT, CORPUS) == "长宁区的床位数是多少？"
    assert resolve("那里有几家社区卫生服务中心？", TCM_CHAT, CORPUS) == "长宁区有几家社区卫生服务中心？"
    assert resolve("How many hospitals does this district have?", EN_TCM_CHAT, CORPUS) == (
        "How many hospitals does Changning have?"
    )


# -- anything else ------------------------------------------------------------------------------
def test_vague_follow_up_is_asked_after_the_topic_question() -> None:
    assert resolve("具体呢？", TCM_CHAT, CORPUS) == TCM + "具体呢？"
    assert resolve("Why?", EN_TCM_CHAT, CORPUS) == EN_TCM + " Why?"


# -- chains -------------------------------------------------------------------------------------
def test_chain_of_three_turns() -> None:
    chat = [
        *TCM_CHAT,
        Turn("user", "那宝山呢？"),
        Turn("assistant", "全覆盖设置社区中医馆［1］。"),
        Turn("user", "这个目标是哪个文件定的？"),
        Turn("assistant", "…"),
    ]
    assert resolve("What about Minhang?", chat, CORPUS) == "闵行到2025年要建成几个达标中医馆？这个目标是哪个文件定的？"
    assert resolve("床位数呢？", chat, CORPUS) == "宝山区的床位数是多少？"
    chat = [*EN_HOSPITAL_CHAT, Turn("user", "When will it open?"), Turn("assistant", "…"), Turn("user", "And Songjiang?")]
    assert resolve("How many beds does it have?", chat[:-1] + [Turn("user", "What is its role?")], CORPUS) == (
        "In Minhang, how many beds does Pujiang Hospital have?"
    )
    assert resolve("床位数呢？", chat, CORPUS) == "松江区的床位数是多少？"


def test_chain_through_a_place_outside_the_corpus() -> None:
    chat = [*TCM_CHAT, Turn("user", "那北京呢？"), Turn("assistant", "语料库不含北京的规划。")]
    assert resolve("那宝山呢？", chat, CORPUS) == "宝山区到2025年要建成几个达标中医馆？"
    assert resolve("床位数呢？", chat, CORPUS) == "北京的床位数是多少？"


CHAINS = [
    [TCM, "那宝山呢？", "这个目标是哪个文件定的？", "What about Minhang?"],
    [TCM, "床位数呢？", "跟宝山比呢？", "那松江呢？"],
    [HOSPITAL, "它什么时候建成？", "那宝山呢？", "床位数呢？"],
    [EN_TCM, "And the bed count?", "What about Baoshan?", "compared with Jing'an?"],
    [EN_HOSPITAL, "What about Songjiang?", "And the nurses?", "那里有几家医院？"],
]


@pytest.mark.parametrize("chain", CHAINS)
def test_chain_equals_resolving_against_the_resolved_topic(chain: list[str]) -> None:
    """Resolving against a whole chat is resolving against its last question made standalone."""
    chat: list[Turn] = []
    for question in chain:
        if chat:
            topic = resolve(chat[-2].content, chat[:-2], CORPUS) or chat[-2].content
            short = [Turn("user", topic), chat[-1]]
            assert resolve(question, chat, CORPUS) == resolve(question, short, CORPUS)
        chat += [Turn("user", question), Turn("assistant", "…")]


def test_resolution_is_deterministic_and_leaves_the_history_alone() -> None:
    chat = tuple(HOSPITAL_CHAT)
    first = resolve("它什么时候建成？", chat, CORPUS)
    assert first == resolve("它什么时候建成？", chat, CORPUS)
    assert chat == tuple(HOSPITAL_CHAT)


def test_system_turns_do_not_count_as_topic_or_answer() -> None:
    history = turns_from(
        [
            {"role": "user", "content": HOSPITAL},
            {"role": "assistant", "content": HOSPITAL_ANSWER},
            {"role": "system", "content": "长宁区同仁医院"},
        ]
    )
    assert resolve("它什么时候建成？", history, CORPUS) == "闵行区浦江医院什么时候建成？"


@pytest.mark.parametrize(
    "text",
    [TCM, HOSPITAL, EN_TCM, "长宁和宝山区的中医馆", "Jing an and JINGAN and Jing’an", "浦东新区、徐汇和Songjiang District", "宝山区域"],
)
def test_district_spans_agree_with_find_districts(text: str) -> None:
    """The spans used for substitution find the same districts as ingest's finder."""
    token = _KNOWN.set(tuple(CORPUS))
    try:
        assert [d.name for d in _districts_in(text)] == [d.name for d in find_districts(text, CORPUS)]
    finally:
        _KNOWN.reset(token)


def test_a_follow_up_naming_only_a_year_switches_the_year() -> None:
    history = turns_from(
        [{"role": "user", "content": "长宁到2025年要建成几个达标中医馆？"}, {"role": "assistant", "content": "10个。"}]
    )
    assert resolve("到2030年呢？", history, CORPUS) == "长宁到2030年要建成几个达标中医馆？"
    assert resolve("And in 2030?", history, CORPUS) == "长宁到2030年要建成几个达标中医馆？"
    assert resolve("那2030年是多少？", history, CORPUS) == "长宁到2030年要建成几个达标中医馆？"
    assert resolve("2030年的有多少呢？", history, CORPUS) == "长宁到2030年要建成几个达标中医馆？"
    assert resolve("And what was it in 2030?", history, CORPUS) == "长宁到2030年要建成几个达标中医馆？"


@pytest.mark.parametrize(
    "question",
    ["宝山的目标比长宁高吗？", "跟宝山比呢？谁的目标更高？", "宝山定的比这个多还是少？"],
)
def test_a_comparison_without_its_own_topic_compares_the_chat_topic(question: str) -> None:
    # The comparison names no topic (or only one side): the topic question is asked about
    # both districts, then the comparison, so the answer can state both figures and a verdict.
    resolved = resolve(question, TCM_CHAT, CORPUS)
    assert resolved is not None
    assert resolved.startswith("长宁和宝山到2025年要建成几个达标中医馆？")
    assert resolved.endswith(question)


def test_a_comparison_with_a_topic_and_both_districts_stands_alone() -> None:
    assert resolve("宝山的家庭医生签约率比长宁高吗？", TCM_CHAT, CORPUS) is None


def test_the_chat_keeps_its_district_when_a_turn_names_none() -> None:
    chat = [
        Turn("user", "闵行的三年行动计划覆盖哪几年？"),
        Turn("assistant", "2023—2025年［1］。"),
        Turn("user", "里面区中医医院打算建在哪？"),
        Turn("assistant", "在七宝地区迁址新建闵行区中医医院［1］。"),
    ]
    assert resolve("那中西医结合医院呢？要迁到哪里？", chat, CORPUS) == "闵行区的中西医结合医院，要迁到哪里？"


def test_a_pronoun_with_a_noun_points_to_an_entity_of_that_kind() -> None:
    chat = turns_from(
        [
            {"role": "user", "content": "闵行在中医方面有什么打算？"},
            {"role": "assistant", "content": "推进江川社区卫生服务中心建设，并在七宝地区迁址新建闵行区中医医院。"},
        ]
    )
    resolved = resolve("这家医院什么时候建成？", chat, CORPUS)
    assert resolved is not None and "闵行区中医医院什么时候建成" in resolved  # the centre comes first, but is no 医院
    centre = resolve("这个中心有什么特色？", chat, CORPUS)
    assert centre is not None and "社区卫生服务中心" in centre and "医院有什么" not in centre


def test_a_district_then_only_a_year_and_ask_words_asks_the_topic_about_that_district() -> None:
    """"宝山呢？到2025年定的是多少？" has no topic of its own: 2025, 定的, 多少 are not one."""
    assert resolve("宝山呢？到2025年定的是多少？", TCM_CHAT, CORPUS) == "宝山到2025年要建成几个达标中医馆？"
    # a follow-up naming a district and a topic of its own stands alone
    assert resolve("宝山的家庭医生签约率是多少？", TCM_CHAT, CORPUS) is None


def test_the_two_districts_are_the_last_two_the_chat_named() -> None:
    chat = [*TCM_CHAT, Turn("user", "那宝山呢？"), Turn("assistant", "宝山全覆盖设置社区中医馆［1］。")]
    resolved = resolve("这两个区谁的目标更高？", chat, CORPUS)
    assert resolved is not None
    assert {d.name for d in find_districts(resolved, CORPUS)} == {"长宁区", "宝山区"}
    assert "中医馆" in resolved


def test_another_district_with_only_generic_ask_words_asks_the_topic_again() -> None:
    # "宝山定的是多少？" names a district and asks nothing new: the chat's topic, about 宝山
    assert resolve("宝山定的是多少？", TCM_CHAT, CORPUS) == "宝山到2025年要建成几个达标中医馆？"


def test_a_one_sided_comparison_takes_the_chats_topic_as_its_other_side() -> None:
    chat = [Turn("user", "长宁的千人口注册护士数2025年目标是多少？"), Turn("assistant", "目标值≥8.15人［1］。")]
    assert resolve("比全市的规划值高吗？", chat, CORPUS) == "长宁的千人口注册护士数2025年目标是多少？比全市的规划值高吗？"


def test_this_across_districts_is_the_term_the_chat_quoted() -> None:
    chat = [Turn("user", "宝山提到“887365”了吗？"), Turn("assistant", "提到了［1］。")]
    standalone = resolve("哪几个区的规划里有这个？", chat, CORPUS)
    assert standalone == "哪几个区的规划里有“887365”？", "across districts: no district put in front"
    # "这些规划" points at the plans, not at the chat: a standalone question
    assert resolve("这些规划中哪个区提到了家庭病床？", chat, CORPUS) is None


@pytest.mark.parametrize(
    ("question", "standalone"),
    [
        ("静安那边的试点是哪家？", "静安哪家社区卫生服务中心是市级试点？"),  # 试点: a word of the topic only
        ("那宝山的呢？", "宝山哪家社区卫生服务中心是市级试点？"),
    ],
)
def test_a_district_with_only_the_topic_s_own_words_asks_the_topic_again(question: str, standalone: str) -> None:
    chat = [Turn("user", "长宁哪家社区卫生服务中心是市级试点？"), Turn("assistant", "程家桥社区卫生服务中心［1］。")]
    assert resolve(question, chat, CORPUS) == standalone


def test_a_district_with_words_of_its_own_is_not_the_topic_again() -> None:
    chat = [Turn("user", "长宁哪家社区卫生服务中心是市级试点？"), Turn("assistant", "程家桥社区卫生服务中心［1］。")]
    assert resolve("静安那边的互联网医院是哪家？", chat, CORPUS) != "静安哪家社区卫生服务中心是市级试点？"


EN_BEDS_CHAT = [
    Turn("user", "How many rehabilitation beds per 1,000 people does Changning plan for 2025?"),
    Turn("assistant", "0.6 beds per 1,000 people [1]."),
]


@pytest.mark.parametrize(
    "question",
    ["Is Songjiang's figure lower?", "Which is higher, that or Songjiang's?", "Has Songjiang already beaten that?"],
)
def test_an_english_comparative_without_than_compares_the_chat_topic(question: str) -> None:
    # English leaves the other side of a comparative to the chat ("higher" with no "than")
    resolved = resolve(question, EN_BEDS_CHAT, CORPUS)
    assert resolved is not None and resolved.endswith(question)
    assert "Changning" in resolved and "Songjiang" in resolved and "rehabilitation beds" in resolved


@pytest.mark.parametrize("question", ["Is that above what the city planned?", "Is that under the city's ceiling?"])
def test_an_english_one_sided_comparison_takes_the_chats_topic_as_its_other_side(question: str) -> None:
    resolved = resolve(question, EN_BEDS_CHAT, CORPUS)
    assert resolved == f"How many rehabilitation beds per 1,000 people does Changning plan for 2025? {question}"


def test_it_across_districts_is_the_term_an_english_turn_quoted_in_single_quotes() -> None:
    chat = [Turn("user", "Does Baoshan's plan mention a '五床联动' mechanism?"), Turn("assistant", "Yes [1].")]
    assert resolve("Which districts mention it?", chat, CORPUS) == "Which districts mention '五床联动'?"


def test_an_apostrophe_is_no_quote() -> None:
    chat = [Turn("user", "What is Baoshan's target and Jing'an's plan for TCM clinics?"), Turn("assistant", "…")]
    # "'s target and Jing'" is not a quoted term: "it" is the whole topic question
    assert resolve("Which districts mention it?", chat, CORPUS) == f"{chat[0].content} Which districts mention it?"


def test_a_topic_of_its_own_compared_with_this_of_another_district_asks_both() -> None:
    chat = [Turn("user", "闵行这三年要新建、改建几个急救分站？"), Turn("assistant", "5个急救分站。")]
    question = "松江“十三五”新增的急救分站数跟这个一样吗？"
    assert resolve(question, chat, CORPUS) == "闵行这三年要新建、改建几个急救分站？" + question


def test_they_who_choose_or_plan_are_the_district_not_the_hospital_in_the_answer() -> None:
    chat = [
        Turn("user", "Which hospital is Jing'an using as its pilot for public hospital development?"),
        Turn("assistant", "Zhabei Central Hospital (闸北中心医院) [1]."),
    ]
    assert resolve("And the community health centre they picked as a pilot?", chat, CORPUS) == (
        "The community health centre Jing'an picked as a pilot?"
    )


# -- the plans' words are no places (the analysis's finder, ingest.regions.district_mentions) --
def _kunming_corpus() -> tuple[list[str], object]:
    """The five plans and a 昆明市五华区 plan, and their word table: 昆明's other districts are
    recognised by short name, among them 安宁(市), which 安宁疗护 begins with."""
    from pathlib import Path

    from ingest import settings
    from qa.lexicon import Lexicon

    fixture = Path(__file__).resolve().parent.parent / "fixtures" / "regions" / "wuhua-2025-health-work-plan.txt"
    texts = [p.read_text(encoding="utf-8") for p in sorted(settings.corpus_dir().glob("*.txt"))]
    return [*CORPUS, "五华区"], Lexicon([*texts, fixture.read_text(encoding="utf-8")])


@pytest.mark.parametrize(
    ("question", "standalone"),
    [("那安宁疗护呢？", "长宁区的安宁疗护有多少？"), ("安宁疗护有哪些安排？", "长宁区的安宁疗护有哪些安排？")],
)
def test_a_plans_word_beginning_with_a_district_name_is_a_topic(question: str, standalone: str) -> None:
    known, lexicon = _kunming_corpus()
    assert resolve(question, TCM_CHAT, known, lexicon) == standalone
    # without the plans' words, 安宁 is 昆明市安宁市: the turn would be about a place
    assert resolve(question, TCM_CHAT, known) != standalone


def test_a_district_named_in_full_or_alone_is_still_a_district_with_the_plans_words() -> None:
    known, lexicon = _kunming_corpus()
    assert resolve("那安宁市呢？", TCM_CHAT, known, lexicon) == "安宁到2025年要建成几个达标中医馆？"
    assert resolve("那五华呢？", TCM_CHAT, known, lexicon) == "五华到2025年要建成几个达标中医馆？"
    assert resolve("跟安宁疗护比呢？", TCM_CHAT, known, lexicon) == "长宁到2025年要建成几个达标中医馆？跟安宁疗护比呢？"


def test_uses_must_be_callable() -> None:
    with pytest.raises(TypeError, match="uses must be a callable"):
        resolve("那宝山呢？", TCM_CHAT, CORPUS, "安宁疗护")  # type: ignore[arg-type]


def test_the_analysis_names_no_place_for_the_plans_word() -> None:
    from qa.analysis import analyze

    known, lexicon = _kunming_corpus()
    assert analyze("鼓楼区的安宁疗护有什么安排？", known, uses=lexicon).outside_places == ("鼓楼区",)
    assert analyze("鼓楼区的安宁疗护有什么安排？", known).outside_places == ("鼓楼区", "安宁市")
    assert analyze("安宁市的安宁疗护有什么安排？", known, uses=lexicon).outside_places == ("安宁市",)


@pytest.mark.parametrize(
    ("known", "text", "entities"),
    [
        (("西湖区",), "杭州市社区卫生服务中心牵头，杭州市第一人民医院配合。", ["杭州市第一人民医院"]),
        (tuple(CORPUS), "上海市社区卫生服务中心牵头，上海市第六人民医院配合。", ["上海市第六人民医院"]),
        # another city's name is no generic word in a chat about Shanghai's plans
        (tuple(CORPUS), "杭州市社区卫生服务中心牵头。", ["杭州市社区卫生服务中心"]),
    ],
)
def test_the_corpus_own_city_makes_no_organisation_name_specific(
    known: tuple[str, ...], text: str, entities: list[str]
) -> None:
    """What a pronoun can point back to: the corpus's cities and provinces come from the
    gazetteer (杭州市 for a 西湖区 plan), not from a hard-coded 上海市."""
    from qa.followup import _entities

    token = _KNOWN.set(known)
    try:
        assert _entities(text) == entities
    finally:
        _KNOWN.reset(token)


def test_a_district_over_there_now_asks_the_chat_question_about_that_district() -> None:
    """"松江那边现在做到多少了？": 现在 and 做到 say when and what of the chat's question."""
    history = turns_from(
        [
            {"role": "user", "content": "闵行那个三年行动计划里，急救站点平均服务半径要做到多少？"},
            {"role": "assistant", "content": "≤3.5公里。"},
        ]
    )
    resolved = resolve("松江那边现在做到多少了？", history, CORPUS)
    assert resolved is not None and "急救站点平均服务半径" in resolved and "松江" in resolved and "闵行" not in resolved


def test_the_unit_a_figure_is_asked_in_is_no_topic_of_its_own() -> None:
    """"实际做到几分钟了": 实际 says which figure, 几分钟 how it is counted; the follow-up asks the
    chat's question about the district over there, and compares it with the chat's figure."""
    history = turns_from(
        [
            {"role": "user", "content": "闵行急救反应时间的目标是多少？"},
            {"role": "assistant", "content": "急救平均反应时间≤12分钟。"},
        ]
    )
    resolved = resolve("松江那边实际做到几分钟了？比闵行这个目标快吗", history, CORPUS)
    assert resolved is not None and "急救反应时间" in resolved and "松江" in resolved and "闵行" in resolved
    # a word of its own is still a topic of its own: not the chat's question about 松江
    own = resolve("松江那边的献血率实际是多少？", history, CORPUS)
    assert own is None or ("献血" in own and "急救" not in own)


def test_a_district_set_aside_is_not_asked_about_the_others_are() -> None:
    history = turns_from(
        [
            {"role": "user", "content": "宝山的“五床联动”是怎么回事？"},
            {"role": "assistant", "content": "宝山探索“五床联动”机制。"},
        ]
    )
    for q in ("除了宝山，还有哪个区也提了这个？", "Besides Baoshan, which other district mentions it?"):
        resolved = resolve(q, history, CORPUS)
        assert resolved is not None and "宝山" not in resolved and "Baoshan" not in resolved, resolved
        assert "静安" in resolved or "Jing'an" in resolved, resolved


def test_that_after_a_preposition_or_auxiliary_points_back() -> None:
    history = turns_from(
        [
            {"role": "user", "content": "Does Changning set any ICU bed targets for its designated hospital?"},
            {"role": "assistant", "content": "Yes: 10% in normal times, 20% in an emergency."},
        ]
    )
    resolved = resolve("And what's the city's planning value on that same row?", history, CORPUS)
    assert resolved is not None and "ICU" in resolved, resolved
    # after a verb of saying, "that" joins a clause: the question has its own topic
    said = resolve("Does the plan say that the target for family doctors will be met?", history, CORPUS)
    assert said is None or "ICU" not in said, said


def test_it_before_a_quoted_term_is_the_plan_of_the_chats_district() -> None:
    history = turns_from(
        [
            {"role": "user", "content": "宝山居民心理健康素养要提到多少？"},
            {"role": "assistant", "content": "提至26%。"},
        ]
    )
    resolved = resolve("它那个“2+7+N”模式里面的2和7分别指什么？", history, CORPUS)
    assert resolved is not None and resolved.startswith("宝山") and "心理健康素养" not in resolved, resolved
    english = resolve("What does the '2+7+N' model it mentions consist of?", history, CORPUS)
    assert english is not None and "Baoshan" in english and "literacy" not in english, english


def test_this_after_a_quoted_term_points_at_the_term_not_the_chat() -> None:
    history = turns_from(
        [
            {"role": "user", "content": "闵行医养结合打算用哪几种模式？"},
            {"role": "assistant", "content": "托管服务、嵌入服务、签约服务三种。"},
        ]
    )
    assert resolve("“五床联动”这个说法，哪些区的文件里有？", history, CORPUS) is None


@pytest.mark.parametrize("question", ["宝山那边的数字是多少？哪个区定得高", "宝山做到多少了？谁更多"])
def test_asking_which_is_ahead_after_naming_another_district_compares_both(question: str) -> None:
    """"哪个区定得高" compares: the chat's district and the one named are both asked the
    chat's topic, then the verdict (not the topic about the new district alone)."""
    standalone = resolve(question, TCM_CHAT, CORPUS)
    assert standalone is not None and standalone.startswith("长宁和宝山到2025年要建成几个达标中医馆"), standalone
    assert standalone.endswith(question.rstrip("？?")) or question in standalone


def test_which_of_words_that_ask_no_verdict_do_not_compare() -> None:
    from qa.followup import _ZH_WHICH_AHEAD

    assert not _ZH_WHICH_AHEAD.search("宝山哪家医院多少床位？")  # 多少 asks a figure
    assert not _ZH_WHICH_AHEAD.search("宝山哪个区早就建了？")


def test_asking_whether_a_district_is_the_only_one_lists_every_district_on_the_topic() -> None:
    """"brings it up" points back at the chat's topic: a verb of saying is no topic of its
    own, and the question asks every district."""
    chat = [Turn("user", "Does Changning's plan mention TCM clinics?"), Turn("assistant", "Yes [1].")]
    standalone = resolve("Is Changning the only one? List every district whose plan brings it up.", chat, CORPUS)
    assert standalone is not None and "TCM clinics" in standalone
    assert all(name in standalone for name in ("Baoshan", "Minhang", "Songjiang", "Jing'an")), standalone


def test_a_chinese_follow_up_naming_nothing_of_its_own_asks_the_chats_topic() -> None:
    """"有的地方写2025年、有的写2026年，到底哪年达到？" has many words but names no thing: it
    asks when the chat's topic is reached, not a new question about the district."""
    standalone = resolve("我看有的地方写2025年、有的写2027年，到底哪年建成？", TCM_CHAT, CORPUS)
    assert standalone is not None and standalone.startswith(TCM), standalone
    # a quoted term or a figure with its unit is something of its own
    quoted = resolve("那个“一区一品牌”是什么意思？", TCM_CHAT, CORPUS)
    assert quoted is None or TCM not in quoted


def test_its_hospital_is_the_districts_hospital() -> None:
    """"它的…医院呢": an organisation belongs to the district the chat is about, not to the
    hospital the answer named (闵行区中医医院 has no 中西医结合医院)."""
    chat = [Turn("user", "闵行区中医医院要搬到哪里？"), Turn("assistant", "在七宝地区迁址新建闵行区中医医院［1］。")]
    standalone = resolve("那它的妇幼保健院呢？", chat, CORPUS)
    assert standalone is not None and "闵行区的妇幼保健院" in standalone, standalone


def test_that_tcm_hospital_is_the_tcm_hospital_the_answer_named() -> None:
    """"那家中医院" names its kind short: 方塔中医医院 of the four the answer listed."""
    chat = [Turn("user", "松江的区域性医疗中心是哪几家？"), Turn("assistant", "区中心医院、方塔中医医院、泗泾医院和九亭医院。")]
    standalone = resolve("其中那家中医院以后往什么方向发展？", chat, CORPUS)
    assert standalone is not None and "方塔中医医院" in standalone and "区中心" not in standalone, standalone


def test_a_switch_then_more_parts_asks_the_chat_s_topic_of_the_district_then_the_parts() -> None:
    # "那宝山呢？" alone is the topic asked of 宝山; the parts after it ask more of the same
    resolved = resolve("宝山那边呢？分别是哪几个？", TCM_CHAT, CORPUS)
    assert resolved == "宝山到2025年要建成几个达标中医馆？分别是哪几个？"


def test_a_follow_up_in_the_other_language_is_asked_in_its_own_language_about_the_chat_s_district() -> None:
    # two languages in one question are read as neither: the follow-up keeps its language
    assert resolve("And how many specialty clinics will they open?", TCM_CHAT, CORPUS) == (
        "In Changning, how many specialty clinics will they open?"
    )
    assert resolve("这些中医馆什么时候建成？", EN_TCM_CHAT, CORPUS) == "长宁区的这些中医馆什么时候建成？"
    # asking whether it agrees with something needs what "that" is: the chat's question stays
    assert resolve("Is that consistent with the indicator table?", TCM_CHAT, CORPUS) == (
        TCM + "Is that consistent with the indicator table?"
    )


@pytest.mark.parametrize("both", ["两个区", "两边", "双方"])
def test_one_district_named_with_both_sides_compares_with_the_chat_s_district(both: str) -> None:
    # "两边" / "双方" say "both sides" as "两个区" does: the other side is the chat's district
    assert resolve(f"宝山的中医馆目标是几个，{both}差几个？", TCM_CHAT, CORPUS) == f"长宁区和宝山区的中医馆目标是几个，{both}差几个？"
    assert resolve(f"宝山定的是多少，{both}差几个？", TCM_CHAT, CORPUS) == "长宁和宝山到2025年要建成几个达标中医馆？"
