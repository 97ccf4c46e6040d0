import re
import time

from cxkb.segment import cut, keyword_tokens, tokenize


def test_domain_terms_kept_whole_and_split_for_search():
    tokens = tokenize("净推荐值和首席客户官负责全渠道接触点")
    for term in ["净推荐值", "首席客户官", "全渠道", "接触点"]:
        assert term in tokens


def test_cross_script_tokens_match():
    assert tokenize("客戶體驗指標") == tokenize("客户体验指标")


def test_stopwords_and_punctuation_dropped():
    tokens = tokenize("我们的客户体验是什么？")
    assert "的" not in tokens and "？" not in tokens and "?" not in tokens
    assert "客户体验" in tokens


def test_not_the_english_regex_tokenizer():
    # bm25s's default regex would keep the whole Chinese run as one token.
    assert len(tokenize("客户体验管理报告")) > 1


def test_pathological_input_is_bounded():
    start = time.perf_counter()
    tokens = tokenize("中国" * 100_000)
    assert tokens and time.perf_counter() - start < 30


def test_english_question_gets_chinese_search_terms():
    from cxkb.segment import english_expansion

    terms = english_expansion("How much more likely are elite organizations to solicit employee feedback?")
    for term in ["精英", "员工", "反馈", "征求", "可能性"]:
        assert term in terms
    assert english_expansion("有核心客户体验指标的组织占多少？") == []
    # the longest phrase wins: "customer experience" is one term, not "customer" + nothing
    assert "客户体验" in english_expansion("customer experience")


def test_english_words_the_glossary_lacks_are_looked_up_in_the_dictionary():
    from cxkb.segment import dictionary_terms

    # Inflected forms find the dictionary's base sense (investors ~ investor 投资者, talented ~ talent 人才).
    terms = dictionary_terms("Do investors reward patience, and where do leaders find talented people?")
    for term in ["投资者", "耐心", "人才"]:
        assert term in terms
    # Stop and question words, and the glossary's CX terms, are not looked up; Chinese text has no English words.
    assert dictionary_terms("What is customer experience?") == []
    assert dictionary_terms("which of them, and why") == []
    assert dictionary_terms("有核心客户体验指标的组织占多少？") == []


def test_every_glossary_phrase_has_a_latin_letter():
    # english_expansion skips a text without one, so a phrase without one would never be matched.
    from importlib import resources

    lines = (resources.files("cxkb") / "data" / "en_zh.tsv").read_text(encoding="utf-8").splitlines()
    phrases = [line.split("\t")[0].strip().lower() for line in lines if line.strip() and not line.startswith("#")]
    assert phrases and all(re.search("[a-z]", p) for p in phrases)


def test_cut_gives_whole_words_in_order():
    from cxkb.segment import cut

    assert cut("客戶體驗團隊的平均預算是多少？")[-4:] == ["平均", "预算", "是", "多少"]
    assert "，" not in cut("客户体验，预算")


def test_chinese_names():
    from cxkb.segment import chinese_names

    assert "贝恩" in chinese_names("贝恩公司的调查显示")
    assert "麦肯锡" in chinese_names("麥肯錫認為")  # either script
    assert chinese_names("过去一年中有多少组织新建了集中的客户体验小组？") == []  # 新建 is no place here


SAMPLES = [
    "87% 的受访者表示他们的组织有一个核心的客户体验指标,三分之二的受访者使用 NPS 作为他们的核心指标。",
    "我們與《首席執行官》雜誌合作,收集了超過 550 位 CEO 的相關反饋。",
    "麦肯锡和贝恩的报告说卓越的净推荐值来自首席客户官",
    "过去一年中有多少组织新建了集中的客户体验小组？",
]


def test_the_cached_table_cuts_and_tags_exactly_as_jieba_s_own_dictionary():
    from cxkb import segment

    own = segment._loaded_tokenizer()  # jieba's dictionary, user dictionary and tags, loaded the slow way
    tagger = segment._posseg().POSTokenizer.__new__(segment._posseg().POSTokenizer)
    tagger.tokenizer = own
    tagger.load_word_tag(own.get_dict_file())
    fast, fast_tagger = segment._tokenizer(), segment._tagger()
    assert fast.total == own.total
    for text in SAMPLES:
        assert fast.lcut_for_search(text) == own.lcut_for_search(text)
        assert fast.lcut(text) == own.lcut(text)
        assert [tuple(p) for p in fast_tagger.lcut(text)] == [tuple(p) for p in tagger.lcut(text)]


def test_a_corrupt_or_missing_jieba_table_is_rebuilt():
    from cxkb import segment
    from cxkb.lookup import cache_path

    expected = [tokenize(t) for t in SAMPLES]
    path = cache_path("jieba.table")
    for damage in (lambda: path.write_bytes(path.read_bytes()[:1000]), path.unlink):
        damage()
        segment._table.cache_clear()
        segment._tokenizer.cache_clear()
        try:
            assert [tokenize(t) for t in SAMPLES] == expected
            assert path.is_file() and segment._table().rows > 100_000
        finally:
            segment._tokenizer.cache_clear()


def test_whole_dictionary_for_builds_cuts_as_the_table_does():
    from cxkb import segment

    lines = [
        "87% 的受访者表示他们的组织有一个核心的客户体验指标，三分之二的受访者使用 NPS 作为他们的核心指标。",
        "首席客户官与净推荐值：麦肯锡和贝恩的研究显示，客户旅程管理提升了留存率。",
        "沈默的用户在社交媒体上留下了一目瞭然的评价。",
    ]
    segment._tokenizer.cache_clear()
    try:
        before = [segment.tokenize(line) for line in lines]
        assert not isinstance(segment._tokenizer().FREQ, dict)  # the query path reads the table
        segment.load_whole_dictionary()
        assert isinstance(segment._tokenizer().FREQ, dict)
        assert [segment.tokenize(line) for line in lines] == before
    finally:
        segment._tokenizer.cache_clear()


def test_nouns_are_what_a_question_asks_about():
    from cxkb.segment import nouns

    found = nouns("北美地区通过聊天机器人联系客服的顾客占多少？")
    assert "北美地区" in found and "聊天机器人" in found and "顾客" in found
    assert "多少" not in found and "通过" not in found
    assert nouns("歐洲零售商") == nouns("欧洲零售商")  # either script


def test_a_line_break_space_inside_a_chinese_word_does_not_split_it():
    # A PDF scrape's line wraps: 高 管 is 高管, 全 渠道 is 全渠道; a space beside Latin text still separates.
    words = tokenize("石油化工行业高 管开展了调研，全 渠道体验")
    assert "高管" in words and "全渠道" in words and "高" not in words
    assert "高管" in keyword_tokens("受访高 管")
    assert cut("IBV 与牛津经济研究院携手 合作") == ["ibv", "与", "牛津", "经济", "研究院", "携手", "合作"]


def test_trades_named_in_a_question():
    from cxkb.segment import trades

    assert trades("钢铁行业的企业中，提供全渠道体验的比例？") == ["钢铁"]
    assert trades("金融服务业受访者里领先者占多少？") == ["金融服务"]  # 服务业 takes the noun before it
    assert trades("石油化工行业的领先者") == ["石油化工"]
    assert trades("零售业的净推荐值") == ["零售"]
    assert trades("企业的专业能力与服务业") == []  # 企业, 专业 name no trade; 服务业 alone names none


def test_a_place_and_a_firm_word_is_a_kind_of_firm_not_a_name():
    from cxkb.segment import chinese_names

    assert chinese_names("哪家美国公司把市场部撤了？") == []
    assert chinese_names("中国银行的手机银行好用吗？") == ["中国银行"]  # a bank's name
    assert chinese_names("麦肯锡公司的报告") == ["麦肯锡公司"]


def test_places_are_named_places_used_as_places():
    from cxkb.segment import places

    assert places("亚太区受访者里认为客户体验应由谁负责的比例是多少？") == ["亚太区"]
    assert places("来自北美的受访高管占多少？") == ["北美"]
    assert places("中东地区的企业占多少？") == ["中东地区"]
    # jieba's dictionary tags 新建 (also a county) and 满意度 ns: neither is a place here.
    assert places("过去一年中有多少组织新建了集中的小组？") == []
    assert places("满意度最高的渠道是哪个？") == []


def test_a_crew_named_by_its_work_is_no_organisation():
    from cxkb.segment import chinese_names

    # jieba tags 施工队 an organisation (nt): a kind of team, which a report need not name for its passages to
    # discuss an open question about it.
    assert chinese_names("想给施工队和装修师傅做个下单小程序", strict=True) == []
    assert chinese_names("中国银行的手机银行好用吗？", strict=True) == ["中国银行"]
