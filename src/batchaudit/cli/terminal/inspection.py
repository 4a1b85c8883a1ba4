"""`batchaudit inspect` as plain text."""

from __future__ import annotations

from batchaudit.cli.inspection import FileInspection, TableInspection
from batchaudit.support.visible import printable

_DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab"}


def render(inspections: list[FileInspection]) -> str:
    lines: list[str] = []
    for inspection in inspections:
        lines.append(inspection.path)
        if inspection.unreadable:
            lines += [f"  NOT READ: {inspection.unreadable}", ""]
            continue
        for table in inspection.tables:
            lines += _table(table)
        if inspection.skipped_sheets:
            lines.append(f"  sheets skipped: {', '.join(inspection.skipped_sheets)}")
        lines.append("")
    return printable("\n".join(lines))


def _table(table: TableInspection) -> list[str]:
    how = [table.format]
    if table.encoding:
        how.append(f"encoding {table.encoding}")
    if table.delimiter:
        how.append(f"{_DELIMITER_NAMES.get(table.delimiter, repr(table.delimiter))}-separated")
    lines = [
        f"  sheet:    {table.sheet!r}" if table.sheet else "",
        f"  kind:     {table.kind}",
        f"  shape:    {table.shape} ({table.shape_description})",
        f"  read as:  {', '.join(how)}",
        f"  rows:     {table.rows:,}"
        + (" (a valid, empty export: read, nothing to audit)" if table.empty else ""),
    ]
    if table.empty and table.format == "json":  # no record, so no field to show
        lines.append("  columns:  none (no records)")
    else:
        width = max((len(header) for header, _ in table.columns), default=0)
        lines.append("  columns:")
        lines += [f"    {header:<{width}}  -> {field}" for header, field in table.columns]
    lines.append(f"  ignored:  {', '.join(table.ignored) or 'none'}")
    if table.missing_needed:
        lines.append(
            f"  MISSING:  {', '.join(table.missing_needed)} (the rules that need them do not "
            "check this file's packages, unless another export carries them)"
        )
    else:
        lines.append("  missing:  nothing the rules need")
    if table.missing_useful:
        lines.append(f"  not there (evidence will be thinner): {', '.join(table.missing_useful)}")
    if table.problem_count:
        lines.append(f"  problems: {table.problem_count} (first {len(table.problems)}):")
        lines += [f"    - {problem}" for problem in table.problems]
    else:
        lines.append("  problems: none")
    return [line for line in lines if line]
