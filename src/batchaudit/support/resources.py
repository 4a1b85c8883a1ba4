"""Where the data files shipped with batchaudit (packs, templates) live.

In a wheel they are inside the package (`batchaudit/packs`, `batchaudit/templates`);
in a source checkout installed in development mode they are the top-level folders
`rules/` and `reports/templates/`.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parents[1]  # batchaudit/, above support/
_CHECKOUT = _PACKAGE.parents[1]


def _data_dir(packaged: str, checkout: str) -> Path:
    inside = _PACKAGE / packaged
    if inside.is_dir():
        return inside
    return _CHECKOUT / checkout


def packs_dir() -> Path:
    return _data_dir("packs", "rules")


def templates_dir() -> Path:
    return _data_dir("templates", "reports/templates")
