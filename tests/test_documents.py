"""The document suite (eval/documents/): every reader on documents written as a new maintainer would add them.

Per document: no listed furniture string (running headers, footers, page numbers, comments, sidebar cards,
share prompts …) reaches the report's text, no number-only line (chart axes) survives, and every fact the
question set asks about is in the text, on the page the question says, tables as row sentences. No model is
needed: this checks reading, not answering (``cxkb eval --set eval/documents.jsonl`` does that).
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path

import pytest

from cxkb.evaluate import squash
from cxkb.ingest import load_report
from cxkb.models import Report
from cxkb.normalize import normalize

ROOT = Path(__file__).resolve().parents[1]
SUITE = ROOT / "eval" / "documents"
QUESTIONS = ROOT / "eval" / "documents.jsonl"
DOCUMENTS = sorted(p for p in SUITE.iterdir() if p.is_file() and not p.name.startswith("."))


def _furniture() -> dict[str, list[str]]:
    listed: dict[str, list[str]] = {}
    for path in sorted((SUITE / "make").glob("furniture-*.json")):
        for name, strings in json.loads(path.read_text(encoding="utf-8")).items():
            listed.setdefault(name, []).extend(strings)
    return listed


FURNITURE = _furniture()
ROWS = [json.loads(line) for line in QUESTIONS.read_text(encoding="utf-8").splitlines() if line.strip()]


@cache
def report(name: str) -> Report:
    path = SUITE / name
    return load_report(path, rid=path.stem, meta={})


def test_suite_has_what_the_issue_asks_for():
    formats = {p.suffix for p in DOCUMENTS}
    assert len(DOCUMENTS) >= 12 and {".pdf", ".html", ".docx", ".pptx", ".md", ".txt"} <= formats
    answerable = [q for q in ROWS if q["answerable"]]
    assert len(ROWS) >= 80 and sum(q.get("table", False) for q in ROWS) >= 15 and len(ROWS) - len(answerable) >= 15
    assert {q["lang"] for q in ROWS} == {"zh-Hans", "zh-Hant", "en"}
    assert len({q["id"] for q in ROWS}) == len(ROWS)
    stems = {p.stem for p in DOCUMENTS}
    assert all(q["report_id"] in stems for q in answerable)


@pytest.mark.parametrize("name", [p.name for p in DOCUMENTS])
def test_no_furniture_in_the_text(name: str):
    text = report(name).text
    leaked = [s for s in FURNITURE.get(name, []) if squash(s) in squash(text)]
    assert not leaked, f"{name}: furniture in the text: {leaked}"
    numbers_only = [line for line in text.split("\n") if re.fullmatch(r"[\s\d.,%％+\-–]+", line)]
    assert not numbers_only, f"{name}: number-only lines (chart labels?): {numbers_only}"


@pytest.mark.parametrize("name", [p.name for p in DOCUMENTS])
def test_reports_keep_their_text_and_say_what_they_are(name: str):
    r = report(name)
    assert len(r.text) > 1000 and not r.warnings, (name, r.warnings)
    assert r.meta.title and r.meta.title in r.text.split("\n")[0] + r.meta.title  # a title, not a byline soup
    assert len(r.meta.title) <= 60, r.meta.title


@pytest.mark.parametrize("q", [q for q in ROWS if q["answerable"]], ids=lambda q: q["id"])
def test_every_fact_is_in_its_report_on_its_page(q: dict):
    r = report(next(p.name for p in DOCUMENTS if p.stem == q["report_id"]))
    # normalize() is length-preserving, so a match in it is an offset in the report; whitespace may differ.
    pattern = r"\s*".join(re.escape(ch) for ch in normalize(q["support"]) if not ch.isspace())
    found = re.search(pattern, normalize(r.text))
    if found is None:
        # A byline is furniture, not text: its author and date must be in the report's metadata instead.
        provenance = squash(f"{r.meta.author} {r.meta.date}")
        assert any(squash(a) in provenance for a in q["answers"]), f"{q['id']}: not in text or metadata: {q}"
        return
    at = found.start()
    if q.get("page") is not None:
        assert r.page_at(at) == q["page"], f"{q['id']}: on page {r.page_at(at)}, not {q['page']}"
    if q.get("table"):
        assert r.kind_at(at) == "table_row" or r.format == "text", f"{q['id']}: not a table row"


def test_tables_become_stats_rows_with_labels():
    from cxkb.stats import extract_stats

    r = report("bank-cx-2025.pdf")
    labelled = {s.value: s.measures for s in extract_stats(r) if " · " in s.measures}
    assert labelled["52%"] == "表 1 各渠道客户满意度 · 电话客服 · 2025年"


FONT = Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc")


@pytest.mark.parametrize("script", ["make_pdfs", "make_office", "make_web", "make_text"])
def test_the_suite_is_what_its_scripts_make(script: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    import importlib.util

    if script == "make_pdfs" and not FONT.is_file():
        pytest.skip(f"needs the CJK font {FONT} (.ci/system-deps installs fonts-wqy-zenhei)")
    if script == "make_pdfs":
        pytest.importorskip("reportlab")
    spec = importlib.util.spec_from_file_location(script, SUITE / "make" / f"{script}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    monkeypatch.setattr(module, "OUT", type(module.OUT)(tmp_path))
    module.main()
    made = sorted(p for p in tmp_path.iterdir() if p.is_file())
    assert made
    for path in made:
        assert path.read_bytes() == (SUITE / path.name).read_bytes(), f"{path.name} differs from the committed file"
