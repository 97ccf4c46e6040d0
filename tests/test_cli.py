import json

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
