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


def load_catalog(corpus: Path) -> dict[str, Meta]:
    path = Path(corpus) / CATALOG
    if not path.is_file():
        return {}
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(f"{path}: not valid UTF-8 JSON ({exc}); fix the file or delete it") from exc
    entries = raw.get("reports", {}) if isinstance(raw, dict) else {}
    return {name: Meta(**{k: str(v) for k, v in entry.items() if k in _META_FIELDS}) for name, entry in entries.items()}


def save_entry(corpus: Path, source: str, meta: Meta | None) -> None:
    """Write (or with ``meta=None`` delete) one entry, atomically."""
    path = Path(corpus) / CATALOG
    raw = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
    reports = raw.setdefault("reports", {})
    if meta is None:
        reports.pop(source, None)
    else:
        reports[source] = {**reports.get(source, {}), **{k: v for k, v in asdict(meta).items() if v}}
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(raw, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    os.replace(tmp, path)


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
