import pytest

from cxkb.normalize import normalize
from cxkb.qualifiers import Qualifier
from cxkb.question import asked_kind, english_names, parse, script_of, to_script


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("有核心客户体验指标的组织占多少？", "percent"),
        ("调查了多少名专业人员？", "count"),
        ("领先者的可能性是落后者的几倍？", "multiple"),
        ("调研是哪一年进行的？", "year"),
        ("How many CX professionals were surveyed?", "count"),
        ("什么是全面客户体验？", None),
        ("石油化工企业的客户流失率平均是多少？", "percent"),  # a rate is a percentage
        ("满意度提升了多少个百分点？", "percent"),
        ("人均效率提高了多少？", "figure"),  # 效率 is not a rate
        ("How much did the average company spend on CX technology?", "money"),
        ("会员续费的比例？", "percent"),  # ending on the rate it wants
        ("门店满意度的百分比代表什么？", None),  # names a share, asks what it means
        ("体验项目的预算由哪个部门掌管？", None),
        ("各渠道的占比如何？", "percent"),
        ("What share of stores offer self-checkout?", "percent"),
        ("Whom do store managers ask to share feedback?", None),  # the verb, not a share
        ("When did the hotel chain open its first loyalty desk?", "year"),
        ("The survey ran for a month. When was it published?", "year"),
        ("What should a manager check when hiring front-desk staff?", None),  # "when" as a conjunction
    ],
)
def test_asked_kind(question: str, kind: str | None):
    assert asked_kind(normalize(question)) == kind
    assert parse(question).kind == kind


def test_scripts():
    assert script_of("有核心客戶體驗指標的組織佔多少？") == "traditional"
    assert script_of("有核心客户体验指标的组织占多少？") == "simplified"
    assert script_of("How many?") == "other"
    assert to_script("客戶體驗", "simplified") == "客户体验"
    assert to_script("客户体验", "traditional") == "客戶體驗"


@pytest.mark.parametrize(
    ("question", "terms"),
    [
        ("客户体验团队的预算是多少美元？", ["预算"]),  # what is measured
        ("客户体验团队的平均预算是多少美元？", ["预算", "平均"]),  # an average, not a threshold
        ("石油化工企业的客户流失率是多少？", ["客户流失率"]),
        ("来自零售行业的有多少位？", ["行业"]),
        ("把员工体验列为“关键优先事项”的组织占多少？", ["关键优先事项", "员工体验"]),  # quoted wording
        ("把品牌体验列为较低优先级的企业占多少？", ["品牌体验"]),  # another kind of experience
        ("认为客户体验是关键优先事项的组织占多少？", []),  # customer experience is the corpus's subject
        ("在「精英」型企業中，表示由職能層面負責的比例是多少？", []),  # a short quoted label; 比例 is the figure
        ("受访者占比是多少？", []),  # 占比 splits into one-character words: nothing to require
        ("有核心客户体验指标的组织占多少？", []),  # who was counted, not what was measured
        ("客户保留率提高了多少？", []),  # a change may be worded 提升 or 增长
        ("两类门店在“员工培训投入”上相差多少个百分点？", ["员工培训投入"]),  # a difference may be worded 差距
        ("“精英”型企业的员工体验是什么样的？", []),  # not a figure question: only quotes count
        ("How much did the average company spend on CX?", []),  # English meets Chinese text
    ],
)
def test_required_terms(question: str, terms: list[str]):
    assert list(parse(question).required) == terms


def test_a_question_is_read_once_into_its_parts():
    q = parse("  過去三年內，領先者中建立了客戶體驗小組的組織佔多少？ ")
    assert q.text.startswith("過去") and q.script == "traditional"
    assert q.norm == normalize(q.text)
    assert q.kind == "percent"
    assert {x.kind for x in q.qualifiers} == {"window", "direction", "group", "experience"}
    assert Qualifier("experience", "客户体验") in q.qualifiers  # not 员工体验
    assert Qualifier("window", "3 year") in q.qualifiers
    assert "领先者" in q.tokens or "领先" in q.tokens


def test_an_english_question_keeps_only_its_years_and_experience_and_searches_with_glossary_terms():
    q = parse("What share of companies had a CX team in 2021?")
    assert q.english and q.script == "other"
    assert [x.kind for x in q.qualifiers] == ["year", "experience"]  # CX: customer, not employee, experience
    assert parse("How many leaders increased their CX budget over the past three years?").qualifiers == (
        Qualifier("experience", "客户体验"),
    )  # English window and direction words are not matched against Chinese text
    assert q.required == ()
    assert "2021" in q.specifics
    assert any("\u4e00" <= ch <= "\u9fff" for t in q.keywords for ch in t)  # glossary's Chinese terms


def test_specifics_are_latin_names_years_and_chinese_names():
    q = parse("贝恩公司 2019 年调查中，forrester 说了什么？")
    assert "2019" in q.specifics and "forrester" in q.specifics and "贝恩" in q.specifics


def test_an_open_question_needs_only_names_proper_in_the_corpus():
    # jieba's dictionary calls 权衡 a person and CRM is an abbreviation: neither must occur for passages to
    # discuss the question; an organisation (海尔公司) still must.
    assert parse("会员数据散在 CRM 里，这两种做法怎么权衡？").specifics == ()
    assert "海尔" in parse("海尔公司推行会员制采取了哪些做法？").specifics
    assert "forrester" not in parse("Forrester 建议门店如何衡量体验？").specifics  # Latin: a term as often as a name
    assert "forrester" in parse("Forrester 的门店满意度是多少？").specifics  # a factual question keeps it
    assert "权衡" in parse("权衡报告里的满意度是多少？").specifics  # a factoid question keeps every name


def test_a_common_word_jieba_calls_a_proper_noun_is_no_name():
    # 汇报 and 普通 carry jieba's nz tag; a corpus that never says them can still answer the question.
    q = parse("向董事会汇报门店的普通会员满意度时，应该怎么讲？")
    assert "汇报" not in q.specifics and "普通" not in q.specifics


@pytest.mark.parametrize(
    ("question", "open_"),
    [
        ("门店应该如何减少排队时间？", True),
        ("为什么会员复购率在下降？", True),
        ("线上渠道和线下渠道各有什么利弊？", True),
        ("提升一线员工服务意识有哪些办法？", True),
        ("门店人手不够时，有哪些缩短排队的办法？", True),  # words between 哪些 and 办法
        ("面对差评，客服团队可以采取哪些具体的补救措施？", True),
        ("How should a bank start measuring customer effort?", True),
        ("What can small retailers learn from the leaders?", True),
        ("净推荐值如何计算？", False),  # a definition
        ("会员复购率是多少？", False),  # a figure
        ("哪家银行的净推荐值最高？", False),
        ("这家咨询公司把客户忠诚度定义为什么？", False),  # 定义为 + 什么: "defined as what"
        ("一线员工最看重什么？他们认为什么最难？", False),
        ("这种回访方式被称为什么？", False),
        ("因为什么原因老顾客不再回来？", True),
        # what should be done, a choice to weigh, what goes wrong, what someone does
        ("开新店时，选址和装修分别该抓什么？", True),
        ("预算不多，是该先做会员体系还是先改善排队？", True),
        ("只看好评率来考核店长会出什么问题？", True),
        ("投诉越来越多，问题可能出在哪？", True),
        ("一个好的值班经理平时会做哪些事？", True),
        ("Should we outsource the call centre or keep it in-house?", True),
        ("What do the best-rated hotels do differently?", True),
        ("该报告调查了多少家门店？", False),  # 该 as "this"
        ("该指标是什么？", False),
        # whether to do something, which of two ways is better, who should own it, in which respects things differ
        ("门店要不要给老会员单独设一条快速通道？", True),
        ("夜班客服该不该外包？", True),
        ("把投诉热线换成在线表单，会不会让顾客更不满？", True),
        ("店长人选是内部提拔还是外部招聘比较好？", True),
        ("会员积分到底该归谁管？市场部还是运营部？", True),
        ("连锁店和单体店在服务上的差别主要在哪些方面？", True),
        ("门店考核涵盖哪些方面的指标？", False),  # which aspects, listed in one sentence
        ("顾客更常用电话还是网页来投诉？", False),  # a choice of facts, not of what is better
        # what to watch out for, which traps, where to start, what something helps with
        ("开会员店之前，有哪些需要注意的地方？", True),
        ("做门店数字化容易踩哪些坑？", True),
        ("服务改进该从哪里入手？", True),
        ("新店开业前，我们该先从哪几方面准备？", True),
        ("智能客服在售后环节能帮上什么忙？", True),
        ("What usually gets in the way of a loyalty programme?", True),
        ("Any advice for a hotel starting to measure guest effort?", True),
        ("Where should a small chain start with service design?", True),
        ("投诉率上升的主要原因是什么？", False),  # a report states the main reasons
        ("门店只看好评率，够不够？", True),
        ("店长在服务改进中扮演什么角色？", True),
        ("会员体系在连锁店和单体店之间的差异主要体现在哪些方面？", True),
        # colloquial why and how, how things differ, what something should be defined as
        ("会员复购为啥上不去", True),
        ("门店排队咋解决", True),
        ("點樣可以令病人覆診更順暢？", True),  # Cantonese how
        ("有哪些排班做法值得參考？", True),
        ("线上和线下的服务标准有什么不一样？", True),
        ("What actually differs between the best and the worst branches?", True),
        ("设立体验经理的话，应如何界定其职责边界？", True),
        ("有人把体验定义成情绪管理。到底该怎么理解才能落地？", True),  # the definition is context
        ("“首次解决率”如何界定？", False),  # a definition
        ("好的店长平时都在做些什么？", True),
        ("连锁酒店有哪些经验值得我们借鉴？", True),
        # a request to sort out or sum up, likenesses and differences, what follows from it, angles, a question
        # mark left off
        ("请结合几家连锁店的做法梳理一下会员运营的思路", True),
        ("几家酒店的服务标准有哪些异同？", True),
        ("这些做法对我们门店有何参考价值？", True),
        ("店长和区域经理各自从什么角度看服务质量？", True),
        ("门店服务该由店长亲自抓还是交给客服部为宜？", True),
        ("What does good service leadership look like in a small chain?", True),
        ("What typically derails a store refurbishment?", True),
        ("调研一共归纳出几种服务模式？", False),  # 归纳 as the report's verb, a count asked
        ("会员复购率平均是多少", False),  # no question mark, still a figure
        # the asker's own situation, and no figure, name or date asked: advice
        ("我们门店好评不少，回头客却越来越少。背后的原因是什么？", True),
        ("我们的会员复购率是 20%，行业平均是多少？", False),
        ("我们想知道哪家银行最先设立了体验官？", False),
        ("We're about to survey our guests. Which questions did the hotel study ask?", False),
        # Context sentences before the question do not make it a figure question.
        ("我们做会员已经好几年了，复购还是上不去。为什么？", True),
        ("门店员工几乎不看顾客评价，怎么让他们重视起来？", True),
        ("我们做会员已经好几年了。会员复购率平均是多少？", False),
        # where two kinds of shop differ, asked bluntly; money named but no amount asked
        ("排队短的门店和排队长的门店到底差在哪？", True),
        ("线上会员和线下会员的区别在哪", True),
        ("How do good hotel chains justify what they spend on staff training?", True),
        ("How much do hotel chains spend on staff training?", False),
        ("What is the average training budget in dollars?", False),
    ],
)
def test_open_questions(question: str, open_: bool):
    assert parse(question).asks_open is open_


def test_english_names_are_weighed_words():
    q = parse("How many years did Maria Chen's team at ACME spend on the NPS programme for CEOs?")
    assert english_names(q.text) == ["maria", "chen", "acme", "nps", "ceo"]
    assert {"maria", "chen", "acme"} <= set(q.tokens)
    assert "how" not in q.tokens and "many" not in q.tokens


@pytest.mark.parametrize(
    "question", ["这份报告的中文译者是谁？", "这份报告是谁翻译的？", "Who translated the hotel survey into Chinese?"]
)
def test_asking_who_translated_a_report_asks_for_its_byline(question: str):
    assert parse(question).provenance


def test_english_cx_words_reach_chinese_terms():
    words = parse("Which channels show the largest gap between leaders and laggards?").tokens
    assert "差距" in words and "渠道" in words


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("这家连锁店的会员体系覆盖了哪几类顾客？", None),  # 哪几 asks which, not how many
        ("我们做会员已经好几年了，复购率一直是多少？", "percent"),  # 好几年 is no count
        ("门店员工几乎不看评价，这个比例是多少？", "percent"),
        ("会员体系覆盖了几类顾客？", "figure"),
        ("会员活动应该由店长负责，还是几个部门一起负责？", None),  # a bare 几 in an open question
        ("我们应该开几家新店才能覆盖全城？", None),
        ("为什么复购率下降了几个百分点？", "percent"),  # an amount asked outright stays a figure question
        ("每家门店应该配多少个收银台？", "count"),
    ],
)
def test_a_ji_that_counts_nothing_asked_is_no_figure_question(question: str, kind: str | None):
    assert parse(question).kind == kind


def test_a_case_named_in_the_question_is_framing_not_what_is_asked_about():
    assert "案例" not in parse("某连锁超市的案例中，新店员的培训时间缩短了多少？").nouns


def test_a_share_of_a_named_whole_asks_a_percentage():
    # 占…多少 asks what share of the whole, however many words name the whole.
    assert parse("实现两位数增长的公司占受访公司的多少？").kind == "percent"
    assert parse("投诉处理超时的门店占全部门店多少？").kind == "percent"
    assert parse("门店有多少家？").kind != "percent"


def test_how_many_years_asks_a_duration():
    assert parse("How many years of consulting experience does the author have?").kind == "duration"
    assert parse("How many stores did the survey cover?").kind == "count"


def test_the_phrase_naming_the_study_gives_its_source_words():
    assert "澄观" in parse("在澄观的超市调研里，会员制仓储店的NPS是多少？").source
    assert "石化" in parse("石化调研中来自北美的受访高管占多少？").source
    assert "北美" not in parse("石化调研中来自北美的受访高管占多少？").source
    assert parse("来自北美的受访高管占多少？").source == ()
    assert parse("What share of Acme's stores were surveyed?").source == ()


def test_a_trade_named_is_a_specific_of_a_factual_question_only():
    assert "钢铁" in parse("钢铁行业的 B2B 企业中，能提供无缝体验的比例是多少？").specifics
    assert "钢铁" not in parse("钢铁行业应该如何改善客户体验？").specifics  # an open question's topic


def test_an_english_questions_nouns_are_the_glossarys_chinese_for_its_terms():
    q = parse("How many European customers did the survey cover?")
    assert "欧洲" in q.nouns
    # A term the glossary gives two words for may be called either: it is not a noun a sentence must state.
    assert "薪酬" not in parse("What is the typical salary of a store manager?").nouns


def test_better_by_how_many_times_asks_a_multiple():
    assert parse("会员店的复购率比普通门店好几倍？").kind == "multiple"
    assert parse("好几倍的增长来自哪些渠道？").kind is None  # "several times": no amount asked


def test_an_english_question_searches_with_the_dictionary_words():
    q = parse("Should we rent skills from outside partners?")
    assert "租赁" in q.keywords and "租赁" in q.tokens
    # A Chinese question is never looked up: its words are the reports' words.
    assert not set(parse("我们应该租赁技能吗？").keywords) & {"建设", "人才"}


def test_a_cantonese_question_is_read_in_mandarin():
    q = parse("點樣先可以令前線同事覺得客戶體驗關佢哋事？")
    assert q.text == "點樣先可以令前線同事覺得客戶體驗關佢哋事？"  # shown as typed
    assert "怎样" in q.norm and "他们" in q.norm and "佢" not in q.norm
    assert q.asks_open
    assert parse("佢哋幾多人參與咗調查？").kind == "count"  # 幾多: how many
    assert "关系" in parse("兩件事有冇關係？").norm  # 關係 holds 係 (is) and stays
    # Without a word only Cantonese uses, 係 and 仲 are Mandarin (關係, 仲裁) and nothing is rewritten.
    assert parse("仲裁機構的體系是什麼？").norm == normalize("仲裁機構的體系是什麼？")


@pytest.mark.parametrize(
    "question",
    [
        "一般公司的客户体验做到什么程度了？是不是大家都差不多？",  # how far: extent, not which one
        "我哋公司做到去邊個程度先算合格？",  # Cantonese 邊個 is 哪个, and 哪个程度 still asks how far
        "只听几个大客户的意见有啥风险？",  # 啥 is 什么
        "这个理念对企业经营到底有什么实实在在的好处？",  # what good it does
    ],
)
def test_how_far_what_good_and_colloquial_what_ask_open_questions(question: str):
    assert parse(question).asks_open


def test_colloquial_what_still_asks_for_a_fact():
    assert parse("这份调研是啥时候做的？").kind == "year"
    assert not parse("哪个部门负责客户体验？").asks_open  # which one: a fact
