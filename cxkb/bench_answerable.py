"""Labelled (question, sentence) pairs for the answerability model, from DRCD and CMRC 2018.

``cxkb bench answerable [--fit]``. Paragraphs of a SQuAD-style split become reports, indexed with the
normal build; each question is asked three ways through the normal answer pipeline and every judged
candidate sentence becomes a pair:

- **as written**: a candidate is answerable when it comes from the question's own paragraph and its
  span holds a gold answer; the other candidates are not;
- **near miss**: the same question with its own paragraph filtered out, so the best remaining sentences
  are similar but cannot answer it;
- **perturbed**: one qualifier of the question changed — a year, a time window, an ordinal or stage, a
  direction word, or the thing asked about (a noun the gold sentence holds, swapped for another noun of
  the corpus that its paragraph never uses). Every candidate is unanswerable.

Nobody labels anything by hand. ``--fit`` fits on DRCD_test + CMRC trial; the measurement is always on
DRCD_dev, which is never fitted on.
"""

from __future__ import annotations

import json
import random
import re
from collections import Counter
from dataclasses import asdict, dataclass
from pathlib import Path

from .normalize import normalize
from .qualifiers import _DIRECTIONS  # the direction words and their opposites
from .settings import Settings

SHARED = Path(__file__).resolve().parent.parent.parent / "shared" / "benchmarks"
FIT_SPLITS = (("drcd", "DRCD_test.json"), ("cmrc", "cmrc2018_trial.json"))
MEASURE_SPLIT = ("drcd", "DRCD_dev.json")
# Where the threshold is set: the lowest threshold at which this share of the fitting questions' abstentions
# are right (the question was a near miss or a perturbation), counting as many unanswerable questions as
# answerable ones. The answer precision 0.9 the issue first asked for is reached on DRCD only at a threshold
# (0.84) where 95% of answerable questions abstain; see README, Answers.
TARGET_PRECISION = 0.8


@dataclass(frozen=True)
class Item:
    question: str
    doc: str  # report id of the paragraph holding the answer
    answers: tuple[str, ...]
    variant: str  # "asked" | "near miss" | "perturbed: <what>"


def write_corpus(split_file: Path, out: Path, prefix: str, paragraphs: int, seed: int = 7) -> list[Item]:
    """A sample of the split's paragraphs as ``<prefix>NNNN.txt`` reports; their questions as asked."""
    data = json.loads(Path(split_file).read_text(encoding="utf-8"))["data"]
    every = [p for article in data for p in article["paragraphs"]]
    chosen = sorted(random.Random(seed).sample(range(len(every)), min(paragraphs, len(every))))
    out.mkdir(parents=True, exist_ok=True)
    items = []
    for n in chosen:
        paragraph = every[n]
        doc = f"{prefix}{n:04d}"
        (out / f"{doc}.txt").write_text(paragraph["context"], encoding="utf-8")
        for qa in paragraph["qas"]:
            answers = tuple(a["text"] for a in qa.get("answers", []) if a["text"].strip())
            if answers:
                items.append(Item(qa["question"], doc, answers, "asked"))
    return items


# --- perturbations ------------------------------------------------------------------------------

_YEAR = re.compile(r"(?<!\d)((?:19|20)\d\d)(?!\d)")
_CN = "一二三四五六七八九十"
_ORDINAL = re.compile(rf"第([{_CN}]|\d+)")
_WINDOW = re.compile(rf"(?<!\d)([{_CN}两]|\d{{1,2}})(年|个月|個月|天|周|週|小时|小時)")
_OPPOSITES = [
    *((a, b) for ones, others in _DIRECTIONS for a in ones[:1] for b in others[:1]),
    ("最高", "最低"),
    ("最大", "最小"),
    ("最多", "最少"),
    ("最早", "最晚"),
    ("之前", "之后"),
    ("以前", "以后"),
    ("东", "西"),
    ("南", "北"),
    ("上游", "下游"),
    ("男", "女"),
]


def _other_number(token: str, rng: random.Random) -> str:
    if token.isdigit():
        return str(int(token) + rng.choice((-2, -1, 1, 2, 3)) if int(token) > 3 else int(token) + rng.randint(1, 4))
    i = _CN.find(token) if token in _CN else 1
    return _CN[(i + rng.randint(1, 4)) % 9]


def perturb(question: str, paragraph: str, nouns: list[str], rng: random.Random) -> tuple[str, str] | None:
    """One changed qualifier of ``question`` that ``paragraph`` does not state, with what was changed."""
    para = normalize(paragraph)
    options = []
    for m in _YEAR.finditer(question):
        new = str(int(m.group(1)) + rng.choice((-3, -2, -1, 1, 2, 3)))
        if new not in para:
            options.append(("year", question[: m.start(1)] + new + question[m.end(1) :]))
    for pattern, what in ((_ORDINAL, "stage"), (_WINDOW, "window")):
        for m in pattern.finditer(question):
            new = _other_number(m.group(1), rng)
            changed = question[: m.start(1)] + new + question[m.end(1) :]
            if normalize(changed[m.start() : m.start() + len(m.group(0)) + 2]) not in para:
                options.append((what, changed))
    norm_q = normalize(question)
    for a, b in _OPPOSITES:
        for this, that in ((a, b), (b, a)):
            if this in norm_q and that not in norm_q:
                at = norm_q.index(this)
                options.append(("direction", question[:at] + that + question[at + len(this) :]))
    thing = _swap_thing(question, para, nouns, rng)
    if thing:
        options.append(("thing", thing))
    if not options:
        return None
    what, changed = rng.choice(options)
    return f"perturbed: {what}", changed


def _swap_thing(question: str, para: str, nouns: list[str], rng: random.Random) -> str | None:
    """The question with one of its nouns that the paragraph states replaced by a noun it never uses."""
    from .segment import _tagger

    norm_q = normalize(question)
    mine = [p.word for p in _tagger().lcut(norm_q) if p.flag.startswith("n") and len(p.word) >= 2 and p.word in para]
    if not mine:
        return None
    word = rng.choice(mine)
    pool = [n for n in nouns if len(n) == len(word) and n not in para and n not in norm_q]
    if not pool:
        return None
    at = norm_q.index(word)
    return question[:at] + rng.choice(pool) + question[at + len(word) :]


def corpus_nouns(folder: Path, limit: int = 3000) -> list[str]:
    """The corpus's common nouns of two or more characters, for the thing-swap perturbation."""
    from .segment import _tagger

    counts: Counter[str] = Counter()
    for path in sorted(folder.glob("*.txt")):
        for p in _tagger().lcut(normalize(path.read_text(encoding="utf-8"))):
            if p.flag == "n" and len(p.word) >= 2:
                counts[p.word] += 1
    return [w for w, c in counts.most_common(limit) if c >= 2]


def variants(items: list[Item], folder: Path, seed: int = 11) -> list[Item]:
    """Each question as asked, as a near miss, and (where one of its qualifiers can change) perturbed."""
    rng = random.Random(seed)
    nouns = corpus_nouns(folder)
    out = []
    for item in items:
        out.append(item)
        out.append(Item(item.question, item.doc, item.answers, "near miss"))
        paragraph = (folder / f"{item.doc}.txt").read_text(encoding="utf-8")
        changed = perturb(item.question, paragraph, nouns, rng)
        if changed:
            out.append(Item(changed[1], item.doc, item.answers, changed[0]))
    return out


# --- pairs ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Pair:
    item: Item
    features: dict[str, float]
    label: int
    ruled_out: bool  # a rule outside the score rules this candidate out (see answer.why_not)
    unknown: bool  # the question names something the corpus never mentions


def pairs(index_path: Path, items: list[Item], settings: Settings) -> list[Pair]:
    """Every judged candidate of every item, labelled."""
    from tqdm import tqdm

    from .answer import candidates
    from .index import open_index
    from .question import parse
    from .search import Filters

    index = open_index(index_path)
    settings = settings.replace(model=index.model)
    everyone = tuple(index.reports)
    out = []
    for item in tqdm(items, desc="pairs", unit="question", mininterval=2.0):
        q = parse(normalize(item.question))
        filters = Filters(reports=tuple(r for r in everyone if r != item.doc)) if item.variant == "near miss" else None
        found = candidates(index, q, settings, filters=filters)
        judged, unknown = found.judged, found.unknown
        gold = [normalize(a) for a in item.answers]
        for j in judged:
            report = j.scored.hit.chunk.report_id
            span = normalize(index.reports[report].text[j.span[0] : j.span[1]])
            label = int(item.variant == "asked" and report == item.doc and any(g in span for g in gold))
            out.append(Pair(item, j.features, label, j.rule is not None, bool(unknown)))
    return out


def save_pairs(rows: list[Pair], path: Path) -> None:
    """The pairs as JSON lines, so a refit with other settings need not ask every question again."""
    with path.open("w", encoding="utf-8") as f:
        for r in rows:
            f.write(json.dumps({**asdict(r), "item": asdict(r.item)}, ensure_ascii=False) + "\n")


def load_pairs(path: Path) -> list[Pair]:
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        raw = json.loads(line)
        item = raw.pop("item")
        rows.append(Pair(Item(**{**item, "answers": tuple(item["answers"])}), **raw))
    return rows


# --- measuring -----------------------------------------------------------------------------------


def question_outcomes(rows: list[Pair], probability, threshold: float) -> dict[str, float]:
    """Answer-level figures: each question variant answers with its best candidate no rule rules out when
    that scores at least ``threshold`` (as ``cxkb ask`` does). ``answer_precision`` counts the unanswerable variants
    with the weight that makes them as many as the questions asked."""
    by: dict[tuple[str, str, str], list[Pair]] = {}
    for r in rows:
        by.setdefault((r.item.question, r.item.doc, r.item.variant), []).append(r)
    asked = sum(v == "asked" for _, _, v in by)
    weight = asked / max(1, len(by) - asked)
    answered = correct = right_abstentions = abstentions = 0.0
    asked_right = unanswerable = abstained = 0
    for (_, _, variant), group in by.items():
        top = min(group, key=lambda r: (r.ruled_out, -probability(r.features)))
        says = probability(top.features) >= threshold and not top.ruled_out and not top.unknown
        if variant != "asked":
            unanswerable += 1
            abstained += not says
        if not says:
            abstentions += 1.0 if variant == "asked" else weight
            right_abstentions += 0.0 if variant == "asked" else weight
        if says:
            right = top.label == 1
            answered += 1.0 if variant == "asked" else weight
            correct += right
            asked_right += right
    return {
        "answer_precision": correct / answered if answered else 0.0,
        "answer_recall": asked_right / asked if asked else 0.0,
        "abstain_recall": abstained / unanswerable if unanswerable else 0.0,
        "abstain_precision": right_abstentions / abstentions if abstentions else 0.0,
        "questions": asked,
        "unanswerable": unanswerable,
    }


def pair_outcomes(rows: list[Pair], probability, threshold: float) -> dict[str, float]:
    """Pair-level precision and recall of "answerable" at ``threshold``, and the ROC AUC (scikit-learn)."""
    from sklearn.metrics import roc_auc_score

    scores = [probability(r.features) for r in rows]
    labels = [r.label for r in rows]
    predicted = [s >= threshold for s in scores]
    tp = sum(p and y for p, y in zip(predicted, labels, strict=True))
    return {
        "pairs": len(rows),
        "answerable_pairs": sum(labels),
        "precision": tp / max(1, sum(predicted)),
        "recall": tp / max(1, sum(labels)),
        "roc_auc": float(roc_auc_score(labels, scores)) if 0 < sum(labels) < len(labels) else float("nan"),
    }


def choose_threshold(rows: list[Pair], probability, target: float = TARGET_PRECISION) -> float:
    """The lowest threshold whose abstentions reach ``target`` precision on ``rows``' questions."""
    for t in [i / 200 for i in range(1, 200)]:
        if question_outcomes(rows, probability, t)["abstain_precision"] >= target:
            return t
    return 0.995


def to_markdown(result: dict) -> str:
    m, p, q = result["measure"], result["measure"]["pairs"], result["measure"]["questions"]
    lines = [
        f"Answerability on {m['split']}: {m['paragraphs']} paragraphs as reports, {q['questions']} questions as "
        f"asked plus {q['unanswerable']} near misses and perturbations (never fitted on). Model fitted on "
        f"{', '.join(result['fit']['splits'])} ({result['fit']['pairs']} pairs). Threshold "
        f"{result['threshold']:.3f}, the lowest at which {result['target_precision']:.0%} of the fitting questions' "
        "abstentions are right (as many unanswerable questions counted as answerable ones).",
        "",
        "| pairs | answerable pairs | ROC AUC | precision @ threshold | recall @ threshold |",
        "|---|---|---|---|---|",
        f"| {p['pairs']} | {p['answerable_pairs']} | {p['roc_auc']:.3f} | {p['precision']:.3f} | {p['recall']:.3f} |",
        "",
        "| questions | answer precision | answered correctly (of those asked) | abstention precision "
        "| abstained (of unanswerable) |",
        "|---|---|---|---|---|",
        f"| {q['questions']} + {q['unanswerable']} | {q['answer_precision']:.3f} | {q['answer_recall']:.3f} "
        f"| {q['abstain_precision']:.3f} | {q['abstain_recall']:.3f} |",
        "",
        "| feature | coefficient (standardised) |",
        "|---|---|",
        *(f"| {name} | {c:+.3f} |" for name, c in result["coefficients"].items()),
    ]
    return "\n".join(lines) + "\n"
