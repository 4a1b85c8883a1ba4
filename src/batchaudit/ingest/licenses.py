"""License numbers in export paths: Metrc names its downloads and integrators name their
folders after the license, so two licenses among the inputs mean two licensees' exports."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import PurePath

from batchaudit.model.findings import InputFile
from batchaudit.model.tables import SeveralLicenses

# License numbers as Metrc states write them: Oregon (050-1001234ABC), California
# (C11-0000001-LIC), Colorado (403R-00001), Michigan (AU-P-000123) and similar.
_LICENSE = re.compile(
    r"(?<![A-Za-z0-9])("
    r"\d{3}-\d{5,8}[A-Z0-9]{0,4}"
    r"|[A-Z]{1,3}\d{1,2}-\d{6,8}-LIC"
    r"|\d{3}[A-Z]-\d{5}"
    r"|[A-Z]{2}-[A-Z]-\d{6}"
    r")(?![A-Za-z0-9])"
)


def license_in(path: str) -> str:
    """The license number a path names (its file name first, then its folders), or ""."""
    for part in reversed(PurePath(path).parts):
        found = _LICENSE.search(part)
        if found:
            return found.group(1)
    return ""


def several_licenses(inputs: Sequence[InputFile]) -> list[SeveralLicenses]:
    """One problem when the packages exports name more than one license."""
    by_license: dict[str, list[str]] = {}
    for item in inputs:
        if item.kind == "packages" and item.license:
            by_license.setdefault(item.license, [])
            if item.path not in by_license[item.license]:
                by_license[item.license].append(item.path)
    if len(by_license) < 2:
        return []
    return [SeveralLicenses(dict(sorted(by_license.items())))]
