"""The canonical tables: every field batchaudit reads, with the type its text must convert to.

Every reader maps its shape's headers onto these names; the canonical CSV shape uses them
directly (documented in the README).
"""

from __future__ import annotations

from enum import StrEnum


class Kind(StrEnum):
    PACKAGES = "packages"
    LAB_RESULTS = "lab-results"
    PROCESSING_JOBS = "processing-jobs"


class FieldType(StrEnum):
    TAG = "tag"
    TAG_LIST = "tag list"
    TEXT = "text"
    BOOLEAN = "boolean"
    DATE = "date"
    NUMBER = "number"
    TESTING_STATE = "testing state"


PACKAGE_FIELDS: dict[str, FieldType] = {
    "tag": FieldType.TAG,
    "package_id": FieldType.TEXT,
    "package_type": FieldType.TEXT,
    "item_name": FieldType.TEXT,
    "category": FieldType.TEXT,
    "category_type": FieldType.TEXT,
    "item_strain": FieldType.TEXT,
    "source_package_tags": FieldType.TAG_LIST,
    "source_harvest_names": FieldType.TEXT,
    "location": FieldType.TEXT,
    "quantity": FieldType.NUMBER,
    "original_quantity": FieldType.NUMBER,
    "unit": FieldType.TEXT,
    "packaged_date": FieldType.DATE,
    "lab_testing_state": FieldType.TESTING_STATE,
    "production_batch": FieldType.BOOLEAN,
    "production_batch_number": FieldType.TEXT,
    "source_production_batch_numbers": FieldType.TEXT,
    "testing_sample": FieldType.BOOLEAN,
    "requires_remediation": FieldType.BOOLEAN,
    "contains_remediated": FieldType.BOOLEAN,
    "received_date": FieldType.DATE,
    "received_from_license": FieldType.TEXT,
    # A package this licensee sent (/packages/v2/transferred): the buyer's license and the
    # buyer's receipt. Never this licensee's receipt (received_date, received_from_license).
    "recipient_license": FieldType.TEXT,
    "recipient_received_date": FieldType.DATE,
    # The facility that packaged it: the licensee's own license number on its packages.
    "packaged_by_license": FieldType.TEXT,
    "on_hold": FieldType.BOOLEAN,
    "finished": FieldType.BOOLEAN,
    "finished_date": FieldType.DATE,
    "discontinued": FieldType.BOOLEAN,
    "discontinued_date": FieldType.DATE,
    "last_modified": FieldType.DATE,
    # Oregon's processing jobs (since 2023-04-15): the jobs a package came out of (the grid's
    # job numbers or names), how many (the API's count), the job type and category of its
    # item, and its testing state when it was made. Read as text where Metrc's values are not
    # documented, so that no export gets a finding for a field no rule reads yet.
    "source_processing_jobs": FieldType.TEXT,
    "source_processing_job_count": FieldType.NUMBER,
    "processing_job_type": FieldType.TEXT,
    "processing_job_category": FieldType.TEXT,
    "multi_processing_job": FieldType.TEXT,
    "initial_lab_testing_state": FieldType.TEXT,
}

# Without these a packages file cannot be audited at all.
PACKAGE_KEY_FIELDS = ("tag",)
# The rules need these; a file without one gets DQ001 and the rules that need it are skipped.
PACKAGE_RULE_FIELDS = (
    "category",
    "source_package_tags",
    "production_batch",
    "production_batch_number",
)
# Fields some rules use where a file has them, with no DQ001 where it does not (a file from
# before processing jobs has no job field): which packages' files carry them is kept too.
PACKAGE_OPTIONAL_RULE_FIELDS = ("source_processing_jobs", "source_processing_job_count")


def carried(field: str) -> str:
    """The packages column that says whether some record of a package came from a file that
    carries `field` (of PACKAGE_RULE_FIELDS or PACKAGE_OPTIONAL_RULE_FIELDS). A table without
    that column carries it for every package: ingest adds it only when some file lacks it."""
    return f"carries_{field}"


LAB_RESULT_FIELDS: dict[str, FieldType] = {
    "package_id": FieldType.TEXT,
    "lab_test_result_id": FieldType.TEXT,
    "lab_license": FieldType.TEXT,
    "lab_name": FieldType.TEXT,
    "tested_package": FieldType.TAG,
    "product_name": FieldType.TEXT,
    "product_category": FieldType.TEXT,
    "test_performed_date": FieldType.DATE,
    "overall_passed": FieldType.BOOLEAN,
    "revoked_date": FieldType.DATE,
    "test_type": FieldType.TEXT,
    "test_passed": FieldType.BOOLEAN,
    "test_result_level": FieldType.TEXT,
    "informational_only": FieldType.BOOLEAN,
    "detail_revoked_date": FieldType.DATE,
    "result_released": FieldType.BOOLEAN,
}
LAB_RESULT_KEY_FIELDS = ("test_type",)
# LT002 needs the outcome of each row; the tested package may also come from PackageId.
LAB_RESULT_RULE_FIELDS = ("test_passed",)
TESTED_PACKAGE_FIELDS = ("tested_package", "package_id")

# A processing-jobs export (Oregon's CTS Processing Jobs, `/processing/v2/active|inactive`):
# one row per job and input package (a job's `Packages` are its inputs), or per output where
# the records are `createpackages` bodies (`JobName` and the output's `Tag`).
PROCESSING_JOB_FIELDS: dict[str, FieldType] = {
    "job_id": FieldType.TEXT,
    "job_number": FieldType.TEXT,
    "job_name": FieldType.TEXT,
    "job_type": FieldType.TEXT,
    "job_start_date": FieldType.DATE,
    "job_finished": FieldType.BOOLEAN,
    "job_finished_date": FieldType.DATE,
    "input_tag": FieldType.TAG,
    "input_quantity": FieldType.NUMBER,
    "output_tag": FieldType.TAG,
}
# A job is matched to the packages that came out of it by its name or its number.
PROCESSING_JOB_KEY_FIELDS = ("job_name",)

FIELDS: dict[Kind, dict[str, FieldType]] = {
    Kind.PACKAGES: PACKAGE_FIELDS,
    Kind.LAB_RESULTS: LAB_RESULT_FIELDS,
    Kind.PROCESSING_JOBS: PROCESSING_JOB_FIELDS,
}

# Columns every canonical table carries besides its fields: where each row came from.
FILE = "file"
LINE = "line"  # line of a text file, row of a sheet, record of a JSON export
SHEET = "sheet"  # the workbook sheet, "" for other files
SHAPE = "shape"  # the export shape the row was read as (metrc-grid, metrc-api, ...)
# The shape of Metrc's /packages/v2/labsamples records (packages, or with -l lab results):
# their result rows have no result id, and none repeats another.
LAB_SAMPLES_SHAPE = "metrc-api-labsamples"
