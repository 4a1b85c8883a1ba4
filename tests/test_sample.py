"""The sample generator writes realistic, deterministic exports with every mistake in them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from batchaudit.sample import generate, write_sample

GRID_COLUMNS = [
    "Tag", "Source Harvest(s)", "Source Package(s)", "Location", "Item", "Category",
    "Item Strain", "Unit THC Content", "Unit CBD Content", "Quantity", "Unit of Measure",
    "Production Batch", "Production Batch Number", "Source Production Batch", "Lab Testing",
    "Testing Sample", "Product Requires Remediation", "Contains Remediated Product",
    "Administrative Hold", "Packaged Date", "Packaged By", "Received", "Received From",
]  # fmt: skip
LAB_COLUMNS = [
    "PackageId", "LabTestResultId", "LabFacilityLicenseNumber", "LabFacilityName",
    "SourcePackageLabel", "ProductName", "ProductCategoryName", "TestPerformedDate",
    "OverallPassed", "RevokedDate", "LabTestResultDocumentFileId", "ResultReleased",
    "ResultReleaseDateTime", "ExpirationDateTime", "TestTypeName", "TestPassed",
    "TestResultLevel", "TestComment", "TestInformationalOnly", "LabTestDetailRevokedDate",
]  # fmt: skip
OREGON_CATEGORIES = {
    "Buds", "Shake/Trim", "Non-Infused (Plain) Pre-Roll", "Concentrate", "Concentrate (each)",
    "Extracts", "Extracts (each)", "Edibles", "Edibles (each)", "Waste",
}  # fmt: skip
GROUP = {
    "Buds": "usable", "Shake/Trim": "usable", "Non-Infused (Plain) Pre-Roll": "usable",
    "Concentrate": "concentrate", "Concentrate (each)": "concentrate", "Extracts": "extract",
    "Edibles": "edible", "Edibles (each)": "edible",
}  # fmt: skip
YES, NO = {"Yes", "True"}, {"No", "False", ""}
FILES = ("packages-active.csv", "packages-inactive.csv", "lab-results.csv")


def _read(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def _split(cell: str) -> list[str]:
    return [part.strip() for part in cell.split(",") if part.strip()]


@pytest.fixture(scope="module")
def sample_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("sample") / "not" / "yet" / "there"
    write_sample(out, packages=300, seed=7)
    return out


@pytest.fixture(scope="module")
def packages(sample_dir: Path) -> pd.DataFrame:
    tabs = [_read(sample_dir / FILES[0]), _read(sample_dir / FILES[1])]
    grid = pd.concat(tabs).fillna("")  # Active has no Finished / Discontinued
    grid["production_batch"] = grid["Production Batch"].isin(YES)
    grid["sources"] = grid["Source Package(s)"].map(_split)
    return grid.set_index("Tag", drop=False)


@pytest.fixture(scope="module")
def lab(sample_dir: Path) -> pd.DataFrame:
    return _read(sample_dir / FILES[2])


def _with_known_sources(packages: pd.DataFrame) -> pd.DataFrame:
    """Packages with at least one source, every source in the export."""
    known = packages["sources"].map(lambda s: bool(s) and all(t in packages.index for t in s))
    return packages[known]


def _rows(frame: pd.DataFrame) -> list[tuple[str, dict[str, Any]]]:
    """(tag, row) pairs of a small frame of candidates."""
    return list(frame.to_dict("index").items())  # type: ignore[arg-type]


def _source_categories(packages: pd.DataFrame, row: dict[str, Any]) -> set[str]:
    return {packages.loc[t, "Category"] for t in row["sources"]}


def test_write_sample_creates_the_directory_and_returns_the_three_paths(
    sample_dir: Path,
) -> None:
    assert sorted(p.name for p in sample_dir.iterdir()) == sorted(FILES)
    again = write_sample(sample_dir.parent / "again", packages=20, seed=1)
    assert [p.name for p in again] == list(FILES)


def test_same_seed_gives_identical_bytes_and_another_seed_does_not(
    sample_dir: Path, tmp_path: Path
) -> None:
    same = write_sample(tmp_path / "same", packages=300, seed=7)
    other = write_sample(tmp_path / "other", packages=300, seed=8)
    for name, same_path, other_path in zip(FILES, same, other, strict=True):
        original = (sample_dir / name).read_bytes()
        assert same_path.read_bytes() == original, name
        assert other_path.read_bytes() != original, name


def test_headers_are_metrc_full_titles_and_api_fields(sample_dir: Path) -> None:
    def header(name: str) -> list[str]:
        return (sample_dir / name).read_text(encoding="utf-8").splitlines()[0].split(",")

    assert header(FILES[0]) == GRID_COLUMNS
    assert header(FILES[1]) == [*GRID_COLUMNS, "Finished", "Discontinued"]
    assert header(FILES[2]) == LAB_COLUMNS


@pytest.mark.parametrize("count", [0, 1, 7, 59, 60, 99, 100, 300, 1234])
def test_package_count_is_exactly_the_requested_number(count: int) -> None:
    sample = generate(count, seed=3)
    assert len(sample.active) + len(sample.inactive) == count


def test_tags_are_well_formed_and_unique(packages: pd.DataFrame) -> None:
    assert packages["Tag"].str.fullmatch(r"1A4[A-Z0-9]{21}").all()
    assert packages["Tag"].is_unique


def test_values_use_oregon_categories_and_metrc_formats(packages: pd.DataFrame) -> None:
    assert set(packages["Category"]) <= OREGON_CATEGORIES
    assert packages["Quantity"].str.fullmatch(r"\d{1,3}(,\d{3})*\.\d\d").all()
    assert packages["Packaged Date"].str.fullmatch(r"\d\d/\d\d/20\d\d").all()
    received = packages["Received"][packages["Received From"] != ""]
    assert received.str.fullmatch(r"\d\d/\d\d/20\d\d \d\d:\d\d [ap]m").all()
    flags = ["Production Batch", "Testing Sample", "Administrative Hold", "Finished"]
    assert set(packages[flags].melt()["value"]) <= YES | NO
    pre_rolls = packages[packages["Category"] == "Non-Infused (Plain) Pre-Roll"]
    assert (pre_rolls["Unit of Measure"] == "ea").all()


def test_about_sixty_percent_of_packages_are_inactive(sample_dir: Path) -> None:
    inactive = len(_read(sample_dir / FILES[1]))
    assert 0.5 <= inactive / 300 <= 0.7


def test_every_source_is_exported_or_the_package_was_received(packages: pd.DataFrame) -> None:
    received = packages["Received From"] != ""
    for tag, sources in packages.loc[~received, "sources"].items():
        assert all(s in packages.index for s in sources), tag
    assert all(s not in packages.index for s in packages.loc[received, "sources"].sum())
    assert received.any()


def test_production_batch_numbers_are_on_production_batches_only(
    packages: pd.DataFrame,
) -> None:
    numbered = packages["Production Batch Number"] != ""
    assert (numbered == packages["production_batch"]).all()
    assert packages.loc[numbered, "Production Batch Number"].is_unique


def test_lab_results_are_for_exported_packages(lab: pd.DataFrame, packages: pd.DataFrame) -> None:
    assert lab["SourcePackageLabel"].isin(packages.index).all()
    per_result = lab.groupby("LabTestResultId")[
        ["SourcePackageLabel", "LabFacilityName", "TestPerformedDate", "OverallPassed"]
    ].nunique()
    assert (per_result == 1).all().all()
    listings = lab.drop_duplicates(["LabTestResultId", "PackageId"])
    assert listings["LabTestResultId"].duplicated().any()  # repeated under a later package
    assert set(lab["OverallPassed"]) == {"true", "false"}


def test_a_production_batch_without_category_change_exists_and_one_can_be_discontinued(
    packages: pd.DataFrame,
) -> None:
    candidates = _with_known_sources(packages[packages["production_batch"]])
    same = [
        tag
        for tag, row in _rows(candidates)
        if _source_categories(packages, row) == {row["Category"]}
    ]
    assert same
    has_children = set(packages["sources"].sum())
    discontinuable = [
        tag
        for tag in same
        if tag not in has_children
        and packages.loc[tag, "Finished"] in NO
        and packages.loc[tag, "Discontinued"] in NO
        and packages.loc[tag, "Received From"] == ""
    ]
    assert discontinuable
    assert len(discontinuable) < len(same)


def test_a_production_batch_within_one_test_group_exists(packages: pd.DataFrame) -> None:
    candidates = _with_known_sources(packages[packages["production_batch"]])
    assert any(
        {GROUP.get(c) for c in _source_categories(packages, row)} == {GROUP[row["Category"]]}
        and _source_categories(packages, row) != {row["Category"]}
        for _, row in _rows(candidates)
    )


def test_processing_without_a_production_batch_exists(packages: pd.DataFrame) -> None:
    candidates = _with_known_sources(packages[~packages["production_batch"]])
    processing = {("Shake/Trim", "Concentrate"), ("Concentrate", "Edibles")}
    assert any(
        (source, row["Category"]) in processing
        for _, row in _rows(candidates)
        for source in _source_categories(packages, row)
    )


def test_two_packages_list_each_other_as_sources(packages: pd.DataFrame) -> None:
    pairs = {
        frozenset((tag, source))
        for tag, sources in packages["sources"].items()
        for source in sources
        if source in packages.index and tag in packages.loc[source, "sources"]
    }
    assert len(pairs) == 1


def _results_tab_tested_packages(packages: pd.DataFrame, tested: set[str], tag: str) -> set[str]:
    seen, todo, found = {tag}, [tag], set()
    while todo:
        current = todo.pop()
        if current in tested:
            found.add(current)
        if packages.loc[current, "production_batch"]:
            continue
        for source in packages.loc[current, "sources"]:
            if source in packages.index and source not in seen:
                seen.add(source)
                todo.append(source)
    return found


def test_some_results_tab_holds_results_from_more_than_three_tested_packages(
    packages: pd.DataFrame, lab: pd.DataFrame
) -> None:
    tested = set(lab["SourcePackageLabel"])
    widest = max(len(_results_tab_tested_packages(packages, tested, t)) for t in packages.index)
    assert widest > 3


def test_lab_pulls_list_every_tab_under_its_package_and_change_no_finding(tmp_path: Path) -> None:
    from batchaudit.engine import audit
    from batchaudit.ingest.load import load
    from batchaudit.model.packs import load_pack

    rows = generate(2_000, seed=5).lab_results
    pulled = generate(2_000, seed=5, lab_pulls=True).lab_results
    assert len(pulled) > len(rows)
    # Each package's own results are under it, and more rows are under packages that were
    # not tested (their inherited tabs).
    own = pulled["PackageId"].isin(rows["PackageId"])
    assert (~own).any()

    def findings(folder: Path, pulls: bool) -> list[tuple[str, str | None, str]]:
        write_sample(folder, packages=2_000, seed=5, lab_pulls=pulls)
        result = audit(load(detected=[folder]), load_pack("oregon")).result
        # LN004 counts the pulled rows it cannot place, which pulls have more of.
        return [(f.rule, f.package_tag, f.message) for f in result.findings if f.rule != "LN004"]

    assert findings(tmp_path / "pulls", True) == findings(tmp_path / "rows", False)


def test_sample_with_more_mistakes_gives_a_careless_licensee_with_more_findings(
    tmp_path: Path,
) -> None:
    """`batchaudit sample --mistakes 3`: the findings-heavy export `make bench` audits."""
    import json

    from click.testing import CliRunner

    from batchaudit.cli import cli

    def by_rule(name: str, *options: str) -> dict[str, int]:
        folder = tmp_path / name
        runner = CliRunner()
        made = runner.invoke(cli, ["sample", str(folder), "--packages", "3000", *options])
        assert made.exit_code == 0, made.output
        report = tmp_path / f"{name}.json"
        audited = runner.invoke(cli, ["audit", str(folder), "-o", str(report), "-q"])
        assert audited.exit_code == 1, audited.output
        counts: dict[str, int] = json.loads(report.read_text())["summary"]["by_rule"]
        return counts

    usual, careless = by_rule("usual"), by_rule("careless", "--mistakes", "3")
    for rule in ("PB001", "PB002", "PB003", "LT001"):
        assert careless[rule] > 1.3 * usual[rule], (rule, usual, careless)
    assert sum(careless.values()) > 1.6 * sum(usual.values())
    assert (
        len(generate(3000, seed=7, mistakes=3).active)
        + len(generate(3000, seed=7, mistakes=3).inactive)
        == 3000
    )
