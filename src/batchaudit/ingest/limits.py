"""How much batchaudit lets one input take, declared before the work and checked before it.

Every limit has a default here and a name that `--limit NAME=VALUE` (and later a config
file) sets. A file over a limit is one sentence naming the file, the limit and how to raise
it; the audit goes on with the other files.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass

from batchaudit.ingest.errors import InputError

KIB, MIB, GIB = 1024, 1024**2, 1024**3
_UNITS = {"": 1, "k": KIB, "m": MIB, "g": GIB}
_SIZE = re.compile(r"\s*(\d+(?:\.\d+)?)\s*([kmg]?)i?b?\s*", re.IGNORECASE)


@dataclass(frozen=True)
class Limits:
    """The defaults admit a million packages, or a hundred thousand packages' per-package lab
    pulls (a 700 MB file), on a machine with 8 GB or more; hostile files meet the other
    limits long before these."""

    file_size: int = 2 * GIB  # bytes of any one input file
    workbook_size: int = 1 * GIB  # bytes of a workbook's members once decompressed
    workbook_ratio: int = 100  # decompressed bytes per compressed byte, per member
    zip_members: int = 1_000  # members in a workbook
    sheet_cells: int = 20_000_000  # rows x columns of a sheet, as declared or as used
    json_depth: int = 32  # nesting of arrays and objects in a JSON export
    memory: int = 8 * GIB  # what the files read may take in memory, all together (estimated)

    def with_settings(self, settings: list[str]) -> Limits:
        """These limits with `NAME=VALUE` settings applied; ValueError names a bad one."""
        changes: dict[str, int] = {}
        for setting in settings:
            name, _, value = setting.partition("=")
            key = name.strip().replace("-", "_")
            if key not in _NAMES or not value.strip():
                raise ValueError(
                    f"--limit {setting!r} is not NAME=VALUE with NAME one of {', '.join(NAMES)}"
                )
            changes[key] = parse_size(value, setting)
        return dataclasses.replace(self, **changes)


_NAMES = tuple(field.name for field in dataclasses.fields(Limits))
NAMES = tuple(name.replace("_", "-") for name in _NAMES)
DEFAULT_LIMITS = Limits()


def parse_size(value: str, setting: str) -> int:
    """`2G`, `512M`, `64k`, `1.5GB`, `100`: a whole number, binary units."""
    match = _SIZE.fullmatch(value)
    if match is None:
        raise ValueError(f"--limit {setting!r}: {value!r} is not a number like 100, 512M or 2G")
    return int(float(match.group(1)) * _UNITS[match.group(2).lower()])


def shown(name: str, value: int) -> str:
    """A limit's value as a person reads it: sizes in KiB/MiB/GiB, counts as counts."""
    if name in _COUNTS:
        return f"{value:,}"
    for unit, size in (("G", GIB), ("M", MIB), ("k", KIB)):
        if value >= size and value % size == 0:
            return f"{value // size}{unit}"
    return f"{value:,} bytes"


_COUNTS = {"workbook_ratio", "zip_members", "sheet_cells", "json_depth"}


def over_limit(path: object, what: str, name: str, limits: Limits) -> InputError:
    """The sentence for a file over a limit: the file, what it holds, the limit, the fix."""
    value = getattr(limits, name)
    option = name.replace("_", "-")
    return InputError(
        f"{path} {what}, over the {option} limit of {shown(name, value)}; it is not read. "
        f"If the file is trusted, raise the limit with --limit {option}=VALUE."
    )


# Peak memory of reading, measured (ru_maxrss) with some headroom: the 100,000-package
# sample's CSVs take 3.3x their size (the 1,000,000-package one's 2.8x, per-package lab
# pulls 3.6x), 60,000 API records 8.6x theirs, and a workbook of 1.25 million cells 145
# bytes a cell.
MEMORY_PER_BYTE: dict[str, float] = {"text": 4.5, "json": 12}
MEMORY_PER_CELL = 150


class Budget:
    """The memory limit, spent file by file as each one is about to be read."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.left = limits.memory

    def spend(self, path: object, estimate: int) -> None:
        if estimate > self.left:
            what = f"would take about {shown('memory', _rounded(estimate))} in memory"
            if self.left < self.limits.memory:
                what += " with the files read before it"
            raise over_limit(path, what, "memory", self.limits)
        self.left -= estimate


def _rounded(size: int) -> int:
    return max(MIB, size // MIB * MIB)
