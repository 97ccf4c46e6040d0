"""Faults: a killed writer, a damaged index file, a full disk.

After any of them the index opens cleanly and serves either the old or the new generation,
never a mix; damage is reported as IndexCorruptError naming ``cxkb build``; a rerun of the
interrupted command completes and equals a fresh build. Offline, ``hash:64`` embedder only.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from cxkb.chunk import chunk_report
from cxkb.errors import CxkbError, IndexCorruptError
from cxkb.index import MANIFEST, build_index, corpus_files, load_report, open_index, writer_lock
from cxkb.models import Meta
from cxkb.settings import Settings, load_settings

ROOT = Path(__file__).resolve().parent.parent
WORDS = ["客户体验", "净推荐值", "满意度", "品牌", "渠道", "数字化", "忠诚度", "旅程", "服务", "员工体验", "投诉"]


def _manifest(index: Path) -> dict:
    return json.loads((Path(index) / MANIFEST).read_text(encoding="utf-8"))


# --- a damaged index file ---------------------------------------------------------------------------------------


def _live(settings: Settings, name: str) -> Path:
    return Path(settings.index) / _manifest(settings.index)["generation"] / name


def _bm25_npy(settings: Settings) -> str:
    files = sorted(_manifest(settings.index)["files"])
    return next(f for f in files if f.startswith("bm25") and f.endswith(".npy"))


@pytest.mark.parametrize("target", ["vectors.npy", "bm25"])
@pytest.mark.parametrize("damage", ["truncate", "bit-flip"])
def test_damaged_index_file_is_corrupt_naming_the_fix(tiny_index: Settings, target: str, damage: str):
    name = _bm25_npy(tiny_index) if target == "bm25" else target
    file = _live(tiny_index, name)
    data = bytearray(file.read_bytes())
    if damage == "truncate":
        del data[len(data) // 2 :]
    else:
        data[len(data) // 2] ^= 0x10
    file.write_bytes(bytes(data))
    with pytest.raises(IndexCorruptError, match=r"fails its checksum.*`cxkb build`"):
        open_index(tiny_index.index)


@pytest.mark.parametrize("target", ["vectors.npy", "bm25"])
def test_truncated_file_with_a_matching_checksum_is_still_corrupt(tiny_index: Settings, target: str):
    # A file cut short *before* it was checksummed (a writer bug, a copy tool): the loader itself must fail cleanly.
    name = _bm25_npy(tiny_index) if target == "bm25" else target
    file = _live(tiny_index, name)
    file.write_bytes(file.read_bytes()[: max(1, file.stat().st_size // 2)])
    manifest_path = Path(tiny_index.index) / MANIFEST
    manifest = _manifest(tiny_index.index)
    import hashlib

    manifest["files"][name] = hashlib.sha256(file.read_bytes()).hexdigest()
    manifest_path.write_text(json.dumps(manifest), encoding="utf-8")
    with pytest.raises(IndexCorruptError, match="cxkb build"):
        open_index(tiny_index.index)


# --- a full disk ------------------------------------------------------------------------------------------------


def _no_space(*args, **kwargs):
    raise OSError(errno.ENOSPC, "No space left on device")


@pytest.mark.parametrize("where", ["numpy.save", "open_memmap", "headings.json", "manifest"])
def test_disk_full_during_build(tiny_index: Settings, monkeypatch: pytest.MonkeyPatch, where: str):
    """ENOSPC at any write: a CxkbError saying what to do, the old generation serving, no litter."""

    index = Path(tiny_index.index)
    before = open_index(index)
    manifest_bytes = (index / MANIFEST).read_bytes()
    (Path(tiny_index.corpus) / "new.txt").write_text(
        "新报告\n调查显示 42% 的企业设立了首席客户官。\n", encoding="utf-8"
    )
    if where == "numpy.save":
        monkeypatch.setattr(np, "save", _no_space)
    elif where == "open_memmap":
        monkeypatch.setattr(np.lib.format, "open_memmap", _no_space)
    else:
        target = {"headings.json": "headings.json", "manifest": f".{MANIFEST}.tmp"}[where]
        write_text = Path.write_text

        def full(self: Path, *args, **kwargs):
            if self.name == target:
                _no_space()
            return write_text(self, *args, **kwargs)

        monkeypatch.setattr(Path, "write_text", full)
    with pytest.raises(CxkbError, match=r"no space left.*old index is unchanged.*rerun `cxkb build`") as caught:
        build_index(tiny_index)
    assert isinstance(caught.value.__cause__, OSError)
    monkeypatch.undo()
    # The old index still opens and serves the same generation ...
    assert (index / MANIFEST).read_bytes() == manifest_bytes
    after = open_index(index)
    assert after.generation == before.generation and len(after.chunks) == len(before.chunks)
    # ... and nothing of the failed build is left behind.
    assert sorted(p.name for p in index.iterdir() if p.name != ".lock") == sorted([MANIFEST, before.generation])
    # With space again, the same build goes through.
    assert build_index(tiny_index).chunks > len(before.chunks)


# --- a killed writer --------------------------------------------------------------------------------------------
#
# The real CLI runs in a subprocess and gets SIGKILL at a seeded random moment while it holds
# the writer lock (from taking the lock to exiting: reading, embedding, writing the generation,
# publishing, cleaning up), spread over the measured duration of that window.

# Ten kills in all. Each is a fresh interpreter (~1.5-3 s of imports and jieba start-up), so these
# two tests dominate this file's time; lower the counts to trade coverage of moments for speed.
BUILD_KILLS = 6
ADD_KILLS = 4
CONFIG = 'model = "hash:64"\nchunk_size = 120\nsentence_vectors = false\n'


def _report(i: int, rng: random.Random) -> str:
    lines = [f"第{i}号客户体验报告"]
    for j in range(24):
        a, b = rng.choice(WORDS), rng.choice(WORDS)
        lines.append(f"在{2000 + i}年的调查中,{rng.randint(1, 99)}% 的受访者认为{a}和{b}是第{j}项重点。")
    return "\n".join(lines) + "\n"


def _corpus(folder: Path, numbers: range) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for i in numbers:
        (folder / f"r{i:03d}.txt").write_text(_report(i, random.Random(i)), encoding="utf-8")
    return folder


def _settings(tmp_path: Path, corpus: Path, index: Path) -> Settings:
    config = tmp_path / "cxkb.toml"
    config.write_text(CONFIG, encoding="utf-8")
    return load_settings(config, corpus=corpus, index=index)


def _expected_chunks(settings: Settings) -> int:
    """Chunks a complete build of the corpus as it is now must have (no embedding needed to know)."""
    return sum(
        len(
            chunk_report(
                load_report(f, rid=f.stem, meta=Meta()), size=settings.chunk_size, overlap=settings.chunk_overlap
            )
        )
        for f in corpus_files(settings.corpus)
    )


class Writer:
    """``python -m cxkb.cli ARGS`` with the test config; knows when it holds the writer lock."""

    def __init__(self, tmp_path: Path, index: Path, *args: str) -> None:
        self.args = ["--config", str(tmp_path / "cxkb.toml"), *args]
        self.index = index
        self.stderr = tmp_path / "stderr.txt"

    def start(self) -> subprocess.Popen:
        with self.stderr.open("wb") as err:
            return subprocess.Popen(
                [sys.executable, "-m", "cxkb.cli", *self.args],
                cwd=ROOT,
                env={**os.environ, "PYTHONPATH": str(ROOT)},
                stdout=subprocess.DEVNULL,
                stderr=err,
                start_new_session=True,  # a kill reaches nothing but the writer
            )

    def wait_for_lock(self, proc: subprocess.Popen) -> bool:
        """True once ``proc`` holds the lock; False when it exited first."""
        deadline = time.monotonic() + 120
        while proc.poll() is None:
            with contextlib.suppress(FileNotFoundError):
                if f"pid {proc.pid} " in (self.index / ".lock").read_text():
                    return True
            assert time.monotonic() < deadline, "the writer never took the lock"
            time.sleep(0.002)
        return False

    def finished(self, proc: subprocess.Popen) -> None:
        proc.wait(timeout=300)
        # It must succeed, and never be refused by a lock a killed writer held.
        assert proc.returncode == 0, self.stderr.read_text(errors="replace")

    def run(self) -> float:
        """A complete run; returns how long it held the lock."""
        proc = self.start()
        locked = self.wait_for_lock(proc)
        started = time.perf_counter()
        self.finished(proc)
        assert locked, "finished without taking the lock?"
        return time.perf_counter() - started

    def kill_after(self, delay: float) -> bool:
        """Start, then SIGKILL ``delay`` s after it took the lock; True when it really was killed."""
        proc = self.start()
        if self.wait_for_lock(proc):
            try:
                proc.wait(timeout=delay)
            except subprocess.TimeoutExpired:
                proc.send_signal(signal.SIGKILL)
                proc.wait(timeout=60)
                # Killed holding the lock: the holder's note is stale, but the OS dropped the flock.
                with writer_lock(self.index, "test"):
                    pass
                return True
        self.finished(proc)
        return False


def _state(index: Path) -> tuple[str, int]:
    opened = open_index(index)  # must open cleanly, whatever moment the kill hit
    assert opened.manifest["chunk_count"] == len(opened.chunks) == len(opened.vectors)
    return opened.generation, len(opened.chunks)


def _old_or_new(index: Path, before: tuple[str, int], new_chunks: int) -> tuple[str, int]:
    after = _state(index)
    assert after == before or (after[0] != before[0] and after[1] == new_chunks), (before, after, new_chunks)
    return after


def _survivors(tmp_path: Path) -> list[str]:
    """Processes still running on this test's files (a killed writer's build workers, say)."""
    found = []
    for proc in Path("/proc").iterdir():
        with contextlib.suppress(OSError):
            if proc.name.isdigit() and str(tmp_path).encode() in (proc / "cmdline").read_bytes():
                found.append(proc.name)
    return found


def _clean_after_rerun(index: Path) -> None:
    live = _manifest(index)["generation"]
    leftovers = [p.name for p in index.iterdir() if p.is_dir() and p.name != live]
    assert leftovers == [], leftovers  # a killed run's generation or .g-*.tmp folder is gone after a rerun


def test_killed_build_leaves_old_or_new_and_a_rerun_completes(tmp_path: Path):
    corpus = _corpus(tmp_path / "corpus", range(30))
    settings = _settings(tmp_path, corpus, tmp_path / "index")
    index = Path(settings.index)
    build = Writer(tmp_path, index, "build", "--corpus", str(corpus), "--index", str(index))
    held = build.run()  # the first build, measured
    state = _state(index)
    assert state[1] == _expected_chunks(settings)

    rng = random.Random(20240611)
    killed = 0
    for n in range(BUILD_KILLS):
        _corpus(corpus, range(30 + n, 31 + n))  # one more report each time: old and new differ
        new = _expected_chunks(settings)
        assert new > state[1]
        killed += build.kill_after(rng.uniform(0.0, 1.0) * held)
        state = _old_or_new(index, state, new)
    assert killed >= BUILD_KILLS // 2, f"too few runs were really killed ({killed}/{BUILD_KILLS}, {held:.1f}s window)"
    deadline = time.monotonic() + 10
    while _survivors(tmp_path) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not _survivors(tmp_path), "a killed build left worker processes running"

    build.run()  # a rerun of the same command completes (no stale lock) ...
    _clean_after_rerun(index)
    fresh = build_index(settings.replace(index=tmp_path / "fresh"))
    assert _state(index)[1] == fresh.chunks == _expected_chunks(settings)  # ... and equals a fresh build


def test_killed_add_leaves_old_or_new_and_a_rerun_completes(tmp_path: Path):
    corpus = _corpus(tmp_path / "corpus", range(30))
    settings = _settings(tmp_path, corpus, tmp_path / "index")
    index = Path(settings.index)
    build_index(settings)
    incoming = _corpus(tmp_path / "incoming", range(100, 104))
    pristine = tmp_path / "pristine"
    for name in ("corpus", "index"):
        shutil.copytree(tmp_path / name, pristine / name)

    def reset() -> None:
        for name in ("corpus", "index"):
            shutil.rmtree(tmp_path / name)
            shutil.copytree(pristine / name, tmp_path / name)

    files = sorted(str(p) for p in incoming.iterdir())
    add = Writer(tmp_path, index, "add", *files, "--corpus", str(corpus), "--index", str(index))
    held = add.run()  # measured
    new = _state(index)[1]
    fresh = build_index(settings.replace(index=tmp_path / "fresh"))
    assert new == fresh.chunks == _expected_chunks(settings)
    reset()

    rng = random.Random(4711)
    killed = 0
    for _ in range(ADD_KILLS):
        before = _state(index)
        if add.kill_after(rng.uniform(0.0, 1.0) * held):
            killed += 1
            _old_or_new(index, before, new)
            for given in files:  # an added file is in the corpus whole, or not at all
                copied = corpus / Path(given).name
                assert not copied.exists() or copied.read_bytes() == Path(given).read_bytes()
        else:
            reset()  # it finished: start the next one from the old index again
    assert killed >= ADD_KILLS // 2, f"too few runs were really killed ({killed}/{ADD_KILLS}, {held:.1f}s window)"

    add.run()  # the rerun completes ...
    _clean_after_rerun(index)
    assert _state(index)[1] == new  # ... and equals a fresh build of the same reports
    assert sorted(p.name for p in corpus.glob("r1*.txt")) == sorted(Path(f).name for f in files)
