import json
from pathlib import Path

import numpy as np
import pytest

from cxkb.errors import IndexCorruptError, IndexIncompatibleError, IndexLockedError, IndexMissingError
from cxkb.index import FORMAT_VERSION, MANIFEST, build_index, open_index, writer_lock
from cxkb.settings import Settings


def test_build_open_round_trip(tiny_index: Settings):
    index = open_index(tiny_index.index)
    manifest = index.manifest
    assert manifest["format_version"] == FORMAT_VERSION
    model = manifest["model"]
    assert (model["name"], model["dim"], model["backend"]) == ("hash:64", 64, "hash")
    assert np.asarray(model["probe"]).shape == (4, 64)  # the builder's vectors of cxkb.embed.PROBE_TEXTS
    assert manifest["chunk_count"] == len(index.chunks) > 0
    assert {r["source"] for r in manifest["reports"]} == {"qualtrics.txt", "walker.txt"}
    assert all(len(r["sha256"]) == 64 for r in manifest["reports"])
    for chunk in index.chunks:
        assert index.reports[chunk.report_id].text[chunk.start : chunk.end] == chunk.text
    assert index.reports["walker"].meta.publisher == "Walker"
    # no pickle anywhere
    gen = Path(tiny_index.index) / manifest["generation"]
    assert not [p for p in gen.rglob("*") if p.suffix in {".pkl", ".pickle"}]


def test_missing_index_names_the_fix(tmp_path: Path):
    with pytest.raises(IndexMissingError, match="cxkb build"):
        open_index(tmp_path / "nothing")


def test_half_written_index(tiny_index: Settings):
    (Path(tiny_index.index) / MANIFEST).unlink()
    with pytest.raises(IndexCorruptError, match="cxkb build"):
        open_index(tiny_index.index)


def test_bit_flip_detected(tiny_index: Settings):
    manifest = json.loads((Path(tiny_index.index) / MANIFEST).read_text())
    target = Path(tiny_index.index) / manifest["generation"] / "chunks.npy"
    data = bytearray(target.read_bytes())
    data[-3] ^= 0x01
    target.write_bytes(bytes(data))
    with pytest.raises(IndexCorruptError, match="checksum"):
        open_index(tiny_index.index)


def test_other_format_version_refused(tiny_index: Settings):
    path = Path(tiny_index.index) / MANIFEST
    manifest = json.loads(path.read_text())
    manifest["format_version"] = 999
    path.write_text(json.dumps(manifest))
    with pytest.raises(IndexIncompatibleError, match="cxkb build"):
        open_index(tiny_index.index)


@pytest.mark.parametrize("key", ["files", "generation", "model"])
def test_a_manifest_missing_a_key_is_corrupt_not_a_traceback(tiny_index: Settings, key: str):
    path = Path(tiny_index.index) / MANIFEST
    manifest = json.loads(path.read_text())
    del manifest[key]
    path.write_text(json.dumps(manifest))
    with pytest.raises(IndexCorruptError, match=f"lacks {key}.*cxkb build"):
        open_index(tiny_index.index)


def test_rebuild_swaps_generation_and_removes_old(tiny_index: Settings):
    first = open_index(tiny_index.index).generation
    build_index(tiny_index)
    second = open_index(tiny_index.index).generation
    assert first != second
    assert not (Path(tiny_index.index) / first).exists()


def test_second_writer_fails_fast(tiny_index: Settings):
    with writer_lock(Path(tiny_index.index), "test"), pytest.raises(IndexLockedError, match="pid"):
        build_index(tiny_index)


def test_bad_file_skipped_rest_indexed(tiny_settings: Settings):
    (Path(tiny_settings.corpus) / "empty.txt").write_bytes(b"")
    summary = build_index(tiny_settings)
    assert "empty.txt" in summary.failed
    assert len(summary.reports) == 2


def test_mentions_covers_text_and_catalogue(tiny_index):
    from cxkb.index import open_index

    index = open_index(tiny_index.index)
    assert index.mentions("首席執行官")  # in the traditional report, asked in either script
    assert index.mentions("首席执行官")
    assert index.mentions("Walker")  # a publisher in the catalogue
    assert not index.mentions("贝恩")
    assert not index.mentions("报告\x00CEO")  # never across two reports
