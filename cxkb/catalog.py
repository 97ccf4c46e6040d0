"""The corpus catalogue: provenance for each report file (``corpus/catalog.json``).

A file with no entry still ingests; its title comes from its first heading-like
line and the other fields stay unknown.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import asdict, fields
from pathlib import Path

from .errors import InputError
from .models import Meta

CATALOG = "catalog.json"
_META_FIELDS = {f.name for f in fields(Meta)}


def _read(path: Path) -> dict:
    """The catalogue file's JSON, checked to be ``{"reports": {file name: {field: value}}}``."""
    if not path.is_file():
        return {}
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(f"{path}: not valid UTF-8 JSON ({exc}); fix the file or delete it") from exc
    shape = 'fix it to {"reports": {"file.txt": {"title": "…", "publisher": "…"}}} or delete it'
    if not isinstance(raw, dict) or not isinstance(raw.get("reports", {}), dict):
        raise InputError(f'{path}: "reports" must be an object keyed by file name; {shape}')
    bad = [name for name, entry in raw.get("reports", {}).items() if not isinstance(entry, dict)]
    if bad:
        raise InputError(f"{path}: the entry for {bad[0]!r} is not an object; {shape}")
    return raw


def read_catalog(corpus: Path) -> dict:
    """The catalogue as stored (checked), for a change to edit and write back whole."""
    return _read(Path(corpus) / CATALOG)


def entries(raw: dict) -> dict[str, Meta]:
    return {
        name: Meta(**{k: str(v) for k, v in entry.items() if k in _META_FIELDS})
        for name, entry in raw.get("reports", {}).items()
    }


def load_catalog(corpus: Path) -> dict[str, Meta]:
    return entries(read_catalog(corpus))


_DATE = re.compile(r"\d{4}(?:-\d{2}(?:-\d{2})?)?")


def check_meta(meta: Meta) -> Meta:
    """Catalogue fields a maintainer typed, refused with the fix when they cannot be what they claim."""
    import datetime

    if meta.date:
        parts = [int(p) for p in meta.date.split("-")] if _DATE.fullmatch(meta.date) else []
        try:
            if not parts:
                raise ValueError
            datetime.date(parts[0], parts[1] if len(parts) > 1 else 1, parts[2] if len(parts) > 2 else 1)
        except ValueError:
            raise InputError(f"date {meta.date!r} is not a date; give YYYY-MM-DD, YYYY-MM or YYYY") from None
    if meta.url and not re.match(r"https?://[^\s/]+", meta.url, re.IGNORECASE):
        raise InputError(f"url {meta.url!r} is not an http(s) address; give e.g. https://example.com/report")
    if meta.script and meta.script not in ("simplified", "traditional"):
        raise InputError(f"script {meta.script!r} is not simplified or traditional")
    if any(ch in value for value in vars(meta).values() if isinstance(value, str) for ch in "\n\r\x00"):
        raise InputError("catalogue fields are one line each: remove the line break or NUL from the value")
    return meta


def with_entry(raw: dict, source: str, meta: Meta | None) -> dict:
    """A copy of the catalogue with one entry written (or, with ``meta=None``, deleted)."""
    reports = dict(raw.get("reports", {}))
    if meta is None:
        reports.pop(source, None)
    else:
        reports[source] = {**reports.get(source, {}), **{k: v for k, v in asdict(meta).items() if v}}
    return {**raw, "reports": reports}


def write_catalog(corpus: Path, raw: dict) -> None:
    """Replace the catalogue atomically (a reader sees the old file or the new one)."""
    path = Path(corpus) / CATALOG
    tmp = path.with_name(f".{CATALOG}.tmp")  # a dot-file: never read as a report, found by `cxkb check`
    tmp.write_text(json.dumps(raw, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    with tmp.open("rb") as f:
        os.fsync(f.fileno())
    os.replace(tmp, path)


def save_entry(corpus: Path, source: str, meta: Meta | None) -> None:
    """Write (or with ``meta=None`` delete) one entry, atomically."""
    write_catalog(corpus, with_entry(read_catalog(corpus), source, meta))


_HEADINGISH = re.compile(r"[\u4e00-\u9fffA-Za-z]")


def guess_title(text: str) -> str:
    """First short line that reads like a heading (has letters, no sentence end)."""
    for line in text.splitlines():
        line = line.strip().strip("#*").strip()
        if 4 <= len(line) <= 80 and _HEADINGISH.search(line) and not line.endswith(("。", ".", "；", ";", "，", ",")):
            return line
    return text.strip()[:40]


def meta_for(source: str, text: str, catalog: dict[str, Meta]) -> Meta:
    meta = catalog.get(source, Meta())
    return meta if meta.title else Meta(**{**asdict(meta), "title": guess_title(text)})
