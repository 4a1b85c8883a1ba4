"""A loaded processing-jobs export met with the packages (Oregon, OAR 845-025-7575(2)).

A job is known by its name and by its number (`MN001`); a package came out of it when its
grid's Source Processing Job(s) names either, or when the export lists the package as an
output (a `createpackages` record's `Tag`). The job's inputs (its `Packages`) become the
sources of an output that lists no source packages itself: links marked `by_job`, which the
production-batch rules and the trace follow. Whether Metrc shows a job's inputs' results on
its outputs is not documented, so a results tab never inherits through those links.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from batchaudit.lineage.grouping import positions_in
from batchaudit.model.values import split_tag_list
from batchaudit.support.lazy import lazy

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd
else:
    np, pd = lazy("numpy"), lazy("pandas")


def known_jobs(jobs: pd.DataFrame | None) -> pd.DataFrame:
    """The job rows with `job`: the job's identity (its name, else its number), stripped."""
    if jobs is None or jobs.empty:
        return pd.DataFrame(columns=["job", "job_name", "job_number", "input_tag", "output_tag"])
    frame = jobs.copy()
    for column in ("job_name", "job_number", "input_tag", "output_tag", "job_type"):
        if column not in frame:
            frame[column] = ""
        frame[column] = frame[column].astype("str").fillna("").str.strip()
    frame["job"] = frame["job_name"].where(frame["job_name"] != "", frame["job_number"])
    return frame.loc[frame["job"] != ""].reset_index(drop=True)


def job_outputs(packages: pd.DataFrame, jobs: pd.DataFrame) -> pd.DataFrame:
    """(package code, job) for each package that came out of a loaded job, distinct."""
    if jobs.empty:
        return pd.DataFrame({"package": np.zeros(0, np.int64), "job": pd.Series([], dtype=str)})
    # Each name and number of a job leads to the job.
    names = pd.concat(
        [
            jobs[["job_name", "job"]].set_axis(["key", "job"], axis=1),
            jobs[["job_number", "job"]].set_axis(["key", "job"], axis=1),
        ]
    )
    names = names.loc[names["key"] != ""].drop_duplicates("key")
    by_key = pd.Series(names["job"].to_numpy(), index=names["key"].to_numpy())
    parts = []
    if "source_processing_jobs" in packages:
        named = split_tag_list(packages["source_processing_jobs"])
        job = named.map(by_key)
        found = job.notna().to_numpy()
        parts.append(
            pd.DataFrame({"package": named.index.to_numpy()[found], "job": job.to_numpy()[found]})
        )
    listed = jobs.loc[jobs["output_tag"] != ""]
    code = positions_in(listed["output_tag"], packages["tag"])
    parts.append(
        pd.DataFrame({"package": code[code >= 0], "job": listed["job"].to_numpy()[code >= 0]})
    )
    pairs = pd.concat(parts, ignore_index=True).drop_duplicates()
    pairs["package"] = pairs["package"].astype(np.int64)
    return pairs.sort_values(["package", "job"]).reset_index(drop=True)


def job_links(packages: pd.DataFrame, jobs: pd.DataFrame, outputs: pd.DataFrame) -> pd.DataFrame:
    """(child, source_tag, job): a job's inputs as the sources of each of its outputs that
    lists no source packages of its own, distinct."""
    inputs = jobs.loc[jobs["input_tag"] != "", ["job", "input_tag"]].drop_duplicates()
    listing = packages["source_package_tags"].astype("str").fillna("").str.strip() != ""
    unlisted = outputs.loc[~listing.to_numpy(dtype=bool)[outputs["package"].to_numpy()]]
    linked = unlisted.merge(inputs, on="job")
    linked = linked.rename(columns={"package": "child", "input_tag": "source_tag"})
    itself = (
        linked["source_tag"].to_numpy(dtype=object)
        == packages["tag"].to_numpy(dtype=object)[linked["child"].to_numpy(np.int64)]
    )
    distinct: pd.DataFrame = linked.loc[~itself].drop_duplicates(["child", "source_tag"])
    return distinct.reset_index(drop=True)
