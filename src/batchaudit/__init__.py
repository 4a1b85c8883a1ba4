"""batchaudit: audit Metrc exports for production-batch and lab-results-tab mistakes.

The Python API (`audit`, `findings_frame`, `write` and the types they return) is imported
on first use, so `import batchaudit` stays as light as the command line needs it."""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from batchaudit.api import AuditError, audit, findings_frame, write
    from batchaudit.model.findings import AuditResult, Finding, InputFile, Severity, Source, Summary

# The one place the version is written: hatch reads it from here when the package is built
# (pyproject.toml), so a source tree and an installed package say the same.
__version__ = "0.1.0"

__all__ = [
    "AuditError",
    "AuditResult",
    "Finding",
    "InputFile",
    "Severity",
    "Source",
    "Summary",
    "__version__",
    "audit",
    "findings_frame",
    "write",
]
# Name -> the module that defines it, imported when the name is first used.
_LAZY = {
    "audit": "batchaudit.api",
    "findings_frame": "batchaudit.api",
    "write": "batchaudit.api",
    "AuditError": "batchaudit.api",
    "AuditResult": "batchaudit.model.findings",
    "Finding": "batchaudit.model.findings",
    "InputFile": "batchaudit.model.findings",
    "Severity": "batchaudit.model.findings",
    "Source": "batchaudit.model.findings",
    "Summary": "batchaudit.model.findings",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'batchaudit' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), *_LAZY])
