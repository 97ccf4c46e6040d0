"""Read-only string tables in the cxkb cache: big lookup tables for the query path, opened in milliseconds.

jieba's dictionary (500k words and prefixes) and the embedding model's vocabulary (250k pieces) cost a
second or more each to load as a Python dict or a ``tokenizers`` model, yet one question looks up a few
hundred strings in them. A :class:`StringTable` is one file: an open-addressing hash table over the UTF-8
keys (CRC-32, linear probing, at most half full) plus one array per value column. Opening it reads the
file and checks its checksum; nothing is parsed into Python objects until a key is looked up.

:func:`cached_table` keeps a table in the cache folder under a key naming what it was derived from (for
example checksums of the dictionaries); a missing, corrupt or stale file is rebuilt from the sources.
The files hold only what this process wrote: bytes, numbers and a JSON header, never pickles.
"""

from __future__ import annotations

import json
import logging
import os
import struct
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

MAGIC = b"CXKBTAB1"
_HEAD = struct.Struct("<8sII")  # magic, header length, CRC-32 of everything after the fixed head
_ALIGN = 8


@dataclass
class TableData:
    """What a table is built from: unique ``keys``, one value sequence per column, free-form ``meta``."""

    keys: Sequence[str]
    columns: dict[str, tuple[str, Sequence[int] | Sequence[float]]]  # name -> (array typecode, values)
    meta: dict[str, Any] = field(default_factory=dict)


class CorruptTableError(ValueError):
    """The file is not a complete table written by :func:`write_table`."""


def _pad(n: int) -> int:
    return -n % _ALIGN


def _slot_count(n: int) -> int:
    size = 8
    while size < 2 * n:  # at most half full: a missing key ends its probe within a slot or two
        size *= 2
    return size


def encode_table(source_key: str, data: TableData) -> bytes:
    """``data`` as the bytes of a table file."""
    encoded = [k.encode("utf-8") for k in data.keys]
    nslots = _slot_count(len(encoded))
    slots = [0] * nslots
    for row, raw in enumerate(encoded):
        at = zlib.crc32(raw) & (nslots - 1)
        while slots[at]:
            at = (at + 1) & (nslots - 1)
        slots[at] = row + 1  # 0 marks an empty slot
    offsets = [0]
    for raw in encoded:
        offsets.append(offsets[-1] + len(raw))
    parts = [struct.pack(f"<{nslots}I", *slots), struct.pack(f"<{len(offsets)}I", *offsets)]
    columns = []
    for name, (code, values) in data.columns.items():
        if len(values) != len(encoded):
            raise ValueError(f"column {name} has {len(values)} values for {len(encoded)} keys")
        columns.append([name, code])
        parts.append(struct.pack(f"<{len(values)}{code}", *values))
    parts.append(b"".join(encoded))
    header = json.dumps(
        {"key": source_key, "rows": len(encoded), "slots": nslots, "columns": columns, "meta": data.meta},
        ensure_ascii=False,
    ).encode("utf-8")
    body = bytearray(header + b"\0" * _pad(_HEAD.size + len(header)))
    for part in parts:
        body += part + b"\0" * _pad(len(part))
    return _HEAD.pack(MAGIC, len(header), zlib.crc32(body)) + bytes(body)


def write_table(path: Path, content: bytes) -> None:
    """Write a table file atomically: a reader sees the old file or the new one, never half of one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        tmp.write_bytes(content)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


class StringTable:
    """Exact lookups of a table written by :func:`write_table`."""

    def __init__(self, data: bytes) -> None:
        if len(data) < _HEAD.size:
            raise CorruptTableError("shorter than its header")
        magic, header_len, crc = _HEAD.unpack_from(data)
        if magic != MAGIC or zlib.crc32(memoryview(data)[_HEAD.size :]) != crc:
            raise CorruptTableError("wrong magic or checksum")
        try:
            header = json.loads(data[_HEAD.size : _HEAD.size + header_len])
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise CorruptTableError(f"unreadable header ({exc})") from exc
        self.key: str = header["key"]
        self.meta: dict[str, Any] = header["meta"]
        self.rows: int = header["rows"]
        view = memoryview(data)
        at = _HEAD.size + header_len + _pad(_HEAD.size + header_len)

        def take(code: str, count: int) -> memoryview:
            nonlocal at
            size = struct.calcsize(code) * count
            part = view[at : at + size].cast(code)
            at += size + _pad(size)
            return part

        self._slots = take("I", header["slots"])
        self._mask = header["slots"] - 1
        self._offsets = take("I", self.rows + 1)
        self.columns = {name: take(code, self.rows) for name, code in header["columns"]}
        self._blob = data[at : at + self._offsets[self.rows]] if self.rows else b""
        if len(self._blob) != self._offsets[self.rows]:
            raise CorruptTableError("truncated key blob")

    @classmethod
    def read(cls, path: Path) -> StringTable:
        return cls(Path(path).read_bytes())

    def find(self, key: str) -> int:
        """The row of ``key``, or -1 when the table does not hold it."""
        raw = key.encode("utf-8")
        slots, offsets, blob, mask = self._slots, self._offsets, self._blob, self._mask
        at = zlib.crc32(raw) & mask
        while row := slots[at]:
            row -= 1
            if blob[offsets[row] : offsets[row + 1]] == raw:
                return row
            at = (at + 1) & mask
        return -1

    def keys(self) -> list[str]:
        """Every key in row order (for tests and rebuilding; the query path never needs them all)."""
        offsets = self._offsets
        return [self._blob[offsets[i] : offsets[i + 1]].decode("utf-8") for i in range(self.rows)]


def cache_path(name: str) -> Path:
    from .embed import cache_dir

    return cache_dir() / "tables" / name


def cached_table(name: str, source_key: str, build: Callable[[], TableData]) -> StringTable:
    """The table ``name`` in the cache, (re)built with ``build`` when missing, corrupt or made from other sources.

    ``source_key`` names the sources (a format version and their checksums); a table whose key differs was
    derived from something else and is replaced. A cache folder that cannot be written costs the rebuild
    time on every start, nothing more.
    """
    path = cache_path(name)
    try:
        table = StringTable.read(path)
        if table.key == source_key:
            return table
        log.info("rebuilding %s: its sources changed", path)
    except FileNotFoundError:
        log.info("building %s (once)", path)
    except (OSError, CorruptTableError, KeyError, TypeError, ValueError) as exc:
        log.warning("rebuilding %s: %s", path, exc)
    content = encode_table(source_key, build())
    try:
        write_table(path, content)
    except OSError as exc:
        log.warning("cannot write %s (%s); the table is rebuilt at every start", path, exc)
    return StringTable(content)
