"""Which packages came out of a processing job (Oregon, OAR 845-025-7575(2)): a job count
above 0 (the API's `SourceProcessingJobCount`) or a job named in the grid's `Source
Processing Job(s)`. Only those packaged on or after the date the pack says jobs are recorded
from (`processing_jobs_since`) are `recorded_job_output`; a pack without the date has none."""

from __future__ import annotations

from typing import TYPE_CHECKING

from batchaudit.support.lazy import lazy

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

    from batchaudit.model.packs import Pack
else:
    np, pd = lazy("numpy"), lazy("pandas")


def with_job_outputs(packages: pd.DataFrame, pack: Pack) -> pd.DataFrame:
    """Adds `job_output` (the package came out of a processing job), `since_processing_jobs`
    (packaged on or after the pack's date) and `recorded_job_output` (both)."""
    size = len(packages)
    output = np.zeros(size, dtype=bool)
    if "source_processing_job_count" in packages:
        count = packages["source_processing_job_count"].to_numpy(dtype=float, na_value=0.0)
        output |= count > 0
    if "source_processing_jobs" in packages:
        named = packages["source_processing_jobs"].astype("str").str.strip()
        output |= (named != "").to_numpy(dtype=bool)
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
