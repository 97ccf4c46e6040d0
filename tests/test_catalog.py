import json
from pathlib import Path

import pytest

from cxkb.catalog import CATALOG, check_meta, load_catalog, save_entry
from cxkb.errors import InputError
from cxkb.models import Meta


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "not valid UTF-8 JSON"),
        ('{"reports": []}', '"reports" must be an object keyed by file name'),
        ("[1, 2]", '"reports" must be an object keyed by file name'),
        ('{"reports": {"a.txt": "Acme"}}', "the entry for 'a.txt' is not an object"),
    ],
)
def test_a_malformed_catalogue_is_one_error_naming_the_file_and_the_fix(tmp_path: Path, content: str, message: str):
    (tmp_path / CATALOG).write_text(content, encoding="utf-8")
    with pytest.raises(InputError, match=message) as caught:
        load_catalog(tmp_path)
    assert CATALOG in str(caught.value) and ("fix" in str(caught.value))
    # Writing an entry into it fails the same way, and leaves the file as it was.
    with pytest.raises(InputError):
        save_entry(tmp_path, "b.txt", Meta(publisher="X"))
    assert (tmp_path / CATALOG).read_text(encoding="utf-8") == content


def test_entries_round_trip(tmp_path: Path):
    save_entry(tmp_path, "a.txt", Meta(title="报告", publisher="Acme"))
    assert load_catalog(tmp_path)["a.txt"].publisher == "Acme"
    save_entry(tmp_path, "a.txt", None)
    assert json.loads((tmp_path / CATALOG).read_text(encoding="utf-8")) == {"reports": {}}
    assert load_catalog(tmp_path / "nowhere") == {}


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("date", "not-a-date", "is not a date"),
        ("date", "2024-13-01", "is not a date"),
        ("url", "javascript:alert(1)", "not an http"),
        ("script", "klingon", "not simplified or traditional"),
        ("title", "标题\n第二行", "one line each"),
    ],
)
def test_typed_metadata_is_checked(field: str, value: str, message: str):
    with pytest.raises(InputError, match=message):
        check_meta(Meta(**{field: value}))


def test_good_metadata_passes():
    meta = Meta(title="报告", date="2024-05", url="https://example.com/r", script="traditional")
    assert check_meta(meta) is meta
    assert check_meta(Meta(date="2024")) and check_meta(Meta(date="2024-02-29"))


def test_add_with_a_bad_date_copies_nothing(tiny_index, tmp_path: Path):
    from cxkb.maintain import add_reports

    new = tmp_path / "acme.txt"
    new.write_text("Acme 报告\n调查显示 42% 的企业设立了首席客户官。\n", encoding="utf-8")
    before = sorted(p.name for p in Path(tiny_index.corpus).iterdir())
    with pytest.raises(InputError, match="not a date"):
        add_reports(tiny_index, [new], Meta(date="not-a-date"))
    assert sorted(p.name for p in Path(tiny_index.corpus).iterdir()) == before
