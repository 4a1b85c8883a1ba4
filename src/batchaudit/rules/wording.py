"""Small helpers for the words rules write: counts with the right noun, capped lists."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from batchaudit.support.lazy import lazy

if TYPE_CHECKING:
    import pandas as pd
else:
    pd = lazy("pandas")

# A fact lists this many items (test types, sources); the JSON report has them all.
ITEMS_SHOWN = 20


def plural(count: int, one: str, many: str) -> str:
    """`one` or `many`, with {n} filled in: plural(1, "{n} row", "{n} rows") -> "1 row"."""
    return (one if count == 1 else many).format(n=f"{count:,}")


def listing(items: list[Any]) -> str:
    shown = ", ".join(str(item) for item in items[:ITEMS_SHOWN])
    return shown + (f", and {len(items) - ITEMS_SHOWN} more" if len(items) > ITEMS_SHOWN else "")


def source_paths(tag: str | None, sources: list[Any]) -> list[list[str]]:
    """A trail of one step per source: [source tag, package tag]."""
    if tag is None:
        return []
    tags = [source["tag"] if isinstance(source, dict) else str(source) for source in sources]
    return [[source, tag] for source in tags]


def iso_day(value: Any) -> str | None:
    """A date cell as an ISO day ("2026-02-01"), None where blank."""
    return None if value is None or pd.isna(value) else pd.Timestamp(value).date().isoformat()
