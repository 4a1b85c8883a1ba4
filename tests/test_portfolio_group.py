"""Lineage across a group's licenses: one generated licensee's exports split into a
producer, a processor and a retailer of one group, each package in the license its category
belongs to, and each package a license made from another's as a transfer (the source's row
in the receiver's exports too, Received From the sender). `batchaudit run` joins them: the
cross-license LT findings are those of one audit of the three exports together."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from click.testing import CliRunner

from batchaudit import audit as audit_exports
from batchaudit.cli import cli
from batchaudit.sample import generate

LICENSES = {"producer": "020-1000001A", "processor": "020-1000002B", "retailer": "020-1000003C"}
MAKES = {
    "processor": {"Concentrate", "Concentrate (each)", "Extracts"},
    "retailer": {"Non-Infused (Plain) Pre-Roll", "Edibles", "Edibles (each)"},
}


def licensee(category: str) -> str:
    return next((name for name, made in MAKES.items() if category in made), "producer")


def split(root: Path) -> dict[str, Path]:
    """The three licensees' exports, written under root; their folders by name."""
    sample = generate(600, seed=5)
    packages = pd.concat([sample.active, sample.inactive], ignore_index=True).fillna("")
    holder = dict(zip(packages["Tag"], packages["Category"].map(licensee), strict=True))
    links = packages.assign(source=packages["Source Package(s)"].str.split(",")).explode("source")
    links["source"] = links["source"].str.strip()
    links = links.loc[links["source"].isin(holder)]
    links = links.assign(receiver=links["Category"].map(licensee))
    links = links.assign(sender=links["source"].map(holder))
    sent = links.loc[links["sender"] != links["receiver"]]
    # The retailer also buys the processor's production batches to sell as they are.
    batches = packages.loc[
        (packages["Tag"].map(holder) == "processor") & (packages["Production Batch"] == "Yes")
    ]
    sold = pd.DataFrame({"source": batches["Tag"], "receiver": "retailer",
                         "sender": "processor", "Packaged Date": batches["Packaged Date"]})  # fmt: skip
    sent = pd.concat([sent[["source", "receiver", "sender", "Packaged Date"]], sold])
    sent = sent.drop_duplicates(["source", "receiver"])
    folders = {}
    for name, number in LICENSES.items():
        own = packages.loc[packages["Tag"].map(holder) == name].copy()
        own.loc[own["Received From"] == "", "Packaged By"] = number
        received = sent.loc[sent["receiver"] == name]
        copies = packages.set_index("Tag").loc[received["source"]].reset_index()
        copies["Packaged By"] = received["sender"].map(LICENSES).to_numpy()
        copies["Received From"] = copies["Packaged By"]
        copies["Received"] = received["Packaged Date"].to_numpy()
        labs = sample.lab_results
        tested_here = labs["SourcePackageLabel"].map(holder).fillna("producer") == name
        folder = root / "clients" / name
        folder.mkdir(parents=True)
        pd.concat([own, copies], ignore_index=True).to_csv(folder / "packages.csv", index=False)
        labs.loc[tested_here].to_csv(folder / "lab-results.csv", index=False)
        folders[name] = folder
    return folders


def crossing_tags(folders: dict[str, Path]) -> set[str]:
    """The receivers' packages whose tab inherits through a received package: received
    packages and, down non-production-batch children, what was made from them."""
    every = pd.concat(
        [
            pd.read_csv(f / "packages.csv", dtype=str, keep_default_na=False)
            for f in folders.values()
        ]
    )
    reached = set(every.loc[every["Received From"].isin(LICENSES.values()), "Tag"])
    made = every.loc[every["Production Batch"] != "Yes"]
    made = made.assign(source=made["Source Package(s)"].str.split(",")).explode("source")
    made["source"] = made["source"].str.strip()
    while True:
        more = set(made.loc[made["source"].isin(reached), "Tag"]) - reached
        if not more:
            return reached
        reached |= more


@pytest.fixture(scope="module")
def group(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    root = tmp_path_factory.mktemp("group")
    folders = split(root)
    (root / "batchaudit.toml").write_text(
        "".join(
            f'[[clients]]\nname = "{name.title()}"\nlicense = "{number}"\n'
            f'exports = "clients/{name}"\ngroup = "Valley Group"\n\n'
            for name, number in LICENSES.items()
        )
    )
    result = CliRunner().invoke(cli, ["run", str(root / "batchaudit.toml"), "--jobs", "1"])
    data = json.loads((root / "reports" / "portfolio.json").read_text(encoding="utf-8"))
    return {"root": root, "folders": folders, "result": result, "data": data}


def test_the_cross_license_tab_findings_are_those_of_one_audit_of_all_three(
    group: dict[str, Any],
) -> None:
    assert group["result"].exit_code == 1, group["result"].output
    (joined,) = group["data"]["groups"]
    assert joined["name"] == "Valley Group" and joined["not_joined"] == []
    assert joined["clients"] == ["Producer", "Processor", "Retailer"]
    folders = group["folders"]
    together = audit_exports([str(folders[name]) for name in LICENSES])
    crossing = crossing_tags(folders)
    expected = sorted(
        (f.rule, f.package_tag, f.message)
        for f in together.findings
        if f.rule in ("LT001", "LT002") and f.package_tag in crossing
    )
    found = sorted((f["rule"], f["package_tag"], f["message"]) for f in joined["findings"])
    assert found == expected
    assert {rule for rule, _, _ in found} == {"LT001", "LT002"}
    # What could not be checked across the group is what that one audit could not check.
    assert joined["rules"] == ["LT001", "LT002"]
    unchecked = {code: len(together.unchecked_tags(code) & crossing) for code in joined["rules"]}
    assert {item["rule"]: item["packages"] for item in joined["not_checked"]} == {
        code: count for code, count in unchecked.items() if count
    }
    # Some of them no member's own audit could see: the tab crossed a license.
    assert not all(any(f["in_client_reports"]) for f in joined["findings"])


def test_the_links_and_the_senders_production_batch_findings(group: dict[str, Any]) -> None:
    (joined,) = group["data"]["groups"]
    links = {(link["sender"], link["receiver"]) for link in joined["links"]}
    assert ("Producer", "Processor") in links and ("Processor", "Retailer") in links
    inherited = joined["inherited"]
    assert inherited, "a sender's PB finding reaches a receiver"
    for entry in inherited:
        assert (entry["sender"], entry["receiver"]) in links
        assert entry["rule"].startswith("PB")


def test_the_portfolio_page_shows_the_group(group: dict[str, Any]) -> None:
    index = (group["root"] / "reports" / "index.html").read_text(encoding="utf-8")
    (joined,) = group["data"]["groups"]
    assert "<h2>Valley Group</h2>" in index
    assert f"{len(joined['links'])} packages passed between its licenses" in index
    assert "seen only across the group" in index and "<script" not in index
    only = [f for f in joined["findings"] if not any(f["in_client_reports"])]
    assert f"({len(joined['findings'])} findings, {len(only)} seen only across the group)" in index
    # What no member's own report shows comes first.
    assert index.index(only[0]["package_tag"]) < index.index("also in its own report")
