"""Maintainers' changes as transactions: stage, record the intent, publish the index, move files in.

A change (add, update, remove, an upload) never touches ``corpus/`` before the index generation
that reflects it is live. Its files wait in ``<index>/.staging/<id>/``; ``<index>/journal.json``
records every move still to make, the catalogue to write, and the name of the generation that
makes them true. After a kill, the next command (any ``cxkb`` command, the app at start)
finishes the moves when that generation is live, or drops the staged files when it is not:
the corpus, the catalogue and the live index never disagree for longer than one command.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import shutil
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from .errors import IndexCorruptError, IndexLockedError
from .index import MANIFEST, _fsync_dir, generation_name, writer_lock

log = logging.getLogger(__name__)

JOURNAL = "journal.json"
STAGING = ".staging"
REMOVED = ".removed"  # corpus files a change replaces or removes go here, never deleted
_FIX = "run `cxkb check --repair`"


@dataclass
class Transaction:
    """One maintainer change; ``moves`` are (from, to) paths applied in order once ``generation`` is live."""

    index: Path
    corpus: Path
    op: str
    names: list[str]
    generation: str = field(default_factory=generation_name)
    txid: str = field(default_factory=lambda: f"{time.strftime('%Y%m%dT%H%M%S')}-{uuid.uuid4().hex[:8]}")
    moves: list[tuple[str, str]] = field(default_factory=list)
    catalog: dict | None = None  # the whole catalogue as it must read afterwards; None: unchanged
    done: int = 0  # moves already made (a rerun repeats at most the one in flight)

    @property
    def staging(self) -> Path:
        return self.index / STAGING / self.txid

    def stage(self, raw: bytes, name: str) -> Path:
        """Keep ``raw`` outside the corpus until the index that holds it is published."""
        self.staging.mkdir(parents=True, exist_ok=True)
        path = self.staging / name
        with path.open("wb") as f:
            f.write(raw)
            os.fsync(f.fileno())
        self.moves.append((str(path), str(self.corpus / name)))
        return path

    def retire(self, name: str) -> None:
        """Move the corpus file ``name`` to ``corpus/.removed/`` (before any staged file takes its place)."""
        kept = self.corpus / REMOVED / f"{time.strftime('%Y%m%dT%H%M%S')}-{self.txid[-8:]}-{name}"
        self.moves.insert(0, (str(self.corpus / name), str(kept)))

    def files(self, current: list[Path]) -> list[Path]:
        """The corpus files as they will be after the moves (staged files standing in for their targets)."""
        gone = {Path(src).name for src, dst in self.moves if Path(src).parent == self.corpus}
        staged = {Path(dst).name: Path(src) for src, dst in self.moves if Path(dst).parent == self.corpus}
        kept = [p for p in current if p.name not in gone and p.name not in staged]
        return sorted([*kept, *staged.values()], key=lambda p: p.name)

    def record(self) -> None:
        """Write the journal (atomically, synced) before anything is published."""
        self.index.mkdir(parents=True, exist_ok=True)
        body = {
            "op": self.op,
            "names": self.names,
            "txid": self.txid,
            "corpus": str(self.corpus),
            "generation": self.generation,
            "moves": self.moves,
            "catalog": self.catalog,
            "done": self.done,
        }
        tmp = self.index / f".{JOURNAL}.tmp"
        with tmp.open("w", encoding="utf-8") as f:
            f.write(json.dumps(body, ensure_ascii=False, indent=1))
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, self.index / JOURNAL)
        _fsync_dir(self.index)

    def commit(self) -> None:
        """Make the moves and write the catalogue (the generation is live), then drop the journal."""
        from .catalog import write_catalog

        for i in range(self.done, len(self.moves)):
            _move(Path(self.moves[i][0]), Path(self.moves[i][1]))
            self.done = i + 1
            self.record()
        if self.catalog is not None:
            write_catalog(self.corpus, self.catalog)
        _fsync_dir(self.corpus)
        self._forget()

    def abort(self) -> None:
        """Nothing was published: drop the staged files and the journal; the corpus was never touched."""
        self._forget()

    def _forget(self) -> None:
        (self.index / JOURNAL).unlink(missing_ok=True)
        shutil.rmtree(self.staging, ignore_errors=True)
        with contextlib.suppress(OSError):
            self.staging.parent.rmdir()  # only when no other change's files are in it
        _fsync_dir(self.index)

    def describe(self) -> str:
        return f"{self.op} of {', '.join(self.names) or '(nothing)'}"


def _move(src: Path, dst: Path) -> None:
    """Move one file; repeating a move that already happened does nothing."""
    if not src.exists():
        return
    dst.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.replace(src, dst)
    except OSError:  # staging and corpus on different file systems: copy whole, then swap in
        tmp = dst.parent / f".{dst.name}.tmp"
        shutil.copyfile(src, tmp)
        with tmp.open("rb") as f:
            os.fsync(f.fileno())
        os.replace(tmp, dst)
        src.unlink()


def begin(index: Path, corpus: Path, op: str, names: list[str]) -> Transaction:
    """A new transaction (nothing is written until :meth:`Transaction.stage` or ``record``).

    Paths are made absolute: the next command may run from another working directory.
    """
    return Transaction(Path(index).resolve(), Path(corpus).resolve(), op, names)


def pending(index: Path) -> Transaction | None:
    """The unfinished change recorded in ``index``'s journal, if any."""
    path = Path(index) / JOURNAL
    if not path.is_file():
        return None
    try:
        body = json.loads(path.read_text(encoding="utf-8"))
        return Transaction(
            index=Path(index),
            corpus=Path(body["corpus"]),
            op=body["op"],
            names=list(body["names"]),
            generation=body["generation"],
            txid=body["txid"],
            moves=[(str(a), str(b)) for a, b in body["moves"]],
            catalog=body["catalog"],
            done=int(body["done"]),
        )
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise IndexCorruptError(f"index {index}: {JOURNAL} is unreadable ({exc}); {_FIX}") from exc


def _live(index: Path) -> str | None:
    try:
        return json.loads((Path(index) / MANIFEST).read_text(encoding="utf-8")).get("generation")
    except (OSError, ValueError, AttributeError):
        return None


def leftovers(index: Path) -> list[Path]:
    """Folders and files a killed writer left in ``index``: unpublished generations, temp files, staging."""
    index = Path(index)
    if not index.is_dir():
        return []
    live, journal = _live(index), (index / JOURNAL).is_file()
    found = []
    for p in index.iterdir():
        unpublished = p.is_dir() and p.name.startswith("g-") and p.name != live
        if unpublished or p.name.endswith(".tmp") or (p.name == STAGING and not journal):
            found.append(p)
    return sorted(found)


def finish(index: Path) -> str | None:
    """Complete or roll back an interrupted change and clear leftovers (the writer lock is held).

    Returns what was done, for the user, or None when there was nothing to do.
    """
    index = Path(index)
    notes = []
    try:
        tx = pending(index)
    except IndexCorruptError:
        # Written by atomic replace, so only a hand edit breaks it; `cxkb check` then compares the rest.
        (index / JOURNAL).unlink()
        notes.append(f"dropped an unreadable {JOURNAL}; `cxkb check` compares the corpus with the index")
        tx = None
    if tx is not None:
        if _live(index) == tx.generation:
            tx.commit()
            notes.append(f"completed the interrupted {tx.describe()} (its index was already published)")
        else:
            tx.abort()
            notes.append(f"rolled back the interrupted {tx.describe()} (nothing had been published)")
    litter = leftovers(index)
    for p in litter:
        if p.is_dir():
            shutil.rmtree(p, ignore_errors=True)
        else:
            p.unlink(missing_ok=True)
    if litter:
        notes.append(f"removed {len(litter)} leftover folder(s) of a killed writer from {index}")
    for note in notes:
        log.info("%s", note)
    return "; ".join(notes) or None


def recover(index: Path) -> str | None:
    """:func:`finish`, when a change was interrupted and no writer is running now (else None)."""
    index = Path(index)
    if not (index / JOURNAL).is_file() and not leftovers(index):
        return None
    try:
        with writer_lock(index, "recover"):
            return finish(index)
    except IndexLockedError:
        return None  # a writer is at work; the journal is its own
