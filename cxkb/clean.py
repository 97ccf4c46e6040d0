"""Cleaning: raw decoded report text becomes the text readers see and quote.

The output keeps every sentence of content in its original script and width
(normalisation is a later, separate stage) and drops the noise that web and PDF
scrapes bring with them. Paragraphs are separated by a single "\\n". Every rule
counts the characters it removed in ``Cleaned.removed`` so a report's cleaning
can be audited, and PDF page starts are reported in ``Cleaned.pages``.

The rules are general signals (line shape, position in the document, keywords
on short or edge lines, character statistics), never lists of known sentences,
because new reports from the same sites arrive with the same kind of noise.
They run in this order:

``whitespace``          BOMs, zero-width characters, trailing spaces and the
                        ASCII/NBSP/ideographic-space indentation of web text.
``private_use``         U+E000 in the input, which the cleaner uses to mark pages.
``html_tags``           stray tags such as ``</p>`` left by a sloppy HTML export,
                        including ``/p>`` whose ``<`` was eaten by mojibake.
``mojibake``            runs of UTF-8 bytes mis-decoded as GBK: they start at a
                        ``?`` that stands for a lost byte next to a pinyin
                        fragment whose ``(`` was lost too (``?cè)``), or at
                        ``??`` / U+FFFD, and extend over rare characters, stray
                        single Latin letters and pinyin, bridging at most two
                        common characters. Each run becomes one ``〔…〕`` so it can
                        never be quoted as if it were text.
``pinyin``              toned pinyin readings inserted after characters
                        (``體驗(yàn)``); ``(NPS)`` or ``(change management)`` are
                        not pinyin and stay.
``markdown``            emphasis markers, heading hashes and link syntax; the
                        words themselves stay.
``footnote_marks``      superscript digits after text (``调研。¹``).
``navigation``/``ads``  everything above a breadcrumb (``A > B > C``,
                        ``您的当前位置:...``) at the head of a page, plus menu
                        lines anywhere: several short tokens split by ``|`` or
                        spaces, or a short line with a menu keyword.
``related_links``,      blocks that start with a short heading near the end
``download_prompt``,    (``相 关 文 章``, ``友情提示``, ``预览已结束``): everything
``preview_notice``      from the heading to the end is site furniture.
``footer``              copyright, reprint, submission and contact lines, e-mail
                        lines, "updated at" stamps. Keywords count only on short
                        lines, or on lines in the second half of the document
                        that are not long paragraphs.
``byline``              the date/author/translator line under the title.
``source_url``/``urls`` "原文地址:" lines and bare URL lines (the catalogue keeps
                        the URL).
``pagination``          "1 2 页  下页:..." lines.
``duplicate_lines``     a short head line repeated verbatim (the title printed
                        twice by a download site).
``figure_captions``     a bare "图 1" line whose figure did not survive; source
                        lines carrying data (``n = 501``) stay.
``page_markers``        in PDF extractions, a paragraph opening with ``12、``
                        (numbered 1, 2, 3, ... in sequence) starts page 12; the
                        marker goes, the page start is recorded, and the text is
                        joined across the break when it fell mid-sentence. With
                        ``kind="pdf"`` the form feed separates pages instead.
``pdf_line_breaks``     (``kind="pdf"`` only) a wrapped line that ends mid-sentence
                        is joined to the next line.
``injected_site_name``  a download site's name, learnt from the first breadcrumb
                        element, pasted into body sentences.
``pdf_spaces``          in PDF extractions only (``kind="pdf"`` or many
                        CJK-space-CJK gaps), the spaces left between two Chinese
                        characters by line wrapping; a space next to Latin
                        letters or digits stays.
``chart_numbers``       runs of three or more bare numbers/percentages (flattened
                        chart labels) and, in PDF extractions, a lone page number
                        between a sentence end and the next sentence.
``blank_lines``         blank lines and whitespace-only lines.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Callable
from dataclasses import replace
from functools import lru_cache

from .document import Block, Document, Table
from .models import Cleaned, Meta
from .normalize import to_simplified
from .readers.encoding import BIDI, BLOCK_CONTROLS

__all__ = ["LIST_ITEM", "clean", "clean_document"]

_KINDS = ("text", "markdown", "html-text", "pdf")

# A private-use character marks where a page starts while the text is being
# rewritten; rules never delete it, and it is turned into an offset at the end.
_PAGE = "\ue000"
_MOJIBAKE_MARK = "〔…〕"

_HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_CJK_PUNCT = "\u3000-\u303f\uff00-\uffef“”‘’"
_TERMINAL = "。！？!?；;…"
_PINYIN = "a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüńňǹḿ"
_TONED = set("āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜńňǹḿ")

_SHORT = 20  # a menu item or heading, not a sentence
_MEDIUM = 40  # still too short to be a paragraph of content
_EDGE_LINE = 200  # keyword lines at the tail may be this long (a footer sentence), not more


@lru_cache(maxsize=65536)
def _simplified(line: str) -> str:
    # Keywords are matched on the simplified, NFKC form so that traditional reports
    # (轉載, 聯系, 譯者) need no second keyword list and full-width digits (２０２４年)
    # read as digits; the line itself keeps its original characters.
    return to_simplified(unicodedata.normalize("NFKC", line))


@lru_cache(maxsize=65536)
def _is_common(ch: str) -> bool:
    """A character among the ~3,800 most common ones (GB2312 level 1, after t2s)."""
    simple = to_simplified(ch)
    if len(simple) != 1:
        simple = ch
    try:
        encoded = simple.encode("gb2312")
    except UnicodeEncodeError:
        return False
    return len(encoded) == 2 and 0xB0 <= encoded[0] <= 0xD7


_HAN_CHAR = re.compile(f"[{_HAN}]")


def _is_han(ch: str) -> bool:
    return _HAN_CHAR.match(ch) is not None


class _Audit:
    """Characters removed per rule, and the whole lines dropped (kept as the document's furniture)."""

    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()
        self.lines: list[tuple[str, str]] = []  # (rule, line)

    def add(self, rule: str, n: int) -> None:
        if n > 0:
            self.counts[rule] += n

    def drop(self, rule: str, line: str) -> str:
        """Count a dropped line, keep it for the audit, and return what is left of it (its page marks)."""
        bare = _bare(line)
        self.add(rule, len(bare))
        if bare:
            self.lines.append((rule, bare))
        return _drop(line)

    def sub(self, rule: str, pattern: re.Pattern[str], repl: str | Callable[[re.Match[str]], str], text: str) -> str:
        """``pattern.sub`` that counts what it removed and never drops a page mark."""

        def replace(match: re.Match[str]) -> str:
            new = repl(match) if callable(repl) else match.expand(repl)
            pages = match.group(0).count(_PAGE) - new.count(_PAGE)
            new = _PAGE * max(pages, 0) + new
            self.add(rule, len(match.group(0)) - len(new))
            return new

        return pattern.sub(replace, text)


def _drop(line: str) -> str:
    """What is left of a dropped line: only its page marks."""
    return _PAGE * line.count(_PAGE)


def _bare(line: str) -> str:
    return line.replace(_PAGE, "").strip()


# --- character-level rules -------------------------------------------------------------------------------------

_INVISIBLE = re.compile("[\ufeff\u200b\u200c\u200d\u2060]")
_TRAILING = re.compile(r"[ \t\u00a0\u3000]+$", re.M)
# Web text indents paragraphs with ASCII, no-break or ideographic spaces; the
# indentation carries no meaning once paragraphs are lines.
_INDENT = re.compile(r"^[ \t\u00a0\u3000]+", re.M)


def _whitespace(text: str, audit: _Audit) -> str:
    text = audit.sub("whitespace", _INVISIBLE, "", text)
    text = audit.sub("whitespace", _TRAILING, "", text)
    return audit.sub("whitespace", _INDENT, "", text)


_TAGS = "p|br|div|span|a|b|i|u|em|strong|font|li|ul|ol|h[1-6]|img|table|tr|td|th|tbody|thead|section|article"
_HTML_TAG = re.compile(rf"</?(?:{_TAGS})(?:\s[^<>\n]{{0,200}})?/?>", re.I)
# "</p>" right after a mojibake run: its "<" was swallowed into the run as "?".
_EATEN_TAG = re.compile(rf"(?<=\?)/(?:{_TAGS})>", re.I)


def _html_tags(text: str, audit: _Audit) -> str:
    text = audit.sub("html_tags", _HTML_TAG, "", text)
    return audit.sub("html_tags", _EATEN_TAG, "", text)


# A run starts where the mis-decoding left an unmistakable trace: a "?" (a lost
# byte) glued to a pinyin fragment that lost its "(", a doubled "??", or U+FFFD.
_MOJI_ANCHOR = re.compile(rf"\?+[{_PINYIN}]{{1,6}}\)|\?{{2,}}|\ufffd+")
# Inside a run these are garbage too: more lost bytes, pinyin, a single Latin
# letter stuck between characters (a byte that decoded as ASCII).
_MOJI_PART = re.compile(rf"\?+|\ufffd+|[{_PINYIN}]{{1,6}}\)|[A-Za-z](?=[{_HAN}(])")
# A whole "(pinyin)" is garbage only right after garbage; after a common
# character it is the reading of that character, left to the pinyin rule.
_MOJI_READING = re.compile(rf"\([{_PINYIN}]{{1,6}}\)")
_MOJI_BRIDGE = 2  # common characters tolerated between two pieces of garbage


def _mojibake_end(text: str, pos: int) -> int:
    end, bridged = pos, 0
    while pos < len(text):
        part = _MOJI_PART.match(text, pos) or (_MOJI_READING.match(text, pos) if pos == end else None)
        if part:
            pos = end = part.end()
            bridged = 0
            continue
        ch = text[pos]
        if not _is_han(ch):
            break
        pos += 1
        if _is_common(ch):
            bridged += 1
            if bridged > _MOJI_BRIDGE:
                break
        else:  # rare characters are what GBK makes of UTF-8 bytes
            end, bridged = pos, 0
    return end


def _mojibake(text: str, audit: _Audit) -> str:
    out, pos = [], 0
    for anchor in _MOJI_ANCHOR.finditer(text):
        if anchor.start() < pos:
            continue
        start = anchor.start()
        while start > pos and _is_han(text[start - 1]) and not _is_common(text[start - 1]):
            start -= 1
        end = _mojibake_end(text, anchor.end())
        run = text[start:end]
        if anchor.group(0).startswith("??") and not re.search(rf"[{_PINYIN}]\)|[{_HAN}]", run):
            continue  # "??" after a sentence is emphasis, not lost bytes
        out.append(text[pos:start])
        out.append(_MOJIBAKE_MARK + _PAGE * run.count(_PAGE))
        audit.add("mojibake", len(run))
        pos = end
    out.append(text[pos:])
    return "".join(out)


_INITIALS = "(?:zh|ch|sh|[bpmfdtnlgkhjqxrzcsyw])?"
_FINALS = (
    "(?:iang|iong|uang|ueng|ang|eng|ing|ong|ian|iao|uai|uan|üan|van|ai|ei|ao|ou|an|en|in|un|ün|ia|ie|iu|"
    "ua|uo|ue|üe|ve|ui|er|a|o|e|i|u|ü|v)"
)
_SYLLABLE = re.compile(f"{_INITIALS}{_FINALS}")
_PINYIN_READING = re.compile(rf"(?<=[{_HAN}])\(([{_PINYIN}\u0300-\u0304\u030c]{{1,8}})\)")


def _is_pinyin(word: str) -> bool:
    word = unicodedata.normalize("NFC", word)
    if not 1 <= len(word) <= 6:
        return False
    if any(ch in _TONED for ch in word):
        return True
    return _SYLLABLE.fullmatch(word) is not None


def _pinyin(text: str, audit: _Audit) -> str:
    return audit.sub("pinyin", _PINYIN_READING, lambda m: "" if _is_pinyin(m.group(1)) else m.group(0), text)


_BOLD = re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1")
_MD_HEADING = re.compile(r"^#{1,6}[ \t]+", re.M)
_MD_LINK = re.compile(r"!?\[([^\[\]\n]+)\]\((?:https?://|/|\.)[^()\s]*\)")


def _markdown(text: str, audit: _Audit) -> str:
    text = audit.sub("markdown", _BOLD, r"\2", text)
    text = audit.sub("markdown", _MD_HEADING, "", text)
    return audit.sub("markdown", _MD_LINK, r"\1", text)


# A superscript digit after text is a footnote call; the space after it (when
# it ends a sentence) went with it.
_FOOTNOTE = re.compile(rf"(?<=\S)[⁰¹²³⁴⁵⁶⁷⁸⁹]+(?:[ \t](?=[{_HAN}]))?")


def _footnote_marks(text: str, audit: _Audit) -> str:
    return audit.sub("footnote_marks", _FOOTNOTE, "", text)


# --- line-level rules ----------------------------------------------------------------------------------------

_SENTENCE_PUNCT = re.compile(r"[。！？；]")
_WHERE = r"(?:您的当前位置|当前位置|您现在的位置|现在的位置|所在位置|位置)\s*[:：]"
_BREADCRUMB = re.compile(rf"^{_WHERE}|^[^>»›\n]+(?:\s*[>»›]\s*[^>»›\s][^>»›\n]*){{2,}}$")
_BREADCRUMB_PREFIX = re.compile(rf"^{_WHERE}\s*")
_AD_WORDS = re.compile(r"培训|课程|内训|咨询|广告|报名|招生")
_NAV_WORDS = re.compile(
    r"首页|网站地图|导航|搜索|会员|登录|注册|回到顶部|返回顶部|公众号|服务号|关于我们|联系我们|联系方法|招聘|"
    r"订阅|分享到|收藏|打印|关闭窗口|投稿|上一篇|下一篇|客服|顾问|商务合作|加入收藏|设为首页|评论",
)
_DOWNLOAD = re.compile(r"下载|登录|登陆|VIP|积分|编号\s*[:：]\s*\d+")
_FOOTER_STRONG = re.compile(
    r"版权所有|版权归|©|copyright|all rights reserved|®|原创翻译|转载|转发分享|投稿|本站|本网|免责|更新时间|"
    r"未经.{0,12}许可|仅代表作者|侵权|ICP备|与我们联系|请联系",
    re.I,
)
_FOOTER_WEAK = re.compile(r"联系|邮箱|电话|微信号|二维码|扫码")
_EMAIL_LINE = re.compile(r"^(?:\S{0,12}[:：]?\s*)?[\w.+-]+@[\w-]+(?:\.[\w-]+)+$")
_URL_LINE = re.compile(r"^(?:https?://|www\.)\S+$")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_SOURCE_URL = re.compile(
    r"^(?:原文|原文地址|原文链接|原始链接|英文原文|阅读原文|来源链接|source)\s*[:：]\s*(?:https?://\S*)?$", re.I
)
_PAGINATION = re.compile(r"^(?:\d+\s+)+页|[上下]一?页\s*[:：]|^(?:上一页|下一页|首页|尾页|末页)\b")
_DATE = re.compile(r"(?:19|20)\d\d(?:-\d\d?-\d\d?|年\d{1,2}月(?:\d{1,2}日)?|/\d\d?/\d\d?|\.\d\d?\.\d\d?)")
_BYLINE_WORDS = re.compile(r"作者|译者|编译|编辑|来源|访问人数|阅读|浏览|发布|\|")
_FIGURE = re.compile(r"^(?:图|表|Figure|Fig\.|Table)\s*\d+[:：.]?$", re.I)
_RELATED_ITEM = re.compile(r"^[*•·]\s*\S.{0,80}\(\s*(?:19|20)\d\d-\d\d-\d\d\b[^()]*\)$")
_TAIL_BLOCKS = (
    (re.compile(r"^相\s*关\s*(?:文\s*章|阅\s*读|推\s*荐|报\s*告)"), "related_links"),
    (re.compile(r"^(?:推荐阅读|延伸阅读|热门文章|热门推荐|猜你喜欢|更多报告)"), "related_links"),
    (re.compile(r"^(?:友情提示|温馨提示|下载说明|下载须知)"), "download_prompt"),
    (re.compile(r"^(?:预览已结束|试读已结束|预览结束|试读结束|免费预览已结束)"), "preview_notice"),
)


def _is_paragraph(line: str) -> bool:
    """A line of running text: long, with sentence punctuation."""
    return len(line) >= _MEDIUM and bool(_SENTENCE_PUNCT.search(line))


def _is_menu(line: str) -> bool:
    """Several short items in a row: a menu, a tag cloud, a footer link bar."""
    if _SENTENCE_PUNCT.search(line) or "," in line or "，" in line:
        return False
    items = [s for s in re.split(r"\s*\|\s*", line) if s]
    if line.count("|") >= 2 and len(items) >= 3:
        return all(len(item) <= 8 for item in items)
    items = line.split()
    return len(items) >= 4 and all(len(item) <= 4 and re.fullmatch(f"[{_HAN}]+", item) for item in items)


def _head_end(lines: list[str]) -> int:
    """Index of the first paragraph of running text: the head is what comes before."""
    for i, line in enumerate(lines):
        if _is_paragraph(_bare(line)):
            return i
    return len(lines)


def _last_paragraph(lines: list[str]) -> int:
    """Index of the last paragraph of running text that is not itself a footer (-1 for none)."""
    last = -1
    for i, line in enumerate(lines):
        bare = _bare(line)
        if _is_paragraph(bare) and not _FOOTER_STRONG.search(_simplified(bare)):
            last = i
    return last


def _tail_start(lines: list[str]) -> int:
    """Index of the first tail line: after the last paragraph of running text
    that is not itself a footer, or in the second half (by characters)."""
    last_paragraph = _last_paragraph(lines)
    total, seen = sum(len(line) + 1 for line in lines), 0
    for i, line in enumerate(lines):
        if seen >= total / 2 or i > last_paragraph:
            return i
        seen += len(line) + 1
    return len(lines)


def _breadcrumb_index(lines: list[str]) -> int | None:
    """The last breadcrumb line of the head, if only menus and short lines come before it."""
    found = None
    for i in range(_head_end(lines)):
        line = _bare(lines[i])
        if _BREADCRUMB.search(line) and len(line) <= _EDGE_LINE:
            found = i
    return found


def _site_name(lines: list[str]) -> str:
    """The site's name, as the first element of the head's breadcrumb."""
    index = _breadcrumb_index(lines)
    if index is None:
        return ""
    first = re.split(r"\s*[>»›]\s*", _BREADCRUMB_PREFIX.sub("", _bare(lines[index])))[0].strip()
    return first if 2 <= len(first) <= 20 and re.search(f"[{_HAN}]", first) else ""


def _head_navigation(lines: list[str], audit: _Audit) -> list[str]:
    # A breadcrumb closes the site's header: what is above it is menus, logos
    # and ads, and the report's own title follows it.
    index = _breadcrumb_index(lines)
    if index is None:
        return lines
    out = []
    for line in lines[: index + 1]:
        out.append(audit.drop("ads" if _AD_WORDS.search(_simplified(line)) else "navigation", line))
    return out + lines[index + 1 :]


def _tail_blocks(lines: list[str], audit: _Audit) -> list[str]:
    # A short heading such as 友情提示 or 相关文章 near the end opens the site's
    # footer furniture, which runs to the end of the page.
    for i in range(_tail_start(lines), len(lines)):
        line = _bare(lines[i])
        if len(line) > _MEDIUM * 1.5:
            continue
        rule = next((r for pattern, r in _TAIL_BLOCKS if pattern.match(line)), None)
        if rule is None:
            continue
        out = [*lines[:i], audit.drop(rule, lines[i])]
        for rest in lines[i + 1 :]:
            out.append(audit.drop(_noise_rule(_bare(rest), head=False, tail=True, edge=True) or rule, rest))
        return out
    return lines


def _noise_rule(line: str, *, head: bool, tail: bool, edge: bool) -> str | None:
    """The rule that drops this line, or None when it is content."""
    if not line:
        return None
    simple = _simplified(line)
    short, medium = len(line) <= _SHORT, len(line) <= _MEDIUM
    # A line that ends like a sentence is a sentence, however short: weak
    # keywords (下载, 联系, 首页 ...) do not make it noise.
    sentence = line.endswith(("。", "；"))
    if _RELATED_ITEM.match(simple):
        return "related_links"
    if _URL_LINE.match(line):
        return "urls"
    if _SOURCE_URL.match(simple):
        return "source_url"
    if _EMAIL_LINE.match(line) or (edge and len(line) <= _EDGE_LINE and _EMAIL.search(line)):
        return "footer"  # a contact address after the article ("欢迎与作者探讨…电子邮件: …")
    if _is_menu(line):
        return "navigation"
    if len(line) <= 80 and _PAGINATION.search(simple):
        return "pagination"
    if _FIGURE.match(line):
        return "figure_captions"
    if head and len(line) <= 80 and _DATE.search(simple) and _BYLINE_WORDS.search(simple) and line[-1] not in "。":
        return "byline"
    if (short or head or tail) and len(line) <= 60 and not sentence and _DOWNLOAD.search(simple):
        return "download_prompt"
    if (medium or (tail and len(line) <= _EDGE_LINE)) and _FOOTER_STRONG.search(simple):
        return "footer"
    # A short line with a menu word (客服, 会员, 搜索 …) is navigation only at the page's edges, before
    # the first paragraph or after the last: in between it is a heading, a wrapped line or a table label.
    if short and edge and not sentence and _NAV_WORDS.search(simple):
        return "navigation"
    if tail and medium and not sentence and _FOOTER_WEAK.search(simple):
        return "footer"
    return None


def _crumb_title(lines: list[str]) -> str:
    """The page's own title, as the last element of the head's breadcrumb (sites end the trail with it)."""
    index = _breadcrumb_index(lines)
    if index is None:
        return ""
    return re.split(r"\s*[>»›]\s*", _bare(lines[index]))[-1].strip()


# A hit counter inside a byline ("访问人数: 5126", "瀏覽次數 3,482", "阅读 1.2万"): the byline's only noise.
_COUNTER = re.compile(
    r"\s*[,，|｜·/]?\s*(?:访问人数|访问量|浏览次数|浏览量|浏览|阅读量|阅读|点击|訪問人數|瀏覽次數|瀏覽|閱讀|views?)"
    r"\s*[:：]?\s*[\d,，.]+\s*[万萬kK]?(?:次)?",
    re.I,
)


def byline_kept(line: str, audit: _Audit) -> str:
    """A byline stays (who wrote it and when is provenance a reader asks about) without its hit counter."""
    return audit.sub("byline_counter", _COUNTER, "", line).strip(" ,，|｜·")


def _noise_lines(lines: list[str], audit: _Audit, title: str = "") -> list[str]:
    head_end, tail_start, last = _head_end(lines), _tail_start(lines), _last_paragraph(lines)
    out, seen_head = [], set()
    follows_source = False
    for i, line in enumerate(lines):
        bare = _bare(line)
        head = i < head_end
        rule = _noise_rule(bare, head=head, tail=i >= tail_start, edge=head or i > last)
        if head and bare == title and bare not in seen_head:
            rule = None  # the title the breadcrumb names is content, whatever words it holds (积分, 下载 …)
        if rule is None and head and bare in seen_head and len(bare) <= 100:
            rule = "duplicate_lines"  # the title printed twice by a download page
        if rule == "urls" and follows_source:
            rule = "source_url"
        if head and bare:
            seen_head.add(bare)
        if bare:
            follows_source = rule == "source_url"
        if rule == "byline":
            kept = byline_kept(line, audit)
            audit.lines.append(("byline", _bare(kept)))
            out.append(kept)
        elif rule:
            out.append(audit.drop(rule, line))
        else:
            out.append(line)
    return out


def _gather_page_marks(lines: list[str]) -> list[str]:
    """Move the page marks of emptied lines to the start of the next line with text."""
    out, pending = [], ""
    for line in lines:
        if not _bare(line):
            pending += _PAGE * line.count(_PAGE)
            continue
        out.append(pending + line)
        pending = ""
    if pending:
        out.append(pending)
    return out


def _join_page_break(prev: str, rest: str, spaced: bool) -> str | None:
    """How a page's first line continues the previous line, or None for a new paragraph."""
    last = prev.replace(_PAGE, "").rstrip()[-1:]
    if not last or last in _TERMINAL or last in "。”」』":
        return None
    first = rest[:1]
    latin = (last.isascii() and last.isalnum()) or (first.isascii() and first.isalnum())
    return " " if spaced and latin else ""


_PAGE_MARKER = re.compile(r"^(\d{1,4})、([ \t]*)")


def _page_markers(lines: list[str], audit: _Audit) -> list[str]:
    # Pages are numbered 1, 2, 3, ... in order; anything that breaks the
    # sequence (a numbered list after the report) is not a page marker.
    markers, expected = {}, 1
    for i, line in enumerate(lines):
        match = _PAGE_MARKER.match(line)
        if match and int(match.group(1)) == expected:
            markers[i] = match
            expected += 1
    if len(markers) < 2:
        return lines
    out: list[str] = []
    for i, line in enumerate(lines):
        match = markers.get(i)
        if match is None:
            out.append(line)
            continue
        audit.add("page_markers", len(match.group(0)))
        rest = line[match.end() :]
        join = _join_page_break(out[-1], rest, bool(match.group(2))) if out and match.group(1) != "1" else None
        if join is None:
            out.append(_PAGE + rest)
        else:
            out[-1] = out[-1].rstrip() + join + _PAGE + rest
    return out


def _form_feed_pages(lines: list[str]) -> list[str]:
    """Join across a form-feed page break that fell mid-sentence."""
    out: list[str] = []
    for line in lines:
        if out and line.startswith(_PAGE) and _bare(line):
            rest = line.lstrip(_PAGE)
            join = _join_page_break(out[-1], rest, spaced=False)
            if join is not None:
                out[-1] = out[-1].rstrip() + join + line
                continue
        out.append(line)
    return out


LIST_ITEM = re.compile(
    r"^(?:[-*•·●■◆]|\d{1,3}[.．、)）]|[（(](?:\d{1,3}|[一二三四五六七八九十]+)[)）]|[一二三四五六七八九十]+、)"
)


def _pdf_line_breaks(lines: list[str], audit: _Audit) -> list[str]:
    # A PDF text layer breaks lines where the page did; a line that runs to
    # the page's full width and stops mid-sentence continues on the next one.
    # Headings and the last line of a paragraph are shorter than the width.
    lengths = sorted(len(_bare(line)) for line in lines if _bare(line))
    if not lengths:
        return lines
    full = 0.75 * lengths[int(0.75 * (len(lengths) - 1))]
    out: list[str] = []
    for line in lines:
        bare = _bare(line)
        if out and bare and not line.startswith(_PAGE) and not LIST_ITEM.match(bare):
            prev = _bare(out[-1])
            if len(prev) >= max(full, _SHORT / 2) and prev[-1] not in _TERMINAL + "：:":
                glue = "" if _is_han(prev[-1]) or _is_han(bare[0]) else " "
                audit.add("pdf_line_breaks", 1 - len(glue))
                out[-1] = out[-1].rstrip() + glue + line
                continue
        out.append(line)
    return out


_WRAP_MIN = 15  # a hard-wrapped line is at least this long
_CJK_CHAR = re.compile(f"[{_HAN}{_CJK_PUNCT}]")


def _hard_wraps(lines: list[str], audit: _Audit) -> list[str]:
    # A text file hard-wrapped at a fixed width: consecutive lines of (nearly) the same length
    # that stop mid-sentence are one paragraph. Both lines must be that long, so headings, menus
    # and list items (short, or followed by a line of another length) stay lines.
    out: list[str] = []
    width = 0  # the wrap width of the paragraph being joined, 0 when none
    for line in lines:
        bare = _bare(line)
        prev = _bare(out[-1]) if out else ""
        last_len = width or len(prev)
        wrapped = (
            prev
            and bare
            and len(prev) >= _WRAP_MIN
            and (width or len(prev) > _MEDIUM or re.search("[，,；;。]", prev))  # a caption or heading has none
            and prev[-1] not in _TERMINAL + "：:"
            and not LIST_ITEM.match(bare)
            and not line.startswith(_PAGE)
            and (abs(len(bare) - last_len) <= 2 or (width and len(bare) < width))
        )
        if wrapped:
            width = width or len(prev)
            glue = "" if _CJK_CHAR.match(prev[-1]) or _CJK_CHAR.match(bare[0]) else " "
            audit.add("hard_wraps", 1 - len(glue))
            out[-1] = out[-1].rstrip() + glue + line
            if bare[-1] in _TERMINAL or len(bare) < width - 2:
                width = -1  # the paragraph ended: its last line is shorter or closes a sentence
            continue
        width = 0
        out.append(line)
    return out


# --- rules on the body text ----------------------------------------------------------------------------------


def _injected_site_name(text: str, site: str, audit: _Audit) -> str:
    # Download sites paste their own name into sentences ("客户体验植根于上海品茶。")
    # to mark copies; the name never belongs to the report.
    if not site:
        return text
    # The name opening a line (a byline "站名, 2003-06-04, 作者: …") takes its separator with it.
    return audit.sub(
        "injected_site_name", re.compile(rf"(?m)(?<=^){re.escape(site)}\s*[,，|｜·]?\s*|{re.escape(site)}"), "", text
    )


_CJK_GAP = re.compile(
    rf"(?:(?<=[{_HAN}{_CJK_PUNCT}])|(?<=[{_HAN}][,;:!?]))({_PAGE}?)[ \t]+(?={_PAGE}?[{_HAN}{_CJK_PUNCT}])",
)


def _looks_like_pdf(text: str) -> bool:
    """Many CJK-space-CJK gaps: text extracted from a PDF, lines joined by spaces."""
    gaps = len(_CJK_GAP.findall(text))
    han = len(re.findall(f"[{_HAN}]", text))
    return gaps >= 20 and gaps >= 0.02 * han


def _pdf_spaces(text: str, audit: _Audit) -> str:
    return audit.sub("pdf_spaces", _CJK_GAP, r"\1", text)


_NUMBER = r"\d+(?:[.,]\d+)*%?\*?"
# Three or more bare numbers in a row, standing alone between spaces: the
# labels of a chart flattened into the text. Numbers inside sentences are
# always next to a word or a unit, so they never form such a run.
_NUMBER_RUN = re.compile(rf"(?<![^\s{_PAGE}]){_NUMBER}(?:[ \t]+{_NUMBER}){{2,}}(?![^\s{_PAGE}])[ \t]*")
_UNITS = "年月日号时分秒位名个家倍亿万千百次项种岁世届期章节条页%‰"
# A lone page number printed between a sentence end and the next sentence.
_STRAY_PAGE_NUMBER = re.compile(rf"(?<=[。！？!?”])[ \t]+\d{{1,3}}[ \t]+(?=[{_HAN}])(?![{_UNITS}])")


def _chart_numbers(text: str, audit: _Audit, pdf: bool) -> str:
    text = audit.sub("chart_numbers", _NUMBER_RUN, "", text)
    if pdf:
        text = audit.sub("chart_numbers", _STRAY_PAGE_NUMBER, " ", text)
    return text


def _blank_lines(lines: list[str], audit: _Audit) -> list[str]:
    kept = [line for line in lines if _bare(line) or _PAGE in line]
    audit.add("blank_lines", len("\n".join(lines)) - len("\n".join(kept)))
    return kept


def _resolve_pages(text: str) -> tuple[str, tuple[tuple[int, int], ...]]:
    pieces = text.split(_PAGE)
    pages, length = [], len(pieces[0])
    for number, piece in enumerate(pieces[1:], start=1):
        pages.append((length, number))
        length += len(piece)
    return "".join(pieces), tuple(pages)


def clean(text: str, *, kind: str = "text") -> Cleaned:
    """Drop the noise of a scraped report and keep its content, quotable as is.

    ``kind`` is how the text was obtained: "text", "markdown", "html-text" or
    "pdf" (a PDF's text layer, pages separated by form feeds).
    """
    if kind not in _KINDS:
        raise ValueError(f"unknown kind {kind!r}; expected one of {', '.join(_KINDS)}")
    audit = _Audit()
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    # The page mark must be unambiguous: a stray U+E000 in the input goes.
    audit.add("private_use", text.count(_PAGE))
    text = text.replace(_PAGE, "")
    form_feeds = "\f" in text
    if form_feeds:
        text = _PAGE + text.replace("\f", "\n" + _PAGE)
    pdf = kind == "pdf" or _looks_like_pdf(text)

    text = _whitespace(text, audit)
    text = _html_tags(text, audit)
    text = _mojibake(text, audit)
    text = _pinyin(text, audit)
    text = _markdown(text, audit)
    text = _footnote_marks(text, audit)

    lines = text.split("\n")
    site, title = _site_name(lines), _crumb_title(lines)
    lines = _head_navigation(lines, audit)
    lines = _tail_blocks(lines, audit)
    lines = _noise_lines(lines, audit, title)
    lines = _blank_lines(lines, audit)
    lines = _gather_page_marks(lines)
    if form_feeds:
        lines = _form_feed_pages(lines)
    elif pdf:
        lines = _page_markers(lines, audit)
        if kind == "pdf" and not any(_PAGE in line for line in lines):
            lines[:1] = [_PAGE + line for line in lines[:1]]  # one page without markers
    if kind == "pdf":
        lines = _pdf_line_breaks(lines, audit)
    elif not pdf:
        lines = _hard_wraps(lines, audit)

    text = "\n".join(lines)
    text = _injected_site_name(text, site, audit)
    text = _chart_numbers(text, audit, pdf)
    if pdf:
        text = _pdf_spaces(text, audit)
    text = _whitespace(text, audit)  # rules above may leave a line's edge spaces
    text = "\n".join(_blank_lines(text.split("\n"), audit))
    text, pages = _resolve_pages(text)
    return Cleaned(text=text, removed=dict(audit.counts), pages=pages, dropped=tuple(audit.lines))


# In a byline: "作者: 王成", "译者：马振江", "By Jane Doe"
_AUTHOR = re.compile(r"(?:作者|撰文|记者|by)\s*[:：/]?\s*([^\s\d,，|｜:：·]{2,20}(?: [A-Z][a-z]+)?)", re.I)
_TRANSLATOR = re.compile(r"(?:译者|编译)\s*[:：]\s*([^\s,，|｜]{2,12})")
_BYLINE_DATE = re.compile(r"((?:19|20)\d\d)(?:\s*[-/.年]\s*(\d{1,2})(?:\s*[-/.月]\s*(\d{1,2}))?)?")


def byline_meta(lines: list[str]) -> Meta:
    """Author and date from byline lines (NFKC and simplified first: ２０２４年１２月 is a date, 譯者 a translator)."""
    author, date = "", ""
    for line in lines:
        text = unicodedata.normalize("NFKC", line)
        simple = _simplified(line)
        if not author:
            match = _AUTHOR.search(simple) or _TRANSLATOR.search(simple)
            author = text[match.start(1) : match.end(1)] if match else ""
        if not date:
            match = _BYLINE_DATE.search(text)
            if match:
                year, month, day = match.groups()
                date = year + (f"-{int(month):02d}" if month else "") + (f"-{int(day):02d}" if day and month else "")
    return Meta(author=author, date=date)


# --- structured documents ------------------------------------------------------------------------------------

_SPACES = re.compile(r"[ \t\u00a0\u3000]+")


def _repair(text: str, audit: _Audit, *, pdf: bool) -> str:
    """Character rules for one block of a structured document (its line structure is already known)."""
    text = audit.sub("control", BLOCK_CONTROLS, "", text)
    text = audit.sub("bidi", BIDI, "", text)
    text = audit.sub("whitespace", _INVISIBLE, "", text)
    text = _mojibake(text, audit)
    text = _footnote_marks(text, audit)
    if pdf:
        text = _pdf_spaces(text, audit)
    text = audit.sub("whitespace", _SPACES, " ", text)
    return text.strip()


def clean_document(doc: Document) -> Document:
    """Clean a structured document block by block: repair characters inside blocks, and move blocks
    that are site furniture (share prompts, copyright and contact lines, bylines, bare URLs, menus)
    from the body to the furniture, each with the rule that moved it.

    Text scrapes were cleaned line by line by their reader (``clean``), so they pass through.
    """
    if doc.format == "text":
        return doc
    audit = _Audit()
    pdf = doc.format == "pdf"
    blocks = []
    for block in doc.body:
        if block.table is not None:
            t = block.table
            fix = lambda cell: _repair(cell, audit, pdf=pdf)  # noqa: E731
            table = Table(fix(t.caption), tuple(map(fix, t.header)), tuple(tuple(map(fix, row)) for row in t.rows))
            blocks.append(replace(block, text=table.caption, table=table))
            continue
        text = _repair(block.text, audit, pdf=pdf) if not block.breaks else block.text
        if text:
            blocks.append(replace(block, text=text))
    paragraphs = [i for i, b in enumerate(blocks) if b.kind == "paragraph" and _is_paragraph(b.text)]
    first, last = (paragraphs[0], paragraphs[-1]) if paragraphs else (len(blocks), -1)
    body, moved, bylines = [], [], []
    for i, block in enumerate(blocks):
        rule = None
        if block.kind in ("paragraph", "list_item", "heading"):
            head, tail = i < first, i > last
            rule = _noise_rule(block.text, head=head, tail=tail, edge=head or tail)
        if rule == "byline":
            bylines.append(block.text)
            body.append(replace(block, kind="byline", text=byline_kept(block.text, audit)))
        elif rule:
            moved.append(Block("boilerplate", block.text, page=block.page, why=rule))
        else:
            body.append(block)
    cleaned = doc.with_body(body, moved)
    removed = dict(cleaned.removed)
    for rule, n in audit.counts.items():
        removed[rule] = removed.get(rule, 0) + n
    found = byline_meta(bylines)
    meta = replace(doc.meta, author=doc.meta.author or found.author, date=doc.meta.date or found.date)
    return replace(cleaned, removed=removed, meta=meta)
