"""The join of one group's parts (group_lineage.py): its cross-license links, the results-tab
findings (LT001, LT002) of the packages whose tabs cross a license, found by the audit's own
rules on the group's joined lineage, and the senders' production-batch findings that reach
each receiver. Runs after the clients, in the orchestrating process."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from batchaudit.month_to_month.portfolio.group_lineage import (
    TAB_RULES,
    GroupPart,
    closure,
    joined_packages,
    made_from,
    source_links,
    transfers,
)

if TYPE_CHECKING:
    import pandas as pd


def join_group(name: str, parts: list[GroupPart]) -> dict[str, Any]:
    """The group's entry in portfolio.json."""
    import pandas as pd

    links = transfers(parts)
    data: dict[str, Any] = {
        "name": name,
        "clients": [part.client for part in parts],
        "links": cast(list[dict[str, Any]], links.to_dict("records")),
        "rules": list(TAB_RULES),
        "findings": [],
        "not_checked": [],
        "inherited": [],
    }
    if links.empty:
        return data
    packages = joined_packages(parts)
    inheriting = source_links(packages)
    crossing = closure(pd.Index(links["tag"].unique()), inheriting, "source", "child")
    data["findings"], data["not_checked"] = _tab_findings(parts, packages, inheriting, crossing)
    data["inherited"] = _inherited(parts, links, source_links(packages, inheriting=False))
    return data


Entries = list[dict[str, Any]]


def _tab_findings(parts: list[GroupPart], packages: pd.DataFrame, inheriting: pd.DataFrame,
                  crossing: pd.Index) -> tuple[Entries, Entries]:  # fmt: skip
    """LT findings of the joined lineage on the packages whose tab crosses a license: each
    with the members that hold it and whether their own report has it too; and per rule,
    how many of those packages it could not check (their tab inherits from packages no
    member's exports hold)."""
    from batchaudit.engine import audit
    from batchaudit.model.tables import Tables
    from batchaudit.rules import REGISTRY
    from batchaudit.rules.selection import RuleChoices
    from batchaudit.rules.settings import checked_pack

    needed = closure(crossing, inheriting, "child", "source")
    lineage = packages.loc[packages["tag"].isin(needed)].reset_index(drop=True)
    tables = Tables(
        packages=lineage.drop(columns="holders"),
        lab_results=_lab_results(parts, lineage),
        package_fields=set().union(*(part.package_fields for part in parts)),
    )
    off = {code: "not a results-tab rule" for code in REGISTRY if code not in TAB_RULES}
    result = audit(tables, checked_pack(parts[0].pack), RuleChoices(off=off)).result
    holders = dict(zip(lineage["tag"], lineage["holders"], strict=True))
    own = {part.client: part.own_tab_findings for part in parts}
    findings = [
        {"rule": f.rule, "severity": str(f.severity), "package_tag": f.package_tag,
         "clients": list(holders[f.package_tag]), "message": f.message,
         "in_client_reports": [(f.rule, f.package_tag) in own[c] for c in holders[f.package_tag]]}
        for f in result.findings
        if f.rule in TAB_RULES and f.package_tag in crossing
    ]  # fmt: skip
    unchecked = {code: len(result.unchecked_tags(code) & set(crossing)) for code in TAB_RULES}
    return findings, [{"rule": c, "packages": n} for c, n in unchecked.items() if n]


def _lab_results(parts: list[GroupPart], lineage: pd.DataFrame) -> pd.DataFrame | None:
    """The members' lab-result rows of the packages on the joined lineage: tested there, or
    pulled for one of them."""
    from batchaudit.model.values import joined_rows

    ids = lineage["package_id"].loc[lineage["package_id"] != ""]
    rows = [
        part.lab_results.loc[
            part.lab_results["tested_package"].isin(lineage["tag"])
            | part.lab_results["package_id"].isin(ids)
        ]
        for part in parts
        if part.lab_results is not None
    ]
    return joined_rows(rows) if rows else None


def _inherited(parts: list[GroupPart], links: pd.DataFrame,
               every_link: pd.DataFrame) -> list[dict[str, Any]]:  # fmt: skip
    """The senders' PB findings on each transferred package and on what it was made from,
    for its receiver."""
    import pandas as pd

    findings = pd.DataFrame(
        [{"sender": part.client, **finding} for part in parts
         for finding in part.production_batch_findings],
        columns=["sender", "rule", "severity", "package_tag", "message"],
    )  # fmt: skip
    lineage = made_from(links["tag"], every_link)
    reached = links.merge(lineage, left_on="tag", right_on="root")
    reached = reached.rename(columns={"tag_x": "via", "tag_y": "package_tag"})
    found = reached.merge(findings, on=["sender", "package_tag"])
    columns = ["receiver", "via", "sender", "rule", "severity", "package_tag", "message"]
    ordered = found[columns].sort_values(columns[:6], ignore_index=True)
    return cast(list[dict[str, Any]], ordered.to_dict("records"))
