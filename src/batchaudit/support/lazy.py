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

import importlib
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
