"""End to end on the real seed corpus with the real default model (slow: one build per session)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from cxkb.kb import KnowledgeBase
from cxkb.settings import Settings

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def seed_kb(tmp_path_factory: pytest.TempPathFactory) -> KnowledgeBase:
    from cxkb.index import build_index

    base = tmp_path_factory.mktemp("seed")
    saved = os.environ.get("CXKB_CACHE_DIR")
    os.environ["CXKB_CACHE_DIR"] = str(base / "cache")
    try:
        settings = Settings(corpus=ROOT / "corpus", index=base / "index")
        build_index(settings)
        return KnowledgeBase.open(settings.index, settings)
    finally:
        if saved is None:
            os.environ.pop("CXKB_CACHE_DIR", None)
        else:
            os.environ["CXKB_CACHE_DIR"] = saved


FIGURES = [
    # (question, report, figure that the passage must hold)
    ("有核心客户体验指标的组织占多少？", "001", "87%"),
    ("有核心客戶體驗指標的組織佔多少？", "001", "87%"),
    ("Qualtrics 调查了多少名客户体验专业人员？", "001", "151"),
    ("精英型企業進行接觸環節分析的可能性高出多少？", "000", "81%"),
    ("IBM 体验革命调研基于多少位高管？", "000", "501"),
    ("认为客户体验应由最高管理层负责的受访者提出了多少种不同的高管组合？", "000", "173"),
    ("Walker 调查了多少位 CEO？", "002", "550"),
    ("Walker 調查了多少位 CEO？", "002", "550"),
    ("深入调查的 CEO 来自年收入超过多少的公司？", "002", "5000"),
    ("石油化工企业执行 B2B 客户目标的有效性差距平均为多少？", "003", "24%"),
    ("石油化工調研訪問了多少位高管？", "003", "375"),
    ("只有多少石油化工企业受访者表示能让品牌在竞争中脱颖而出？", "003", "30%"),
    ("Crystal 将客户保留率提高了多少？", "003", "30%"),
    ("B2C 企业的客户体验指数通常在多少分之间？", "003", "65"),
    ("惠普中国区总裁说全面客户体验是惠普公司多少年的发展战略？", "004", "十年"),
]


@pytest.mark.parametrize(("question", "report", "figure"), FIGURES)
def test_figure_passage_in_top5(seed_kb: KnowledgeBase, question: str, report: str, figure: str):
    hits = seed_kb.search(question, k=5)
    assert any(h.chunk.report_id.startswith(report) and figure in h.chunk.text for h in hits), [
        (h.chunk.report_id[:3], h.chunk.text[:50]) for h in hits
    ]


def test_english_question_finds_passage(seed_kb: KnowledgeBase):
    hits = seed_kb.search("How many CX professionals did the Qualtrics survey cover?", k=5)
    assert any("151" in h.chunk.text for h in hits)


def test_ask_cites_the_figure(seed_kb: KnowledgeBase):
    ans = seed_kb.ask("有核心客户体验指标的组织占多少？")
    assert ans.answerable and "87%" in ans.answer
    assert ans.citations[0].report_id.startswith("001") and "87%" in ans.citations[0].quote


def test_ask_traditional_answer_from_simplified_report(seed_kb: KnowledgeBase):
    ans = seed_kb.ask("有核心客戶體驗指標的組織佔多少？")
    assert "87%" in ans.answer and "體驗" in ans.answer
    assert "体验" in ans.citations[0].quote


def test_ask_abstains_on_unknown_organisation(seed_kb: KnowledgeBase):
    ans = seed_kb.ask("Forrester 的 CX 指数 2022 年是多少？")
    assert not ans.answerable and ans.related
