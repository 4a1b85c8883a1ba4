"""How `batchaudit run` hands its clients out: one after another in this process
(`--jobs 1`) or to a pool of worker processes (`--jobs N`); cluster.py hands them to a Dask
cluster (`--dask`). Each yields (client, outcome) as clients finish; the orchestration (what is
done with each outcome, the index) is the same whatever runs them.

Ctrl-C is the same on each: no new client is begun, those begun finish whole, then the
interrupt goes on to the command."""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from multiprocessing import get_context
from types import FrameType

from batchaudit.month_to_month.portfolio.client_run import Outcome, failed
from batchaudit.month_to_month.portfolio.clients import Client

Task = Callable[[Client], Outcome]
Finished = Iterator[tuple[Client, Outcome]]


def in_process(clients: Sequence[Client], task: Task) -> Finished:
    """One client after another in this process; Ctrl-C waits for the client begun."""
    interrupted: list[int] = []
    in_charge = threading.current_thread() is threading.main_thread()

    def later(signum: int, frame: FrameType | None) -> None:
        interrupted.append(signum)

    previous = signal.signal(signal.SIGINT, later) if in_charge else None
    try:
        for client in clients:
            if interrupted:
                raise KeyboardInterrupt
            yield client, task(client)
        if interrupted:
            raise KeyboardInterrupt
    finally:
        if in_charge:
            signal.signal(
                signal.SIGINT, previous if previous is not None else signal.default_int_handler
            )


def process_pool(clients: Sequence[Client], task: Task, jobs: int) -> Finished:
    """At most `jobs` clients at once, each in a worker process started fresh ("spawn"), not
    forked from a process that may be running a progress thread. A worker that dies (out of
    memory, killed) fails the clients it had not finished; the others go on."""
    workers = max(1, min(jobs, len(clients)))
    context = get_context("spawn")
    with ProcessPoolExecutor(workers, mp_context=context, initializer=calm) as pool:
        futures: dict[Future[Outcome], Client] = {
            pool.submit(task, client): client for client in clients
        }
        try:
            for future in as_completed(futures):
                client = futures[future]
                yield client, _outcome(future, client)
        except KeyboardInterrupt:  # Ctrl-C: no new client; those begun finish whole
            pool.shutdown(wait=True, cancel_futures=True)
            raise


def calm() -> None:
    """A worker leaves Ctrl-C to the command, which stops handing out clients."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _outcome(future: Future[Outcome], client: Client) -> Outcome:
    try:
        return future.result()
    except Exception as error:  # BrokenProcessPool: its worker died
        why = str(error) or type(error).__name__
        return failed(client, f"its audit process stopped before it finished ({why}); run "
                      "again, with --jobs 1 if the machine ran out of memory.")  # fmt: skip
