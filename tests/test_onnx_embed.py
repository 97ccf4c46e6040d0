"""The ONNX path of the default model: same vectors as sentence-transformers within tolerance, no torch import."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from cxkb import onnx_embed
from cxkb.embed import EMBED_TOLERANCE, PROBE_TEXTS, HashEmbedder, agreement, get_embedder
from cxkb.errors import IndexIncompatibleError
from cxkb.index import MANIFEST, build_index, open_index
from cxkb.search import check_backend
from cxkb.settings import DEFAULT_MODEL, Settings

ROOT = Path(__file__).resolve().parents[1]
TEXTS = [
    "87% 的受访者表示他们的组织有一个核心的客户体验指标，但只有 23% 能把它与营收挂钩。",
    "客戶體驗是一個首要任務，超過三分之二的企業計劃在 2024 年增加 CX 預算。",
    "数据来源：Forrester《2024 年中国客户体验指数》，样本量 N=4,500。",
    "Net Promoter Score among B2B companies rose to 42 in 2024.",
    "短",
    "客户体验" * 300,  # truncated at max_seq_length, as sentence-transformers does
]


def test_auto_picks_onnx_for_queries_and_the_cpu_s_fastest_float_path_for_builds(monkeypatch: pytest.MonkeyPatch):
    assert onnx_embed.resolve("auto", "query") == "onnx"
    monkeypatch.setattr(onnx_embed, "cpu_flags", lambda: {"avx2", "amx_bf16"})
    assert onnx_embed.resolve("auto", "build") == "torch-bf16"
    monkeypatch.setattr(onnx_embed, "cpu_flags", lambda: {"avx2"})
    assert onnx_embed.resolve("auto", "build") == "torch"
    assert onnx_embed.resolve("onnx-int8", "query") == onnx_embed.resolve("onnx-int8", "build") == "onnx-int8"


@pytest.mark.slow
@pytest.mark.parametrize(("backend", "floor"), [("onnx", 0.9995), ("onnx-int8", 0.95), ("torch-bf16", 0.999)])
def test_vectors_agree_with_sentence_transformers_float32(backend: str, floor: float):
    reference = get_embedder(DEFAULT_MODEL, backend="torch")
    other = get_embedder(DEFAULT_MODEL, backend=backend)
    assert other.backend == backend and other.dim == reference.dim
    for embed in ("embed_passages", "embed_queries"):
        a, b = getattr(other, embed)(TEXTS), getattr(reference, embed)(TEXTS)
        assert np.allclose(np.linalg.norm(a, axis=1), 1.0, atol=1e-4)
        cosines = (a * b).sum(axis=1)
        assert cosines.min() >= floor, (embed, cosines)
    # The index check: the float paths pass the tolerance, all-int8 does not (it needs its own index).
    assert (agreement(other, reference.embed_passages(list(PROBE_TEXTS))) >= EMBED_TOLERANCE) == (
        backend != "onnx-int8"
    )


@pytest.mark.slow
def test_the_query_path_imports_neither_torch_nor_sentence_transformers():
    code = (
        "import sys; from cxkb.embed import get_embedder; from cxkb.settings import DEFAULT_MODEL; "
        "e = get_embedder(DEFAULT_MODEL); e.embed_queries(['客户体验']); "
        "print(e.backend, 'torch' in sys.modules, 'sentence_transformers' in sys.modules, 'transformers' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT).stdout
    backend, *imported = out.split()
    assert backend == "onnx" and imported == ["False", "False", "False"], out


def test_a_query_path_that_disagrees_with_the_index_is_refused(tiny_settings: Settings):
    build_index(tiny_settings)
    index = open_index(tiny_settings.index)
    embedder = HashEmbedder(64)
    check_backend(index, embedder)  # the same backend: nothing to compare
    manifest_path = Path(tiny_settings.index) / MANIFEST
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    assert manifest["model"]["backend"] == "hash" and len(manifest["model"]["probe"]) == 4

    manifest["model"]["backend"] = "onnx-int8"  # as if built elsewhere: its probe vectors still agree
    manifest_path.write_text(json.dumps(manifest), encoding="utf-8")
    check_backend(open_index(tiny_settings.index), embedder)

    rng = np.random.default_rng(0)
    other = rng.normal(size=(4, 64))
    manifest["model"]["probe"] = (other / np.linalg.norm(other, axis=1, keepdims=True)).tolist()
    manifest_path.write_text(json.dumps(manifest), encoding="utf-8")
    with pytest.raises(IndexIncompatibleError, match="embed_backend"):
        check_backend(open_index(tiny_settings.index), embedder)


ODD_TEXTS = [
    "",
    "ấ",  # the lowest-scoring piece
    "x\u0001y\t\n  double  spaces  ",
    "\u3000全角　空格 ａｂｃ１２３ ﬁ ½",
    "emoji 😀🙂 mixed 中文 𠀀𪚥 Ελληνικά русский عربى हिन्दी",
    "<s>added tokens</s> a<mask>b",
]


@pytest.mark.slow
def test_the_piece_tokenizer_gives_the_full_tokenizer_s_ids_and_rebuilds_its_table():
    from tokenizers import Tokenizer

    from cxkb.e5model import install
    from cxkb.lookup import cache_path

    path = install(progress=False) / "tokenizer.json"
    full = Tokenizer.from_file(str(path))
    full.enable_truncation(max_length=510)
    full.no_padding()
    texts = [p + t for t in TEXTS + ODD_TEXTS + list(PROBE_TEXTS) for p in ("", "query: ", "passage: ")]
    pieces = onnx_embed.PieceTokenizer(path, 510)
    assert [pieces.encode_batch([t])[0] for t in texts] == [e.ids for e in full.encode_batch(texts)]
    assert pieces.encode_batch(texts[:4]) == [e.ids for e in full.encode_batch(texts[:4])]  # one batch
    assert pieces.token_to_id("<pad>") == full.token_to_id("<pad>") and pieces.token_to_id("no such piece") is None

    table = next(cache_path("x").parent.glob("pieces-*.table"))
    table.write_bytes(table.read_bytes()[:-100])  # corrupt: rebuilt on the next load
    again = onnx_embed.PieceTokenizer(path, 510)
    assert again.encode_batch(TEXTS[:3]) == [e.ids for e in full.encode_batch(TEXTS[:3])]


@pytest.mark.slow
def test_the_optimised_copy_computes_the_source_model_s_vectors_and_is_rewritten_when_damaged():
    import onnxruntime as ort

    from cxkb.e5model import install

    path = onnx_embed.onnx_path(install(progress=False), "emb8")
    ids = np.array([[0, 6, 3547, 2, 1], [0, 9, 87, 1052, 2]], np.int64)
    feed = {"input_ids": ids, "attention_mask": (ids != 1).astype(np.int64)}
    source = ort.InferenceSession(str(path), onnx_embed._options(ort, 1), providers=["CPUExecutionProvider"])
    reference = source.run(None, feed)[0]
    folder = onnx_embed._optimised_folder(ort, path)
    damages = {  # what happens to the copy, and whether the session then loads from it
        "missing": (lambda: shutil.rmtree(folder, ignore_errors=True), False),
        "kept": (lambda: None, True),
        "truncated weights": (lambda: (folder / "model.data").write_bytes(b"\0" * 100), False),
        "no record": (lambda: (folder / "record.json").unlink(), False),
    }
    for what, (damage, from_copy) in damages.items():
        damage()
        session = onnx_embed._session(ort, path, 1)
        assert np.array_equal(session.run(None, feed)[0], reference), what
        assert onnx_embed._intact(folder), what  # written again where it was missing or damaged
        assert session._model_path == str(folder / "model.onnx" if from_copy else path), what
