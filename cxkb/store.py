"""The index's records on disk, read lazily: opening a library of 100,000 chunks parses none of them.

- reports: ``reports.jsonl`` (one row per report, without its text) and ``texts.txt`` (every report's
  text, UTF-8, one after another; a row holds its byte span). A report is parsed when first asked for.
- chunks: ``chunks.npy`` (report number, start, end, page, heading number per chunk) and
  ``headings.json``; a chunk's text is its span of the report's text.
- sentences: ``sentences.npy`` (report number, start, end, holding chunk per sentence).
- keyword document frequencies: read off the BM25 matrix (its column lengths), never stored twice.

Arrays are memory-mapped; only what a question touches is read.
"""

from __future__ import annotations

import json
import mmap
from array import array
from collections import OrderedDict
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, overload

import numpy as np

from .models import Cell, Chunk, Meta, Report

REPORTS_KEPT = 512  # parsed reports kept in memory
CHUNK_COLUMNS = 5  # report, start, end, page (-1: none), heading
SENTENCE_COLUMNS = 4  # report, start, end, chunk


@dataclass(frozen=True)
class Sentence:
    report_id: str
    start: int
    end: int
    chunk: int  # index of the first chunk holding it


def report_row(report: Report, text_start: int, text_end: int) -> str:
    """A report's line of ``reports.jsonl``: everything but the text, which is ``texts.txt[text_start:text_end]``."""
    row = {
        "id": report.id,
        "source": report.source,
        "meta": report.meta.__dict__,
        "sha256": report.sha256,
        "removed": report.removed,
        "pages": [list(p) for p in report.pages],
        "cells": [[c.start, c.end, c.label] for c in report.cells],
        "blocks": [list(b) for b in report.blocks],
        "format": report.format,
        "warnings": list(report.warnings),
        "text_bytes": [text_start, text_end],
    }
    return json.dumps(row, ensure_ascii=False)


def map_file(path: Path) -> bytes | mmap.mmap:
    with path.open("rb") as f:
        if not path.stat().st_size:
            return b""
        return mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)


class Reports(Mapping[str, Report]):
    """``reports.jsonl`` + ``texts.txt`` as a mapping from report id; a report is parsed once, when first read."""

    def __init__(self, folder: Path, ids: list[str]) -> None:
        self._lines = (folder / "reports.jsonl").read_bytes().split(b"\n")
        self._texts = map_file(folder / "texts.txt")
        self._ids = ids
        self._row = {rid: i for i, rid in enumerate(ids)}
        self._cache: OrderedDict[str, Report] = OrderedDict()  # the most recently read reports
        if len(self._lines) < len(ids):
            raise ValueError(f"reports.jsonl has {len(self._lines)} rows for {len(ids)} reports")

    def __getitem__(self, rid: str) -> Report:
        if rid in self._cache:
            self._cache.move_to_end(rid)
        else:
            self._cache[rid] = self._parse(self._row[rid])
            if len(self._cache) > REPORTS_KEPT:  # a server answering all day must not end up holding the library
                self._cache.popitem(last=False)
        return self._cache[rid]

    def _parse(self, i: int) -> Report:
        row: dict[str, Any] = json.loads(self._lines[i])
        start, end = row.pop("text_bytes")
        return Report(
            id=row["id"],
            source=row["source"],
            meta=Meta(**row["meta"]),
            text=self._texts[start:end].decode("utf-8"),
            sha256=row["sha256"],
            removed=row["removed"],
            pages=tuple(tuple(p) for p in row["pages"]),
            cells=tuple(Cell(*c) for c in row["cells"]),
            blocks=tuple(tuple(b) for b in row["blocks"]),
            format=row["format"],
            warnings=tuple(row["warnings"]),
        )

    def number(self, rid: str) -> int:
        """The report's row: what ``chunks.npy`` and ``sentences.npy`` record."""
        return self._row[rid]

    def id_at(self, number: int) -> str:
        return self._ids[number]

    def __iter__(self) -> Iterator[str]:
        return iter(self._ids)

    def __len__(self) -> int:
        return len(self._ids)

    def __contains__(self, rid: object) -> bool:
        return rid in self._row


class Chunks(Sequence[Chunk]):
    """``chunks.npy`` as a sequence of :class:`Chunk`; a chunk's text is sliced from its report when read."""

    def __init__(self, table: np.ndarray, headings: list[str], reports: Reports) -> None:
        if table.ndim != 2 or table.shape[1] != CHUNK_COLUMNS:
            raise ValueError(f"chunks.npy has shape {table.shape}, expected (n, {CHUNK_COLUMNS})")
        self.table, self._headings, self._reports = np.asarray(table), headings, reports
        column = self.table[:, 0]
        # A report's chunks are consecutive: the first of each gives a chunk's number inside its report.
        self._first = (
            np.searchsorted(column, np.arange(len(reports) + 1)) if len(column) else np.zeros(1, int)
        ).tolist()

    def __len__(self) -> int:
        return len(self.table)

    @overload
    def __getitem__(self, i: int) -> Chunk: ...
    @overload
    def __getitem__(self, i: slice) -> list[Chunk]: ...
    def __getitem__(self, i: int | slice) -> Chunk | list[Chunk]:
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        if i < 0:
            i += len(self)
        number, start, end, page, heading = self.table[i].tolist()
        rid = self._reports.id_at(number)
        return Chunk(
            id=f"{rid}#{i - self._first[number]}",
            report_id=rid,
            start=start,
            end=end,
            text=self._reports[rid].text[start:end],
            heading=self._headings[heading],
            page=None if page < 0 else page,
        )

    def __iter__(self) -> Iterator[Chunk]:
        return (self[i] for i in range(len(self)))

    def report_numbers(self) -> np.ndarray:
        """Each chunk's report number (for filters: no chunk is built)."""
        return np.asarray(self.table[:, 0])

    def of_report(self, rid: str) -> range:
        number = self._reports.number(rid)
        return range(int(self._first[number]), int(self._first[number + 1]))


class Sentences(Sequence[Sentence]):
    """``sentences.npy`` as a sequence of :class:`Sentence`; rows are in report order, then text order."""

    def __init__(self, table: np.ndarray, reports: Reports) -> None:
        if table.ndim != 2 or table.shape[1] != SENTENCE_COLUMNS:
            raise ValueError(f"sentences.npy has shape {table.shape}, expected (n, {SENTENCE_COLUMNS})")
        # A plain array over the same map: numpy's memmap subclass costs microseconds per row read.
        self.table, self._reports = np.asarray(table), reports
        self._first = np.searchsorted(self.table[:, 0], np.arange(len(reports) + 1)).tolist()

    def __len__(self) -> int:
        return len(self.table)

    @overload
    def __getitem__(self, i: int) -> Sentence: ...
    @overload
    def __getitem__(self, i: slice) -> list[Sentence]: ...
    def __getitem__(self, i: int | slice) -> Sentence | list[Sentence]:
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        number, start, end, chunk = self.table[i].tolist()
        return Sentence(self._reports.id_at(number), start, end, chunk)

    def __iter__(self) -> Iterator[Sentence]:
        return (self[i] for i in range(len(self)))

    def of_report(self, rid: str) -> range:
        """Ids of a report's sentences, in text order."""
        if rid not in self._reports:
            return range(0)
        number = self._reports.number(rid)
        return range(self._first[number], self._first[number + 1])

    def within(self, rid: str, start: int, end: int) -> list[int]:
        """Ids of the report's sentences lying wholly inside ``[start, end)``."""
        ids = self.of_report(rid)
        starts = self.table[ids.start : ids.stop, 1]
        lo, hi = np.searchsorted(starts, [start, end])  # sentences starting in the span
        inside = self.table[ids.start + lo : ids.start + hi, 2] <= end
        return (ids.start + lo + np.flatnonzero(inside)).tolist()


class DocFreq(Mapping[str, int]):
    """Chunks holding each keyword, read off the BM25 score matrix: a term's column has one entry per chunk."""

    def __init__(self, vocab: dict[str, int], indptr: np.ndarray) -> None:
        self._vocab, self._counts = vocab, np.diff(np.asarray(indptr))

    def __getitem__(self, term: str) -> int:
        i = self._vocab[term]
        return int(self._counts[i]) if i < len(self._counts) else 0

    def __iter__(self) -> Iterator[str]:
        return (t for t in self._vocab if t in self)  # bm25s keeps "" for its own padding

    def __len__(self) -> int:
        return sum(1 for _ in self)

    def __contains__(self, term: object) -> bool:
        # A sentence's word may sit in the vocabulary without any chunk's terms holding it (sentences and
        # chunks break text a little differently): it is not a keyword then.
        return term != "" and term in self._vocab and self[term] > 0  # type: ignore[index]


def save_table(path: Path, rows: array, columns: int) -> None:
    """``rows``: an int64 ``array.array`` of the table's cells, row after row."""
    table = np.frombuffer(rows, dtype=np.int64).reshape(-1, columns)
    np.save(path, table, allow_pickle=False)
