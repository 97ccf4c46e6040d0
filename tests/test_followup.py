"""Follow-ups understood from the previous turn. Questions are made up here, outside every eval set."""

from __future__ import annotations

import pytest

from cxkb.followup import Turn, is_follow_up, understand
from cxkb.question import parse


def _after(first: str, second: str, report: str | None = "r1"):
    return understand(second, Turn(parse(first), report))


@pytest.mark.parametrize(
    ("first", "second", "understood"),
    [
        # A qualifier of the same kind replaces the previous one where it stood.
        ("领先企业中使用旅程地图的比例是多少？", "落后企业呢？", "落后企业中使用旅程地图的比例是多少？"),
        ("2022 年门店的满意度是多少？", "那 2024 年呢？", "2024 年门店的满意度是多少？"),
        ("B2C 企业的平均 NPS 是多少？", "B2B 呢？", "B2B 企业的平均 NPS 是多少？"),
        # A referring phrase takes the previous question's topic.
        ("设立了首席体验官的银行占多少？", "这个比例在城商行中是多少？", "设立了首席体验官的银行在城商行中是多少？"),
        # A new scope for the same question.
        ("会员和非会员的复购率有什么不同？", "那线上渠道呢？", "线上渠道的会员和非会员的复购率有什么不同？"),
        # Another time replaces the previous question's.
        ("目前有多少门店开通了自助结账？", "两三年后呢？", "两三年后有多少门店开通了自助结账？"),
        ("过去三年客服团队扩大了多少？", "未来呢？", "未来客服团队扩大了多少？"),
        # Its own question is asked about the previous topic, words after the question word kept.
        (
            "有多少受访者表示门店设有体验经理？",
            "他们最常见的职责是什么？",
            "受访者表示门店设有体验经理，他们最常见的职责是什么？",
        ),
        (
            "调研为了找出好的做法，把哪一类门店拿来和差评最多的门店比较？",
            "那最后总结出几条经验？",
            "调研为了找出好的做法，把门店拿来和差评最多的门店比较，最后总结出几条经验？",
        ),
        # A clause that had no question word keeps its last character (认为 is no dangling 为).
        (
            "店长认为，只看满意度的门店最后会出现什么问题？",
            "为什么会这样？",
            "店长认为，只看满意度的门店最后会出现问题，为什么会这样？",
        ),
        # A short "how do things stand" for another group takes the last turn's measure.
        ("领先企业中有多大比例提供自助结账？", "落后企业那边情况怎样？", "落后企业中有多大比例提供自助结账？"),
        # "什么样的" goes with its question word.
        ("老板把会员运营交给什么样的人？", "这个岗位一般叫什么？", "老板把会员运营交给人，这个岗位一般叫什么？"),
        # Traditional script stays traditional.
        ("領先企業中使用旅程地圖的比例是多少？", "那落後企業呢？", "落後企業中使用旅程地圖的比例是多少？"),
    ],
)
def test_follow_ups_are_rewritten(first: str, second: str, understood: str):
    got = _after(first, second)
    assert got.rewritten and got.question == understood
    assert got.typed == second and got.report_id == "r1"


def test_english_follow_up_keeps_the_previous_question():
    got = _after("What share of CX leaders use journey maps?", "what about laggards?")
    assert got.rewritten and "journey maps" in got.question and "laggards" in got.question


def test_a_standalone_question_is_left_alone():
    for question in ("客户流失率在电信行业是多少？", "2024 年门店的平均等待时间是多少分钟？"):
        got = _after("领先企业中使用旅程地图的比例是多少？", question)
        assert not got.rewritten and got.question == question


def test_the_first_question_is_never_rewritten():
    got = understand("那落后企业呢？", None)
    assert not got.rewritten and got.question == "那落后企业呢？"


@pytest.mark.parametrize(
    ("question", "follows"),
    [
        ("那 B2B 企业呢？", True),
        ("这个比例在领先者中是多少？", True),
        ("它们为什么这样做？", True),
        ("为什么？", True),
        ("what about laggards?", True),
        ("有核心客户体验指标的组织占多少？", False),
        ("那些设立了首席体验官的银行占多少？", False),  # 那些 is a determiner, not 那…呢
        ("这些门店是怎么挑出来的？", True),  # opens on a demonstrative
        ("明年预计会到多少？", True),  # nothing of its own but when
        ("How many small shops don't have one?", True),
        ("How many small shops have one loyalty app?", False),
        ("Which roles came up most often in those teams?", True),  # a plural demonstrative points back
        ("Which channels do leading hotels use most?", False),
        ("店长可以用哪些办法来解决它？", True),  # a pronoun object at the end comes from the last turn
        ("公司设立了体验团队，怎么评估它？", False),  # … unless the question named it first
        ("门店的整体服务质量如何？", False),  # long enough to stand alone
        ("店长们靠什么扛住这种压力？", True),  # 这种 + a noun names a kind said before
        ("旺季客流猛增，店长们靠什么扛住这种压力？", False),  # … in the question itself
        ("Forrester 这份报告一共访问了多少位店长？", False),  # the report it stands beside
        ("报告是怎么解释“服务蓝图”这种工具的？", False),  # the quoted term it stands beside
        ("What NPS do these CX reports give for banks?", False),  # the library itself
        ("这份报告一共访问了多少位店长？", True),  # the report of the last answer
    ],
)
def test_is_follow_up(question: str, follows: bool):
    assert is_follow_up(parse(question)) is follows


def test_no_standalone_question_of_the_eval_sets_is_taken_for_a_follow_up():
    import json
    from pathlib import Path

    sets = sorted((Path(__file__).resolve().parent.parent / "eval").glob("*.jsonl"))
    questions = [
        json.loads(line)["question"]
        for path in sets
        if not path.name.startswith(("conversations", "open_questions"))
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    assert len(questions) >= 550
    assert [q for q in questions if is_follow_up(parse(q))] == []


def test_a_question_that_says_which_one_it_means_or_names_it_before_a_dash_stands_alone():
    assert not is_follow_up(parse("这份报告是哪一年发布的？我指的是 Qualtrics 那份讲体验管理的。"))
    assert is_follow_up(parse("这份报告是哪一年发布的？"))
    assert not is_follow_up(parse("让一线员工直接处理投诉——受访企业里采用这种做法的占多少？"))
    assert is_follow_up(parse("受访企业里采用这种做法的占多少？"))
