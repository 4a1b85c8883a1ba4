"""Heavy libraries imported on first use, so that `--version`, `--help`, `rules` and `explain`
start in a fraction of a second (pandas, numpy and scipy take most of a second to import).

    if TYPE_CHECKING:
        import pandas as pd
    else:
        pd = lazy("pandas")

The module is imported at the first attribute read; its attributes then replace the proxy's,
so later reads cost what a module's do.
"""

from __future__ import annotations

import contextlib
import importlib
import threading
import types
from typing import Any


class _LazyModule(types.ModuleType):
    def __getattr__(self, attribute: str) -> Any:
        module = importlib.import_module(self.__name__)
        self.__dict__.update(module.__dict__)
        return getattr(module, attribute)


def lazy(name: str) -> Any:
    """A stand-in for the module `name` that imports it when first used."""
    return _LazyModule(name)


def import_beside(name: str) -> None:
    """Import the module `name` in a thread of its own, while this one goes on: its first use
    waits for the import to end, or raises what it raised."""
    threading.Thread(target=_import, args=(name,), name=f"import {name}", daemon=True).start()


def _import(name: str) -> None:
    # An import that fails here fails again at the module's first use, which says why.
    with contextlib.suppress(Exception):
        importlib.import_module(name)
