"""`cxkb bench chat`'s open-question counts, over the tiny corpus."""

from __future__ import annotations

from cxkb import bench_chat as bc
from cxkb.kb import KnowledgeBase
from cxkb.settings import Settings


def test_a_one_sentence_answer_is_counted_as_pretend_and_not_as_answered_with_passages(tiny_index: Settings):
    kb = KnowledgeBase.open(tiny_index.index, tiny_index)
    rows = [
        {"id": "o1", "question": "企业应该如何提升客户体验技能？", "reports": ["qualtrics"], "topic_terms": ["技能"]},
        {"id": "o2", "question": "有核心客户体验指标的组织占多少？", "reports": ["qualtrics"], "topic_terms": ["指标"]},
    ]
    result = bc.open_questions(kb, rows)
    by_id = {r["id"]: r for r in result["rows"]}
    assert by_id["o2"]["pretend"] and not by_id["o1"]["pretend"] and not by_id["o1"]["abstained"]
    assert result["pretend_answers"] == 1 and result["answered"] == 1 and result["all_passages_on_topic"] <= 1
