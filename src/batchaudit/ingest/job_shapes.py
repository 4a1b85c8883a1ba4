"""The shapes of a processing-jobs export (Oregon's CTS Processing Jobs, OAR 845-025-7575(2)):
which column title means which field, as `shapes.py` has it for packages and lab results."""

from __future__ import annotations

from batchaudit.ingest.shapes import Shape
from batchaudit.model.fields import PROCESSING_JOB_FIELDS, Kind

# Oregon's CTS Processing Jobs: a job's `Packages` are its inputs, a row each once read
# (processing_jobs.py); a `createpackages` body names its job and the output (`Tag`) it made.
_JOB_TITLES = {
    "job_id": ("Id",),
    "job_number": ("Number",),
    "job_name": ("Name",),
    "job_type": ("JobTypeName",),
    "job_start_date": ("StartDate",),
    "job_finished": ("IsFinished",),
    "job_finished_date": ("FinishedDate",),
    "input_tag": ("Packages.PackageLabel", "Packages.Label"),
    "input_quantity": ("Packages.Quantity",),
}
METRC_API_PROCESSING_JOBS = Shape(
    "metrc-api",
    Kind.PROCESSING_JOBS,
    "Metrc API processing jobs (/processing/v2/active or /inactive, v1 arrays, one job)",
    _JOB_TITLES,
    requires=("Name", "Number"),
    api=True,
    claims=("JobTypeName",),
)
METRC_API_JOB_OUTPUTS = Shape(
    "metrc-api-createpackages",
    Kind.PROCESSING_JOBS,
    "Metrc API createpackages bodies: each names its job (JobName) and the output (Tag)",
    {"job_name": ("JobName",), "output_tag": ("Tag",)},
    requires=("JobName", "Tag"),
    api=True,
    claims=("JobName",),
)
CANONICAL_PROCESSING_JOBS = Shape(
    "canonical",
    Kind.PROCESSING_JOBS,
    "batchaudit's own snake_case processing-job columns, one row per job and package",
    {field: (field,) for field in PROCESSING_JOB_FIELDS},
    claims=("job_name",),
)

JOB_SHAPES = (METRC_API_PROCESSING_JOBS, METRC_API_JOB_OUTPUTS, CANONICAL_PROCESSING_JOBS)
