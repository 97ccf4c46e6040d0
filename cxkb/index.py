"""The on-disk hybrid index: BM25 (bm25s) + dense vectors (FAISS), no pickle.

Layout of an index folder::

    manifest.json        format version, model, settings, reports, file checksums,
                         and the name of the live generation
    g-<time>-<id>/       one complete generation: reports.jsonl, chunks.jsonl,
                         dense.faiss, bm25/ (bm25s arrays as .npy + JSON)
    .lock                held by the one writer

A build writes a new generation folder, then publishes it by atomically
replacing manifest.json; a crash at any point leaves the old index serving.
Checksums in the manifest are verified before anything is loaded.
"""

from __future__ import annotations

import bisect
import contextlib
import errno
import fcntl
import hashlib
import json
import logging
import os
import re
import shutil
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from . import __version__
from .catalog import load_catalog
from .chunk import chunk_report, sentences
from .embed import PROBE_TEXTS, embed_passages_cached, get_embedder
from .errors import CxkbError, IndexCorruptError, IndexIncompatibleError, IndexLockedError, IndexMissingError
from .ingest import load_report
from .models import Cell, Chunk, Meta, Report
from .normalize import normalize
from .readers import SUFFIXES
from .segment import keyword_tokens, tokenize
from .settings import Settings
from .stats import Stat, extract_stats

log = logging.getLogger(__name__)

# 2: reports from structured documents (readers), table cells, authors, page breaks inside blocks.
FORMAT_VERSION = 2
_WORDY = re.compile(r"[0-9A-Za-z\u3400-\u9fff]")
MANIFEST = "manifest.json"
REBUILD = "run `cxkb build` to rebuild it"


# --- reading a corpus ------------------------------------------------------------------------


def corpus_files(corpus: Path) -> list[Path]:
    corpus = Path(corpus)
    if not corpus.is_dir():
        raise IndexMissingError(f"corpus folder {corpus} does not exist; pass --corpus DIR with your reports")
    return sorted(p for p in corpus.iterdir() if p.suffix.lower() in SUFFIXES and not p.name.startswith("."))


def report_id(path: Path, taken: set[str]) -> str:
    base = path.stem
    return base if base not in taken else f"{base}_{path.suffix.lstrip('.').lower()}"


def chunk_context(chunk: Chunk, meta: Meta) -> str:
    """What both retrievers see: title and heading give a chunk its context."""
    head = " ".join(p for p in (meta.title, chunk.heading) if p and p not in chunk.text[:80])
    return f"{head}\n{chunk.text}" if head else chunk.text


# --- the loaded index ------------------------------------------------------------------------


@dataclass(frozen=True)
class Sentence:
    report_id: str
    start: int
    end: int
    chunk: int  # index of the first chunk holding it


def report_sentences(report: Report, chunks: list[Chunk], offset: int) -> list[Sentence]:
    """Sentences of a report with the (global) index of the first chunk that holds each."""
    out = []
    mine = [(i + offset, c) for i, c in enumerate(chunks)]
    ends = [c.end for c in chunks]  # chunks are in text order: the first that ends at or after a sentence holds it
    for start, end in sentences(report.text):
        if len(_WORDY.findall(report.text[start:end])) < 4:
            continue  # headings and stray labels are not answers
        at = bisect.bisect_left(ends, end)
        if at < len(mine) and mine[at][1].start <= start:
            holder = mine[at][0]
        else:  # not the usual layout: the linear scan (quadratic over a whole report, so only as a fallback)
            holder = next((i for i, c in mine if c.start <= start and end <= c.end), mine[0][0] if mine else 0)
        out.append(Sentence(report.id, start, end, holder))
    return out


@dataclass
class Index:
    path: Path
    manifest: dict[str, Any]
    reports: dict[str, Report]
    chunks: list[Chunk]
    bm25: Any
    dense: Any  # faiss.Index
    vectors: np.ndarray = field(repr=False, default_factory=lambda: np.zeros((0, 0), np.float32))
    sentences: list[Sentence] = field(default_factory=list)  # every sentence, for answers
    sentence_vectors: np.ndarray = field(repr=False, default_factory=lambda: np.zeros((0, 0), np.float32))
    df: dict[str, int] = field(default_factory=dict)  # keyword document frequency over chunks
    stats: list[Stat] = field(default_factory=list)  # every figure in the corpus (cxkb stats)

    @property
    def model(self) -> str:
        return self.manifest["model"]["name"]

    def sentence_tokens(self, sid: int) -> frozenset[str]:
        """A sentence's words, segmented once per process (answers score the same sentences again and again)."""
        cache = self.__dict__.setdefault("_sentence_tokens", {})
        if sid not in cache:
            s = self.sentences[sid]
            cache[sid] = frozenset(tokenize(self.reports[s.report_id].text[s.start : s.end]))
        return cache[sid]

    def report_head(self, report_id: str) -> str:
        """What names a report rather than says something in it: its catalogue title, publisher and author,
        and its head (the short lines before the first paragraph: title, subtitle, byline). Once per process."""
        cache = self.__dict__.setdefault("_report_head", {})
        if report_id not in cache:
            report = self.reports[report_id]
            head = []
            for line in report.text.split("\n", 6)[:6]:
                if len(line) >= 40 and re.search("[。！？；.!?;]", line):
                    break
                head.append(line)
            cache[report_id] = "\n".join([report.meta.title, report.meta.publisher, report.meta.author, *head])
        return cache[report_id]

    def report_tokens(self, report_id: str) -> frozenset[str]:
        """The words of :meth:`report_head` (segmented once per process)."""
        cache = self.__dict__.setdefault("_report_tokens", {})
        if report_id not in cache:
            cache[report_id] = frozenset(tokenize(self.report_head(report_id)))
        return cache[report_id]

    def sentence_ids(self, report_id: str) -> list[int]:
        """Ids of a report's sentences in text order (built on first use)."""
        if not hasattr(self, "_sentence_ids"):
            by: dict[str, list[int]] = {}
            for i, s in enumerate(self.sentences):
                by.setdefault(s.report_id, []).append(i)
            self._sentence_ids = by
        return self._sentence_ids.get(report_id, [])

    def mentions(self, term: str) -> bool:
        """Whether the normalised ``term`` occurs anywhere in the cleaned reports or their catalogue entries.

        A byline's date is when the report appeared, not what it reports on, so bylines count through the
        catalogue's author only ("2020" in "2020-01-10 … 译者: …" does not make 2020 a year the corpus covers).
        """
        if not hasattr(self, "_normal_text"):
            parts = []
            for r in self.reports.values():
                text = r.text
                for start, end, kind in r.blocks:
                    if kind == "byline":
                        text = text[:start] + " " * (end - start) + text[end:]
                # \x00 between reports: a term is never found across the boundary of two of them.
                parts.append(normalize(f"{r.meta.title}\x00{r.meta.author}\x00{r.meta.publisher}\x00{text}"))
            self._normal_text = "\x00".join(parts)
        return normalize(term) in self._normal_text

    @property
    def generation(self) -> str:
        return self.manifest["generation"]


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def read_manifest(path: Path) -> dict[str, Any]:
    path = Path(path)
    manifest_path = path / MANIFEST
    if not manifest_path.is_file():
        if path.is_dir() and any(not p.name.startswith(".") for p in path.iterdir()):
            raise IndexCorruptError(f"index {path} has no {MANIFEST} (half-written?); {REBUILD}")
        raise IndexMissingError(f"no index at {path}; run `cxkb build --index {path}` first")
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise IndexCorruptError(f"index {path}: {MANIFEST} is unreadable ({exc}); {REBUILD}") from exc
    if not isinstance(manifest, dict):
        raise IndexCorruptError(f"index {path}: {MANIFEST} is not a JSON object; {REBUILD}")
    if manifest.get("format_version") != FORMAT_VERSION:
        raise IndexIncompatibleError(
            f"index {path} has format version {manifest.get('format_version')}, this cxkb reads "
            f"{FORMAT_VERSION}; {REBUILD}"
        )
    missing = [key for key in ("generation", "files", "model") if key not in manifest]
    if missing or not isinstance(manifest.get("files"), dict) or not isinstance(manifest.get("generation"), str):
        what = ", ".join(missing) if missing else "files or generation of the wrong type"
        raise IndexCorruptError(f"index {path}: {MANIFEST} lacks {what}; {REBUILD}")
    return manifest


def verify(path: Path, manifest: dict[str, Any]) -> Path:
    """Check every file of the live generation against the manifest's checksums."""
    gen = Path(path) / manifest["generation"]
    for name, expected in manifest["files"].items():
        file = gen / name
        if not file.is_file():
            raise IndexCorruptError(f"index {path}: {name} is missing; {REBUILD}")
        if _sha256(file) != expected:
            raise IndexCorruptError(f"index {path}: {name} fails its checksum (truncated or altered); {REBUILD}")
    return gen


def open_index(path: Path) -> Index:
    """Load a verified index; errors name the command that fixes them."""
    import bm25s
    import faiss

    path = Path(path)
    manifest = read_manifest(path)
    gen = verify(path, manifest)
    try:
        reports = {}
        for line in (gen / "reports.jsonl").read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            row["meta"] = Meta(**row["meta"])
            row["pages"] = tuple(tuple(p) for p in row["pages"])
            row["cells"] = tuple(Cell(*c) for c in row["cells"])
            row["blocks"] = tuple(tuple(b) for b in row["blocks"])
            row["warnings"] = tuple(row["warnings"])
            reports[row["id"]] = Report(**row)
        chunks = [Chunk(**json.loads(line)) for line in (gen / "chunks.jsonl").read_text(encoding="utf-8").splitlines()]
        bm25 = bm25s.BM25.load(str(gen / "bm25"), load_corpus=False, allow_pickle=False)
        dense = faiss.read_index(str(gen / "dense.faiss"))
        table = json.loads((gen / "sentences.json").read_text(encoding="utf-8"))
        sents = [
            Sentence(*row) for row in zip(*(table[k] for k in ("report_id", "start", "end", "chunk")), strict=True)
        ]
        sentence_vectors = np.load(gen / "sentences.npy", allow_pickle=False)
        df = json.loads((gen / "terms.json").read_text(encoding="utf-8"))
        stats = [Stat(**json.loads(line)) for line in (gen / "stats.jsonl").read_text(encoding="utf-8").splitlines()]
    except (OSError, ValueError, KeyError, TypeError, RuntimeError) as exc:
        raise IndexCorruptError(f"index {path}: cannot load ({type(exc).__name__}: {exc}); {REBUILD}") from exc
    if dense.ntotal != len(chunks):
        raise IndexCorruptError(f"index {path}: {dense.ntotal} vectors for {len(chunks)} chunks; {REBUILD}")
    vectors = dense.reconstruct_n(0, dense.ntotal) if dense.ntotal else np.zeros((0, dense.d), np.float32)
    return Index(path, manifest, reports, chunks, bm25, dense, vectors, sents, sentence_vectors, df, stats)


# --- writing ---------------------------------------------------------------------------------


@contextlib.contextmanager
def writer_lock(path: Path, what: str = "build") -> Iterator[None]:
    """One writer at a time; a second fails fast naming the holder."""
    path.mkdir(parents=True, exist_ok=True)
    lock_path = path / ".lock"
    handle = lock_path.open("a+")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.seek(0)
        holder = handle.read().strip() or "another process"
        handle.close()
        raise IndexLockedError(
            f"index {path} is being written by {holder}; wait for it to finish, then retry"
        ) from None
    handle.seek(0)
    handle.truncate()
    handle.write(f"pid {os.getpid()} ({what}, since {time.strftime('%H:%M:%S')})")
    handle.flush()
    try:
        yield
    finally:
        handle.seek(0)
        handle.truncate()
        fcntl.flock(handle, fcntl.LOCK_UN)
        handle.close()


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _raise_disk_full(exc: BaseException, path: Path) -> None:
    """A full disk is the user's to fix: say so instead of a traceback (the old index still serves)."""
    if (isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT)) or (
        isinstance(exc, RuntimeError) and "No space left" in str(exc)  # faiss wraps write errors
    ):
        raise CxkbError(
            f"index {path}: no space left on the device while writing a new generation; the old index is "
            "unchanged. Free disk space and rerun `cxkb build`"
        ) from exc


def generation_name() -> str:
    """A new generation's folder name; a maintainer's journal records it before the generation is written."""
    return f"g-{time.strftime('%Y%m%dT%H%M%S')}-{uuid.uuid4().hex[:8]}"


def write_generation(
    path: Path,
    reports: list[Report],
    chunks: list[Chunk],
    vectors: np.ndarray,
    sents: list[Sentence],
    sentence_vectors: np.ndarray,
    settings: Settings,
    model: str,
    name: str | None = None,
    *,
    backend: str = "",
    probe: np.ndarray | None = None,
) -> dict[str, Any]:
    """Write a complete new generation (named ``name``, or a fresh name), then publish it by replacing the manifest."""
    import bm25s
    import faiss

    # bm25s sets its logger to DEBUG on import; keep build output to our summary.
    logging.getLogger("bm25s").setLevel(logging.WARNING)
    path.mkdir(parents=True, exist_ok=True)
    name = name or generation_name()
    tmp = path / f".{name}.tmp"
    tmp.mkdir()
    try:
        with (tmp / "reports.jsonl").open("w", encoding="utf-8") as f:
            for r in reports:
                row = {
                    **asdict(r),
                    "pages": [list(p) for p in r.pages],
                    "cells": [[c.start, c.end, c.label] for c in r.cells],
                }
                f.write(json.dumps(row, ensure_ascii=False) + "\n")
        with (tmp / "chunks.jsonl").open("w", encoding="utf-8") as f:
            for c in chunks:
                f.write(json.dumps(asdict(c), ensure_ascii=False) + "\n")
        meta = {r.id: r.meta for r in reports}
        tokens = [keyword_tokens(chunk_context(c, meta[c.report_id])) for c in chunks]
        retriever = bm25s.BM25()
        retriever.index(tokens, show_progress=False)
        retriever.save(str(tmp / "bm25"), show_progress=False)
        df: dict[str, int] = {}
        for toks in tokens:
            for t in set(toks):
                df[t] = df.get(t, 0) + 1
        (tmp / "terms.json").write_text(json.dumps(df, ensure_ascii=False), encoding="utf-8")
        table = {k: [getattr(x, k) for x in sents] for k in ("report_id", "start", "end", "chunk")}
        (tmp / "sentences.json").write_text(json.dumps(table, ensure_ascii=False), encoding="utf-8")
        np.save(tmp / "sentences.npy", np.ascontiguousarray(sentence_vectors, dtype=np.float32), allow_pickle=False)
        with (tmp / "stats.jsonl").open("w", encoding="utf-8") as f:
            for report in reports:
                for stat in extract_stats(report):
                    f.write(json.dumps(stat.to_dict(), ensure_ascii=False) + "\n")
        dim = int(vectors.shape[1]) if vectors.ndim == 2 and vectors.shape[1] else 0
        dense = faiss.IndexFlatIP(dim)
        if len(vectors):
            dense.add(np.ascontiguousarray(vectors, dtype=np.float32))
        faiss.write_index(dense, str(tmp / "dense.faiss"))
        files = {}
        for file in sorted(p for p in tmp.rglob("*") if p.is_file()):
            with file.open("rb") as f:
                os.fsync(f.fileno())
            files[str(file.relative_to(tmp))] = _sha256(file)
        _fsync_dir(tmp)
        os.rename(tmp, path / name)
    except BaseException as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        _raise_disk_full(exc, path)
        raise
    counts: dict[str, int] = {}
    for c in chunks:
        counts[c.report_id] = counts.get(c.report_id, 0) + 1
    manifest = {
        "format_version": FORMAT_VERSION,
        "cxkb_version": __version__,
        "generation": name,
        "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "model": {
            "name": model,
            "dim": dim,
            "backend": backend,
            # The builder's vectors of cxkb.embed.PROBE_TEXTS: another backend must agree with them.
            "probe": [] if probe is None else np.round(probe, 6).tolist(),
        },
        "settings": {"chunk_size": settings.chunk_size, "chunk_overlap": settings.chunk_overlap},
        "chunk_count": len(chunks),
        "reports": [
            {
                "id": r.id,
                "source": r.source,
                "sha256": r.sha256,
                "text_sha256": hashlib.sha256(normalize(r.text).encode()).hexdigest(),
                "title": r.meta.title,
                "chunks": counts.get(r.id, 0),
                "removed": r.removed,
            }
            for r in reports
        ],
        "files": files,
    }
    manifest_tmp = path / f".{MANIFEST}.tmp"
    try:
        manifest_tmp.write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
        with manifest_tmp.open("rb") as f:
            os.fsync(f.fileno())
        os.replace(manifest_tmp, path / MANIFEST)
    except BaseException as exc:
        # Not published: the old manifest still serves, so the new generation folder is only litter.
        manifest_tmp.unlink(missing_ok=True)
        live = None
        with contextlib.suppress(OSError, ValueError):
            live = json.loads((path / MANIFEST).read_text(encoding="utf-8")).get("generation")
        if live != name:
            shutil.rmtree(path / name, ignore_errors=True)
        _raise_disk_full(exc, path)
        raise
    _fsync_dir(path)
    for old in path.iterdir():
        if old.is_dir() and old.name != name and (old.name.startswith("g-") or old.name.endswith(".tmp")):
            shutil.rmtree(old, ignore_errors=True)
    return manifest


def previous_vectors(path: Path, model: str, backend: str = "") -> dict[str, np.ndarray]:
    """Vectors of the live generation by text key, so unchanged text is never embedded again."""
    from .embed import EmbeddingCache

    try:
        old = open_index(path)
    except CxkbError:
        return {}
    if old.model != model or old.manifest["model"].get("backend", "") != backend:
        return {}  # another model, or the same one run another way: vectors must not be mixed
    meta = {r.id: r.meta for r in old.reports.values()}
    known = {
        EmbeddingCache.key(normalize(chunk_context(c, meta[c.report_id]))): v
        for c, v in zip(old.chunks, old.vectors, strict=True)
    }
    if old.sentence_vectors.ndim == 2 and old.sentence_vectors.shape[1]:
        for sent, v in zip(old.sentences, old.sentence_vectors, strict=True):
            known[EmbeddingCache.key(normalize(old.reports[sent.report_id].text[sent.start : sent.end]))] = v
    return known


@dataclass(frozen=True)
class BuildSummary:
    path: Path
    reports: list[Report]
    chunks: int
    failed: dict[str, str]  # file name -> reason
    seconds: float
    model: str

    def removed_total(self) -> dict[str, int]:
        total: dict[str, int] = {}
        for r in self.reports:
            for rule, n in r.removed.items():
                total[rule] = total.get(rule, 0) + n
        return dict(sorted(total.items(), key=lambda kv: -kv[1]))


def build_index(
    settings: Settings,
    *,
    progress: Callable[[str, int, int], None] | None = None,
    show_embed_progress: bool = False,
) -> BuildSummary:
    """Build ``settings.index`` from every supported file in ``settings.corpus``."""
    from .journal import finish

    with writer_lock(Path(settings.index)):
        finish(Path(settings.index))  # an interrupted add/update/remove first, so the corpus is settled
        return _build(settings, progress, show_embed_progress)


def _build(
    settings: Settings,
    progress: Callable[[str, int, int], None] | None,
    show_embed_progress: bool,
    reuse: dict[str, Report] | None = None,
    *,
    files: list[Path] | None = None,
    catalog: dict[str, Meta] | None = None,
    generation: str | None = None,
) -> BuildSummary:
    """Read the corpus (reusing cleaned ``reuse`` reports by file name), then write a generation.

    A maintainer's change passes ``files`` and ``catalog`` as the corpus will be once its staged
    files are moved in, and the ``generation`` name its journal recorded. Vectors of text the
    previous generation already embedded are taken from it, so an incremental change embeds
    only new text, and the result equals a fresh build.
    """
    started = time.perf_counter()
    files = sorted(files, key=lambda p: p.name) if files is not None else corpus_files(settings.corpus)
    catalog = catalog if catalog is not None else load_catalog(settings.corpus)
    reports, failed, taken = [], {}, set()
    for i, file in enumerate(files):
        if progress:
            progress(f"reading {file.name}", i, len(files))
        rid = report_id(file, taken)
        old = (reuse or {}).get(file.name)
        try:
            entry = catalog.get(file.name, Meta())
            same_entry = old is not None and all(getattr(old.meta, k) == v for k, v in asdict(entry).items() if v)
            if old is not None and old.id == rid and same_entry:
                reports.append(old)
            else:
                reports.append(load_report(file, rid=rid, meta=catalog))
            taken.add(rid)
        except CxkbError as exc:
            log.error("skipped %s", exc)
            failed[file.name] = str(exc)
    if not reports:
        raise IndexMissingError(
            f"no readable reports in {settings.corpus}; add .txt, .md, .html, .pdf, .docx or .pptx files"
        )
    chunks: list[Chunk] = []
    sents: list[Sentence] = []
    for r in reports:
        mine = chunk_report(r, size=settings.chunk_size, overlap=settings.chunk_overlap)
        sents += report_sentences(r, mine, len(chunks))
        chunks += mine
    embedder = get_embedder(
        settings.model,
        batch_size=settings.batch_size,
        max_seq_length=settings.max_seq_length,
        threads=settings.threads,
        backend=settings.embed_backend,
        purpose="build",
    )
    if progress:
        progress(f"embedding {len(chunks)} chunks", len(files), len(files))
    meta = {r.id: r.meta for r in reports}
    texts = [normalize(chunk_context(c, meta[c.report_id])) for c in chunks]
    text_of = {r.id: r.text for r in reports}
    if settings.sentence_vectors:
        texts += [normalize(text_of[s.report_id][s.start : s.end]) for s in sents]
    known = previous_vectors(Path(settings.index), embedder.name, embedder.backend)
    everything = embed_passages_cached(embedder, texts, progress=show_embed_progress, known=known)
    vectors = everything[: len(chunks)]
    sentence_vectors = everything[len(chunks) :] if settings.sentence_vectors else np.zeros((len(sents), 0))
    write_generation(
        Path(settings.index),
        reports,
        chunks,
        vectors,
        sents,
        sentence_vectors,
        settings,
        embedder.name,
        generation,
        backend=embedder.backend,
        probe=embedder.embed_passages(list(PROBE_TEXTS)),
    )
    return BuildSummary(
        Path(settings.index), reports, len(chunks), failed, time.perf_counter() - started, embedder.name
    )
