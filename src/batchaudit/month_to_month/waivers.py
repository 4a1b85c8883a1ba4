"""Waivers: findings a client has accepted, for a time, with a reason and an approval.

A waivers file is TOML, one `[[waiver]]` table per entry:

    [[waiver]]
    rule = "PB002"                      # a rule code
    tag = "1A4030000CC7D20000000042"    # a tag, a glob ("1A40300*"), or a list of them
    reason = "Category correction agreed with OLCC, case 2026-118"   # required
    expires = 2027-03-31                # required; at most MAX_DAYS after approved_on
    approved_by = "J. Rivera (compliance)"
    approved_on = 2026-11-29

A waived finding stays in every report, marked with its waiver, and does not count toward
--fail-on. An expired waiver applies to nothing and is itself a finding (WV001); a waiver
that matches nothing is a note (WV002).
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from dataclasses import replace
from datetime import date, timedelta
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any

from batchaudit.model.findings import AuditResult, Finding, Waiver
from batchaudit.rules import REGISTRY
from batchaudit.rules.waiver_rules import ExpiredWaiver, UnusedWaiver
from batchaudit.support.suggestions import did_you_mean

# A waiver is a decision to revisit: it may run for a year at most from its approval.
MAX_DAYS = 365
KEYS = ("rule", "tag", "reason", "expires", "approved_by", "approved_on")
WAIVER_RULES = (ExpiredWaiver.code, UnusedWaiver.code)


class WaiverError(ValueError):
    """A waivers file that cannot be used; the message names the file and the entry's key."""


def refusal(path: Path | str, key: str, problem: str) -> WaiverError:
    return WaiverError(f"In the waivers file {path}, {key}: {problem}.")


def load_waivers(path: Path, today: date, name: str = "") -> list[Waiver]:
    """The waivers of a file; `name` is the file as the reports name it (by default `path`):
    refusals name `path`, the file this machine read."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise WaiverError(f"Cannot read the waivers file {path}: {error.strerror}.") from error
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise WaiverError(f"The waivers file {path} is not valid TOML: {error}.") from error
    for key in data.keys() - {"waiver"}:
        raise refusal(path, key, f"unknown key{did_you_mean(key, ['waiver'])}; "
                      "each entry is a [[waiver]] table")  # fmt: skip
    entries = data.get("waiver", [])
    if not isinstance(entries, list):
        raise refusal(path, "waiver", "must be [[waiver]] tables")
    waivers = [_waiver(entry, path, n, today) for n, entry in enumerate(entries, start=1)]
    return [replace(waiver, file=name) for waiver in waivers] if name else waivers


def _waiver(entry: Any, path: Path, number: int, today: date) -> Waiver:
    def refuse(key: str, problem: str) -> WaiverError:
        return refusal(path, f"waiver #{number}{'.' + key if key else ''}", problem)

    if not isinstance(entry, dict):
        raise refuse("", "must be a [[waiver]] table")
    for key in entry.keys() - set(KEYS):
        raise refuse(key, f"unknown key{did_you_mean(key, KEYS)}")
    rule = entry.get("rule")
    if not isinstance(rule, str) or rule.strip().upper() not in REGISTRY:
        hint = did_you_mean(str(rule).strip().upper(), REGISTRY) if rule else ""
        raise refuse("rule", f"must be a rule code{hint}")
    tags = entry.get("tag")
    tags = [tags] if isinstance(tags, str) else tags
    if (
        not isinstance(tags, list)
        or not tags
        or not all(isinstance(t, str) and t.strip() for t in tags)
    ):
        raise refuse("tag", "must be a package tag, a glob or a list of them")  # fmt: skip
    reason = entry.get("reason")
    if not isinstance(reason, str) or not reason.strip():
        raise refuse("reason", "is required: say why the finding is accepted")
    approved_by = entry.get("approved_by", "")
    if not isinstance(approved_by, str):
        raise refuse("approved_by", "must be text (who approved it)")
    approved_on = entry.get("approved_on")
    if approved_on is not None and type(approved_on) is not date:
        raise refuse("approved_on", "must be a date, as 2026-11-29 (no quotes)")
    expires = entry.get("expires")
    if type(expires) is not date:
        raise refuse("expires", "is required: a date, as 2027-03-31 (no quotes)")
    latest = (approved_on or today) + timedelta(days=MAX_DAYS)
    if expires > latest:
        since = "approved_on" if approved_on else "today"
        raise refuse("expires", f"is more than {MAX_DAYS} days after {since} (at most {latest})")
    return Waiver(
        rule=rule.strip().upper(),
        tags=tuple(t.strip().upper() for t in tags),
        reason=" ".join(reason.split()),
        expires=expires,
        file=str(path),
        number=number,
        approved_by=approved_by.strip(),
        approved_on=approved_on,
    )


def _text(value: Any) -> bool:
    return isinstance(value, str) and bool(value.strip())


def matches(pattern: str, finding: Finding) -> bool:
    """A tag or glob against a finding's package; `*` also matches a file-level finding."""
    return pattern == "*" or fnmatchcase(finding.package_tag or "", pattern)


# A waiver's pattern, with the waiver's place among the waivers in force.
_Pattern = tuple[int, Waiver, str]


def _by_rule(
    live: list[Waiver],
) -> tuple[dict[tuple[str, str], list[_Pattern]], dict[str, list[_Pattern]]]:
    """The waivers' plain tags by rule and tag, and their globs by rule: a finding looks its
    tag up, and tries only its rule's globs (each finding tried every waiver's patterns:
    300 waivers added 2.6 s to an audit of 40,567 findings)."""
    tags: dict[tuple[str, str], list[_Pattern]] = {}
    globs: dict[str, list[_Pattern]] = {}
    for place, waiver in enumerate(live):
        for pattern in waiver.tags:
            if _GLOB.intersection(pattern):
                globs.setdefault(waiver.rule, []).append((place, waiver, pattern))
            else:  # a tag matches itself only, as `fnmatchcase` has it
                tags.setdefault((waiver.rule, pattern), []).append((place, waiver, pattern))
    return tags, globs


_GLOB = frozenset("*?[")


def apply_waivers(
    result: AuditResult,
    waivers: list[Waiver],
    today: date,
    configure: Callable[[list[Finding]], list[Finding]] = list,
) -> AuditResult:
    """Mark waived findings with their waiver; add WV001 for expired, WV002 for unused,
    turned off or given another severity by `configure` (the pack and the config)."""
    live = [w for w in waivers if w.expires >= today]
    tags, globs = _by_rule(live)
    used: set[tuple[int, str]] = set()
    findings = []
    for finding in result.findings:
        hits = tags.get((finding.rule, finding.package_tag or ""), [])
        hits = hits + [hit for hit in globs.get(finding.rule, ()) if matches(hit[2], finding)]
        if hits:
            used.update((waiver.number, pattern) for _, waiver, pattern in hits)
            first = min(hits, key=lambda hit: hit[0])[1]  # the first in the file that matches
            finding = replace(finding, waiver=finding.waiver or first)
        findings.append(finding)
    about_waivers = [ExpiredWaiver.report(w) for w in waivers if w.expires < today]
    for waiver in live:
        unmatched = [p for p in waiver.tags if (waiver.number, p) not in used]
        if unmatched:
            about_waivers.append(UnusedWaiver.report(waiver, unmatched))
    findings += configure(about_waivers)
    return replace(result, findings=tuple(sorted(findings, key=Finding.sort_key)))


def waiver_entry(
    rule: str, tag: str, reason: str, expires: date, approved_by: str, today: date
) -> str:
    """A [[waiver]] table as TOML text (strings escaped as JSON, which TOML accepts)."""
    import json

    lines = [
        "",
        "[[waiver]]",
        f"rule = {json.dumps(rule.strip().upper())}",
        f"tag = {json.dumps(tag.strip().upper(), ensure_ascii=False)}",
        f"reason = {json.dumps(reason, ensure_ascii=False)}",
        f"expires = {expires.isoformat()}",
    ]
    if approved_by:
        lines.append(f"approved_by = {json.dumps(approved_by, ensure_ascii=False)}")
    lines.append(f"approved_on = {today.isoformat()}")
    return "\n".join(lines) + "\n"


def append_waiver(path: Path, entry: str, today: date) -> Waiver:
    """Append an entry, after checking the file and the entry; nothing is written if either
    would be refused."""
    before = path.read_text(encoding="utf-8") if path.exists() else ""
    if before:
        load_waivers(path, today)
    after = before + ("" if not before or before.endswith("\n") else "\n") + entry
    data = tomllib.loads(after)
    added = _waiver(data["waiver"][-1], path, len(data["waiver"]), today)
    path.write_text(after, encoding="utf-8")
    return added
