"""The cleaner on real noise from the five seed reports.

Excerpts are copied verbatim from ``corpus/`` so each test shows the noise it
is about; the whole-file tests at the end check every seed end to end.
"""

# The excerpts are real lines, long lines and trailing spaces included.
# ruff: noqa: W291, W293

from __future__ import annotations

from pathlib import Path

import pytest

from cxkb.clean import clean

CORPUS = Path(__file__).resolve().parent.parent / "corpus"


def _seed(prefix: str) -> str:
    (path,) = CORPUS.glob(f"{prefix}_*.txt")
    return path.read_text(encoding="utf-8")


# --- web page furniture (004, 中国营销传播网) ---------------------------------------------------------------

HEAD_004 = """中国营销传播网 频道导航
在线投稿     

会 员 区 网站地图
首页 动态 文库 知识 资讯 社区 服务

高级搜索

EMKT营销文库
最新文章 最热文章
读者推荐 全部文章
麦肯特培训课程

麦肯特提供优秀的营销与管理培训课程、内训与咨询:

* 领导者之剑 - 突破思维
* 情境领导 经理人之培训





专题 | 精品 | 行业 | 专栏 | 关注 | 新营销 | 战略 | 策略 | 实务 | 案例 | 品牌 | 企划 | 企业与人
中国营销传播网 > 经营战略 > 企业方法 > 全面客户体验--持续盈利的卓越之道

全面客户体验--持续盈利的卓越之道


中国营销传播网, 2003-06-04, 作者: 王成, 访问人数: 5126


  仿佛在一夜之间,“客户体验”(Customer Experience)这个词就传遍了世界。戴尔公司的办公室座右铭是:“客户体验:把握它”。

  面临着新的经营环境和竞争范式,越来越多的企业开始想方设法寻找新的途径,以维持企业的盈利能力。
"""

TAIL_004 = """  商业模式是企业创造营业收入的体系,是企业重要的竞争力量。惠普公司对全面客户体验的定义是,通过提供服务体验、购买体验、使用体验及应用体验,让战略性的细分目标客户感受到一种个性化的、与众不同的体验,并围绕以客户为中心和为客户提供全面体验的思想构筑相应的运营模式,旨在让客户得到全面、优质的服务。


1 2 页    下页:全面客户体验是持续盈利的成功实践 8




欢迎作者投稿,投稿即表明您已阅读并接受本站投稿协议(http://www.emkt.com.cn/article/send.shtml)
本网刊登的文章均仅代表作者个人观点,并不代表本网立场。文中的论述和观点,敬请读者注意判断。


相 关 文 章(共9篇)
*购买关键时刻--您是否在交付有效的购买体验 (2008-09-25, 中国营销传播网,作者:李翊玮)
*“史泰博”的非品牌客户体验 (2006-09-11, 中国营销传播网,作者:李翊玮)
*为盈利增长拓展新范式 (2003-06-04, 中国营销传播网,作者:王成)


主页关于麦肯特关于网站招聘信息广告服务联系方法

版权所有©2000-2021 深圳市麦肯特企业顾问有限公司
麦肯特®、EMKT®、情境领导® 均为深圳市麦肯特企业顾问有限公司的注册商标

未经书面明确许可,本网站所有内容禁止任何形式的复制和转载
如有任何意见或建议,欢迎与我们联系


本页更新时间: 2024-11-25 05:08:53"""


def test_navigation_menus_ads_and_breadcrumb_are_dropped_title_kept() -> None:
    cleaned = clean(HEAD_004, kind="html-text")
    lines = cleaned.text.split("\n")
    assert lines[0] == "全面客户体验--持续盈利的卓越之道"
    assert lines[1] == "2003-06-04, 作者: 王成"  # the byline, without the site's name and hit counter
    assert lines[2].startswith("仿佛在一夜之间,“客户体验”(Customer Experience)")
    for noise in ("频道导航", "网站地图", "首页 动态", "麦肯特", "领导者之剑", "专题 | 精品", "中国营销传播网 >"):
        assert noise not in cleaned.text
    assert cleaned.removed["navigation"] > 0
    assert cleaned.removed["ads"] > 0


def test_byline_keeps_author_and_date_without_its_hit_counter() -> None:
    cleaned = clean(HEAD_004, kind="html-text")
    assert "访问人数" not in cleaned.text and "5126" not in cleaned.text
    assert "2003-06-04, 作者: 王成" in cleaned.text.split("\n")
    assert cleaned.removed["byline_counter"] == len(", 访问人数: 5126")
    assert ("byline", "中国营销传播网, 2003-06-04, 作者: 王成") in cleaned.dropped  # recorded for the catalogue


def test_indentation_is_removed() -> None:
    cleaned = clean(HEAD_004, kind="html-text")
    assert "\n面临着新的经营环境" in cleaned.text
    assert "  " not in cleaned.text
    assert cleaned.removed["whitespace"] > 0


def test_pagination_related_articles_and_copyright_footer_are_dropped() -> None:
    cleaned = clean(TAIL_004)
    assert cleaned.text == (
        "商业模式是企业创造营业收入的体系,是企业重要的竞争力量。惠普公司对全面客户体验的定义是,通过提供服务体验、"
        "购买体验、使用体验及应用体验,让战略性的细分目标客户感受到一种个性化的、与众不同的体验,并围绕以客户为中心"
        "和为客户提供全面体验的思想构筑相应的运营模式,旨在让客户得到全面、优质的服务。"
    )
    for rule in ("pagination", "related_links", "footer"):
        assert cleaned.removed[rule] > 0


# --- reprint notice and contact (001, 002) -------------------------------------------------------------------

TAIL_001 = """- 领先者认同以下观点的可能性是落后者的近两倍:他们的组织“快速识别并适应市场变化”,“在没有重大内部阻力的情况下定期改进”。
原文地址:https://www.xminstitute.com/research/state-cx-management-2021/
本文为作者原创翻译,欢迎转发分享。
转载时需在文章开头注明作者和“来源:鹈鹕全面客户体验管理(微信号:CEM-tihu)”,文字颜色为黑色,且不得修改原文内容。
欢迎小伙伴投稿合作,具体请联系:易女士
Yiml@tihu.com.cn"""


def test_reprint_notice_contact_and_source_url_are_dropped() -> None:
    cleaned = clean(TAIL_001)
    assert cleaned.text == TAIL_001.split("\n")[0]
    assert cleaned.removed["footer"] > 0
    assert cleaned.removed["source_url"] == len(TAIL_001.split("\n")[1])


def test_translator_byline_is_kept_title_kept() -> None:
    text = "Qualtrics:2021 客户体验管理报告\n2021-12-09 鹈鹕全面客户体验管理 | 译者:马振江\n概述\n" + TAIL_001
    cleaned = clean(text)
    assert cleaned.text.startswith(
        "Qualtrics:2021 客户体验管理报告\n2021-12-09 鹈鹕全面客户体验管理 | 译者:马振江\n概述\n- 领先者认同"
    )
    assert ("byline", "2021-12-09 鹈鹕全面客户体验管理 | 译者:马振江") in cleaned.dropped


# --- pinyin readings and mojibake (002) ----------------------------------------------------------------------

PINYIN_002 = (
    "此外,優(yōu)先考慮客戶需求的 CEO 開(kāi)始以更明智的方式看待指標(biāo)。"
    "通常情況下,公司會(huì)專注于凈推廣得分(NPS)和其他指標(biāo)。"
    "一個(gè)變革管理(change management)組織,通常分配給首席客戶官(CCO)的職責(zé)。"
    "才能實(shí)現(xiàn)這一優(yōu)勢(shì)?通過(guò)我們的研究"
)


def test_pinyin_readings_are_removed_and_real_parentheses_kept() -> None:
    cleaned = clean(PINYIN_002)
    assert cleaned.text == (
        "此外,優先考慮客戶需求的 CEO 開始以更明智的方式看待指標。"
        "通常情況下,公司會專注于凈推廣得分(NPS)和其他指標。"
        "一個變革管理(change management)組織,通常分配給首席客戶官(CCO)的職責。"
        "才能實現這一優勢?通過我們的研究"
    )
    assert cleaned.removed["pinyin"] == len("(yōu)(kāi)(biāo)(huì)(biāo)(gè)(zé)(shí)(xiàn)(yōu)(shì)(guò)")


def test_english_in_parentheses_after_chinese_is_not_pinyin() -> None:
    text = "在 IBM 互动体验部门 (IBM Interactive Experience, IBM iX), 实施客户体验 (customer experience, CX) 是使命。"
    assert clean(text).text == text
    assert clean("首席营销官 (CMO)、品牌(brand)与应用(app)。").text == "首席营销官 (CMO)、品牌(brand)与应用(app)。"


MOJIBAKE_002 = """通常情況下,專注于客戶的 CEO 們?cè)敢鉃榭蛻舻拈L(zhǎng)期利益留出短期財(cái)務(wù)收益。
CEO 開(kāi)始形成這種視線——他或她如何談?wù)摽蛻?,尤其是客戶提出的?wèn)題,在會(huì)議或工作小組中正式地談?wù)?,在走廊或午餐時(shí)非正式地談?wù)摗?/p>
專注于客戶的 CEO 會(huì)確??蛻魬?zhàn)略出現(xiàn)在領(lǐng)導(dǎo)會(huì)議議程上。
這很少與分?jǐn)?shù)有關(guān);相反,它是關(guān)于利用客戶洞察力。
明確所有權(quán)。因?yàn)閹缀跛械穆毮茴I(lǐng)域都會(huì)影響到客戶。
將 CCO 集成到具有類似職責(zé)的現(xiàn)有組織或結(jié)構(gòu)中可能是適當(dāng)?shù)摹?/p>
CEO 們?yōu)楫?dāng)今的公司定下了基調(diào)。"""


def test_mojibake_runs_become_one_marker_and_correct_text_around_them_survives() -> None:
    cleaned = clean(MOJIBAKE_002)
    assert cleaned.text.split("\n") == [
        "通常情況下,專注于客戶的 CEO 們〔…〕期利益留出短期財務收益。",
        "CEO 開始形成這種視線——他或她如何談〔…〕,尤其是客戶提出的〔…〕題,在會議或工作小組中正式地談〔…〕,"
        "在走廊或午餐時非正式地談〔…〕",
        "專注于客戶的 CEO 會確〔…〕略出現在領導會議議程上。",
        "這很少與分〔…〕有關;相反,它是關于利用客戶洞察力。",
        "明確所有權。因〔…〕域都會影響到客戶。",
        "將 CCO 集成到具有類似職責的現有組織或結構中可能是適當〔…〕",
        "CEO 們〔…〕今的公司定下了基調。",
    ]
    assert "?" not in cleaned.text
    assert cleaned.removed["mojibake"] > 0
    assert cleaned.removed["html_tags"] == len("/p>/p>")


def test_replacement_characters_are_garbage_and_real_question_marks_stay() -> None:
    cleaned = clean("客户体验\ufffd\ufffd\ufffd很重要。这是为什么?因为客户期望更高。真的吗??是的。")
    assert cleaned.text == "客户体验〔…〕很重要。这是为什么?因为客户期望更高。真的吗??是的。"
    assert cleaned.removed["mojibake"] == 3


# --- download site furniture, injected site name (003) -------------------------------------------------------

HEAD_003 = """上海品茶

您的当前位置:上海品茶 > 报告分类 > PDF报告下载

石油化工行业的颠覆性力量:领先者如何使用全渠道方法改善商家对商家的客户互动(24页).pdf

编号:14766 PDF 24页 737.58KB 下载积分:VIP专享
下载报告请您先登录!

石油化工行业的颠覆性力量:领先者如何使用全渠道方法改善商家对商家的客户互动(24页).pdf

"""

PAGES_003 = """1、研究洞察 石油化工行业的 颠覆性力量 领先者如何使用全渠道方法, 改善商家对商家的客户互动 IBM 商业价值研究院 作者 :Viswanath Krishnan 博士 谈话要点 商家对商家 (B2B) 客户互动给石油化工企业 带来了独特的挑战。 日益精明的客户提出的要求越来越多。他们 希望在自己挑选的时间按自己选择的渠道购 买产品。石油化工企业的客户互动有效性距 离目标还有很大的差距。大多数企业都使用 传统渠道,只有不到 40% 的企业能够提供 无缝的全渠道体验。 领先者的独特视

2、角值得其他企业学习。 通过对全球 375 位 高管展开调查,我们深入探索了领先者如何准备和执行客 户互动和体验计划。 1 2 30% 只有 30% 的石油化工企业受 访者表示,他们有能力让公司 品牌在市场竞争中脱颖而出。 领先者将卓越的客户体验视为企业战略的设计与执行过 程中不可或缺的组成部分。客户体验植根于上海品茶。 他们将数字互动与实体互动融为一体。 形成新的收入流 41% 61% 35% 60% 37% 59% 35% 58% 37% 57% 33% 55% 32% 52% 19% 50% 32% 49% 有效性 重要性 资料来源:IBM 商业价值研究院“2018 年 B2B 客户互动调研” 差距 39% 20% 25% 22% 23% 20% 22% 20% 31% 17% Crystal Anugerah Abadi 是一家世界领先的技术

3、服务公司, 为水处理、生命科学和造纸业提供增值化学品和服务。 共同做出客户体验决策? 18 贵组织利用哪些类型的数据作为客户体 验决策的依据? IBM 如何提供帮助 我们既是离经叛道者,也是现实主义者,我们融合

友情提示

1、下载报告失败解决办法
2、PDF文件下载后,可能会被浏览器默认打开,此种情况可以点击浏览器菜单,保存网页到桌面,就可以正常下载了。
3、本站不支持迅雷下载,请使用电脑自带的IE浏览器,或者360浏览器、谷歌浏览器下载即可。

本文(石油化工行业的颠覆性力量:领先者如何使用全渠道方法改善商家对商家的客户互动(24页).pdf)为本站 (风亭) 主动上传,三个皮匠报告文库仅提供信息存储空间,仅对用户上传内容的表现方式做保护处理,对上载内容本身不做任何修改或编辑。

温馨提示:如果因为网速或其他原因下载失败请重新下载,重复下载不扣分。
会员购买
客服

专属顾问

回到顶部"""

TITLE_003 = "石油化工行业的颠覆性力量:领先者如何使用全渠道方法改善商家对商家的客户互动(24页).pdf"


@pytest.fixture(scope="module")
def pdf_excerpt():
    return clean(HEAD_003 + PAGES_003)


def test_download_site_header_and_prompts_are_dropped_title_kept_once(pdf_excerpt) -> None:
    text = pdf_excerpt.text
    assert text.startswith(TITLE_003 + "\n研究洞察")
    assert text.count(TITLE_003) == 1
    for noise in ("您的当前位置", "编号:14766", "下载积分", "请您先登录"):
        assert noise not in text
    assert pdf_excerpt.removed["navigation"] > 0
    assert pdf_excerpt.removed["download_prompt"] > 0
    assert pdf_excerpt.removed["duplicate_lines"] == len(TITLE_003)


def test_everything_from_the_download_tips_block_on_is_dropped(pdf_excerpt) -> None:
    assert pdf_excerpt.text.endswith("我们既是离经叛道者,也是现实主义者,我们融合")
    for noise in ("友情提示", "迅雷", "本站", "温馨提示", "会员购买", "客服", "回到顶部"):
        assert noise not in pdf_excerpt.text


def test_site_name_learnt_from_breadcrumb_is_removed_from_body(pdf_excerpt) -> None:
    assert "上海品茶" not in pdf_excerpt.text
    assert "客户体验植根于。他们将数字互动与实体互动融为一体。" in pdf_excerpt.text
    assert pdf_excerpt.removed["injected_site_name"] == len("上海品茶")


def test_page_markers_are_removed_and_pages_point_at_page_starts(pdf_excerpt) -> None:
    text, pages = pdf_excerpt.text, pdf_excerpt.pages
    assert [number for _, number in pages] == [1, 2, 3]
    assert text[pages[0][0] :].startswith("研究洞察石油化工行业的颠覆性力量")
    assert text[pages[1][0] :].startswith("角值得其他企业学习。")
    assert text[pages[2][0] :].startswith("服务公司,为水处理")
    # the page break fell mid-word: the halves are joined again
    assert "领先者的独特视角值得其他企业学习。" in text
    assert "世界领先的技术服务公司" in text
    assert "2、" not in text and "3、" not in text
    assert pdf_excerpt.removed["page_markers"] == len("1、2、3、")


def test_pdf_spaces_between_chinese_characters_are_removed_latin_spacing_kept(pdf_excerpt) -> None:
    text = pdf_excerpt.text
    for joined in ("希望在自己挑选的时间按自己选择的渠道购买产品", "客户互动有效性距离目标", "方法,改善商家"):
        assert joined in text
    for spaced in ("IBM 商业价值研究院", "375 位高管", "30% 的石油化工企业", "商家对商家 (B2B) 客户互动"):
        assert spaced in text
    assert pdf_excerpt.removed["pdf_spaces"] > 0


def test_chart_number_runs_and_stray_page_numbers_are_dropped(pdf_excerpt) -> None:
    text = pdf_excerpt.text
    for noise in ("41% 61%", "39% 20%", "1 2 30%", "? 18 ", "决策?18"):
        assert noise not in text
    assert "只有 30% 的石油化工企业受访者表示" in text
    assert "只有不到 40% 的企业能够提供无缝的全渠道体验。" in text
    assert "共同做出客户体验决策?贵组织利用哪些类型的数据" in text
    assert pdf_excerpt.removed["chart_numbers"] > 0


def test_normal_article_is_not_treated_as_pdf() -> None:
    # a space after 、 in a web article is the author's; no PDF rules fire
    text = "一、 到底什么是全面客户体验\n不同的企业、不同的学者从不同层面、不同角度解释全面客户体验。\n1、首先\n2、其次"
    cleaned = clean(text)
    assert cleaned.text == text
    assert cleaned.pages == ()


# --- form-feed pages and PDF line wraps (kind="pdf") ---------------------------------------------------------


def test_form_feeds_separate_pages_and_mid_sentence_breaks_are_joined() -> None:
    text = "执行摘要\n由于客户对于高价值、无摩擦式体验的期望越来越高,因此企\f业需要取消手工流程。\n\n采用数字化技术。\f第三页。"
    cleaned = clean(text, kind="pdf")
    assert (
        cleaned.text
        == "执行摘要\n由于客户对于高价值、无摩擦式体验的期望越来越高,因此企业需要取消手工流程。\n采用数字化技术。\n第三页。"
    )
    starts = [cleaned.text[offset:][:4] for offset, _ in cleaned.pages]
    assert [number for _, number in cleaned.pages] == [1, 2, 3]
    assert starts == ["执行摘要", "业需要取", "第三页。"]


def test_pdf_line_wraps_are_joined_but_headings_stay_lines() -> None:
    text = "客户体验领导\n然而,大多数受访企业都采用涵盖多个职能领域的客户\n体验方法,我们的研究表明了这一点。\n结论"
    cleaned = clean(text, kind="pdf")
    assert (
        cleaned.text
        == "客户体验领导\n然而,大多数受访企业都采用涵盖多个职能领域的客户体验方法,我们的研究表明了这一点。\n结论"
    )
    assert cleaned.pages == ((0, 1),)


# --- markdown, footnotes, figures, preview notice (000) ------------------------------------------------------

EXCERPT_000 = """


体验革命：

积极行动，体验制胜 - 您准备好了吗？

本报告是 IBM 商业价值研究院 (IBV) 为期一年的客户体验调研的一部分，基于我们对多个行业和地区 501 位最高层主管和业务部门高管进行的调研。¹ 调研结果形成了我们的第一份报告“体验革命：大幕开启”。在这份报告中，我们介绍了当高管们重塑客户体验时，将面临哪些主要趋势。²



进行**接触环节分析**以确定客户体验影响力的**可能性要高出 81%**。

 
- 客户体验战略的负责权

图 1

客户体验领导权特征：精英、专业和业余型企业



来源：IBM 商业价值研究院，n = 501。

定义特征

战略和愿景

预览已结束，完整报告链接和二维码如下：

https://www.yunbaogao.cn/report/index/report?reportId=1_46764
"""


def test_markdown_footnotes_figure_labels_and_preview_notice() -> None:
    cleaned = clean(EXCERPT_000, kind="markdown")
    assert cleaned.text.split("\n") == [
        "体验革命：",
        "积极行动，体验制胜 - 您准备好了吗？",
        "本报告是 IBM 商业价值研究院 (IBV) 为期一年的客户体验调研的一部分，基于我们对多个行业和地区 501 位最高层主管和"
        "业务部门高管进行的调研。调研结果形成了我们的第一份报告“体验革命：大幕开启”。在这份报告中，我们介绍了当高管们"
        "重塑客户体验时，将面临哪些主要趋势。",
        "进行接触环节分析以确定客户体验影响力的可能性要高出 81%。",
        "- 客户体验战略的负责权",
        "客户体验领导权特征：精英、专业和业余型企业",
        "来源：IBM 商业价值研究院，n = 501。",
        "定义特征",
        "战略和愿景",
    ]
    assert cleaned.removed["markdown"] == 8
    assert cleaned.removed["footnote_marks"] == 3
    assert cleaned.removed["figure_captions"] == 3
    assert cleaned.removed["preview_notice"] > 0
    assert cleaned.removed["blank_lines"] > 0


# --- general properties --------------------------------------------------------------------------------------


def test_plain_paragraph_is_returned_unchanged() -> None:
    text = "在当今的数字化世界中，企业可以和客户保持密切关系，并以经济实惠而且直接的方式不断改进客户体验。"
    cleaned = clean(text)
    assert cleaned.text == text
    assert cleaned.removed == {}
    assert cleaned.pages == ()


def test_body_sentences_mentioning_keywords_are_kept() -> None:
    text = (
        "客户可以随时下载应用并登录账户。\n"
        "企业应当在首页突出客户服务的联系方式,这是提升体验的第一步。\n"
        "我们需要下载这份报告。\n"
        "后续内容继续讨论客户体验的衡量方法与指标体系。"
    )
    assert clean(text).text == text


def test_unknown_kind_is_rejected() -> None:
    with pytest.raises(ValueError, match="kind"):
        clean("文本", kind="docx")


SEEDS = ["000", "001", "002", "003", "004"]


@pytest.mark.parametrize("seed", SEEDS)
def test_cleaning_is_idempotent(seed: str) -> None:
    once = clean(_seed(seed))
    twice = clean(once.text)
    assert twice.text == once.text
    assert sum(twice.removed.values()) == 0


# --- whole seeds: content that must survive, noise that must go ----------------------------------------------

EXPECTED = {
    "000": (
        [
            "体验革命：",
            "IBM iX 如何提供帮助",
            "如欲了解有关 IBM iX 的更多信息, 敬请访问 ibm.com/ibmix",
            "基于我们对多个行业和地区 501 位最高层主管和业务部门高管进行的调研。调研结果形成了",
            "进行接触环节分析以确定客户体验影响力的可能性要高出 81%。",
            "- 深入洞察客户体验",
            "来源：IBM 商业价值研究院，n = 501。",
            "产生更多价值（见图 2）。\n定义特征\n战略和愿景",
        ],
        ["预览已结束", "yunbaogao", "**", "¹", "\n图 1\n", "\n\n"],
    ),
    "001": (
        [
            "Qualtrics:2021 客户体验管理报告",
            "- 客户体验是一个首要任务。59% 的受访者认为客户体验是“重要的”或“关键优先事项”。",
            "- 落后者最常提到的障碍是“其他竞争性的组织优先事项”和“缺乏关键客户体验技能”。",
            "“在没有重大内部阻力的情况下定期改进”。",
        ],
        ["原文地址", "xminstitute", "原创翻译", "转载", "投稿", "Yiml@tihu.com.cn"],
    ),
    "002": (
        [
            "[ 編者注:客戶體驗咨詢公司 Walker 發布了《CEO 和客戶體驗:領導者在推動競爭優勢中的作用》報告",
            "通常情況下,專注于客戶的 CEO 們〔…〕",
            "通常情況下,公司會專注于凈推廣得分(NPS)和其他指標",
            "通常分配給首席客戶官(CCO)的活動",
            "一個變革管理(change management)組織",
            "CEO 們必須首先問問自己,他們是如何累積這些行為的。",
        ],
        ["(yàn)", "(shì)", "</p>", "/p>", "?cè", "蛻", "原文地址", "walkerinfo", "轉載", "投稿", "Yiml"],
    ),
    "003": (
        [
            TITLE_003,
            "研究洞察石油化工行业的颠覆性力量领先者如何使用全渠道方法,改善商家对商家的客户互动 IBM 商业价值研究院",
            "领先者的独特视角值得其他企业学习。",
            "希望在自己挑选的时间按自己选择的渠道购买产品",
            "通过对全球 375 位高管展开调查",
            "只有 30% 的石油化工企业受访者表示",
            "其客户体验指数平均分不到 50 分,而 B2C 企业则通常在 65 到 85 分之间。",
            "来源:IBM 商业价值研究院“2018 年 B2B 客户互动调研”",
            "78% 的领先者通过定期召开客户座谈会",
            "World Fuel Services (WFS) 为商业或工业客户",
            "在北美 4,000 多个地点推出网上购物店内提货服务。",
            "2018 年 10 月到 12 月间,IBV 与牛津经济研究院携手合作",
            "我们既是离经叛道者,也是现实主义者,我们融合",
        ],
        [
            "上海品茶",
            "您的当前位置",
            "下载积分",
            "请您先登录",
            "友情提示",
            "本站",
            "三个皮匠",
            "回到顶部",
            "41% 61% 35%",
            "购 买",
            "47、",
            "\n2、",
        ],
    ),
    "004": (
        [
            "全面客户体验--持续盈利的卓越之道\n2003-06-04, 作者: 王成\n仿佛在一夜之间,“客户体验”(Customer Experience)这个词就传遍了世界。",
            "“全面客户体验”成了每个员工的口头禅。",
            "一、 到底什么是全面客户体验",
            "在企业运营层面,全面客户体验包含了客户关键满意因素、全面接触点管理、6sigma、业务流程再造等核心概念。",
            "如下图所示。",
            "旨在让客户得到全面、优质的服务。",
        ],
        [
            "频道导航",
            "网站地图",
            "麦肯特",
            "中国营销传播网",
            "访问人数",
            "下页",
            "投稿",
            "本网",
            "相 关 文 章",
            "史泰博",
            "版权所有",
            "本页更新时间",
        ],
    ),
}


@pytest.mark.parametrize("seed", SEEDS)
def test_whole_seed_keeps_content_and_drops_noise(seed: str) -> None:
    cleaned = clean(_seed(seed))
    present, absent = EXPECTED[seed]
    for content in present:
        assert content in cleaned.text, content
    for noise in absent:
        assert noise not in cleaned.text, noise
    assert cleaned.text == cleaned.text.strip()
    assert all(line == line.strip() and line for line in cleaned.text.split("\n"))


def test_whole_seed_003_pages() -> None:
    raw = _seed("003")
    cleaned = clean(raw)
    assert [number for _, number in cleaned.pages] == list(range(1, 48))
    offsets = [offset for offset, _ in cleaned.pages]
    assert offsets == sorted(offsets)
    assert cleaned.text[offsets[1] :].startswith("角值得其他企业学习。")
    assert cleaned.text[offsets[8] :].startswith("S) 为商业或工业客户")  # "(WF" + "S)": joined without a space
    assert cleaned.text[offsets[27] :].startswith("8% 的领先者")  # "7" + "8%" is 78%
    assert cleaned.text[offsets[46] :].startswith("点的物联网中心解决方案。")


def test_every_seed_keeps_most_of_its_text() -> None:
    # losing a content sentence is worse than keeping noise: the cleaner must
    # never remove more than the furniture and readings account for
    for seed, share in {"000": 0.9, "001": 0.9, "002": 0.5, "003": 0.8, "004": 0.6}.items():
        raw = _seed(seed)
        assert len(clean(raw).text) >= share * len(raw), seed
