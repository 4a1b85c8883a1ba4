"""How the records of one package differ (merge.py keeps one of them).

Records differ only when, after normalisation (`g` is `Grams`, case and spacing, a date
against a date-time of the same day), they differ on a field the rules or the report use
and that both of their responses own (`Shape.owns`). Between Metrc API records that is no
conflict: the newest by `LastModified` is current, and the difference is a change, a note
off by default (DQ007). A grid (or canonical) row that differs from another grid row, or
from the current API record, really conflicts (DQ003).

Whole-frame: tags as integer codes, one group-by per field; only the wording of each
package that differs is made package by package.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from batchaudit.model.fields import FILE, LINE, PACKAGE_FIELDS, SHEET, FieldType
from batchaudit.model.findings import Source
from batchaudit.model.tables import ChangedRecords, ConflictingRows
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

Problems = list[ConflictingRows | ChangedRecords]


@dataclass(frozen=True)
class Records:
    """What each package row's file says of it: per row and field, whether the file carries
    the field (`carried`) and whether its response owns it (`owned`, see `Shape.owns`); per
    row, whether it is a Metrc API record (`from_api`)."""

    carried: pd.DataFrame
    owned: pd.DataFrame
    from_api: pd.Series


def differences(rows: pd.DataFrame, records: Records, ranked: pd.DataFrame) -> Problems:
    """The conflicts and changes among `rows` (the records of repeated tags, as given);
    `ranked` is every record in order of precedence, the kept one of each tag last."""
    code, _ = pd.factorize(rows["tag"])
    rank = pd.Series(np.arange(len(ranked)), index=ranked.index).loc[rows.index].to_numpy()
    from_api = records.from_api.loc[rows.index].to_numpy(dtype=bool)
    owned = records.owned.loc[rows.index]
    tags = int(code.max()) + 1
    conflict = np.zeros((tags, len(COMPARED)), dtype=bool)
    changed = np.zeros((tags, len(COMPARED)), dtype=bool)
    for number, field in enumerate(COMPARED):
        values = comparable(rows[field], PACKAGE_FIELDS[field], field).to_numpy(dtype=object)
        mine = owned[field].to_numpy(dtype=bool)
        api, grid = mine & from_api, mine & ~from_api
        changed[:, number] = _distinct(values[api], code[api], tags) > 1
        # The API's say is its current record's: the last by precedence of those that own it.
        current = np.flatnonzero(api)[_last_of_each(code[api], rank[api])]
        either = np.r_[np.flatnonzero(grid), current]
        conflict[:, number] = _distinct(values[either], code[either], tags) > 1
    if not conflict.any() and not changed.any():
        return []
    why = _why_kept(rows, code, rank, from_api)
    given = np.argsort(code, kind="stable")  # each tag's records in the order given
    oldest_first = np.lexsort((rank, code))
    problems: Problems = []
    for tag, places, fields, each in _described(rows, code, given, conflict):
        kept, reason, any_api = why[tag]
        problems.append(ConflictingRows(tag, places, fields, each, kept, reason, any_api))
    api_rows = oldest_first[from_api[oldest_first]]
    for tag, places, fields, each in _described(rows, code, api_rows, changed):
        kept, reason, _ = why[tag]
        problems.append(ChangedRecords(tag, places, fields, each, kept, reason))
    return sorted(problems, key=lambda problem: (problem.tag, isinstance(problem, ChangedRecords)))


def _distinct(values: np.ndarray, code: np.ndarray, tags: int) -> np.ndarray:
    """Per tag code (0 to `tags` - 1), how many distinct values it has."""
    counts = np.zeros(tags, dtype=np.int64)
    if len(values):
        distinct = pd.Series(values, dtype=object).groupby(code).nunique()
        counts[distinct.index.to_numpy()] = distinct.to_numpy()
    return counts


def _last_of_each(code: np.ndarray, rank: np.ndarray) -> np.ndarray:
    """Positions (in `code`) of the highest-ranked row of each code present."""
    order: np.ndarray = np.lexsort((rank, code))
    ends = np.r_[code[order][1:] != code[order][:-1], True] if len(order) else order
    last: np.ndarray = order[np.asarray(ends, dtype=bool)]
    return last


Described = tuple[str, tuple[Source, ...], tuple[str, ...], dict[str, list[str]]]


def _described(
    rows: pd.DataFrame, code: np.ndarray, order: np.ndarray, differing: np.ndarray
) -> list[Described]:
    """Per tag with a field set in `differing` (tag code x COMPARED): its rows, taken in
    `order` (positions grouped by tag), where they are, the fields and each row's value of
    them. Column by column and sliced per tag: no frame is made per tag."""
    flagged = np.asarray(differing.any(axis=1), dtype=bool)
    order = order[flagged[code[order]]]
    if not len(order):
        return []
    # Which fields differ, as one number per tag: each distinct set is made a tuple once.
    pattern = differing @ (1 << np.arange(len(COMPARED), dtype=np.int64))
    field_sets = {
        int(bits): tuple(f for n, f in enumerate(COMPARED) if bits >> n & 1)
        for bits in np.unique(pattern[flagged])
    }
    shown = rows.iloc[order]
    codes = code[order]
    starts = np.flatnonzero(np.r_[True, codes[1:] != codes[:-1]]).tolist()
    places = [_place(*where) for where in _where(shown)]
    used = [f for n, f in enumerate(COMPARED) if differing[:, n].any()]
    values = {field: [str(value) for value in shown[field].tolist()] for field in used}
    tags = shown["tag"].tolist()
    described = []
    for start, end in zip(starts, [*starts[1:], len(codes)], strict=True):
        fields = field_sets[int(pattern[codes[start]])]
        each = {field: values[field][start:end] for field in fields}
        described.append((str(tags[start]), tuple(places[start:end]), fields, each))
    return described


def _why_kept(
    rows: pd.DataFrame, code: np.ndarray, rank: np.ndarray, from_api: np.ndarray
) -> dict[str, tuple[Source, str, bool]]:
    """Per tag, the record kept (its highest-ranked), the sentence saying truly why, as the
    precedence decided it, and whether any of its records is a Metrc API record."""
    size = int(code.max()) + 1
    modified = rows["last_modified"].to_numpy(dtype="datetime64[us]").view(np.int64)
    dated = modified != np.iinfo(np.int64).min  # NaT
    newest = np.full(size, np.iinfo(np.int64).min)
    np.maximum.at(newest, code, modified)
    tied = np.bincount(code[dated & (modified == newest[code])], minlength=size)
    records = np.bincount(code, minlength=size)
    dated_count = np.bincount(code[dated], minlength=size)
    any_api = np.bincount(code[from_api], minlength=size) > 0
    kept = _last_of_each(code, rank)  # one position per code, in code order
    where = _where(rows.iloc[kept])
    tags = rows["tag"].to_numpy()[kept].tolist()
    return {
        str(tag): (_place(*place), _reason(int(n), int(d), int(t)), bool(a))
        for tag, place, n, d, t, a in zip(
            tags, where, records, dated_count, tied, any_api, strict=True
        )
    }


def _reason(records: int, dated: int, tied: int) -> str:
    """Why the kept record is the one kept, as the precedence (`merge._by_precedence`)
    decided: the newest `LastModified`, then the file given last."""
    if not dated:
        return "the file given last"
    if tied > 1:
        return "the file given last of those with the newest LastModified"
    if dated == records:
        return "the newest by LastModified"
    if dated == 1:
        return "the only one with a LastModified date"
    return "the newest by LastModified (a record without one counts as older)"


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
