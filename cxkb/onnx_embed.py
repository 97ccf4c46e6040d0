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

import hashlib
import json
import logging
import os
import threading
from pathlib import Path
from typing import Any

import numpy as np

from .errors import ModelError
from .lookup import StringTable, TableData, cached_table

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


# Above this many characters in one call the whole vocabulary is cheaper than looking pieces up one by one.
_LOOKUP_CHARS = 4000
# Bump when the piece table's layout or meaning changes: older tables are then rebuilt.
_PIECES_FORMAT = 1


def _full_tokenizer(path: Path):  # -> tokenizers.Tokenizer
    from tokenizers import Tokenizer

    return Tokenizer.from_file(str(path))


def _build_pieces(path: Path) -> TableData:
    """tokenizer.json's vocabulary as a table, and the rest of the tokenizer (the shell) as its metadata.

    Keys are the pieces and every prefix of a piece (id -1), so a lookup that misses ends the search for
    longer pieces at that position. Scores are the model's own: read back from the loaded tokenizer, so
    the floats are the ones its JSON parser produced.
    """
    config = json.loads(_full_tokenizer(path).to_str())
    model = config["model"]
    if (
        model.get("type") != "Unigram"
        or model.get("byte_fallback")
        or config.get("post_processor", {}).get("type") != "TemplateProcessing"
    ):
        raise ModelError(f"{path} is not the Unigram tokenizer cxkb writes; run `cxkb model install --force`")
    vocab = model["vocab"]
    rows: dict[str, tuple[int, float]] = {}
    for i, (piece, score) in enumerate(vocab):
        for end in range(1, len(piece)):
            rows.setdefault(piece[:end], (-1, 0.0))
        rows[piece] = (i, score)
    # The shell keeps the added tokens (matched before the model) and the lowest-scoring piece (the
    # unknown-character penalty is relative to it) at fixed ids 0..n; a text's pieces follow them.
    fixed = sorted({t["id"] for t in config["added_tokens"]} | {min(range(len(vocab)), key=lambda i: vocab[i][1])})
    shell_id = {full: i for i, full in enumerate(fixed)}
    for token in config["added_tokens"]:
        token["id"] = shell_id[token["id"]]
    for special in config["post_processor"]["special_tokens"].values():
        special["ids"] = [shell_id[i] for i in special["ids"]]
    model["vocab"] = [vocab[i] for i in fixed]
    model["unk_id"] = shell_id[model["unk_id"]]
    keys = list(rows)
    columns = {"id": ("i", [rows[k][0] for k in keys]), "score": ("d", [rows[k][1] for k in keys])}
    meta = {"shell": json.dumps(config, ensure_ascii=False), "fixed": fixed, "longest": max(len(p) for p, _ in vocab)}
    return TableData(keys, columns, meta)


class PieceTokenizer:
    """The model's tokenizer, loaded in milliseconds: tokenizer.json whose Unigram model gets, per call,
    only the vocabulary pieces that occur in the text.

    ``Tokenizer.from_file`` builds a trie and a map of all 250k pieces (a second and 250 MB at every
    start). Unigram's best segmentation of a word only ever uses pieces that are substrings of it, and
    its penalty for an unknown character depends on the lowest score in the vocabulary; a model made of
    those pieces (and the lowest-scoring one) therefore segments the text exactly as the full one does.
    The rest of the pipeline (normaliser, pre-tokenizer, special tokens, truncation) is tokenizer.json's
    own. Texts with an added token in them (``<s>``, ``<mask>``) or long batches use the full tokenizer.
    """

    def __init__(self, path: Path, max_length: int) -> None:
        from tokenizers import Tokenizer
        from tokenizers import __version__ as version

        self.path, self.max_length = Path(path), max_length
        key = f"{_PIECES_FORMAT}:{version}:{hashlib.sha256(self.path.read_bytes()).hexdigest()}"
        self._table: StringTable = cached_table(f"pieces-{key[-16:]}.table", key, lambda: _build_pieces(self.path))
        self._ids, self._scores = self._table.columns["id"], self._table.columns["score"]
        self._fixed: list[int] = self._table.meta["fixed"]
        self._longest: int = self._table.meta["longest"]
        shell = self._table.meta["shell"]
        self._shell = self._configure(Tokenizer.from_str(shell))
        config = json.loads(shell)
        self._shell_vocab = [tuple(v) for v in config["model"]["vocab"]]
        self._unk_id = config["model"]["unk_id"]
        self._added = [t["content"] for t in config["added_tokens"]]
        self._full: Any = None
        self._lock = threading.Lock()  # the shell's model is swapped per call

    def _configure(self, tokenizer: Any) -> Any:
        tokenizer.enable_truncation(max_length=self.max_length)
        tokenizer.no_padding()
        return tokenizer

    def token_to_id(self, token: str) -> int | None:
        row = self._table.find(token)
        return self._ids[row] if row >= 0 and self._ids[row] >= 0 else None

    def _pieces(self, texts: list[str]) -> dict[int, tuple[str, float]]:
        """Full id -> (piece, score) of every piece occurring in the pre-tokenized ``texts``."""
        find, ids, scores, longest = self._table.find, self._ids, self._scores, self._longest
        normalizer, pre_tokenizer = self._shell.normalizer, self._shell.pre_tokenizer
        found: dict[int, tuple[str, float]] = {}
        for text in texts:
            for word, _ in pre_tokenizer.pre_tokenize_str(normalizer.normalize_str(text)):
                for start in range(len(word)):
                    for end in range(start + 1, min(len(word), start + longest) + 1):
                        row = find(word[start:end])
                        if row < 0:
                            break  # no piece begins with word[start:end], nor with anything longer
                        if ids[row] >= 0:
                            found[ids[row]] = (word[start:end], scores[row])
        return found

    def encode_batch(self, texts: list[str]) -> list[list[int]]:
        """Token ids per text, with ``<s>``/``</s>`` and truncation, as ``Tokenizer.encode_batch`` gives them."""
        if sum(map(len, texts)) > _LOOKUP_CHARS or any(a in t for t in texts for a in self._added):
            return [e.ids for e in self._whole().encode_batch(texts)]
        from tokenizers.models import Unigram

        found = self._pieces(texts)
        extra = sorted(found.keys() - set(self._fixed))
        vocab = self._shell_vocab + [found[i] for i in extra]
        full_id = self._fixed + extra
        with self._lock:
            self._shell.model = Unigram(vocab, unk_id=self._unk_id, byte_fallback=False)
            encoded = self._shell.encode_batch(texts)
        return [[full_id[i] for i in e.ids] for e in encoded]

    def _whole(self) -> Any:
        with self._lock:
            if self._full is None:
                self._full = self._configure(_full_tokenizer(self.path))
            return self._full


# Bump when the optimised copy's layout changes: older copies are then rewritten.
_OPTIMISED_FORMAT = 1
_GRAPH, _WEIGHTS, _RECORD = "model.onnx", "model.data", "record.json"


def _options(ort: Any, threads: int) -> Any:
    options = ort.SessionOptions()
    options.intra_op_num_threads = max(threads, 1)
    options.inter_op_num_threads = 1
    options.log_severity_level = 3
    # Idle threads sleep instead of spinning: two threads then cut a query from 22 to 16 ms on an idle
    # 2-core machine without burning the other core while it serves or builds.
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    return options


def _optimised_folder(ort: Any, path: Path) -> Path:
    """Where ONNX Runtime's optimised copy of ``path`` lives in the cxkb cache.

    Named by what the copy depends on: the source file's identity, ONNX Runtime's version and the CPU's
    features (optimisations at the default level may pick kernels for them).
    """
    from .embed import cache_dir

    stat = path.stat()
    source = (
        f"{_OPTIMISED_FORMAT}:{path.resolve()}:{stat.st_size}:{stat.st_mtime_ns}:{ort.__version__}:"
        f"{' '.join(sorted(cpu_flags()))}"
    )
    return cache_dir() / "onnx" / f"{path.stem}-{hashlib.sha256(source.encode()).hexdigest()[:16]}"


def _record(folder: Path) -> dict[str, Any]:
    return {
        "graph_sha256": hashlib.sha256((folder / _GRAPH).read_bytes()).hexdigest(),
        "weights_bytes": (folder / _WEIGHTS).stat().st_size,
    }


def _intact(folder: Path) -> bool:
    """The copy is complete: its record of the graph's checksum and the weights' size matches the files."""
    try:
        return json.loads((folder / _RECORD).read_text(encoding="utf-8")) == _record(folder)
    except (OSError, ValueError):
        return False


def _session_writing_copy(ort: Any, path: Path, threads: int, folder: Path) -> Any:
    """A session for ``path`` that also writes its optimised graph, weights apart, to ``folder``."""
    import shutil

    tmp = folder.with_name(f".{folder.name}.{os.getpid()}.tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    try:
        options = _options(ort, threads)
        options.optimized_model_filepath = str(tmp / _GRAPH)
        options.add_session_config_entry("session.optimized_model_external_initializers_file_name", _WEIGHTS)
        options.add_session_config_entry("session.optimized_model_external_initializers_min_size_in_bytes", "1024")
        session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        (tmp / _RECORD).write_text(json.dumps(_record(tmp)), encoding="utf-8")
        for old in folder.parent.glob(f"{path.stem}-*"):  # stale or broken copies: 180 MB each
            shutil.rmtree(old, ignore_errors=True)
        os.replace(tmp, folder)
        return session
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _session(ort: Any, path: Path, threads: int) -> Any:
    """The ONNX Runtime session for ``path``, from its optimised copy in the cxkb cache (written on first use).

    Loading the model as exported costs about 0.6 s and 320 MB at every start: the weights are parsed out of
    the protobuf and the graph is optimised again. The copy is ONNX Runtime's own optimised graph with the
    weights in a file beside it, saved once; loading it (with the same options, so any optimisation still
    missing is applied) takes about 0.2 s and 70 MB less, and computes the same vectors bit for bit. A
    missing or damaged copy is written again; when the cache cannot be written the source is loaded.
    """
    providers = ["CPUExecutionProvider"]
    try:
        folder = _optimised_folder(ort, path)
        if _intact(folder):
            return ort.InferenceSession(str(folder / _GRAPH), _options(ort, threads), providers=providers)
        log.info("writing %s (once): %s optimised, weights apart", folder, path.name)
        return _session_writing_copy(ort, path, threads, folder)
    except Exception as exc:  # a read-only cache or a full disk costs load time, nothing else
        log.warning("cannot use an optimised copy of %s (%s); loading it as it is", path, exc)
    return ort.InferenceSession(str(path), _options(ort, threads), providers=providers)


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
            import tokenizers  # noqa: F401  (PieceTokenizer's)
        except ImportError as exc:
            raise ModelError(f"the ONNX path needs onnxruntime and tokenizers ({exc}); pip install cxkb") from exc
        path = onnx_path(folder, variant)
        if not path.is_file():
            raise ModelError(f"{path} is missing; run `cxkb model install --force`")
        self.name, self.variant, self.batch_size = name, variant, batch_size
        self.backend = "onnx" if variant == "emb8" else f"onnx-{variant}"
        self.session = _session(ort, path, threads)
        self.tokenizer = PieceTokenizer(Path(folder) / "tokenizer.json", max_seq_length)
        self.pad_id = self.tokenizer.token_to_id("<pad>") or 1
        self.dim = int(self.session.get_outputs()[0].shape[-1] or 384)

    def _encode(self, texts: list[str], prompt: str, progress: bool) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), np.float32)
        encoded = self.tokenizer.encode_batch([prompt + t for t in texts])
        order = np.argsort([len(e) for e in encoded], kind="stable")  # similar lengths share a batch
        out = np.zeros((len(texts), self.dim), np.float32)
        batches = range(0, len(order), self.batch_size)
        if progress:
            from tqdm import tqdm

            batches = tqdm(batches, desc="embedding", unit="batch")
        for start in batches:
            rows = order[start : start + self.batch_size]
            width = max(len(encoded[i]) for i in rows)
            ids = np.full((len(rows), width), self.pad_id, np.int64)
            mask = np.zeros((len(rows), width), np.int64)
            for j, i in enumerate(rows):
                n = len(encoded[i])
                ids[j, :n] = encoded[i]
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
