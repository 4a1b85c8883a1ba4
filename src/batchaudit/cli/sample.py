"""`batchaudit sample`: a realistic synthetic licensee's exports, to try batchaudit on."""

from __future__ import annotations

from pathlib import Path

import click

from batchaudit.cli.terminal.console import SIMPLE_EXITS, epilog


@click.command(
    epilog=epilog(
        "  batchaudit sample /tmp/licensee\n"
        "  batchaudit sample /tmp/licensee --packages 5000 --seed 3\n"
        "  batchaudit sample /tmp/careless --packages 100000 --mistakes 2\n"
        "  batchaudit sample sample_data --processing-jobs",
        SIMPLE_EXITS,
    )
)
@click.argument("out_dir", type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "--packages",
    "package_count",
    default=300,
    show_default=True,
    type=click.IntRange(min=20),
    help="How many packages.",
)
@click.option(
    "--seed", default=7, show_default=True, help="Random seed; the same seed gives the same files."
)
@click.option(
    "--lab-pulls",
    is_flag=True,
    help="Write the lab results as per-package pulls: each package's whole Lab Results tab "
    "under its own PackageId, as integrators fetch them.",
)
@click.option(
    "--processing-jobs",
    is_flag=True,
    help="Record the process lots as Oregon's Processing Jobs (since 2023-04-15): the grid's "
    "Source Processing Job(s) column and the jobs as processing-jobs.json (an API page), "
    "with the slips a licensee makes.",
)
@click.option(
    "--mistakes",
    default=1.0,
    show_default=True,
    type=click.FloatRange(min=0),
    help="How many times the usual share of production-batch mistakes and combined lots "
    "(3 gives about twice the findings, as a careless licensee's exports would).",
)
def sample(
    out_dir: Path,
    package_count: int,
    seed: int,
    lab_pulls: bool,
    processing_jobs: bool,
    mistakes: float,
) -> None:
    """Write a realistic synthetic licensee's exports (grid CSVs and lab results)."""
    from batchaudit.sample import write_sample

    written = write_sample(
        out_dir,
        packages=package_count,
        seed=seed,
        lab_pulls=lab_pulls,
        processing_jobs=processing_jobs,
        mistakes=mistakes,
    )
    for path in written:
        click.echo(f"Wrote {path}")
