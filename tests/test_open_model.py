"""The learned open-question detector: the shipped model, its guard, and (slow) what it reads on the real model.
Questions are made up here, outside every eval set."""

from __future__ import annotations

import numpy as np
import pytest

from cxkb.open_model import fit, load, open_model, open_probability
from cxkb.question import as_open, could_be_open, parse
from cxkb.settings import DEFAULT_MODEL


def test_the_shipped_model_reads_the_default_models_vectors():
    model = open_model()
    assert model.model == DEFAULT_MODEL and model.coef.shape == (384,)
    assert 0.5 <= model.threshold < 1.0 and model.info["refit"] == "cxkb bench open --fit"
    assert not any(name.startswith(("heldout", "blind", "open_questions10")) for name in model.info["fitted_on"])
    vec = np.ones(384, dtype=np.float32) / np.sqrt(384)
    assert 0.0 <= open_probability(vec, DEFAULT_MODEL) <= 1.0
    # Under another embedding model (a test index's hash embedder) it says nothing.
    assert open_probability(vec, "hash:64") is None and open_probability(vec[:64], DEFAULT_MODEL) is None


def test_an_unreadable_model_file_says_how_to_refit(tmp_path):
    from cxkb.errors import ConfigError

    bad = tmp_path / "open.json"
    bad.write_text("{", encoding="utf-8")
    with pytest.raises(ConfigError, match="cxkb bench open --fit"):
        load(bad)


def test_fit_separates_two_clusters():
    rng = np.random.default_rng(0)
    a = rng.normal(1.0, 0.2, (40, 8))
    b = rng.normal(-1.0, 0.2, (40, 8))
    model = fit(np.vstack([a, b]), [1] * 40 + [0] * 40, "m", 0.6, c=1.0)
    assert model.probability(a[0]) > 0.9 > 0.1 > model.probability(b[0])


@pytest.mark.parametrize(
    ("question", "may"),
    [
        ("帮我梳理一下门店服务改进的思路", True),
        ("Walk me through how hotels rebuild guest trust.", True),
        ("会员复购率是多少？", False),  # a figure
        ("哪家银行最先设立了体验官？", False),  # a name
        ("第二阶段的门店有什么特点？", False),  # an ordinal
        ("“体验分”是什么意思？", False),  # a definition
        ("这份报告是谁写的？", False),  # a byline
        ("When did the chain open its first store?", False),
    ],
)
def test_only_questions_asking_for_no_figure_or_name_may_be_read_as_open(question: str, may: bool):
    assert could_be_open(parse(question)) is may


def test_read_as_open_only_names_proper_must_be_known():
    q = parse("讲讲 CRM 系统对门店服务的帮助")
    assert "crm" in q.specifics and not q.asks_open  # a factual question names what the corpus must know
    opened = as_open(q)
    assert opened.asks_open and "crm" not in opened.specifics and opened.tokens == q.tokens


@pytest.mark.slow
def test_on_the_real_model_advice_reads_open_and_a_fact_does_not():
    from cxkb.embed import get_embedder
    from cxkb.normalize import normalize

    embedder = get_embedder(DEFAULT_MODEL)
    threshold = open_model().threshold
    advice = ["帮我梳理一下门店服务改进的思路", "What are the lessons for hotels that want to rebuild guest trust?"]
    facts = ["门店满意度调查的样本来自什么渠道", "The survey covered stores in which regions?", "酒店去年的平均入住率"]
    for text in advice:
        assert open_probability(embedder.embed_queries([normalize(text)])[0], DEFAULT_MODEL) >= threshold, text
    for text in facts:
        assert open_probability(embedder.embed_queries([normalize(text)])[0], DEFAULT_MODEL) < threshold, text


def test_read_as_open_only_years_and_chinese_names_proper_in_the_asking_sentences_count():
    # The asker's own situation names what no report need mention; English terms mixed in are no names.
    assert parse("我在一家商务酒店做总经理。打破部门壁垒有哪些做法？").specifics == ()
    assert parse("我们想建立 persona。领先的企业是怎么落实的？").specifics == ()
    assert parse("SaaS 公司的 Founder 该怎么带 CX 团队？").specifics == ()  # English terms mixed in
    assert parse("2019 年以后门店该怎么调整 NPS 的用法？").specifics == ("2019",)
    assert parse("麦肯锡公司建议企业如何做客户体验？").specifics == ("麦肯锡公司",)  # one word with its 公司
    assert parse("会员满意度该怎么拉高？").specifics == ()  # jieba calls 拉高 a transliterated name


def test_an_open_questions_quoted_phrase_is_its_topic_not_wording_to_repeat():
    assert parse("“设计思维”在门店服务里该怎么落地？").required == ()
    assert "设计思维" in parse("“设计思维”在门店服务里的采用率是多少？").required
