"""Chunking for Chinese: whole sentences packed to a target size, with overlap.

Sentences end at 。！？；… (and their ASCII forms) or a line break; a full stop
"." is not a boundary, so figures like 3.5 are never cut. A chunk never splits
a sentence: one longer than the target becomes a chunk on its own. Every chunk
keeps its character span in the cleaned report, its page and nearest heading.
"""

from __future__ import annotations

import re

from .models import Chunk, Report

_SENTENCE = re.compile(r"[^\n。！？；!?;…]*(?:[。！？；!?;…]+[”’」』）)]*|\n|$)")
_END = "。！？；!?;…：:，,、"


MAX_SENTENCE = 1000  # characters; text with no sentence end (a flattened table, a 1 MB line) is cut further
_SOFT_BREAK = re.compile(r"[，,、：:）)\s]")


def sentences(text: str) -> list[tuple[int, int]]:
    """Character spans of the sentences of ``text``, without surrounding whitespace."""
    spans = []
    for match in _SENTENCE.finditer(text):
        start, end = match.span()
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        if end > start:
            spans.extend(_bounded(text, start, end))
    return spans


def _bounded(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """A run longer than MAX_SENTENCE split after a comma or space, never inside a number."""
    out = []
    while end - start > MAX_SENTENCE:
        window = text[start + MAX_SENTENCE // 2 : start + MAX_SENTENCE]
        breaks = [m.end() for m in _SOFT_BREAK.finditer(window)]
        cut = start + MAX_SENTENCE // 2 + breaks[-1] if breaks else start + MAX_SENTENCE
        while cut < end and (text[cut - 1].isdigit() or text[cut - 1] in ".%") and text[cut].isdigit():
            cut += 1
        out.append((start, cut))
        start = cut
        while start < end and text[start].isspace():
            start += 1
    if end > start:
        out.append((start, end))
    return out


def is_heading(line: str) -> bool:
    line = line.strip()
    ending = line.rstrip("”’」』）)\"'")  # 「…战略。」 ends a sentence, not a heading
    return 2 <= len(line) <= 40 and not ending.endswith(tuple(_END)) and not line.startswith(("-", "*", "•"))


def _headings(report: Report) -> list[tuple[int, str]]:
    """Where each heading starts: from the document's blocks, or by a line's shape where none were recorded."""
    text = report.text
    if report.blocks:
        return [(a, text[a:b].strip()) for a, b, kind in report.blocks if kind in ("title", "heading", "caption")]
    found, offset = [], 0
    for line in text.split("\n"):
        if is_heading(line) and not re.fullmatch(r"[\d\s.%]+", line.strip()):
            found.append((offset, line.strip()))
        offset += len(line) + 1
    return found


def chunk_report(report: Report, *, size: int = 300, overlap: int = 1) -> list[Chunk]:
    """Split a report into chunks of whole sentences of about ``size`` characters."""
    text = report.text
    spans = sentences(text)
    headings = _headings(report)
    groups: list[list[tuple[int, int]]] = []
    current: list[tuple[int, int]] = []
    for span in spans:
        length = span[1] - (current[0][0] if current else span[0])
        if current and length > size:
            groups.append(current)
            carry = current[-overlap:] if overlap and len(current) > overlap else []
            # Overlap only while it leaves room for the new sentence.
            if carry and span[1] - carry[0][0] > size:
                carry = []
            current = [*carry, span]
        else:
            current.append(span)
    if current:
        groups.append(current)

    chunks = []
    for n, group in enumerate(groups):
        start, end = group[0][0], group[-1][1]
        heading = ""
        for offset, line in headings:
            if offset > start:
                break
            heading = line
        chunks.append(
            Chunk(
                id=f"{report.id}#{n}",
                report_id=report.id,
                start=start,
                end=end,
                text=text[start:end],
                heading=heading,
                page=report.page_at(start),
            )
        )
    return chunks
