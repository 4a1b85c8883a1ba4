"""Do the pages of a Metrc API v2 export agree? Same total, every page there, none twice."""

from __future__ import annotations

from collections import defaultdict

from batchaudit.fields import Kind
from batchaudit.findings import Finding, Source
from batchaudit.ingest.raw import RawTable
from batchaudit.rules.data_quality import IncompleteExport


def page_findings(tables: list[tuple[RawTable, Kind]]) -> list[Finding]:
    """DQ005 for each kind of export whose page files disagree or leave pages out."""
    paged: dict[Kind, list[RawTable]] = defaultdict(list)
    for raw, kind in tables:
        if raw.page is not None:
            paged[kind].append(raw)
    return [finding for kind, pages in paged.items() for finding in _check_pages(str(kind), pages)]


def _check_pages(kind: str, pages: list[RawTable]) -> list[Finding]:
    files = ", ".join(str(raw.path) for raw in pages)
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
    return [
        IncompleteExport.finding(
            f"The {kind} API pages ({files}) do not make a whole export: {'; '.join(problems)}.",
            evidence={"files": [str(raw.path) for raw in pages], "problems": problems},
            remedy="Download every page of the export again, in one go, and pass them all.",
            source=Source(str(pages[0].path)),
        )
    ]
