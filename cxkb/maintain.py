"""Maintainers' workflow: add, update and remove reports incrementally and safely.

Every change validates its input first (a rejected file touches nothing), stages accepted
files under a safe name outside the corpus, and publishes a new index generation in which
only new text is cleaned and embedded; only then are the files and the catalogue moved into
place (:mod:`cxkb.journal`). The result equals a fresh ``cxkb build`` of the corpus. One
writer at a time; after a kill the next command completes or rolls back the change.
"""

from __future__ import annotations

import hashlib
import logging
import re
import time
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePath

from .catalog import check_meta, entries, load_catalog, read_catalog, with_entry, write_catalog
from .errors import CxkbError, InputError
from .index import BuildSummary, _build, corpus_files, open_index, read_manifest, verify, writer_lock
from .ingest import load_report
from .journal import Transaction, begin, finish, leftovers, pending
from .models import Meta, Report
from .normalize import normalize
from .readers import SUFFIXES
from .settings import Settings

log = logging.getLogger(__name__)

_SAFE_STEM = re.compile(r"[\w\u3400-\u9fff][\w\u3400-\u9fff.()（）-]{0,80}")


@dataclass
class Change:
    added: dict[str, str] = field(default_factory=dict)  # given file -> report id
    updated: dict[str, str] = field(default_factory=dict)
    removed: list[str] = field(default_factory=list)
    skipped: dict[str, str] = field(default_factory=dict)  # given file -> reason
    warnings: dict[str, tuple[str, ...]] = field(default_factory=dict)  # given file -> extraction warnings
    summary: BuildSummary | None = None
    seconds: float = 0.0


def safe_name(given: str, raw: bytes, corpus: Path, taken: set[str] = frozenset()) -> str:  # type: ignore[assignment]
    """A corpus file name for an incoming file: its own name only when that is plainly safe."""
    name = PurePath(given.replace("\\", "/")).name
    suffix = PurePath(name).suffix.lower()
    stem = name[: -len(suffix)] if suffix else name
    digest = hashlib.sha256(raw).hexdigest()
    if not _SAFE_STEM.fullmatch(stem) or ".." in stem:
        stem = f"report-{digest[:12]}"
    candidate = f"{stem}{suffix}"
    existing = Path(corpus) / candidate
    clash = existing.exists() and hashlib.sha256(existing.read_bytes()).hexdigest() != digest
    if clash or candidate in taken:  # another file of the corpus, or of this batch, has the name
        candidate = f"{stem}-{digest[:8]}{suffix}"
    return candidate


def _with_index_model(settings: Settings) -> Settings:
    """An existing index decides the model, so a change never re-embeds the corpus with another one."""
    try:
        return settings.replace(model=read_manifest(settings.index)["model"]["name"])
    except CxkbError:
        return settings


def _current(settings: Settings, files: list[Path] | None = None) -> dict[str, Report]:
    """Reports of the live index whose file (in ``files``, else the corpus) is unchanged, by file name."""
    try:
        index = open_index(settings.index)
    except CxkbError:
        return {}
    paths = {p.name: p for p in (files if files is not None else corpus_files(settings.corpus))}
    reuse = {}
    for report in index.reports.values():
        path = paths.get(report.source)
        if path is not None and path.is_file() and hashlib.sha256(path.read_bytes()).hexdigest() == report.sha256:
            reuse[report.source] = report
    return reuse


def _duplicate(candidate: Report, reports: dict[str, Report]) -> str | None:
    from .question import script_of

    text_key = hashlib.sha256(normalize(candidate.text).encode()).hexdigest()
    for report in reports.values():
        if report.sha256 == candidate.sha256:
            return f"same bytes as report {report.id} ({report.source}); nothing to do"
        if hashlib.sha256(normalize(report.text).encode()).hexdigest() == text_key:
            if script_of(report.text) != script_of(candidate.text):
                return f"likely a duplicate of report {report.id} ({report.source}) in the other script; use --force to add it anyway"
            return f"same text as report {report.id} ({report.source}); nothing to do"
    return None


def _publish(settings: Settings, tx: Transaction, progress) -> BuildSummary:
    """Build the corpus as the change leaves it, publish it, then move the files in (see module doc)."""
    files = tx.files(corpus_files(settings.corpus) if Path(settings.corpus).is_dir() else [])
    tx.record()
    try:
        catalog = entries(tx.catalog) if tx.catalog is not None else None
        summary = _build(
            settings,
            progress,
            False,
            reuse=_current(settings, files),
            files=files,
            catalog=catalog,
            generation=tx.generation,
        )
    except BaseException:
        finish(tx.index)  # rolls back, or completes when the failure came after publishing
        raise
    tx.commit()
    return summary


def add_reports(
    settings: Settings, files: list[Path], meta: Meta | None = None, *, force: bool = False, progress=None
) -> Change:
    """Validate, stage and index new report files, then move them into the corpus; bad files are skipped."""
    if meta is not None:
        check_meta(meta)  # before anything is staged
    settings = _with_index_model(settings)
    started = time.perf_counter()
    change = Change()
    corpus = Path(settings.corpus)
    with writer_lock(Path(settings.index), "add"):
        finish(Path(settings.index))
        catalog = read_catalog(corpus)
        reuse = _current(settings)
        tx = begin(Path(settings.index), corpus, "add", [])
        for given in files:
            given = Path(given)
            try:
                candidate = load_report(given, rid=given.stem, meta=meta or Meta())
            except CxkbError as exc:
                change.skipped[str(given)] = str(exc)
                continue
            reason = _duplicate(candidate, reuse)
            if reason and not (force and "other script" in reason):
                change.skipped[str(given)] = reason
                continue
            raw = given.read_bytes()
            name = safe_name(given.name, raw, corpus, taken={Path(dst).name for _, dst in tx.moves})
            if meta is not None and any(vars(meta).values()):
                catalog = with_entry(catalog, name, meta)
                tx.catalog = catalog
            tx.stage(raw, name)
            tx.names.append(name)
            change.added[str(given)] = name
            if candidate.warnings:
                change.warnings[str(given)] = candidate.warnings
            reuse[name] = replace(candidate, source=name)  # a later file in this batch may duplicate it
        if change.added:
            change.summary = _publish(settings, tx, progress)
            ids = {r.source: r.id for r in change.summary.reports}
            change.added = {given: ids.get(name, name) for given, name in change.added.items()}
    change.seconds = time.perf_counter() - started
    return change


def _find(settings: Settings, ref: str) -> Path:
    files = corpus_files(settings.corpus)
    exact = [p for p in files if ref in (p.name, p.stem)]
    matches = exact or [p for p in files if p.stem.startswith(ref)]
    if len(matches) != 1:
        found = "no report" if not matches else f"{len(matches)} reports"
        raise InputError(f"{found} match {ref!r} in {settings.corpus}; `cxkb reports` lists the ids")
    return matches[0]


def update_report(settings: Settings, ref: str, file: Path, meta: Meta | None = None, progress=None) -> Change:
    """Replace a report's file with a new version (same id; the old file kept in corpus/.removed/)."""
    if meta is not None:
        check_meta(meta)
    settings = _with_index_model(settings)
    started = time.perf_counter()
    change = Change()
    with writer_lock(Path(settings.index), "update"):
        finish(Path(settings.index))
        target = _find(settings, ref)
        if Path(file).suffix.lower() != target.suffix.lower() and Path(file).suffix.lower() in SUFFIXES:
            raise InputError(f"{file}: a {target.suffix} report must be updated with a {target.suffix} file")
        candidate = load_report(Path(file), rid=target.stem, meta=Meta())  # validate before touching anything
        if candidate.warnings:
            change.warnings[str(file)] = candidate.warnings
        raw = Path(file).read_bytes()
        tx = begin(Path(settings.index), Path(settings.corpus), "update", [target.name])
        if meta is not None and any(vars(meta).values()):
            tx.catalog = with_entry(read_catalog(Path(settings.corpus)), target.name, meta)
        tx.stage(raw, target.name)
        tx.retire(target.name)
        change.updated[str(file)] = target.stem
        change.summary = _publish(settings, tx, progress)
    change.seconds = time.perf_counter() - started
    return change


def remove_report(settings: Settings, ref: str, progress=None) -> Change:
    """Take a report out of the corpus (kept under corpus/.removed/) and out of the index."""
    settings = _with_index_model(settings)
    started = time.perf_counter()
    change = Change()
    with writer_lock(Path(settings.index), "remove"):
        finish(Path(settings.index))
        target = _find(settings, ref)
        if len(corpus_files(settings.corpus)) == 1:
            raise InputError(f"{target.name} is the last report; an index needs at least one")
        tx = begin(Path(settings.index), Path(settings.corpus), "remove", [target.name])
        catalog = read_catalog(Path(settings.corpus))
        if target.name in catalog.get("reports", {}):
            tx.catalog = with_entry(catalog, target.name, None)
        tx.retire(target.name)
        change.removed.append(target.stem)
        change.summary = _publish(settings, tx, progress)
    change.seconds = time.perf_counter() - started
    return change


@dataclass
class Check:
    problems: list[str] = field(default_factory=list)
    repaired: list[str] = field(default_factory=list)


def _disagreements(settings: Settings) -> tuple[list[str], list[str]]:
    """(corpus ⇄ index disagreements, catalogue entries naming no corpus file)."""
    verify(settings.index, read_manifest(settings.index), whole=True)  # every byte, not only large files' edges
    index = open_index(settings.index)
    files = {p.name: p for p in corpus_files(settings.corpus)}
    indexed = {r.source: r for r in index.reports.values()}
    problems = []
    for name, path in files.items():
        report = indexed.get(name)
        if report is None:
            problems.append(f"{name} is in the corpus but not in the index")
        elif hashlib.sha256(path.read_bytes()).hexdigest() != report.sha256:
            problems.append(f"{name} changed since it was indexed")
    problems += [
        f"report {r.id} is indexed but its file {name} is not in the corpus"
        for name, r in indexed.items()
        if name not in files
    ]
    catalog = load_catalog(Path(settings.corpus))
    for name, meta in catalog.items():
        report = indexed.get(name)
        if report is None:
            continue
        differ = [k for k, v in vars(meta).items() if v and getattr(report.meta, k) != v]
        if differ:
            problems.append(f"the catalogue's {', '.join(differ)} for {name} differ from the index")
    orphans = [name for name in catalog if name not in files]
    return problems, orphans


def check(settings: Settings, *, repair: bool = False, progress=None) -> Check:
    """Compare corpus, catalogue and index and look for a killed writer's leftovers; ``repair`` fixes them."""
    settings = _with_index_model(settings)
    result = Check()
    index = Path(settings.index)
    with writer_lock(index, "check"):
        tx = pending(index)
        if tx is not None:
            result.problems.append(f"an interrupted {tx.describe()} is recorded in the journal")
        litter = leftovers(index)
        if litter:
            result.problems.append(
                f"{len(litter)} leftover file(s) of a killed writer: {', '.join(p.name for p in litter)}"
            )
        stray = sorted(p.name for p in Path(settings.corpus).glob(".*.tmp")) if Path(settings.corpus).is_dir() else []
        if stray:
            result.problems.append(f"half-copied file(s) in the corpus: {', '.join(stray)}")
        if repair and (tx is not None or litter or stray):
            note = finish(index)
            if note:
                result.repaired.append(note)
            for name in stray:
                (Path(settings.corpus) / name).unlink(missing_ok=True)
            if stray:
                result.repaired.append(f"removed {len(stray)} half-copied file(s) from the corpus")
        problems, orphans = _disagreements(settings)
        result.problems += problems
        result.problems += [f"the catalogue has an entry for {name}, which is not in the corpus" for name in orphans]
        if repair and orphans:
            catalog = read_catalog(Path(settings.corpus))
            for name in orphans:
                catalog = with_entry(catalog, name, None)
            write_catalog(Path(settings.corpus), catalog)
            result.repaired.append(
                f"dropped {len(orphans)} catalogue entr{'y' if len(orphans) == 1 else 'ies'} for missing files"
            )
        if repair and problems:
            summary = _build(settings, progress, False, reuse=_current(settings))
            result.repaired.append(f"re-indexed the corpus: {len(summary.reports)} reports, {summary.chunks} chunks")
            for name, reason in summary.failed.items():
                result.problems.append(f"{name} cannot be indexed: {reason}")
    return result
