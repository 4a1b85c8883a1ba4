"""Python's cyclic garbage collector, paused while many objects that hold no cycles are made.

Each collection walks every object still alive. Parsing API JSON, building a finding per
offending package and writing a report of them all make hundreds of thousands of objects
that are freed by reference counting alone, and the collections they set off cost as much
as the work itself (at 10^6 packages, building the JSON report's document took 3 s with
the collector running and a third of that without).
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collection_paused(for_good: bool = False) -> Iterator[None]:
    """No cyclic collection inside the block; collection resumes as it was after it.

    `for_good`: what the block made lives as long as the process (modules imported, the
    findings a command reports), so it is moved out of the collector's sight (`gc.freeze`)
    instead of being scanned once more as collection resumes: at 10^6 packages, that one
    collection of the audit's objects took half a second. Only for a command's own
    process: frozen objects are never collected, garbage or not."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if for_good:
            gc.freeze()
        if collecting:
            gc.enable()
