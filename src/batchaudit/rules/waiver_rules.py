"""Waivers (WV): a waivers file must not rot. An expired waiver no longer applies and says so;
a waiver that matches nothing says so too, as ruff reports an unused `noqa`.

These findings come from comparing the waivers file with the audit's findings
(`batchaudit.month_to_month.waivers`), not from the exports.
"""

from __future__ import annotations

from typing import Annotated, ClassVar, TypedDict

from batchaudit.model.findings import Finding, Severity, Waiver
from batchaudit.rules.base import RuleInfo, register


class WaiverEvidence(TypedDict):
    waiver: Annotated[str, "which entry of which waivers file"]
    waived_rule: Annotated[str, "the rule code the waiver is for"]
    tags: Annotated[list[str], "the package tags or globs it names"]
    reason: Annotated[str, "why the finding was accepted"]
    expires: Annotated[str, "the last day it applies (YYYY-MM-DD)"]
    approved_by: Annotated[str, "who approved it (blank when not recorded)"]


class UnusedWaiverEvidence(WaiverEvidence):
    unmatched: Annotated[list[str], "the tags or globs that matched no finding"]


def _single_tag(waiver: Waiver) -> str | None:
    """The package a waiver is about, when it names exactly one tag (no glob)."""
    if len(waiver.tags) == 1 and not any(c in waiver.tags[0] for c in "*?["):
        return waiver.tags[0]
    return None


def _evidence(waiver: Waiver) -> WaiverEvidence:
    return {
        "waiver": waiver.describe(),
        "waived_rule": waiver.rule,
        "tags": list(waiver.tags),
        "reason": waiver.reason,
        "expires": waiver.expires.isoformat(),
        "approved_by": waiver.approved_by,
    }


@register
class ExpiredWaiver(RuleInfo):
    """A waiver whose expiry date has passed, so the findings it covered count again.

    **Checks** Fires once per entry of the waivers file whose `expires` date is before the day
    of the audit; the entry no longer waives anything.

    **Why** A finding is accepted for a time (until a correction is made, or until the
    regulator's agreement runs out); an acceptance that never ends hides the mistake for good.

    **Example** A waiver of PB002 on 1A4...0042 with `expires = 2026-10-31`, in an audit run
    on 2026-11-29.

    **Fix** Correct the finding in Metrc and delete the waiver, or, with a new approval, give
    it a new `expires` date (at most a year ahead).
    """

    code = "WV001"
    selected_always = True
    checked_again_by = "waivers"
    name = "expired-waiver"
    severity = Severity.WARNING
    evidence: ClassVar[type] = WaiverEvidence
    fingerprint_facts = ("waived_rule", "tags")
    headline_one = "{n} waiver has expired; the findings it covered count again."
    headline_many = "{n} waivers have expired; the findings they covered count again."

    @classmethod
    def report(cls, waiver: Waiver) -> Finding:
        return cls.finding(
            f"The {waiver.describe()} ({waiver.rule} on {', '.join(waiver.tags)}) expired on "
            f"{waiver.expires.isoformat()}, so it no longer applies.",
            package_tag=_single_tag(waiver),
            evidence=_evidence(waiver),
            remedy="Correct the finding and delete the waiver, or renew it with a new approval "
            "and a new expires date.",
        )

    @classmethod
    def facts(cls, finding: Finding) -> list[tuple[str, str]]:
        return [("Reason it was waived", str(finding.evidence["reason"]))]


@register
class UnusedWaiver(RuleInfo):
    """A waiver that matches no finding of the audit.

    **Checks** Fires once per entry of the waivers file, not expired, with a package tag or
    glob that matched no finding of its rule in this audit.

    **Why** A waiver outlives the mistake it accepted: once the package is corrected or gone,
    the waiver would silently accept the same mistake on a package that matches it later.

    **Example** A waiver of LT001 on 1A4...0007 after 1A4...0007's results tab was fixed.

    **Fix** Delete the waiver, or correct its rule code or tag if it was meant to match.
    """

    code = "WV002"
    selected_always = True
    checked_again_by = "waivers"
    name = "unused-waiver"
    severity = Severity.NOTE
    evidence: ClassVar[type] = UnusedWaiverEvidence
    fingerprint_facts = ("waived_rule", "tags")
    headline_one = "{n} waiver matches no finding and can be deleted."
    headline_many = "{n} waivers match no finding and can be deleted."

    @classmethod
    def report(cls, waiver: Waiver, unmatched: list[str]) -> Finding:
        evidence: UnusedWaiverEvidence = {**_evidence(waiver), "unmatched": unmatched}
        return cls.finding(
            f"The {waiver.describe()} ({waiver.rule} on {', '.join(unmatched)}) matches no "
            "finding of this audit.",
            package_tag=_single_tag(waiver),
            evidence=evidence,
            remedy="Delete the waiver, or correct its rule or tag.",
        )
