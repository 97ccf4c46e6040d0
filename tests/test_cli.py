import json

import pytest
from click.testing import CliRunner

from cxkb.cli import main
from cxkb.settings import Settings


def _run(*args: str, input: str | None = None):
    result = CliRunner().invoke(main, list(args), input=input, catch_exceptions=False)
    return result


def test_build_search_reports_show(tiny_settings: Settings):
    idx, corpus = str(tiny_settings.index), str(tiny_settings.corpus)
    out = _run("build", "--corpus", corpus, "--index", idx, "--model", "hash:64")
    assert out.exit_code == 0, out.output
    assert "2 reports" in out.output
    out = _run("search", "核心客户体验指标", "--index", idx, "--json", "-k", "2")
    hits = json.loads(out.output)
    assert hits[0]["source"] == "qualtrics.txt" and "87%" in hits[0]["text"]
    out = _run("search", "-", "--index", idx, input="客户体验指标\n首席执行官\n")
    lines = [json.loads(line) for line in out.output.splitlines()]
    assert [line["question"] for line in lines] == ["客户体验指标", "首席执行官"]
    out = _run("reports", "--index", idx, "--json")
    assert {r["id"] for r in json.loads(out.output)} == {"qualtrics", "walker"}
    out = _run("show", "walker", "--index", idx, "--json")
    shown = json.loads(out.output)
    assert "550" in shown["text"] and shown["chunks"]


def test_errors_are_one_line(tmp_path):
    result = CliRunner().invoke(main, ["search", "x", "--index", str(tmp_path / "none")])
    assert result.exit_code == 1
    assert result.output.strip().startswith("error:") and "cxkb build" in result.output
    assert "Traceback" not in result.output


def test_empty_question_error(tiny_index: Settings):
    result = CliRunner().invoke(main, ["search", " ", "--index", str(tiny_index.index)])
    assert result.exit_code == 1 and "empty" in result.output


def test_stats_csv_and_json(tiny_index: Settings, tmp_path):
    idx = str(tiny_index.index)
    out = _run("stats", "NPS", "--index", idx, "--json")
    rows = json.loads(out.output)
    assert rows and rows[0]["report_id"] == "qualtrics" and "NPS" in rows[0]["quote"]
    csv_file = tmp_path / "nps.csv"
    out = _run("stats", "NPS", "--index", idx, "--csv", str(csv_file))
    assert csv_file.read_bytes().startswith(b"\xef\xbb\xbf") and "三分之二" in csv_file.read_text("utf-8-sig")
    out = _run("stats", "NPS", "--index", idx)
    assert "mentioned without a figure in walker" in out.output


def test_ask_cli_json(tiny_index: Settings, tmp_path):
    config = tmp_path / "cxkb.toml"
    config.write_text("answerable_threshold = 0.0\n")  # see tiny_settings: the hash embedder is no judge
    out = _run(
        "--config", str(config), "ask", "有核心客户体验指标的组织占多少？", "--index", str(tiny_index.index), "--json"
    )
    data = json.loads(out.output)
    assert data["answerable"] and "87%" in data["answer"] and data["citations"][0]["source"] == "qualtrics.txt"


def test_add_remove_cli(tiny_index: Settings, tmp_path):
    new = tmp_path / "acme.txt"
    new.write_text("Acme 报告\n调查显示 42% 的企业设立了首席客户官。\n", encoding="utf-8")
    args = ["--corpus", str(tiny_index.corpus), "--index", str(tiny_index.index)]
    out = _run("add", str(new), *args, "--publisher", "Acme")
    assert out.exit_code == 0 and "as report acme" in out.output
    out = _run("add", str(new), *args)
    assert "same bytes" in out.output and "unchanged" in out.output
    out = _run("remove", "acme", *args)
    assert out.exit_code == 0 and "removed report acme" in out.output


def test_bench_answerable_without_the_benchmark_data_names_the_fix(tmp_path):
    out = _run("bench", "answerable", "--data", str(tmp_path / "nowhere"), "--work", str(tmp_path / "work"))
    assert out.exit_code != 0
    assert "DRCD_dev.json not found" in out.output and "--data" in out.output


def test_one_bad_line_does_not_end_a_stdin_batch(tiny_index: Settings):
    idx = str(tiny_index.index)
    batch = "核心客户体验指标\n" + "问" * 1000 + "\nNPS\n"
    out = _run("search", "-", "--index", idx, "-k", "1", input=batch)
    lines = [json.loads(line) for line in out.output.splitlines() if line.startswith("{")]
    assert [("error" in line) for line in lines] == [False, True, False]  # q3 still answered
    assert "1000 characters" in lines[1]["error"] and out.exit_code == 1
    out = _run("ask", "-", "--index", idx, input=batch)
    assert out.exit_code == 1 and out.output.count('"error"') == 1 and out.output.count('"answerable"') == 2


@pytest.mark.parametrize("args", [["-k", "-3"], ["-k", "0"], ["--report", "nosuch"]])
def test_search_options_are_checked(tiny_index: Settings, args: list[str]):
    out = _run("search", "核心客户体验指标", "--index", str(tiny_index.index), *args)
    assert out.exit_code != 0
    assert "k must be at least 1" in out.output or "no report matches 'nosuch'" in out.output


def test_stats_csv_into_a_missing_folder_is_a_one_line_error(tiny_index: Settings, tmp_path):
    out = _run("stats", "NPS", "--index", str(tiny_index.index), "--csv", str(tmp_path / "nowhere" / "x.csv"))
    assert out.exit_code != 0 and "cannot write" in out.output and "Traceback" not in out.output


def test_a_file_name_with_a_line_break_is_shown_on_one_line(tiny_index: Settings, tmp_path):
    odd = tmp_path / "two\nlines.txt"
    odd.write_text("", encoding="utf-8")  # empty: skipped, and the reason names the file
    out = _run("add", str(odd), "--corpus", str(tiny_index.corpus), "--index", str(tiny_index.index))
    skipped = [line for line in out.output.splitlines() if line.startswith("skipped")]
    assert len(skipped) == 1 and "two\\nlines.txt" in skipped[0]


def test_a_missing_file_is_named_once_and_said_to_be_missing(tiny_index: Settings, tmp_path):
    gone = tmp_path / "gone.txt"
    out = _run("add", str(gone), "--corpus", str(tiny_index.corpus), "--index", str(tiny_index.index))
    skipped = [line for line in out.output.splitlines() if line.startswith("skipped")]
    assert skipped == [f"skipped {gone}: no such file; check the path"], out.output
