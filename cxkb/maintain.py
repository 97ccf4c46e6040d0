"""Maintainers' workflow: add, update and remove reports incrementally and safely.

Every change validates its input first (a rejected file touches nothing), copies
accepted files into the corpus under a safe name, records provenance in the
catalogue, and publishes a new index generation in which only new text is
cleaned and embedded. The result equals a fresh ``cxkb build`` of the corpus.
One writer at a time; a crash leaves the old or the new index, never a mix.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import shutil
import time
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePath

from .catalog import check_meta, load_catalog, save_entry
from .errors import CxkbError, InputError
from .index import BuildSummary, _build, corpus_files, open_index, read_manifest, writer_lock
from .ingest import load_report
from .models import Meta, Report
from .normalize import normalize
from .readers import SUFFIXES
from .settings import Settings

log = logging.getLogger(__name__)

_SAFE_STEM = re.compile(r"[\w\u3400-\u9fff][\w\u3400-\u9fff.()（）-]{0,80}")
REMOVED = ".removed"  # removed reports are moved here, never deleted


@dataclass
class Change:
    added: dict[str, str] = field(default_factory=dict)  # given file -> report id
    updated: dict[str, str] = field(default_factory=dict)
    removed: list[str] = field(default_factory=list)
    skipped: dict[str, str] = field(default_factory=dict)  # given file -> reason
    warnings: dict[str, tuple[str, ...]] = field(default_factory=dict)  # given file -> extraction warnings
    summary: BuildSummary | None = None
    seconds: float = 0.0


def safe_name(given: str, raw: bytes, corpus: Path) -> str:
    """A corpus file name for an incoming file: its own name only when that is plainly safe."""
    name = PurePath(given.replace("\\", "/")).name
    suffix = PurePath(name).suffix.lower()
    stem = name[: -len(suffix)] if suffix else name
    digest = hashlib.sha256(raw).hexdigest()
    if not _SAFE_STEM.fullmatch(stem) or ".." in stem:
        stem = f"report-{digest[:12]}"
    candidate = f"{stem}{suffix}"
    existing = Path(corpus) / candidate
    if existing.exists() and hashlib.sha256(existing.read_bytes()).hexdigest() != digest:
        candidate = f"{stem}-{digest[:8]}{suffix}"
    return candidate


def _with_index_model(settings: Settings) -> Settings:
    """An existing index decides the model, so a change never re-embeds the corpus with another one."""
    try:
        return settings.replace(model=read_manifest(settings.index)["model"]["name"])
    except CxkbError:
        return settings


def _current(settings: Settings) -> dict[str, Report]:
    """Reports of the live index whose corpus file is unchanged, by file name (reused as they are)."""
    try:
        index = open_index(settings.index)
    except CxkbError:
        return {}
    reuse = {}
    for report in index.reports.values():
        path = Path(settings.corpus) / report.source
        if path.is_file() and hashlib.sha256(path.read_bytes()).hexdigest() == report.sha256:
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


def _copy_in(source: Path, raw: bytes, corpus: Path, name: str) -> Path:
    corpus.mkdir(parents=True, exist_ok=True)
    target = corpus / name
    tmp = corpus / f".{name}.tmp"
    tmp.write_bytes(raw)
    with tmp.open("rb") as f:
        os.fsync(f.fileno())
    os.replace(tmp, target)
    return target


def add_reports(
    settings: Settings, files: list[Path], meta: Meta | None = None, *, force: bool = False, progress=None
) -> Change:
    """Validate, copy in and index new report files; bad files are skipped with the reason."""
    if meta is not None:
        check_meta(meta)  # before anything is copied
    settings = _with_index_model(settings)
    started = time.perf_counter()
    change = Change()
    corpus = Path(settings.corpus)
    with writer_lock(Path(settings.index), "add"):
        reuse = _current(settings)
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
            name = safe_name(given.name, raw, corpus)
            if meta is not None and any(vars(meta).values()):
                save_entry(corpus, name, meta)
            _copy_in(given, raw, corpus, name)
            change.added[str(given)] = name
            if candidate.warnings:
                change.warnings[str(given)] = candidate.warnings
            reuse[name] = replace(candidate, source=name)  # a later file in this batch may duplicate it
        if change.added:
            change.summary = _build(settings, progress, False, reuse=_current(settings))
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
    """Replace a report's file with a new version (same id), re-indexing only that report."""
    if meta is not None:
        check_meta(meta)
    settings = _with_index_model(settings)
    started = time.perf_counter()
    change = Change()
    with writer_lock(Path(settings.index), "update"):
        target = _find(settings, ref)
        if Path(file).suffix.lower() != target.suffix.lower() and Path(file).suffix.lower() in SUFFIXES:
            raise InputError(f"{file}: a {target.suffix} report must be updated with a {target.suffix} file")
        candidate = load_report(Path(file), rid=target.stem, meta=Meta())  # validate before touching anything
        if candidate.warnings:
            change.warnings[str(file)] = candidate.warnings
        raw = Path(file).read_bytes()
        if meta is not None and any(vars(meta).values()):
            save_entry(Path(settings.corpus), target.name, meta)
        _copy_in(Path(file), raw, Path(settings.corpus), target.name)
        change.updated[str(file)] = target.stem
        change.summary = _build(settings, progress, False, reuse=_current(settings))
    change.seconds = time.perf_counter() - started
    return change


def remove_report(settings: Settings, ref: str, progress=None) -> Change:
    """Take a report out of the corpus (kept under corpus/.removed/) and out of the index."""
    settings = _with_index_model(settings)
    started = time.perf_counter()
    change = Change()
    with writer_lock(Path(settings.index), "remove"):
        target = _find(settings, ref)
        if len(corpus_files(settings.corpus)) == 1:
            raise InputError(f"{target.name} is the last report; an index needs at least one")
        trash = Path(settings.corpus) / REMOVED
        trash.mkdir(exist_ok=True)
        shutil.move(str(target), trash / f"{time.strftime('%Y%m%dT%H%M%S')}-{target.name}")
        if target.name in load_catalog(Path(settings.corpus)):
            save_entry(Path(settings.corpus), target.name, None)
        change.removed.append(target.stem)
        change.summary = _build(settings, progress, False, reuse=_current(settings))
    change.seconds = time.perf_counter() - started
    return change
