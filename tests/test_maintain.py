import json
from pathlib import Path

import pytest

from cxkb.errors import IndexLockedError, InputError
from cxkb.index import build_index, open_index, writer_lock
from cxkb.kb import KnowledgeBase
from cxkb.maintain import add_reports, remove_report, safe_name, update_report
from cxkb.models import Meta
from cxkb.settings import Settings

NEW = "新报告标题\n调查显示 42% 的企业设立了首席客户官,客户旅程地图的使用率为 33%。\n"
NEW_V2 = "新报告标题\n调查显示 45% 的企业设立了首席客户官,客户旅程地图的使用率为 36%。\n"
QUESTIONS = ["首席客户官的比例", "客户体验指标", "CEO 反馈", "客户旅程地图使用率"]


def _snapshot(settings: Settings):
    index = open_index(settings.index)
    kb = KnowledgeBase.open(settings.index, settings)
    chunks = [(c.id, c.report_id, c.start, c.end, c.text) for c in index.chunks]
    hits = {q: [(h.chunk.id, round(h.score, 6)) for h in kb.search(q, k=5)] for q in QUESTIONS}
    return chunks, hits


def test_add_update_remove_equal_fresh_build(tiny_index: Settings, tmp_path: Path):
    incoming = tmp_path / "incoming"
    incoming.mkdir()
    (incoming / "new.txt").write_text(NEW, encoding="utf-8")
    change = add_reports(tiny_index, [incoming / "new.txt"], Meta(title="新报告", publisher="Acme", date="2024"))
    assert change.added == {str(incoming / "new.txt"): "new"}
    (incoming / "v2.txt").write_text(NEW_V2, encoding="utf-8")
    update_report(tiny_index, "new", incoming / "v2.txt")
    remove_report(tiny_index, "walker")
    incremental = _snapshot(tiny_index)

    fresh = tiny_index.replace(index=tmp_path / "fresh")
    build_index(fresh)
    assert incremental == _snapshot(fresh)
    assert "45%" in open_index(tiny_index.index).reports["new"].text
    assert json.loads((tiny_index.corpus / "catalog.json").read_text())["reports"]["new.txt"]["publisher"] == "Acme"
    assert list((tiny_index.corpus / ".removed").iterdir())  # nothing lost


def test_same_content_twice_is_a_noop(tiny_index: Settings, tmp_path: Path):
    copy = tmp_path / "copy.txt"
    copy.write_bytes((tiny_index.corpus / "qualtrics.txt").read_bytes())
    before = open_index(tiny_index.index).generation
    change = add_reports(tiny_index, [copy])
    assert not change.added and "same bytes" in change.skipped[str(copy)]
    assert open_index(tiny_index.index).generation == before


def test_other_script_flagged_as_duplicate(tiny_index: Settings, tmp_path: Path):
    import opencc

    text = (tiny_index.corpus / "qualtrics.txt").read_text(encoding="utf-8")
    trad = tmp_path / "trad.txt"
    trad.write_text(opencc.OpenCC("s2t").convert(text), encoding="utf-8")
    change = add_reports(tiny_index, [trad])
    assert "other script" in change.skipped[str(trad)]
    assert add_reports(tiny_index, [trad], force=True).added


def test_bad_file_in_batch_others_still_go_in(tiny_index: Settings, tmp_path: Path):
    good, empty = tmp_path / "good.txt", tmp_path / "empty.txt"
    good.write_text(NEW, encoding="utf-8")
    empty.write_bytes(b"")
    change = add_reports(tiny_index, [empty, good])
    assert str(empty) in change.skipped and change.added == {str(good): "good"}
    assert not (tiny_index.corpus / "empty.txt").exists()


def test_rejected_file_leaves_index_unchanged(tiny_index: Settings, tmp_path: Path):
    binary = tmp_path / "bin.txt"
    binary.write_bytes(b"\x00\x01\x02" * 100)
    before = (tiny_index.index / "manifest.json").read_bytes()
    change = add_reports(tiny_index, [binary])
    assert not change.added and "binary" in change.skipped[str(binary)]
    assert (tiny_index.index / "manifest.json").read_bytes() == before


@pytest.mark.parametrize("given", ["../../etc/passwd.txt", "..\\..\\x.txt", "a/b/c.txt", ".hidden.txt", "x\x00y.txt"])
def test_safe_name_never_a_path(given: str, tmp_path: Path):
    name = safe_name(given, b"data", tmp_path)
    assert "/" not in name and "\\" not in name and ".." not in name and not name.startswith(".")
    assert "\x00" not in name and name.endswith(".txt")


def test_remove_unknown_report(tiny_index: Settings):
    with pytest.raises(InputError, match="cxkb reports"):
        remove_report(tiny_index, "nope")


def test_second_writer_refused(tiny_index: Settings, tmp_path: Path):
    (tmp_path / "n.txt").write_text(NEW, encoding="utf-8")
    with writer_lock(tiny_index.index, "test"), pytest.raises(IndexLockedError):
        add_reports(tiny_index, [tmp_path / "n.txt"])


def test_reader_keeps_old_generation_until_refresh(tiny_index: Settings, tmp_path: Path):
    kb = KnowledgeBase.open(tiny_index.index, tiny_index)
    (tmp_path / "n.txt").write_text(NEW, encoding="utf-8")
    add_reports(tiny_index, [tmp_path / "n.txt"])
    assert "n" not in kb.index.reports  # still serving what it loaded
    assert kb.search("首席客户官的比例")  # and still works though the old generation folder is gone
    assert kb.refresh() and "n" in kb.index.reports


@pytest.mark.parametrize("agrees", [True, False])
def test_a_small_change_embeds_on_the_query_path_only_where_it_agrees(
    tiny_index: Settings, tmp_path: Path, agrees: bool
):
    """An index built on another path of the model (here: a manifest that says so) takes a small change on
    the query path, keeping its own backend and probe, when that path's probe vectors agree; else the
    build path embeds it and the manifest says so."""
    import numpy as np

    manifest_path = Path(tiny_index.index) / "manifest.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    probe = np.asarray(manifest["model"]["probe"])
    manifest["model"]["backend"] = "elsewhere"
    manifest["model"]["probe"] = (probe if agrees else -probe).tolist()
    manifest_path.write_text(json.dumps(manifest), encoding="utf-8")
    new = tmp_path / "new.txt"
    new.write_text("新报告\n调查显示 42% 的企业设立了首席客户官。\n", encoding="utf-8")
    add_reports(tiny_index, [new])
    model = json.loads(manifest_path.read_text(encoding="utf-8"))["model"]
    if agrees:
        assert model["backend"] == "elsewhere" and np.allclose(model["probe"], probe)
    else:
        assert model["backend"] == "hash" and np.allclose(model["probe"], probe, atol=1e-6)
