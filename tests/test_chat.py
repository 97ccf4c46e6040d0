"""Conversations over the tiny corpus: follow-ups answered from the last turn's report, open questions
answered with the passages that discuss them, and the CLI's chat and Markdown answers."""

from __future__ import annotations

from click.testing import CliRunner

from cxkb.answer import discussion_intro, unsupported_numbers
from cxkb.chat import reply
from cxkb.cli import main
from cxkb.kb import KnowledgeBase
from cxkb.settings import Settings


def test_a_follow_up_is_rewritten_and_looked_for_in_the_last_report(tiny_index: Settings):
    kb = KnowledgeBase.open(tiny_index.index, tiny_index)
    first = reply(kb, "有核心客户体验指标的组织占多少？")
    assert first.answer.answerable and first.turn.report_id == "qualtrics"
    second = reply(kb, "那 NPS 呢？", first.turn)
    assert second.understood.rewritten and second.understood.report_id == "qualtrics"
    assert "有核心客户体验指标的组织" in second.understood.question
    assert second.answer.answerable and {c.report_id for c in second.answer.citations} == {"qualtrics"}
    assert "NPS" in second.answer.answer
    typed = reply(kb, "那 NPS 呢？", first.turn, as_typed=True)
    assert not typed.understood.rewritten and typed.answer.question == "那 NPS 呢？"
    # The words the rewrite brought in are the question's context; what was typed is not.
    context = second.turn.question.context
    assert context and "nps" not in context and context <= set(second.turn.question.tokens)
    assert not first.turn.question.context and not typed.turn.question.context
    # The spans the last answer quoted travel with the follow-up, which weighs them differently (cxkb.answer).
    assert first.turn.quoted == tuple((c.report_id, c.start, c.end) for c in first.answer.citations)
    assert second.turn.question.last_quoted == first.turn.quoted and not first.turn.question.last_quoted


def test_with_an_llm_a_follow_up_is_condensed_by_it_and_by_the_rules_when_it_fails(tiny_index: Settings, monkeypatch):
    from test_generate import ScriptedLLM

    from cxkb import generate

    first = reply(KnowledgeBase.open(tiny_index.index, tiny_index), "有核心客户体验指标的组织占多少？")
    assert first.turn.answer and first.understood.by == "rules"
    settings = tiny_index.replace(llm={"provider": "openai", "model": "fake", "timeout": 5})
    kb = KnowledgeBase.open(settings.index, settings)
    condensed = "Qualtrics 报告中，使用 NPS 作为核心指标的组织占多少？"
    fake = ScriptedLLM(reply=lambda prompt: condensed if "<Follow Up Message>" in prompt else generate.NOT_IN_CORPUS)
    monkeypatch.setattr(generate, "make_llm", lambda settings: fake)
    second = reply(kb, "那 NPS 呢？", first.turn)
    assert second.understood.by == "llm" and second.understood.question == condensed
    prompt = fake.prompts[0]  # llama-index's condense-question prompt, with the conversation so far
    assert "有核心客户体验指标的组织占多少？" in prompt and first.turn.answer[:20] in prompt and "那 NPS 呢？" in prompt
    for broken in (ScriptedLLM(error="connection refused"), ScriptedLLM(reply="好的。\n问题一？\n问题二？")):
        fallback = reply(kb, "那 NPS 呢？", first.turn, llm=broken)
        assert fallback.understood.by == "rules" and "有核心客户体验指标的组织" in fallback.understood.question
    opening = reply(kb, "有核心客户体验指标的组织占多少？", llm=fake)
    assert opening.understood.by == "rules" and not opening.understood.rewritten  # a first question is left alone


def test_an_open_question_gets_the_passages_that_discuss_it(tiny_index: Settings):
    kb = KnowledgeBase.open(tiny_index.index, tiny_index)
    ans = kb.ask("企业应该如何提升客户体验技能和能力？")
    assert ans.answerable and ans.answer.startswith(discussion_intro("simplified"))
    assert ans.citations and all(f"[{c.n}]" in ans.answer for c in ans.citations)
    assert not unsupported_numbers(ans.answer, [c.quote for c in ans.citations])  # no list numbering either
    factoid = kb.ask("有核心客户体验指标的组织占多少？")
    assert not factoid.answer.startswith(discussion_intro("simplified"))


def test_ask_markdown_and_chat_cli(tiny_index: Settings, tmp_path):
    config = tmp_path / "cxkb.toml"
    config.write_text("answerable_threshold = 0.0\n")  # the hash embedder is no judge (see tiny_settings)
    base = ["--config", str(config)]
    out = CliRunner().invoke(
        main,
        [*base, "ask", "有核心客户体验指标的组织占多少？", "--index", str(tiny_index.index), "--format", "markdown"],
    )
    assert out.exit_code == 0, out.output
    assert "87%" in out.output and "References:" in out.output and "?report=qualtrics&start=" in out.output
    export = tmp_path / "conversation.md"
    out = CliRunner().invoke(
        main,
        [*base, "chat", "--index", str(tiny_index.index)],
        input=f"有核心客户体验指标的组织占多少？\n那 NPS 呢？\n/export {export}\n/quit\n",
    )
    assert out.exit_code == 0, out.output
    assert "理解为 / understood as:" in out.output
    saved = export.read_text(encoding="utf-8")
    assert saved.count("**Q:**") == 2 and "那 NPS 呢？" in saved and "References:" in saved


def test_a_chat_question_is_checked_before_it_is_read(tiny_index: Settings):
    import pytest

    from cxkb.errors import InputError

    kb = KnowledgeBase.open(tiny_index.index, tiny_index)
    for bad in ("", "   ", "问" * (tiny_index.max_question_chars + 1)):
        with pytest.raises(InputError):
            reply(kb, bad)
