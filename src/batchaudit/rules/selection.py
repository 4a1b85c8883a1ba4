"""Which rules run, and at which severity: `select`, `extend-select`, `ignore` and per-rule
`severity`, by code or by prefix (`PB`, `LT00`), from the command line or the config.

As in ruff: the rules run are those that `select` names (every rule when it names none),
plus those that `extend-select` names, less those that `ignore` names; the waivers file's
own rules (WV001, WV002) run whatever `select` names, unless `ignore` names them. A rule
left out is listed as skipped with the reason, naming where it was left out. An opt-in rule
(a note off by default, DQ007) runs only when named by its full code, or enabled in the pack.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from batchaudit.model.findings import Finding, Severity, SkippedRule
from batchaudit.rules.base import REGISTRY
from batchaudit.rules.wording import plural
from batchaudit.support.suggestions import did_you_mean

if TYPE_CHECKING:
    from batchaudit.model.packs import Pack

ALL = "ALL"


class SelectionError(ValueError):
    """A code or prefix that names no rule; the message says where it was given."""


@dataclass(frozen=True)
class Selectors:
    """Codes or prefixes as given, and where: `where` opens a refusal ("In the config
    x.toml, ignore"), `label` names the origin in a skip reason ("ignore in x.toml")."""

    codes: tuple[str, ...]
    where: str
    label: str = ""

    @property
    def origin(self) -> str:
        return f"{self.label or self.where}: {', '.join(self.codes)}"


@dataclass(frozen=True)
class RuleChoices:
    """What the engine needs: the rules not to run (with why) and severities to impose."""

    off: dict[str, str] = field(default_factory=dict)
    severity: dict[str, Severity] = field(default_factory=dict)
    # Codes named in full in select or extend-select: what turns an opt-in rule on.
    asked: frozenset[str] = frozenset()


def known_prefixes() -> list[str]:
    """Every code and every prefix of one (`P`, `PB`, `PB0`, `PB00`, `PB001`), and ALL."""
    return sorted({code[:n] for code in REGISTRY for n in range(1, len(code) + 1)} | {ALL})


def matching(selector: str, where: str) -> list[str]:
    """The codes a selector names, or SelectionError naming where it was given."""
    wanted = selector.strip().upper()
    codes = sorted(REGISTRY) if wanted == ALL else [c for c in REGISTRY if c.startswith(wanted)]
    if not wanted or not codes:
        # A two-letter family is one letter from another: a looser cutoff still suggests it.
        hint = did_you_mean(wanted, sorted({*REGISTRY, *(c[:2] for c in REGISTRY)}), 0.5)
        raise SelectionError(
            f"{where}: {selector!r} is not a rule code or prefix{hint}; "
            "`batchaudit rules` lists them."
        )
    return sorted(codes)


def choose(
    select: Selectors | None = None,
    extend_select: Selectors | None = None,
    ignore: Selectors | None = None,
    severity: dict[str, str] | None = None,
    severity_where: str = "severity",
) -> RuleChoices:
    """The rules to leave out, with why, and the severities to impose."""
    chosen = set(REGISTRY)
    off: dict[str, str] = {}
    if select is not None and select.codes:
        chosen = {code for s in select.codes for code in matching(s, select.where)}
        chosen |= {code for code, rule in REGISTRY.items() if rule.selected_always}
        for code in sorted(set(REGISTRY) - chosen):
            off[code] = f"not selected ({select.origin})"
    if extend_select is not None:
        for code in {c for s in extend_select.codes for c in matching(s, extend_select.where)}:
            off.pop(code, None)
    if ignore is not None:
        for code in {c for s in ignore.codes for c in matching(s, ignore.where)}:
            off[code] = f"ignored ({ignore.origin})"
    named = [*(select.codes if select else ()), *(extend_select.codes if extend_select else ())]
    asked = frozenset(code.strip().upper() for code in named) & set(REGISTRY)
    return RuleChoices(off=off, severity=_severities(severity or {}, severity_where), asked=asked)


def opt_in_left_out(
    findings: list[Finding], pack: Pack, choices: RuleChoices
) -> tuple[list[Finding], list[SkippedRule]]:
    """The findings without those of opt-in rules (`RuleInfo.opt_in`) that were not asked for
    (by full code in select or extend-select, or `enabled = true` in the pack), and each such
    rule that had findings, listed as skipped with how many and how to turn it on. A prefix
    or ALL does not turn one on, as in ruff for its explicitly selected rules."""
    left_out = {
        code
        for code, rule in REGISTRY.items()
        if rule.opt_in
        and code not in choices.asked
        and pack.rules.get(code, {}).get("enabled") is not True
    }
    kept = [finding for finding in findings if finding.rule not in left_out]
    counts = Counter(finding.rule for finding in findings if finding.rule in left_out)
    skipped = [
        SkippedRule(
            code,
            f"off by default; it has {plural(count, '{n} note', '{n} notes')} "
            f"(select {code} to see {'it' if count == 1 else 'them'})",
        )
        for code, count in sorted(counts.items())
    ]
    return kept, skipped


def _severities(given: dict[str, str], where: str) -> dict[str, Severity]:
    imposed = {}
    for code, value in given.items():
        if code.upper() not in REGISTRY:
            hint = did_you_mean(code.upper(), REGISTRY)
            raise SelectionError(f"{where}.{code}: not a rule code{hint}.")
        if value not in [str(s) for s in Severity]:
            raise SelectionError(f"{where}.{code}: must be error, warning or note, not {value!r}.")
        imposed[code.upper()] = Severity(value)
    return imposed
