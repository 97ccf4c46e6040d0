from cxkb.normalize import normalize


def test_traditional_to_simplified_and_width_and_case():
    assert normalize("客戶體驗ＮＰＳ　８７％") == "客户体验nps 87%"


def test_length_preserved_for_offsets():
    for text in ["體驗(yàn)", "㈠ 全角：ＡＢＣ", "İstanbul ½ 客戶", "淨推廣得分(NPS)"]:
        assert len(normalize(text)) == len(text)


def test_same_function_for_question_and_report():
    assert normalize("有核心客戶體驗指標的組織佔多少？") == normalize("有核心客户体验指标的组织占多少?")
