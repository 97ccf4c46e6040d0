"""Word segmentation for the keyword index: jieba search-mode tokens.

Search mode emits both a long word and its parts (客户体验 -> 客户, 体验, 客户体验),
so a question that says 体验 still matches a passage that says 客户体验. A CX
domain dictionary keeps terms such as 净推荐值 and 首席客户官 whole. Text is
normalised first, so traditional and simplified forms give the same tokens.
"""

from __future__ import annotations

import logging
import re
from functools import lru_cache
from importlib import resources

from .normalize import normalize

# jieba's DAG search is linear in the run length but with a large constant; a
# bounded piece keeps pathological inputs (one 50 MB line, a word repeated 10^6
# times) responsive, and real sentences are far shorter than this.
MAX_PIECE = 400
_BREAK = re.compile(r"[\s。！？；;!?，,、：:（）()《》“”\"'\[\]【】]+")
_KEEP = re.compile(r"[0-9a-z\u3400-\u9fff]")


@lru_cache(maxsize=1)
def _tokenizer():
    import jieba

    jieba.setLogLevel(logging.WARNING)
    tokenizer = jieba.Tokenizer()
    with resources.as_file(resources.files("cxkb") / "data" / "cx_dict.txt") as path:
        tokenizer.load_userdict(str(path))
    tokenizer.initialize()
    return tokenizer


@lru_cache(maxsize=1)
def stopwords() -> frozenset[str]:
    text = (resources.files("cxkb") / "data" / "stopwords.txt").read_text(encoding="utf-8")
    return frozenset(w.strip() for w in text.splitlines() if w.strip())


def _pieces(text: str):
    for part in _BREAK.split(text):
        for i in range(0, len(part), MAX_PIECE):
            yield part[i : i + MAX_PIECE]


_HAN_RUN = re.compile(r"[\u3400-\u9fff]{2,}")


def keyword_tokens(text: str, words: list[str] | None = None, memo: dict[str, list[str]] | None = None) -> list[str]:
    """What BM25 indexes and queries: jieba words plus character bigrams.

    Bigrams catch what the segmenter splits differently in question and passage
    (names, transliterations, rare terms); on DRCD they lift hybrid R@1 from
    0.943 to 0.954 (eval/results/drcd.md). ``words``: ``tokenize(text)`` when the caller already has it;
    ``memo``: see :func:`tokenize`.
    """
    words = tokenize(text, memo) if words is None else list(words)
    normal = normalize(text)
    bigrams = [run[i : i + 2] for run in _HAN_RUN.findall(normal) for i in range(len(run) - 1)]
    return words + [b for b in bigrams if b not in stopwords()]


@lru_cache(maxsize=1)
def _glossary() -> tuple[tuple[re.Pattern[str], tuple[str, ...]], ...]:
    text = (resources.files("cxkb") / "data" / "en_zh.tsv").read_text(encoding="utf-8")
    entries = []
    for line in text.splitlines():
        if line.strip() and not line.startswith("#"):
            english, chinese = line.split("\t")
            entries.append((english.strip().lower(), tuple(chinese.split())))
    entries.sort(key=lambda e: -len(e[0]))  # longest phrase first: "customer experience" before "customer"
    return tuple((re.compile(rf"(?<![a-z]){re.escape(en)}(?![a-z])"), zh) for en, zh in entries)


def english_expansion(text: str) -> list[str]:
    """Chinese search terms for the English CX terms in a question (cxkb/data/en_zh.tsv).

    The reports are Chinese; an English question shares no words with them, so BM25 would see
    nothing. A domain glossary gives it the Chinese terms to match; the dense side needs no help.
    """
    rest = normalize(text)
    out: list[str] = []
    for pattern, chinese in _glossary():
        if pattern.search(rest):
            rest = pattern.sub(" ", rest)
            for term in chinese:
                out.extend(tokenize(term))
    return out


def tokenize(text: str, memo: dict[str, list[str]] | None = None) -> list[str]:
    """Normalised jieba search-mode tokens without stopwords and punctuation.

    ``memo``: the tokens of pieces (text between punctuation) already cut, kept by a caller that cuts
    overlapping texts (a report's chunks repeat a sentence and their heading): jieba is a build's main cost.
    """
    tokenizer = _tokenizer()
    stop = stopwords()
    out: list[str] = []
    for piece in _pieces(normalize(text)):
        if not piece:
            continue
        if memo is not None and piece in memo:
            out.extend(memo[piece])
            continue
        tokens = [t for t in tokenizer.cut_for_search(piece, HMM=True) if t not in stop and _KEEP.search(t)]
        if memo is not None:
            memo[piece] = tokens
        out.extend(tokens)
    return out


def cut(text: str) -> list[str]:
    """Normalised jieba words in reading order, whole (no search-mode parts), punctuation dropped."""
    tokenizer = _tokenizer()
    return [
        w for piece in _pieces(normalize(text)) if piece for w in tokenizer.lcut(piece, HMM=True) if _KEEP.search(w)
    ]


@lru_cache(maxsize=1)
def _tagger():
    import jieba.posseg

    # POSTokenizer(...) would parse jieba's 350k-line dictionary for its tags a second time (a second
    # at every cold start); importing jieba.posseg already did, and the tags do not depend on the tokenizer.
    tagger = jieba.posseg.POSTokenizer.__new__(jieba.posseg.POSTokenizer)
    tagger.tokenizer = _tokenizer()
    tagger.word_tag_tab = jieba.posseg.dt.word_tag_tab
    return tagger


# jieba's tags for names of people, organisations and other proper nouns. Not places (ns): its
# dictionary tags ordinary words such as 新建 as place names.
_NAME_TAGS = frozenset({"nr", "nrt", "nrfg", "nt", "nz"})


def chinese_names(text: str) -> list[str]:
    """Words jieba tags as names of people or organisations (麦肯锡, 贝恩), two Chinese characters or more.

    The tagger over-reports (卓越 comes out as a person's name); callers use these only to ask
    whether the corpus mentions them at all, where an ordinary word does no harm.
    """
    tagger = _tagger()
    out = []
    for piece in _pieces(normalize(text)):
        out.extend(p.word for p in tagger.lcut(piece) if p.flag in _NAME_TAGS and _HAN_RUN.fullmatch(p.word))
    return list(dict.fromkeys(out))
