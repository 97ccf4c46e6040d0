#!/usr/bin/env python3
"""Compare candidate text-extraction libraries with cxkb's own reader on the eval test documents.

    .venv/bin/python eval/documents/make/compare_readers.py

For every PDF and HTML file in eval/documents/ each reader's text is checked against
* furniture-a.json / furniture-b.json: strings that must NOT appear (running headers, page numbers, nav, comments);
* eval/documents.jsonl: the `support` of every answerable question, which MUST appear. Table rows are checked three
  ways: the row sentence verbatim (only a table-aware reader can produce it), the row's first cell and answering
  cell both present anywhere, and the answering cell within NEAR characters after the first cell (same row);
* for the PDFs only, the line order that eval/documents/make/make_pdfs.py drew (it is re-run into a temporary folder
  and must give byte-identical files): each pair of consecutive lines must come out joined, and the pairs that cut
  a sentence at a page or column edge are counted separately.
Matching: both sides NFKC, OpenCC t2s, lower case, all whitespace removed, then a substring test.
The table is printed and written to eval/results/readers.md.
"""

from __future__ import annotations

import contextlib
import filecmp
import io
import json
import re
import sys
import tempfile
import time
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import justext
import opencc
import pdfplumber
import pypdfium2 as pdfium
import trafilatura
from bs4 import BeautifulSoup
from pypdf import PdfReader
from readability import Document

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT))
from cxkb.ingest import load_report  # noqa: E402

DOCS = ROOT / "eval" / "documents"
MAKE = DOCS / "make"
QUESTIONS = ROOT / "eval" / "documents.jsonl"
RESULT = ROOT / "eval" / "results" / "readers.md"
PDFS = ["bank-cx-2025.pdf", "insurance-claims-2024.pdf", "telecom-tw-2023.pdf"]
HTMLS = ["retail-cx-blog.html", "saas-nps-news.html", "airline-tw-blog.html"]
NEAR = 40  # max normalised characters from a row's first cell to its answering cell
JOIN = 6  # characters taken from each side of a line break when checking that two lines stay joined
SENTENCE_END = tuple("。！？；：」”）")

_T2S = opencc.OpenCC("t2s")
_WS = re.compile(r"\s+")


@cache
def norm(text: str) -> str:
    return _WS.sub("", _T2S.convert(unicodedata.normalize("NFKC", text)).lower())


# ---------------------------------------------------------------- readers


def pdf_pypdf(path: Path) -> str:
    return "\n".join(page.extract_text() or "" for page in PdfReader(path).pages)


def pdf_pypdfium2(path: Path) -> str:
    pdf = pdfium.PdfDocument(path)
    try:
        return "\n".join(pdf[i].get_textpage().get_text_range() for i in range(len(pdf)))
    finally:
        pdf.close()


def pdf_pdfplumber(path: Path) -> str:
    with pdfplumber.open(path) as pdf:
        return "\n".join(page.extract_text() or "" for page in pdf.pages)


def cxkb(path: Path) -> str:
    return load_report(path, rid=path.stem, meta={}).text


def html_trafilatura(path: Path) -> str:
    return trafilatura.extract(path.read_text("utf-8"), include_tables=True, include_comments=False) or ""


def visible_text(html: str) -> str:
    soup = BeautifulSoup(html, "lxml")
    for tag in soup(["script", "style", "noscript", "template", "head"]):
        tag.decompose()
    return soup.get_text("\n")


def html_readability(path: Path) -> str:
    return visible_text(Document(path.read_text("utf-8")).summary())


# jusText ships no Chinese stoplist, so it gets an empty one; with the default stopword thresholds every paragraph
# then has stopword density 0 and is boilerplate. Setting both thresholds to 0 (length and link density only) is
# not enough either: no Chinese paragraph reaches length_high (200 characters), so none is "good" and the context
# pass keeps nothing. The CJK variant also divides the length thresholds (70/200 characters) by about 3, since a
# Chinese character carries roughly what 3 Latin letters do. These numbers were not tuned on the test pages.
ZH_STOPLIST = next(
    (justext.get_stoplist(name) for name in ("Chinese", "Chinese_Simplified") if name in justext.get_stoplists()),
    frozenset(),
)


def html_justext(path: Path, **thresholds: float) -> str:
    paragraphs = justext.justext(path.read_bytes(), ZH_STOPLIST, encoding="utf-8", **thresholds)
    return "\n".join(p.text for p in paragraphs if not p.is_boilerplate)


def html_justext_cjk(path: Path) -> str:
    return html_justext(path, stopwords_low=0.0, stopwords_high=0.0, length_low=25, length_high=70)


def html_bs4(path: Path) -> str:
    return visible_text(path.read_text("utf-8"))


STOPLIST_NOTE = "a Chinese stoplist" if ZH_STOPLIST else "an empty stoplist (jusText has no Chinese one)"
PDF_READERS: dict[str, Callable[[Path], str]] = {
    "pypdf `extract_text()`": pdf_pypdf,
    "pypdfium2 `get_text_range()`": pdf_pypdfium2,
    "pdfplumber `extract_text()`": pdf_pdfplumber,
    "cxkb `load_report`": cxkb,
}
HTML_READERS: dict[str, Callable[[Path], str]] = {
    "trafilatura (tables on, comments off)": html_trafilatura,
    "readability-lxml `summary()`": html_readability,
    "jusText, default thresholds": html_justext,
    "jusText, stopword thresholds 0, lengths 25/70": html_justext_cjk,
    "BeautifulSoup visible text": html_bs4,
    "cxkb `load_report`": cxkb,
}


# ---------------------------------------------------------------- expectations


@dataclass
class Expect:
    furniture: list[str] = field(default_factory=list)
    prose: list[str] = field(default_factory=list)
    rows: list[tuple[str, str, str]] = field(default_factory=list)  # (row sentence, first cell, answering cell)
    joins: list[tuple[str, str, bool]] | None = None  # (line, next line, crosses a page/column mid-sentence)


def table_cells(support: str) -> tuple[str, str]:
    """First cell and answering cell of a row sentence `[<caption>：]<first>，<header> <cell>，…`."""
    pieces = support.rstrip("。").split("，")
    first = pieces[0].split("：")[-1]
    answer = pieces[-1].rsplit(maxsplit=1)[-1]
    return first, answer


def line_joins() -> dict[str, list[tuple[str, str, bool]]]:
    """Consecutive text lines as make_pdfs.py drew them, if it regenerates the very same PDFs here."""
    sys.path.insert(0, str(MAKE))
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            import make_pdfs
    except (ImportError, SystemExit) as err:  # reportlab or the WenQuanYi font missing
        print(f"line-join check skipped: {err}", file=sys.stderr)
        return {}
    out = {}
    with tempfile.TemporaryDirectory() as tmp:
        make_pdfs.OUT = tmp
        for make in (make_pdfs.make_bank, make_pdfs.make_insurance, make_pdfs.make_telecom):
            flow, _ = make()
            name = Path(flow.path).name
            if not filecmp.cmp(flow.path, DOCS / name, shallow=False):
                print(
                    f"line-join check skipped for {name}: make_pdfs.py no longer gives the same file", file=sys.stderr
                )
                continue
            pairs = []
            for (p1, c1, t1), (p2, c2, t2) in zip(flow.log, flow.log[1:], strict=False):
                if t1.startswith("<") or t2.startswith("<"):  # a table or chart sits between them
                    continue
                pairs.append((t1, t2, (p1, c1) != (p2, c2) and not t1.rstrip().endswith(SENTENCE_END)))
            out[name] = pairs
    return out


def expectations(names: list[str]) -> dict[str, Expect]:
    furniture = {}
    for part in ("a", "b"):
        furniture.update(json.loads((MAKE / f"furniture-{part}.json").read_text("utf-8")))
    exp = {name: Expect(furniture=furniture.get(name, [])) for name in names}
    stems = {Path(name).stem: name for name in names}
    for line in QUESTIONS.read_text("utf-8").splitlines():
        q = json.loads(line)
        if not q.get("answerable") or q.get("report_id") not in stems:
            continue
        e = exp[stems[q["report_id"]]]
        if q.get("table"):
            e.rows.append((q["support"], *table_cells(q["support"])))
        else:
            e.prose.append(q["support"])
    if any(name.endswith(".pdf") for name in names):
        for name, pairs in line_joins().items():
            exp[name].joins = pairs
    return exp


# ---------------------------------------------------------------- scoring


@dataclass
class Score:
    leaked: int = 0
    furniture: int = 0
    prose: int = 0
    prose_total: int = 0
    rows_verbatim: int = 0
    cells: int = 0
    cells_near: int = 0
    rows_total: int = 0
    joins: int = 0
    joins_total: int = 0
    split: int = 0
    split_total: int = 0
    chars: int = 0
    seconds: float = 0.0
    misses: list[str] = field(default_factory=list)


def near(text: str, first: str, answer: str) -> bool:
    start = text.find(first)
    while start >= 0:
        if answer in text[start + len(first) : start + len(first) + NEAR + len(answer)]:
            return True
        start = text.find(first, start + 1)
    return False


def score(text: str, e: Expect, s: Score, name: str) -> None:
    t = norm(text)
    s.chars += len(t)
    s.furniture += len(e.furniture)
    for f in e.furniture:
        if norm(f) in t:
            s.leaked += 1
            s.misses.append(f"{name}: leaked {f!r}")
    s.prose_total += len(e.prose)
    for sup in e.prose:
        if norm(sup) in t:
            s.prose += 1
        else:
            s.misses.append(f"{name}: missing {sup!r}")
    s.rows_total += len(e.rows)
    for row, first, answer in e.rows:
        first, answer = norm(first), norm(answer)
        s.rows_verbatim += norm(row) in t
        s.cells += first in t and answer in t
        s.cells_near += near(t, first, answer)
    for line, nxt, split in e.joins or ():
        ok = norm(line)[-JOIN:] + norm(nxt)[:JOIN] in t
        s.joins_total += 1
        s.joins += ok
        s.split_total += split
        s.split += split and not ok
        if split and not ok:
            s.misses.append(f"{name}: sentence split at {line[-10:]!r} / {nxt[:10]!r}")


def run(names: list[str], readers: dict[str, Callable[[Path], str]]) -> dict[str, Score]:
    exp = expectations(names)
    scores = {}
    for label, read in readers.items():
        read(DOCS / names[0])  # warm-up, so one-off imports and caches are not timed
        s = scores[label] = Score()
        for name in names:
            t0 = time.perf_counter()
            text = read(DOCS / name)
            s.seconds += time.perf_counter() - t0
            score(text, exp[name], s, name)
    return scores


# ---------------------------------------------------------------- report


def frac(a: int, b: int) -> str:
    return f"{a}/{b}" if b else "n/a"


def table(scores: dict[str, Score], pdf: bool) -> str:
    head = ["reader", "furniture leaked ↓", "prose facts ↑", "table rows verbatim", "table cells present ↑"]
    head += [f"cells same row (≤{NEAR}) ↑"]
    if pdf:
        head += ["line joins kept ↑", "sentences split at page/column ↓"]
    head += ["chars", "seconds"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for label, s in scores.items():
        row = [label, frac(s.leaked, s.furniture), frac(s.prose, s.prose_total), frac(s.rows_verbatim, s.rows_total)]
        row += [frac(s.cells, s.rows_total), frac(s.cells_near, s.rows_total)]
        if pdf:
            row += [frac(s.joins, s.joins_total), frac(s.split, s.split_total)]
        row += [f"{s.chars:,}", f"{s.seconds:.2f}"]
        lines.append("| " + " | ".join(row) + " |")
    return "\n".join(lines)


HEADER = f"""# Extraction libraries vs cxkb's reader on the test documents

Rerun: `.venv/bin/python eval/documents/make/compare_readers.py` (writes this file; details of every miss go to stdout).

Counts are summed over the documents of each format. Matching normalises both sides (NFKC, OpenCC t2s, lower case,
whitespace removed) and tests for a substring.

* **furniture leaked**: strings from `eval/documents/make/furniture-a.json` / `furniture-b.json` (running headers,
  page numbers, nav, sidebars, reader comments) found in the text. Lower is better.
* **prose facts**: `support` spans of answerable non-table questions in `eval/documents.jsonl` found in the text.
* **table rows verbatim**: the table question's `support` row sentence (`<first cell>，<header> <cell>，…`) found as
  is; only a reader that renders table rows as sentences can get these.
* **table cells present**: the row's first cell and answering cell (last `<header> <cell>` piece) both found
  anywhere (a weak test: cells like `61%` may occur elsewhere). **cells same row**: the answering cell within
  {NEAR} characters after the first cell.
* **line joins kept** (PDF): `make_pdfs.py` is re-run into a temporary folder (it must give byte-identical PDFs) to
  get the lines in drawing order; a join is kept when the last {JOIN} characters of a line followed by the first
  {JOIN} of the next are found. It fails where furniture is inserted at a page break, where a two-column page is
  read across the columns, or where lines come out in a different order. **sentences split**: the joins that cut a
  sentence at a page or column edge and were not kept.
* **chars**: normalised characters extracted. **seconds**: extraction time over the documents after one warm-up call.
* jusText is given {STOPLIST_NOTE}. With its default thresholds it then keeps nothing; the second row
  sets the stopword thresholds to 0 and scales the length thresholds for Chinese (70/200 → 25/70 characters; with
  the stopword thresholds at 0 alone it still keeps nothing, because no paragraph reaches 200 characters).
"""


def main() -> None:
    pdf = run(PDFS, PDF_READERS)
    html = run(HTMLS, HTML_READERS)
    for label, scores in (("PDF", pdf), ("HTML", html)):
        for reader, s in scores.items():
            for miss in s.misses:
                print(f"[{label}] {reader}: {miss}")
    body = (
        f"{HEADER}\n## PDF ({', '.join(PDFS)})\n\n{table(pdf, pdf=True)}\n\n"
        f"## HTML ({', '.join(HTMLS)})\n\n{table(html, pdf=False)}\n"
    )
    RESULT.write_text(body, "utf-8")
    print("\n" + body)
    print(f"written to {RESULT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
