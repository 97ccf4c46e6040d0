"""The web app (Gradio): cited chat, the figure table, and the report list with a maintainer upload.

``create_app(kb, settings)`` builds the Blocks; ``launch(index)`` opens an index and serves it on
127.0.0.1. Gradio is imported only inside those two, so ``import cxkb`` stays cheap; everything
else here is plain functions that turn answers, figures and reports into escaped HTML or rows
(tested without a browser in ``tests/test_app.py``).

Safe by default: bound to 127.0.0.1 with ``share=False``; report text, quotes, titles and
questions are always escaped (the app never renders HTML that came from a report); uploads are
limited in type and size, checked again on the server, staged under a name the app picks, and added
through :func:`cxkb.maintain.add_reports` (which validates before touching anything); the index and
corpus folders are on Gradio's block list and the only extra folder is a private temp dir; the queue
runs two jobs at a time and holds at most sixteen.
"""

from __future__ import annotations

import atexit
import html
import logging
import os
import re
import shutil
import tempfile
import time
import uuid
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path, PurePath
from typing import TYPE_CHECKING, Any

from .errors import ConfigError, CxkbError, InputError
from .models import Answer, Citation, Hit, Meta, Report

if TYPE_CHECKING:
    import gradio as gr

    from .kb import KnowledgeBase
    from .settings import Settings
    from .stats import Stat

log = logging.getLogger(__name__)

HOST = "127.0.0.1"
PORT = 7860
CONCURRENCY = 2  # handlers running at once (answers are CPU-bound)
QUEUE_SIZE = 16  # waiting requests beyond this are refused with "queue is full"
MAX_UPLOAD_BYTES = 20 * 1024 * 1024
UPLOAD_TYPES = (".txt", ".md", ".html", ".htm", ".pdf", ".docx", ".pptx")
CONTEXT_CHARS = 300  # report text shown either side of a quote under "上下文"
MAX_TURNS = 20  # answers kept on screen per browser session
SESSIONS = 256  # conversations kept in memory; the least recently used is forgotten first
CACHE_CLEANING = (300, 900)  # every 5 min, Gradio's upload/download files older than 15 min are deleted
STATS_LIMIT = 200  # rows in the statistics table (and its CSV)
STATS_COLUMNS = ("value", "unit", "measures", "title", "publisher", "date", "page", "quote")
REPORT_COLUMNS = ("id", "title", "publisher", "date", "chars", "chunks", "cleaning", "marked wrong 👎")
EXAMPLES = (
    "有核心客户体验指标的组织占多少？",
    "有核心客戶體驗指標的組織佔多少？",
    "How many CX professionals did the Qualtrics survey cover?",
    "Walker 调查了多少位 CEO？",
)
ANY_YEAR = "任意年份 (any)"


# --- escaping -------------------------------------------------------------------------------------


def esc(text: str) -> str:
    """HTML-escape report text, also neutralising the ``${…}`` / ``{{…}}`` of Gradio's HTML templates."""
    return html.escape(text or "", quote=True).replace("{", "&#123;").replace("}", "&#125;").replace("$", "&#36;")


# --- highlighting the asked-for figure ---------------------------------------------------------------

# asked_kind() -> the figure units (cxkb.stats) that answer it; None means "any figure but a year".
_KIND_UNITS: dict[str, tuple[str, ...]] = {
    "percent": ("percent", "fraction", "points"),
    "multiple": ("multiple",),
    "count": ("count", "sample_size", "other"),
    "year": ("year",),
    "money": ("money",),
}


def figure_spans(text: str) -> list[tuple[str, int, int]]:
    """Non-overlapping (unit, start, end) figures in ``text`` (offsets into ``text``; longest match wins)."""
    from .normalize import normalize
    from .stats import PATTERNS

    norm = normalize(text)  # length-preserving: offsets carry over to the original script
    found = sorted(
        (m.start(), -(m.end() - m.start()), rank, unit, m.end())
        for rank, (unit, pattern) in enumerate(PATTERNS)
        for m in pattern.finditer(norm)
    )
    chosen: list[tuple[str, int, int]] = []
    taken = 0
    for start, _, _, unit, end in found:
        if start >= taken:
            chosen.append((unit, start, end))
            taken = end
    return chosen


def highlight_spans(quote: str, question: str = "", answer_text: str = "") -> list[tuple[int, int]]:
    """Where the figures the question asks for (and the answer states) sit in ``quote``."""
    from .normalize import normalize
    from .question import asked_kind

    kind = asked_kind(normalize(question)) if question else None
    units = _KIND_UNITS.get(kind or "")
    figures = [(u, a, b) for u, a, b in figure_spans(quote) if (u in units if units else u != "year")]
    if answer_text:
        said = re.sub(r"\[\d+\]", " ", normalize(answer_text))
        norm = normalize(quote)
        stated = [(u, a, b) for u, a, b in figures if norm[a:b].strip() in said]
        figures = stated or figures
    return [(a, b) for _, a, b in figures]


def marked(text: str, spans: Iterable[tuple[int, int]], tag: str = "mark") -> str:
    """``text`` escaped, with each (start, end) span wrapped in ``<tag>`` (spans must not overlap)."""
    out, at = [], 0
    for a, b in sorted(spans):
        if a < at or b <= a:
            continue
        out += [esc(text[at:a]), f"<{tag}>", esc(text[a:b]), f"</{tag}>"]
        at = b
    out.append(esc(text[at:]))
    return "".join(out)


def context_html(text: str, start: int, end: int, width: int = CONTEXT_CHARS, spans: Sequence = ()) -> str:
    """The report text around [start, end): ``width`` characters either side, the passage itself emphasised."""
    a, b = max(0, start - width), min(len(text), end + width)
    inner = marked(text[start:end], [(x - start, y - start) for x, y in spans])
    return (
        ("…" if a > 0 else "")
        + esc(text[a:start])
        + f'<span class="cxkb-here">{inner}</span>'
        + esc(text[end:b])
        + ("…" if b < len(text) else "")
    )


# --- answers as HTML -------------------------------------------------------------------------------


def _source_line(n: int | None, title: str, publisher: str, date: str, page: int | None, source: str) -> str:
    parts = [f'<span class="cxkb-title">{esc(title or source)}</span>']
    parts += [esc(x) for x in (publisher, date) if x]
    if page is not None:
        parts.append(f"第 {int(page)} 页")
    parts.append(f'<span class="cxkb-file">{esc(source)}</span>')
    label = f'<span class="cxkb-n">[{int(n)}]</span> ' if n is not None else ""
    return f'<div class="cxkb-src">{label}{" · ".join(parts)}</div>'


def citation_html(citation: Citation, report_text: str, question: str = "", answer_text: str = "") -> str:
    """One cited passage: where it is from, the quote with the figure marked, and its context."""
    spans = highlight_spans(citation.quote, question, answer_text)
    context = ""
    if report_text[citation.start : citation.end] == citation.quote:
        shifted = [(a + citation.start, b + citation.start) for a, b in spans]
        context = (
            "<details><summary>上下文 (context)</summary>"
            f'<div class="cxkb-context">{context_html(report_text, citation.start, citation.end, spans=shifted)}</div>'
            "</details>"
        )
    from .export import citation_link

    link = f'<a class="cxkb-link" href="{esc(citation_link(citation))}">原文位置 (open in Reports)</a>'
    return (
        '<div class="cxkb-cite">'
        + _source_line(citation.n, citation.title, citation.publisher, citation.date, citation.page, citation.source)
        + f'<blockquote class="cxkb-quote">{marked(citation.quote, spans)}</blockquote>'
        + context
        + link
        + "</div>"
    )


def passage_html(hit: Hit, report_text: str = "") -> str:
    """A related passage (shown when the answer abstains)."""
    chunk = hit.chunk
    context = ""
    if report_text and report_text[chunk.start : chunk.end] == chunk.text:
        context = (
            "<details><summary>上下文 (context)</summary>"
            f'<div class="cxkb-context">{context_html(report_text, chunk.start, chunk.end)}</div>'
            "</details>"
        )
    return (
        '<div class="cxkb-cite cxkb-related">'
        + _source_line(None, hit.meta.title, hit.meta.publisher, hit.meta.date, chunk.page, hit.source)
        + f'<blockquote class="cxkb-quote">{esc(chunk.text)}</blockquote>'
        + context
        + "</div>"
    )


def _answer_text_html(text: str) -> str:
    # An open question's answer lists its passages one a line.
    return re.sub(r"\[(\d+)\]", r'<span class="cxkb-ref">[\1]</span>', esc(text)).replace("\n", "<br>")


def answer_html(
    answer: Answer, texts: dict[str, str] | None = None, seconds: float | None = None, typed: str = ""
) -> str:
    """One question and its answer: text with [n] markers, then the cited (or the nearest) passages.

    ``texts`` maps report id -> cleaned report text, for the expandable context. ``typed``: the question as
    typed, when a follow-up was rewritten (the answer's own question is the one understood). The turn carries
    its Markdown with sources (hidden) for the copy button.
    """
    from .export import answer_markdown, language_note

    texts = texts or {}
    kind = "cxkb-answer" if answer.answerable else "cxkb-answer cxkb-abstain"
    out = ['<div class="cxkb-turn">', f'<div class="cxkb-question">{esc(typed or answer.question)}</div>']
    if typed and typed != answer.question:
        out.append(f'<div class="cxkb-understood">理解为 (understood as)：{esc(answer.question)}</div>')
    out.append(f'<div class="{kind}">{_answer_text_html(answer.answer)}</div>')
    if language_note(answer):
        out.append(f'<div class="cxkb-note">{esc(language_note(answer))}</div>')
    out.append(f'<textarea class="cxkb-md" hidden readonly>{esc(answer_markdown(answer, typed=typed))}</textarea>')
    if answer.answerable and answer.citations:
        out.append('<div class="cxkb-heading">引用 (citations)</div>')
        out += [citation_html(c, texts.get(c.report_id, ""), answer.question, answer.answer) for c in answer.citations]
    elif answer.related:
        out.append('<div class="cxkb-heading">最接近的段落 (nearest passages)</div>')
        out += [passage_html(h, texts.get(h.chunk.report_id, "")) for h in answer.related]
    if seconds is not None:
        out.append(f'<div class="cxkb-time">{seconds:.2f} s</div>')
    out.append("</div>")
    return "".join(out)


def chat_html(
    kb: KnowledgeBase,
    question: str,
    previous: Any = None,
    reports: Sequence[str] = (),
    publisher: str = "",
    year: Any = None,
    *,
    as_typed: bool = False,
) -> tuple[str, Any]:
    """A chat turn: a follow-up is understood from ``previous`` (a :class:`cxkb.followup.Turn`) unless filters
    are set or ``as_typed``; returns the turn's HTML and the :class:`cxkb.chat.Reply` (None on an error)."""
    from .chat import Reply, reply
    from .followup import Turn, Understood
    from .question import parse

    question = (question or "").strip()
    started = time.perf_counter()
    try:
        if reports or publisher or parse_year(year):
            answer = kb.ask(question, reports=tuple(reports or ()), publisher=publisher or "", year=parse_year(year))
            result = Reply(Understood(question, question, False), answer, Turn.of(parse(question), answer))
        else:
            result = reply(kb, question, previous, as_typed=as_typed)
    except CxkbError as exc:
        return error_html(question, str(exc)), None
    seconds = time.perf_counter() - started
    answer = result.answer
    ids = {c.report_id for c in answer.citations} | {h.chunk.report_id for h in answer.related}
    texts = {r.id: r.text for r in kb.reports() if r.id in ids}
    typed = result.understood.typed if result.understood.rewritten else ""
    return answer_html(answer, texts, seconds, typed=typed), result


def error_html(question: str, message: str) -> str:
    return (
        '<div class="cxkb-turn">'
        + (f'<div class="cxkb-question">{esc(question[:200])}</div>' if question.strip() else "")
        + f'<div class="cxkb-error">{esc(message)}</div></div>'
    )


def conversation_html(turns: Sequence[str]) -> str:
    if not turns:
        return '<div class="cxkb-empty">提问后，答案和引用的段落会显示在这里。Ask a question; answers and their sources appear here.</div>'
    return '<div class="cxkb-conversation">' + "".join(turns) + "</div>"


def parse_year(value: Any) -> int | None:
    text = str(value or "").strip()[:4]
    return int(text) if text.isdigit() else None


def ask_html(
    kb: KnowledgeBase,
    question: str,
    reports: Sequence[str] = (),
    publisher: str = "",
    year: Any = None,
) -> tuple[str, Answer | None]:
    """Ask ``kb`` one standalone question and render the turn; a question the app cannot take becomes a clear
    message. (:func:`chat_html`, with no previous turn.)"""
    html, result = chat_html(kb, question, None, reports, publisher, year, as_typed=True)
    return html, result.answer if result else None


# --- statistics ---------------------------------------------------------------------------------------


def stats_rows(stats: Sequence[Stat]) -> list[list[Any]]:
    return [[getattr(s, name) if getattr(s, name) is not None else "" for name in STATS_COLUMNS] for s in stats]


def stats_csv(stats: Sequence[Stat], folder: Path) -> Path:
    """Write the rows as UTF-8-with-BOM CSV into ``folder`` (the app's private temp dir)."""
    from .stats import write_csv

    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("cxkb-stats-*.csv"):  # keep the folder small: older exports are already served
        if time.time() - old.stat().st_mtime > 3600:
            old.unlink(missing_ok=True)
    path = folder / f"cxkb-stats-{time.strftime('%Y%m%d-%H%M%S')}-{uuid.uuid4().hex[:6]}.csv"
    write_csv(list(stats), path)
    return path


def conversation_file(history: Sequence[tuple[str, Answer]], folder: Path) -> Path:
    """The conversation so far as Markdown with sources, in ``folder`` (the app's private temp dir)."""
    from .export import conversation_markdown

    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("cxkb-conversation-*.md"):  # older exports are already served
        if time.time() - old.stat().st_mtime > 3600:
            old.unlink(missing_ok=True)
    path = folder / f"cxkb-conversation-{time.strftime('%Y%m%d-%H%M%S')}-{uuid.uuid4().hex[:6]}.md"
    path.write_text(conversation_markdown(history), encoding="utf-8")
    return path


# --- reports ------------------------------------------------------------------------------------------


def cleaning_summary(removed: dict[str, int], top: int = 3) -> str:
    """'1,101 chars removed: pinyin 600, footer 300, …' (empty dict -> 'nothing removed')."""
    total = sum(removed.values())
    if not total:
        return "nothing removed"
    ranked = sorted(removed.items(), key=lambda kv: -kv[1])
    shown = ", ".join(f"{rule} {count}" for rule, count in ranked[:top])
    more = ", …" if len(ranked) > top else ""
    return f"{total:,} chars removed: {shown}{more}"


def report_rows(
    reports: Sequence[Report], chunk_counts: dict[str, int], wrong: dict[str, int] | None = None
) -> list[list[Any]]:
    wrong = wrong or {}
    return [
        [
            r.id,
            r.meta.title,
            r.meta.publisher,
            r.meta.date,
            len(r.text),
            chunk_counts.get(r.id, 0),
            cleaning_summary(r.removed),
            wrong.get(r.id, 0),
        ]
        for r in reports
    ]


def report_choices(reports: Sequence[Report]) -> list[tuple[str, str]]:
    return [(f"{r.meta.title or r.source} ({r.meta.publisher or r.id})", r.id) for r in reports]


def report_html(report: Report, target: tuple[int, int] | None = None) -> str:
    """A report's cleaned text, escaped, under its catalogue line; ``target`` (start, end) is highlighted, as
    a citation's link asks."""
    meta = report.meta
    text = esc(report.text)
    if target and 0 <= target[0] < target[1] <= len(report.text):
        a, b = target
        text = (
            esc(report.text[:a])
            + f'<mark id="cxkb-target" class="cxkb-target">{esc(report.text[a:b])}</mark>'
            + esc(report.text[b:])
        )
    line = " · ".join(esc(x) for x in (meta.title, meta.publisher, meta.date, meta.script, report.source) if x)
    url = f'<div class="cxkb-file">{esc(meta.url)}</div>' if meta.url else ""
    return (
        f'<div class="cxkb-report"><div class="cxkb-src">{line}</div>{url}'
        f'<div class="cxkb-file">{len(report.text):,} chars · {esc(cleaning_summary(report.removed, top=10))}</div>'
        f'<div class="cxkb-text">{text}</div></div>'
    )


# --- upload -------------------------------------------------------------------------------------------


def corpus_matches(kb: KnowledgeBase) -> bool:
    """True when the corpus folder holds every report of the index (adding rebuilds from that folder)."""
    corpus = Path(kb.settings.corpus)
    return corpus.is_dir() and all((corpus / r.source).is_file() for r in kb.reports())


def _reason(error: object, staged: Path, shown: str) -> str:
    """An error about the staged copy, said about the upload, naming the file once."""
    text = str(error).replace(str(staged), shown).strip()
    while text.startswith(f"{shown}: "):
        text = text[len(shown) + 2 :]
    return text if text.endswith((".", "。")) else f"{text}."


def upload_report(
    kb: KnowledgeBase,
    file: str | Path | None,
    meta: Meta | None = None,
    *,
    progress: Callable[[str, int, int], None] | None = None,
    workdir: Path | None = None,
) -> tuple[bool, str]:
    """Add an uploaded file (at Gradio's temp path) as a report; (added?, message for the user).

    The upload's own name is never used as a path: the bytes are staged in a private temp dir
    under the name :func:`cxkb.maintain.safe_name` picks, and ``add_reports`` stores it under a
    safe name of its own. A rejected file changes nothing.
    """
    from .maintain import add_reports, safe_name

    if not file:
        return False, "请先选择文件。Choose a .txt, .md, .html, .pdf, .docx or .pptx file first."
    src = Path(file)
    shown = PurePath(str(file).replace("\\", "/")).name
    suffix = PurePath(shown).suffix.lower()
    if suffix not in UPLOAD_TYPES:
        return (
            False,
            f"{shown}: 不支持的文件类型 {suffix or '(none)'}; use .txt, .md, .html, .pdf, .docx or .pptx. Nothing was added.",
        )
    try:
        size = src.stat().st_size
    except OSError:
        return False, f"{shown}: the upload could not be read; try again. Nothing was added."
    if size > MAX_UPLOAD_BYTES:
        return False, f"{shown}: {size:,} bytes is over the {MAX_UPLOAD_BYTES // 2**20} MB limit. Nothing was added."
    if size == 0:
        return False, f"{shown}: 文件是空的 (the file is empty). Nothing was added."
    if not corpus_matches(kb):
        return False, (
            f"the corpus folder {kb.settings.corpus} does not hold every report of this index; run `cxkb check "
            "--repair`, or start the app with the corpus the index was built from. Nothing was added."
        )
    raw = src.read_bytes()
    staging = Path(tempfile.mkdtemp(prefix="upload-", dir=workdir))
    try:
        staged = staging / safe_name(shown, raw, Path(kb.settings.corpus))
        staged.write_bytes(raw)
        meta = meta if meta is not None and any(vars(meta).values()) else None
        try:
            change = add_reports(kb.settings, [staged], meta, progress=progress)
        except CxkbError as exc:
            return False, f"{shown}: {_reason(exc, staged, shown)} Nothing was added."
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    if not change.added:
        reason = next(iter(change.skipped.values()), "not added")
        return False, f"{shown}: {_reason(reason, staged, shown)} Nothing was added."
    kb.refresh()
    rid = next(iter(change.added.values()))
    chunks = kb.chunk_counts().get(rid, 0)
    warnings = [w for ws in change.warnings.values() for w in ws]
    note = "".join(f" 注意 (warning): {w}." for w in warnings)
    return True, f"已添加 (added) {shown} as report {rid}: {chunks} chunks, {change.seconds:.1f} s.{note}"


# --- the app --------------------------------------------------------------------------------------

CSS = """
.cxkb-conversation, .cxkb-report, .cxkb-empty { font-size: 15px; line-height: 1.6; }
.cxkb-empty { color: var(--body-text-color-subdued); padding: 12px 4px; }
.cxkb-turn { border: 1px solid var(--border-color-primary); border-radius: 10px; padding: 14px 16px; margin: 0 0 14px 0;
  background: var(--background-fill-primary); }
.cxkb-question { font-weight: 600; margin-bottom: 8px; }
.cxkb-question::before { content: "问 "; color: var(--color-accent); }
.cxkb-answer { background: var(--background-fill-secondary); border-radius: 8px; padding: 10px 12px; margin-bottom: 10px; }
.cxkb-abstain { border-left: 4px solid #d97706; }
.cxkb-error { border-left: 4px solid #dc2626; padding: 8px 12px; background: var(--background-fill-secondary); }
.cxkb-ref { color: var(--color-accent); font-weight: 600; font-size: 0.85em; }
.cxkb-heading { font-size: 0.85em; color: var(--body-text-color-subdued); margin: 6px 0 4px 0; }
.cxkb-cite { border-left: 3px solid var(--color-accent); padding: 4px 0 4px 12px; margin: 6px 0 10px 0; }
.cxkb-related { border-left-color: var(--border-color-primary); }
.cxkb-src { font-size: 0.9em; }
.cxkb-n { color: var(--color-accent); font-weight: 700; }
.cxkb-title { font-weight: 600; }
.cxkb-file { color: var(--body-text-color-subdued); font-size: 0.85em; }
.cxkb-quote { margin: 2px 0; padding: 0; border: none; font-style: normal; white-space: pre-line; }
.cxkb-quote mark, .cxkb-context mark { background: #fde68a; color: #111; padding: 0 2px; border-radius: 3px; }
details summary { cursor: pointer; font-size: 0.85em; color: var(--body-text-color-subdued); }
.cxkb-context { white-space: pre-wrap; font-size: 0.9em; color: var(--body-text-color-subdued); padding: 6px 0; }
.cxkb-here { color: var(--body-text-color); background: var(--background-fill-secondary); }
.cxkb-time { text-align: right; font-size: 0.75em; color: var(--body-text-color-subdued); }
.cxkb-understood { font-size: 0.9em; color: var(--body-text-color-subdued); margin-bottom: 6px; }
.cxkb-note { font-size: 0.85em; font-style: italic; color: var(--body-text-color-subdued); margin: 4px 0; }
.cxkb-link { font-size: 0.8em; }
.cxkb-target { background: #ffe58a; scroll-margin-top: 120px; }
.cxkb-text { white-space: pre-wrap; margin-top: 10px; max-height: 600px; overflow-y: auto; }
"""


def _private_dir() -> Path:
    """This server's temp folder (CSV exports, upload copies); a killed server's folder is removed here."""
    for old in Path(tempfile.gettempdir()).glob("cxkb-app-*-*"):
        pid = old.name.split("-")[2]
        if pid.isdigit() and not Path(f"/proc/{pid}").exists():
            shutil.rmtree(old, ignore_errors=True)
    folder = Path(tempfile.mkdtemp(prefix=f"cxkb-app-{os.getpid()}-"))
    atexit.register(shutil.rmtree, folder, True)
    return folder


def create_app(kb: KnowledgeBase, settings: Settings | None = None, *, allow_upload: bool = True) -> gr.Blocks:
    """The Blocks: Chat, Statistics and Reports tabs over ``kb`` (queue: 2 at a time, 16 waiting)."""
    try:
        import gradio as gr
    except ModuleNotFoundError as exc:
        raise ConfigError("the web app needs gradio: pip install 'cxkb[app]'") from exc

    settings = settings or kb.settings
    private = _private_dir()
    # Gradio keeps a record of every event for its monitoring page (off here); 10,000 by default.
    os.environ.setdefault("GRADIO_ANALYTICS_MAX_EVENTS", "1000")

    def filters_update():
        from .feedback import wrong_by_report

        kb.refresh()
        reports = kb.reports()
        publishers = sorted({r.meta.publisher for r in reports if r.meta.publisher})
        years = sorted({str(r.meta.year) for r in reports if r.meta.year}, reverse=True)
        choices = report_choices(reports)
        return (
            gr.update(choices=choices),
            gr.update(choices=[("任意 (any)", ""), *[(p, p) for p in publishers]]),
            gr.update(choices=[ANY_YEAR, *years]),
            gr.update(choices=[("全部报告 (all)", ""), *choices]),
            gr.update(choices=choices),
            report_rows(reports, kb.chunk_counts(), wrong_by_report(Path(kb.index.path))),
        )

    def exported(history):
        return gr.update(value=str(conversation_file(history, private)), interactive=True)

    def ask(question, reports, publisher, year, turns, previous, history):
        kb.refresh()
        turn, result = chat_html(kb, question, previous, reports or (), publisher or "", year)
        turns = [turn, *(turns or [])][:MAX_TURNS]
        history = list(history or [])
        if result:
            history = [*history, (result.understood.typed, result.answer)][-MAX_TURNS:]
        rewritten = bool(result and result.understood.rewritten)
        return (
            conversation_html(turns),
            turns,
            "",
            result.turn if result else previous,
            result,
            gr.update(visible=rewritten),
            "",
            history,
            exported(history) if history else gr.update(),
        )

    def ask_as_typed(turns, last, history):
        # The last question again, as typed: it replaces the rewritten turn.
        if not last:
            return conversation_html(turns or []), turns, None, last, gr.update(visible=False), history, gr.update()
        kb.refresh()
        turn, result = chat_html(kb, last.understood.typed, None, as_typed=True)
        turns = [turn, *(turns or [])[1:]]
        history = list(history or [])
        if result:
            history = [*history[:-1], (result.understood.typed, result.answer)]
        return (
            conversation_html(turns),
            turns,
            result.turn if result else None,
            result,
            gr.update(visible=False),
            history,
            exported(history) if history else gr.update(),
        )

    def give_feedback(verdict, correction, not_in_reports, last):
        from .feedback import record

        if not last:
            return '<div class="cxkb-error">先提一个问题 (ask a question first)</div>', correction, not_in_reports
        try:
            row = record(
                Path(kb.index.path), last.answer, verdict, correction=correction or "", not_in_reports=not_in_reports
            )
        except (CxkbError, OSError) as exc:
            return f'<div class="cxkb-error">{esc(str(exc))}</div>', correction, not_in_reports
        return f'<div class="cxkb-answer">已记录 (recorded) {esc(row["id"])}</div>', "", False

    def open_link(request: gr.Request):
        # A citation's link (?report=…&start=…&end=…) opens the Reports tab at the passage, highlighted.
        params = dict(request.query_params) if request else {}
        rid, start, end = params.get("report", ""), params.get("start", ""), params.get("end", "")
        if not (rid and start.isdigit() and end.isdigit()):
            return gr.update(), None, gr.update(), gr.update()
        try:
            report = kb.report(rid)
        except CxkbError as exc:
            return gr.update(selected="reports"), None, gr.update(), f'<div class="cxkb-error">{esc(str(exc))}</div>'
        target = (report.id, int(start), int(end))
        choices = report_choices(kb.reports())
        return (
            gr.update(selected="reports"),
            target,
            gr.update(choices=choices, value=report.id),
            report_html(report, (target[1], target[2])),
        )

    def find_stats(query, report):
        kb.refresh()
        rows = kb.stats(query or "", report=report or None, limit=STATS_LIMIT)
        path = stats_csv(rows, private)
        note = f"{len(rows)} 个数字 (figures)" + (f", 最多显示 {STATS_LIMIT}" if len(rows) >= STATS_LIMIT else "")
        return stats_rows(rows), gr.update(value=str(path), interactive=True), note

    # Gradio passes the request to a parameter annotated gr.Request; with postponed annotations (and gr imported
    # here) it must be the class itself.
    open_link.__annotations__["request"] = gr.Request

    def show_report(rid, target):
        kb.refresh()
        if not rid:
            return ""
        try:
            report = kb.report(rid)
        except CxkbError as exc:
            return f'<div class="cxkb-error">{esc(str(exc))}</div>'
        return report_html(report, (target[1], target[2]) if target and target[0] == report.id else None)

    def upload(file, title, publisher, date, url, script, progress=gr.Progress()):  # noqa: B008 (Gradio's idiom)
        def step(stage: str, done: int, total: int) -> None:
            progress((done, max(total, 1)), desc=stage[:60])

        progress(0, desc="checking")
        meta = Meta(
            title=(title or "").strip()[:200],
            publisher=(publisher or "").strip()[:100],
            date=(date or "").strip()[:10],
            url=(url or "").strip()[:500],
            script=script or "",
        )
        ok, message = upload_report(kb, file, meta, progress=step, workdir=private)
        status = f'<div class="{"cxkb-answer" if ok else "cxkb-error"}">{esc(message)}</div>'
        return (status, *filters_update())

    with gr.Blocks(title="cxkb · 客户体验报告问答", analytics_enabled=False, delete_cache=CACHE_CLEANING) as demo:
        gr.Markdown("## cxkb · 客户体验研究报告问答\n每个答案都引用报告原文；语料库里没有的内容会如实说明。")
        with gr.Tabs() as tabs:
            with gr.Tab("问答 Chat", id="chat"):
                with gr.Row():
                    question = gr.Textbox(
                        label="问题 (question)",
                        placeholder="例如：有核心客户体验指标的组织占多少？",
                        max_length=settings.max_question_chars,
                        lines=1,
                        scale=5,
                        elem_id="question",
                        autofocus=True,
                    )
                    ask_button = gr.Button("提问 Ask", variant="primary", scale=1, elem_id="ask")
                with gr.Accordion("筛选 (filters)", open=False), gr.Row():
                    report_filter = gr.Dropdown(
                        choices=[], multiselect=True, label="报告 (reports)", elem_id="filter-reports"
                    )
                    publisher_filter = gr.Dropdown(choices=[("任意 (any)", "")], value="", label="发布者 (publisher)")
                    year_filter = gr.Dropdown(choices=[ANY_YEAR], value=ANY_YEAR, label="年份 (year)")
                gr.Examples(examples=[[q] for q in EXAMPLES], inputs=[question], label="示例问题 (examples)")
                turns = gr.State([])
                previous = gr.State(None)  # the last turn, for follow-ups
                last = gr.State(None)  # the last reply: for "ask as typed" and feedback
                with gr.Row():
                    typed_button = gr.Button(
                        "按原句单独提问 (ask as typed, without the last question)",
                        size="sm",
                        visible=False,
                        elem_id="ask-typed",
                    )
                    copy_button = gr.Button("复制答案和出处 (copy with sources)", size="sm", elem_id="copy-sources")
                    export_button = gr.DownloadButton(
                        "导出对话 (export the conversation, Markdown)",
                        size="sm",
                        interactive=False,
                        elem_id="export-conversation",
                    )
                history = gr.State([])  # (as typed, answer) pairs, oldest first, for the export
                conversation = gr.HTML(
                    conversation_html([]), css_template=CSS, js_on_load=None, elem_id="answers", padding=False
                )
                with gr.Accordion("反馈 (feedback on the latest answer)", open=False, elem_id="feedback"), gr.Row():
                    up_button = gr.Button("👍 对 (right)", size="sm", elem_id="fb-up")
                    down_button = gr.Button("👎 错 (wrong)", size="sm", elem_id="fb-down")
                    fb_correction = gr.Textbox(
                        label="正确答案 (the right answer, optional)", max_lines=1, elem_id="fb-correction", scale=3
                    )
                    fb_none = gr.Checkbox(label="报告里没有 (not in the reports)", elem_id="fb-none")
                fb_status = gr.HTML("", css_template=CSS, js_on_load=None, elem_id="fb-status")
            with gr.Tab("数字 Statistics", id="stats"):
                with gr.Row():
                    stats_query = gr.Textbox(
                        elem_id="stats-query",
                        label="查找数字 (search figures)",
                        placeholder="例如：NPS、CEO、百分比",
                        scale=4,
                    )
                    stats_report = gr.Dropdown(
                        choices=[("全部报告 (all)", "")], value="", label="报告 (report, optional)", scale=3
                    )
                    stats_button = gr.Button("查找 Search", variant="primary", scale=1, elem_id="stats-search")
                stats_note = gr.Markdown("")
                stats_table = gr.Dataframe(
                    headers=list(STATS_COLUMNS),
                    datatype=["str", "str", "str", "str", "str", "str", "number", "str"],
                    interactive=False,
                    wrap=True,
                    max_height=600,
                    elem_id="stats-table",
                )
                stats_download = gr.DownloadButton("下载 CSV (download)", interactive=False, elem_id="stats-csv")
            with gr.Tab("报告 Reports", id="reports"):
                report_table = gr.Dataframe(
                    headers=list(REPORT_COLUMNS),
                    datatype=["str", "str", "str", "str", "number", "number", "str", "number"],
                    interactive=False,
                    wrap=True,
                    elem_id="report-table",
                )
                report_select = gr.Dropdown(
                    choices=[], label="查看清洗后的全文 (show a report's cleaned text)", elem_id="report-select"
                )
                report_view = gr.HTML("", css_template=CSS, js_on_load=None, elem_id="report-text")
                link_target = gr.State(None)  # (report, start, end) a citation link asked for
                with gr.Accordion("添加报告 (maintainers: add a report)", open=False, visible=allow_upload):
                    upload_file = gr.File(
                        label=f"文件 (.txt .md .html .pdf .docx .pptx, ≤ {MAX_UPLOAD_BYTES // 2**20} MB)",
                        file_types=list(UPLOAD_TYPES),
                        type="filepath",
                        elem_id="upload-file",
                    )
                    with gr.Row():
                        up_title = gr.Textbox(label="标题 (title)", elem_id="upload-title")
                        up_publisher = gr.Textbox(label="发布者 (publisher)", elem_id="upload-publisher")
                        up_date = gr.Textbox(label="日期 (date, YYYY-MM-DD)", elem_id="upload-date")
                    with gr.Row():
                        up_url = gr.Textbox(label="网址 (url)")
                        up_script = gr.Dropdown(
                            choices=[
                                ("自动 (auto)", ""),
                                ("简体 simplified", "simplified"),
                                ("繁體 traditional", "traditional"),
                            ],
                            value="",
                            label="字体 (script)",
                        )
                    upload_button = gr.Button("添加 Add", variant="primary", elem_id="upload-add")
                    upload_status = gr.HTML("", css_template=CSS, js_on_load=None, elem_id="upload-status")

        filter_outputs = [report_filter, publisher_filter, year_filter, stats_report, report_select, report_table]
        demo.load(filters_update, outputs=filter_outputs, queue=False)
        demo.load(open_link, outputs=[tabs, link_target, report_select, report_view], queue=False)
        ask_inputs = [question, report_filter, publisher_filter, year_filter, turns, previous, history]
        ask_outputs = [conversation, turns, question, previous, last, typed_button, fb_status, history, export_button]
        ask_button.click(ask, ask_inputs, ask_outputs, api_name="ask")
        question.submit(ask, ask_inputs, ask_outputs, api_name=False)
        typed_button.click(
            ask_as_typed,
            [turns, last, history],
            [conversation, turns, previous, last, typed_button, history, export_button],
            api_name=False,
        )
        # The newest turn comes first; its Markdown with sources sits in a hidden textarea.
        copy_button.click(
            None,
            js="() => { const t = document.querySelector('#answers .cxkb-md');"
            " if (t) { navigator.clipboard.writeText(t.value); } }",
        )
        fb_inputs = [fb_correction, fb_none, last]
        up_button.click(lambda c, n, x: give_feedback("up", c, n, x), fb_inputs, [fb_status, fb_correction, fb_none])
        down_button.click(
            lambda c, n, x: give_feedback("down", c, n, x), fb_inputs, [fb_status, fb_correction, fb_none]
        )
        stats_button.click(find_stats, [stats_query, stats_report], [stats_table, stats_download, stats_note])
        stats_query.submit(find_stats, [stats_query, stats_report], [stats_table, stats_download, stats_note])
        report_select.change(show_report, [report_select, link_target], [report_view])
        if allow_upload:
            upload_button.click(
                upload,
                [upload_file, up_title, up_publisher, up_date, up_url, up_script],
                [upload_status, *filter_outputs],
                concurrency_limit=1,
                api_name=False,
            )
    demo.queue(default_concurrency_limit=CONCURRENCY, max_size=QUEUE_SIZE)
    # Gradio keeps a message queue for each of the last 2,000 sessions; a session beyond SESSIONS has no state
    # to come back to, so its messages need not outlive it either.
    messages = getattr(demo._queue, "pending_messages_per_session", None)
    if messages is not None and hasattr(messages, "max_size"):
        messages.max_size = SESSIONS
    demo.cxkb_private_dir = private  # type: ignore[attr-defined]
    return demo


def _return_freed_memory(every: float = 60.0) -> None:
    """Keep glibc from holding freed memory: few arenas, and what requests freed handed back every minute.

    Each of the worker threads that answer requests would otherwise get its own malloc arena, and
    memory freed there stays with the process, so RSS creeps up under load with nothing leaking.
    """
    import ctypes
    import ctypes.util
    import threading

    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        trim = libc.malloc_trim
        libc.mallopt(-8, 2)  # M_ARENA_MAX: arenas created from now on are shared by the threads
    except (OSError, AttributeError):  # not glibc: nothing to do
        return

    def loop() -> None:
        while True:
            time.sleep(every)
            trim(0)

    threading.Thread(target=loop, name="cxkb-malloc-trim", daemon=True).start()


def check_address(host: str, port: int) -> None:
    """Fail in one line, before the index is loaded, when the app could not listen on ``host:port``."""
    import errno
    import socket

    try:
        family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    except (socket.gaierror, UnicodeError) as exc:
        raise InputError(
            f"--host {host!r} is not an address of this machine ({exc}); use 127.0.0.1 or 0.0.0.0"
        ) from exc
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise InputError(
                    f"port {port} on {host} is already in use; stop the other server or pass --port {port + 1}"
                ) from exc
            raise InputError(
                f"cannot serve on {host}:{port} ({exc.strerror}); use --host 127.0.0.1 (this machine only) or "
                "0.0.0.0 (every interface), and a port above 1024"
            ) from exc


class UploadGuard:
    """ASGI middleware: Gradio's generic upload route takes only report files, or none without the form.

    Gradio stores anything posted to ``…/upload`` in its cache whatever the form allows; this
    reads the multipart part headers and refuses (415) a file whose type cxkb would not add.
    """

    _NAME = re.compile(rb'filename\*?=(?:"([^"]*)"|([^;\r\n]*))', re.IGNORECASE)

    def __init__(self, app: Any, allow: bool = True, types: tuple[str, ...] = UPLOAD_TYPES) -> None:
        self.app, self.allow, self.types = app, allow, types

    def file_names(self, content_type: bytes, body: bytes) -> list[str]:
        """The file names in the part headers of a multipart body (never looked for in file content)."""
        boundary = re.search(rb'boundary="?([^";]+)"?', content_type)
        if not boundary:
            return []
        names = []
        for part in body.split(b"--" + boundary.group(1))[1:]:
            head = part.split(b"\r\n\r\n", 1)[0]
            names += [(a or b).decode("utf-8", "replace").strip() for a, b in self._NAME.findall(head)]
        return names

    async def __call__(self, scope: dict, receive: Callable, send: Callable) -> None:
        if (
            scope.get("type") != "http"
            or scope.get("method") != "POST"
            or not scope.get("path", "").endswith("/upload")
        ):
            await self.app(scope, receive, send)
            return
        messages, size, more = [], 0, True
        while more:
            message = await receive()
            messages.append(message)
            size += len(message.get("body", b""))
            more = message.get("more_body", False)
            if size > MAX_UPLOAD_BYTES + 65536:
                await self._refuse(send, 413, f"over the {MAX_UPLOAD_BYTES // 2**20} MB limit")
                return
        content_type = dict(scope.get("headers") or []).get(b"content-type", b"")
        names = self.file_names(content_type, b"".join(m.get("body", b"") for m in messages))
        bad = [n for n in names if PurePath(n).suffix.lower() not in self.types]
        if not self.allow or bad or not names:
            why = "uploads are off" if not self.allow else f"only {' '.join(self.types)} files are accepted"
            await self._refuse(send, 415, why)
            return
        replay = iter(messages)

        async def again() -> dict:
            message = next(replay, None)
            return message if message is not None else await receive()  # then the disconnect, as usual

        await self.app(scope, again, send)

    @staticmethod
    async def _refuse(send: Callable, status: int, why: str) -> None:
        await send({"type": "http.response.start", "status": status, "headers": [(b"content-type", b"text/plain")]})
        await send({"type": "http.response.body", "body": why.encode()})


def launch_options(
    settings: Settings, host: str = HOST, port: int = PORT, *, allow_upload: bool = True
) -> dict[str, Any]:
    """The keyword arguments for ``demo.launch``: local, no share link, index and corpus never served.

    Memory and disk stay bounded: at most ``SESSIONS`` conversations are held, and Gradio's
    cache is cleaned on a timer (``CACHE_CLEANING``); the upload route takes report types only.
    """
    from starlette.middleware import Middleware

    blocked = [str(Path(settings.index).resolve()), str(Path(settings.corpus).resolve())]
    return {
        "state_session_capacity": SESSIONS,
        "app_kwargs": {"middleware": [Middleware(UploadGuard, allow=allow_upload)]},
        "server_name": host,
        "server_port": port,
        "share": False,
        "allowed_paths": [],
        "blocked_paths": blocked,
        "max_file_size": MAX_UPLOAD_BYTES,
        "show_error": False,
        "ssr_mode": False,
        "mcp_server": False,
        "enable_monitoring": False,
        "footer_links": [],
    }


def open_kb(index: Path | str | None = None, settings: Settings | None = None) -> KnowledgeBase:
    from .journal import recover
    from .kb import KnowledgeBase
    from .settings import load_settings

    settings = settings or load_settings()
    path = Path(index if index is not None else settings.index)
    note = recover(path)  # an add, update, remove or upload a kill interrupted
    if note:
        log.warning("%s", note)
    return KnowledgeBase.open(path, settings)


def warm_up(kb: KnowledgeBase) -> float:
    """Answer one question so the embedding model and tokenizer load before the first visitor (seconds)."""
    started = time.perf_counter()
    try:
        kb.ask(EXAMPLES[0])
    except CxkbError as exc:  # an index that cannot answer still serves its reports
        log.warning("warm-up question failed: %s", exc)
    return time.perf_counter() - started


def launch(
    index: Path | str | None = None,
    host: str = HOST,
    port: int = PORT,
    settings: Settings | None = None,
    *,
    allow_upload: bool = True,
    block: bool = True,
) -> gr.Blocks:
    """Open ``index`` and serve the app on ``host:port`` (127.0.0.1:7860 by default; never shared)."""
    if host not in ("127.0.0.1", "localhost", "::1"):
        log.warning("serving on %s: anyone who can reach this address can ask and upload; there is no login", host)
    _return_freed_memory()  # before the server's threads start
    kb = open_kb(index, settings)
    warm_up(kb)
    demo = create_app(kb, kb.settings, allow_upload=allow_upload)
    demo.launch(**launch_options(kb.settings, host, port, allow_upload=allow_upload), prevent_thread_lock=not block)
    return demo
