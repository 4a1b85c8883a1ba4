"""The lineage trail behind a finding, as boxes from sources to the package, for the HTML
report to draw. Package details are looked up once for every finding shown."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

import pandas as pd

from batchaudit.model.findings import AuditResult, Finding

# A column of a trail shows this many packages; the finding's evidence lists the rest.
BOXES_PER_COLUMN = 8


@dataclass(frozen=True)
class Box:
    tag: str
    category: str = ""
    production_batch: bool | None = False  # None: no export of it has the field
    testing_state: str = ""
    known: bool = True
    focus: bool = False  # the package the finding is about


@dataclass(frozen=True)
class Column:
    boxes: list[Box]
    hidden: int


@dataclass(frozen=True)
class Trail:
    """Columns read left to right; a column holds the packages at one distance from the
    finding's package, which is the last column."""

    caption: str
    columns: list[Column]


class Trails:
    """Draws trails for a set of findings, with the packages they mention looked up once."""

    def __init__(self, result: AuditResult, findings: list[Finding]) -> None:
        self.result = result
        packages = result.packages if result.packages is not None else pd.DataFrame()
        tags = {tag for finding in findings for path in self._paths(finding) for tag in path}
        details = packages.loc[packages["tag"].isin(tags)].set_index("tag")
        shown = ["category", "production_batch", "batch_flag_known", "lab_testing_state"]
        columns = details[[column for column in shown if column in details]]
        self.details = cast(dict[str, dict[str, Any]], columns.to_dict("index"))

    def boxes(self) -> dict[str, tuple[str, bool | None, str]]:
        """Category, production batch (None: unknown) and testing state of every package a
        trail shows."""
        return {
            tag: (str(found["category"]), _batch(found), str(found["lab_testing_state"]))
            for tag, found in self.details.items()
        }

    def _paths(self, finding: Finding) -> list[list[str]]:
        """Each path as tags read left to right, ending at the finding's package."""
        return self.result.rule(finding.rule).trail(finding)

    def trail(self, finding: Finding) -> Trail | None:
        paths = self._paths(finding)
        if not paths:
            return None
        caption = self.result.rule(finding.rule).trail_caption
        depth = max(len(path) for path in paths)
        by_distance: list[dict[str, None]] = [{} for _ in range(depth)]
        for path in paths:
            for distance, tag in enumerate(reversed(path)):
                by_distance[distance].setdefault(tag)
        columns = [
            Column(
                [
                    self._box(tag, tag == finding.package_tag)
                    for tag in list(tags)[:BOXES_PER_COLUMN]
                ],
                max(len(tags) - BOXES_PER_COLUMN, 0),
            )
            for tags in reversed(by_distance)
        ]
        return Trail(caption, columns)

    def _box(self, tag: str, focus: bool) -> Box:
        found = self.details.get(tag)
        if found is None:
            return Box(tag, known=False, focus=focus)
        return Box(tag, found["category"], _batch(found), found["lab_testing_state"], focus=focus)


def _batch(found: dict[str, Any]) -> bool | None:
    """The Production Batch flag, or None where no export of the package has the field."""
    if not found.get("batch_flag_known", True):
        return None
    return bool(found["production_batch"])
