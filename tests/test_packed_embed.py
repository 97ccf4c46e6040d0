"""Packed (unpadded) embedding: the same vectors as the padded encode, with a fallback when it would not be."""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from cxkb import packed_embed  # noqa: E402
from cxkb.embed import PACKED_TOLERANCE, SentenceTransformerEmbedder, get_embedder  # noqa: E402
from cxkb.settings import DEFAULT_MODEL  # noqa: E402


class _Module:
    """Stands in for a transformers attention module: SDPA reads only ``is_causal`` from it."""

    is_causal = False


def test_packed_attention_equals_masked_attention_over_the_same_texts():
    gen = torch.Generator().manual_seed(0)
    lengths = [5, 3, 7]
    heads, dim = 2, 4
    q, k, v = (torch.randn(1, heads, sum(lengths), dim, generator=gen) for _ in range(3))
    edges = torch.tensor(np.cumsum([0, *lengths]), dtype=torch.int32)
    packed, _ = packed_embed._attention(_Module(), q, k, v, None, cu_seq_lens_q=edges, scaling=dim**-0.5)
    assert packed.shape == (1, sum(lengths), heads, dim)

    # The same texts padded into a batch of three with a key mask, as sentence-transformers runs them.
    longest = max(lengths)
    padded = [torch.zeros(len(lengths), heads, longest, dim) for _ in range(3)]
    mask = torch.zeros(len(lengths), 1, longest, longest, dtype=torch.bool)
    for i, (start, n) in enumerate(zip(edges.tolist()[:-1], lengths, strict=True)):
        for t, src in zip(padded, (q, k, v), strict=True):
            t[i, :, :n] = src[0, :, start : start + n]
        mask[i, :, :, :n] = True
    masked, _ = packed_embed._attention(_Module(), *padded, mask, scaling=dim**-0.5)
    for i, (start, n) in enumerate(zip(edges.tolist()[:-1], lengths, strict=True)):
        assert torch.allclose(packed[0, start : start + n], masked[i, :n], atol=1e-5)


def test_a_call_with_a_mask_is_plain_sdpa_even_when_boundaries_are_given():
    q = k = v = torch.randn(2, 1, 3, 4)
    mask = torch.tensor([[True, True, False]] * 3).expand(2, 1, 3, 3)
    edges = torch.tensor([0, 3], dtype=torch.int32)
    out, _ = packed_embed._attention(_Module(), q, k, v, mask, cu_seq_lens_q=edges)
    expected = torch.nn.functional.scaled_dot_product_attention(q, k, v, attn_mask=mask).transpose(1, 2)
    assert torch.allclose(out, expected)


class Transformer:  # named as sentence-transformers' modules are: PackedEncoder checks the pipeline by name
    pass


class Pooling:
    def __init__(self, config: dict) -> None:
        self.config = config

    def get_config_dict(self) -> dict:
        return self.config


@pytest.mark.parametrize(
    "pooling",
    [
        {"pooling_mode": "cls", "include_prompt": True},
        {"pooling_mode": "mean", "include_prompt": False},
        {"pooling_mode_mean_tokens": True, "pooling_mode_max_tokens": True},
    ],
)
def test_a_pipeline_it_does_not_reproduce_is_refused(pooling: dict):
    with pytest.raises(ValueError, match="pooling"):
        packed_embed.PackedEncoder([Transformer(), Pooling(pooling)])
    with pytest.raises(ValueError, match="modules"):
        packed_embed.PackedEncoder([Transformer(), Pooling(pooling), Pooling(pooling)])


TEXTS = [
    "87% 的受访者表示他们的组织有一个核心的客户体验指标，但只有 23% 能把它与营收挂钩。",
    "短",
    "調查顯示，電話客服的滿意度從 57% 下降到 52%。",
    "Net Promoter Score among B2B companies rose to 42 in 2024.",
    "客户体验" * 300,  # truncated at max_seq_length
    "",
]


@pytest.mark.slow
def test_the_bfloat16_build_path_is_packed_and_matches_the_padded_encode():
    embedder = get_embedder(DEFAULT_MODEL, backend="torch-bf16", batch_size=4)
    assert isinstance(embedder, SentenceTransformerEmbedder)
    assert embedder._packed is not None  # the load-time check passed
    for prompt in (embedder._passage_prompt, embedder._query_prompt):
        packed = embedder._encode(TEXTS, prompt, False)
        saved, embedder._packed = embedder._packed, None
        try:
            padded = embedder._encode(TEXTS, prompt, False)
        finally:
            embedder._packed = saved
        assert packed.shape == padded.shape == (len(TEXTS), embedder.dim)
        assert np.min(np.sum(packed * padded, axis=1)) >= PACKED_TOLERANCE
    assert embedder.embed_passages([]).shape == (0, embedder.dim)


@pytest.mark.slow
def test_a_packed_path_that_disagrees_at_load_is_not_used(monkeypatch: pytest.MonkeyPatch):
    def scrambled(self, texts, *, batch_size, progress=False):
        return np.random.default_rng(0).standard_normal((len(texts), 384)).astype(np.float32)

    monkeypatch.setattr(packed_embed.PackedEncoder, "encode", scrambled)
    embedder = SentenceTransformerEmbedder(DEFAULT_MODEL, batch_size=4, bf16=True)
    assert embedder._packed is None
    vectors = embedder.embed_passages(TEXTS[:2])
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)
