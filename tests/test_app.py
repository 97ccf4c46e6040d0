"""The web app's plain functions (rendering, escaping, statistics export, upload) and its safe defaults.

No browser here (see test_browser.py); the tiny corpus is indexed with the hash test embedder.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from cxkb import app
from cxkb.kb import KnowledgeBase
from cxkb.models import Answer, Chunk, Citation, Hit, Meta, Report
from cxkb.settings import Settings

HOSTILE = "<script>alert(1)</script> 和 <img src=x onerror=alert(1)> 以及 ${x} {{y}}"


@pytest.fixture
def kb(tiny_index: Settings) -> KnowledgeBase:
    return KnowledgeBase.open(tiny_index.index, tiny_index)


def _generation(settings: Settings) -> str:
    return json.loads((Path(settings.index) / "manifest.json").read_text(encoding="utf-8"))["generation"]


def _citation(quote: str, title: str = "客户体验管理报告", start: int = 0) -> Citation:
    return Citation(1, "r", "r.txt", title, "Qualtrics", "2021-12-09", quote, start, start + len(quote), page=3)


# --- escaping and highlighting -------------------------------------------------------------------


def test_esc_neutralises_markup_and_template_syntax() -> None:
    out = app.esc(HOSTILE)
    assert "<" not in out and ">" not in out
    assert "{" not in out and "}" not in out and "$" not in out
    assert "&lt;script&gt;" in out and "&#36;&#123;x&#125;" in out


def test_highlight_marks_the_asked_for_kind_of_figure() -> None:
    quote = "2021 年,87% 的受访者有核心指标,151 名专业人员参与。"
    percent = app.marked(quote, app.highlight_spans(quote, "有核心指标的组织占多少？"))
    assert "<mark>87%</mark>" in percent and "<mark>151" not in percent and "<mark>2021" not in percent
    count = app.marked(quote, app.highlight_spans(quote, "调查了多少名专业人员？"))
    assert "<mark>151 名</mark>" in count and "<mark>87%</mark>" not in count
    # Traditional script and full-width digits are matched through normalisation; offsets stay exact.
    trad = "８７％ 的受訪者表示他們的組織有一個核心指標。"
    assert app.marked(trad, app.highlight_spans(trad, "佔多少？")).startswith("<mark>８７％</mark>")


def test_highlight_prefers_figures_the_answer_states() -> None:
    quote = "87% 的受访者有核心指标,三分之二使用 NPS。"
    spans = app.highlight_spans(quote, "占多少？", "三分之二的受访者使用 NPS [1]")
    assert [quote[a:b] for a, b in spans] == ["三分之二"]


def test_marked_escapes_inside_and_outside_marks() -> None:
    text = "<b>87%</b> & more"
    out = app.marked(text, [(3, 6)])
    assert out == "&lt;b&gt;<mark>87%</mark>&lt;/b&gt; &amp; more"


def test_context_shows_width_either_side() -> None:
    text = "a" * 500 + "QUOTE" + "b" * 500
    out = app.context_html(text, 500, 505, width=300)
    assert out.startswith("…" + "a" * 300 + '<span class="cxkb-here">QUOTE</span>')
    assert out.endswith("b" * 300 + "…")


# --- answers ----------------------------------------------------------------------------------------


def test_answer_html_shows_text_markers_citation_passage_and_context() -> None:
    report = "前文。" * 5 + "87% 的受访者表示有核心指标。" + "后文。" * 5
    start = report.index("87%")
    cite = _citation("87% 的受访者表示有核心指标。", start=start)
    answer = Answer("有核心指标的组织占多少？", "87% 的受访者表示有核心指标。 [1]", True, (cite,))
    out = app.answer_html(answer, {"r": report}, seconds=0.1234)
    assert '<span class="cxkb-ref">[1]</span>' in out
    assert "客户体验管理报告" in out and "Qualtrics" in out and "2021-12-09" in out and "第 3 页" in out
    assert "r.txt" in out
    assert '<blockquote class="cxkb-quote"><mark>87%</mark> 的受访者表示有核心指标。</blockquote>' in out
    assert "<details>" in out and "前文。" in out and "后文。" in out
    assert "0.12 s" in out


def test_answer_html_escapes_everything_from_reports() -> None:
    cite = _citation(HOSTILE + " 87%", title=HOSTILE)
    answer = Answer(HOSTILE, HOSTILE + " [1]", True, (cite,))
    chunk = Chunk("r#0", "r", 0, len(HOSTILE), HOSTILE)
    related = Hit(1, 1.0, chunk, Meta(title=HOSTILE, publisher=HOSTILE), HOSTILE)
    for out in (
        app.answer_html(answer, {"r": HOSTILE + " 87%"}),
        app.answer_html(Answer(HOSTILE, "not found", False, (), (related,)), {"r": HOSTILE}),
        app.error_html(HOSTILE, HOSTILE),
    ):
        assert "<script" not in out and "<img" not in out and "${" not in out and "{{" not in out
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in out


def test_abstention_says_so_and_lists_nearest_passages(kb: KnowledgeBase) -> None:
    out, answer = app.ask_html(kb, "贝恩公司调查的门店里有多少家咖啡店？")
    assert answer is not None and not answer.answerable
    assert "没有找到" in out and "nearest passages" in out and "cxkb-abstain" in out
    assert out.count('class="cxkb-cite cxkb-related"') == len(answer.related) > 0


@pytest.mark.parametrize("question", ["有核心客户体验指标的组织占多少？", "有核心客戶體驗指標的組織佔多少？"])
def test_ask_html_answers_in_both_scripts(kb: KnowledgeBase, question: str) -> None:
    out, answer = app.ask_html(kb, question)
    assert answer is not None and answer.answerable
    assert "87%" in answer.answer and "<mark>87%</mark>" in out
    assert "qualtrics.txt" in out and "客户体验管理报告" in out and "Qualtrics" in out
    assert "151 名" in out  # the context around the quote


def test_ask_html_filters(kb: KnowledgeBase) -> None:
    out, answer = app.ask_html(kb, "有核心客户体验指标的组织占多少？", reports=["walker"])
    assert answer is not None and all(h.chunk.report_id == "walker" for h in answer.related)
    assert "qualtrics.txt" not in out
    _, by_year = app.ask_html(kb, "有核心客户体验指标的组织占多少？", year="2021")
    assert by_year is not None and by_year.answerable
    _, by_publisher = app.ask_html(kb, "有核心客户体验指标的组织占多少？", publisher="Walker")
    assert by_publisher is not None and "87%" not in by_publisher.answer


def test_question_too_long_or_empty_gets_a_clear_message(kb: KnowledgeBase) -> None:
    out, answer = app.ask_html(kb, "多" * (kb.settings.max_question_chars + 1))
    assert answer is None and "cxkb-error" in out and f"{kb.settings.max_question_chars}-character limit" in out
    out, answer = app.ask_html(kb, "   ")
    assert answer is None and "question is empty" in out


def test_parse_year() -> None:
    assert app.parse_year("2021") == 2021 and app.parse_year(2020) == 2020
    assert app.parse_year(app.ANY_YEAR) is None and app.parse_year("") is None and app.parse_year(None) is None


# --- statistics and reports --------------------------------------------------------------------------


def test_stats_rows_and_csv_with_bom(kb: KnowledgeBase, tmp_path: Path) -> None:
    stats = kb.stats("核心指标")
    rows = app.stats_rows(stats)
    assert rows and len(rows[0]) == len(app.STATS_COLUMNS)
    assert any(row[0] == "87%" and row[1] == "percent" for row in rows)
    path = app.stats_csv(stats, tmp_path / "private")
    assert path.parent == tmp_path / "private" and path.suffix == ".csv"
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and b"87%" in raw and "客户体验".encode() in raw


def test_report_rows_and_cleaning_summary(kb: KnowledgeBase) -> None:
    rows = app.report_rows(kb.reports(), kb.chunk_counts())
    by_id = {row[0]: row for row in rows}
    assert by_id["qualtrics"][1:4] == ["客户体验管理报告", "Qualtrics", "2021-12-09"]
    assert by_id["qualtrics"][5] == kb.chunk_counts()["qualtrics"] > 0
    assert app.cleaning_summary({}) == "nothing removed"
    assert app.cleaning_summary({"a": 1000, "b": 5, "c": 3, "d": 1}) == "1,009 chars removed: a 1000, b 5, c 3, …"
    assert ("客户体验管理报告 (Qualtrics)", "qualtrics") in app.report_choices(kb.reports())


def test_report_html_is_escaped() -> None:
    report = Report("evil", "evil.txt", Meta(title=HOSTILE, url="javascript:alert(1)"), HOSTILE, "0" * 64)
    out = app.report_html(report)
    assert "<script" not in out and "<img" not in out and "<a " not in out and "${" not in out
    assert out.count("&lt;script&gt;") == 2


# --- upload --------------------------------------------------------------------------------------------

DRCD = (
    "臺北101\n"
    "臺北101（TAIPEI 101）是位於臺灣臺北市信義區的摩天大樓，樓高509.2公尺，地上101層、地下5層。"
    "該大樓於1999年動工，2004年12月31日完工啟用。\n"
)


def test_upload_adds_a_report_that_then_answers(kb: KnowledgeBase, tmp_path: Path) -> None:
    upload = tmp_path / "gradio-tmp" / "taipei101.txt"
    upload.parent.mkdir()
    upload.write_text(DRCD, encoding="utf-8")
    steps: list[tuple[str, int, int]] = []
    ok, message = app.upload_report(
        kb, upload, Meta(title="臺北101", publisher="維基百科", date="2020"), progress=lambda *a: steps.append(a)
    )
    assert ok and "taipei101" in message and steps
    assert "taipei101" in {r.id for r in kb.reports()}  # refreshed
    assert (Path(kb.settings.corpus) / "taipei101.txt").read_text(encoding="utf-8") == DRCD
    _, answer = app.ask_html(kb, "臺北101地上有多少層？")
    assert answer is not None and answer.answerable and "101層" in answer.answer
    ok, message = app.upload_report(kb, upload)
    assert not ok and "Nothing was added" in message and str(upload.parent) not in message


def test_upload_says_when_extraction_kept_little(kb: KnowledgeBase, tmp_path: Path) -> None:
    # A page whose only text is a short note: added, but the form says so, as `cxkb add` does.
    upload = tmp_path / "note.md"
    upload.write_text("# 门店调研\n\n受访顾客对结账速度的满意度为 66%。\n", encoding="utf-8")
    ok, message = app.upload_report(kb, upload)
    assert ok and "warning" in message and "kept only" in message


@pytest.mark.parametrize(
    ("name", "content", "expect"),
    [
        ("empty.txt", b"", "empty"),
        ("blank.txt", b" \n\t\n", "Nothing was added"),
        ("tool.exe", b"MZ\x90\x00", "不支持的文件类型"),
        ("broken.pdf", b"%PDF-1.4 not really", "Nothing was added"),
    ],
)
def test_bad_upload_changes_nothing(kb: KnowledgeBase, tmp_path: Path, name: str, content: bytes, expect: str) -> None:
    before = sorted(p.name for p in Path(kb.settings.corpus).iterdir())
    generation = _generation(kb.settings)
    path = tmp_path / name
    path.write_bytes(content)
    ok, message = app.upload_report(kb, path, Meta(title="x"))
    assert not ok and expect in message
    assert str(tmp_path) not in message  # no server paths in messages
    assert sorted(p.name for p in Path(kb.settings.corpus).iterdir()) == before
    assert _generation(kb.settings) == generation


def test_upload_size_limit_and_missing_file(kb: KnowledgeBase, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(app, "MAX_UPLOAD_BYTES", 100)
    big = tmp_path / "big.txt"
    big.write_text("客户体验。" * 100, encoding="utf-8")
    ok, message = app.upload_report(kb, big)
    assert not ok and "over the" in message
    assert app.upload_report(kb, None) == (False, app.upload_report(kb, "")[1])
    assert not app.upload_report(kb, tmp_path / "gone.txt")[0]


def test_upload_name_is_never_a_path(kb: KnowledgeBase, tmp_path: Path) -> None:
    weird = tmp_path / "..; rm -rf ~ $(x).txt"
    weird.write_text("一份新的客户体验报告\n" + "调查显示 64% 的企业计划增加客户体验投入。\n", encoding="utf-8")
    ok, message = app.upload_report(kb, weird)
    assert ok, message
    added = {r.source for r in kb.reports()} - {"qualtrics.txt", "walker.txt"}
    assert len(added) == 1 and next(iter(added)).startswith("report-")
    assert (Path(kb.settings.corpus) / next(iter(added))).is_file()
    assert not list(tmp_path.glob("*.txt.tmp"))


def test_upload_refused_when_corpus_is_not_the_indexed_one(kb: KnowledgeBase, tmp_path: Path) -> None:
    other = tmp_path / "other-corpus"
    other.mkdir()
    wrong = KnowledgeBase.open(kb.settings.index, kb.settings.replace(corpus=other))
    upload = tmp_path / "new.txt"
    upload.write_text(DRCD, encoding="utf-8")
    ok, message = app.upload_report(wrong, upload)
    assert not ok and "does not hold every report of this index; run `cxkb check --repair`" in message
    assert not list(other.iterdir())


# --- the app object and its safe defaults -------------------------------------------------------------


def test_launch_options_are_local_and_never_serve_index_or_corpus(tiny_index: Settings) -> None:
    options = app.launch_options(tiny_index)
    assert options["server_name"] == "127.0.0.1" and options["server_port"] == 7860
    assert options["share"] is False and options["allowed_paths"] == []
    assert str(Path(tiny_index.index).resolve()) in options["blocked_paths"]
    assert str(Path(tiny_index.corpus).resolve()) in options["blocked_paths"]
    assert options["max_file_size"] == app.MAX_UPLOAD_BYTES


def test_create_app_builds_blocks_with_a_bounded_queue(kb: KnowledgeBase, tiny_index: Settings) -> None:
    demo = app.create_app(kb, kb.settings)
    assert demo._queue.max_size == app.QUEUE_SIZE
    assert demo._queue.default_concurrency_limit == app.CONCURRENCY
    private = Path(demo.cxkb_private_dir)
    assert private.is_dir()
    for folder in (tiny_index.index, tiny_index.corpus):
        assert not private.resolve().is_relative_to(Path(folder).resolve())
    config = json.dumps(demo.get_config_file(), ensure_ascii=False, default=str)
    assert "有核心客戶體驗指標的組織佔多少？" in config  # the examples, both scripts


def test_importing_cxkb_app_does_not_import_gradio() -> None:
    import subprocess

    code = "import sys, cxkb, cxkb.app; print('gradio' in sys.modules, 'torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "False"]


def test_a_busy_port_or_a_foreign_host_is_a_one_line_error_before_anything_loads():
    import socket

    from cxkb.app import check_address
    from cxkb.errors import InputError

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        with pytest.raises(InputError, match=f"port {port} on 127.0.0.1 is already in use.*--port {port + 1}"):
            check_address("127.0.0.1", port)
    with pytest.raises(InputError, match=r"cannot serve on 203\.0\.113\.5"):
        check_address("203.0.113.5", 8080)  # a documentation address no interface of this machine has
    check_address("127.0.0.1", 0)  # a free address passes


def test_upload_error_names_the_file_once(kb: KnowledgeBase, tmp_path: Path) -> None:
    path = tmp_path / "broken.pdf"
    path.write_bytes(b"%PDF-1.4 not really")
    ok, message = app.upload_report(kb, path)
    assert not ok and message.startswith("broken.pdf: ") and message.count("broken.pdf") == 1, message


# --- the served app: bounded sessions, a cleaned cache, an upload route that takes reports only ----------


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def served(kb: KnowledgeBase, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(app, "SESSIONS", 4)
    demo = app.create_app(kb, kb.settings)
    port = _free_port()
    demo.launch(**app.launch_options(kb.settings, "127.0.0.1", port), prevent_thread_lock=True, quiet=True)
    try:
        yield demo, f"http://127.0.0.1:{port}"
    finally:
        demo.close()


def test_api_sessions_are_bounded_and_the_cache_is_cleaned(served) -> None:
    import httpx

    demo, base = served
    for i in range(12):  # each call through the HTTP API is a new session
        posted = httpx.post(
            f"{base}/gradio_api/call/ask", json={"data": [f"CEO 反馈 {i}", [], "", app.ANY_YEAR, [], None, []]}
        )
        assert posted.status_code == 200, posted.text
        streamed = httpx.get(f"{base}/gradio_api/call/ask/{posted.json()['event_id']}", timeout=60).text
        assert "event: complete" in streamed and "cxkb-turn" in streamed
    assert 0 < len(demo.state_holder.session_data) <= 4
    assert demo.delete_cache == app.CACHE_CLEANING


@pytest.mark.parametrize(("name", "status"), [("tool.exe", 415), ("page.svg", 415), ("notes.txt", 200)])
def test_upload_route_takes_report_files_only(served, name: str, status: int) -> None:
    import httpx

    _, base = served
    # A file name inside the content must not fool the check: only part headers count.
    content = 'filename="fine.txt"\n客户体验报告'.encode()
    posted = httpx.post(f"{base}/gradio_api/upload", files={"files": (name, content, "application/octet-stream")})
    assert posted.status_code == status, posted.text
    if status == 200:
        stored = Path(posted.json()[0])
        assert stored.name == name and stored.read_bytes() == content


def test_upload_route_refuses_everything_without_the_form(kb: KnowledgeBase) -> None:
    demo = app.create_app(kb, kb.settings, allow_upload=False)
    port = _free_port()
    options = app.launch_options(kb.settings, "127.0.0.1", port, allow_upload=False)
    demo.launch(**options, prevent_thread_lock=True, quiet=True)
    try:
        import httpx

        posted = httpx.post(
            f"http://127.0.0.1:{port}/gradio_api/upload", files={"files": ("a.txt", b"x", "text/plain")}
        )
        assert posted.status_code == 415 and "uploads are off" in posted.text
    finally:
        demo.close()
