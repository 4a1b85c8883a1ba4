"""Which fields each package's files carry, for the rules that need them (spec: "What was
checked": one file lacking a field never switches a rule off for packages from other files)."""

from __future__ import annotations

import pandas as pd

from batchaudit.model.fields import PACKAGE_OPTIONAL_RULE_FIELDS, PACKAGE_RULE_FIELDS
from batchaudit.model.fields import carried as carried_column


def with_fields_carried(
    merged: pd.DataFrame, tags: pd.Series, carried: pd.DataFrame
) -> pd.DataFrame:
    """Per package, whether some record of it carries each field the rules need, for the
    fields some file lacks: the rules do not check a package whose files lack what they
    need (spec: "What was checked"), and check every other one."""
    fields = (*PACKAGE_RULE_FIELDS, *PACKAGE_OPTIONAL_RULE_FIELDS)
    lacking = [name for name in fields if not carried[name].all()]
    if not lacking:
        return merged
    if len(merged) == len(tags):  # no tag repeated: one record per package, in order
        per_package = carried[lacking].reset_index(drop=True)
    else:
        per_package = carried[lacking].groupby(tags.to_numpy()).any()
        per_package = per_package.reindex(merged["tag"].to_numpy()).reset_index(drop=True)
    for name in lacking:
        merged[carried_column(name)] = per_package[name].to_numpy(dtype=bool)
    return merged
