"""What an audit produces: findings with a stable identity, and the result around them."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from itertools import islice
from typing import TYPE_CHECKING, Any, ClassVar, cast

from batchaudit.model.about import About
from batchaudit.model.chart_data import ChartData
from batchaudit.model.checked import BaselineComparison, Coverage
from batchaudit.model.impacts import Impact, Impacts
from batchaudit.model.severity import Severity as Severity  # re-exported: the rules import it here
from batchaudit.model.tally import Tally
from batchaudit.support.lazy import lazy

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd
else:
    np = lazy("numpy")


@dataclass(frozen=True, slots=True)
class Source:
    """Where in an export a finding comes from (line 1 is the header)."""

    file: str
    line: int | None = None  # a line of a text file, a row of a sheet, a record of JSON
    column: str | None = None
    sheet: str | None = None

    @property
    def unit(self) -> str:
        if self.sheet:
            return "row"
        return "record" if self.file.lower().endswith(".json") else "line"

    def describe(self) -> str:
        where = self.file
        if self.sheet:
            where += f", sheet {self.sheet!r}"
        if self.line is not None:
            where += f", {self.unit} {self.line}"
        if self.column is not None:
            # An API record has fields where a grid export has columns.
            where += f", {'field' if self.unit == 'record' else 'column'} {self.column!r}"
        return where


@dataclass(frozen=True, slots=True)
class Waiver:
    """An accepted finding: a waivers-file entry (see `batchaudit.month_to_month.waivers`)."""

    rule: str
    tags: tuple[str, ...]  # tags or globs (`1A4*`); `*` also matches file-level findings
    reason: str
    expires: date
    file: str
    number: int  # its position among the file's [[waiver]] entries, from 1
    approved_by: str = ""
    approved_on: date | None = None

    def describe(self) -> str:
        return f"waiver #{self.number} in {self.file}"


@dataclass(frozen=True, slots=True)
class Finding:
    rule: str
    name: str
    severity: Severity
    package_tag: str | None
    message: str
    # A dict, or the JSON of one where the finding was handed over (model/evidence.py).
    evidence: Mapping[str, Any] = field(default_factory=dict)
    remedy: str | None = None
    source: Source | None = None
    # Stable across runs, row orders and file names (see `batchaudit.rules.fingerprints`).
    fingerprint: str = ""
    waiver: Waiver | None = None
    # "new" or "unchanged" when compared with a baseline report, else None.
    baseline: str | None = None

    @property
    def identity(self) -> str:
        """Rule and tag (SARIF's batchauditIdentity/v1); waivers match rule and tag, baselines
        match `fingerprint`."""
        return f"{self.rule}:{self.package_tag or ''}"

    def marked(self, baseline: str) -> Finding:
        """The finding as a baseline marked it ("new", "unchanged"): `replace` written out,
        which made 406,592 findings in 0.5 s where `dataclasses.replace` took 1.35 s."""
        return Finding(self.rule, self.name, self.severity, self.package_tag, self.message,
                       self.evidence, self.remedy, self.source, self.fingerprint, self.waiver,
                       baseline)  # fmt: skip

    def sort_key(self) -> tuple[int, str, str, str, int]:
        source = self.source or Source("")
        return (
            self.severity.rank,
            self.rule,
            self.package_tag or "",
            source.file,
            source.line or 0,
        )


@dataclass(frozen=True, slots=True)
class InputFile:
    """One file (or sheet) the audit read, as the report's provenance lists it, with every
    row accounted for: rows_read = rows_used + the rows left out, by the code that says why,
    + the rows counted apart, by why (results the lab has not released are on no tab)."""

    path: str
    kind: str
    shape: str
    sha256: str
    rows: int  # data rows the table holds as parsed (lines that did not fit are not among them)
    encoding: str = "utf-8"
    delimiter: str = ","
    sheet: str = ""
    rows_read: int = 0  # every data row of the file, the ones that did not fit included
    rows_used: int = 0
    rows_left_out: dict[str, int] = field(default_factory=dict)  # rule code -> rows
    rows_apart: dict[str, int] = field(default_factory=dict)  # "unreleased" -> rows
    license: str = ""  # the license number its path names, if any

    @property
    def format(self) -> str:
        suffix = self.path.rsplit(".", 1)[-1].lower() if "." in self.path else ""
        if self.sheet:
            return "excel"
        return "json" if suffix == "json" else "text"


@dataclass(frozen=True, slots=True)
class NotRead:
    """A file or folder given that could not be read at all, and why (one sentence)."""

    path: str
    reason: str
    files: int = 1  # the files the sentence is about (a folder's files that are not exports)


@dataclass(frozen=True, slots=True)
class SkippedRule:
    rule: str
    reason: str


@dataclass(frozen=True, slots=True)
class Summary:
    packages: int
    test_events: int
    lab_result_rows: int
    source_links: int
    known_source_links: int
    production_batches: int
    # Some packages export carries the source packages (an old flat v1 API response does not).
    sources_exported: bool = True
    # Lab results were given: without them test events and results lost are not measured.
    lab_results_given: bool = True
    # Packages whose files carry no source packages: their links are not measured.
    packages_without_sources: int = 0

    NO_LAB_RESULTS: ClassVar[str] = "not measured (no lab results were given)"

    def events_text(self) -> str:
        """ "2,499 test events", or why they were not measured."""
        if not self.lab_results_given:
            return f"test events {self.NO_LAB_RESULTS}"
        return count_of(self.test_events, "test event")

    # Lab-result rows (each once) of results the lab has not released: on no tab, counted apart.
    unreleased_lab_result_rows: int = 0

    @property
    def lineage_coverage(self) -> float | None:
        """Share of source links that resolve to a loaded package; None (not measured) when
        there are no source links to resolve."""
        if self.source_links == 0:
            return None
        return self.known_source_links / self.source_links

    def coverage_text(self, digits: int = 0) -> str:
        """Lineage coverage in words: "93% of 412 source links resolve", or why it is not
        measured."""
        coverage = self.lineage_coverage
        if coverage is None:
            why = (
                "no export carries source packages"
                if not self.sources_exported
                else ("no package lists a source package")
            )
            return f"not measured ({why})"
        text = f"{coverage:.{digits}%} of {self.source_links:,} source links resolve"
        if self.packages_without_sources:
            whose = count_of(self.packages_without_sources, "package")
            text += f"; not measured for {whose} whose files carry no source packages"
        return text


@dataclass(frozen=True)
class RuleCard:
    """What the reports know of a rule, provided by the rule itself (`RuleInfo.card`): its
    identity, documentation and the wording of its findings. Reports never name a rule."""

    code: str
    name: str
    severity: Severity
    summary: str
    checks: str
    why: str
    fix: str
    markdown: str
    # The findings are production batches that were not needed (counted as such in reports).
    unneeded_batch: bool
    # The findings are about the export files themselves (grouped apart in reports).
    data_quality: bool
    # The findings are problems of the export files, to fix before the audit is complete.
    export_problem: bool
    trail_caption: str
    # "3 production batches were created where nothing was processed; ..."
    headline: Callable[[Sequence[Finding]], str]
    # A finding's evidence as (label, plain text) facts a person reads.
    facts: Callable[[Finding], list[tuple[str, str]]]
    # The lineage behind a finding: paths of tags read left to right, ending at its package.
    trail: Callable[[Finding], list[list[str]]]
    # The tested packages a finding lists (tag, category, events, inherited_through).
    tested_packages: Callable[[Finding], list[dict[str, Any]]]
    # Lab-result rows the finding's package lost (for unneeded production batches).
    rows_lost: Callable[[Finding], int]
    # The same as measured: (rows, None when not measured; whether they are a lower bound).
    lost: Callable[[Finding], tuple[int | None, bool]]
    # What data-quality findings are grouped by ("" groups them all under the summary).
    problem: Callable[[Finding], str]


@dataclass(frozen=True, slots=True)
class AuditResult:
    jurisdiction: str
    inputs: tuple[InputFile, ...]
    findings: tuple[Finding, ...]
    summary: Summary
    skipped_rules: tuple[SkippedRule, ...] = ()
    not_read: tuple[NotRead, ...] = ()
    jurisdiction_title: str = ""
    # Every rule of the catalog, in catalog order.
    rules: tuple[RuleCard, ...] = ()
    charts: ChartData | None = None
    # The audited packages as reports show them: tag, item_name, category, production_batch,
    # batch_flag_known (without, the flag is unknown, not false), lab_testing_state.
    packages: pd.DataFrame | None = field(default=None, compare=False, repr=False)
    baseline: BaselineComparison | None = None
    about: About = field(default_factory=About)
    # Each finding's impact, in the order of `findings` (None: every finding weighs 0).
    impacts: Impacts | None = None
    # What each rule evaluated on the lineage checked, in catalog order.
    coverage: tuple[Coverage, ...] = ()
    # `rules` by code: reports look a finding's rule up once per finding.
    _cards: dict[str, RuleCard] = field(init=False, compare=False, repr=False)
    # The findings counted, once (`tally`).
    _tally: Tally | None = field(init=False, default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_cards", {card.code: card for card in self.rules})

    def coverage_of(self, code: str) -> Coverage | None:
        return next((item for item in self.coverage if item.rule == code), None)

    def unchecked_tags(self, code: str) -> set[str]:
        """The tags of the audited packages that the rule did not check (every one when it
        did not run)."""
        coverage = self.coverage_of(code)
        if self.packages is None or coverage is None:
            return set()
        tags = self.packages["tag"]
        if not coverage.ran:
            return set(tags.tolist())
        positions = np.frombuffer(coverage.unchecked, dtype=np.int64)
        return set(tags.to_numpy()[positions].tolist())

    def incomplete(self) -> list[Coverage]:
        """The rules that did not check every package (or did not run)."""
        return [item for item in self.coverage if not item.complete]

    def impact(self, index: int) -> Impact:
        impacts = self.impacts
        return impacts[index] if impacts is not None and index < len(impacts) else Impact()

    def impact_order(self) -> list[int]:
        """Positions of the findings a reader should see first: errors and warnings before
        notes, then by rows lost, results-tab size, severity and catalog order."""
        order: list[int] = self._impact_order().tolist()
        return order

    def costliest(self, count: int) -> list[Finding]:
        """The first `count` findings of `impact_order` that count (not waived)."""
        findings = self.findings
        counted = (findings[n] for n in self._impact_order().tolist())
        return list(islice((f for f in counted if f.waiver is None), count))

    def _impact_order(self) -> np.ndarray:
        """`impact_order` as numpy sorts it: each key a column, ties kept in the findings'
        order (a million findings are ranked; as tuples they took half a second)."""
        from batchaudit.model.text_ranks import text_ranks  # Arrow: not for `batchaudit rules`

        findings = self.findings
        count = len(findings)
        impacts = self.impacts.fitted(count) if self.impacts is not None else Impacts.zeros(count)
        ranks = {card.code: number for number, card in enumerate(self.rules)}
        severities = {severity: severity.rank for severity in Severity}
        severity = np.array([severities[f.severity] for f in findings], dtype=np.int64)
        keys = [  # the first sorts first
            severity == Severity.NOTE.rank,
            -impacts.rows_lost,
            -impacts.tab_tested_packages,
            -impacts.tab_rows,
            severity,
            np.array([ranks[f.rule] for f in findings], dtype=np.int64),
            text_ranks([f.package_tag or "" for f in findings]),
        ]
        order: np.ndarray = np.lexsort(keys[::-1])
        return order

    def by_impact(self) -> list[Finding]:
        return [self.findings[index] for index in self.impact_order()]

    def rule(self, code: str) -> RuleCard:
        return self._cards[code]

    def rank(self, code: str) -> int:
        """Position of a rule in the catalog: production batches first, data quality last."""
        return next(n for n, card in enumerate(self.rules) if card.code == code)

    def open_findings(self) -> list[Finding]:
        """The findings that count: every finding but the waived ones."""
        return [finding for finding in self.findings if finding.waiver is None]

    def waived(self) -> list[Finding]:
        return [finding for finding in self.findings if finding.waiver is not None]

    def new_findings(self) -> list[Finding]:
        return [finding for finding in self.findings if finding.baseline == "new"]

    def tally(self) -> Tally:
        """The findings counted in one pass, the first time a report asks (at 10^6 packages
        the terminal summary and the JSON report's counts took ten passes, 0.5 s)."""
        if self._tally is None:
            keys = ((f.rule, f.severity, f.waiver is not None, f.baseline) for f in self.findings)
            object.__setattr__(self, "_tally", Tally(Counter(keys)))
        return cast(Tally, self._tally)

    # The counts every report gives, read off the tally (model/tally.py says what each is).
    def by_severity(self) -> dict[str, int]:
        return self.tally().by_severity()

    def by_rule(self) -> dict[str, int]:
        return self.tally().by_rule()

    def severity_by_rule(self) -> dict[str, Severity]:
        return self.tally().severity_by_rule()

    def worst_severity(self, new_only: bool = False) -> Severity | None:
        return self.tally().worst_severity(new_only)


def count_of(count: int, noun: str, nouns: str | None = None) -> str:
    """A count and its noun, singular or plural, with thousands separators:
    count_of(1, "row") -> "1 row", count_of(2499, "test event") -> "2,499 test events"."""
    return f"{count:,} {noun if count == 1 else (nouns or noun + 's')}"
