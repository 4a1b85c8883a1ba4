"""Shared test helpers: short tags in test data, and auditing CSV text through the real ingest."""

from __future__ import annotations

import re
from pathlib import Path

from batchaudit.engine import Audit, audit
from batchaudit.ingest.load import load
from batchaudit.model.findings import AuditResult, Finding
from batchaudit.model.packs import load_pack
from batchaudit.model.tables import Tables
from batchaudit.rules.data_quality import data_quality_findings

PACKS = Path(__file__).parent / "packs"
_SHORT_TAG = re.compile(r"\bT(\d{1,7})\b")


def tag(number: int) -> str:
    """The 24-character tag that `T<number>` stands for in test data."""
    return f"1A4030000CC7D20{number:09d}"


def expand_tags(text: str) -> str:
    """Replace every `T<n>` token with its full 24-character tag."""
    return _SHORT_TAG.sub(lambda match: tag(int(match.group(1))), text)


def file_findings(tables: Tables) -> list[Finding]:
    """What reading the files found, as the data-quality rules word it."""
    return data_quality_findings(tables.problems)


def write(path: Path, text: str) -> Path:
    path.write_text(expand_tags(text.strip()) + "\n", encoding="utf-8")
    return path


def audit_text(*args: object, **kwargs: object) -> AuditResult:
    """The result of `audited`."""
    return audited(*args, **kwargs).result  # type: ignore[arg-type]


def audited(
    folder: Path,
    packages: str,
    lab_results: str | None = None,
    pack: str = "oregon",
    more_packages: str | None = None,
    processing_jobs: str | None = None,
) -> Audit:
    """Audit CSV text exactly as the command line would read it from files (`more_packages`
    is a second packages file, given after the first; `processing_jobs` a processing-jobs
    export, detected as the command line detects a file given without -p or -l)."""
    package_files = [write(folder / "packages.csv", packages)]
    if more_packages:
        package_files.append(write(folder / "more-packages.csv", more_packages))
    lab_files = [write(folder / "lab-results.csv", lab_results)] if lab_results else []
    jobs = [write(folder / "processing-jobs.csv", processing_jobs)] if processing_jobs else []
    tables = load(packages=package_files, lab_results=lab_files, detected=jobs)
    return audit(tables, load_pack(pack if pack == "oregon" else str(PACKS / f"{pack}.toml")))


def tags_of(result: AuditResult, rule: str) -> list[str]:
    return sorted(f.package_tag or "-" for f in result.findings if f.rule == rule)
