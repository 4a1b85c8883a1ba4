"""`batchaudit trace`: a package's lineage, results tab and findings in the terminal."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from batchaudit.cli import cli
from helpers import tag, write

PACKAGES = """
tag,item_name,category,source_package_tags,production_batch,production_batch_number,lab_testing_state,source_harvest_names
T1,Lot [bold]A[/bold],Buds,,No,,TestPassed,2026-GG-H001
T2,Lot B,Buds,,No,,TestPassed,2026-GG-H002
T3,Lot C,Buds,,No,,TestPassed,2026-GG-H003
T4,Lot D,Buds,,No,,TestPassed,2026-GG-H004
T5,Mix,Buds,"T1, T2, T3, T4",No,,TestPassed,
T6,Mix 1/8,Buds,T5,No,,TestPassed,
T7,Mix 1/8 again,Buds,T6,No,,TestPassed,
T8,Resin,Concentrate,T7,Yes,PB-9,NotSubmitted,
T9,Resin 1g,Concentrate,"T8, T99",No,,NotSubmitted,
"""
LAB = "tested_package,lab_test_result_id,test_type,test_passed,test_performed_date\n" + "\n".join(
    f"T{n},{n},Pesticides,{'false' if n == 4 else 'true'},2026-01-0{n}" for n in range(1, 5)
)


def flat(text: str) -> str:
    """The output with tree lines and wrapping removed, for asserting on content."""
    for glyph in "│├└─":
        text = text.replace(glyph, " ")
    return " ".join(text.split())


def trace(tmp_path: Path, number: int) -> str:
    packages = write(tmp_path / "packages.csv", PACKAGES)
    lab = write(tmp_path / "lab.csv", LAB)
    result = CliRunner().invoke(cli, ["trace", tag(number).lower(), str(packages), str(lab)])
    assert result.exit_code == 0, result.output
    return flat(result.stdout)


def test_an_over_long_tab_shows_the_tested_packages_and_the_chain(tmp_path: Path) -> None:
    out = trace(tmp_path, 7)
    assert "Results tab: 4 rows, 4 test events from 4 tested packages" in out
    for lot in (1, 2, 3, 4):
        assert tag(lot) in out
    assert f"{tag(7)} <- {tag(6)} <- {tag(5)} <- {tag(1)}" in out
    assert "2026-01-04 failed (1 row)" in out and "0/1" in out
    assert "LT001 warning" in out and "What to do:" in out


def test_sources_stop_at_production_batches_and_show_harvests_and_unknowns(tmp_path: Path) -> None:
    out = trace(tmp_path, 9)
    assert "production batch PB-9" in out
    assert "its results tab starts here" in out
    assert tag(7) not in out  # above the production batch
    assert f"{tag(99)} (not in the loaded exports)" in out
    assert "Concentrate [concentrate]" in out


def test_descendants_and_harvests_and_literal_export_text(tmp_path: Path) -> None:
    out = trace(tmp_path, 1)
    assert "from harvest 2026-GG-H001" in out
    assert "Lot [bold]A[/bold]" in out
    descendants = out.split("Descendants", 1)[1]
    for number in (5, 6, 7, 8, 9):
        assert tag(number) in descendants


def test_a_cycle_ends_and_says_so(tmp_path: Path) -> None:
    packages = write(
        tmp_path / "p.csv",
        "tag,category,source_package_tags,production_batch,production_batch_number\nT1,Buds,T2,No,\nT2,Buds,T1,No,\n",
    )
    result = CliRunner().invoke(cli, ["trace", tag(1), str(packages)])
    assert result.exit_code == 0
    assert "shown above (lineage cycle or shared source)" in flat(result.stdout)
    assert "LN002" in result.stdout


def test_an_unknown_tag_is_one_sentence(tmp_path: Path) -> None:
    packages = write(tmp_path / "p.csv", PACKAGES)
    result = CliRunner().invoke(cli, ["trace", tag(55), str(packages)])
    assert result.exit_code == 2
    assert result.stderr == f"batchaudit: {tag(55)} is not among the 9 loaded packages.\n"


def test_many_sources_do_not_hide_the_descendants(tmp_path: Path) -> None:
    rows = [f"T{n},Buds,,No," for n in range(1, 301)]
    sources = ", ".join(f"T{n}" for n in range(1, 301))
    rows += [f'T1000,Buds,"{sources}",No,', "T1001,Buds,T1000,No,", "T1002,Buds,T1000,No,"]
    packages = write(
        tmp_path / "p.csv",
        "tag,category,source_package_tags,production_batch,production_batch_number\n"
        + "\n".join(rows),
    )
    out = CliRunner().invoke(cli, ["trace", tag(1000), str(packages)]).stdout
    sources_part, descendants = out.split("Descendants", 1)
    assert tag(1001) in descendants and tag(1002) in descendants
    assert "more not shown" not in descendants.split("Results tab")[0]
    lines = sources_part.rstrip().splitlines()
    assert "... 50 more not shown" in lines[-1]
