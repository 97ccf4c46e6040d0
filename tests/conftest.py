"""Shared fixtures: a tiny corpus made in code, indexed with the hash test embedder."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cxkb.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"

SIMPLIFIED = (
    "客户体验管理报告\n"
    "为了了解客户体验管理的现状,研究所对 151 名大公司的客户体验专业人员进行了调查。\n"
    "87% 的受访者表示他们的组织有一个核心的客户体验指标,三分之二的受访者使用 NPS 作为他们的核心指标。\n"
    "只有 41% 的受访者认为其组织的客户体验技能和能力“很强”或“比较强”。\n"
)
TRADITIONAL = (
    "CEO 和客戶體驗\n"
    "我們與《首席執行官》雜誌合作,收集了超過 550 位 CEO 的相關反饋。\n"
    "通常情況下,公司會專注於淨推廣得分(NPS)和其他指標。\n"
)


@pytest.fixture(autouse=True)
def _isolated_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    # Tests never write to the user's cache.
    monkeypatch.setenv("CXKB_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "cache"))


def write_tiny_corpus(corpus: Path, extra: dict[str, tuple[str, dict[str, str]]] | None = None) -> Path:
    """The two-report test corpus with its catalogue, plus ``extra`` {file name: (text, catalogue entry)}."""
    corpus.mkdir(parents=True, exist_ok=True)
    files = {
        "qualtrics.txt": (SIMPLIFIED, {"title": "客户体验管理报告", "publisher": "Qualtrics", "date": "2021-12-09"}),
        "walker.txt": (TRADITIONAL, {"title": "CEO 和客戶體驗", "publisher": "Walker", "date": "2020-01-10"}),
        **(extra or {}),
    }
    for name, (text, _) in files.items():
        (corpus / name).write_text(text, encoding="utf-8")
    catalog = {"reports": {name: entry for name, (_, entry) in files.items()}}
    (corpus / "catalog.json").write_text(json.dumps(catalog, ensure_ascii=False), encoding="utf-8")
    return corpus


@pytest.fixture
def tiny_corpus(tmp_path: Path) -> Path:
    return write_tiny_corpus(tmp_path / "corpus")


@pytest.fixture
def tiny_settings(tiny_corpus: Path, tmp_path: Path) -> Settings:
    # The hash embedder's cosines mean nothing, so the learned answerability score (fitted on the real
    # model's) cannot judge here: threshold 0 leaves the rules (names, kinds, measured words, qualifiers)
    # to decide. tests/test_answerable.py and the evals exercise the score itself.
    return Settings(
        corpus=tiny_corpus, index=tmp_path / "index", model="hash:64", chunk_size=80, answerable_threshold=0.0
    )


@pytest.fixture
def tiny_index(tiny_settings: Settings) -> Settings:
    from cxkb.index import build_index

    build_index(tiny_settings)
    return tiny_settings
