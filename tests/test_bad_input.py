"""Bad input: every file gives a correct decode or an InputError naming the file and the reason.

A rejected file never changes the index (the manifest's bytes stay identical) and never stops
the rest of a batch. Everything here is offline and uses the ``hash:64`` test embedder.
"""

from __future__ import annotations

import io
import os
import re
import time
import zlib
from pathlib import Path
from types import SimpleNamespace

import pytest

import cxkb.readers.pdf as pdf_reader
from cxkb.document import render
from cxkb.errors import InputError
from cxkb.index import build_index, open_index
from cxkb.maintain import add_reports
from cxkb.readers import MAX_CHARS, read
from cxkb.readers.encoding import decode
from cxkb.segment import MAX_PIECE, _pieces, tokenize
from cxkb.settings import Settings

BODY = (
    "客户体验管理报告\n"
    "为了了解客户体验管理的现状,研究所对 151 名大公司的客户体验专业人员进行了调查。\n"
    "87% 的受访者表示他们的组织有一个核心的客户体验指标,三分之二的受访者使用净推荐值作为核心指标。\n"
)
TRAD = "客戶體驗管理報告\n我們與《首席執行官》雜誌合作,收集了超過 550 位 CEO 的相關反饋。\n淨推廣得分是核心指標。\n"
INVISIBLE = "\u200b\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u061c"


def read_document(path: Path) -> SimpleNamespace:
    """What a reader made of a file: its rendered text, format, encoding and removal audit."""
    doc = read(path)
    return SimpleNamespace(text=render(doc).text, kind=doc.format, encoding=doc.encoding, removed=doc.removed)


def _manifest(settings: Settings) -> bytes:
    return (Path(settings.index) / "manifest.json").read_bytes()


def _write(path: Path, data: bytes | str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


# --- PDFs written as raw bytes: a text layer in Helvetica, optionally Flate-compressed --------------------------

_TEXT_OPS = b"BT /F1 12 Tf 72 712 Td (Customer experience matters to every company surveyed.) Tj ET"


def _pdf(content: bytes = _TEXT_OPS, *, flate: bool = False, pages: int = 1) -> bytes:
    kids = " ".join(f"{10 + i} 0 R" for i in range(pages))
    objects = {
        1: b"<< /Type /Catalog /Pages 2 0 R >>",
        2: f"<< /Type /Pages /Kids [{kids}] /Count {pages} >>".encode(),
        3: b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        4: b"<< /Length %d%s >>\nstream\n" % (len(content), b" /Filter /FlateDecode" if flate else b"")
        + content
        + b"\nendstream",
    }
    for i in range(pages):
        objects[10 + i] = (
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
            b"/Resources << /Font << /F1 3 0 R >> >> /Contents 4 0 R >>"
        )
    out, offsets = bytearray(b"%PDF-1.4\n"), {}
    for n in sorted(objects):
        offsets[n] = len(out)
        out += b"%d 0 obj\n" % n + objects[n] + b"\nendobj\n"
    size = max(objects) + 1
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % size
    for n in range(1, size):
        out += b"%010d 00000 n \n" % offsets[n] if n in offsets else b"0000000000 65535 f \n"
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (size, xref)
    return bytes(out)


def _encrypted_pdf(user_password: str) -> bytes:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(_pdf())))
    writer.encrypt(user_password, owner_password="owner-secret")
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def _bomb(megabytes: int = 200) -> bytes:
    """A ~1 MB PDF whose one content stream inflates to ``megabytes`` MB."""
    packer = zlib.compressobj(1)
    block = b" " * (1 << 20)
    data = b"".join([packer.compress(block) for _ in range(megabytes)] + [packer.flush()])
    return _pdf(data, flate=True)


def _blank_pdf() -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


# --- the bad files: (file name, content, what the error must say) ---------------------------------------------

_UTF8 = BODY.encode("utf-8") * 20
_MID = len(_UTF8) // 2 + 1  # inside a multibyte character
_EDGE = len(BODY.encode("utf-8")) * 10  # between two characters, on line 31

BAD = {
    "empty.txt": (b"", "empty or whitespace"),
    "blank.md": (" \n\t\r\n\u3000\u3000  \n".encode(), "empty or whitespace"),
    "photo.txt": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + zlib.compress(bytes(range(256)) * 64), "binary"),
    "noise.txt": (bytes((b % 255) + 1 for b in os.urandom(4096)), "binary|not valid UTF-8"),
    "bad-byte.txt": (_UTF8[:_EDGE] + b"\xff" + _UTF8[_EDGE:], rf"invalid UTF-8 at byte {_EDGE} \(line 31\); 1 damaged"),
    "lost-byte.txt": (_UTF8[:_MID] + _UTF8[_MID + 1 :], r"invalid UTF-8 at byte \d+ \(line \d+\)"),
    "huge-line.txt": (None, "over the 1,000,000-character limit"),  # 50 MB, written by the test
    "scan.pdf": (_blank_pdf(), "no text layer"),
    "locked.pdf": (_encrypted_pdf("user-secret"), "encrypted"),
    "cut.pdf": (_pdf()[:300], "cannot read the PDF.*truncated"),
    "bomb.pdf": (None, "too large to extract safely"),  # written by the test
    "many-pages.pdf": (_pdf(pages=pdf_reader.MAX_PDF_PAGES + 1), "over the 2000-page limit"),
}


def _make(folder: Path, name: str) -> Path:
    data, _ = BAD[name]
    if name == "huge-line.txt":
        line = "客户体验是首要任务，87% 的受访者表示有核心指标。"
        data = (line * (50 * 1024 * 1024 // len(line.encode()))).encode()  # one 50 MB line
    elif name == "bomb.pdf":
        data = _bomb()
    return _write(folder / name, data)


@pytest.mark.parametrize("name", sorted(BAD))
def test_bad_file_is_a_clear_error(tmp_path: Path, name: str):
    path = _make(tmp_path, name)
    started = time.perf_counter()
    with pytest.raises(InputError) as caught:
        read_document(path)
    message = str(caught.value)
    assert message.startswith(str(path)), message  # names the file
    assert re.search(BAD[name][1], message), message  # and the reason
    assert time.perf_counter() - started < 30  # never hangs (the 50 MB line and the bomb included)


def test_bad_files_in_a_batch_leave_the_index_alone_and_the_rest_goes_in(tiny_index: Settings, tmp_path: Path):
    incoming = tmp_path / "incoming"
    bad = [_make(incoming, name) for name in sorted(BAD)]
    before = _manifest(tiny_index)
    change = add_reports(tiny_index, bad)
    assert not change.added and set(change.skipped) == {str(p) for p in bad}
    assert _manifest(tiny_index) == before  # all rejected: the index is untouched, byte for byte
    assert sorted(p.name for p in tiny_index.corpus.iterdir()) == ["catalog.json", "qualtrics.txt", "walker.txt"]

    good = _write(incoming / "good.txt", BODY.replace("151", "152"))
    gbk = _write(incoming / "gbk.txt", BODY.replace("151", "153").encode("gbk"))
    cheap = [p for p in bad if p.name not in {"huge-line.txt", "bomb.pdf"}]  # both were rejected just above
    change = add_reports(tiny_index, [cheap[0], good, *cheap[1:], gbk])
    assert set(change.added) == {str(good), str(gbk)} and set(change.skipped) == {str(p) for p in cheap}
    for given, reason in change.skipped.items():
        assert given in reason  # each reason names its file
    index = open_index(tiny_index.index)
    assert {"good", "gbk"} <= set(index.reports)
    assert "153 名大公司" in index.reports["gbk"].text


# --- encodings -------------------------------------------------------------------------------------------------


def test_gbk_gb18030_big5_decode_correctly(tmp_path: Path):
    rare = BODY + "生僻字𠀀𪚥与欧元符号€。\n"  # 𠀀 𪚥 are 4-byte sequences in GB18030
    cases = {"gbk.txt": (BODY, "gbk"), "gb18030.txt": (rare, "gb18030"), "big5.txt": (TRAD, "big5")}
    for name, (text, codec) in cases.items():
        doc = read_document(_write(tmp_path / name, text.encode(codec)))
        assert doc.text == text.strip(), name
    assert read_document(tmp_path / "big5.txt").encoding == "big5hkscs"
    assert read_document(tmp_path / "gb18030.txt").encoding == "gb18030"


@pytest.mark.parametrize("damage", ["lone-continuation", "truncated-end", "overlong"])
def test_utf8_with_a_few_bad_bytes_is_an_error_with_the_offset(damage: str):
    raw = {
        "lone-continuation": _UTF8[:_MID] + b"\x80" + _UTF8[_MID:],
        "truncated-end": _UTF8 + "客".encode()[:2],
        "overlong": _UTF8[:_MID] + b"\xc0\xaf" + _UTF8[_MID:],
    }[damage]
    with pytest.raises(InputError, match=r"x\.txt: invalid UTF-8 at byte \d+"):
        decode(raw, name="x.txt")
    # ... while a short GBK file, which is not UTF-8 at all, is still read as GBK.
    assert decode("客户体验".encode("gbk"), name="x")[0] == "客户体验"


def test_mojibake_decodes_and_nothing_crashes(tiny_index: Settings, tmp_path: Path):
    # UTF-8 text that was once mis-decoded as GBK and saved as UTF-8 again. It *is* valid UTF-8,
    # so ingest reads it as it is (the damage happened before us). The cleaner turns runs it can
    # recognise (lost bytes: U+FFFD, "??") into 〔…〕 so they are never quoted; a run without such
    # a trace (an even number of bytes) is kept verbatim: rare characters, harmless but unsearchable.
    clean_run = "客户体验".encode().decode("gbk", errors="replace")  # 瀹㈡埛浣撻獙
    lossy_run = "净推荐值是核心指标".encode().decode("gbk", errors="replace")
    assert "\ufffd" in lossy_run and "\ufffd" not in clean_run
    path = _write(tmp_path / "moji.txt", f"乱码报告\n{clean_run}。{lossy_run}。\n" + BODY.replace("151", "154"))
    doc = read_document(path)
    assert doc.encoding == "utf-8" and clean_run in doc.text
    change = add_reports(tiny_index, [path])
    assert change.added == {str(path): "moji"}
    text = open_index(tiny_index.index).reports["moji"].text
    assert clean_run in text  # documented: kept as is
    assert "〔…〕" in text and "\ufffd" not in text  # the lossy run is marked, never quoted as text


# --- size limits and pathological lines ----------------------------------------------------------------------


def test_50_mb_single_line_is_rejected_fast_and_the_build_goes_on(tiny_settings: Settings):
    path = _make(Path(tiny_settings.corpus), "huge-line.txt")
    assert path.stat().st_size > 49 * 1024 * 1024
    started = time.perf_counter()
    summary = build_index(tiny_settings)
    assert time.perf_counter() - started < 30
    assert f"{MAX_CHARS:,}-character limit" in summary.failed["huge-line.txt"]
    assert {r.source for r in summary.reports} == {"qualtrics.txt", "walker.txt"}


def test_1_mb_single_line_indexes(tmp_path: Path):
    line = "客户体验是首要任务，87% 的受访者表示有核心指标。"
    corpus = tmp_path / "corpus"
    _write(corpus / "line.txt", line * (1024 * 1024 // len(line.encode()) + 1))
    settings = Settings(corpus=corpus, index=tmp_path / "index", model="hash:64", sentence_vectors=False)
    started = time.perf_counter()
    summary = build_index(settings)
    assert time.perf_counter() - started < 120  # ~10 s on an idle laptop core; no quadratic step
    index = open_index(settings.index)
    assert len(index.chunks) == summary.chunks > 1000
    assert "\n" not in index.reports["line"].text


def test_repeated_word_neither_hangs_jieba_nor_the_build(tiny_settings: Settings):
    text = "中国" * 10**6  # 2,000,000 characters without a single break
    assert max(len(p) for p in _pieces(text)) == MAX_PIECE  # jieba only ever sees bounded pieces
    started = time.perf_counter()
    tokens = tokenize(text[: 10**5])  # linear in length; the full text takes ~20 s on one core
    assert time.perf_counter() - started < 30
    assert set(tokens) == {"中国"} and len(tokens) == 5 * 10**4
    _write(Path(tiny_settings.corpus) / "china.txt", text)
    started = time.perf_counter()
    summary = build_index(tiny_settings)
    assert time.perf_counter() - started < 30
    assert "2,000,000 characters is over the 1,000,000-character limit" in summary.failed["china.txt"]


# --- invisible characters -------------------------------------------------------------------------------------


def test_nul_zero_width_and_bidi_never_reach_tokens_or_quotes(tiny_index: Settings, tmp_path: Path):
    text = BODY.replace("客户体验专业人员", "客户\u200b体验\u200e专业\u202e人员\u2066").replace("调查", "调\x00查")
    path = _write(tmp_path / "invisible.txt", text + f"最后一句话{INVISIBLE}没有别的内容。\n")
    doc = read_document(path)
    assert (doc.removed["control"], doc.removed["bidi"]) == (
        1,
        15,
    )  # counted (3 + 12 bidi, one NUL); U+200B is the cleaner's
    assert "\x00" not in doc.text and not any(ch in doc.text for ch in INVISIBLE if ch != "\u200b")
    add_reports(tiny_index, [path])
    index = open_index(tiny_index.index)
    report = index.reports["invisible"]
    assert "客户体验专业人员" in report.text and "调查" in report.text
    quoted = [report.text] + [c.text for c in index.chunks]
    assert not any(ch in q for q in quoted for ch in INVISIBLE + "\x00")
    assert not any(ch in term for term in index.df for ch in INVISIBLE + "\x00")


def test_many_nuls_are_binary_a_few_are_dropped():
    with pytest.raises(InputError, match="looks binary"):
        decode(BODY.encode() + b"\x00" * 64, name="x.txt")
    assert decode(BODY.encode() + b"\x00", name="x.txt")[0] == BODY + "\x00"  # read_document drops it, counted


# --- HTML -----------------------------------------------------------------------------------------------------

_HTML = """<!doctype html><html><head><meta charset="{charset}"><title>网页标题噪音</title>
<style>.x {{ color: red }}</style><script>var secret = "脚本内容";</script></head>
<body><nav>首页 | 关于我们</nav><article>
<h1>客户体验报告</h1><p>为了了解客户体验管理的现状,研究所对 155 名专业人员进行了调查。</p>
<script>document.write("动态脚本文字")</script><noscript>请启用脚本</noscript>
<div style="display: none">隐藏的推广文字</div><p hidden>隐藏段落</p><span aria-hidden="true">无障碍隐藏</span>
<template><p>模板文字</p></template><!-- 注释里的文字 --><input type="hidden" value="隐藏字段">
<p>87% 的受访者表示他们的组织有一个核心的客户体验指标。</p></article></body></html>"""
_HIDDEN = [
    "脚本内容",
    "动态脚本文字",
    "请启用脚本",
    "隐藏的推广文字",
    "隐藏段落",
    "无障碍隐藏",
    "模板文字",
    "注释里的文字",
]


def test_html_scripts_and_hidden_text_are_not_indexed(tiny_index: Settings, tmp_path: Path):
    page = _write(tmp_path / "page.html", _HTML.format(charset="utf-8"))
    add_reports(tiny_index, [page])
    index = open_index(tiny_index.index)
    text = index.reports["page"].text
    assert "155 名专业人员" in text and "87% 的受访者" in text
    indexed = [text] + [c.text for c in index.chunks] + list(index.df)
    for hidden in [*_HIDDEN, "网页标题噪音", "隐藏字段", "secret", "color"]:
        assert not any(hidden in part for part in indexed), hidden


@pytest.mark.parametrize(("declared", "codec"), [("big5", "utf-8"), ("utf-8", "gbk"), ("gbk", "big5")])
def test_html_meta_charset_is_ignored(tmp_path: Path, declared: str, codec: str):
    markup = _HTML.format(charset=declared)
    expected = "为了了解客户体验管理的现状"
    if codec == "big5":
        import opencc

        markup, expected = (opencc.OpenCC("s2tw").convert(t) for t in (markup, expected))
    doc = read_document(_write(tmp_path / "lies.html", markup.encode(codec)))
    assert expected in doc.text


# --- PDFs -----------------------------------------------------------------------------------------------------


def test_normal_pdf_is_read_fast(tmp_path: Path):
    for name, data in {"plain.pdf": _pdf(), "flate.pdf": _pdf(zlib.compress(_TEXT_OPS), flate=True)}.items():
        started = time.perf_counter()
        doc = read_document(_write(tmp_path / name, data))
        assert doc.kind == "pdf" and "Customer experience matters" in doc.text
        assert time.perf_counter() - started < 10  # one short-lived child process


def test_pdf_with_only_an_owner_password_is_read(tmp_path: Path):
    # Copy/print restrictions only: opens with the empty user password, like in any viewer.
    doc = read_document(_write(tmp_path / "restricted.pdf", _encrypted_pdf("")))
    assert "Customer experience matters" in doc.text


def test_pdf_extraction_runs_under_memory_and_time_limits(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    path = _write(tmp_path / "plain.pdf", _pdf())
    monkeypatch.setattr(pdf_reader, "PDF_MEMORY_BYTES", 8 * 1024 * 1024)  # the child cannot even start
    with pytest.raises(InputError, match=r"plain\.pdf: .*too large to extract safely"):
        read_document(path)
    monkeypatch.setattr(pdf_reader, "PDF_MEMORY_BYTES", 2 * 1024**3)
    monkeypatch.setattr(pdf_reader, "PDF_TIMEOUT_S", 0.001)
    with pytest.raises(InputError, match=r"too large to extract safely"):
        read_document(path)


# --- names and links ------------------------------------------------------------------------------------------


def _outside(root: Path, *inside: Path) -> set[Path]:
    return {p for p in root.rglob("*") if not any(p == d or d in p.parents for d in inside)}


def test_path_traversal_names_stay_inside_the_corpus(tiny_index: Settings, tmp_path: Path):
    corpus = Path(tiny_index.corpus)
    incoming = tmp_path / "incoming" / "deep" / "er"
    encoded = _write(incoming / "..%2f..%2fetc.txt", BODY.replace("151", "161"))
    dotted = _write(tmp_path / "incoming" / "escape.txt", BODY.replace("151", "162"))
    dotted_given = incoming / ".." / ".." / "escape.txt"  # a path with ".." parts
    before = _outside(tmp_path, corpus, Path(tiny_index.index))
    change = add_reports(tiny_index, [encoded, dotted_given])
    assert set(change.added) == {str(encoded), str(dotted_given)}
    assert _outside(tmp_path, corpus, Path(tiny_index.index)) == before  # nothing written anywhere else
    names = {p.name for p in corpus.iterdir()} - {"catalog.json", "qualtrics.txt", "walker.txt"}
    assert "escape.txt" in names and len(names) == 2
    (stored,) = names - {"escape.txt"}
    assert stored.startswith("report-") and stored.endswith(".txt") and "%" not in stored
    assert all((corpus / n).resolve().parent == corpus.resolve() for n in names)
    assert dotted.read_bytes() == (corpus / "escape.txt").read_bytes()


def test_symlink_is_rejected(tiny_index: Settings, tmp_path: Path):
    real = _write(tmp_path / "real.txt", BODY.replace("151", "171"))
    link = tmp_path / "link.txt"
    link.symlink_to(real)
    with pytest.raises(InputError, match=r"link\.txt: is a symbolic link"):
        read_document(link)
    before = _manifest(tiny_index)
    change = add_reports(tiny_index, [link])
    assert not change.added and "symbolic link" in change.skipped[str(link)]
    assert _manifest(tiny_index) == before
    # A link placed in the corpus folder (e.g. to /etc/passwd renamed .txt) is skipped by a build too.
    (Path(tiny_index.corpus) / "sneaky.txt").symlink_to(real)
    assert "symbolic link" in build_index(tiny_index).failed["sneaky.txt"]
