"""llama-index integration: a cxkb knowledge base as a llama-index retriever.

    from llama_index.core.query_engine import RetrieverQueryEngine
    from cxkb.llama import CxkbRetriever

    engine = RetrieverQueryEngine.from_args(CxkbRetriever(kb, k=5, publisher="Qualtrics"), llm=llm)

Each node is one chunk: ``text`` is the chunk text, ``id_`` the chunk id, and ``metadata``
carries what a citation needs (report, source, title, publisher, date, span, page, heading).
Importing this module imports llama-index (seconds); nothing else in cxkb does at import time.
"""

from __future__ import annotations

from typing import Any

from llama_index.core.base.base_retriever import BaseRetriever
from llama_index.core.schema import NodeWithScore, QueryBundle, TextNode

from .kb import KnowledgeBase
from .models import Hit

FILTERS = ("reports", "publisher", "year")
# Shown to the LLM with the text: what lets it name its sources. Offsets and ids are for citing code only.
_NOT_FOR_LLM = ["report_id", "start", "end", "chunk_id", "rank"]


def hit_to_node(hit: Hit) -> NodeWithScore:
    c = hit.chunk
    metadata = {
        "report_id": c.report_id,
        "source": hit.source,
        "title": hit.meta.title,
        "publisher": hit.meta.publisher,
        "date": hit.meta.date,
        "start": c.start,
        "end": c.end,
        "page": c.page,
        "heading": c.heading,
        "chunk_id": c.id,
        "rank": hit.rank,
    }
    node = TextNode(
        id_=c.id,
        text=c.text,
        metadata=metadata,
        excluded_llm_metadata_keys=list(_NOT_FOR_LLM),
        excluded_embed_metadata_keys=list(metadata),
    )
    return NodeWithScore(node=node, score=hit.score)


class CxkbRetriever(BaseRetriever):
    """Hybrid cxkb search behind llama-index's retriever interface.

    ``CxkbRetriever(kb, k=5, reports=("qualtrics",), publisher="Qualtrics", year=2021)``
    """

    def __init__(self, kb: KnowledgeBase, k: int = 5, **filters: Any) -> None:
        unknown = sorted(set(filters) - set(FILTERS))
        if unknown:
            raise TypeError(f"unknown filter(s) {', '.join(unknown)}; known: {', '.join(FILTERS)}")
        if "reports" in filters:
            reports = filters["reports"]
            filters["reports"] = (reports,) if isinstance(reports, str) else tuple(reports)
        self.kb = kb
        self.k = k
        self.filters = filters
        super().__init__()

    def _retrieve(self, query_bundle: QueryBundle) -> list[NodeWithScore]:
        hits = self.kb.search(query_bundle.query_str, self.k, **self.filters)
        return [hit_to_node(h) for h in hits]


def as_query_engine(kb: KnowledgeBase, llm: Any = None, k: int = 5, **filters: Any) -> Any:
    """A ``RetrieverQueryEngine`` over ``kb``; the LLM defaults to the one ``kb.settings.llm`` configures."""
    from llama_index.core.query_engine import RetrieverQueryEngine

    from .generate import make_llm

    return RetrieverQueryEngine.from_args(CxkbRetriever(kb, k, **filters), llm=llm or make_llm(kb.settings))
