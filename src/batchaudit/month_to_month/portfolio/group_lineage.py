"""Lineage across a group's licenses: clients of one group (`group = "..."` in their
[[clients]] tables) whose packages pass between them keep their tags, so a package the
receiver holds is the sender's package seen again. After the clients, the group's parts are
joined on those transfers:

- a results tab crosses licenses: the receiver's packages that inherit through a received
  package are audited again (LT001, LT002) on the group's joined lineage, which is what one
  audit of all the group's exports together finds on them;
- the sender's production-batch findings (PB) on a transferred package or on any package
  it was made from (its lineage, as `trace` walks it) reach the receiver, by the tag it
  received.

The join reads only what lies on a transfer's lineage: the packages that inherit through a
transfer and the packages their tabs inherit from, and those packages' lab results (never
the group's whole exports): it sizes with the transfers, not with the packages.

In: each grouped client's GroupPart (made by its worker, client_run.py). Out: the group's
links, findings and inherited PB findings, for portfolio.json and the portfolio's index."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

    from batchaudit.model.findings import AuditResult, Finding
    from batchaudit.model.tables import Tables

TAB_RULES = ("LT001", "LT002")


@dataclass(frozen=True)
class GroupPart:
    """What one client of a group hands the join: its packages and lab results as read,
    and the keys of its own report's findings the join compares with."""

    group: str
    client: str
    licenses: tuple[str, ...]
    pack: str
    packages: pd.DataFrame
    lab_results: pd.DataFrame | None
    package_fields: frozenset[str]
    own_tab_findings: frozenset[tuple[str, str]]  # (rule, package tag) of LT findings
    production_batch_findings: tuple[dict[str, Any], ...]  # rule, severity, tag, message


def group_part(group: str, client: str, licenses: tuple[str, ...], pack: str, tables: Tables,
               result: AuditResult) -> GroupPart:  # fmt: skip
    """A client's part, made where it was audited."""
    findings = result.findings
    return GroupPart(
        group=group,
        client=client,
        licenses=licenses,
        pack=pack,
        packages=tables.packages,
        lab_results=tables.lab_results,
        package_fields=frozenset(tables.package_fields),
        own_tab_findings=frozenset(
            (f.rule, f.package_tag or "") for f in findings if f.rule in TAB_RULES
        ),
        production_batch_findings=tuple(
            _shown(f) for f in findings if f.rule.startswith("PB") and f.package_tag
        ),
    )


def _shown(finding: Finding) -> dict[str, Any]:
    return {
        "rule": finding.rule,
        "severity": str(finding.severity),
        "package_tag": finding.package_tag,
        "message": finding.message,
    }


def transfers(parts: list[GroupPart]) -> pd.DataFrame:
    """tag, sender, receiver: each package one member holds as received from another
    member's license, which that member's exports hold too."""
    import pandas as pd

    license_of = {lic: part.client for part in parts for lic in part.licenses}
    held = pd.concat(
        [part.packages[["tag"]].assign(sender=part.client) for part in parts], ignore_index=True
    )
    received = pd.concat(
        [
            part.packages.loc[
                part.packages["received_from_license"].isin(
                    [lic for lic in license_of if license_of[lic] != part.client]
                ),
                ["tag", "received_from_license"],
            ].assign(receiver=part.client)
            for part in parts
        ],
        ignore_index=True,
    )
    received["sender"] = received["received_from_license"].map(license_of)
    links = received.merge(held, on=["tag", "sender"])[["tag", "sender", "receiver"]]
    return links.drop_duplicates().sort_values(["tag", "receiver"], ignore_index=True)


def joined_packages(parts: list[GroupPart]) -> pd.DataFrame:
    """One record per tag over the group, with the clients that hold it: where a member
    received it from another, the receiver's record (the package as it is now)."""
    import pandas as pd

    every = pd.concat(
        [part.packages.assign(holder=part.client) for part in parts], ignore_index=True
    )
    members = {lic for part in parts for lic in part.licenses}
    every["_received"] = every["received_from_license"].isin(members)
    pairs = every[["tag", "holder"]].drop_duplicates().sort_values(["tag", "holder"])
    holders = pairs.groupby("tag", sort=False)["holder"].agg(list)
    kept = every.sort_values("_received", ascending=False, kind="stable").drop_duplicates("tag")
    kept = kept.drop(columns=["_received", "holder"]).reset_index(drop=True)
    kept["holders"] = kept["tag"].map(holders)
    return kept


def source_links(packages: pd.DataFrame, inheriting: bool = True) -> pd.DataFrame:
    """child, source (tags): every link, or (`inheriting`) those along which a tab inherits,
    whose child is not a production batch."""
    import pandas as pd

    from batchaudit.model.values import split_tag_list

    if inheriting:
        packages = packages.loc[~packages["production_batch"].fillna(False).astype(bool)]
    listed = split_tag_list(packages["source_package_tags"])
    return pd.DataFrame(
        {"child": packages["tag"].loc[listed.index].to_numpy(), "source": listed.array}
    )


def closure(start: pd.Index, links: pd.DataFrame, frm: str, to: str) -> pd.Index:
    """Every tag reached from `start` along links `frm` -> `to`, start included: one
    generation a step, whole-frame."""
    import pandas as pd

    reached, frontier = start, start
    while len(frontier):
        frontier = pd.Index(links.loc[links[frm].isin(frontier), to].unique()).difference(reached)
        reached = reached.append(frontier)
    return reached


def made_from(roots: pd.Series, links: pd.DataFrame) -> pd.DataFrame:
    """root, tag: each root and every package it was made from, whole-frame pairs a
    generation a step (the roots are the transferred packages)."""
    import pandas as pd

    found = pd.DataFrame({"root": roots.to_numpy(), "tag": roots.to_numpy()}).drop_duplicates()
    frontier = found
    while len(frontier):
        step = frontier.merge(links, left_on="tag", right_on="child")[["root", "source"]]
        step = step.rename(columns={"source": "tag"}).drop_duplicates()
        fresh = step.merge(found, how="left", indicator=True)
        frontier = fresh.loc[fresh["_merge"] == "left_only", ["root", "tag"]]
        found = pd.concat([found, frontier], ignore_index=True)
    return found
