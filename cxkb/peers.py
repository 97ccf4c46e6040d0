"""The systems ``cxkb eval`` compares, behind one small interface.

Each system is a function ``question -> Response``. A response carries the ranked passages
(for retrieval metrics), the answer text, whether the system answered or abstained, and the
citations as (report, text that must hold the supporting sentence) pairs. The metric code in
:mod:`cxkb.evaluate` sees nothing else, so every system is scored by the same rules.

Systems:

* ``cxkb_system``: the full pipeline: hybrid search, plus ``KnowledgeBase.ask`` when it exists
  (until then the answer is the top hit's text, cited to the top hit's report, never abstaining).
* ``keyword_peer`` / ``dense_peer``: the same cxkb index ranked by BM25 only or by embeddings only.
* ``llamaindex_peer``: what a llama-index user gets by default: the raw corpus files as
  ``Document``s, ``VectorStoreIndex`` with its default ``SentenceSplitter``, the same e5 model
  through ``HuggingFaceEmbedding``, ``as_retriever(similarity_top_k=10)``. Kept in memory only.

Peers answer with their top passage and never abstain.
"""

from __future__ import annotations

import contextlib
import io
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from .kb import KnowledgeBase
from .models import Hit

DEPTH = 10  # passages kept per question: MRR@10 needs ten


@dataclass(frozen=True)
class Passage:
    report_id: str
    text: str
    page: int | None = None  # where a citation says the text starts, when the system says


@dataclass(frozen=True)
class Response:
    passages: tuple[Passage, ...]  # ranked, best first
    answer: str
    answerable: bool  # False: the system abstained
    citations: tuple[Passage, ...]  # each: the cited report and the text that should hold the support
    search_s: float
    ask_s: float | None = None  # None when the system has no separate answer step


@dataclass(frozen=True)
class System:
    name: str
    run: Callable[[str], Response]
    note: str = ""  # how it answers, shown in the report
    units: tuple[Passage, ...] = ()  # every passage it can return: a support in none of them is out of reach


def _passages(hits: list[Hit]) -> tuple[Passage, ...]:
    return tuple(Passage(h.chunk.report_id, h.chunk.text) for h in hits)


def _top_passage_answer(passages: tuple[Passage, ...], search_s: float) -> Response:
    """The peers' answer: the top passage, cited to its report; they never abstain."""
    top = passages[:1]
    return Response(passages, top[0].text if top else "", True, top, search_s)


def _timed(fn: Callable[[], object]) -> tuple[object, float]:
    started = time.perf_counter()
    value = fn()
    return value, time.perf_counter() - started


# --- cxkb and its single-retriever variants ---------------------------------------------------


def has_ask(kb: KnowledgeBase) -> bool:
    return callable(getattr(kb, "ask", None))


def _citation_context(kb: KnowledgeBase, report_id: str, start: int, end: int) -> str:
    """The chunks of ``report_id`` that overlap the cited span, joined: the span's surrounding text."""
    around = [c for c in kb.chunks(report_id) if c.start < end and c.end > start]
    if not around:
        return ""
    report = kb.report(report_id)
    return report.text[min(c.start for c in around) : max(c.end for c in around)]


def _units(kb: KnowledgeBase) -> tuple[Passage, ...]:
    return tuple(Passage(c.report_id, c.text) for c in kb.chunks())


def cxkb_system(kb: KnowledgeBase) -> System:
    ask = has_ask(kb)

    def run(question: str) -> Response:
        hits, search_s = _timed(lambda: kb.search(question, k=DEPTH))
        passages = _passages(hits)  # type: ignore[arg-type]
        if not ask:
            return _top_passage_answer(passages, search_s)
        answer, ask_s = _timed(lambda: kb.ask(question))  # type: ignore[attr-defined]
        citations = []
        for c in answer.citations:  # type: ignore[attr-defined]
            citations.append(Passage(c.report_id, c.quote, c.page))
            citations.append(Passage(c.report_id, _citation_context(kb, c.report_id, c.start, c.end), c.page))
        return Response(
            passages,
            answer.answer,  # type: ignore[attr-defined]
            bool(answer.answerable),  # type: ignore[attr-defined]
            tuple(citations),
            search_s,
            ask_s,
        )

    note = (
        f"{kb.settings.fusion} fusion (keyword weight {kb.settings.keyword_weight}); answers from `KnowledgeBase.ask`"
        if ask
        else f"{kb.settings.fusion} fusion (keyword weight {kb.settings.keyword_weight}); "
        "no `ask` yet: answer = top hit's text, never abstains"
    )
    return System("cxkb", run, note, _units(kb))


def _fusion_peer(kb: KnowledgeBase, fusion: str, name: str, note: str) -> System:
    def run(question: str) -> Response:
        hits, search_s = _timed(lambda: kb.search(question, k=DEPTH, fusion=fusion))
        return _top_passage_answer(_passages(hits), search_s)  # type: ignore[arg-type]

    return System(name, run, note, _units(kb))


def keyword_peer(kb: KnowledgeBase) -> System:
    return _fusion_peer(kb, "keyword", "keyword", "cxkb index, BM25 only (jieba tokens)")


def dense_peer(kb: KnowledgeBase) -> System:
    return _fusion_peer(kb, "dense", "dense", "cxkb index, embeddings only")


# --- llama-index, used the default way ------------------------------------------------------


def local_model_folder(model: str) -> Path | None:
    """A sentence-transformers folder for ``model`` without touching the hub, or None."""
    from .settings import DEFAULT_MODEL

    if model == DEFAULT_MODEL:
        from .e5model import install

        return install(progress=False)
    path = Path(model).expanduser()
    return path if (path / "modules.json").is_file() else None


def llamaindex_peer(corpus: Path, model_folder: Path) -> System:
    """Raw corpus files -> default ``VectorStoreIndex`` -> top-10 retriever, all in memory."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    from llama_index.core import Document, VectorStoreIndex
    from llama_index.core import Settings as LlamaSettings
    from llama_index.embeddings.huggingface import HuggingFaceEmbedding

    from .index import corpus_files

    with contextlib.redirect_stdout(io.StringIO()):  # it prints "LLM is explicitly disabled" to stdout
        LlamaSettings.llm = None  # no OpenAI default anywhere
    embed = HuggingFaceEmbedding(
        model_name=str(model_folder), query_instruction="query: ", text_instruction="passage: ", device="cpu"
    )
    docs = [
        Document(text=path.read_text(encoding="utf-8", errors="replace"), metadata={"file_name": path.name})
        for path in corpus_files(corpus)
    ]
    index = VectorStoreIndex.from_documents(docs, embed_model=embed)
    retriever = index.as_retriever(similarity_top_k=DEPTH)

    def run(question: str) -> Response:
        nodes, search_s = _timed(lambda: retriever.retrieve(question))
        passages = tuple(
            Passage(Path(n.node.metadata.get("file_name", "")).stem, n.node.get_content())
            for n in nodes  # type: ignore[attr-defined]
        )
        return _top_passage_answer(passages, search_s)

    nodes = tuple(
        Passage(Path(n.metadata.get("file_name", "")).stem, n.get_content()) for n in index.docstore.docs.values()
    )
    note = f"raw files, default SentenceSplitter ({len(nodes)} nodes), same e5 model, in memory"
    return System("llama-index", run, note, nodes)
