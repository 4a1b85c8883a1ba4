"""Large exports read from disk while the audit's libraries are imported.

`batchaudit audit` spends half a second importing pandas, pandera and pyarrow on one
processor, in which the other has nothing to do. Reading a file's bytes lets go of the
interpreter lock, so the large files given are read (and hashed) in that time, one after the
other in a thread of their own: per-package pulls of 532 MB took 0.3 s to read. The reading
proper then takes each file's bytes (or the error its reading met, said as it would have
been), or reads the file itself if the thread had not begun it.

The first file given, if it is an API JSON page, is also parsed there, before the others are
read: Arrow parses a page on one thread without the interpreter lock (0.55-0.8 s for 100,000
packages). Only the first, and only if its memory estimate is within the memory limit: the
first file spends the limit before any other, so it would have been parsed anyway; a later
one might not be.

Only light modules are imported here (no pandas): this runs while pandas is imported.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING

from batchaudit.ingest.files import Contents, large_file, read_regular
from batchaudit.ingest.limits import MEMORY_PER_BYTE, Limits
from batchaudit.model.fields import Kind

if TYPE_CHECKING:
    from batchaudit.ingest.api_page import ParsedAhead


class ReadAhead:
    """Files being read in a thread; `take` a file's bytes, or None to read it yourself."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self._reading: dict[Path, Future[Contents]] = {}
        self._pool: ThreadPoolExecutor | None = None
        self._parsing: tuple[Path, Kind | None, Future[ParsedAhead | None]] | None = None
        self._taken: set[Path] = set()

    def start(self, paths: Iterable[Path], first_kind: Kind | None = None) -> None:
        """Begin reading the large regular files among `paths`, in their order, parsing the
        first, if it is a page, as an export of `first_kind` (None: detected) before the
        others are read: a page's parse is the longest step of its reading (7-8 s at 10^6
        packages, where the lab results' 1.45 GB, read first, put it off by 0.1-0.3 s from
        memory and 4 s from disk), and the reading proper reads a file itself where this
        thread has not begun it."""
        given = list(dict.fromkeys(paths))
        for path in given:
            if not large_file(path):
                continue
            if self._pool is None:
                self._pool = ThreadPoolExecutor(1, thread_name_prefix="batchaudit-ahead")
            read = self._reading[path] = self._pool.submit(read_regular, path, self.limits)
            if path == given[0]:
                parsing = self._pool.submit(self._page_of, path, first_kind, read)
                self._parsing = (path, first_kind, parsing)

    def page(self, path: Path, kind: Kind | None) -> ParsedAhead | None:
        """What Arrow made of the file's page, if it was parsed ahead as an export of `kind`
        from the bytes `take` gave (waiting for it if under way); None if it was not."""
        if self._parsing is None or self._parsing[:2] != (path, kind) or path not in self._taken:
            return None
        parsing, self._parsing = self._parsing[2], None
        return parsing.result()  # under way or next in line: waited for, not cancelled

    def _page_of(self, path: Path, kind: Kind | None, read: Future[Contents]) -> ParsedAhead | None:
        from batchaudit.ingest.api_page import ParsedAhead, arrow_page, looks_like_json, without_bom
        from batchaudit.ingest.detect import titles_read

        try:
            data = read.result().data
        except Exception:  # the reading proper raises it again, with its sentence
            return None
        if not looks_like_json(data) or len(data) * MEMORY_PER_BYTE["json"] > self.limits.memory:
            return None
        return ParsedAhead(
            arrow_page(without_bom(data), functools.partial(titles_read, path, kind))
        )

    def take(self, path: Path, limits: Limits) -> Contents | None:
        """The file's bytes as read ahead (waiting for them if under way), raising what
        reading it raised; None if it was not read ahead, with these limits."""
        reading = self._reading.pop(path, None)
        if reading is None or limits != self.limits or reading.cancel():
            return None
        contents = reading.result()
        self._taken.add(path)  # its page, if parsed ahead, is of these bytes
        return contents

    def close(self) -> None:
        """Files not yet begun are not read; the one under way is let go when read."""
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
        self._reading.clear()
        self._parsing = None


def read_ahead(paths: Iterable[Path], limits: Limits, first_kind: Kind | None = None) -> ReadAhead:
    """The large files among `paths` being read (a folder is walked by the reading proper:
    only files given by name are read ahead), the first parsed if it is a page of an export
    of `first_kind`; `close` it when done."""
    ahead = ReadAhead(limits)
    ahead.start(paths, first_kind)
    return ahead
