import pytest

from cxkb.errors import IndexIncompatibleError, InputError
from cxkb.kb import KnowledgeBase
from cxkb.settings import Settings


@pytest.fixture
def kb(tiny_index: Settings) -> KnowledgeBase:
    return KnowledgeBase.open(tiny_index.index, tiny_index)


def test_simplified_question_finds_figure(kb: KnowledgeBase):
    hits = kb.search("有核心客户体验指标的组织占多少？", k=3)
    assert any("87%" in h.chunk.text for h in hits)


def test_traditional_question_finds_simplified_text(kb: KnowledgeBase):
    hits = kb.search("有核心客戶體驗指標的組織佔多少？", k=3)
    assert any("87%" in h.chunk.text for h in hits)


def test_simplified_question_finds_traditional_text(kb: KnowledgeBase):
    hits = kb.search("首席执行官杂志合作收集了多少位 CEO 的反馈", k=3)
    assert hits[0].chunk.report_id == "walker"
    assert "550" in hits[0].chunk.text


@pytest.mark.parametrize("method", ["zscore", "rrf", "keyword", "dense"])
def test_every_fusion_method_returns_hits(kb: KnowledgeBase, method: str):
    hits = kb.search("客户体验专业人员", k=2, fusion=method)
    assert hits and [h.rank for h in hits] == list(range(1, len(hits) + 1))


def test_filters(kb: KnowledgeBase):
    assert {h.chunk.report_id for h in kb.search("CEO 客户体验", k=10, publisher="walker")} == {"walker"}
    assert {h.chunk.report_id for h in kb.search("客户体验", k=10, year=2021)} == {"qualtrics"}
    assert {h.chunk.report_id for h in kb.search("客户体验", k=10, reports=("walker.txt",))} == {"walker"}


def test_hit_json_fields(kb: KnowledgeBase):
    hit = kb.search("NPS", k=1)[0].to_dict()
    for field in ["rank", "score", "report_id", "source", "title", "text", "start", "end"]:
        assert field in hit


@pytest.mark.parametrize("question", ["", "   ", "问" * 501])
def test_bad_questions(kb: KnowledgeBase, question: str):
    with pytest.raises(InputError):
        kb.search(question)


def test_model_mismatch_refused(kb: KnowledgeBase):
    with pytest.raises(IndexIncompatibleError, match="cxkb build"):
        kb.search("客户体验", model="some/other-model")


def test_open_with_another_explicit_model_refused(tiny_index: Settings):
    with pytest.raises(IndexIncompatibleError, match="cxkb build --model"):
        KnowledgeBase.open(tiny_index.index, tiny_index.replace(model="hash:32"))


def test_default_settings_adopt_the_index_model(tiny_index: Settings):
    from cxkb.settings import DEFAULT_MODEL

    kb = KnowledgeBase.open(tiny_index.index, tiny_index.replace(model=DEFAULT_MODEL))
    assert kb.settings.model == "hash:64" and kb.search("客户体验指标")


def test_a_chunk_is_as_close_as_its_sentences_closest_to_the_question(kb: KnowledgeBase):
    import numpy as np

    from cxkb.search import SENTENCES_PER_CHUNK, dense_scores, query_vector

    index, question = kb._index, "有核心客户体验指标的组织占多少？"
    whole = dense_scores(index, question, kb.settings.replace(sentence_weight=0.0))
    qvec = query_vector(index, question, kb.settings)
    assert np.allclose(whole, np.asarray(index.vectors, np.float32) @ qvec, atol=1e-5)
    blended = dense_scores(index, question, kb.settings.replace(sentence_weight=0.5))
    for i, chunk in enumerate(index.chunks):
        ids = index.sentences.within(chunk.report_id, chunk.start, chunk.end)
        closest = np.sort(np.asarray(index.sentence_vectors[ids], np.float32) @ qvec)[::-1][:SENTENCES_PER_CHUNK]
        expected = 0.5 * whole[i] + 0.5 * closest.mean() if ids else whole[i]
        assert blended[i] == pytest.approx(expected, abs=1e-5)
    assert not np.allclose(blended, whole)  # the tiny corpus's chunks hold several sentences each
