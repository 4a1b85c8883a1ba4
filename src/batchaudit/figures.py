"""What the report's charts count, computed with the audit so that reporters only draw:
results-tab sizes, and production batches per month, needed against unneeded."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from batchaudit.findings import BatchMonth, ChartData, Finding, Limit, RuleCard


def chart_data(
    packages: pd.DataFrame,
    findings: Sequence[Finding],
    rules: Sequence[RuleCard],
    tab_limit: tuple[str, int] | None,
) -> ChartData:
    sizes, counts = np.unique(packages["tab_tested_packages"].to_numpy(), return_counts=True)
    months, undated = batches_by_month(packages, findings, rules)
    return ChartData(
        tab_sizes={int(size): int(count) for size, count in zip(sizes, counts, strict=True)},
        tab_limit=Limit(*tab_limit) if tab_limit else None,
        batches_by_month=months,
        undated_batches=undated,
    )


def batches_by_month(
    packages: pd.DataFrame, findings: Sequence[Finding], rules: Sequence[RuleCard]
) -> tuple[tuple[BatchMonth, ...], int]:
    """Production batches by the month they were packaged, and how many have no date."""
    unneeded_rules = {card.code for card in rules if card.unneeded_batch}
    unneeded_tags = {f.package_tag for f in findings if f.rule in unneeded_rules}
    batches = packages.loc[packages["production_batch"].to_numpy(dtype=bool)]
    dated = batches.loc[batches["packaged_date"].notna()]
    month = dated["packaged_date"].dt.strftime("%Y-%m")
    unneeded = dated["tag"].isin(unneeded_tags)
    table = pd.crosstab(month, unneeded).reindex(columns=[False, True], fill_value=0)
    months = tuple(
        BatchMonth(str(label), int(needed), int(extra))
        for label, needed, extra in zip(table.index, table[False], table[True], strict=True)
    )
    return months, len(batches) - len(dated)
