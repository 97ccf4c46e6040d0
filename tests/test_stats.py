import csv
from pathlib import Path

import pytest

from cxkb.index import load_report
from cxkb.models import Meta, Report
from cxkb.stats import Stat, extract_stats, find_stats, write_csv

CORPUS = Path(__file__).resolve().parent.parent / "corpus"

QUALTRICS = (
    "核心体验指标和客户倾听点\n"
    "- 87% 的受访者表示他们的组织有一个核心的客户体验指标,三分之二的受访者使用 NPS 作为他们的核心指标。\n"
    "- 一半以上的受访企业有一个集中的客户体验小组,时间为一年或更长。\n"
    "- 超过四分之一的受访者认为“公司企业文化不支持”是其客户体验管理工作的障碍。\n"
    "- 20% 的落后者没有核心客户体验指标,而只有 4% 的领先者表示有同样的情况。\n"
    "- 领先者和落后者都最常使用 NPS 作为其核心体验指标。\n"
    "- 领先者和落后者之间报告的障碍中最大的差距是“缺乏关键的客户体验技能”,差距为 42 个百分点。\n"
    "- 领先者认同以下观点的可能性是落后者的近两倍:他们的组织“快速识别并适应市场变化”。\n"
    " 41% 61% 35% 60%\n"
)
IBM = (
    "本报告基于我们对多个行业和地区 501 位最高层主管和业务部门高管进行的调研。\n"
    "认为客户体验应由最高管理层负责的 217 位受访者提出了 173 种不同的高管组合。\n"
    "来源：IBM 商业价值研究院，n = 501。\n"
)
WALKER = (
    "我們與《首席執行官》雜誌合作,收集了超過 550 位 CEO 的相關反饋,"
    "對來自年收入超過 5000 萬美元的公司的 90 多名 CEO 進行了深入的調查,主要代表 B2B 行業。\n"
    "通常情況下,公司會專注於凈推廣得分(NPS)和其他指標。\n"
)
PETROCHEM = (
    "在客户体验方面,B2B 企业要远远落后于 B2C 同行;其客户体验指数平均分不到 50 分,而 B2C 企业则通常在 65 到 85 分之间。"
    "企业执行 B2B 客户目标的有效性差距平均为 24%。"
    "对全球 375 位高管展开调查(n=375),大约五分之二的受访者指出,他们的客户体验战略是根据综合数据集制定的。"
    "他们交出了领先于业界同行五倍和 1.5 倍的财务成绩单。"
    "受访企业的收入细分:22% 5-7.49 亿美元,10% 超过 100 亿美元。"
)


def _report(rid: str, text: str, *, source: str | None = None, pages=()) -> Report:
    meta = Meta(title=f"title {rid}", publisher="pub", date="2021")
    return Report(id=rid, source=source or f"{rid}.txt", meta=meta, text=text, sha256="x", pages=pages)


def _figures(text: str) -> dict[str, tuple[str, float | None]]:
    return {s.value: (s.unit, s.number) for s in extract_stats(_report("r", text))}


@pytest.fixture(scope="module")
def seeds() -> list[Stat]:
    reports = [
        _report("000_ibm", IBM),
        _report("001_qualtrics", QUALTRICS),
        _report("002_walker", WALKER, source="walker.txt"),
        _report("003_petro", PETROCHEM),
    ]
    return [s for r in reports for s in extract_stats(r)]


def test_qualtrics_figures_units_and_numbers():
    assert _figures(QUALTRICS) == {
        "87%": ("percent", 87.0),
        "三分之二": ("fraction", 0.6667),
        "一半": ("fraction", 0.5),
        "四分之一": ("fraction", 0.25),
        "20%": ("percent", 20.0),
        "4%": ("percent", 4.0),
        "42 个百分点": ("points", 42.0),
        "两倍": ("multiple", 2.0),
    }


def test_ibm_counts_and_sample_size():
    assert _figures(IBM) == {
        "501 位": ("count", 501.0),
        "217 位": ("count", 217.0),
        "173 种": ("count", 173.0),
        "n = 501": ("sample_size", 501.0),
    }


def test_traditional_script_figures_keep_the_original_text():
    assert _figures(WALKER) == {
        "550 位": ("count", 550.0),
        "5000 萬美元": ("money", 50_000_000.0),
        "90 多名": ("count", 90.0),
    }


def test_scores_ranges_multiples_and_money():
    assert _figures(PETROCHEM) == {
        "50 分": ("score", 50.0),
        "65 到 85 分": ("score", None),  # a range has no single value
        "24%": ("percent", 24.0),
        "375 位": ("count", 375.0),
        "n=375": ("sample_size", 375.0),
        "五分之二": ("fraction", 0.4),
        "五倍": ("multiple", 5.0),
        "1.5 倍": ("multiple", 1.5),
        "22%": ("percent", 22.0),
        "5-7.49 亿美元": ("money", None),
        "10%": ("percent", 10.0),
        "100 亿美元": ("money", 1e10),
    }


@pytest.mark.parametrize(
    ("text", "value", "unit", "number"),
    [
        ("只有百分之八十七的受访者表示满意。", "百分之八十七", "percent", 87.0),
        ("只有 87 % 的受访者表示满意。", "87 %", "percent", 87.0),
        ("调研于 2018 年进行,覆盖多个行业。", "2018 年", "year", 2018.0),
        ("这份报告共有 24 页内容。", "24 页", "count", 24.0),
        ("受访企業的收入超過 100 億美元。", "100 億美元", "money", 1e10),
    ],
)
def test_single_figures(text, value, unit, number):
    assert _figures(text) == {value: (unit, number)}


def test_one_row_per_figure_with_exact_quote_and_measures():
    report = _report("001", QUALTRICS)
    stats = extract_stats(report)
    for s in stats:
        assert s.quote == report.text[s.start : s.end]
        assert s.value in s.quote
    nps = [s for s in stats if "NPS" in s.quote]
    assert [s.value for s in nps] == ["87%", "三分之二"]
    assert nps[0].measures == "受访者表示他们的组织有一个核心的客户体验指标"
    assert nps[1].measures == "受访者使用 NPS 作为他们的核心指标"
    assert nps[0].quote.startswith("- 87%")
    assert (nps[0].title, nps[0].publisher, nps[0].date, nps[0].source) == ("title 001", "pub", "2021", "001.txt")


def test_number_runs_garbled_marks_and_plain_text_yield_nothing():
    assert extract_stats(_report("r", "图 5\n 41% 61% 35% 60%\n")) == []
    assert extract_stats(_report("r", "全面客户体验是惠普公司的发展战略。")) == []
    assert _figures("这很少与〔30% 的〕有关,而 40% 的企业能够提供无缝体验。") == {"40%": ("percent", 40.0)}


def test_page_of_the_figure():
    text = "第一页的文字。\n87% 的受访者表示他们有核心指标。"
    stats = extract_stats(_report("r", text, pages=((0, 1), (8, 2))))
    assert [s.page for s in stats] == [2]


def test_find_stats_ranks_nps_rows_first(seeds):
    hits = find_stats(seeds, "NPS")
    assert [h.value for h in hits] == ["三分之二", "87%"]  # the Walker NPS sentence holds no figure
    top = find_stats(seeds, "核心指标")
    assert [h.value for h in top[:2]] == ["三分之二", "87%"]
    assert {h.report_id for h in top} == {"001_qualtrics"}


def test_find_stats_traditional_query_matches_simplified_and_back(seeds):
    assert [h.value for h in find_stats(seeds, "首席執行官 CEO", limit=1)] == ["550 位"]
    assert "5000 萬美元" in [h.value for h in find_stats(seeds, "年收入 美元")]


def test_find_stats_empty_query_keeps_report_order_and_filters(seeds):
    everything = find_stats(seeds)
    assert everything == sorted(seeds, key=lambda s: (s.report_id, s.start))
    assert {s.report_id for s in find_stats(seeds, report="001")} == {"001_qualtrics"}
    assert {s.report_id for s in find_stats(seeds, report="walker.txt")} == {"002_walker"}
    assert {s.report_id for s in find_stats(seeds, report="002_walker")} == {"002_walker"}
    assert find_stats(seeds, "NPS", report="002") == []
    assert len(find_stats(seeds, limit=3)) == 3
    assert find_stats(seeds, "火星殖民") == []


def test_years_rank_below_other_figures_for_generic_queries():
    stats = extract_stats(_report("r", "2018 年的调研显示 30% 的企业设立了首席客户官。"))
    assert [s.unit for s in stats] == ["year", "percent"]
    assert [s.unit for s in find_stats(stats, "首席客户官")] == ["percent", "year"]


def test_csv_round_trip_keeps_chinese(seeds, tmp_path):
    path = tmp_path / "stats.csv"
    write_csv(seeds, path)
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    with path.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == len(seeds)
    assert list(rows[0]) == list(seeds[0].to_dict())
    walker = next(r for r in rows if r["value"] == "5000 萬美元")
    assert walker["unit"] == "money"
    assert walker["quote"].startswith("我們與《首席執行官》雜誌合作")
    assert float(walker["number"]) == 50_000_000.0
    assert next(r for r in rows if r["unit"] == "score" and r["value"] == "65 到 85 分")["number"] == ""


def test_real_corpus_nps():
    stats = []
    for path in sorted(CORPUS.glob("*.txt")):
        report = load_report(path, rid=path.stem, meta={})
        found = extract_stats(report)
        assert all(s.quote == report.text[s.start : s.end] for s in found)
        stats += found
    hits = find_stats(stats, "NPS")
    assert hits and {h.report_id for h in hits} == {"001_92c562b9fbf427e5"}
    assert hits[0].value == "三分之二"
    walker = find_stats(stats, report="002")
    assert {"550 位", "5000 萬美元", "90 多名"} <= {s.value for s in walker}
