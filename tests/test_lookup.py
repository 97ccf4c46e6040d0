"""The cache's string tables: exact lookups, and a missing, corrupt or stale file is rebuilt."""

from __future__ import annotations

from pathlib import Path

import pytest

from cxkb.lookup import CorruptTableError, StringTable, TableData, cache_path, cached_table, encode_table

WORDS = ["客户", "客户体验", "客", "NPS", "", "ấ", "😀"]


def _data() -> TableData:
    return TableData(
        WORDS,
        {"count": ("q", [10**12, 5, 0, -3, 7, 1, 2]), "score": ("d", [0.1, -20.3647518157959, 0, 1e-300, 2, 3, 4])},
        {"total": 12345},
    )


def test_every_key_is_found_with_its_values_and_nothing_else():
    table = StringTable(encode_table("k", _data()))
    assert table.keys() == WORDS and table.meta == {"total": 12345} and table.key == "k"
    for row, word in enumerate(WORDS):
        assert table.find(word) == row
    assert table.columns["count"][0] == 10**12 and table.columns["score"][1] == -20.3647518157959
    for absent in ["客户体", "体验", "nps", "客户体验管理", "x"]:
        assert table.find(absent) == -1


def test_an_empty_table():
    table = StringTable(encode_table("k", TableData([], {"count": ("q", [])})))
    assert table.find("客户") == -1 and table.keys() == []


@pytest.mark.parametrize("damage", ["truncate", "flip", "garbage", "empty"])
def test_a_damaged_file_is_refused(damage: str):
    content = bytearray(encode_table("k", _data()))
    if damage == "truncate":
        content = content[: len(content) // 2]
    elif damage == "flip":
        content[-3] ^= 0xFF
    elif damage == "garbage":
        content = bytearray(b"not a table at all, not at all")
    else:
        content = bytearray()
    with pytest.raises(CorruptTableError):
        StringTable(bytes(content))


def test_cached_table_builds_once_then_rebuilds_when_missing_corrupt_or_stale():
    builds: list[int] = []

    def build() -> TableData:
        builds.append(1)
        return _data()

    path: Path = cache_path("test.table")
    assert cached_table("test.table", "v1", build).find("客户") == 0 and len(builds) == 1 and path.is_file()
    assert cached_table("test.table", "v1", build).find("客户") == 0 and len(builds) == 1  # from the file
    path.write_bytes(path.read_bytes()[:-10])  # corrupt
    assert cached_table("test.table", "v1", build).find("NPS") == 3 and len(builds) == 2
    path.unlink()  # missing
    assert cached_table("test.table", "v1", build).find("NPS") == 3 and len(builds) == 3
    assert cached_table("test.table", "v2", build).key == "v2" and len(builds) == 4  # other sources
    assert StringTable.read(path).key == "v2"


def test_an_unwritable_cache_still_gives_the_table(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    monkeypatch.setenv("CXKB_CACHE_DIR", str(blocker / "cache"))  # under a file: cannot be created
    assert cached_table("test.table", "v1", _data).find("ấ") == 5
