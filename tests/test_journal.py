"""Maintainers' changes as transactions (cxkb/journal.py): a kill never leaves corpus and index disagreeing.

A change stages its files in ``<index>/.staging/``, records ``journal.json``, publishes the index
generation, then moves the files into ``corpus/``. Killed before publishing, the next command rolls
it back; killed after, it completes it. Either way the corpus, its catalogue and the live index
agree afterwards and the index equals a fresh build of the corpus. Offline, ``hash:64`` only.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import asdict
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from test_faults import ROOT, Writer, _corpus, _report, _settings

import cxkb.index
import cxkb.maintain
from cxkb import journal
from cxkb.catalog import CATALOG
from cxkb.cli import main
from cxkb.errors import InputError
from cxkb.index import MANIFEST, build_index, open_index, writer_lock
from cxkb.journal import JOURNAL, REMOVED, STAGING
from cxkb.maintain import add_reports, check, remove_report, update_report
from cxkb.models import Meta
from cxkb.settings import Settings


class _Killed(BaseException):
    """Stands in for SIGKILL in-process: not an Exception, so no ``except Exception`` handler sees it."""


def _kill(*args, **kwargs):
    raise _Killed


def _catalog_of(numbers: range) -> dict:
    return {
        "reports": {
            f"r{i:03d}.txt": {"title": f"第{i}号客户体验报告", "publisher": f"机构{i}", "date": f"{2000 + i}-01-01"}
            for i in numbers
        }
    }


def _write_catalog(corpus: Path, catalog: dict) -> None:
    (corpus / CATALOG).write_text(json.dumps(catalog, ensure_ascii=False), encoding="utf-8")


def _incoming(folder: Path, i: int, name: str | None = None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / (name or f"r{i:03d}.txt")
    path.write_text(_report(i, random.Random(i)), encoding="utf-8")
    return path


@pytest.fixture
def kb(tmp_path: Path) -> Settings:
    """Five short reports with a catalogue, indexed; the config is ``tmp_path/cxkb.toml`` (for the CLI)."""
    corpus = _corpus(tmp_path / "corpus", range(5))
    _write_catalog(corpus, _catalog_of(range(5)))
    settings = _settings(tmp_path, corpus, tmp_path / "index")
    build_index(settings)
    return settings


def _cli(settings: Settings, *args: str):
    config = Path(settings.corpus).parent / "cxkb.toml"
    return CliRunner().invoke(main, ["--config", str(config), *args])


def _corpus_state(corpus: Path) -> tuple[dict[str, bytes], dict, list[bytes]]:
    """(every file of the corpus but the catalogue, by name; the catalogue; the bytes kept in .removed/)."""
    corpus = Path(corpus)
    files = {p.name: p.read_bytes() for p in corpus.iterdir() if p.is_file() and p.name != CATALOG}
    catalog = json.loads((corpus / CATALOG).read_text(encoding="utf-8")) if (corpus / CATALOG).exists() else {}
    removed = sorted(p.read_bytes() for p in (corpus / REMOVED).iterdir()) if (corpus / REMOVED).is_dir() else []
    return files, catalog, removed


def _snapshot(index: Path):
    """What a reader gets from an index, independent of its generation's name."""
    opened = open_index(index)
    assert opened.manifest["chunk_count"] == len(opened.chunks) == len(opened.vectors)
    reports = sorted((r.id, r.source, r.sha256, tuple(asdict(r.meta).items())) for r in opened.reports.values())
    chunks = [(c.id, c.report_id, c.start, c.end, c.text) for c in opened.chunks]
    return reports, chunks, np.asarray(opened.vectors, dtype=np.float32).tobytes()


def _fresh(settings: Settings, where: Path):
    """A snapshot of a fresh ``cxkb build`` of the corpus as it is now."""
    shutil.rmtree(where, ignore_errors=True)
    build_index(settings.replace(index=where))
    return _snapshot(where)


def _assert_settled(index: Path) -> None:
    index = Path(index)
    assert not (index / JOURNAL).exists(), "the journal is still there"
    assert not (index / STAGING).exists(), sorted(p.name for p in index.iterdir())
    assert journal.leftovers(index) == [], journal.leftovers(index)


def _assert_equals_fresh(settings: Settings, where: Path) -> None:
    live, fresh = _snapshot(settings.index), _fresh(settings, where)
    assert live[0] == fresh[0], "the live index's reports differ from a fresh build of the corpus"
    assert live[1] == fresh[1], "the live index's chunks differ from a fresh build of the corpus"
    assert live[2] == fresh[2], "the live index's vectors differ from a fresh build of the corpus"


def _indexed_sources(settings: Settings) -> set[str]:
    return {r.source for r in open_index(settings.index).reports.values()}


def _corpus_reports(settings: Settings) -> set[str]:
    return {p.name for p in Path(settings.corpus).glob("*.txt")}


# --- killed before publishing: rolled back ---------------------------------------------------------------------


def test_recorded_change_never_published_is_rolled_back(kb: Settings, tmp_path: Path):
    """A journal, staged file and an unpublished generation by hand (a kill just before the manifest swap)."""
    index, corpus = Path(kb.index), Path(kb.corpus)
    before, manifest = _corpus_state(corpus), (index / MANIFEST).read_bytes()
    tx = journal.begin(index, corpus, "add", ["r100.txt"])
    tx.stage(_incoming(tmp_path / "incoming", 100).read_bytes(), "r100.txt")
    tx.catalog = {"reports": {**_catalog_of(range(5))["reports"], "r100.txt": {"publisher": "Acme"}}}
    tx.record()
    (index / tx.generation).mkdir()
    (index / tx.generation / "chunks.jsonl").write_text("{}\n", encoding="utf-8")
    (index / f".{tx.generation}.tmp").mkdir()
    assert _corpus_state(corpus) == before, "a change touched corpus/ before its index was published"

    note = journal.recover(index)
    assert note is not None and "rolled back the interrupted add of r100.txt" in note, note
    _assert_settled(index)
    assert not (index / tx.generation).exists(), "the unpublished generation is still there"
    assert (index / MANIFEST).read_bytes() == manifest
    assert _corpus_state(corpus) == before
    assert journal.recover(index) is None, "a second recovery found something to do"


@pytest.mark.parametrize("op", ["add", "update", "remove"])
def test_change_killed_before_publishing_is_rolled_back(
    kb: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, op: str
):
    index, corpus = Path(kb.index), Path(kb.corpus)
    before, manifest = _corpus_state(corpus), (index / MANIFEST).read_bytes()
    new = _incoming(tmp_path / "incoming", 100)

    def change() -> None:
        if op == "add":
            add_reports(kb, [new], Meta(publisher="Acme"))
        elif op == "update":
            update_report(kb, "r002", new, Meta(title="修订版"))
        else:
            remove_report(kb, "r001")

    with monkeypatch.context() as m:
        m.setattr(cxkb.index, "write_generation", _kill)
        m.setattr(cxkb.maintain, "finish", lambda index: None)  # a SIGKILL runs no handler
        with pytest.raises(_Killed):
            change()
    assert journal.pending(index) is not None, "no journal was recorded before building"
    assert _corpus_state(corpus) == before, "a change touched corpus/ before its index was published"
    assert (index / MANIFEST).read_bytes() == manifest

    note = journal.recover(index)
    assert note is not None and f"rolled back the interrupted {op} of" in note, note
    _assert_settled(index)
    assert _corpus_state(corpus) == before
    assert (index / MANIFEST).read_bytes() == manifest
    change()  # the same change, run again, goes through
    _assert_settled(index)
    _assert_equals_fresh(kb, tmp_path / "fresh")


def test_build_failure_in_process_rolls_back_at_once(kb: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """Ctrl-C (or any error) while building: the change's own handler rolls back before it propagates."""
    index, corpus = Path(kb.index), Path(kb.corpus)
    before, manifest = _corpus_state(corpus), (index / MANIFEST).read_bytes()
    with monkeypatch.context() as m:
        m.setattr(cxkb.index, "write_generation", lambda *a, **k: (_ for _ in ()).throw(KeyboardInterrupt()))
        with pytest.raises(KeyboardInterrupt):
            add_reports(kb, [_incoming(tmp_path / "incoming", 100)])
    _assert_settled(index)
    assert _corpus_state(corpus) == before
    assert (index / MANIFEST).read_bytes() == manifest
    assert journal.recover(index) is None


# --- killed after publishing: completed --------------------------------------------------------------------------


def test_add_killed_after_publishing_is_completed(kb: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    index, corpus = Path(kb.index), Path(kb.corpus)
    new = _incoming(tmp_path / "incoming", 100)
    with monkeypatch.context() as m:
        m.setattr(journal.Transaction, "commit", _kill)
        with pytest.raises(_Killed):
            add_reports(kb, [new], Meta(publisher="Acme", date="2024"))
    assert not (corpus / "r100.txt").exists(), "the file was moved in before the commit"
    assert "r100.txt" in _indexed_sources(kb), "the index was not published before the commit"
    assert journal.pending(index) is not None

    note = journal.recover(index)
    assert note is not None and "completed the interrupted add of r100.txt" in note, note
    _assert_settled(index)
    assert (corpus / "r100.txt").read_bytes() == new.read_bytes()
    entry = json.loads((corpus / CATALOG).read_text(encoding="utf-8"))["reports"]["r100.txt"]
    assert entry["publisher"] == "Acme" and entry["date"] == "2024"
    assert _corpus_reports(kb) == _indexed_sources(kb)
    _assert_equals_fresh(kb, tmp_path / "fresh")


def test_remove_killed_after_publishing_is_completed(kb: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    index, corpus = Path(kb.index), Path(kb.corpus)
    old = (corpus / "r001.txt").read_bytes()
    with monkeypatch.context() as m:
        m.setattr(journal.Transaction, "commit", _kill)
        with pytest.raises(_Killed):
            remove_report(kb, "r001")
    assert "r001" not in open_index(index).reports, "the index was not published before the commit"
    assert (corpus / "r001.txt").exists(), "the file was moved out before the commit"

    note = journal.recover(index)
    assert note is not None and "completed the interrupted remove of r001.txt" in note, note
    _assert_settled(index)
    assert not (corpus / "r001.txt").exists()
    assert [p.read_bytes() for p in (corpus / REMOVED).iterdir()] == [old], "the removed file is not kept whole"
    assert "r001.txt" not in json.loads((corpus / CATALOG).read_text(encoding="utf-8"))["reports"]
    with pytest.raises(InputError, match="no report match"):
        remove_report(kb, "r001")
    assert _corpus_reports(kb) == _indexed_sources(kb)
    _assert_equals_fresh(kb, tmp_path / "fresh")


@pytest.mark.parametrize("moment", ["before publishing", "after publishing"])
def test_rerunning_a_killed_remove_through_the_cli(
    kb: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, moment: str
):
    """The issue's scenario: `cxkb remove ID` killed, then run again; corpus and `cxkb reports` agree."""
    with monkeypatch.context() as m:
        if moment == "before publishing":
            m.setattr(cxkb.index, "write_generation", _kill)
            m.setattr(cxkb.maintain, "finish", lambda index: None)
        else:
            m.setattr(journal.Transaction, "commit", _kill)
        with pytest.raises(_Killed):
            remove_report(kb, "r001")

    again = _cli(kb, "remove", "r001", "--corpus", str(kb.corpus), "--index", str(kb.index))
    if moment == "before publishing":
        assert "note: rolled back the interrupted remove of r001.txt" in again.stderr, again.output
        assert again.exit_code == 0 and "removed report r001" in again.stdout, again.output
    else:
        assert "note: completed the interrupted remove of r001.txt" in again.stderr, again.output
        assert again.exit_code == 1 and "no report match 'r001'" in again.stderr, again.output
    listed = _cli(kb, "reports", "--json", "--index", str(kb.index))
    assert listed.exit_code == 0, listed.output
    assert (
        {row["source"] for row in json.loads(listed.stdout)}
        == _corpus_reports(kb)
        == {f"r{i:03d}.txt" for i in (0, 2, 3, 4)}
    )
    _assert_settled(Path(kb.index))
    _assert_equals_fresh(kb, tmp_path / "fresh")


def test_update_killed_after_publishing_is_completed(kb: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    index, corpus = Path(kb.index), Path(kb.corpus)
    old = (corpus / "r002.txt").read_bytes()
    v2 = _incoming(tmp_path / "incoming", 200, "v2.txt")
    with monkeypatch.context() as m:
        m.setattr(journal.Transaction, "commit", _kill)
        with pytest.raises(_Killed):
            update_report(kb, "r002", v2, Meta(title="第2号报告(修订版)"))
    assert (corpus / "r002.txt").read_bytes() == old, "the corpus changed before the commit"
    assert open_index(index).reports["r002"].sha256 == hashlib.sha256(v2.read_bytes()).hexdigest()

    note = journal.recover(index)
    assert note is not None and "completed the interrupted update of r002.txt" in note, note
    _assert_settled(index)
    assert (corpus / "r002.txt").read_bytes() == v2.read_bytes()
    assert [p.read_bytes() for p in (corpus / REMOVED).iterdir()] == [old], "the old version is not kept whole"
    catalog = json.loads((corpus / CATALOG).read_text(encoding="utf-8"))["reports"]
    assert catalog["r002.txt"]["title"] == "第2号报告(修订版)" and catalog["r002.txt"]["publisher"] == "机构2"
    assert open_index(index).reports["r002"].meta.title == "第2号报告(修订版)"
    _assert_equals_fresh(kb, tmp_path / "fresh")


@pytest.mark.parametrize("moves_before_kill", [0, 1])
def test_recovery_killed_midway_is_resumed(
    kb: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, moves_before_kill: int
):
    """An update (two moves: the old file out, the new one in) whose recovery is itself killed."""
    index, corpus = Path(kb.index), Path(kb.corpus)
    old = (corpus / "r002.txt").read_bytes()
    v2 = _incoming(tmp_path / "incoming", 200, "v2.txt")
    with monkeypatch.context() as m:
        m.setattr(journal.Transaction, "commit", _kill)
        with pytest.raises(_Killed):
            update_report(kb, "r002", v2)
    move = journal._move
    made = []

    def killed_midway(src: Path, dst: Path) -> None:
        if len(made) == moves_before_kill:
            raise _Killed
        made.append(src)
        move(src, dst)

    with monkeypatch.context() as m:
        m.setattr(journal, "_move", killed_midway)
        with pytest.raises(_Killed):
            journal.recover(index)
    assert journal.pending(index).done == moves_before_kill

    note = journal.recover(index)
    assert note is not None and "completed the interrupted update of r002.txt" in note, note
    _assert_settled(index)
    assert (corpus / "r002.txt").read_bytes() == v2.read_bytes()
    assert [p.read_bytes() for p in (corpus / REMOVED).iterdir()] == [old]
    _assert_equals_fresh(kb, tmp_path / "fresh")


def test_recovery_from_another_working_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """`cxkb add --corpus corpus --index index` (relative) killed after publishing; the app, started
    elsewhere with the same folders given as absolute paths, recovers. The new file must end up in the corpus.
    """
    work = tmp_path / "work"
    _corpus(work / "corpus", range(3))
    new = _incoming(work / "incoming", 100)
    monkeypatch.chdir(work)
    settings = _settings(tmp_path, Path("corpus"), Path("index"))
    build_index(settings)
    with monkeypatch.context() as m:
        m.setattr(journal.Transaction, "commit", _kill)
        with pytest.raises(_Killed):
            add_reports(settings, [Path("incoming/r100.txt")])
    monkeypatch.chdir(tmp_path)

    note = journal.recover(work / "index")
    assert note is not None and "completed the interrupted add of r100.txt" in note, note
    assert (work / "corpus" / "r100.txt").is_file(), (
        "BUG: recovery said it completed the add, but r100.txt is not in the corpus (and its staged copy was "
        "deleted): the journal records its moves as paths relative to the writer's working directory "
        "(Transaction.stage/retire store str(index / ...) and str(corpus / ...) unresolved)"
    )
    assert (work / "corpus" / "r100.txt").read_bytes() == new.read_bytes()


# --- a killed writer's leftovers -------------------------------------------------------------------------------


def test_any_command_clears_leftovers(kb: Settings):
    index = Path(kb.index)
    live = open_index(index).generation
    (index / "g-20200101T000000-deadbeef").mkdir()
    (index / "g-20200101T000000-deadbeef" / "chunks.jsonl").write_text("{}\n", encoding="utf-8")
    (index / ".g-20200101T000000-deadbeef.tmp").mkdir()
    (index / STAGING / "20200101T000000-deadbeef").mkdir(parents=True)
    (index / STAGING / "20200101T000000-deadbeef" / "x.txt").write_text("staged", encoding="utf-8")
    (index / f".{MANIFEST}.tmp").write_text("{", encoding="utf-8")

    result = _cli(kb, "reports", "--index", str(index))
    assert result.exit_code == 0, result.output
    assert "note: removed 4 leftover folder(s) of a killed writer" in result.stderr, result.stderr
    assert sorted(p.name for p in index.iterdir()) == sorted([".lock", MANIFEST, live])
    assert open_index(index).generation == live
    assert len(result.stdout.splitlines()) == 5  # every report still listed


# --- cxkb check ----------------------------------------------------------------------------------------------


def test_check_on_a_consistent_index(kb: Settings):
    result = _cli(kb, "check", "--corpus", str(kb.corpus), "--index", str(kb.index))
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("ok:"), result.output


def _break(settings: Settings, how: str, tmp_path: Path) -> list[str]:
    """Make one disagreement by hand; returns what `cxkb check` must say about it."""
    corpus = Path(settings.corpus)
    if how == "copied in":
        _incoming(corpus, 100)
        return ["problem: r100.txt is in the corpus but not in the index"]
    if how == "deleted":
        (corpus / "r001.txt").unlink()
        return [
            "problem: report r001 is indexed but its file r001.txt is not in the corpus",
            "problem: the catalogue has an entry for r001.txt, which is not in the corpus",
        ]
    if how == "edited":
        with (corpus / "r003.txt").open("a", encoding="utf-8") as f:
            f.write("补充:客户体验的投入增加了 17%。\n")
        return ["problem: r003.txt changed since it was indexed"]
    if how == "catalogue entry":
        catalog = _catalog_of(range(5))
        catalog["reports"]["ghost.txt"] = {"title": "不存在的报告"}
        _write_catalog(corpus, catalog)
        return ["problem: the catalogue has an entry for ghost.txt, which is not in the corpus"]
    assert how == "all"
    return [
        line for h in ("copied in", "deleted", "edited", "catalogue entry") for line in _break(settings, h, tmp_path)
    ]


@pytest.mark.parametrize("how", ["copied in", "deleted", "edited", "catalogue entry", "all"])
def test_check_finds_and_repairs(kb: Settings, tmp_path: Path, how: str):
    expected = _break(kb, how, tmp_path)
    where = ["--corpus", str(kb.corpus), "--index", str(kb.index)]
    found = _cli(kb, "check", *where)
    assert found.exit_code == 1, found.output
    assert sorted(found.stdout.splitlines()) == sorted(expected), found.output
    assert "run `cxkb check --repair`" in found.stderr

    repaired = _cli(kb, "check", "--repair", *where)
    assert repaired.exit_code == 0, repaired.output
    assert "repaired:" in repaired.stdout and repaired.stdout.splitlines()[-1].startswith("ok:"), repaired.output
    again = _cli(kb, "check", *where)
    assert again.exit_code == 0 and again.stdout.startswith("ok:"), again.output
    catalog = json.loads((Path(kb.corpus) / CATALOG).read_text(encoding="utf-8"))["reports"]
    assert "ghost.txt" not in catalog
    assert _corpus_reports(kb) == _indexed_sources(kb)
    _assert_equals_fresh(kb, tmp_path / "fresh")


def test_check_sees_leftovers_and_an_interrupted_change(kb: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """`check` reports (and with repair clears) what a killed writer left; `cxkb check` alone of all commands
    does not recover first, so that it can show it."""
    index = Path(kb.index)
    with monkeypatch.context() as m:
        m.setattr(journal.Transaction, "commit", _kill)
        with pytest.raises(_Killed):
            add_reports(kb, [_incoming(tmp_path / "incoming", 100)])
    (index / "g-20200101T000000-deadbeef").mkdir()
    found = check(kb)
    assert any("an interrupted add of r100.txt is recorded in the journal" in p for p in found.problems), found
    assert any("leftover file(s) of a killed writer: g-20200101T000000-deadbeef" in p for p in found.problems), found
    assert any("r100.txt" in p and "not in the corpus" in p for p in found.problems), found
    assert not found.repaired and journal.pending(index) is not None, "check without repair changed something"

    repaired = check(kb, repair=True)
    assert any("completed the interrupted add of r100.txt" in r for r in repaired.repaired), repaired
    assert check(kb).problems == []
    _assert_settled(index)
    assert _corpus_reports(kb) == _indexed_sources(kb)

    (index / "g-20200101T000000-deadbeef").mkdir()
    result = _cli(kb, "check", "--corpus", str(kb.corpus), "--index", str(index))
    assert result.exit_code == 1 and "leftover file(s) of a killed writer" in result.stdout, result.output
    assert (index / "g-20200101T000000-deadbeef").is_dir(), "check without --repair changed something"
    result = _cli(kb, "check", "--repair", "--corpus", str(kb.corpus), "--index", str(index))
    assert result.exit_code == 0 and result.stdout.splitlines()[-1].startswith("ok:"), result.output
    assert not (index / "g-20200101T000000-deadbeef").exists()
    _assert_equals_fresh(kb, tmp_path / "fresh")


# --- the CLI's error boundary ----------------------------------------------------------------------------------


def test_unexpected_error_is_one_line_exit_2(kb: Settings, monkeypatch: pytest.MonkeyPatch):
    def boom(*args, **kwargs):
        raise ValueError("boom")

    monkeypatch.setattr(cxkb.maintain, "remove_report", boom)
    result = _cli(kb, "remove", "r001", "--corpus", str(kb.corpus), "--index", str(kb.index))
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert "unexpected ValueError" in lines[0] and "boom" in lines[0] and "run with -v for details" in lines[0]
    assert "Traceback" not in result.output
    verbose = _cli(kb, "-v", "remove", "r001", "--corpus", str(kb.corpus), "--index", str(kb.index))
    assert isinstance(verbose.exception, ValueError), "-v should let the exception (and its traceback) through"


# --- a real SIGKILL at random moments ----------------------------------------------------------------------------
#
# Four operations (cxkb add, update, remove and the app's upload) run in a subprocess and get SIGKILL at a
# seeded random moment, uniform over the measured time a complete run holds the writer lock. After each
# kill the next command (alternately `cxkb reports` and journal.recover in-process) completes or rolls
# back the change, and then: nothing is left over, the corpus is all-before or all-after (every file
# whole), and the live index equals a fresh build of that corpus. Uniform moments almost all land before
# publishing (moving the files in takes ~5 ms of a ~2.5 s window), so a few more kills per operation land
# within COMMIT_WINDOW of the new manifest appearing: those must be completed. Each run is a fresh
# interpreter (~1 s of imports, ~1 s of jieba start-up inside the lock): the counts set this test's time.

KILLS_PER_OP = 8
TRIES_PER_OP = 16  # a run can finish before its kill lands; it is then tried again (the count is asserted)
COMMIT_KILLS_PER_OP = 3
COMMIT_WINDOW = 0.004  # s after the new manifest appears: the journal's moves and the clean-up take ~4-8 ms

UPLOAD = """
import sys
from pathlib import Path

from cxkb.app import open_kb, upload_report
from cxkb.settings import load_settings

config, corpus, index, file, workdir = sys.argv[1:]
settings = load_settings(Path(config), corpus=Path(corpus), index=Path(index))
ok, message = upload_report(open_kb(index, settings), file, workdir=Path(workdir))
print(message, file=sys.stderr)
sys.exit(0 if ok else 1)
"""


class _Command(Writer):
    """A :class:`Writer` for any command line: the CLI, or the app's upload as a script."""

    def __init__(self, tmp_path: Path, index: Path, argv: list[str]) -> None:
        super().__init__(tmp_path, index)
        self.argv = argv

    def start(self) -> subprocess.Popen:
        with self.stderr.open("wb") as err:
            return subprocess.Popen(
                self.argv,
                cwd=ROOT,
                env={**os.environ, "PYTHONPATH": str(ROOT)},
                stdout=subprocess.DEVNULL,
                stderr=err,
                start_new_session=True,
            )

    def kill_after_publishing(self, delay: float) -> bool:
        """Start, then SIGKILL ``delay`` s after the new manifest appears; True when it really was killed."""
        manifest = self.index / MANIFEST
        published = manifest.stat().st_ino  # replaced atomically: a new file, a new inode
        proc = self.start()
        while proc.poll() is None:
            with contextlib.suppress(FileNotFoundError):
                if manifest.stat().st_ino != published:
                    break
            time.sleep(0.0002)
        deadline = time.perf_counter() + delay
        while time.perf_counter() < deadline and proc.poll() is None:
            pass  # sleep() is too coarse for a few milliseconds
        if proc.poll() is not None:
            self.finished(proc)
            return False
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=60)
        with writer_lock(self.index, "test"):
            pass
        return True


def test_killed_changes_are_completed_or_rolled_back(tmp_path: Path):
    corpus = _corpus(tmp_path / "corpus", range(8))
    _write_catalog(corpus, _catalog_of(range(8)))
    settings = _settings(tmp_path, corpus, tmp_path / "index")
    index = Path(settings.index)
    build_index(settings)
    pristine = tmp_path / "pristine"
    for name in ("corpus", "index"):
        shutil.copytree(tmp_path / name, pristine / name)
    uploads = tmp_path / "uploads"

    def reset() -> None:
        for name in ("corpus", "index", "uploads"):
            shutil.rmtree(tmp_path / name, ignore_errors=True)
        for name in ("corpus", "index"):
            shutil.copytree(pristine / name, tmp_path / name)
        uploads.mkdir()

    incoming = tmp_path / "incoming"
    added, uploaded, v2 = _incoming(incoming, 100), _incoming(incoming, 101), _incoming(incoming, 203, "v2.txt")
    config = str(tmp_path / "cxkb.toml")
    where = ["--corpus", str(corpus), "--index", str(index)]
    cli = [sys.executable, "-m", "cxkb.cli", "--config", config]
    ops = {
        "add": _Command(tmp_path, index, [*cli, "add", str(added), "--publisher", "Acme", *where]),
        "update": _Command(tmp_path, index, [*cli, "update", "r003", str(v2), "--title", "第3号报告(修订版)", *where]),
        "remove": _Command(tmp_path, index, [*cli, "remove", "r005", *where]),
        "upload": _Command(
            tmp_path,
            index,
            [sys.executable, "-c", UPLOAD, config, str(corpus), str(index), str(uploaded), str(uploads)],
        ),
    }

    # Each operation once, complete and measured: its window, and the corpus and index it must leave.
    reset()
    before = (_corpus_state(corpus), _snapshot(index))
    held, after = {}, {}
    for op, command in ops.items():
        held[op] = command.run()
        _assert_settled(index)
        after[op] = (_corpus_state(corpus), _fresh(settings, tmp_path / "fresh"))
        assert after[op][1] == _snapshot(index), f"a complete {op} differs from a fresh build"
        assert after[op][0] != before[0], f"a complete {op} changed nothing"
        reset()

    rng = random.Random(20250613)
    kills = dict.fromkeys(ops, 0)
    tries = dict.fromkeys(ops, 0)
    outcomes: dict[str, int] = {}

    def settle(op: str, what: str, cli_next: bool) -> str:
        """The next command after a kill, then the checks; returns what the recovery did."""
        if cli_next:  # a real CLI command in a fresh process ...
            proc = subprocess.run(
                [*cli, "reports", "--json", "--index", str(index)],
                cwd=ROOT,
                env={**os.environ, "PYTHONPATH": str(ROOT)},
                capture_output=True,
                text=True,
                timeout=300,
            )
            assert proc.returncode == 0, f"{what}: `cxkb reports` failed: {proc.stderr}"
            note = proc.stderr
            listed = {row["source"] for row in json.loads(proc.stdout)}
            assert listed == {p.name for p in corpus.glob("*.txt")}, f"{what}: corpus and `cxkb reports` differ"
        else:  # ... or the recovery in-process, as the app does at start
            note = journal.recover(index) or ""
        _assert_settled(index)
        state = _corpus_state(corpus)
        outcome = "rolled back" if "rolled back" in note else "completed" if "completed" in note else "nothing"
        if outcome == "rolled back":
            assert state == before[0], f"{what}: rolled back, but the corpus is not as before"
        elif outcome == "completed":
            assert state == after[op][0], f"{what}: completed, but the corpus is not as after"
        # Every file whole, the catalogue too: the corpus is exactly before or exactly after the change ...
        assert state in (before[0], after[op][0]), f"{what}: the corpus is neither before nor after ({note})"
        # ... and the live index equals a fresh build of it (both fresh builds were made above).
        expected = before[1] if state == before[0] else after[op][1]
        assert _snapshot(index) == expected, f"{what}: the live index differs from a fresh build of the corpus"
        reset()
        return outcome

    n = 0
    while any(kills[op] < KILLS_PER_OP and tries[op] < TRIES_PER_OP for op in ops):
        for op, command in ops.items():
            if kills[op] >= KILLS_PER_OP or tries[op] >= TRIES_PER_OP:
                continue
            tries[op] += 1
            delay = rng.uniform(0.0, held[op])
            if not command.kill_after(delay):
                assert _corpus_state(corpus) == after[op][0], f"{op} finished but its change is not all there"
                assert _snapshot(index) == after[op][1], f"{op} finished but its index differs from a fresh build"
                reset()
                continue
            kills[op] += 1
            n += 1
            outcome = settle(op, f"{op} killed {delay:.2f}s into its {held[op]:.2f}s window", cli_next=n % 2 == 1)
            outcomes[outcome] = outcomes.get(outcome, 0) + 1

    # Moving the files in takes a few ms of those seconds, so uniform moments almost never land there.
    # These kills do: at a random moment within COMMIT_WINDOW of the new manifest appearing.
    completed: dict[str, int] = {}
    for op, command in ops.items():
        for i in range(COMMIT_KILLS_PER_OP):
            delay = rng.uniform(0.0, COMMIT_WINDOW)
            if command.kill_after_publishing(delay):
                what = f"{op} killed {delay * 1000:.1f} ms after publishing"
                outcome = settle(op, what, cli_next=i % 2 == 0)
                completed[outcome] = completed.get(outcome, 0) + 1
            else:
                reset()

    total = sum(kills.values())
    assert total >= 30 and min(kills.values()) >= KILLS_PER_OP - 2, (
        f"too few runs were really killed: {kills} in {tries} tries; windows {held}; outcomes {outcomes}"
    )
    assert completed.get("completed", 0) >= 2, f"too few kills landed while the files were moved in: {completed}"
