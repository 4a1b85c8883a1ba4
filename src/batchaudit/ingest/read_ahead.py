"""Large exports read from disk while the audit's libraries are imported.

`batchaudit audit` spends half a second importing pandas, pandera and pyarrow on one
processor, in which the other has nothing to do. Reading a file's bytes lets go of the
interpreter lock, so the large files given are read (and hashed) in that time, one after the
other in a thread of their own: per-package pulls of 532 MB took 0.3 s to read. The reading
proper then takes each file's bytes (or the error its reading met, said as it would have
been), or reads the file itself if the thread had not begun it.

Only this module's own imports are needed here: it is used before the others are imported.
"""

from __future__ import annotations

from collections.abc import Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

from batchaudit.ingest.files import Contents, read_regular
from batchaudit.ingest.limits import Limits

# Files this large are read ahead, and side by side (ingest/side_by_side.py): below it a
# file is mostly Python's work (5,000 one-row exports took 4.2 s in two threads, 2.6 s in one).
LARGE_BYTES = 4 << 20


class ReadAhead:
    """Files being read in a thread; `take` a file's bytes, or None to read it yourself."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self._reading: dict[Path, Future[Contents]] = {}
        self._pool: ThreadPoolExecutor | None = None

    def start(self, paths: Iterable[Path]) -> None:
        """Begin reading the large regular files among `paths`, in their order."""
        for path in dict.fromkeys(paths):
            if path in self._reading or not large_file(path):
                continue
            if self._pool is None:
                self._pool = ThreadPoolExecutor(
                    max_workers=1, thread_name_prefix="batchaudit-ahead"
                )
            self._reading[path] = self._pool.submit(read_regular, path, self.limits)

    def take(self, path: Path, limits: Limits) -> Contents | None:
        """The file's bytes as read ahead (waiting for them if under way), raising what
        reading it raised; None if it was not read ahead, with these limits."""
        reading = self._reading.pop(path, None)
        if reading is None or limits != self.limits or reading.cancel():
            return None
        return reading.result()

    def close(self) -> None:
        """Files not yet begun are not read; the one under way is let go when read."""
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
        self._reading.clear()


def read_ahead(paths: Iterable[Path], limits: Limits) -> ReadAhead:
    """The large files among `paths` being read (a folder is walked by the reading proper:
    only files given by name are read ahead); `close` it when done."""
    ahead = ReadAhead(limits)
    ahead.start(paths)
    return ahead


def large_file(path: Path) -> bool:
    """A regular file of `LARGE_BYTES` or more: read ahead, and beside the others (a device
    or a pipe never is: reading it is what refuses it, with its sentence)."""
    try:
        status = path.stat()
    except OSError:
        return False
    return path.is_file() and status.st_size >= LARGE_BYTES
