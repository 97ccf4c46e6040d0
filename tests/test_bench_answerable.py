import json
import random
from pathlib import Path

from cxkb.bench_answerable import Item, choose_threshold, pairs, perturb, question_outcomes, variants, write_corpus
from cxkb.index import build_index
from cxkb.normalize import normalize
from cxkb.settings import Settings

PARAGRAPH = "2019年，华东区门店的会员复购率为百分之四十二，比前一年增加了六个百分点。第三季度的客流量最高。"


def test_a_changed_year_is_one_the_paragraph_never_states():
    rng = random.Random(1)
    for _ in range(20):
        what, changed = perturb("2019年会员复购率是多少？", PARAGRAPH, [], rng)
        assert what == "perturbed: year"
        year = changed[:4]
        assert year != "2019" and year not in PARAGRAPH and changed[4:] == "年会员复购率是多少？"


def test_a_direction_word_is_flipped_and_a_stage_renumbered():
    rng = random.Random(3)
    seen = {perturb("哪个季度的客流量最高？", PARAGRAPH, [], rng) for _ in range(10)}
    assert ("perturbed: direction", "哪个季度的客流量最低？") in seen
    seen = {perturb("第三季度的客流量怎样？", PARAGRAPH, [], rng)[0] for _ in range(10)}
    assert "perturbed: stage" in seen


def test_the_thing_asked_about_is_swapped_for_a_noun_the_paragraph_never_uses():
    rng = random.Random(5)
    what, changed = perturb("门店的会员复购率是多少？", PARAGRAPH, ["油价", "工厂", "球队"], rng)
    assert what == "perturbed: thing"
    assert any(noun in changed for noun in ("工厂", "球队"))  # same length as the swapped word, not in PARAGRAPH


def test_nothing_to_change_gives_no_perturbation():
    assert perturb("它是什么？", PARAGRAPH, [], random.Random(0)) is None


def _split(tmp_path: Path) -> Path:
    data = {
        "data": [
            {
                "paragraphs": [
                    {
                        "context": PARAGRAPH,
                        "qas": [{"question": "华东区门店的会员复购率是多少？", "answers": [{"text": "百分之四十二"}]}],
                    },
                    {
                        "context": "公司在2021年推出了新的客户服务热线，平均等待时间缩短到三分钟。",
                        "qas": [
                            {"question": "客户服务热线的平均等待时间缩短到多久？", "answers": [{"text": "三分钟"}]}
                        ],
                    },
                ]
            }
        ]
    }
    path = tmp_path / "split.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def test_pairs_label_the_gold_sentence_and_nothing_of_a_near_miss(tmp_path: Path):
    corpus, index = tmp_path / "corpus", tmp_path / "index"
    items = write_corpus(_split(tmp_path), corpus, "t", paragraphs=10)
    assert [i.doc for i in items] == ["t0000", "t0001"] and all(i.variant == "asked" for i in items)
    settings = Settings(corpus=corpus, index=index, model="hash:64")
    build_index(settings)
    every = variants(items, corpus)
    assert {i.variant for i in every} >= {"asked", "near miss"}
    rows = pairs(index, every, settings)
    positives = [r for r in rows if r.label]
    assert positives and all(r.item.variant == "asked" for r in positives)
    assert all(any(normalize(a) in normalize(PARAGRAPH) + "三分钟" for a in r.item.answers) for r in positives)
    assert not any(r.label for r in rows if r.item.variant != "asked")
    # Scored by coverage alone: at threshold 0 only the rules abstain; above 1 everything abstains.
    everything = question_outcomes(rows, lambda f: f["coverage"], 0.0)
    assert everything["questions"] == 2 and everything["answer_recall"] > 0
    nothing = question_outcomes(rows, lambda f: f["coverage"], 1.01)
    assert nothing["answer_recall"] == 0 and nothing["abstain_recall"] == 1.0
    assert choose_threshold(rows, lambda f: f["coverage"], target=0.0) == 0.005  # the lowest tried
    assert choose_threshold(rows, lambda f: f["coverage"], target=1.01) == 0.995  # an unreachable target


def test_items_are_questions_with_their_gold_answers():
    item = Item("问题？", "t0000", ("答案",), "asked")
    assert item.answers == ("答案",)
