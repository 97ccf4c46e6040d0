"""Feedback that grows the evaluation: 👍 / 👎 on an answer, kept on this machine as eval-set rows.

Each verdict is appended to ``<index>.feedback.jsonl`` beside the index folder (a rebuild swaps the folder,
so the file lives next to it, not in it), one JSON object a line in the schema of ``eval/questions.jsonl``,
so ``cxkb eval --set indexes/default.feedback.jsonl`` runs it:

- 👍: the answer given is the accepted answer (its figures, or its quote), the cited sentence the support;
- 👎 with a correction: the correction is the accepted answer (and the passage, when one is given, the support);
- 👎 saying it is not in the reports: an unanswerable question.

A 👎 without a correction is kept for the per-report count but has no answer to check, so it carries
``"answerable": null`` and ``cxkb eval`` skips it. Every row keeps what was answered and cited under ``"given"``.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections import Counter
from pathlib import Path

from .errors import InputError
from .models import Answer

__all__ = ["feedback_path", "record", "wrong_by_report"]

_LOCK = threading.Lock()
_FIGURE = re.compile(r"\d+(?:\.\d+)?\s*(?:%|倍|个百分点|分|位|名|家|个|人|年)?")
MAX_CORRECTION = 200


def feedback_path(index: Path) -> Path:
    return Path(index).with_name(Path(index).name + ".feedback.jsonl")


def _lang(text: str) -> str:
    from .question import script_of

    return {"simplified": "zh-Hans", "traditional": "zh-Hant"}.get(script_of(text), "en")


def _next_id(path: Path) -> str:
    n = 0
    if path.is_file():
        n = sum(1 for line in path.read_text(encoding="utf-8").splitlines() if line.strip())
    return f"f{n + 1:04d}"


def record(
    index: Path, answer: Answer, verdict: str, *, correction: str = "", passage: str = "", not_in_reports: bool = False
) -> dict:
    """Append one verdict (``"up"`` or ``"down"``) on ``answer`` and return the row written."""
    if verdict not in ("up", "down"):
        raise InputError(f"feedback must be 'up' or 'down', not {verdict!r}")
    correction, passage = correction.strip()[:MAX_CORRECTION], passage.strip()[:MAX_CORRECTION]
    cited = answer.citations[0] if answer.citations else None
    row: dict = {
        "id": "",
        "question": answer.question,
        "answers": [],
        "report_id": None,
        "support": None,
        "type": "feedback",
        "lang": _lang(answer.question),
        "answerable": None,
    }
    if verdict == "up" and answer.answerable and cited:
        figures = [m.group(0).strip() for m in _FIGURE.finditer(cited.quote) if m.group(0).strip()]
        row.update(answers=figures[:3] or [cited.quote[:40]], report_id=cited.report_id, support=cited.quote)
        row["answerable"] = True
    elif verdict == "down" and not_in_reports:
        row["answerable"] = False
    elif verdict == "down" and correction:
        row.update(answers=[correction], answerable=True, support=passage or None)
        if passage and cited and passage in cited.quote:
            row["report_id"] = cited.report_id
    row["given"] = {
        "verdict": verdict,
        "answer": answer.answer,
        "answerable": answer.answerable,
        "citations": [{"report_id": c.report_id, "start": c.start, "end": c.end} for c in answer.citations],
        "at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }
    path = feedback_path(index)
    with _LOCK:
        path.parent.mkdir(parents=True, exist_ok=True)
        row["id"] = _next_id(path)
        with path.open("a", encoding="utf-8") as out:
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
    return row


def wrong_by_report(index: Path) -> Counter[str]:
    """How many answers citing each report were marked wrong (👎)."""
    counts: Counter[str] = Counter()
    path = feedback_path(index)
    if not path.is_file():
        return counts
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            row = json.loads(line)
        except ValueError:
            continue  # a line cut by a crash is skipped, not fatal
        given = row.get("given") or {}
        if given.get("verdict") == "down":
            for report in {c.get("report_id") for c in given.get("citations", [])}:
                if report:
                    counts[report] += 1
    return counts
