"""The index's lazy records (cxkb.store) give what the build wrote, and the scale paths stay correct."""

from pathlib import Path

import numpy as np
import pytest

from cxkb.chunk import chunk_report
from cxkb.index import open_index, prepare
from cxkb.search import dense_scores
from cxkb.segment import keyword_tokens
from cxkb.settings import Settings
from cxkb.store import Chunks, DocFreq, Reports


def test_records_read_back_as_built(tiny_index: Settings):
    index = open_index(tiny_index.index)
    assert isinstance(index.reports, Reports) and isinstance(index.chunks, Chunks)
    for rid, report in index.reports.items():
        built = chunk_report(report, size=tiny_index.chunk_size, overlap=tiny_index.chunk_overlap)
        mine = [index.chunks[i] for i in index.chunks.of_report(rid)]
        assert mine == built  # ids, spans, text, heading and page survive the arrays
    assert [c.id for c in index.chunks[-2:]] == [index.chunks[len(index.chunks) - 2].id, index.chunks[-1].id]
    for s in index.sentences:
        chunk = index.chunks[s.chunk]
        assert chunk.report_id == s.report_id and chunk.start <= s.start and s.end <= chunk.end


def test_vectors_are_float16_and_memory_mapped(tiny_index: Settings):
    index = open_index(tiny_index.index)
    assert index.sentence_vectors.dtype == np.float16 and isinstance(index.sentence_vectors, np.memmap)
    assert index.ann is None and index.vectors.dtype == np.float32  # small: exact search on float32 in memory
    norms = np.linalg.norm(index.vectors, axis=1)
    assert np.allclose(norms, 1, atol=2e-3)


def test_document_frequencies_equal_a_count_over_chunks(tiny_index: Settings):
    index = open_index(tiny_index.index)
    assert isinstance(index.df, DocFreq)
    counted: dict[str, int] = {}
    for r in index.reports.values():
        prepared = prepare(r, tiny_index)
        for ids in prepared.term_ids:
            for t in {prepared.terms[i] for i in ids}:
                counted[t] = counted.get(t, 0) + 1
    assert dict(index.df.items()) == counted
    assert "客户" in index.df and "no-such-term" not in index.df and "" not in index.df


def test_stats_are_read_on_first_use(tiny_index: Settings):
    index = open_index(tiny_index.index)
    assert "_stats" not in index.__dict__
    assert index.stats and "_stats" in index.__dict__


def test_hnsw_above_the_size_setting_finds_what_exact_search_finds(tiny_settings: Settings):
    from cxkb.index import build_index

    settings = tiny_settings.replace(ann_above=0, ann_ef_search=64)
    build_index(settings)
    settings = settings.replace(sentence_weight=0.0)  # the graph's chunks, not the sentence rescoring after it
    index = open_index(settings.index)
    assert index.ann is not None and index.manifest["ann"]["kind"] == "hnsw"
    assert index.vectors.dtype == np.float16  # not converted: read through the map
    exact = np.asarray(index.vectors, np.float32)
    for i in range(min(10, len(exact))):
        qvec = exact[i]
        scores = dense_scores(index, index.chunks[i].text, settings, qvec=qvec)
        assert int(np.argmax(scores)) == int(np.argmax(exact @ qvec))
        top = np.isfinite(scores)
        assert np.allclose(scores[top], (exact @ qvec)[top], atol=1e-6)  # rescored exactly


def test_keyword_candidates_the_graph_missed_are_rescored_with_their_sentences(tiny_settings: Settings):
    from cxkb.index import build_index
    from cxkb.search import keyword_scores

    settings = tiny_settings.replace(ann_above=0, ann_ef_search=1, candidates=2, sentence_weight=0.5)
    build_index(settings)
    index = open_index(settings.index)
    question = "有核心客户体验指标的组织占多少？"
    keyword = keyword_scores(index, question)
    scores = dense_scores(index, question, settings, keyword=keyword)
    wanted = np.argsort(-np.where(np.isfinite(keyword), keyword, -np.inf))[:2]
    assert np.isfinite(scores[wanted]).all()  # BM25's top two are dense candidates too, scored exactly


def test_large_files_are_checked_by_length_and_edges(tiny_index: Settings, monkeypatch: pytest.MonkeyPatch):
    import cxkb.index as index_module
    from cxkb.errors import IndexCorruptError

    monkeypatch.setattr(index_module, "WHOLE_CHECK_BYTES", 0)
    build_index = index_module.build_index
    build_index(tiny_index)
    opened = open_index(tiny_index.index)
    assert set(opened.manifest["edges"]) == set(opened.manifest["files"])
    target = Path(tiny_index.index) / opened.generation / "sentence_vectors.npy"
    data = bytearray(target.read_bytes())
    data[-1] ^= 0x10
    target.write_bytes(bytes(data))
    with pytest.raises(IndexCorruptError, match="fails its checksum"):
        open_index(tiny_index.index)


def test_prepared_terms_are_each_chunks_keyword_tokens(tiny_index: Settings):
    from cxkb.index import chunk_context

    index = open_index(tiny_index.index)
    report = next(iter(index.reports.values()))
    prepared = prepare(report, tiny_index)
    for chunk, ids in zip(prepared.chunks, prepared.term_ids, strict=True):
        assert [prepared.terms[i] for i in ids] == keyword_tokens(chunk_context(chunk, report.meta))


def test_sentence_words_stored_at_build_equal_a_fresh_cut(tiny_index: Settings):
    from cxkb.segment import tokenize

    index = open_index(tiny_index.index)
    assert len(index.sentences) > 5
    for sid, s in enumerate(index.sentences):
        text = index.reports[s.report_id].text[s.start : s.end]
        assert index.sentence_tokens(sid) == frozenset(tokenize(text)), text


def test_mentions_searches_every_reports_normalised_text_and_catalogue_fields(tiny_index: Settings):
    index = open_index(tiny_index.index)
    for report in index.reports.values():
        sentence = next(iter(index.sentences[i] for i in index.sentence_ids(report.id)))
        assert index.mentions(report.text[sentence.start : sentence.end])
        if report.meta.publisher:
            assert index.mentions(report.meta.publisher.upper())  # normalised: case, width, script
    assert not index.mentions("从未出现过的词语组合")
    first, second = list(index.reports.values())[:2]
    assert not index.mentions(first.text[-3:] + second.meta.title[:3])  # never across two reports
