"""The llama-index retriever over a knowledge base, offline with MockLLM."""

from __future__ import annotations

import pytest

pytest.importorskip("llama_index.core")

from llama_index.core.llms import MockLLM
from llama_index.core.query_engine import RetrieverQueryEngine
from llama_index.core.schema import MetadataMode, NodeWithScore, TextNode

from cxkb.kb import KnowledgeBase
from cxkb.llama import CxkbRetriever, as_query_engine
from cxkb.settings import Settings

QUESTION = "有核心客户体验指标的组织占多少？"


@pytest.fixture
def kb(tiny_index: Settings) -> KnowledgeBase:
    return KnowledgeBase.open(tiny_index.index, tiny_index)


def test_retriever_nodes_carry_citation_data(kb: KnowledgeBase):
    nodes = CxkbRetriever(kb, k=3).retrieve(QUESTION)
    hits = kb.search(QUESTION, 3)
    assert len(nodes) == len(hits) == 3
    for node, hit in zip(nodes, hits, strict=True):
        assert isinstance(node, NodeWithScore) and isinstance(node.node, TextNode)
        assert node.node.id_ == hit.chunk.id and node.node.text == hit.chunk.text
        assert node.score == pytest.approx(hit.score)
        md = node.node.metadata
        assert md["report_id"] == hit.chunk.report_id and md["source"] == hit.source
        assert (md["start"], md["end"], md["page"], md["heading"]) == (
            hit.chunk.start,
            hit.chunk.end,
            hit.chunk.page,
            hit.chunk.heading,
        )
        assert (md["title"], md["publisher"], md["date"]) == (hit.meta.title, hit.meta.publisher, hit.meta.date)
        assert kb.report(md["report_id"]).text[md["start"] : md["end"]] == node.node.text
    top = nodes[0].node
    assert "87%" in top.text and top.metadata["publisher"] == "Qualtrics"
    shown = top.get_content(metadata_mode=MetadataMode.LLM)
    assert "Qualtrics" in shown and "start" not in shown


def test_retriever_filters(kb: KnowledgeBase):
    nodes = CxkbRetriever(kb, k=5, publisher="Walker").retrieve("客户体验")
    assert nodes and {n.node.metadata["report_id"] for n in nodes} == {"walker"}
    nodes = CxkbRetriever(kb, k=5, reports="qualtrics").retrieve("客户体验")
    assert nodes and {n.node.metadata["report_id"] for n in nodes} == {"qualtrics"}
    with pytest.raises(TypeError):
        CxkbRetriever(kb, k=5, author="x")


def test_query_engine_with_mock_llm(kb: KnowledgeBase):
    engine = RetrieverQueryEngine.from_args(CxkbRetriever(kb), llm=MockLLM())
    response = engine.query(QUESTION)
    assert response.source_nodes and response.source_nodes[0].node.metadata["report_id"] == "qualtrics"
    assert "87%" in str(response)  # MockLLM echoes its prompt, which holds the retrieved text


def test_as_query_engine(kb: KnowledgeBase):
    response = as_query_engine(kb, llm=MockLLM(), k=2).query(QUESTION)
    assert len(response.source_nodes) == 2
