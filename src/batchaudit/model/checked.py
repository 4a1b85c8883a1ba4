"""What an audit checked, and what it checked again: each rule's coverage of the packages,
and against a baseline, the earlier findings resolved or not re-checked (spec: "What was
checked")."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class NotChecked:
    """Packages a rule could not check, for one reason (spec: "What was checked")."""

    reason: str  # completes "not checked: N packages, because ..."
    packages: int
    files: tuple[str, ...] = ()  # the files those packages came from, where a file is why
    field_name: str | None = None  # the canonical field their files lack, where one is why
    # Which packages: their positions in the audited packages, ascending, as int64 bytes
    # (compared as one value when rules with the same gap are listed together).
    positions: bytes = field(default=b"", compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Coverage:
    """How many packages a rule checked, and why it could not check the others. A rule that
    did not run at all (turned off, no lab results) checked none."""

    rule: str
    checked: int
    not_checked: tuple[NotChecked, ...] = ()
    # The positions in the audited packages of those it did not check (int64 bytes), for
    # baselines: a finding is resolved only where re-checked (`AuditResult.unchecked_tags`).
    unchecked: bytes = field(default=b"", compare=False, repr=False)
    ran: bool = True

    @property
    def not_checked_count(self) -> int:
        return sum(item.packages for item in self.not_checked)

    @property
    def complete(self) -> bool:
        return self.ran and not self.not_checked


@dataclass(frozen=True, slots=True)
class ResolvedFinding:
    """A finding of the baseline report that this audit no longer finds."""

    rule: str
    name: str
    severity: str
    package_tag: str | None
    message: str
    fingerprint: str
    file: str | None = None  # the file named in its source, for findings about a file


@dataclass(frozen=True, slots=True)
class BaselineComparison:
    path: str
    # Re-checked this run and no longer found.
    resolved: tuple[ResolvedFinding, ...] = ()
    # Not found, but this run did not check its package with its rule (or re-read its file):
    # neither resolved nor unchanged.
    not_rechecked: tuple[ResolvedFinding, ...] = ()
    # False for the first run of a report folder: every finding is new, compared with nothing.
    compared: bool = True
