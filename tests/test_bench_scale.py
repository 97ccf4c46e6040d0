import json
import sys
from pathlib import Path

from cxkb import bench_scale
from cxkb.chunk import chunk_report
from cxkb.ingest import load_report


def _benchmarks(folder: Path) -> Path:
    paragraphs = [
        {"context": "客户体验是企业竞争的关键。超过一半的受访企业设立了首席客户官。净推荐值被广泛使用！", "qas": []},
        {
            "context": "調查顯示，百分之八十七的組織有核心指標。領先企業更重視員工體驗？",
            "qas": [{"question": "有多少组织?"}],
        },
    ]
    (folder / "drcd").mkdir(parents=True)
    (folder / "drcd" / "DRCD_dev.json").write_text(
        json.dumps({"data": [{"paragraphs": paragraphs}]}, ensure_ascii=False), encoding="utf-8"
    )
    return folder


def test_the_library_comes_out_near_the_asked_chunk_count(tmp_path: Path):
    sentences, questions = bench_scale.pool(_benchmarks(tmp_path / "data"))
    assert len(sentences) == 5 and questions == ["有多少组织?"]
    reports, characters = bench_scale.write_library(tmp_path / "lib", 400, sentences, 300)
    chunks = sum(
        len(chunk_report(load_report(p, rid=p.stem, meta={}))) for p in sorted((tmp_path / "lib").glob("*.txt"))
    )
    assert reports > 1 and characters > 0
    assert 300 <= chunks <= 550, chunks  # within reach of the 400 asked for


def test_a_process_tree_is_measured_with_its_children():
    wall, peak = bench_scale.run_measured(
        [
            sys.executable,
            "-c",
            "import subprocess, sys, time; x = bytearray(80 * 2**20); x[::4096] = b'1' * len(x[::4096]); "
            "subprocess.run([sys.executable, '-c', 'y = bytearray(80 * 2**20); y[::4096] = b\"1\" * len(y[::4096]); "
            "import time; time.sleep(1.5)'])",
        ]
    )
    assert wall > 1 and peak >= 150  # MB: parent and child each touched 80 MB at the same time


def test_the_report_names_every_target_measure():
    result = bench_scale.Scale(
        chunks_asked=130_000,
        reports=7000,
        characters=30_000_000,
        chunks=131_000,
        build={"wall_s": 500, "embedding_s": 150, "without_embedding_s": 350, "peak_mb": 2500, "size_mb": 1500},
        serve={
            "open_s": 1.2,
            "rss_mb": 1400,
            "rss_anon_mb": 900,
            "rss_file_mb": 500,
            "search_p50_ms": 10.0,
            "search_p95_ms": 20.0,
            "ask_p50_ms": 30.0,
            "ask_p95_ms": 50.0,
            "questions": 200,
            "query_embed_p50_ms": 15.0,
        },
        ann={"ann": "hnsw", "recall_at_10": 0.9, "recall_queries": 200},
        cpu="test CPU",
    )
    text = bench_scale.to_markdown(result)
    assert "**350 s** (500 s in all, 150 s of it embedding), peak 2,500 MB" in text
    assert "| open (fresh process, after imports) | 1.20 s |" in text
    assert "1,400 MB: 900 MB process memory, 500 MB pages" in text
    assert "30.0 + 15.0 ms query embedding = **45.0 ms** / 50.0 ms" in text
    assert "recall@10 against exact search (200 queries) | 0.900 |" in text
