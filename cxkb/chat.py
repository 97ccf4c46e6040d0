"""A conversation over the knowledge base: each question is understood in the light of the last one.

:func:`reply` rewrites a follow-up (:mod:`cxkb.followup`), answers it — first within the report the last
answer came from, when the follow-up names no report, organisation or year of its own — and returns the turn
to remember. The CLI's ``cxkb chat`` and the web app keep the turns; nothing here holds state.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from .followup import Turn, Understood, understand
from .generate import condense, llm_configured
from .kb import KnowledgeBase
from .models import Answer
from .normalize import normalize
from .question import parse
from .search import check_question, read_question

__all__ = ["Reply", "reply"]


@dataclass(frozen=True)
class Reply:
    understood: Understood
    answer: Answer
    turn: Turn  # what the next question is understood against


def reply(
    kb: KnowledgeBase, text: str, previous: Turn | None = None, *, as_typed: bool = False, llm: Any = None
) -> Reply:
    """Answer ``text`` in a conversation whose last turn was ``previous``; ``as_typed`` skips the rewrite
    (the chat's "ask it standalone"). The question as understood is checked and parsed once, here. With an
    LLM configured (or ``llm`` given), a follow-up is rewritten by it, the rules being the fallback."""
    typed = parse(check_question(text, kb.settings))
    understood = Understood(typed.text, typed.text, False) if as_typed else understand(typed, previous)
    if understood.rewritten and previous is not None and (llm is not None or llm_configured(kb.settings)):
        condensed = condense(previous.question.text, previous.answer, typed.text, kb.settings, llm=llm)
        if condensed and normalize(condensed) != typed.norm:
            understood = replace(understood, question=condensed, by="llm")
    q = typed
    if understood.rewritten:
        q = read_question(understood.question, kb.settings)
        q = replace(
            q,
            context=frozenset(q.tokens) - frozenset(typed.tokens),
            last_quoted=previous.quoted if previous is not None else (),
        )
    answer = None
    if understood.rewritten and understood.report_id and not understood.names_its_own:
        within = kb.ask(q, reports=(understood.report_id,))
        answer = within if within.answerable else None
    if answer is None:
        answer = kb.ask(q)
    return Reply(understood, answer, Turn.of(q, answer))
