import sys

from cxkb import bench_speed


def test_a_child_process_is_timed_with_its_peak_memory():
    wall, peak = bench_speed._child(
        [sys.executable, "-c", "x = bytearray(60 * 2**20); x[::4096] = b'1' * len(x[::4096])"]
    )
    assert 0 < wall < 30 and peak >= 60  # MB: the child touched 60 MB


def test_the_report_names_every_measure():
    result = bench_speed.Speed(
        index="indexes/default",
        cold={"ask": {"wall_s": 1.5, "peak_mb": 380}},
        warm={"search": {"p50_ms": 12.0, "p95_ms": 20.0, "questions": 160}},
        embedding={
            "torch": {"passages_s": 10.0, "cosine_min": 1.0, "ratio": 1.0},
            "torch (batch 4)": {"passages_s": 11.0, "cosine_min": 1.0, "ratio": 1.1, "ratio_fastest": 1.0},
            "onnx": {"passages_s": 12.0, "cosine_min": 0.9999, "ratio": 1.2},
            "auto": {"query": "onnx", "build": "torch"},
        },
        cpu="test CPU",
    )
    text = bench_speed.to_markdown(result)
    assert "cold `cxkb ask` (whole process) | 1.50 s, peak 380 MB" in text
    assert "warm search p50 / p95 (160 questions) | 12.0 / 20.0 ms" in text
    assert "| onnx | 12.0 | 1.20 | – | 0.99990 |" in text
    assert "| torch (batch 4) | 11.0 | 1.10 | 1.00 | 1.00000 |" in text and "queries onnx, builds torch" in text
