"""Embedding without padding: the texts of a batch run through the encoder as one packed row.

Why: with bfloat16 weights on a CPU with AMX, the matrix products are so fast that attention and the
padding around it are half of the time. sentence-transformers pads every batch to its longest text and
masks the padding; on GPUs it can instead concatenate the texts and run flash-attention's variable-length
kernel (its ``unpad_inputs``), which has no CPU counterpart. This module is that counterpart: the batch is
one row, position ids restart at each text, and attention runs text by text through PyTorch's
``scaled_dot_product_attention`` with no mask. It is the same arithmetic with no padded positions.

Measured here (128 DRCD paragraphs, one thread, batches of 8; ``cxkb bench speed`` reruns it): bfloat16
through sentence-transformers 25-29 passages/s, packed 31-33, float32 9.4-10.2; cosine to float32 0.99997.

Only public transformers hooks are used: the attention function is registered under its own name through
``AttentionInterface`` (with the standard SDPA mask), and the packed boundaries reach it as the
``cu_seq_lens_q`` keyword that transformers passes down for variable-length attention. Called the usual
way, with padding and a mask, the model behaves exactly as with SDPA. ``PackedEncoder`` refuses a pipeline
it does not reproduce (pooling other than a mean over every token), and the embedder compares it with
sentence-transformers' own ``encode`` once at load before using it (``cxkb.embed``).
"""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np

ATTENTION = "cxkb_packed"


def register() -> str:
    """Register the packed attention with transformers (idempotent); returns the ``attn_implementation`` name."""
    from transformers import AttentionInterface
    from transformers.masking_utils import AttentionMaskInterface, sdpa_mask

    AttentionInterface.register(ATTENTION, _attention)
    AttentionMaskInterface.register(ATTENTION, sdpa_mask)
    return ATTENTION


def _attention(module: Any, query: Any, key: Any, value: Any, attention_mask: Any, **kwargs: Any) -> tuple[Any, None]:
    import torch
    from torch.nn.functional import scaled_dot_product_attention
    from transformers.integrations.sdpa_attention import sdpa_attention_forward

    bounds = kwargs.get("cu_seq_lens_q")
    if bounds is None or attention_mask is not None:  # an ordinary padded call: plain SDPA
        return sdpa_attention_forward(module, query, key, value, attention_mask, **kwargs)
    # query/key/value: [1, heads, tokens, head_dim]; the output is [1, tokens, heads, head_dim], as SDPA's
    out = torch.empty(query.shape[0], query.shape[2], query.shape[1], query.shape[3], dtype=query.dtype)
    edges = bounds.tolist()
    for start, end in itertools.pairwise(edges):
        part = scaled_dot_product_attention(
            query[:, :, start:end], key[:, :, start:end], value[:, :, start:end], scale=kwargs.get("scaling")
        )
        out[:, start:end] = part.transpose(1, 2)
    return out, None


class PackedEncoder:
    """Mean-pooled, unnormalised token embeddings of a loaded SentenceTransformer, computed packed.

    Raises ValueError for a pipeline it does not reproduce: it must be a transformer, mean pooling over every
    token (prompt included) and at most a normalisation, with the packed attention set on the model.
    """

    def __init__(self, model: Any) -> None:
        modules = list(model)
        kinds = [type(m).__name__ for m in modules]
        if kinds[:2] != ["Transformer", "Pooling"] or kinds[2:] not in ([], ["Normalize"]):
            raise ValueError(f"modules {kinds}")
        pooling = modules[1].get_config_dict()
        # sentence-transformers 6 names the mode; older configs carry one flag per mode
        modes = (
            {pooling["pooling_mode"]}
            if "pooling_mode" in pooling
            else {k.removeprefix("pooling_mode_") for k, v in pooling.items() if k.startswith("pooling_mode_") and v}
        )
        if modes not in ({"mean"}, {"mean_tokens"}) or not pooling.get("include_prompt", True):
            raise ValueError(f"pooling {pooling}")
        self.hf = modules[0].auto_model
        if self.hf.config._attn_implementation != ATTENTION:
            raise ValueError(f"attention {self.hf.config._attn_implementation}")
        self.tokenizer = model.tokenizer
        self.max_length = int(model.max_seq_length)
        self.offset = _position_offset(self.hf)

    def _batch(self, ids: list[list[int]]) -> np.ndarray:
        import torch

        lengths = [len(x) for x in ids]
        edges = torch.tensor(np.cumsum([0, *lengths]), dtype=torch.int32)
        tokens = torch.tensor([[t for one in ids for t in one]])
        positions = torch.cat([torch.arange(n) for n in lengths])[None] + self.offset
        hidden = self.hf(
            input_ids=tokens,
            position_ids=positions,
            cu_seq_lens_q=edges,
            cu_seq_lens_k=edges,
            max_length_q=max(lengths),
            max_length_k=max(lengths),
        ).last_hidden_state[0]
        bounds = edges.tolist()
        return torch.stack([hidden[s:e].float().mean(0) for s, e in itertools.pairwise(bounds)]).numpy()

    def encode(self, texts: list[str], *, batch_size: int, progress: bool = False) -> np.ndarray:
        """One float32 row per text; longest first in batches of ``batch_size`` texts, as sentence-transformers."""
        import torch

        if not texts:
            return np.zeros((0, self.hf.config.hidden_size), dtype=np.float32)
        ids = self.tokenizer(texts, truncation=True, max_length=self.max_length, padding=False)["input_ids"]
        order = sorted(range(len(ids)), key=lambda i: -len(ids[i]))
        out = np.zeros((len(ids), self.hf.config.hidden_size), dtype=np.float32)
        starts = range(0, len(order), batch_size)
        if progress:
            from tqdm import tqdm

            starts = tqdm(starts, desc="Batches", unit="batch")
        with torch.inference_mode():
            for start in starts:
                chosen = order[start : start + batch_size]
                out[chosen] = self._batch([ids[i] for i in chosen])
        return out


def _position_offset(hf: Any) -> int:
    # RoBERTa-family encoders (XLM-R, e5) number positions from padding_idx + 1; sentence-transformers'
    # flattening infers it the same way.
    import torch

    for module in hf.modules():
        padding_idx = getattr(module, "padding_idx", None)
        if isinstance(padding_idx, int) and isinstance(
            getattr(module, "position_embeddings", None), torch.nn.Embedding
        ):
            return padding_idx + 1
    return 0
