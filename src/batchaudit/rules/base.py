"""What a rule is: a code, a name, a severity, documentation, and a whole-frame evaluation.

A rule's `evaluate` is pure: it takes the lineage (and pack) and returns one row per offending
package. `describe` turns one such row into the finding's message, evidence and remedy; the
rule's other words (its headline in a report, the facts a person reads, the trail behind a
finding) are classmethods here too, so that everything a rule says lives on the rule.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, TypedDict, TypeVar, cast

from batchaudit.model.findings import Finding, RuleCard, Severity, Source
from batchaudit.rules.docs import DOC_SECTIONS, evidence_fields, parse_sections, rule_markdown
from batchaudit.rules.fingerprints import deciding_facts, fingerprint, fingerprints
from batchaudit.rules.offending_rows import FirstRow, Record, python_values
from batchaudit.rules.wording import plural
from batchaudit.support.lazy import lazy

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

    from batchaudit.lineage.build import Lineage
    from batchaudit.model.packs import Pack
else:
    np, pd = lazy("numpy"), lazy("pandas")


@dataclass(frozen=True)
class Setting:
    """A rule option that a jurisdiction pack may set under [rules.CODE]."""

    name: str
    default: int
    meaning: str


@dataclass(frozen=True)
class Description:
    message: str
    evidence: Mapping[str, Any]
    remedy: str | None = None


class NoEvidence(TypedDict):
    """A finding that carries no evidence beyond its message."""


class RuleInfo:
    """A code of the catalog: its identity, documentation (the class docstring, whose
    **Checks**, **Why**, **Example** and **Fix** paragraphs are parsed, strictly, when the
    class is defined) and the wording of its findings."""

    code: ClassVar[str]
    name: ClassVar[str]
    severity: ClassVar[Severity]
    settings: ClassVar[tuple[Setting, ...]] = ()
    # The TypedDict of the evidence its findings carry; each field Annotated with its meaning.
    evidence: ClassVar[type] = NoEvidence
    # The evidence keys that, with the rule and the package tag, decide a finding: its
    # fingerprint (see `batchaudit.rules.fingerprints`).
    fingerprint_facts: ClassVar[tuple[str, ...]] = ()
    # The report's headline for its findings, singular and plural, with {n} for the count.
    headline_one: ClassVar[str] = ""
    headline_many: ClassVar[str] = ""
    trail_caption: ClassVar[str] = "Sources to the package"
    unneeded_batch: ClassVar[bool] = False
    data_quality: ClassVar[bool] = False
    # Its findings are problems of the export files, to fix before the audit is complete (the
    # verdict counts them apart from errors to correct in Metrc).
    export_problem: ClassVar[bool] = False
    # What a later run must do for an earlier finding of the rule that it no longer finds to
    # count as resolved rather than not re-checked (month_to_month/baseline.py): check the
    # package with the rule ("package"), run the rule at all ("run": its findings are about
    # rows, not loaded packages), read the finding's file again ("file") or the waivers file
    # ("waivers").
    checked_again_by: ClassVar[str] = "package"
    # Runs whatever `select` names, unless `ignore` names it: what a run is told to look for
    # must not silence what it says of its own settings (a waiver that matches nothing).
    selected_always: ClassVar[bool] = False
    # Off unless asked for: by its full code in select or extend-select, or by
    # `enabled = true` under [rules.CODE] in a pack (see `selection.opt_in_left_out`).
    opt_in: ClassVar[bool] = False
    _sections: ClassVar[dict[str, str]]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "code" in cls.__dict__:  # a rule of the catalog, not a shared base
            cls._sections = parse_sections(cls.code, cls.__doc__ or "")
            evidence_fields(cls.evidence)  # every field has a meaning, or the import fails

    @classmethod
    def evaluated(cls) -> bool:
        """Evaluated on the lineage (a Rule), or found while reading files."""
        return False

    @classmethod
    def summary(cls) -> str:
        return cls._sections["Summary"]

    @classmethod
    def sections(cls) -> dict[str, str]:
        """The docstring's **Checks**, **Why**, **Example** and **Fix** paragraphs."""
        return {name: cls._sections[name] for name in DOC_SECTIONS}

    @classmethod
    def setting(cls, pack: Pack, key: str) -> int:
        """The pack's value for one of the rule's settings, or its default."""
        default = next(s.default for s in cls.settings if s.name == key)
        return int(pack.rules.get(cls.code, {}).get(key, default))

    @classmethod
    def headline(cls, findings: Sequence[Finding]) -> str:
        """One plain sentence on all of the rule's findings, for "what matters most"."""
        if not cls.headline_one:
            return plural(
                len(findings), f"{{n}} {cls.name} finding.", f"{{n}} {cls.name} findings."
            )
        return plural(len(findings), cls.headline_one, cls.headline_many)

    @classmethod
    def facts(cls, finding: Finding) -> list[tuple[str, str]]:
        """The finding's evidence as (label, plain text), as a person reads it."""
        return []

    @classmethod
    def trail(cls, finding: Finding) -> list[list[str]]:
        """The lineage behind a finding: paths of tags, each ending at its package."""
        return []

    @classmethod
    def tested_packages(cls, finding: Finding) -> list[dict[str, Any]]:
        return []

    @classmethod
    def rows_lost(cls, finding: Finding) -> int:
        return 0

    @classmethod
    def lost(cls, finding: Finding) -> tuple[int | None, bool]:
        """The rows lost as measured: None when not measured, and whether a lower bound."""
        return cls.rows_lost(finding), False

    @classmethod
    def keeps_severity(cls, finding: Finding) -> bool:
        """A finding whose severity no pack or config setting changes (a mistake already
        corrected stays a note)."""
        return False

    @classmethod
    def problem(cls, finding: Finding) -> str:
        return ""

    @classmethod
    def card(cls) -> RuleCard:
        sections = cls.sections()
        return RuleCard(
            code=cls.code,
            name=cls.name,
            severity=cls.severity,
            summary=cls.summary(),
            checks=sections["Checks"],
            why=sections["Why"],
            fix=sections["Fix"],
            markdown=rule_markdown(cls),
            unneeded_batch=cls.unneeded_batch,
            data_quality=cls.data_quality,
            export_problem=cls.export_problem,
            trail_caption=cls.trail_caption,
            headline=cls.headline,
            facts=cls.facts,
            trail=cls.trail,
            tested_packages=cls.tested_packages,
            rows_lost=cls.rows_lost,
            lost=cls.lost,
            problem=cls.problem,
        )

    @classmethod
    def evidence_fields(cls) -> list[tuple[str, str, str]]:
        """(field, type, meaning) of the evidence its findings carry."""
        return evidence_fields(cls.evidence)

    @classmethod
    def finding(
        cls,
        message: str,
        *,
        package_tag: str | None = None,
        evidence: Mapping[str, Any] | None = None,
        remedy: str | None = None,
        source: Source | None = None,
        severity: Severity | None = None,
    ) -> Finding:
        facts = deciding_facts(evidence or {}, cls.fingerprint_facts)
        return Finding(
            rule=cls.code,
            name=cls.name,
            severity=severity or cls.severity,
            package_tag=package_tag,
            message=message,
            evidence=dict(evidence or {}),
            remedy=remedy,
            source=source,
            fingerprint=fingerprint(cls.code, package_tag, facts),
        )


class Rule(RuleInfo, ABC):
    """A rule evaluated on the whole lineage at once."""

    # Canonical fields the rule cannot do without, in the packages and in the lab results
    # (a rule with lab fields needs lab results at all).
    needs: ClassVar[frozenset[str]] = frozenset()
    needs_lab: ClassVar[frozenset[str]] = frozenset()
    # Compares test groups, so needs the field the pack groups by (category or type).
    needs_groups: ClassVar[bool] = False
    # About the seconds it takes, evaluated and its findings made, at 10^6 findings-heavy
    # packages (as traced on 2 processors): the rules shared with a child are taken
    # costliest first, so that the last taken is a light one (engine.py).
    cost: ClassVar[float] = 0.0

    @abstractmethod
    def evaluate(self, lineage: Lineage, pack: Pack) -> pd.DataFrame:
        """One row per offending package, with a `tag` column and what `describe` needs."""

    @abstractmethod
    def describe(self, row: dict[str, Any]) -> Description:
        """The finding's wording for one offending row."""

    @classmethod
    def evaluated(cls) -> bool:
        return True

    def judged_anyway(self, lineage: Lineage) -> np.ndarray | None:
        """The packages the rule judges although their files lack a field it needs (a mask),
        or None: a results tab that a per-package lab pull shows whole needs no lineage."""
        return None

    def not_checked(self, lineage: Lineage, pack: Pack) -> pd.Series | None:
        """Per package, why the rule could not judge it, beyond the fields its files lack
        (rules/coverage.py): a reason completing "not checked: N packages, because ...", ""
        where it could. None: it judges every package that has the fields it needs."""
        return None

    @classmethod
    def tab_size_limit(cls, pack: Pack) -> int | None:
        """The most tested packages a results tab may show, if the rule limits it."""
        return None

    def findings(self, lineage: Lineage, pack: Pack) -> list[Finding]:
        offending = self.evaluate(lineage, pack)
        if offending.empty:
            return []
        # Only the columns `describe` reads (learned on the first row) become Python values,
        # column by column (another is converted when a row needs it: `Record`); each
        # part of the findings is made in one pass over the offending rows.
        columns = self._columns_read(offending)
        values, size = [python_values(offending[column]) for column in columns], len(offending)
        tags = [t if isinstance(t, str) and t else None for t in python_values(offending["tag"])]
        sheets = python_values(offending["sheet"]) if "sheet" in offending else [None] * size
        files, lines = python_values(offending["file"]), python_values(offending["line"])
        sources = [
            Source(file, int(line), None, sheet or None)
            for file, line, sheet in zip(files, lines, sheets, strict=True)
        ]
        severities = [self.severity] * size
        if "severity" in offending:
            named = python_values(offending["severity"])
            severity_of = {value: Severity(value) for value in set(named)}
            severities = [severity_of[value] for value in named]
        code, name, describe = self.code, self.name, self.describe
        fetched: dict[str, list[Any]] = {}
        said = [
            describe(Record(zip(columns, record, strict=True), offending, position, fetched))
            for position, record in enumerate(zip(*values, strict=True))
        ]
        evidence = [each.evidence for each in said]
        return [
            Finding(
                code,
                name,
                severity,
                tag,
                each.message,
                dict(each.evidence),
                each.remedy,
                source,
                fingerprint,
            )
            for severity, tag, each, source, fingerprint in zip(
                severities,
                tags,
                said,
                sources,
                fingerprints(code, self.fingerprint_facts, tags, evidence),
                strict=True,
            )
        ]

    def _columns_read(self, offending: pd.DataFrame) -> list[str]:
        first = FirstRow(cast(dict[str, Any], offending.iloc[:1].to_dict("records")[0]))
        self.describe(first)
        return [column for column in offending.columns if column in first.read]


REGISTRY: dict[str, type[RuleInfo]] = {}
R = TypeVar("R", bound=type[RuleInfo])
CATALOG_ORDER = ("PB", "LT", "LN", "DQ", "WV")


def catalog_rank(code: str) -> tuple[int, str]:
    """Position of a rule code in the catalog: production batches first, data quality last."""
    return (CATALOG_ORDER.index(code[:2]), code)


def catalog() -> list[type[RuleInfo]]:
    """Every registered rule, ordered by family as the spec lists them, then by code."""
    return sorted(REGISTRY.values(), key=lambda rule: catalog_rank(rule.code))


def register(rule: R) -> R:
    if rule.code in REGISTRY:
        raise ValueError(f"rule code {rule.code} registered twice")
    REGISTRY[rule.code] = rule
    return rule
