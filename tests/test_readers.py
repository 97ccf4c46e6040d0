from pathlib import Path

import pytest

from cxkb.errors import InputError
from cxkb.readers import read as read_document
from cxkb.readers.encoding import decode
from cxkb.readers.html import read as read_html

TEXT = "客户体验是首要任务。87% 的受访者表示有核心指标。"
TRAD = "客戶體驗是一個首要任務。淨推廣得分和其他指標。"


def test_utf8_with_bom(tmp_path: Path):
    p = tmp_path / "a.txt"
    p.write_bytes(b"\xef\xbb\xbf" + TEXT.encode())
    doc = read_document(p)
    assert [b.text for b in doc.body] == [TEXT] and doc.encoding == "utf-8"


def test_gbk_and_gb18030(tmp_path: Path):
    assert decode(TEXT.encode("gbk"), name="x")[0] == TEXT
    rare = TEXT + "𠀀"  # a 4-byte GB18030 character
    assert decode(rare.encode("gb18030"), name="x")[0] == rare


def test_big5(tmp_path: Path):
    text, encoding = decode(TRAD.encode("big5"), name="x")
    assert text == TRAD and encoding == "big5hkscs"


@pytest.mark.parametrize("raw", [b"", b"   \n\t  ", b"\x00\x01\x02binary\x00data" * 10])
def test_empty_whitespace_binary_rejected(tmp_path: Path, raw: bytes):
    p = tmp_path / "bad.txt"
    p.write_bytes(raw)
    with pytest.raises(InputError, match=r"bad\.txt"):
        read_document(p)


def test_unsupported_suffix(tmp_path: Path):
    p = tmp_path / "a.doc"
    p.write_bytes(b"x")
    with pytest.raises(InputError, match="unsupported"):
        read_document(p)


def test_html_main_text_only():
    markup = (
        "<html><head><title>t</title><style>.x{}</style></head><body><nav>首页</nav>"
        "<article><p>客户体验正文。</p><script>alert('x')</script>"
        "<div style='display:none'>隐藏文字</div><p hidden>也隐藏</p></article></body></html>"
    )
    text = "\n".join(b.text for b in read_html(markup.encode(), "page.html").body)
    assert "客户体验正文。" in text
    for noise in ["alert", "隐藏文字", "也隐藏", ".x{}"]:
        assert noise not in text


def test_pdf_without_text_layer_is_an_error(tmp_path: Path):
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    p = tmp_path / "scan.pdf"
    with p.open("wb") as f:
        writer.write(f)
    with pytest.raises(InputError, match="no text layer"):
        read_document(p)


def test_truncated_pdf_is_an_error(tmp_path: Path):
    p = tmp_path / "cut.pdf"
    p.write_bytes(b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog")
    with pytest.raises(InputError, match=r"cut\.pdf"):
        read_document(p)
