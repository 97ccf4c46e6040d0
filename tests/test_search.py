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
