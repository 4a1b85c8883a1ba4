"""What carries from one audit to the next, as the HTML report shows it: the findings a
waiver accepts, and what changed since the baseline report. Plain data, no markup."""

from __future__ import annotations

from dataclasses import dataclass

from batchaudit.model.checked import ResolvedFinding
from batchaudit.model.findings import AuditResult


@dataclass(frozen=True)
class WaivedRow:
    severity: str
    rule: str
    tag: str
    message: str
    waiver: str  # the waiver that accepts it, as a sentence


@dataclass(frozen=True)
class BaselineView:
    path: str
    new: int
    unchanged: int
    resolved: list[ResolvedFinding]
    not_rechecked: list[ResolvedFinding]


def waived_rows(result: AuditResult) -> list[WaivedRow]:
    rows = []
    for finding in result.waived():
        waiver = finding.waiver
        assert waiver is not None
        approved = f" (approved by {waiver.approved_by})" if waiver.approved_by else ""
        accepted = f"Waived until {waiver.expires}: {waiver.reason}{approved}; {waiver.describe()}."
        rows.append(
            WaivedRow(
                str(finding.severity), finding.rule, finding.package_tag or "", finding.message,
                accepted,
            )
        )  # fmt: skip
    return rows


def baseline_view(result: AuditResult) -> BaselineView | None:
    if result.baseline is None:
        return None
    # Waived findings are new or unchanged as the others are, as every report counts them.
    tally, compared = result.tally(), result.baseline
    return BaselineView(
        compared.path,
        tally.marked("new"),
        tally.marked("unchanged"),
        list(compared.resolved),
        list(compared.not_rechecked),
    )
