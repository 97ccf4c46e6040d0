"""Page geometry for paged formats: lines from positioned words, furniture by repetition,
columns, figures, and paragraphs that run across lines, columns and pages.

Pure functions over plain records, so the PDF reader's decisions can be tested without
a PDF. Coordinates are PDF points with ``top`` growing downwards (pdfplumber's).
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from ..document import Block, Table

_HAN = re.compile("[\u3400-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef]")
# Ends a sentence (or a lead-in to a list): the next line may start a new paragraph.
_TERMINAL = (*tuple("。！？!?；;…：:"), "。”", "。」", "！”", "？”")
LIST_MARKER = re.compile(r"^(?:[•·●■◆▪\-–*]|\d{1,2}[.．、)）](?!\d)|[（(]\d{1,2}[)）]|[①-⑳]|[一二三四五六七八九十]+、)")
NUMBER_ONLY = re.compile(r"^[\s\d.,，．%％+\-–−~/:()（）]*\d[\s\d.,，．%％+\-–−~/:()（）]*$")
_DATE = re.compile(r"((?:19|20)\d\d)\s*(?:年|[-/.])\s*(\d{1,2})(?:\s*(?:月|[-/.])\s*(\d{1,2}))?")


@dataclass
class Seg:
    """A line segment: words on one baseline with no wide gap between them."""

    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    size: float
    page: int
    bold: bool = False
    column: int = 0  # 0: the page's only column or spanning both; 1, 2: left, right
    table: Table | None = None  # a table standing in the reading order as one segment


@dataclass
class PageLayout:
    number: int
    width: float
    height: float
    segs: list[Seg] = field(default_factory=list)
    tables: list[tuple[tuple[float, float, float, float], Table]] = field(default_factory=list)
    graphics: list[tuple[float, float, float, float]] = field(default_factory=list)


def _glue(left: str, right: str) -> str:
    """No space between two lines where either side is Chinese; one between Latin words."""
    if not left or not right:
        return ""
    return "" if _HAN.match(left[-1]) or _HAN.match(right[0]) else " "


def segments(words: Iterable[Sequence], page: int) -> list[Seg]:
    """Group words ``(text, x0, x1, top, bottom, size, bold)`` into line segments."""
    rows: list[list[Sequence]] = []
    for word in sorted(words, key=lambda w: (w[3], w[1])):
        if rows and abs(word[3] - rows[-1][0][3]) <= 0.5 * max(word[5], 1.0):
            rows[-1].append(word)
        else:
            rows.append([word])
    out: list[Seg] = []
    for row in rows:
        row.sort(key=lambda w: w[1])
        current: Seg | None = None
        for text, x0, x1, top, bottom, size, bold in row:
            text = str(text).strip()
            if not text:
                continue
            if current is not None and x0 - current.x1 <= 1.5 * max(size, current.size):
                gap = " " if x0 - current.x1 > 0.25 * size and _glue(current.text, text) else ""
                current.text += gap + text
                current.x1, current.bottom = max(current.x1, x1), max(current.bottom, bottom)
                current.size = max(current.size, size)
                continue
            current = Seg(text, x0, x1, top, bottom, size, page, bool(bold))
            out.append(current)
    return out


def _key(text: str) -> str:
    return re.sub(r"\d+", "#", re.sub(r"\s+", "", text))


def repeated(pages: Sequence[Iterable[str]], *, min_share: float = 0.4) -> set[str]:
    """Keys (digits folded) of texts that recur on enough pages to be furniture, not content."""
    counts: Counter[str] = Counter()
    for texts in pages:
        counts.update({_key(t) for t in texts if t.strip()})
    need = max(2, round(min_share * len(pages)))
    return {key for key, n in counts.items() if n >= need}


def is_repeated(text: str, keys: set[str]) -> bool:
    return _key(text) in keys


MARGIN = 0.1  # share of the page height at top and bottom where running headers and footers live


def running_furniture(pages: list[PageLayout]) -> list[Block]:
    """Take out of each page the margin lines that recur across pages (headers, footers, page numbers)."""

    def margin(p: PageLayout) -> list[Seg]:
        return [s for s in p.segs if s.bottom <= MARGIN * p.height or s.top >= (1 - MARGIN) * p.height]

    keys = repeated([[s.text for s in margin(p)] for p in pages]) if len(pages) > 1 else set()
    furniture = []
    for p in pages:
        edge = {id(s) for s in margin(p)}
        keep = []
        for s in p.segs:
            if id(s) in edge and is_repeated(s.text, keys):
                kind = (
                    "page_number"
                    if not re.sub(r"[#\W_a-zA-Z第页頁共]", "", _key(s.text))
                    else ("header" if s.top < p.height / 2 else "footer")
                )
                furniture.append(Block(kind, s.text, page=p.number, why="repeated_on_pages"))
            else:
                keep.append(s)
        p.segs = keep
    return furniture


def _inside(seg: Seg, box: tuple[float, float, float, float], pad: float = 0.0) -> bool:
    cx, cy = (seg.x0 + seg.x1) / 2, (seg.top + seg.bottom) / 2
    return box[0] - pad <= cx <= box[2] + pad and box[1] - pad <= cy <= box[3] + pad


def figure_regions(page: PageLayout) -> list[tuple[float, float, float, float]]:
    """Boxes of drawn figures (charts): clusters of graphics outside tables, neither tiny nor the whole page."""
    items = [g for g in page.graphics if not any(_box_in(g, t) for t, _ in page.tables)]
    clusters: list[list[float]] = []
    for x0, top, x1, bottom in sorted(items, key=lambda g: (g[1], g[0])):
        for c in clusters:
            if x0 <= c[2] + 6 and x1 >= c[0] - 6 and top <= c[3] + 6 and bottom >= c[1] - 6:
                c[0], c[1], c[2], c[3] = min(c[0], x0), min(c[1], top), max(c[2], x1), max(c[3], bottom)
                c[4] += 1
                break
        else:
            clusters.append([x0, top, x1, bottom, 1])
    area = page.width * page.height
    return [
        (c[0], c[1], c[2], c[3])
        for c in clusters
        if c[4] >= 3 and c[2] - c[0] >= 40 and c[3] - c[1] >= 40 and (c[2] - c[0]) * (c[3] - c[1]) < 0.6 * area
    ]


def _box_in(g: tuple[float, float, float, float], t: tuple[float, float, float, float], pad: float = 2.0) -> bool:
    return g[0] >= t[0] - pad and g[1] >= t[1] - pad and g[2] <= t[2] + pad and g[3] <= t[3] + pad


def chart_labels(page: PageLayout) -> list[Block]:
    """Take out number-only text anywhere and short labels inside a figure: chart axes and values."""
    regions = figure_regions(page)
    furniture, keep = [], []
    for s in page.segs:
        short_label = len(s.text) <= 12 and not s.text.endswith(_TERMINAL)
        if NUMBER_ONLY.match(s.text) or (short_label and any(_inside(s, r, pad=14) for r in regions)):
            furniture.append(Block("chart_label", s.text, page=page.number, why="chart_label"))
        else:
            keep.append(s)
    page.segs = keep
    return furniture


def place_tables(page: PageLayout) -> None:
    """Words inside a table leave the text flow; the table stands in it as one segment, with its caption
    (the short line just above it) attached."""
    segs = [s for s in page.segs if not any(_inside(s, box) for box, _ in page.tables)]
    for box, table in page.tables:
        above = [
            s
            for s in segs
            if s.bottom <= box[1] + 1 and box[1] - s.bottom <= 2.5 * s.size and s.x1 > box[0] and s.x0 < box[2]
        ]
        caption = ""
        if above and not table.caption:
            cap = max(above, key=lambda s: s.bottom)
            if len(cap.text) <= 50 and not cap.text.endswith(_TERMINAL):
                caption = cap.text
                segs.remove(cap)
        size = min((s.size for s in segs), default=10.0)
        segs.append(
            Seg(
                "",
                box[0],
                box[2],
                box[1],
                box[3],
                size,
                page.number,
                table=Table(caption or table.caption, table.header, table.rows),
            )
        )
    page.segs = segs


def reading_order(page: PageLayout) -> list[Seg]:
    """Segments in reading order: a two-column band is read left column first; anything that
    crosses the gutter (a title, a wide table) closes the band above it."""
    segs = sorted(page.segs, key=lambda s: (s.top, s.x0))
    gutter = _gutter(segs, page.width)
    if gutter is None:
        return segs
    out: list[Seg] = []
    left: list[Seg] = []
    right: list[Seg] = []
    for s in segs:
        if s.x1 <= gutter + 0.5 * s.size:
            s.column = 1
            left.append(s)
        elif s.x0 >= gutter:
            s.column = 2
            right.append(s)
        else:
            out += left + right
            left, right = [], []
            out.append(s)
    return out + left + right


def _gutter(segs: list[Seg], width: float) -> float | None:
    """The middle of the widest vertical strip in the middle of the page that no line crosses, with lines
    side by side on both sides of it; None for a one-column page."""
    candidates = []
    for step in range(60, 141):
        x = width * step / 200
        crossing = sum(1 for s in segs if s.x0 < x - 2 < x + 2 < s.x1)
        lefts = [s for s in segs if s.x1 <= x]
        rights = [s for s in segs if s.x0 >= x]
        if len(lefts) < 3 or len(rights) < 3 or crossing > 0.25 * len(segs):
            candidates.append(None)
            continue
        side_by_side = sum(1 for r in rights if any(abs(r.top - s.top) < r.size for s in lefts))
        candidates.append(crossing if side_by_side >= 3 else None)
    valid = [c for c in candidates if c is not None]
    if not valid:
        return None
    fewest = min(valid)
    runs: list[list[int]] = []
    for i, c in enumerate(candidates):
        if c == fewest:
            if runs and runs[-1][-1] == i - 1:
                runs[-1].append(i)
            else:
                runs.append([i])
    widest = max(runs, key=len)
    return width * (60 + (widest[0] + widest[-1]) / 2) / 200


def _columns(stream: list[Seg]) -> dict[tuple[int, int], tuple[float, float]]:
    """Left and right text edges of each (page, column)."""
    edges: dict[tuple[int, int], list[Seg]] = defaultdict(list)
    for s in stream:
        if s.table is None:
            edges[(s.page, s.column)].append(s)
    out = {}
    for key, segs in edges.items():
        x0s = sorted(s.x0 for s in segs)
        x1s = sorted(s.x1 for s in segs)
        out[key] = (x0s[len(x0s) // 10], x1s[(len(x1s) * 9) // 10])
    return out


def body_size(stream: list[Seg]) -> float:
    """The font size of running text: the size carrying the most characters."""
    sizes: Counter[float] = Counter()
    for s in stream:
        if s.table is None:
            sizes[round(s.size, 1)] += len(s.text)
    return sizes.most_common(1)[0][0] if sizes else 10.0


def paragraphs(stream: list[Seg]) -> list[Block]:
    """Blocks from segments in reading order: lines join into paragraphs (also across a column or
    page break when the sentence is cut), larger or bold short lines are headings, the largest
    text on the first page is the title."""
    if not stream:
        return []
    body = body_size(stream)
    edges = _columns(stream)
    first = min(s.page for s in stream)
    title_size = max((s.size for s in stream if s.page == first and s.table is None), default=body)
    heading_sizes = sorted(
        {round(s.size, 1) for s in stream if s.table is None and s.size >= 1.15 * body}, reverse=True
    )
    blocks: list[Block] = []
    prev: Seg | None = None
    text = ""
    kind, page, level = "", 0, None
    breaks: list[tuple[int, int]] = []

    def flush() -> None:
        nonlocal text, breaks
        if text.strip():
            blocks.append(Block(kind, text.strip(), page=page, level=level, breaks=tuple(breaks)))
        text, breaks = "", []

    for s in stream:
        if s.table is not None:
            flush()
            blocks.append(Block("table", s.table.caption, page=s.page, table=s.table))
            prev = None
            continue
        big = s.size >= 1.15 * body
        short = len(s.text) <= 60 and not s.text.endswith(_TERMINAL)
        if (
            s.page == first
            and title_size > 1.15 * body
            and abs(s.size - title_size) < 0.5
            and (kind == "title" or not any(b.kind == "title" for b in blocks))
        ):
            this, this_level = "title", None
        elif (big or s.bold) and short:
            this = "heading"
            this_level = (
                heading_sizes.index(round(s.size, 1)) + 1
                if round(s.size, 1) in heading_sizes
                else len(heading_sizes) + 1
            )
        elif LIST_MARKER.match(s.text):
            this, this_level = "list_item", None
        else:
            this, this_level = "paragraph", None
        if prev is not None and text and _continues(prev, s, kind, this, edges):
            glue = _glue(text, s.text)
            if s.page != page and not any(b[1] == s.page for b in breaks):
                breaks.append((len(text.rstrip()) + len(glue), s.page))
            text = text.rstrip() + glue + s.text
        else:
            flush()
            text, kind, page, level = s.text, this, s.page, this_level
        prev = s
    flush()
    return blocks


def _continues(prev: Seg, s: Seg, kind: str, this: str, edges: dict[tuple[int, int], tuple[float, float]]) -> bool:
    """Whether line ``s`` carries on the block that ``prev`` ended."""
    if kind == "title":
        return this == "title"
    if kind == "heading" or this in ("title", "heading", "list_item") or abs(prev.size - s.size) > 0.6:
        return False
    left, _right = edges.get((s.page, s.column), (s.x0, s.x1))
    _, prev_right = edges.get((prev.page, prev.column), (prev.x0, prev.x1))
    full = prev.x1 >= prev_right - 1.5 * prev.size
    indented = s.x0 > left + 1.2 * s.size
    cut = not prev.text.endswith(_TERMINAL)
    same_flow = s.page == prev.page and s.column == prev.column and 0 <= s.top - prev.bottom <= 1.2 * s.size
    if same_flow:
        return (full or cut) and not indented
    # A new column or page: only a sentence cut mid-way carries on.
    return cut and full and not indented


def date_of(texts: Iterable[str]) -> str:
    """The first date in short lines (a byline such as 澄观研究院 · 2025年3月) as YYYY-MM(-DD)."""
    for text in texts:
        if len(text) > 60:
            continue
        match = _DATE.search(text)
        if match:
            year, month, day = match.groups()
            return f"{year}-{int(month):02d}" + (f"-{int(day):02d}" if day else "")
    return ""
