"""Header alias tables, one per export shape: which column title means which field.

Titles are matched case- and punctuation-insensitively (`header_key`), so `Src. Pkg's`,
`SRC PKGS` and `src_pkgs` are one title. The tables are data: add a spelling here, not an
`if` in a reader.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from batchaudit.model.fields import (
    LAB_RESULT_FIELDS,
    LAB_SAMPLES_SHAPE,
    PACKAGE_FIELDS,
    Kind,
)

_NOT_ALNUM = re.compile(r"[^0-9a-z]+")


def header_key(title: str) -> str:
    return _NOT_ALNUM.sub("", title.casefold())


@dataclass(frozen=True)
class Shape:
    name: str
    kind: Kind
    description: str
    titles: dict[str, tuple[str, ...]]  # field -> the titles that mean it
    # Titles of a sibling shape that a file of this shape may mix in (the grid's full and
    # abbreviated headers); they map to fields but do not count towards detecting the shape.
    also: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # Other fields of the export that carry the same value (the API has UnitOfMeasureName
    # beside UnitOfMeasureAbbreviation): used only where the field's own title is absent.
    fallbacks: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # Fields this response does not carry by design: no DQ001 for them; its packages are not
    # judged on them unless another export of the same package carries them.
    not_in_response: frozenset[str] = frozenset()
    # Fields only some tabs of this export carry (the grid's Finished and Discontinued are the
    # Inactive tab's): a file without them is another tab, not a file that lacks them.
    tab_only: frozenset[str] = frozenset()
    # Titles that must all be in the header for a file to be of this shape, though they are
    # not read (a lab-sample package response also carries lab fields).
    requires: tuple[str, ...] = ()
    # Titles no other kind of export has: a header with one is of this shape before any that
    # maps more of its columns (a createpackages body's Tag and Quantity).
    claims: tuple[str, ...] = ()
    # Where to get what this response lacks, for the sentence that says it is missing.
    instead: str = ""
    # A Metrc API response: its records are dated by LastModified, the newest is current
    # (merge.py), and records of one package that differ are not in conflict.
    api: bool = False
    # The fields whose values this response states as the package's own, compared with other
    # records of the package and preferred to theirs; None: every field it carries. A field
    # it carries but does not own (a transfer's shipped quantity) is used only where no
    # record that owns it is loaded.
    owns: frozenset[str] | None = None

    def owned(self, carried: set[str]) -> set[str]:
        """Of the fields a file of this shape carries, those it owns."""
        return set(carried) if self.owns is None else carried & self.owns

    def fallback_aliases(self) -> dict[str, str]:
        return _keyed(self.fallbacks)

    def own_aliases(self) -> dict[str, str]:
        """header key -> field, for this shape's own titles."""
        return _keyed(self.titles)

    def aliases(self) -> dict[str, str]:
        """header key -> field, sibling titles included."""
        return {**_keyed(self.also), **self.own_aliases()}


# Detection asks for the same tables once per file: key each table of titles once.
_KEYED: dict[int, tuple[dict[str, tuple[str, ...]], dict[str, str]]] = {}


def _keyed(titles: dict[str, tuple[str, ...]]) -> dict[str, str]:
    cached = _KEYED.get(id(titles))
    if cached is None or cached[0] is not titles:
        keyed = {header_key(t): name for name, each in titles.items() for t in each}
        cached = _KEYED[id(titles)] = (titles, keyed)
    return dict(cached[1])


INACTIVE_TAB_ONLY = frozenset({"finished", "discontinued"})

METRC_GRID = Shape(
    "metrc-grid",
    Kind.PACKAGES,
    "Metrc web grid (Packages page), full column titles",
    {
        "tag": ("Tag",),
        "source_harvest_names": ("Source Harvest(s)",),
        "source_package_tags": ("Source Package(s)",),
        "location": ("Location",),
        "item_name": ("Item",),
        "category": ("Category",),
        "item_strain": ("Item Strain",),
        "quantity": ("Quantity",),
        "unit": ("Unit of Measure",),
        "production_batch": ("Production Batch",),
        "production_batch_number": ("Production Batch Number",),
        "source_production_batch_numbers": ("Source Production Batch",),
        "lab_testing_state": ("Lab Testing", "LT Status", "Lab Test Status"),
        "testing_sample": ("Testing Sample",),
        "requires_remediation": ("Product Requires Remediation",),
        "contains_remediated": ("Contains Remediated Product",),
        "on_hold": ("Administrative Hold",),
        "packaged_date": ("Packaged Date",),
        "packaged_by_license": ("Packaged By",),
        "received_date": ("Received",),
        "received_from_license": ("Received From",),
        "finished": ("Finished",),
        "discontinued": ("Discontinued",),
        "source_processing_jobs": ("Source Processing Job(s)",),
    },
    tab_only=INACTIVE_TAB_ONLY,
)

METRC_GRID_ABBREVIATED = Shape(
    "metrc-grid-abbreviated",
    Kind.PACKAGES,
    "Metrc web grid (Packages page), abbreviated headers as shown on screen",
    {
        "tag": ("Tag",),
        "source_harvest_names": ("Src. H's",),
        "source_package_tags": ("Src. Pkg's",),
        "location": ("Location",),
        "item_name": ("Item",),
        "category": ("Category",),
        "item_strain": ("Item Strain",),
        "quantity": ("Quantity",),
        "unit": ("UoM",),
        "production_batch": ("P.B.",),
        "production_batch_number": ("P.B. No.",),
        "source_production_batch_numbers": ("Src. P.B.",),
        "lab_testing_state": ("Lab Testing", "LT Status", "Lab Test Status"),
        "testing_sample": ("Test Samp.",),
        "requires_remediation": ("P.R.R.",),
        "contains_remediated": ("C.R.P.",),
        "on_hold": ("A.H.",),
        "packaged_date": ("Date",),
        "packaged_by_license": ("Packaged By", "Pkg'd By"),
        "received_date": ("Rcv'd",),
        "received_from_license": ("Received From",),
        "finished": ("F.",),
        "discontinued": ("D.",),
        # "Src Pj's" too: the title matches without its punctuation (`header_key`).
        "source_processing_jobs": ("Src. Pj's",),
    },
    tab_only=INACTIVE_TAB_ONLY,
)

METRC_API_PACKAGES = Shape(
    "metrc-api",
    Kind.PACKAGES,
    "Metrc API package fields (v1 or v2), nested Item fields flattened as Item.Name",
    {
        "tag": ("Label",),
        "package_id": ("Id",),
        "package_type": ("PackageType",),
        "item_name": ("Item.Name", "ItemName"),
        "category": ("Item.ProductCategoryName", "ItemProductCategoryName"),
        "category_type": ("Item.ProductCategoryType", "ProductCategoryType"),
        "item_strain": ("Item.StrainName", "ItemStrainName"),
        "source_harvest_names": ("SourceHarvestNames",),
        "source_package_tags": ("SourcePackageLabels",),
        "location": ("LocationName",),
        "quantity": ("Quantity",),
        "original_quantity": ("OriginalPackageQuantity",),
        "unit": ("UnitOfMeasureAbbreviation",),
        "packaged_date": ("PackagedDate",),
        "lab_testing_state": ("LabTestingState",),
        "production_batch": ("IsProductionBatch",),
        "production_batch_number": ("ProductionBatchNumber",),
        "source_production_batch_numbers": ("SourceProductionBatchNumbers",),
        "testing_sample": ("IsTestingSample",),
        "requires_remediation": ("ProductRequiresRemediation",),
        "contains_remediated": ("ContainsRemediatedProduct",),
        "received_date": ("ReceivedDateTime",),
        "received_from_license": ("ReceivedFromFacilityLicenseNumber",),
        "on_hold": ("IsOnHold",),
        "finished": ("IsFinished",),
        "finished_date": ("FinishedDate",),
        # The REST API has no IsArchived: ArchivedDate set means discontinued (load.py).
        "discontinued_date": ("ArchivedDate",),
        "last_modified": ("LastModified",),
        "source_processing_jobs": ("SourceProcessingJobNumbers",),
        "source_processing_job_count": ("SourceProcessingJobCount",),
        "processing_job_type": ("Item.ProcessingJobTypeName", "ProcessingJobTypeName"),
        "processing_job_category": (
            "Item.ProcessingJobCategoryName",
            "ProcessingJobCategoryName",
        ),
        "multi_processing_job": ("MultiProcessingJob",),
        "initial_lab_testing_state": ("InitialLabTestingState",),
    },
    instead="fetch /packages/v2/active, /onhold and /inactive, whose records carry every field",
    api=True,
    fallbacks={
        # Older flat v1 fields, and fields that repeat a value in another form.
        "item_name": ("ProductName",),
        "category": ("ProductCategoryName",),
        "location": ("RoomName",),
        "unit": ("UnitOfMeasureName", "Item.UnitOfMeasureName"),
        "lab_testing_state": ("LabTestingStateName",),
        "source_processing_jobs": ("SourceProcessingJobNames",),
        "processing_job_type": ("ProcessingJobTypeId",),
    },
)

# /packages/v2/transferred lists the packages this licensee *sent*. Its records (documented
# fields: Id, PackageId, PackageLabel, ManifestNumber, ProductName, ProductCategoryName,
# ItemStrainName, SourceHarvestNames, SourcePackageLabels, RecipientFacilityLicenseNumber,
# RecipientFacilityName, ReceivedDateTime, ReceivedQuantity, ReceivedUnitOfMeasureAbbreviation,
# ShippedQuantity, ShippedUnitOfMeasureAbbreviation, ShipmentPackageStateName,
# LabTestingStateName, ...) describe the shipment: `ReceivedDateTime` is the buyer's receipt
# and the recipient fields the buyer's license, read as the recipient's fields, never as
# this licensee's receipt. No Production Batch field: the flag is unknown, not false.
#
# What it owns: the package's identity as shipped (tag, id, item, category, strain, source
# packages and harvests, packaged date) and the recipient's fields. What it carries without
# owning: the shipped quantity and unit (the shipment's, not the package's quantity now),
# the testing state at shipment, and any package flags an integrator adds. Those a package
# record (/active, /onhold, /inactive) gives are taken from it, and a difference in them
# is no conflict.
TRANSFERRED_OWNS = frozenset(
    {
        "tag",
        "package_id",
        "item_name",
        "category",
        "item_strain",
        "source_harvest_names",
        "source_package_tags",
        "packaged_date",
        "recipient_license",
        "recipient_received_date",
    }
)

METRC_API_TRANSFERRED = Shape(
    "metrc-api-transferred",
    Kind.PACKAGES,
    "Metrc API transferred packages (/packages/v2/transferred, transfer-delivery packages): "
    "packages this licensee sent, keyed by PackageLabel",
    {
        "tag": ("PackageLabel",),
        "package_id": ("PackageId",),
        "item_name": ("ProductName", "ItemName"),
        "category": ("ProductCategoryName", "ItemCategoryName"),
        "item_strain": ("ItemStrainName",),
        "source_harvest_names": ("SourceHarvestNames",),
        "source_package_tags": ("SourcePackageLabels",),
        "quantity": ("ShippedQuantity",),
        "unit": ("ShippedUnitOfMeasureAbbreviation",),
        "packaged_date": ("PackagedDate",),
        "lab_testing_state": ("LabTestingStateName", "LabTestingState"),
        "production_batch": ("IsProductionBatch",),
        "production_batch_number": ("ProductionBatchNumber",),
        "source_production_batch_numbers": ("SourceProductionBatchNumbers",),
        "testing_sample": ("IsTestingSample",),
        "requires_remediation": ("ProductRequiresRemediation",),
        "contains_remediated": ("ContainsRemediatedProduct",),
        "recipient_license": ("RecipientFacilityLicenseNumber",),
        "recipient_received_date": ("ReceivedDateTime",),
        "last_modified": ("LastModified",),
    },
    fallbacks={"unit": ("ShippedUnitOfMeasureName",)},
    not_in_response=frozenset({"production_batch", "production_batch_number"}),
    api=True,
    owns=TRANSFERRED_OWNS,
)

METRC_API_LAB_SAMPLES = Shape(
    LAB_SAMPLES_SHAPE,
    Kind.PACKAGES,
    "Metrc API lab-sample packages (/packages/v2/labsamples): read as packages; their lab "
    "fields are not read as results (give the file with -l for those, or pull "
    "/labtests/v2/results)",
    dict(METRC_API_PACKAGES.titles),
    fallbacks=METRC_API_PACKAGES.fallbacks,
    requires=("TestTypeName",),
    instead=METRC_API_PACKAGES.instead,
    api=True,
)

CANONICAL_PACKAGES = Shape(
    "canonical",
    Kind.PACKAGES,
    "batchaudit's own snake_case package columns",
    {field: (field,) for field in PACKAGE_FIELDS},
)

METRC_API_LAB_RESULTS = Shape(
    "metrc-api",
    Kind.LAB_RESULTS,
    "Metrc API lab-result fields (labtests/v1/results or v2 pages)",
    {
        "package_id": ("PackageId",),
        "lab_test_result_id": ("LabTestResultId",),
        "lab_license": ("LabFacilityLicenseNumber",),
        "lab_name": ("LabFacilityName",),
        "tested_package": ("SourcePackageLabel",),
        "product_name": ("ProductName",),
        "product_category": ("ProductCategoryName",),
        "test_performed_date": ("TestPerformedDate",),
        "overall_passed": ("OverallPassed",),
        "revoked_date": ("RevokedDate",),
        "test_type": ("TestTypeName",),
        "test_passed": ("TestPassed",),
        "test_result_level": ("TestResultLevel",),
        "informational_only": ("TestInformationalOnly",),
        "detail_revoked_date": ("LabTestDetailRevokedDate",),
        "result_released": ("ResultReleased",),
    },
)

# The lab fields of a /packages/v2/labsamples record, when the file is given as lab results
# (-l): each record is a result row of the sample package its `Label` names. There is no
# result id, and each record is kept (none is a repeat of another: lineage/lab_results.py).
METRC_API_LAB_SAMPLE_RESULTS = Shape(
    LAB_SAMPLES_SHAPE,
    Kind.LAB_RESULTS,
    "Metrc API lab-sample packages (/packages/v2/labsamples) given as lab results: each "
    "record is a result row of the sample package its Label names",
    {
        **{
            field: titles
            for field, titles in METRC_API_LAB_RESULTS.titles.items()
            if field not in ("tested_package", "package_id")
        },
        "tested_package": ("Label",),
        "product_name": ("Item.Name", "ProductName"),
        "product_category": ("Item.ProductCategoryName", "ProductCategoryName"),
    },
    requires=("Label", "TestTypeName"),
)

CANONICAL_LAB_RESULTS = Shape(
    "canonical",
    Kind.LAB_RESULTS,
    "batchaudit's own snake_case lab-result columns",
    {field: (field,) for field in LAB_RESULT_FIELDS},
)

# A grid export may mix the full titles and the abbreviations shown on screen.
METRC_GRID.also.update(METRC_GRID_ABBREVIATED.titles)
METRC_GRID_ABBREVIATED.also.update(METRC_GRID.titles)

# In order of preference when two shapes match a header equally well.
SHAPES: tuple[Shape, ...] = (
    METRC_GRID,
    METRC_GRID_ABBREVIATED,
    METRC_API_LAB_SAMPLES,
    METRC_API_PACKAGES,
    METRC_API_TRANSFERRED,
    CANONICAL_PACKAGES,
    METRC_API_LAB_RESULTS,
    METRC_API_LAB_SAMPLE_RESULTS,
    CANONICAL_LAB_RESULTS,
)
