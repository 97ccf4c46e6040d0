from pathlib import Path

from cxkb.normalize import normalize


def test_traditional_to_simplified_and_width_and_case():
    assert normalize("客戶體驗ＮＰＳ　８７％") == "客户体验nps 87%"


def test_length_preserved_for_offsets():
    for text in ["體驗(yàn)", "㈠ 全角：ＡＢＣ", "İstanbul ½ 客戶", "淨推廣得分(NPS)"]:
        assert len(normalize(text)) == len(text)


def test_same_function_for_question_and_report():
    assert normalize("有核心客戶體驗指標的組織佔多少？") == normalize("有核心客户体验指标的组织占多少?")


def test_fast_conversion_equals_opencc_on_dictionary_mixes():
    """The shortcut (character table where no phrase occurs) must give OpenCC's output exactly,
    including where phrases overlap, nest, sit next to each other or next to plain characters."""
    import random

    from cxkb.normalize import _read_dictionary, _t2s, _t2s_tables, opencc, to_simplified

    assert _t2s_tables() is not None, "opencc's dictionaries were not found: every conversion is slow"
    folder = Path(opencc.__file__).parent / "dictionary"
    phrases = list(_read_dictionary(folder / "TSPhrases.txt"))
    characters = list(_read_dictionary(folder / "TSCharacters.txt"))
    rng = random.Random(5)
    pieces = phrases + characters[::5] + ["，", "a", "1", "的", "我们", " "]
    for _ in range(1500):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(1, 25)))
        assert to_simplified(text) == _t2s().convert(text), text
    for text in ("乾隆皇帝沈默不語，乾杯！", "一目瞭然的著作", "已经是简体的文字", "", "沈船沈默"):
        assert to_simplified(text) == _t2s().convert(text), text
