"""Qualifiers: a sentence that states a fact under another window, year, stage, direction or group does not
answer the question; one that does not repeat the qualifier, or compares both groups, does not contradict it.
Cases are made up here, outside every eval set."""

from __future__ import annotations

import pytest

from cxkb.qualifiers import Qualifier, conflicts, qualifiers


@pytest.mark.parametrize(
    ("question", "sentence", "kind"),
    [
        ("两年内换过手机银行的客户占多少？", "一年内更换手机银行的客户占 18%。", "window"),
        ("过去三个月投诉过的顾客有多少？", "过去六个月内投诉过的顾客占 12%。", "window"),
        ("会员满两年或以上的用户复购率是多少？", "会员期为期半年的用户复购率为 31%。", "window"),
        ("三年内开通过线上账户的家庭占多少？", "有 44% 的家庭开通线上账户已有一年或更长。", "window"),
        ("2022 年门店的满意度是多少？", "2024 年门店满意度为 70%，2023 年为 66%。", "year"),
        ("处于第四阶段的企业占多少？", "处于第二阶段的企业占 40%，第三阶段占 25%。", "stage"),
        ("取消了会员积分的商家占多少？", "有 35% 的商家设立了会员积分。", "direction"),
        ("客诉量减少的门店占多少？", "客诉量增加的门店占 22%。", "direction"),
        ("落后企业中使用旅程地图的比例？", "61% 的领先企业使用旅程地图。", "group"),
        ("B2C 企业的平均 NPS 是多少？", "B2B 企业的平均 NPS 为 21。", "group"),
        ("非领先企业中设立体验官的比例是多少？", "领先企业中有 58% 设立了体验官。", "group"),
        (
            "未来五年内会开设自提点的门店占多少？",
            "在接下来的两到三年中，开设自提点的门店将从 30% 增加到 45%。",
            "window",
        ),
        ("去年砍掉了会员日的超市占多少？", "去年新设会员日的超市占 12%。", "direction"),
        # A change asked about, and a sentence that states only a level: how many have one, not who set one up.
        ("过去一年撤掉了体验官的银行占多少？", "有 62% 的银行设有一名体验官。", "direction"),
        ("计划减少门店数量的零售商占多少？", "零售商平均拥有 48 家门店。", "direction"),
    ],
)
def test_another_qualifier_conflicts(question: str, sentence: str, kind: str):
    found = conflicts(qualifiers(question), sentence, figure=True)
    assert found and found[0].startswith(kind), found


@pytest.mark.parametrize(
    ("question", "sentence"),
    [
        ("三年内流失的客户占多少？", "三年内流失的客户占 27%。"),  # the same window
        ("三年内流失的客户占多少？", "流失的客户占 27%。"),  # not repeated: the passage may establish it
        ("一年内流失的客户占多少？", "30 天内流失的客户占 5%。"),  # other units: not judged
        ("落后企业的 NPS 是多少？", "领先企业的 NPS 为 40，而落后企业仅为 12。"),  # both groups
        ("B2B 企业的平均分是多少？", "其平均分不到 50 分，而 B2C 企业则在 65 到 85 分之间。"),  # compares
        ("不满意的顾客占多少？", "不满意的顾客占 9%。"),  # 不满意 is not 满意
        ("增加了预算的企业占多少？", "增加了预算的企业占 41%，减少的占 9%。"),  # both directions named
        ("未来两三年会增加自提点的门店占多少？", "接下来的两到三年，增加自提点的门店占 45%。"),  # a range, either way
        ("预计会增加到多少？", "将从 40% 提高到 55%。"),  # the same change, another word
        ("满意度提升了多少？", "满意度从 64% 升至 71%。"),
        # A comparison is said in too many ways to ask for its words: only changes need theirs.
        ("哪些渠道上差评多于好评？", "更多的组织通过自助电话提供“差”的体验，而不是“好”的体验。"),
    ],
)
def test_same_or_unstated_qualifier_does_not_conflict(question: str, sentence: str):
    assert conflicts(qualifiers(question), sentence, figure=True) == []


def test_a_question_asking_no_figure_needs_no_change_stated():
    # How to raise satisfaction asks for no figure: the passages that discuss it need not say 提升.
    assert conflicts(qualifiers("门店应该如何提升顾客满意度？"), "顾客最在意结账是否顺畅。") == []
    assert conflicts(qualifiers("满意度提升了多少？"), "顾客满意度为 71%。", figure=True)


def test_year_in_the_report_head_counts_for_every_sentence():
    asked = qualifiers("2024 年超市顾客的满意度是多少？")
    sentence = "满意度为 71%，比上一轮（2022 年）上升了 4 个百分点。"
    assert conflicts(asked, sentence)
    assert conflicts(asked, sentence, context="2024 超市顾客体验调研\n作者：某某 · 2024年3月12日") == []


def test_qualifiers_are_normalised():
    # Traditional script and full-width digits read like their simplified, half-width forms.
    assert Qualifier("window", "3 year") in qualifiers("過去３年內")
    assert Qualifier("stage", "3 阶段") in qualifiers("第三階段")
    assert Qualifier("year", "2023") in qualifiers("２０２３年")


def test_a_year_is_not_a_window():
    assert qualifiers("2019 年以上的数据") == [Qualifier("year", "2019")]


def test_a_figure_about_employee_experience_is_not_one_about_customer_experience():
    asked = qualifiers("What share of respondents said customer experience is a low priority?")
    assert conflicts(asked, "员工体验在 25% 的受访企业中是较低的优先级。")
    assert not conflicts(asked, "客户体验在 10% 的受访企业中是较低的优先级。")
    # A sentence naming both compares them: it does not speak of the other kind only.
    assert not conflicts(asked, "员工体验和客户体验同样是较低的优先级（25%）。")
    ex = qualifiers("有核心员工体验指标的组织占多少？")
    assert conflicts(ex, "87% 的受访者表示他们的组织有一个核心的客户体验指标。")
    # A report titled for customer experience does not place a sentence about its employees.
    assert conflicts(asked, "员工体验在 25% 的受访企业中是较低的优先级。", "2021 客户体验管理报告")


def test_a_comparison_names_the_asked_group_as_its_other_side_only_when_it_is_the_asked_comparison():
    leaders = qualifiers("石化领先企业的客户体验指数平均分是多少？")
    # 其 is the B2B side of a B2B/B2C comparison, not the leaders.
    assert conflicts(leaders, "其客户体验指数平均分不到 50 分，而 B2C 企业则通常在 65 到 85 分之间。")
    assert not conflicts(leaders, "其比例为 50%，而落后者只有 20%。")


def test_a_quoted_group_label_is_a_group():
    assert Qualifier("group", "精英型") in qualifiers("「精英」型企業裡由單一主管負責的比例是多少？")
    assert conflicts(qualifiers("“业余”型企业占多少？"), "“精英”型企业占 12%。")
