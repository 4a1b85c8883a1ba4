"""Production-batch rules (PB): the box checked when nothing was processed, or left unchecked
when something was. See the regulator's bulletin on production batches."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from batchaudit.findings import Severity
from batchaudit.lazy import lazy
from batchaudit.rules.base import Description, Rule, per_row, register
from batchaudit.rules.sources import likely_intent, results_lost, source_facts, sources_of

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

    from batchaudit.lineage import Lineage
    from batchaudit.packs import Pack
else:
    np, pd = lazy("numpy"), lazy("pandas")

_SOURCE_FIELDS = frozenset({"category", "source_package_tags", "production_batch"})


def unneeded_batches(lineage: Lineage, same_category: bool) -> pd.Series:
    """Production batches whose sources are all known and all in the same category (PB001)
    or, failing that, all in the same test group (PB002)."""
    facts = source_facts(lineage)
    batch = lineage.packages["production_batch"].to_numpy(dtype=bool) & facts["all_known"]
    unneeded: pd.Series = batch & facts["same_category"]
    if not same_category:
        unneeded = batch & facts["same_group"] & ~facts["same_category"]
    return unneeded


def discontinue_blockers(packages: pd.DataFrame) -> pd.Series:
    """Why each package can no longer be discontinued ("" when nothing stands in the way)."""
    adjusted = packages["original_quantity"].notna() & (
        packages["quantity"] != packages["original_quantity"]
    )
    received = (packages["received_from_license"] != "") | packages["received_date"].notna()
    reasons = [
        (
            packages["children"] > 0,
            "it already has " + packages["children"].astype(str) + " child package(s)",
        ),
        (
            packages["finished"].to_numpy(dtype=bool),
            pd.Series("it is finished", index=packages.index),
        ),
        (
            packages["discontinued"].to_numpy(dtype=bool),
            pd.Series("it is already discontinued", index=packages.index),
        ),
        (received, pd.Series("it was received from another licensee", index=packages.index)),
        (adjusted, pd.Series("its quantity was adjusted since it was made", index=packages.index)),
    ]
    text = pd.Series("", index=packages.index, dtype="str")
    for mask, reason in reasons:
        mask = pd.Series(np.asarray(mask, dtype=bool), index=packages.index)
        text = text.where(~mask, text.where(text == "", text + "; ") + reason)
    return text


class _UnneededBatch(Rule):
    """Shared evaluation and wording of PB001 and PB002."""

    needs: ClassVar[frozenset[str]] = _SOURCE_FIELDS
    same_category: ClassVar[bool]

    def evaluate(self, lineage: Lineage, pack: Pack) -> pd.DataFrame:
        flagged = unneeded_batches(lineage, self.same_category).to_numpy()
        packages = lineage.packages
        codes = np.flatnonzero(flagged)
        lost = results_lost(lineage, codes)
        sources = sources_of(lineage, codes)
        offending = packages.iloc[codes].assign(
            blockers=discontinue_blockers(packages).iloc[codes].to_numpy(),
            lost_rows=lost["rows"].to_numpy(),
            lost_events=lost["events"].to_numpy(),
            lost_tested_packages=lost["tested_packages"].to_numpy(),
        )
        offending["sources"] = per_row(offending, [sources.get(int(code), []) for code in codes])
        return offending

    def describe(self, row: dict[str, Any]) -> Description:
        sources = row["sources"]
        intent = likely_intent(sources, row["item_name"], self.same_category)
        source_tags = ", ".join(source["tag"] for source in sources)
        what = (
            "from source(s) of the same category"
            if self.same_category
            else "from source(s) in the same test group"
        )
        message = (
            f"Package {row['tag']} ({row['category']}) was created as a production batch {what}, "
            f"so it lost {row['lost_rows']} inherited lab-result row(s) from "
            f"{row['lost_tested_packages']} tested package(s) and shows "
            f"{row['lab_testing_state'] or 'no testing state'}."
        )
        if row["blockers"]:
            remedy = (
                f"It can no longer be discontinued ({row['blockers']}). Keep the lab results of "
                f"{source_tags} with its records and ask the regulator how to restore its testing "
                "status; leave Production Batch unchecked for repackaging, remediation, retesting "
                "and category corrections."
            )
        else:
            remedy = (
                f"Discontinue {row['tag']}: nothing else has been done with it, so its quantity "
                f"returns to {source_tags}. Then create it again without Production Batch."
            )
        evidence = {
            "category": row["category"],
            "group": row["group"],
            "testing_state": row["lab_testing_state"],
            "production_batch_number": row["production_batch_number"],
            "sources": sources,
            "results_lost": {
                "rows": int(row["lost_rows"]),
                "events": int(row["lost_events"]),
                "tested_packages": int(row["lost_tested_packages"]),
            },
            "likely_intent": intent,
            "discontinuable": not row["blockers"],
            "not_discontinuable_because": row["blockers"] or None,
        }
        return Description(message, evidence, remedy)


@register
class ProductionBatchWithoutCategoryChange(_UnneededBatch):
    """A production batch whose every source has exactly its category.

    **Checks** Fires on a package that is a production batch, has at least one source, every
    source is loaded (known), and every source has exactly its category (compared
    case-insensitively, runs of spaces collapsed). Packages on a lineage cycle or with a blank
    category are skipped.

    **Checks** Fires on a production batch whose sources are all known and all in its test group
    (from the jurisdiction pack), when PB001 does not fire: some source's category differs from
    its own.

    **Checks** Fires on a package that is not a production batch, whose sources are all known,
    when at least one source is in a different test group and both groups are tested. Under a
    pack whose policy is `category-change`, every category is its own group.

    **Checks** Fires on a package that fired PB001 or PB002 and has no children, is not
    finished, is not discontinued, was not received from another licensee, and whose quantity
    equals its original quantity where the export carries `OriginalPackageQuantity`.

    **Checks** Fires as an error on a production batch with a blank production batch number, and
    as a warning on every production batch that shares its number with a production batch of
    another category.

    **Why** Checking "Production Batch" in Metrc starts the new package over: its testing state
    goes back to NotSubmitted and its Lab Results tab is empty, although the product was
    tested. The box is only for processing into a new category (a "process lot"), never for
    repackaging, remediation, retesting or correcting a category.

    **Example** 1A4...0042 (Buds) made from the tested 1A4...0017 (Buds) with the box checked.

    **Fix** If nothing else has been done with the package, discontinue it: the quantity goes
    back to the sources (PB004 says when this is possible). Otherwise keep the sources' results
    with its records and ask the regulator how to restore its status.
    """

    code = "PB001"
    name = "production-batch-without-category-change"
    severity = Severity.ERROR
    same_category = True


@register
class ProductionBatchWithinTestGroup(_UnneededBatch):
    """A production batch whose sources are all in its test group, though some category
    differs.

    **Checks** Fires on a production batch whose sources are all known and all in its test group
    (from the jurisdiction pack), when PB001 does not fire: some source's category differs from
    its own.

    **Why** Moving between categories of one test group (Buds to Non-Infused Pre-Roll, bulk
    Concentrate to Concentrate (each), a category correction) is not processing and needs no
    new tests, but the box still throws the inherited results away.

    **Example** 1A4...0051 (Non-Infused (Plain) Pre-Roll) made from 1A4...0017 (Buds) with
    Production Batch checked.

    **Fix** As for PB001: discontinue it if nothing else has been done with it, and create it
    again without the box.
    """

    code = "PB002"
    name = "production-batch-within-test-group"
    severity = Severity.WARNING
    needs_groups = True
    same_category = False


@register
class ProcessingWithoutProductionBatch(Rule):
    """A package processed into another tested group without the Production Batch box.

    **Checks** Fires on a package that is not a production batch, whose sources are all known,
    when at least one source is in a different test group and both groups are tested. Under a
    pack whose policy is `category-change`, every category is its own group.

    **Why** Shake/Trim into Concentrate, or Concentrate into Edibles, is processing: the new
    product needs its own compliance tests. Without the box it silently inherits its sources'
    results, so it looks tested when it is not.

    **Example** 1A4...0090 (Concentrate) made from 1A4...0033 (Shake/Trim), box unchecked.

    **Fix** Have the package sampled and tested as a new process lot; in future check
    Production Batch when processing into a new category.
    """

    code = "PB003"
    name = "processing-without-production-batch"
    severity = Severity.ERROR
    needs_groups = True
    needs: ClassVar[frozenset[str]] = _SOURCE_FIELDS

    def evaluate(self, lineage: Lineage, pack: Pack) -> pd.DataFrame:
        facts = source_facts(lineage)
        packages = lineage.packages
        flagged = ~packages["production_batch"].to_numpy(dtype=bool) & facts["all_known"]
        codes = np.flatnonzero(flagged & facts["tested_group_change"])
        sources = sources_of(lineage, codes)
        offending = packages.iloc[codes].copy()
        offending["sources"] = per_row(offending, [sources.get(int(code), []) for code in codes])
        offending["inherited_tests"] = per_row(offending, _inherited_test_types(lineage, codes))
        return offending

    def describe(self, row: dict[str, Any]) -> Description:
        changed = [s for s in row["sources"] if s["group"] != row["group"]]
        sources = ", ".join(f"{s['tag']} ({s['category']}, {s['group']})" for s in changed)
        tests = row["inherited_tests"]
        message = (
            f"Package {row['tag']} ({row['category']}, {row['group']}) was processed from "
            f"{sources} without Production Batch, so it shows its sources' "
            f"{len(tests)} test type(s) instead of tests of its own."
        )
        return Description(
            message,
            {
                "category": row["category"],
                "group": row["group"],
                "testing_state": row["lab_testing_state"],
                "sources": row["sources"],
                "tests_only_through_sources": tests,
            },
            f"Have {row['tag']} sampled and tested as a new process lot; check Production Batch "
            "when processing into another category in future.",
        )


def _inherited_test_types(lineage: Lineage, codes: np.ndarray) -> list[list[str]]:
    """Per package, the test types its tab shows only through other (tested) packages."""
    tabs = lineage.tabs.loc[lineage.tabs["package"].isin(codes)]
    rows = lineage.lab_rows[["tested", "test_type"]].drop_duplicates()
    tab = tabs.merge(rows, on="tested")
    own = tab["package"] == tab["tested"]
    own_types = tab.loc[own, ["package", "test_type"]].drop_duplicates()
    others = tab.loc[~own, ["package", "test_type"]].drop_duplicates()
    others = others.merge(own_types, how="left", indicator=True)
    only_inherited = others.loc[others["_merge"] == "left_only"].sort_values("test_type")
    types = only_inherited.groupby("package")["test_type"].agg(list)
    return [types.get(code, []) for code in codes]


@register
class ErroneousProductionBatchCanBeDiscontinued(Rule):
    """An unneeded production batch (PB001/PB002) that can still be discontinued.

    **Checks** Fires on a package that fired PB001 or PB002 and has no children, is not
    finished, is not discontinued, was not received from another licensee, and whose quantity
    equals its original quantity where the export carries `OriginalPackageQuantity`.

    **Why** Metrc lets a package made in error be discontinued only while nothing else has been
    done with it: no child packages, no sale or transfer, no adjustment. Discontinuing returns
    its quantity to the sources, and their lab results with it.

    **Example** 1A4...0042 fired PB001, has no children, is not finished, and its quantity is
    still its original quantity.

    **Fix** Discontinue the package in Metrc now, before anything is done with it.
    """

    code = "PB004"
    name = "erroneous-production-batch-can-be-discontinued"
    severity = Severity.NOTE
    needs: ClassVar[frozenset[str]] = _SOURCE_FIELDS

    def evaluate(self, lineage: Lineage, pack: Pack) -> pd.DataFrame:
        unneeded = unneeded_batches(lineage, True) | unneeded_batches(lineage, False)
        free = discontinue_blockers(lineage.packages) == ""
        codes = np.flatnonzero(unneeded.to_numpy() & free.to_numpy())
        sources = sources_of(lineage, codes)
        offending = lineage.packages.iloc[codes].copy()
        offending["sources"] = per_row(offending, [sources.get(int(code), []) for code in codes])
        return offending

    def describe(self, row: dict[str, Any]) -> Description:
        source_tags = ", ".join(s["tag"] for s in row["sources"])
        return Description(
            f"Package {row['tag']} is an unneeded production batch that nothing has been done "
            "with yet; it can still be discontinued.",
            {
                "sources": [s["tag"] for s in row["sources"]],
                "quantity": _number(row["quantity"]),
                "original_quantity": _number(row["original_quantity"]),
                "children": int(row["children"]),
            },
            f"Discontinue {row['tag']}; its quantity returns to {source_tags}.",
        )


def _number(value: Any) -> float | None:
    return None if pd.isna(value) else float(value)


@register
class ProductionBatchNumber(Rule):
    """A production batch without a batch number, or one number shared across categories.

    **Checks** Fires as an error on a production batch with a blank production batch number, and
    as a warning on every production batch that shares its number with a production batch of
    another category.

    **Why** Metrc's "Prod. Batch No." is the process lot's unique identification number that
    the processor rules require. A blank one cannot be traced to a process lot; one number on
    production batches of different categories mixes two process lots.

    **Example** error: 1A4...0090 is a production batch with a blank number. warning:
    PB-2026-0042 is on a Concentrate and on an Edibles production batch.

    **Fix** Record the process lot number on every production batch, one number per lot.
    """

    code = "PB005"
    name = "production-batch-number"
    severity = Severity.ERROR
    needs: ClassVar[frozenset[str]] = frozenset(
        {"category", "production_batch", "production_batch_number"}
    )

    def evaluate(self, lineage: Lineage, pack: Pack) -> pd.DataFrame:
        packages = lineage.packages
        batches = packages.loc[packages["production_batch"].to_numpy(dtype=bool)]
        blank = batches.loc[batches["production_batch_number"] == ""]
        numbered = batches.loc[batches["production_batch_number"] != ""]
        kinds = numbered.groupby("production_batch_number")["category_key"].nunique()
        shared = numbered.loc[numbered["production_batch_number"].isin(kinds.index[kinds > 1])]
        mixed = (
            shared.drop_duplicates(["production_batch_number", "category_key"])
            .sort_values("category")
            .groupby("production_batch_number")["category"]
            .agg(list)
        )
        return pd.concat(
            [
                blank.assign(severity=str(Severity.ERROR), shared_with=None),
                shared.assign(
                    severity=str(Severity.WARNING),
                    shared_with=shared["production_batch_number"].map(mixed),
                ),
            ]
        )

    def describe(self, row: dict[str, Any]) -> Description:
        number = row["production_batch_number"]
        if not number:
            return Description(
                f"Package {row['tag']} is a production batch with no production batch number.",
                {"production_batch_number": None},
                "Record the process lot's number on the package in Metrc.",
            )
        return Description(
            f"Production batch number {number} is used by production batches of different "
            f"categories ({', '.join(row['shared_with'])}), including {row['tag']}.",
            {"production_batch_number": number, "categories": row["shared_with"]},
            "Give each process lot its own production batch number.",
        )
