"""batchaudit: audit Metrc exports for production-batch and lab-results-tab mistakes."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("batchaudit")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+source"
