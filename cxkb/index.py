"""The on-disk hybrid index: BM25 (bm25s) + dense vectors (FAISS), no pickle.

Layout of an index folder::

    manifest.json        format version, model, settings, reports, file checksums,
                         and the name of the live generation
    g-<time>-<id>/       one complete generation:
        reports.jsonl, texts.txt, chunks.npy, headings.json, sentences.npy   records (cxkb.store)
        vectors.npy, sentence_vectors.npy    float16 unit vectors, memory-mapped
        dense.hnsw.faiss                     HNSW graph, only above Settings.ann_above chunks
        bm25/                                bm25s arrays as .npy + JSON
        stats.jsonl                          every figure (cxkb stats), read on first use
    .lock                held by the one writer

A build writes a new generation folder, then publishes it by atomically
replacing manifest.json; a crash at any point leaves the old index serving.
Checksums in the manifest are verified before anything is loaded (large files
by length and edges; ``cxkb check`` reads them whole).
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
from array import array
from collections.abc import Callable, Iterator, Mapping, Sequence
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
from .models import Chunk, Meta, Report
from .normalize import normalize
from .readers import SUFFIXES
from .segment import keyword_tokens, load_whole_dictionary, tokenize
from .settings import Settings
from .stats import Stat, extract_stats
from .store import (
    CHUNK_COLUMNS,
    SENTENCE_COLUMNS,
    Chunks,
    DocFreq,
    Reports,
    Sentence,
    Sentences,
    map_file,
    report_row,
    save_table,
)

log = logging.getLogger(__name__)

# 2: reports from structured documents (readers), table cells, authors, page breaks inside blocks.
# 3: records as memory-mapped arrays and lazily parsed rows (cxkb.store), float16 vectors, HNSW above a size.
FORMAT_VERSION = 3
ANN = "dense.hnsw.faiss"
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


def mention_text(report: Report) -> str:
    """What :meth:`Index.mentions` searches for a report: its catalogue fields and text, normalised.

    A byline's date is when the report appeared, not what it reports on, so bylines count through the
    catalogue's author only ("2020" in "2020-01-10 … 译者: …" does not make 2020 a year the corpus covers).
    """
    text = report.text
    for start, end, kind in report.blocks:
        if kind == "byline":
            text = text[:start] + " " * (end - start) + text[end:]
    # \x00 between fields (and reports): a term is never found across the boundary of two of them.
    return normalize(f"{report.meta.title}\x00{report.meta.author}\x00{report.meta.publisher}\x00{text}")


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
    reports: Mapping[str, Report]  # store.Reports: parsed when first read
    chunks: Sequence[Chunk]  # store.Chunks
    bm25: Any
    ann: Any  # a faiss HNSW index above Settings.ann_above chunks, else None (exact search)
    vectors: np.ndarray = field(repr=False, default_factory=lambda: np.zeros((0, 0), np.float32))
    sentences: Sequence[Sentence] = field(default_factory=list)  # every sentence, for answers
    sentence_vectors: np.ndarray = field(repr=False, default_factory=lambda: np.zeros((0, 0), np.float16))
    df: Mapping[str, int] = field(default_factory=dict)  # keyword document frequency over chunks
    sentence_terms: tuple[np.ndarray, np.ndarray] = (np.zeros(0, np.int32), np.zeros(1, np.int64))  # ids, offsets

    @property
    def stats(self) -> list[Stat]:
        """Every figure in the corpus (``cxkb stats``): read on first use, not at open."""
        if "_stats" not in self.__dict__:
            gen = self.path / self.generation
            lines = (gen / "stats.jsonl").read_text(encoding="utf-8").splitlines()
            self.__dict__["_stats"] = [Stat(**json.loads(line)) for line in lines]
        return self.__dict__["_stats"]

    @property
    def model(self) -> str:
        return self.manifest["model"]["name"]

    def sentence_tokens(self, sid: int) -> frozenset[str]:
        """A sentence's words, as the build cut them (``tokenize``), by their ids in the keyword vocabulary."""
        cache = self.__dict__.setdefault("_sentence_tokens", {})
        if sid not in cache:
            if "_words" not in self.__dict__:
                words = [""] * (max(self.bm25.vocab_dict.values(), default=-1) + 1)
                for word, i in self.bm25.vocab_dict.items():
                    words[i] = word
                self.__dict__["_words"] = words
            terms, at = self.sentence_terms
            words = self.__dict__["_words"]
            cache[sid] = frozenset(words[i] for i in terms[at[sid] : at[sid + 1]].tolist())
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

    def chunk_sentences(self, chunk: Chunk) -> list[int]:
        """Ids of the sentences lying wholly inside ``chunk`` (remembered per chunk: search and answers ask again)."""
        cache = self.__dict__.setdefault("_chunk_sentences", {})
        if chunk.id not in cache:
            cache[chunk.id] = self.sentences.within(chunk.report_id, chunk.start, chunk.end)  # type: ignore[attr-defined]
        return cache[chunk.id]

    def sentence_ids(self, report_id: str) -> list[int]:
        """Ids of a report's sentences in text order."""
        return list(self.sentences.of_report(report_id))  # type: ignore[attr-defined]

    def mentions(self, term: str) -> bool:
        """Whether the normalised ``term`` occurs anywhere in the cleaned reports or their catalogue entries.

        Searched in ``mentions.txt`` (every report's :func:`mention_text`, written at build) through a
        memory map: a large library's normalised text is never copied into the process.
        """
        if "_mentions" not in self.__dict__:
            self.__dict__["_mentions"] = map_file(self.path / self.generation / "mentions.txt")
        return self.__dict__["_mentions"].find(normalize(term).encode("utf-8")) >= 0

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


# Files above this size are checked at open by their length and the checksum of their first and last MiB
# (a truncated or half-copied file fails); `cxkb check` reads them whole. Hashing a 1 GB library at every
# open would cost seconds.
WHOLE_CHECK_BYTES = 64 << 20
_EDGE = 1 << 20


def _edges_sha256(path: Path) -> str:
    h = hashlib.sha256()
    size = path.stat().st_size
    with path.open("rb") as f:
        h.update(f.read(_EDGE))
        f.seek(max(size - _EDGE, 0))
        h.update(f.read(_EDGE))
    return h.hexdigest()


def verify(path: Path, manifest: dict[str, Any], *, whole: bool = False) -> Path:
    """Check the files of the live generation against the manifest (large ones by length and edges unless
    ``whole``)."""
    gen = Path(path) / manifest["generation"]
    sizes, edges = manifest.get("sizes", {}), manifest.get("edges", {})
    for name, expected in manifest["files"].items():
        file = gen / name
        if not file.is_file():
            raise IndexCorruptError(f"index {path}: {name} is missing; {REBUILD}")
        quick = not whole and name in edges and sizes.get(name, -1) > WHOLE_CHECK_BYTES
        if quick:
            ok = file.stat().st_size == sizes[name] and _edges_sha256(file) == edges[name]
        else:
            ok = _sha256(file) == expected
        if not ok:
            raise IndexCorruptError(f"index {path}: {name} fails its checksum (truncated or altered); {REBUILD}")
    return gen


def open_index(path: Path) -> Index:
    """Load a verified index; errors name the command that fixes them. Records and vectors are
    memory-mapped and parsed when first read."""
    import bm25s

    path = Path(path)
    manifest = read_manifest(path)
    gen = verify(path, manifest)
    try:
        reports = Reports(gen, [r["id"] for r in manifest["reports"]])
        headings = json.loads((gen / "headings.json").read_text(encoding="utf-8"))
        chunks = Chunks(np.load(gen / "chunks.npy", mmap_mode="r", allow_pickle=False), headings, reports)
        logging.getLogger("bm25s").setLevel(logging.WARNING)
        bm25 = bm25s.BM25.load(str(gen / "bm25"), load_corpus=False, allow_pickle=False, mmap=True)
        vectors = np.load(gen / "vectors.npy", mmap_mode="r", allow_pickle=False)
        ann = None
        if (gen / ANN).is_file():
            import faiss

            ann = faiss.read_index(str(gen / ANN))
            ann.hnsw.efSearch = int(manifest.get("ann", {}).get("ef_search", 128))
        else:
            vectors = np.asarray(vectors, dtype=np.float32)  # exact search: small enough to hold as float32
        sents = Sentences(np.load(gen / "sentences.npy", mmap_mode="r", allow_pickle=False), reports)
        sentence_vectors = np.load(gen / "sentence_vectors.npy", mmap_mode="r", allow_pickle=False)
        df = DocFreq(bm25.vocab_dict, bm25.scores["indptr"])
        sentence_terms = (
            np.load(gen / "sentence_terms.npy", mmap_mode="r", allow_pickle=False),
            np.load(gen / "sentence_terms_at.npy", mmap_mode="r", allow_pickle=False),
        )
        if len(sentence_terms[1]) != len(sents) + 1:
            raise ValueError(f"sentence_terms_at.npy has {len(sentence_terms[1])} offsets for {len(sents)} sentences")
    except (OSError, ValueError, KeyError, TypeError, RuntimeError) as exc:
        raise IndexCorruptError(f"index {path}: cannot load ({type(exc).__name__}: {exc}); {REBUILD}") from exc
    if len(vectors) != len(chunks) or (ann is not None and ann.ntotal != len(chunks)):
        raise IndexCorruptError(f"index {path}: {len(vectors)} vectors for {len(chunks)} chunks; {REBUILD}")
    return Index(path, manifest, reports, chunks, bm25, ann, vectors, sents, sentence_vectors, df, sentence_terms)


# --- writing ---------------------------------------------------------------------------------


_HELD_LOCKS: set[int] = set()  # descriptors of the writer locks this process holds


def _worker_start(parent: int) -> None:
    """In a forked build worker: die with the parent, and close its lock descriptors, so that a killed
    writer's lock and workers go with it instead of living on (idle workers never see their queue close:
    they hold its other end themselves)."""
    with contextlib.suppress(OSError, AttributeError):
        import ctypes
        import signal

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG (Linux)
    if os.getppid() != parent:  # the parent died before the line above took effect
        os._exit(1)
    for fd in _HELD_LOCKS:
        with contextlib.suppress(OSError):
            os.close(fd)


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
    _HELD_LOCKS.add(handle.fileno())
    try:
        yield
    finally:
        _HELD_LOCKS.discard(handle.fileno())
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


@dataclass
class Prepared:
    """One report's share of a build, made in a worker process: everything but the vectors."""

    report: Report
    chunks: list[Chunk]
    sentences: list[tuple[int, int, int]]  # start, end, the report's own number of the chunk holding it
    terms: list[str]  # the report's distinct BM25 terms
    term_ids: list[np.ndarray]  # each chunk's terms, as positions in ``terms`` (cheap to send between processes)
    sentence_term_ids: list[np.ndarray]  # each sentence's words (``tokenize``), as positions in ``terms``
    stats: list[str]  # JSON lines for stats.jsonl
    texts: list[str]  # what is embedded: normalised chunk contexts, then sentences
    text_sha256: str  # of the normalised text: what `cxkb check` compares
    mentions: str  # mention_text(report)


def prepare(report: Report, settings: Settings) -> Prepared:
    chunks = chunk_report(report, size=settings.chunk_size, overlap=settings.chunk_overlap)
    sents = report_sentences(report, chunks, 0)
    contexts = [chunk_context(c, report.meta) for c in chunks]
    memo: dict[str, list[str]] = {}  # this report's pieces already cut (overlap sentences, headings)
    local: dict[str, int] = {}
    texts = [normalize(c) for c in contexts]
    if settings.sentence_vectors:
        texts += [normalize(report.text[s.start : s.end]) for s in sents]

    def ids(terms: list[str]) -> np.ndarray:
        return np.array([local.setdefault(t, len(local)) for t in terms], np.int32)

    term_ids = [ids(keyword_tokens(c, memo=memo)) for c in contexts]
    # Answers score sentences by their words; cut here (the memo holds every piece already), not per question.
    sentence_term_ids = [ids(tokenize(report.text[s.start : s.end], memo)) for s in sents]
    return Prepared(
        report,
        chunks,
        [(s.start, s.end, s.chunk) for s in sents],
        list(local),
        term_ids,
        sentence_term_ids,
        [json.dumps(stat.to_dict(), ensure_ascii=False) for stat in extract_stats(report)],
        texts,
        hashlib.sha256(normalize(report.text).encode()).hexdigest(),
        mention_text(report),
    )


@dataclass(frozen=True)
class _Job:
    file: Path
    rid: str
    meta: dict[str, Meta]  # the file's catalogue entry, if any
    reuse: Report | None
    settings: Settings


def _prepare_file(job: _Job) -> Prepared | tuple[str, str]:
    try:
        report = job.reuse or load_report(job.file, rid=job.rid, meta=job.meta)
        return prepare(report, job.settings)
    except CxkbError as exc:
        return job.file.name, str(exc)


# Below this many files the work stays in the calling process: starting workers (each loads jieba) costs more.
PARALLEL_FILES = 32


def _prepare_all(jobs: list[_Job], workers: int) -> Iterator[Prepared | tuple[str, str]]:
    """Each file's :class:`Prepared` (or its file name and error), in order; on ``workers`` processes."""
    if len(jobs) >= PARALLEL_FILES:
        load_whole_dictionary()
    if workers <= 1 or len(jobs) < PARALLEL_FILES:
        yield from map(_prepare_file, jobs)
        return
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    # fork: workers inherit the loaded dictionaries and settings; they only read files and compute.
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(workers, mp_context=context, initializer=_worker_start, initargs=(os.getpid(),)) as pool:
        yield from pool.map(_prepare_file, jobs, chunksize=4)


class GenerationWriter:
    """Writes a generation as reports arrive (their text and records go to disk at once), then its
    vectors, keyword index and optional ANN index, and publishes it (:func:`write_generation`)."""

    def __init__(self, path: Path, name: str) -> None:
        path.mkdir(parents=True, exist_ok=True)
        self.path, self.name = path, name
        self.tmp = path / f".{name}.tmp"
        self.tmp.mkdir()
        self.reports: list[Report] = []
        # Rows flattened into int64 arrays: a million sentence tuples would cost ~150 MB as Python objects.
        self.chunk_rows, self.sentence_rows = array("q"), array("q")
        self.n_chunks = self.n_sentences = 0
        self.headings: dict[str, int] = {"": 0}
        # BM25 terms as ids from the start: a library's 30 million term strings would take gigabytes.
        self.vocab: dict[str, int] = {}
        self.token_ids: list[np.ndarray] = []
        self.sentence_terms, self.sentence_terms_at = array("i"), array("q", [0])  # CSR: ids, row offsets
        self.chunk_texts: list[str] = []
        self.sentence_texts: list[str] = []
        self.counts: dict[str, int] = {}
        self.text_sha256: dict[str, str] = {}
        self._rows = (self.tmp / "reports.jsonl").open("w", encoding="utf-8")
        self._texts = (self.tmp / "texts.txt").open("wb")
        self._stats = (self.tmp / "stats.jsonl").open("w", encoding="utf-8")
        self._mentions = (self.tmp / "mentions.txt").open("wb")
        self._offset = 0

    def add(self, item: Prepared) -> None:
        report, number, first = item.report, len(self.reports), self.n_chunks
        data = report.text.encode("utf-8")
        self._texts.write(data)
        self._rows.write(report_row(report, self._offset, self._offset + len(data)) + "\n")
        self._offset += len(data)
        for c in item.chunks:
            heading = self.headings.setdefault(c.heading, len(self.headings))
            self.chunk_rows.extend((number, c.start, c.end, -1 if c.page is None else c.page, heading))
        for start, end, chunk in item.sentences:
            self.sentence_rows.extend((number, start, end, first + chunk))
        self.n_chunks += len(item.chunks)
        self.n_sentences += len(item.sentences)
        for line in item.stats:
            self._stats.write(line + "\n")
        self._mentions.write(item.mentions.encode("utf-8") + b"\x00")
        vocab = self.vocab
        to_global = np.array([vocab.setdefault(t, len(vocab)) for t in item.terms], np.int32)
        self.token_ids += [to_global[ids] for ids in item.term_ids]
        for ids in item.sentence_term_ids:
            self.sentence_terms.extend(to_global[ids].tolist())
            self.sentence_terms_at.append(len(self.sentence_terms))
        self.chunk_texts += item.texts[: len(item.chunks)]
        self.sentence_texts += item.texts[len(item.chunks) :]
        self.counts[report.id] = len(item.chunks)
        self.text_sha256[report.id] = item.text_sha256
        self.reports.append(report)

    def close_records(self) -> None:
        for f in (self._rows, self._texts, self._stats, self._mentions):
            f.close()
        save_table(self.tmp / "chunks.npy", self.chunk_rows, CHUNK_COLUMNS)
        save_table(self.tmp / "sentences.npy", self.sentence_rows, SENTENCE_COLUMNS)
        np.save(self.tmp / "sentence_terms.npy", np.frombuffer(self.sentence_terms, np.int32), allow_pickle=False)
        np.save(self.tmp / "sentence_terms_at.npy", np.frombuffer(self.sentence_terms_at, np.int64), allow_pickle=False)
        (self.tmp / "headings.json").write_text(json.dumps(list(self.headings), ensure_ascii=False), encoding="utf-8")

    def abandon(self) -> None:
        for f in (self._rows, self._texts, self._stats, self._mentions):
            f.close()
        shutil.rmtree(self.tmp, ignore_errors=True)


EMBED_BATCH = 4096  # texts per call of the embedder: bounds the float32 held at once


def _embed_into(out: np.ndarray, texts: list[str], embedder: Any, known: dict[str, np.ndarray], progress: bool) -> None:
    """Embed ``texts`` batch by batch straight into the float16 ``out`` (never all float32 at once)."""
    for start in range(0, len(texts), EMBED_BATCH):
        part = texts[start : start + EMBED_BATCH]
        out[start : start + len(part)] = embed_passages_cached(embedder, part, progress=progress, known=known)


def write_generation(
    writer: GenerationWriter,
    settings: Settings,
    embedder: Any,
    known: dict[str, np.ndarray],
    *,
    show_progress: bool = False,
    progress: Callable[[str, int, int], None] | None = None,
    identity: tuple[str, list[Any]] | None = None,
) -> dict[str, Any]:
    """Finish the writer's generation (vectors, keyword index, ANN index, checksums), then publish it by
    replacing the manifest."""
    import bm25s

    # bm25s sets its logger to DEBUG on import; keep build output to our summary.
    logging.getLogger("bm25s").setLevel(logging.WARNING)
    path, name, tmp = writer.path, writer.name, writer.tmp
    try:
        writer.close_records()
        n_chunks, dim = writer.n_chunks, embedder.dim
        if progress:
            progress(f"embedding {n_chunks} chunks", 0, 1)
        embedding_started = time.perf_counter()
        vectors = np.lib.format.open_memmap(tmp / "vectors.npy", mode="w+", dtype=np.float16, shape=(n_chunks, dim))
        _embed_into(vectors, writer.chunk_texts, embedder, known, show_progress)
        sentence_dim = dim if settings.sentence_vectors else 0
        shape = (writer.n_sentences, sentence_dim)
        sentence_vectors = np.lib.format.open_memmap(
            tmp / "sentence_vectors.npy", mode="w+", dtype=np.float16, shape=shape
        )
        if sentence_dim:
            _embed_into(sentence_vectors, writer.sentence_texts, embedder, known, show_progress)
        sentence_vectors.flush()
        del sentence_vectors
        embedding_s = time.perf_counter() - embedding_started
        retriever = bm25s.BM25(k1=settings.bm25_k1, b=settings.bm25_b)
        retriever.index((writer.token_ids, writer.vocab), show_progress=False)
        retriever.save(str(tmp / "bm25"), show_progress=False)
        ann = {}
        if n_chunks > settings.ann_above:
            ann = _write_ann(tmp / ANN, vectors, settings)
        vectors.flush()
        del vectors
        files, sizes, edges = {}, {}, {}
        for file in sorted(p for p in tmp.rglob("*") if p.is_file()):
            with file.open("rb") as f:
                os.fsync(f.fileno())
            rel = str(file.relative_to(tmp))
            files[rel], sizes[rel] = _sha256(file), file.stat().st_size
            if sizes[rel] > WHOLE_CHECK_BYTES:
                edges[rel] = _edges_sha256(file)
        _fsync_dir(tmp)
        os.rename(tmp, path / name)
    except BaseException as exc:
        writer.abandon()
        _raise_disk_full(exc, path)
        raise
    manifest = {
        "format_version": FORMAT_VERSION,
        "cxkb_version": __version__,
        "generation": name,
        "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "model": {
            "name": embedder.name,
            "dim": dim,
            # The builder's vectors of cxkb.embed.PROBE_TEXTS: another backend must agree with them. A small
            # change embedded on an agreeing path keeps the index's own (``identity``).
            "backend": identity[0] if identity else embedder.backend,
            "probe": identity[1] if identity else np.round(embedder.embed_passages(list(PROBE_TEXTS)), 6).tolist(),
        },
        "settings": {
            "chunk_size": settings.chunk_size,
            "chunk_overlap": settings.chunk_overlap,
            "bm25_k1": settings.bm25_k1,
            "bm25_b": settings.bm25_b,
        },
        "chunk_count": n_chunks,
        "ann": ann,
        "embedding_seconds": round(embedding_s, 1),  # of the build's time (benchmarks leave it out)
        "reports": [
            {
                "id": r.id,
                "source": r.source,
                "sha256": r.sha256,
                "text_sha256": writer.text_sha256[r.id],
                "title": r.meta.title,
                "chunks": writer.counts.get(r.id, 0),
                "removed": r.removed,
            }
            for r in writer.reports
        ],
        "files": files,
        "sizes": sizes,
        "edges": edges,
    }
    _publish(path, name, manifest)
    return manifest


def _write_ann(target: Path, vectors: np.ndarray, settings: Settings) -> dict[str, Any]:
    """An HNSW graph over the chunk vectors (inner product on unit vectors = cosine)."""
    import faiss

    started = time.perf_counter()
    ann = faiss.IndexHNSWFlat(vectors.shape[1], settings.ann_m, faiss.METRIC_INNER_PRODUCT)
    ann.hnsw.efConstruction = settings.ann_ef_construction
    for start in range(0, len(vectors), 65536):
        ann.add(np.asarray(vectors[start : start + 65536], dtype=np.float32))
    faiss.write_index(ann, str(target))
    log.info("HNSW index over %d chunks in %.1f s", len(vectors), time.perf_counter() - started)
    return {"kind": "hnsw", "m": settings.ann_m, "ef_search": settings.ann_ef_search}


def _publish(path: Path, name: str, manifest: dict[str, Any]) -> None:
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


def previous_vectors(path: Path, model: str, backend: str = "") -> dict[str, np.ndarray]:
    """Vectors of the live generation by text key, so unchanged text is never embedded again."""
    from .embed import EmbeddingCache

    try:
        old = open_index(path)
    except CxkbError:
        return {}
    if old.model != model or old.manifest["model"].get("backend", "") != backend:
        return {}  # another model, or the same one run another way: vectors must not be mixed
    known = {
        EmbeddingCache.key(normalize(chunk_context(c, old.reports[c.report_id].meta))): v
        for c, v in zip(old.chunks, old.vectors, strict=True)
    }
    if old.sentence_vectors.ndim == 2 and old.sentence_vectors.shape[1]:
        for sent, v in zip(old.sentences, old.sentence_vectors, strict=True):
            known[EmbeddingCache.key(normalize(old.reports[sent.report_id].text[sent.start : sent.end]))] = v
    return known


# A change that embeds at most this many new texts runs on the query path (ONNX: no torch import, seconds
# less for `cxkb add` of one report) when its vectors agree with the index's within EMBED_TOLERANCE.
SMALL_CHANGE_TEXTS = 256


def _embedder_for(
    settings: Settings, writer: GenerationWriter
) -> tuple[Any, dict[str, np.ndarray], tuple[str, list[Any]] | None]:
    """The embedder for a build, the vectors it can reuse, and the (backend, probe) the manifest keeps.

    A full build takes the build path. A small change to an index built on another path of the same model
    takes the query path (loaded in a second, no torch) if that path agrees with the index's probe vectors; the
    index keeps its own backend and probe then, since its vectors are still its builder's within tolerance.
    """
    from .embed import EMBED_TOLERANCE, EmbeddingCache, agreement

    kw = {"batch_size": settings.batch_size, "max_seq_length": settings.max_seq_length}
    build = {"threads": settings.threads, "backend": settings.embed_backend, "purpose": "build"}
    try:
        model = read_manifest(Path(settings.index))["model"]
    except CxkbError:
        model = None
    if model and model["name"] == settings.model and settings.embed_backend == "auto" and model.get("probe"):
        known = previous_vectors(Path(settings.index), model["name"], model.get("backend", ""))
        texts = writer.chunk_texts + writer.sentence_texts
        new = sum(1 for t in texts if EmbeddingCache.key(t) not in known)
        if new <= SMALL_CHANGE_TEXTS:
            quick = get_embedder(settings.model, threads=settings.query_threads, purpose="query", **kw)
            if quick.backend == model.get("backend"):
                return quick, known, None
            if agreement(quick, np.asarray(model["probe"], np.float32)) >= EMBED_TOLERANCE:
                log.info("embedding %d new texts on the %s path (agrees with the index's)", new, quick.backend)
                return quick, known, (model["backend"], model["probe"])
    embedder = get_embedder(settings.model, **kw, **build)
    return embedder, previous_vectors(Path(settings.index), embedder.name, embedder.backend), None


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
    only new text, and the result equals a fresh build. Files are read on ``settings.workers``
    processes; each report's text and records go to disk as it arrives.
    """
    started = time.perf_counter()
    files = sorted(files, key=lambda p: p.name) if files is not None else corpus_files(settings.corpus)
    catalog = catalog if catalog is not None else load_catalog(settings.corpus)
    jobs, taken = [], set()
    for file in files:
        rid = report_id(file, taken)
        taken.add(rid)
        old = (reuse or {}).get(file.name)
        entry = catalog.get(file.name, Meta())
        same_entry = old is not None and all(getattr(old.meta, k) == v for k, v in asdict(entry).items() if v)
        kept = old if old is not None and old.id == rid and same_entry else None
        own = {file.name: catalog[file.name]} if file.name in catalog else {}
        jobs.append(_Job(file, rid, own, kept, settings))
    writer = GenerationWriter(Path(settings.index), generation or generation_name())
    failed: dict[str, str] = {}
    try:
        for i, item in enumerate(_prepare_all(jobs, settings.workers or os.cpu_count() or 1)):
            if progress:
                progress(f"reading {jobs[i].file.name}", i, len(jobs))
            if isinstance(item, Prepared):
                writer.add(item)
            else:
                log.error("skipped %s", item[1])
                failed[item[0]] = item[1]
        if not writer.reports:
            raise IndexMissingError(
                f"no readable reports in {settings.corpus}; add .txt, .md, .html, .pdf, .docx or .pptx files"
            )
        embedder, known, identity = _embedder_for(settings, writer)
    except BaseException:
        writer.abandon()
        raise
    write_generation(
        writer, settings, embedder, known, show_progress=show_embed_progress, progress=progress, identity=identity
    )
    return BuildSummary(
        Path(settings.index),
        writer.reports,
        writer.n_chunks,
        failed,
        time.perf_counter() - started,
        embedder.name,
    )
