"""What a rule is: a code, a name, a severity, documentation, and a whole-frame evaluation.

A rule's `evaluate` is pure: it takes the lineage (and pack) and returns one row per offending
package. `describe` turns one such row into the finding's message, evidence and remedy, so
that all of a rule's wording lives in one place.
"""

from __future__ import annotations

import inspect
import re
from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar, cast

from batchaudit.findings import Finding, Severity, Source
from batchaudit.lazy import lazy

if TYPE_CHECKING:
    import pandas as pd

    from batchaudit.lineage import Lineage
    from batchaudit.packs import Pack
else:
    pd = lazy("pandas")


DOC_SECTIONS = ("Checks", "Why", "Example", "Fix")
_SECTION = re.compile(r"^\*\*(" + "|".join(DOC_SECTIONS) + r")\*\*\s*", re.MULTILINE)


@dataclass(frozen=True)
class Setting:
    """A rule option that a jurisdiction pack may set under [rules.CODE]."""

    name: str
    default: int
    meaning: str


@dataclass(frozen=True)
class Description:
    message: str
    evidence: dict[str, Any]
    remedy: str | None = None


class RuleInfo:
    """A code of the catalog: its identity and documentation (the class docstring)."""

    code: ClassVar[str]
    name: ClassVar[str]
    severity: ClassVar[Severity]
    settings: ClassVar[tuple[Setting, ...]] = ()

    @classmethod
    def summary(cls) -> str:
        first_paragraph = inspect.cleandoc(cls.__doc__ or "").split("\n\n", 1)[0]
        return " ".join(first_paragraph.split())

    @classmethod
    def sections(cls) -> dict[str, str]:
        """The docstring's **Checks**, **Why**, **Example** and **Fix** paragraphs."""
        parts = _SECTION.split(inspect.cleandoc(cls.__doc__ or ""))
        found = dict(zip(parts[1::2], parts[2::2], strict=True))
        return {name: " ".join(found[name].split()) for name in DOC_SECTIONS if name in found}

    @classmethod
    def finding(
        cls,
        message: str,
        *,
        package_tag: str | None = None,
        evidence: dict[str, Any] | None = None,
        remedy: str | None = None,
        source: Source | None = None,
        severity: Severity | None = None,
    ) -> Finding:
        return Finding(
            rule=cls.code,
            name=cls.name,
            severity=severity or cls.severity,
            package_tag=package_tag,
            message=message,
            evidence=evidence or {},
            remedy=remedy,
            source=source,
        )


class Rule(RuleInfo, ABC):
    """A rule evaluated on the whole lineage at once."""

    # Canonical fields the rule cannot do without, in the packages and in the lab results
    # (a rule with lab fields needs lab results at all).
    needs: ClassVar[frozenset[str]] = frozenset()
    needs_lab: ClassVar[frozenset[str]] = frozenset()
    # Compares test groups, so needs the field the pack groups by (category or type).
    needs_groups: ClassVar[bool] = False

    @abstractmethod
    def evaluate(self, lineage: Lineage, pack: Pack) -> pd.DataFrame:
        """One row per offending package, with a `tag` column and what `describe` needs."""

    @abstractmethod
    def describe(self, row: dict[str, Any]) -> Description:
        """The finding's wording for one offending row."""

    def findings(self, lineage: Lineage, pack: Pack) -> list[Finding]:
        offending = self.evaluate(lineage, pack)
        found = []
        for record in offending.to_dict("records"):
            row = cast(dict[str, Any], record)
            description = self.describe(row)
            found.append(
                self.finding(
                    description.message,
                    package_tag=row["tag"],
                    evidence=description.evidence,
                    remedy=description.remedy,
                    source=Source(row["file"], int(row["line"]), sheet=row.get("sheet") or None),
                    severity=Severity(row.get("severity", self.severity)),
                )
            )
        return found


def per_row(frame: pd.DataFrame, items: list[Any]) -> pd.Series:
    """A column of Python objects (lists, dicts) aligned with `frame`'s rows."""
    return pd.Series(items, index=frame.index, dtype="object")


REGISTRY: dict[str, type[RuleInfo]] = {}
R = TypeVar("R", bound=type[RuleInfo])


def register(rule: R) -> R:
    if rule.code in REGISTRY:
        raise ValueError(f"rule code {rule.code} registered twice")
    REGISTRY[rule.code] = rule
    return rule
