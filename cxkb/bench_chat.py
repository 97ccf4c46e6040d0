"""``cxkb bench chat``: follow-up questions and open questions, measured.

**Conversations** (``eval/conversations.jsonl``, written blind to the rewrite code): the first turn is asked,
then the follow-up three ways — as typed with no context (what a one-shot search box does), rewritten from the
first turn (:func:`cxkb.chat.reply`), and written out in full by the set's author (``standalone``). For each:
R@5 (a top-5 passage holds the support) and answer accuracy (an accepted answer occurs in the answer), on the
answerable follow-ups; abstention on the others.

**Open questions** (``eval/open_questions.jsonl``): an answer passes when it is not a one-sentence pretend
answer (it abstains, or it is a discussion of at least two cited passages) and every passage it shows is on
topic, judged mechanically against what the set's author wrote down before the code existed: the passage comes
from a report listed for the question, or its heading or quotes contain one of the question's topic terms.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from .answer import discussion_intro
from .chat import reply
from .evaluate import answer_correct, first_rank, squash
from .followup import Turn
from .kb import KnowledgeBase
from .normalize import normalize
from .question import parse

CONVERSATIONS = Path("eval/conversations.jsonl")
OPEN_QUESTIONS = Path("eval/open_questions.jsonl")
MODES = ("as typed", "rewritten", "standalone")


@dataclass(frozen=True)
class Outcome:
    rank: int | None
    correct: bool
    abstained: bool


def _outcome(kb: KnowledgeBase, question: str, turn: dict, previous: Turn | None, mode: str) -> Outcome:
    if mode == "rewritten":
        result = reply(kb, question, previous)
        asked, answer = result.understood.question, result.answer
    else:
        asked, answer = question, kb.ask(question)
    hits = kb.search(asked, 10)
    rank = first_rank(turn["support"], [h.chunk.text for h in hits]) if turn.get("support") else None
    correct = answer.answerable and answer_correct(turn["answers"], answer.answer)
    return Outcome(rank, bool(correct), not answer.answerable)


def conversations(kb: KnowledgeBase, rows: list[dict]) -> dict:
    """Follow-up R@5, answer accuracy and abstention, per mode, and one line per conversation."""
    per: dict[str, list[tuple[dict, Outcome]]] = {m: [] for m in MODES}
    lines = []
    for row in rows:
        first, second = row["turns"]
        opening = reply(kb, first["question"])
        for mode in MODES:
            asked = second["standalone"] if mode == "standalone" else second["question"]
            per[mode].append((second, _outcome(kb, asked, second, opening.turn, mode)))
        understood = reply(kb, second["question"], opening.turn).understood
        lines.append({"id": row["id"], "lang": row["lang"], "understood": understood.question})
    table = {}
    for mode, pairs in per.items():
        answerable = [o for t, o in pairs if t["answerable"]]
        unanswerable = [o for t, o in pairs if not t["answerable"]]
        table[mode] = {
            "R@5": _share([o.rank is not None and o.rank <= 5 for o in answerable]),
            "answer_accuracy": _share([o.correct for o in answerable]),
            "abstained_unanswerable": _share([o.abstained for o in unanswerable]),
            "abstained_answerable": _share([o.abstained for o in answerable]),
        }
    return {
        "conversations": len(rows),
        "follow_ups_answerable": sum(r["turns"][1]["answerable"] for r in rows),
        "modes": table,
        "rows": lines,
    }


def open_questions(kb: KnowledgeBase, rows: list[dict]) -> dict:
    """How many open questions get no one-sentence pretend answer, and how many show only on-topic passages."""
    results = []
    for row in rows:
        answer = kb.ask(row["question"])
        q = parse(row["question"])
        discussion = answer.answerable and answer.answer.startswith(discussion_intro(q.script))
        pretend = answer.answerable and not discussion
        shown = [(c.report_id, c.title, c.quote) for c in answer.citations]
        terms = [squash(normalize(t)) for t in row["topic_terms"]]
        on_topic = [
            rid in row["reports"] or any(t in squash(normalize(title + quote)) for t in terms)
            for rid, title, quote in shown
        ]
        results.append(
            {
                "id": row["id"],
                "abstained": not answer.answerable,
                "pretend": pretend,
                "passages": len({rid for rid, _, _ in shown}),
                "on_topic": all(on_topic) if on_topic else None,
            }
        )
    answered = [r for r in results if not r["abstained"] and not r["pretend"]]  # answered with passages
    return {
        "questions": len(rows),
        "pretend_answers": sum(r["pretend"] for r in results),
        "abstained": sum(r["abstained"] for r in results),
        "all_passages_on_topic": sum(bool(r["on_topic"]) for r in answered),
        "answered": len(answered),
        "rows": results,
    }


def _share(flags: list[bool]) -> float | None:
    return sum(flags) / len(flags) if flags else None


def load(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def to_markdown(conv: dict, opened: dict) -> str:
    def f(v: float | None) -> str:
        return "—" if v is None else f"{v:.3f}"

    lines = [
        f"# cxkb bench chat: {conv['conversations']} two-turn conversations, {opened['questions']} open questions",
        "",
        "Follow-up turns (R@5 and answer accuracy on the answerable ones; abstention on the others):",
        "",
        "| follow-up asked | R@5 | answer acc. | abstained (unanswerable) | abstained (answerable) |",
        "|---|---|---|---|---|",
    ]
    names = {
        "as typed": "as typed, no context",
        "rewritten": "rewritten from the first turn (cxkb chat)",
        "standalone": "written out in full by the set's author",
    }
    for mode in MODES:
        m = conv["modes"][mode]
        lines.append(
            f"| {names[mode]} | {f(m['R@5'])} | {f(m['answer_accuracy'])} | {f(m['abstained_unanswerable'])} | {f(m['abstained_answerable'])} |"
        )
    lines += [
        "",
        f"Open questions: {opened['pretend_answers']} of {opened['questions']} got a one-sentence pretend answer; "
        f"{opened['abstained']} abstained; of the {opened['answered']} answered with passages, "
        f"{opened['all_passages_on_topic']} showed only on-topic passages (from a report the set lists for the "
        "question, or naming one of its topic terms).",
        "",
        "How each follow-up was understood:",
        "",
    ]
    lines += [f"- {r['id']} ({r['lang']}): {r['understood']}" for r in conv["rows"]]
    return "\n".join(lines) + "\n"
