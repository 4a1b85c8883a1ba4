"""Which packages came out of a processing job (Oregon, OAR 845-025-7575(2)): a job count
above 0 (the API's `SourceProcessingJobCount`), a job named in the grid's `Source
Processing Job(s)`, or an output of a loaded processing-jobs export (jobs.py). Only those
packaged on or after the date the pack says jobs are recorded from (`processing_jobs_since`)
are `recorded_job_output`; a pack without the date has none."""

from __future__ import annotations

from typing import TYPE_CHECKING

from batchaudit.support.lazy import lazy

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

    from batchaudit.model.packs import Pack
else:
    np, pd = lazy("numpy"), lazy("pandas")


def with_job_outputs(
    packages: pd.DataFrame, pack: Pack, outputs: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Adds `job_output` (the package came out of a processing job), `processing_job` (the
    jobs it came out of, as the export names them: "" where none is named),
    `since_processing_jobs` (packaged on or after the pack's date) and `recorded_job_output`
    (both). `outputs`: package (code), job: the packages a loaded processing-jobs export
    shows came out of a job (jobs.py)."""
    size = len(packages)
    named = np.full(size, "", dtype=object)
    if "source_processing_jobs" in packages:
        text = packages["source_processing_jobs"].astype("str").fillna("").str.strip()
        named = text.to_numpy(dtype=object)
    output = named != ""
    if "source_processing_job_count" in packages:
        count = packages["source_processing_job_count"].to_numpy(dtype=float, na_value=0.0)
        output |= count > 0
    if outputs is not None and not outputs.empty:
        code = outputs["package"].to_numpy(np.int64)
        output[code] = True
        joined = outputs.groupby("package")["job"].agg(", ".join)
        at = joined.index.to_numpy(np.int64)
        unnamed = named[at] == ""
        named[at[unnamed]] = joined.to_numpy(dtype=object)[unnamed]
    packages["processing_job"] = named
    packages["job_output"] = output
    since = pack.processing_jobs_since
    if since is None or "packaged_date" not in packages:
        dated = np.zeros(size, dtype=bool)
    else:
        packaged = pd.to_datetime(packages["packaged_date"]).dt.tz_localize(None)
        dated = (packaged >= pd.Timestamp(since)).to_numpy(dtype=bool, na_value=False)
    packages["since_processing_jobs"] = dated
    packages["recorded_job_output"] = output & dated
    return packages
