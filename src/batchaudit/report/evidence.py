"""A finding's evidence as the facts a person reads: label and plain text."""

from __future__ import annotations

from typing import Any

# A fact lists this many items (test types, sources); the JSON report has them all.
ITEMS_SHOWN = 20


def listing(items: list[Any]) -> str:
    shown = ", ".join(str(item) for item in items[:ITEMS_SHOWN])
    return shown + (f", and {len(items) - ITEMS_SHOWN} more" if len(items) > ITEMS_SHOWN else "")


def facts(evidence: dict[str, Any]) -> list[tuple[str, str]]:
    """The evidence a person reads, as label and plain text."""
    found = []
    if "testing_state" in evidence:
        found.append(("Testing state", evidence["testing_state"] or "(blank)"))
    if "results_lost" in evidence:
        lost = evidence["results_lost"]
        found.append(
            (
                "Results lost",
                f"{lost['rows']} rows, {lost['events']} test events from "
                f"{lost['tested_packages']} tested package(s)",
            )
        )
    if evidence.get("likely_intent"):
        found.append(("Likely intent", ", ".join(evidence["likely_intent"])))
    if evidence.get("not_discontinuable_because"):
        found.append(("Cannot be discontinued", evidence["not_discontinuable_because"]))
    if "pages" in evidence:
        found.append(
            (
                "Results tab",
                f"{evidence['rows']} rows, {evidence['events']} test events from "
                f"{evidence['tested_package_count']} tested packages, {evidence['pages']} pages "
                f"(limits: {evidence['max_rows']} rows, {evidence['max_tested_packages']} tested "
                "packages)",
            )
        )
    simple_lists = {
        "tests_only_through_sources": "Tests shown only through sources",
        "unknown_sources": "Sources not in the exports",
        "sources_on_cycle": "Sources on the cycle",
        "test_types": "Test types passing and failing",
        "differing_fields": "Fields that differ",
        "categories": "Categories",
    }
    for key, label in simple_lists.items():
        if evidence.get(key):
            found.append((label, listing(evidence[key])))
    if "occurrences" in evidence:
        found.append(
            ("Rows", "; ".join(f"{o['file']} line {o['line']}" for o in evidence["occurrences"]))
        )
    if "value" in evidence:
        found.append(("Value", repr(evidence["value"])))
    if evidence.get("production_batch_number"):
        found.append(("Production batch number", evidence["production_batch_number"]))
    return found
