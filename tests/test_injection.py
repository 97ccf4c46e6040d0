"""The injection guard flags no ordinary report sentence: every sentence of the seeds and the documents suite."""

from pathlib import Path

import pytest

from cxkb.chunk import sentences
from cxkb.ingest import load_report
from cxkb.injection import looks_like_injection
from cxkb.readers import SUFFIXES

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT.parent / "shared" / "seeds"
DOCUMENTS = ROOT / "eval" / "documents"


def _files() -> list[Path]:
    found = sorted(SEEDS.glob("*.txt")) if SEEDS.is_dir() else []
    return found + sorted(p for p in DOCUMENTS.iterdir() if p.suffix.lower() in SUFFIXES)


@pytest.mark.parametrize("path", _files(), ids=lambda p: p.name)
def test_no_sentence_of_a_real_report_is_flagged(path: Path):
    report = load_report(path, rid=path.stem, meta={})
    flagged = [report.text[a:b] for a, b in sentences(report.text) if looks_like_injection(report.text[a:b])]
    assert flagged == []


def test_the_corpus_reaches_the_test():
    assert len(_files()) >= 12  # the documents suite at least, so the test above cannot pass on nothing
