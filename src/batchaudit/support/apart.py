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

`shared` splits jobs between this process and a child as they go: each takes the next job
left, so neither waits long for the other whatever the jobs cost (the rules: their cost
follows the findings each makes, which nothing knows before).
"""

from __future__ import annotations

import contextlib
import functools
import os
import queue
import signal
import struct
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import BinaryIO, Generic, NoReturn, TypeVar

from batchaudit.support.side_by_side import workers

Job = Callable[[], str | bytes]
T = TypeVar("T")
# How a child ends, taken when this module is imported: a child must never return into the
# code that forked it (it would go on as a second copy of the run), even where `os._exit`
# has since been replaced (a test that checks an audit does not end its process).
_END_CHILD = os._exit
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
    """Do the jobs, send their texts, and end (`_as_child`)."""
    _as_child(read, write, functools.partial(_send_each, jobs))


def _as_child(read: int, write: int, work: Callable[[BinaryIO], object]) -> NoReturn:
    """In a forked child: `work` with the pipe to the parent, then end, whatever happens
    (nothing is printed: an error only makes the exit status non-zero, and the parent does
    itself what the child did not send whole)."""
    status = 1
    try:
        os.close(read)
        # Streams of its own: a thread of the parent's (the terminal's spinner) may have held
        # the lock of standard error when the child was forked, and a warning would wait on it.
        with open(os.devnull, "w", encoding="utf-8") as nowhere, os.fdopen(write, "wb") as pipe:
            sys.stdout = sys.stderr = nowhere
            work(pipe)
        status = 0
    finally:
        _END_CHILD(status)


def _send_each(jobs: Sequence[Job], pipe: BinaryIO) -> None:
    for job in jobs:
        _send(pipe, job())


def _send(pipe: BinaryIO, text: str | bytes) -> None:
    data = text if isinstance(text, bytes) else text.encode("utf-8")
    pipe.write(_LENGTH.pack(len(data)))
    pipe.write(data)


# A child still at work once this process has no job left to take is given `_GRACE` seconds
# and `_SLACK` times the longest job done here before it is taken to hang (and its jobs are
# done here).
_GRACE, _SLACK = 30.0, 4.0
# Jobs are offered as one byte each, their numbers: more than this are all done here.
MOST_SHARED = 256
# A sharing child's results come through a pipe this large where Linux allows (a rule's
# findings are 100 MB at 10^6 packages: 100 MB took 0.19-0.45 s through the default 64 kB,
# 0.15 s through 1 MB).
_PIPE_SIZE = 1 << 20
_F_SETPIPE_SZ = 1031


def shared(
    jobs: Sequence[Callable[[], T]],
    encode: Callable[[T], Iterable[bytes]],
    decode: Callable[[Iterator[bytes]], T],
) -> list[T]:
    """Each job's result, in order, the jobs shared with a child process (where one can be
    forked): both take the next job not yet taken, in order, from a pipe holding the jobs'
    numbers (a byte each, read one at a time: no job is taken twice). The child sends each
    result as the pieces `encode` makes, one by one as they are made, and `decode` reads
    them here as they come, so a large result is made, sent and read at once, not one
    after the other. A job the child took and did not send whole (it failed, was killed,
    or hung) is done here: the child saves time, it is never the only way to a result, and
    an error is raised here as if no child were."""
    if not 1 < len(jobs) <= MOST_SHARED or not can_fork():
        return [job() for job in jobs]
    try:
        taken, offered = os.pipe()
    except OSError:  # no file descriptor left
        return [job() for job in jobs]
    os.write(offered, bytes(range(len(jobs))))  # far below a pipe's buffer
    os.close(offered)  # once every number is read, a read gives nothing: no job is left
    try:
        return _shared(jobs, encode, decode, taken)
    finally:
        os.close(taken)


def _shared(
    jobs: Sequence[Callable[[], T]],
    encode: Callable[[T], Iterable[bytes]],
    decode: Callable[[Iterator[bytes]], T],
    taken: int,
) -> list[T]:
    try:
        read, write = os.pipe()
    except OSError:
        return [job() for job in jobs]
    import fcntl  # Unix only: here, where a child can be forked

    with contextlib.suppress(OSError):  # a smaller limit (fs.pipe-max-size): the default does
        fcntl.fcntl(write, _F_SETPIPE_SZ, _PIPE_SIZE)
    try:
        pid = os.fork()
    except OSError:  # no memory or process left for a child: every job is done here
        os.close(read)
        os.close(write)
        return [job() for job in jobs]
    if pid == 0:
        _sharing_child(jobs, encode, taken, read, write)
    os.close(write)
    theirs: _Results[T] = _Results(read, decode)
    done: dict[int, T] = {}
    longest = 0.0
    try:
        while (number := _next_job(taken)) is not None:
            started = time.monotonic()
            done[number] = jobs[number]()
            longest = max(longest, time.monotonic() - started)
        received = theirs.wait(_GRACE + _SLACK * longest)
    finally:
        if theirs.reader.is_alive():  # an error here, or a child that hangs
            os.kill(pid, signal.SIGKILL)
            theirs.reader.join()
        theirs.stop()  # the decoding thread ends, where an error here kept `wait` from it
        _ended(pid)
    for number, job in enumerate(jobs):
        if number not in done:
            done[number] = received[number] if number in received else job()
    return [done[number] for number in range(len(jobs))]


def _next_job(taken: int) -> int | None:
    """The number of the next job not yet taken, taking it; None when none is left."""
    number = os.read(taken, 1)
    return number[0] if number else None


# A result is sent as its job's number (a byte), then each piece as its length (`_LENGTH`)
# and bytes, then `_END` in place of a length.
_END = (1 << 64) - 1


class _Broken(Exception):
    """The child ended while sending a result."""


class _Results(Generic[T]):
    """The results a sharing child sends: read as they come by one thread, which holds the
    interpreter lock only between reads, so the pipe is emptied as the child fills it; and
    decoded by another, in the time this process's own rules leave. Read and decoded by one
    thread, the child waited on each piece's decoding, which waited on this process's rules
    for the lock: 0.5 s for a rule's 45,000 findings at 10^6 packages."""

    def __init__(self, read: int, decode: Callable[[Iterator[bytes]], T]) -> None:
        self.received: dict[int, T] = {}
        self._decode = decode
        self._read: queue.SimpleQueue[tuple[int, list[bytes]] | None] = queue.SimpleQueue()
        self.reader = threading.Thread(
            target=self._receive, args=(read,), name="batchaudit-shared", daemon=True
        )
        self._decoder = threading.Thread(
            target=self._decode_each, name="batchaudit-decoding", daemon=True
        )
        self.reader.start()
        self._decoder.start()

    def wait(self, seconds: float) -> dict[int, T]:
        """The results received once the child is done, or within `seconds`."""
        self.reader.join(seconds)
        self.stop()
        self._decoder.join()
        return dict(self.received)

    def stop(self) -> None:
        """Decode what was read, and nothing read after."""
        self._read.put(None)

    def _receive(self, read: int) -> None:
        with os.fdopen(read, "rb") as pipe:
            try:
                while number := pipe.read(1):
                    self._read.put((number[0], list(_pieces(pipe))))
            except _Broken:
                return  # the child ended while sending: what it did not send is done here

    def _decode_each(self) -> None:
        while (read := self._read.get()) is not None:
            number, pieces = read
            with contextlib.suppress(Exception):  # not decoded: its job is done here
                self.received[number] = self._decode(iter(pieces))


def _pieces(pipe: BinaryIO) -> Iterator[bytes]:
    """The pieces of one result, as they are read; `_Broken` where the child ended first."""
    while True:
        head = pipe.read(_LENGTH.size)
        if len(head) < _LENGTH.size:
            raise _Broken
        (size,) = _LENGTH.unpack(head)
        if size == _END:
            return
        piece = pipe.read(size)
        if len(piece) < size:
            raise _Broken
        yield piece


def _sharing_child(
    jobs: Sequence[Callable[[], T]],
    encode: Callable[[T], Iterable[bytes]],
    taken: int,
    read: int,
    write: int,
) -> NoReturn:
    """Take jobs until none is left, sending each result's pieces as they are made, and end
    (`_as_child`: a job taken and not sent whole is done by the parent)."""
    _as_child(read, write, functools.partial(_share, jobs, encode, taken))


def _share(
    jobs: Sequence[Callable[[], T]],
    encode: Callable[[T], Iterable[bytes]],
    taken: int,
    pipe: BinaryIO,
) -> None:
    while (number := _next_job(taken)) is not None:
        pipe.write(bytes([number]))
        for piece in encode(jobs[number]()):
            _send(pipe, piece)
            pipe.flush()
        pipe.write(_LENGTH.pack(_END))
        pipe.flush()
