"""Jobs done in a child process beside this one, for Python's work, which threads cannot
share: one interpreter runs one thread's Python at a time, and rendering reports is all
Python (the HTML and CSV reports of 40,000 findings took 2 s each, one after the other).

The child is forked: it starts from this process's memory as it is (shared until written),
does its jobs, sends each one's text back through a pipe as UTF-8 and ends with `os._exit`,
running nothing of this process's clean-up. Only where forking is sound to rely on (Linux,
more than one processor to use, memory for a child); elsewhere the caller does the jobs.
Whatever goes wrong in the child (an error, a crash, a kill, a hang past the time allowed),
`results` gives None and the caller does the jobs itself: the child saves time, it is never
the only way to the result.
"""

from __future__ import annotations

import os
import signal
import struct
import sys
import threading
from collections.abc import Callable, Sequence
from typing import BinaryIO, NoReturn

from batchaudit.support.side_by_side import workers

Job = Callable[[], str | bytes]
# Each result is sent as its length (8 bytes, little-endian), then its bytes.
_LENGTH = struct.Struct("<Q")


def can_fork() -> bool:
    """Linux (where a fork is the usual way to start a process), a second processor, and
    room in memory for a child (`room_for_a_child`)."""
    return sys.platform == "linux" and hasattr(os, "fork") and workers() > 1 and room_for_a_child()


def room_for_a_child() -> bool:
    """Whether the memory available (the machine's, and the container's if it has a limit)
    holds as much again as this process does: a child shares this process's memory until
    it writes to it, and Python writes to every object it reads (it counts references), so
    it may come to copy all it reads (the six reports of 10^6 findings-heavy packages: 2.7 GB
    copied or made, beside the audit's 4.4 GB)."""
    try:
        held = _resident()
        available = min(_meminfo_available(), _container_room())
    except (OSError, ValueError, IndexError):
        return False
    return available >= held


def _resident() -> int:
    """This process's resident memory, in bytes (/proc/self/statm counts pages)."""
    with open("/proc/self/statm", encoding="ascii") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def _meminfo_available() -> int:
    with open("/proc/meminfo", encoding="ascii") as meminfo:
        for line in meminfo:
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) * 1024
    raise ValueError("no MemAvailable")


# A container's memory limit and use: cgroup v2's files, else v1's.
_CGROUPS = (
    ("/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory.current"),
    (
        "/sys/fs/cgroup/memory/memory.limit_in_bytes",
        "/sys/fs/cgroup/memory/memory.usage_in_bytes",
    ),
)


def _container_room() -> int:
    """What the container's memory limit leaves, or no bound (no limit, or none to read)."""
    for limit_file, usage_file in _CGROUPS:
        try:
            with (
                open(limit_file, encoding="ascii") as limit,
                open(usage_file, encoding="ascii") as usage,
            ):
                limited, used = limit.read().strip(), usage.read().strip()
        except OSError:
            continue
        if limited.isdigit():
            return int(limited) - int(used)
    return sys.maxsize


class Apart:
    """`jobs` under way in a child process from the moment this is made (if one can be)."""

    def __init__(self, jobs: Sequence[Job]) -> None:
        self._count = len(jobs)
        self._pid: int | None = None
        self._received: list[bytes] | None = None
        self._reader: threading.Thread | None = None
        if not jobs or not can_fork():
            return
        try:
            read, write = os.pipe()
        except OSError:  # no file descriptor left: the caller does the jobs
            return
        try:
            pid = os.fork()
        except OSError:  # no memory or process left for a child
            os.close(read)
            os.close(write)
            return
        if pid == 0:
            _child(jobs, read, write)
        os.close(write)
        self._pid = pid
        # The results are taken from the pipe as the child sends them (reading lets go of
        # the interpreter lock), while this process does its own share.
        self._reader = threading.Thread(
            target=self._receive, args=(read,), name="batchaudit-apart", daemon=True
        )
        self._reader.start()

    def results(self, wait: float | None = None) -> list[bytes] | None:
        """Each job's text as UTF-8, in order, once the child is done; None where no child
        did them all (then do them here). A child not done within `wait` seconds (None: no
        bound) is stopped: one that hangs (a lock held forever) must not hang the run."""
        if self._pid is None or self._reader is None:
            return None
        self._reader.join(wait)
        if self._reader.is_alive():
            self.close()
            return None
        status = _ended(self._pid)
        self._pid = None
        received = self._received
        if status != 0 or received is None or len(received) != self._count:
            return None
        return received

    def close(self) -> None:
        """The child stopped, if it is still at work (the run failed or was interrupted)."""
        if self._pid is not None:
            os.kill(self._pid, signal.SIGKILL)  # an ended child is there until it is waited for
            _ended(self._pid)
            self._pid = None
        if self._reader is not None:
            self._reader.join()

    def _receive(self, read: int) -> None:
        with os.fdopen(read, "rb") as pipe:
            received: list[bytes] = []
            while len(received) < self._count:
                head = pipe.read(_LENGTH.size)
                if len(head) < _LENGTH.size:
                    return  # the child ended before sending every result
                (size,) = _LENGTH.unpack(head)
                text = pipe.read(size)
                if len(text) < size:
                    return
                received.append(text)
            self._received = received


def _ended(pid: int) -> int:
    """The child's exit status, once it has ended."""
    _, status = os.waitpid(pid, 0)
    return status


def _child(jobs: Sequence[Job], read: int, write: int) -> NoReturn:
    """Do the jobs, send their texts, and end, whatever happens (nothing is printed: an
    error only makes the exit status non-zero, and the parent does the jobs itself)."""
    status = 1
    try:
        os.close(read)
        # Streams of its own: a thread of the parent's (the terminal's spinner) may have held
        # the lock of standard error when the child was forked, and a warning would wait on it.
        with open(os.devnull, "w", encoding="utf-8") as nowhere, os.fdopen(write, "wb") as pipe:
            sys.stdout = sys.stderr = nowhere
            for job in jobs:
                _send(pipe, job())
        status = 0
    finally:
        os._exit(status)


def _send(pipe: BinaryIO, text: str | bytes) -> None:
    data = text if isinstance(text, bytes) else text.encode("utf-8")
    pipe.write(_LENGTH.pack(len(data)))
    pipe.write(data)
