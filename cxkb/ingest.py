"""Ingest: a report file becomes a ``Report`` — read, cleaned, rendered, with its provenance.

``readers.read`` gives the structured document, ``clean.clean_document`` moves what is
left of the site's furniture out of its body, ``document.render`` joins the body into
the text that is quoted and cited, and the catalogue (``corpus/catalog.json``) supplies
provenance, falling back to what the file itself says (title, author, date).

Extraction that went badly is reported, not hidden: a report that keeps less than half
of the text its reader saw, or only a few hundred characters, carries a warning that
``cxkb build``/``add`` and the upload form show.
"""

from __future__ import annotations

import logging
from dataclasses import asdict
from pathlib import Path

from .catalog import guess_title
from .clean import clean_document
from .document import Document, render
from .errors import CxkbError
from .models import Meta, Report
from .readers import read

log = logging.getLogger(__name__)

MIN_KEPT_CHARS = 300  # a report shorter than this was probably cut by extraction
MIN_KEPT_SHARE = 0.5  # of the characters the reader saw


def resolve_meta(source: str, doc: Document, text: str, catalog: dict[str, Meta] | Meta) -> Meta:
    """The catalogue's fields where it has them, else what the file says; the title is never empty."""
    given = catalog if isinstance(catalog, Meta) else catalog.get(source, Meta())
    merged = {k: v or getattr(doc.meta, k) for k, v in asdict(given).items()}
    if not merged["title"]:
        merged["title"] = guess_title(text)
    return Meta(**merged)


def warnings_of(doc: Document, text: str) -> tuple[str, ...]:
    kept, seen = len(text), max(doc.seen_chars, 1)
    if kept < MIN_KEPT_CHARS:
        return (f"kept only {kept} characters; check `cxkb show` and the file's layout",)
    if doc.seen_chars and kept < MIN_KEPT_SHARE * seen:
        return (f"kept {kept:,} of {seen:,} characters ({kept / seen:.0%}); check `cxkb show` for lost text",)
    return ()


def load_report(path: Path, *, rid: str, meta: dict[str, Meta] | Meta) -> Report:
    """Read, clean and render one report file; errors name the file and the fix."""
    doc = clean_document(read(path))
    rendered = render(doc)
    if not rendered.text.strip():
        raise CxkbError(f"{path}: nothing left after cleaning (the file holds only navigation or boilerplate)")
    report = Report(
        id=rid,
        source=Path(path).name,
        meta=resolve_meta(Path(path).name, doc, rendered.text, meta),
        text=rendered.text,
        sha256=doc.sha256,
        removed=doc.removed,
        pages=rendered.pages,
        cells=rendered.cells,
        blocks=rendered.blocks,
        format=doc.format,
        warnings=warnings_of(doc, rendered.text),
    )
    for warning in report.warnings:
        log.warning("%s: %s", path, warning)
    return report
