"""One record per package. The rows of one tag from several files (grid tabs exported at
different times, the same export as CSV, Excel and API JSON) merge field by field: a field
only some files carry (the API's `Id`, `OriginalPackageQuantity`, `LastModified`) comes from
the newest record that carries it, and a field a response carries without owning it
(`Shape.owns`: a transfer's shipped quantity) from the newest record whose response owns
it. The rows disagree only when, after normalisation (`g` is `Grams`, case and spacing, a
date against a date-time of the same day), they differ on a field the rules or the report
use and both of their responses own; then the newest record by `LastModified` wins, else
the one from the file given last, and the conflict is reported (DQ003)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from batchaudit.model.fields import FILE, LINE, PACKAGE_FIELDS, SHAPE, SHEET, FieldType
from batchaudit.model.findings import Source
from batchaudit.model.tables import ConflictingRows
from batchaudit.model.values import split_tag_list

# The fields the rules and the report read; two records of one package that differ only
# elsewhere (a location, a strain) are the same package.
COMPARED = (
    "category",
    "category_type",
    "item_name",
    "source_package_tags",
    "production_batch",
    "production_batch_number",
    "lab_testing_state",
    "quantity",
    "original_quantity",
    "unit",
    "packaged_date",
    "received_date",
    "received_from_license",
    "recipient_license",
    "recipient_received_date",
    "requires_remediation",
    "contains_remediated",
    "finished",
    "discontinued",
)
# Units as the grid abbreviates them and as the API names them.
UNIT_NAMES = {
    "g": "grams",
    "gram": "grams",
    "kg": "kilograms",
    "mg": "milligrams",
    "oz": "ounces",
    "lb": "pounds",
    "lbs": "pounds",
    "ea": "each",
}
BLANK = "<blank>"


@dataclass(frozen=True)
class Records:
    """What each package row's file says of it: per row and field, whether the file carries
    the field (`carried`) and whether its response owns it (`owned`, see `Shape.owns`)."""

    carried: pd.DataFrame
    owned: pd.DataFrame


def merge_packages(
    packages: pd.DataFrame, records: Records
) -> tuple[pd.DataFrame, list[ConflictingRows]]:
    """One row per tag, at the position of its kept record. `packages` are typed rows in the
    order their files were given. Adds `batch_flag_known`: some record of the package has
    the Production Batch field."""
    carried = records.carried
    repeated = packages["tag"].duplicated(keep=False).to_numpy()
    if not repeated.any():
        return packages.assign(batch_flag_known=carried["production_batch"].to_numpy()), []
    ranked = _by_precedence(packages)
    kept = ranked.drop_duplicates("tag", keep="last").index
    merged = packages.loc[np.sort(kept)].copy()
    # The repeated tags' rows in order of precedence (by label: rows left out in validation
    # leave gaps in the index, so it holds no positions).
    rows = ranked.loc[ranked["tag"].duplicated(keep=False).to_numpy()]
    for field in PACKAGE_FIELDS:
        _fill_from_other_records(merged, rows, carried, field)
        _fill_from_other_records(merged, rows, records.owned, field)
    flag_known = carried["production_batch"].groupby(packages["tag"]).any()
    merged["batch_flag_known"] = merged["tag"].map(flag_known).to_numpy(dtype=bool)
    # A package read from several shapes is worded as its richest one (API over grid).
    richest = packages.assign(_fields=carried.sum(axis=1)).sort_values("_fields", kind="stable")
    shape = richest.drop_duplicates("tag", keep="last").set_index("tag")[SHAPE]
    merged[SHAPE] = merged["tag"].map(shape).to_numpy()
    conflicts = _conflicts(packages.loc[repeated], records.owned.loc[repeated], ranked)
    return merged.reset_index(drop=True), conflicts


def _by_precedence(packages: pd.DataFrame) -> pd.DataFrame:
    """The rows, the record that wins last: newest `LastModified`, then the file given last."""
    # As integers NaT is the smallest value: a record without LastModified is the oldest.
    modified = packages["last_modified"].to_numpy(dtype="datetime64[us]").view(np.int64)
    order = np.lexsort((np.arange(len(packages)), modified))
    return packages.iloc[order]


def _fill_from_other_records(
    merged: pd.DataFrame, rows: pd.DataFrame, has: pd.DataFrame, field: str
) -> None:
    """Where the kept record's file has not `field` (by the mask `has`: carried, or owned),
    take it from the newest record whose file has it."""
    lacking = ~has.loc[merged.index, field].to_numpy()
    if not lacking.any():
        return
    donors = rows.loc[has.loc[rows.index, field].to_numpy()]
    newest = donors.drop_duplicates("tag", keep="last").set_index("tag")[field]
    targets = merged.index[lacking & merged["tag"].isin(newest.index).to_numpy()]
    if len(targets):
        merged.loc[targets, field] = merged.loc[targets, "tag"].map(newest).to_numpy()


def _conflicts(
    rows: pd.DataFrame, owned: pd.DataFrame, ranked: pd.DataFrame
) -> list[ConflictingRows]:
    """Each tag whose records differ, after normalisation, on a compared field that both
    of their responses own."""
    differs = pd.DataFrame(index=rows["tag"].unique())
    for field in COMPARED:
        values = comparable(rows[field], PACKAGE_FIELDS[field], field)
        known = values.where(owned[field])
        differs[field] = known.groupby(rows["tag"]).nunique(dropna=True) > 1  # noqa: PD101 (per tag)
    conflicting = differs.loc[differs.any(axis=1)]
    if conflicting.empty:
        return []
    winners = ranked.drop_duplicates("tag", keep="last").set_index("tag")
    kept_at = dict(zip(winners.index, _where(winners), strict=True))
    dated = rows["last_modified"].notna().groupby(rows["tag"]).sum()
    long = conflicting.rename_axis("tag").reset_index().melt(id_vars="tag", var_name="field")
    long = long.loc[long["value"].astype(bool)]
    fields_of = long.groupby("tag")["field"].agg(tuple)
    problems = []
    for tag, group in rows.loc[rows["tag"].isin(conflicting.index)].groupby("tag", sort=True):
        fields = tuple(str(f) for f in fields_of[tag])
        places = tuple(_place(file, sheet, line) for file, sheet, line in _where(group))
        kept = _place(*kept_at[tag])
        reason = "the newest by LastModified" if dated[tag] > 1 else "the file given last"
        by_field = {f: [str(v) for v in group[f]] for f in fields}
        problems.append(ConflictingRows(str(tag), places, fields, by_field, kept, reason))
    return problems


def comparable(column: pd.Series, field_type: FieldType, field: str) -> pd.Series:
    """Values as they compare: what Metrc writes two ways counts as one value."""
    if field_type is FieldType.TAG_LIST:
        tags = split_tag_list(column.astype("str"))
        joined: pd.Series = tags.sort_values().groupby(level=0).agg(", ".join)
        return joined.reindex(column.index, fill_value="")
    if field_type is FieldType.DATE:
        days: pd.Series = column.dt.strftime("%Y-%m-%d")
        return days.astype("object").fillna(BLANK)
    if field_type is FieldType.NUMBER:
        return column.round(6).astype("object").fillna(BLANK)
    if field_type is FieldType.TEXT and field == "unit":
        units = column.astype("str").str.strip().str.casefold()
        return pd.Series(units.replace(UNIT_NAMES), index=column.index)
    if field_type in (FieldType.TEXT, FieldType.TESTING_STATE):
        return column.astype("str").str.strip().str.casefold().str.replace(r"\s+", " ", regex=True)
    return column.astype("object").fillna(BLANK)


def _where(group: pd.DataFrame) -> list[tuple[str, str, int]]:
    return list(zip(group[FILE], group[SHEET], group[LINE], strict=True))


def _place(file: str, sheet: str, line: int) -> Source:
    return Source(str(file), int(line), sheet=str(sheet) or None)
