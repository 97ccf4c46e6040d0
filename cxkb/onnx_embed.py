"""The default model through ONNX Runtime and ``tokenizers``: no torch on the query path.

``cxkb model install`` exports the materialised multilingual-e5-small once and keeps two files:
``onnx/model_emb8.onnx``, whose 250k-row word-embedding table (three quarters of the weights) is
stored as int8 while the encoder stays float32, and ``onnx/model_int8.onnx``, all weights int8
(dynamic quantisation). The first gives the float32 vectors to a cosine of 0.9998 or better at a third of
the memory, so indexes built with sentence-transformers answer queries embedded here; the second
is faster on CPUs with VNNI but its vectors differ more (cosine ≈ 0.98), so an index must be built
and queried with it alike. Loading either takes a fraction of a second and imports neither torch
nor sentence-transformers. Tokenising, prompts, truncation, mean pooling and normalisation match
sentence-transformers (tested against it).
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

import numpy as np

from .errors import ModelError

log = logging.getLogger(__name__)

VARIANTS = ("emb8", "int8")
QUERY_PROMPT, PASSAGE_PROMPT = "query: ", "passage: "


def onnx_path(folder: Path, variant: str) -> Path:
    return Path(folder) / "onnx" / f"model_{variant}.onnx"


def cpu_flags() -> set[str]:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("flags"):
                return set(line.split(":", 1)[1].split())
    except OSError:
        pass
    return set()


def has_bf16() -> bool:
    """True where the CPU computes bfloat16 in hardware (AMX or AVX-512 BF16)."""
    return bool(cpu_flags() & {"amx_bf16", "avx512_bf16"})


def resolve(setting: str, purpose: str) -> str:
    """The backend ``embed_backend = setting`` means for queries or for a build on this machine.

    "auto": queries run on ONNX (fast start, float32 vectors to a cosine of 0.9998); builds run on
    sentence-transformers, in bfloat16 where the CPU has it (cosine 0.99999 to float32).
    """
    if setting != "auto":
        return setting
    if purpose == "query":
        return "onnx"
    return "torch-bf16" if has_bf16() else "torch"


def export(folder: Path) -> None:
    """Write ``onnx/model_emb8.onnx`` and ``onnx/model_int8.onnx`` next to the sentence-transformers folder."""
    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic
    from transformers import AutoModel

    folder = Path(folder)
    out = folder / "onnx"
    out.mkdir(exist_ok=True)

    class Encoder(torch.nn.Module):  # keyword arguments only: transformers' positional order changes
        def __init__(self, inner: torch.nn.Module) -> None:
            super().__init__()
            self.inner = inner

        def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
            return self.inner(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state

    model = Encoder(AutoModel.from_pretrained(str(folder))).eval()
    ids = torch.tensor([[0, 6, 7, 2], [0, 8, 2, 1]])
    mask = torch.tensor([[1, 1, 1, 1], [1, 1, 1, 0]])
    fp32 = folder / "onnx" / f".model_fp32.{os.getpid()}.tmp"
    axes = {0: "batch", 1: "tokens"}
    try:
        with torch.no_grad():
            torch.onnx.export(
                model,
                (ids, mask),
                str(fp32),
                input_names=["input_ids", "attention_mask"],
                output_names=["last_hidden_state"],
                dynamic_axes={"input_ids": axes, "attention_mask": axes, "last_hidden_state": axes},
                opset_version=17,
                dynamo=False,
            )
        # Per variant, what is quantised: the word-embedding table only, or every weight.
        plans = (("emb8", ["Gather"], QuantType.QUInt8), ("int8", ["MatMul", "Gather"], QuantType.QInt8))
        for variant, ops, weights in plans:
            target = onnx_path(folder, variant)
            tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")  # two installs never share a file
            quantize_dynamic(str(fp32), str(tmp), weight_type=weights, op_types_to_quantize=ops)
            os.replace(tmp, target)
    finally:
        fp32.unlink(missing_ok=True)


class OnnxEmbedder:
    """multilingual-e5-small (query/passage prompts, mean pooling, unit length) on ONNX Runtime."""

    def __init__(
        self,
        name: str,
        folder: Path,
        variant: str,
        *,
        batch_size: int = 32,
        max_seq_length: int = 510,
        threads: int = 1,
    ) -> None:
        try:
            import onnxruntime as ort
            from tokenizers import Tokenizer
        except ImportError as exc:
            raise ModelError(f"the ONNX path needs onnxruntime and tokenizers ({exc}); pip install cxkb") from exc
        path = onnx_path(folder, variant)
        if not path.is_file():
            raise ModelError(f"{path} is missing; run `cxkb model install --force`")
        self.name, self.variant, self.batch_size = name, variant, batch_size
        self.backend = "onnx" if variant == "emb8" else f"onnx-{variant}"
        options = ort.SessionOptions()
        options.intra_op_num_threads = max(threads, 1)
        options.inter_op_num_threads = 1
        options.log_severity_level = 3
        self.session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        self.tokenizer = Tokenizer.from_file(str(Path(folder) / "tokenizer.json"))
        self.tokenizer.enable_truncation(max_length=max_seq_length)
        self.tokenizer.no_padding()
        self.pad_id = self.tokenizer.token_to_id("<pad>") or 1
        self.dim = int(self.session.get_outputs()[0].shape[-1] or 384)

    def _encode(self, texts: list[str], prompt: str, progress: bool) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), np.float32)
        encoded = self.tokenizer.encode_batch([prompt + t for t in texts])
        order = np.argsort([len(e.ids) for e in encoded], kind="stable")  # similar lengths share a batch
        out = np.zeros((len(texts), self.dim), np.float32)
        batches = range(0, len(order), self.batch_size)
        if progress:
            from tqdm import tqdm

            batches = tqdm(batches, desc="embedding", unit="batch")
        for start in batches:
            rows = order[start : start + self.batch_size]
            width = max(len(encoded[i].ids) for i in rows)
            ids = np.full((len(rows), width), self.pad_id, np.int64)
            mask = np.zeros((len(rows), width), np.int64)
            for j, i in enumerate(rows):
                n = len(encoded[i].ids)
                ids[j, :n] = encoded[i].ids
                mask[j, :n] = 1
            hidden = self.session.run(None, {"input_ids": ids, "attention_mask": mask})[0]
            summed = (hidden * mask[:, :, None]).sum(axis=1)
            pooled = summed / np.maximum(mask.sum(axis=1, keepdims=True), 1)
            out[rows] = pooled / np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)
        return out

    def embed_passages(self, texts: list[str], *, progress: bool = False) -> np.ndarray:
        return self._encode(texts, PASSAGE_PROMPT, progress)

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        return self._encode(texts, QUERY_PROMPT, False)
