"""The Python API: ``KnowledgeBase.open(path).search(question, k=5)``."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from .errors import IndexIncompatibleError
from .index import Index, open_index, read_manifest
from .models import Answer, Chunk, Hit, Report
from .question import Question
from .search import Filters, search
from .settings import DEFAULT_MODEL, Settings, load_settings
from .stats import Stat


class KnowledgeBase:
    """An opened index plus the settings to query it with.

    Readers keep serving the generation they loaded; :meth:`refresh` switches to
    a newer one once a writer has published it completely.
    """

    def __init__(self, index: Index, settings: Settings) -> None:
        self._index = index
        self.settings = settings
        self._lock = threading.Lock()

    @classmethod
    def open(cls, path: str | Path | None = None, settings: Settings | None = None) -> KnowledgeBase:
        settings = settings or load_settings()
        path = Path(path) if path is not None else settings.index
        index = open_index(path)
        # The index decides the model unless the settings name another one explicitly: vectors of two
        # models are not comparable, so that is refused rather than silently mixed.
        if settings.model != index.model:
            if settings.model != DEFAULT_MODEL:
                raise IndexIncompatibleError(
                    f"index {path} was built with model {index.model!r} but the settings ask for {settings.model!r}; "
                    f"rebuild with `cxkb build --model {settings.model}` or set model = {index.model!r}"
                )
            settings = settings.replace(model=index.model)
        return cls(index, settings.replace(index=path))

    @property
    def index(self) -> Index:
        return self._index

    def refresh(self) -> bool:
        """Load the newest published generation if it changed; True when it did."""
        manifest = read_manifest(self._index.path)
        if manifest["generation"] == self._index.generation:
            return False
        fresh = open_index(self._index.path)
        with self._lock:
            self._index = fresh
        return True

    def search(
        self,
        question: str,
        k: int | None = None,
        *,
        reports: tuple[str, ...] = (),
        publisher: str = "",
        year: int | None = None,
        **overrides: Any,
    ) -> list[Hit]:
        settings = self.settings.replace(**overrides) if overrides else self.settings
        return search(self._index, question, settings, k=k, filters=Filters(tuple(reports), publisher, year))

    def ask(
        self, question: str | Question, *, reports: tuple[str, ...] = (), publisher: str = "", year: int | None = None
    ) -> Answer:
        """A cited answer, or ``answerable=False`` with related passages."""
        from .generate import answer_with_settings

        filters = Filters(tuple(reports), publisher, year)
        return answer_with_settings(self._index, question, self.settings, filters=filters)

    def stats(self, query: str = "", *, report: str | None = None, limit: int | None = None) -> list[Stat]:
        """Figures in the corpus (percentages, counts, fractions, multiples …) ranked by ``query``."""
        from .stats import find_stats

        return find_stats(self._index.stats, query, report=report, limit=limit)

    def mentions_without_figures(self, query: str, stats: list[Stat]) -> dict[str, str]:
        """Reports that mention ``query`` but gave no figure row: report id -> first sentence mentioning it."""
        from .normalize import normalize

        needle = normalize(query).strip()
        have = {s.report_id for s in stats}
        out = {}
        for report in self._index.reports.values():
            if not needle or report.id in have:
                continue
            at = normalize(report.text).find(needle)
            if at >= 0:
                ids = self._index.sentence_ids(report.id)
                quote = next(
                    (
                        report.text[self._index.sentences[i].start : self._index.sentences[i].end]
                        for i in ids
                        if self._index.sentences[i].start <= at < self._index.sentences[i].end
                    ),
                    report.text[max(0, at - 30) : at + 60],
                )
                out[report.id] = quote
        return out

    def reports(self) -> list[Report]:
        return list(self._index.reports.values())

    def report(self, ref: str) -> Report:
        from .errors import InputError

        reports = list(self._index.reports.values())
        exact = [r for r in reports if ref in (r.id, r.source)]
        matches = exact or [r for r in reports if r.id.startswith(ref)]
        if len(matches) == 1:
            return matches[0]
        found = "no report" if not matches else f"{len(matches)} reports"
        raise InputError(f"{found} match {ref!r} in {self._index.path}; `cxkb reports` lists the ids")

    def chunks(self, report_id: str | None = None) -> list[Chunk]:
        chunks = self._index.chunks
        if report_id is None:
            return list(chunks)
        if report_id not in self._index.reports:
            return []
        return [chunks[i] for i in chunks.of_report(report_id)]  # type: ignore[attr-defined]

    def chunk_counts(self) -> dict[str, int]:
        return {r["id"]: r["chunks"] for r in self._index.manifest["reports"] if r["chunks"]}
