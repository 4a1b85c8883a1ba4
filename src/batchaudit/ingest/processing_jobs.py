"""A processing-jobs export's records as rows: one per job and input package.

A job record (`/processing/v2/active`, `/inactive`, `/{id}`) lists the packages that went
into the job under `Packages`, each an object (`PackageLabel` or `Label`, `Quantity`, ...)
or, in some clients' saves, the label alone. Each input becomes a row of its own, with the
job's fields and the record's position, so that every input is placed by the record it came
from; a job with no inputs is one row with none. Nothing else is changed.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

from batchaudit.support.lazy import lazy

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

    from batchaudit.ingest.raw import RawTable
else:
    np, pd = lazy("numpy"), lazy("pandas")

INPUTS = "Packages"


def holds_job_inputs(raw: RawTable) -> bool:
    """Whether the table's records list packages under `Packages` (a job's inputs)."""
    if INPUTS not in raw.rows.columns:
        return False
    column = raw.rows[INPUTS]
    return bool(column.map(lambda value: isinstance(value, list)).any())


def one_row_per_input(raw: RawTable) -> RawTable:
    """The records with one row per input package, its fields as `Packages.<field>`."""
    records = raw.rows.reset_index(drop=True)
    inputs = records.pop(INPUTS).map(_as_list)
    counts = inputs.map(len).to_numpy(dtype=np.int64)
    order = np.repeat(np.arange(len(records)), np.maximum(counts, 1))
    entries = [_as_entry(entry) for each in inputs for entry in (each or [None])]
    fields = pd.DataFrame.from_records(entries, index=range(len(entries)))
    fields = fields.add_prefix(f"{INPUTS}.")
    rows = pd.concat([records.iloc[order].reset_index(drop=True), fields], axis=1)
    header = [str(column) for column in rows.columns]
    return replace(raw, header=header, rows=rows, positions=raw.positions[order])


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _as_entry(entry: Any) -> dict[str, Any]:
    """An input as its fields: an object as it is, a label alone as its `Label`."""
    if isinstance(entry, dict):
        return {key: value for key, value in entry.items() if not isinstance(value, dict | list)}
    if entry is None:
        return {}
    return {"Label": entry}
