"""Do the pages of a Metrc API v2 export agree? Same total, every page there, none twice."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from batchaudit.ingest.raw import RawTable
from batchaudit.model.fields import Kind
from batchaudit.model.tables import IncompletePages


def page_problems(tables: list[tuple[RawTable, Kind]]) -> list[IncompletePages]:
    """Each export whose page files disagree or leave pages out (DQ005).

    A page that says it is the only page (or that there are none: an empty export) is an
    export of its own. Other pages are taken as one export per kind and folder; where their
    page numbers repeat they are several exports (per-package lab pulls, say), told apart by
    their totals."""
    found: list[IncompletePages] = []
    candidates: dict[tuple[Kind, Path], list[RawTable]] = defaultdict(list)
    for raw, kind in tables:
        page = raw.page
        if page is None:
            continue
        if page.total_pages in (None, 0, 1):  # 0: an empty export, one page of no records
            found += _check_pages(str(kind), [raw])
        else:
            candidates[(kind, raw.path.parent)].append(raw)
    for (kind, _), pages in candidates.items():
        for export in _exports(pages):
            found += _check_pages(str(kind), export)
    return found


def _exports(pages: list[RawTable]) -> list[list[RawTable]]:
    numbers = [raw.page.number for raw in pages if raw.page is not None]
    if len(numbers) == len(set(numbers)):
        return [pages]
    by_total: dict[tuple[int | None, ...], list[RawTable]] = defaultdict(list)
    for raw in pages:
        page = raw.page
        by_total[(page.total_records, page.total_pages) if page else (None,)].append(raw)
    return list(by_total.values())


def _check_pages(kind: str, pages: list[RawTable]) -> list[IncompletePages]:
    problems = []
    for raw in pages:
        page = raw.page
        assert page is not None
        if page.records_on_page is not None and page.records_on_page != page.records:
            problems.append(
                f"{raw.path} says RecordsOnPage {page.records_on_page} but holds {page.records}"
            )
    totals = {r.page.total_records for r in pages if r.page and r.page.total_records is not None}
    if len(totals) > 1:
        problems.append(f"the pages give different totals ({', '.join(map(str, sorted(totals)))})")
    numbers = [raw.page.number for raw in pages if raw.page and raw.page.number is not None]
    repeated = sorted({n for n in numbers if numbers.count(n) > 1})
    if repeated:
        problems.append(f"page(s) {', '.join(map(str, repeated))} given twice")
    counts = {raw.page.total_pages for raw in pages if raw.page and raw.page.total_pages}
    if len(counts) == 1:
        missing = sorted(set(range(1, counts.pop() + 1)) - set(numbers))
        if missing:
            problems.append(f"page(s) {', '.join(map(str, missing))} missing")
    if len(totals) == 1 and not repeated:
        held = sum(raw.page.records for raw in pages if raw.page)
        expected = totals.pop()
        if held != expected:
            problems.append(f"the pages hold {held} records of the {expected} the API reported")
    if not problems:
        return []
    return [IncompletePages(kind, tuple(str(raw.path) for raw in pages), tuple(problems))]
