"""cxkb: a Chinese-first knowledge base and cited Q&A over customer-experience research reports.

Pipeline, one module per stage in data-flow order::

    readers/ (one per format) -> document -> clean -> ingest -> normalize -> segment -> chunk
        -> embed -> index -> question -> fusion/search -> qualifiers/answerable/answer -> generate (LLM)

``from cxkb import KnowledgeBase; kb = KnowledgeBase.open("indexes/default"); kb.search("...")``
"""

__version__ = "0.1.0"

from .errors import CxkbError
from .models import Answer, Chunk, Citation, Hit, Meta, Report


def __getattr__(name: str):
    # Lazy: importing cxkb must stay cheap (no jieba, faiss or torch until used).
    if name == "KnowledgeBase":
        from .kb import KnowledgeBase

        return KnowledgeBase
    raise AttributeError(name)


__all__ = ["Answer", "Chunk", "Citation", "CxkbError", "Hit", "KnowledgeBase", "Meta", "Report", "__version__"]
