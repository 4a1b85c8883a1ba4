"""The sample licensee's processing jobs (Oregon, OAR 845-025-7575(2), since 2023-04-15).

With processing jobs, the licensee records most of its process lots (concentrate, extracts,
edibles) as CTS Processing Jobs, one job per output, named in the grid's Source Processing
Job(s); some outputs list their inputs only in the job, not as source packages. It also
slips, as licensees do: every fifth process lot has no job (PB007), one concentrate made
without the box is a job output with its sources listed and one without (PB003 warnings to
check their Lab Testing state), and one same-category concentrate batch is a job output, a
declared process lot (PB006). The jobs are written as Metrc's `/processing/v2/inactive` page.
Nothing random is drawn: the default sample's files do not change.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np

from batchaudit.sample import story
from batchaudit.sample.lineage import Lineage

RECORDED = (story.CONCENTRATE, story.EXTRACT, story.EDIBLES)
JOB_TYPES = {
    "Concentrate": "Extraction of cannabinoids",
    "Extracts": "Extraction of cannabinoids",
    "Edibles": "Incorporation of cannabinoids",
}
UNRECORDED_EVERY = 5  # every fifth process lot has no job
HIDDEN_EVERY = 3  # every third recorded concentrate lists its inputs only in its job


def with_processing_jobs(lineage: Lineage) -> tuple[Lineage, dict[str, Any]]:
    """The lineage with each package's job and whether its grid row hides its sources, and
    the jobs as a `/processing/v2/inactive` page."""
    size = len(lineage.tag)
    kind = lineage.kind
    recorded = np.flatnonzero(np.isin(kind, RECORDED))
    recorded = recorded[np.arange(len(recorded)) % UNRECORDED_EVERY != UNRECORDED_EVERY - 1]
    hidden = np.zeros(size, dtype=bool)
    concentrate = recorded[kind[recorded] == story.CONCENTRATE]
    hidden[concentrate[::HIDDEN_EVERY]] = True
    careless = np.flatnonzero(kind == story.CONCENTRATE_WITHOUT_BATCH)[:2]
    hidden[careless[1:]] = True
    declared = np.flatnonzero(kind == story.CONCENTRATE_BATCH_SAME_CATEGORY)[:1]
    outputs = np.sort(np.concatenate([recorded, careless, declared]))
    outputs = outputs[np.argsort(lineage.packaged_day[outputs], kind="stable")]
    job = np.full(size, "", dtype=object)
    job[outputs] = [f"MN{k:04d}" for k in range(1, len(outputs) + 1)]
    page = _jobs_page(lineage, outputs, job)
    return replace(lineage, processing_job=job, sources_hidden=hidden), page


def _jobs_page(lineage: Lineage, outputs: np.ndarray, job: np.ndarray) -> dict[str, Any]:
    begin = np.searchsorted(lineage.edge_child, outputs)
    end = np.searchsorted(lineage.edge_child, outputs, side="right")
    records: list[dict[str, Any]] = []
    for code, first, last in zip(outputs.tolist(), begin.tolist(), end.tolist(), strict=True):
        day = np.datetime64(int(lineage.packaged_day[code]), "D")
        inputs = lineage.edge_source[first:last].tolist()
        records.append(
            {
                "Id": 9000 + len(records),
                "Name": f"{lineage.item[code]} run {job[code][2:]}",
                "Number": job[code],
                "JobTypeName": JOB_TYPES.get(lineage.category[code], "Extraction of cannabinoids"),
                "StartDate": str(day - 1),
                "Packages": [
                    {
                        "PackageLabel": lineage.tag[i],
                        "Quantity": round(float(q), 2),
                        "UnitOfMeasureName": "Grams",
                    }
                    for i, q in zip(inputs, lineage.quantity[inputs].tolist(), strict=True)
                ],
                "IsFinished": True,
                "FinishedDate": str(day),
            }
        )
    return {"Data": records, "Total": len(records), "Page": 1, "TotalPages": 1}
