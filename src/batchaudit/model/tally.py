"""A result's findings counted in one pass (`AuditResult.tally`): by rule, severity,
waived or not, and baseline mark, from which every report's counts are read."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from batchaudit.model.severity import Severity


@dataclass(frozen=True, slots=True)
class Tally:
    """How many findings there are of each rule, severity, waived or not, and baseline
    mark ("new", "unchanged" or None), in the order each was first met."""

    counts: Counter[tuple[str, Severity, bool, str | None]]

    def by_rule_and_severity(
        self, counted_only: bool = False, new_only: bool = False
    ) -> Counter[tuple[str, Severity]]:
        """Findings by rule and severity, the rules in the order met: with `counted_only`
        those that count (not waived), with `new_only` the new ones."""
        counts = Counter[tuple[str, Severity]]()
        for (rule, severity, waived, baseline), count in self.counts.items():
            if not (counted_only and waived) and (not new_only or baseline == "new"):
                counts[rule, severity] += count
        return counts

    def by_severity(self) -> dict[str, int]:
        """Counts of the findings that count (waived ones are counted apart)."""
        counts = Counter[Severity]()
        for (_, severity), count in self.by_rule_and_severity(counted_only=True).items():
            counts[severity] += count
        return {severity.value: counts[severity] for severity in Severity}

    def by_rule(self) -> dict[str, int]:
        """Every finding, waived or not, by rule, the rules by code."""
        counts = Counter[str]()
        for (rule, _), count in self.by_rule_and_severity().items():
            counts[rule] += count
        return dict(sorted(counts.items()))

    def severity_by_rule(self) -> dict[str, Severity]:
        """Each rule's most severe finding, waived or not, the rules in the order met, as the
        pack left them (a rule's findings may differ: DQ002 is an error for a bad tag, a
        warning for an unknown testing state)."""
        worst: dict[str, Severity] = {}
        for rule, severity in self.by_rule_and_severity():
            if rule not in worst or severity.rank < worst[rule].rank:
                worst[rule] = severity
        return worst

    def worst_severity(self, new_only: bool = False) -> Severity | None:
        """The most severe finding that counts (not waived; only new ones if asked)."""
        counted = self.by_rule_and_severity(counted_only=True, new_only=new_only)
        return min((severity for _, severity in counted), key=lambda s: s.rank, default=None)

    def waived(self) -> int:
        """How many findings are waived (marked in every report; they do not count)."""
        return sum(count for (_, _, waived, _), count in self.counts.items() if waived)

    def marked(self, baseline: str) -> int:
        """How many findings a baseline marked so ("new", "unchanged"), waived or not."""
        return sum(count for (_, _, _, mark), count in self.counts.items() if mark == baseline)
