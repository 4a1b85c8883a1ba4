"""`batchaudit run --dask ADDRESS`: each client an independent task on a Dask cluster, an
existing one (`tcp://host:8786`) or one started here (`local:N`, N worker processes).

Dask is the task runner only: each client is still audited whole, with pandas and pandera,
by one worker (a partitioned frame would check `unique` per partition, and the checks keep
parsed columns that partitions would lose). A worker that dies while auditing a client (out
of memory, killed) fails that client only: it is tried once more on another worker, then
marked with its sentence. The scheduler going away stops the run with one sentence; the
clients finished by then keep their report folders, written whole as always.

Needs the `dask` extra (`batchaudit[dask]`: dask and distributed of one version)."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from typing import TYPE_CHECKING, Any

from batchaudit.month_to_month.portfolio.client_run import Outcome, failed
from batchaudit.month_to_month.portfolio.clients import LOCAL_CLUSTER, Client
from batchaudit.month_to_month.portfolio.executors import Finished, Task, calm

if TYPE_CHECKING:
    import distributed

CONNECT_SECONDS = 10
# A cluster started here: a worker that dies fails its task at once (the run tries it again
# itself), and a worker holds only the client it is auditing, so that its death takes no
# other client with it.
ONE_TRY = {
    "distributed.scheduler.allowed-failures": 0,
    "distributed.scheduler.worker-saturation": 1.0,
}
INSTALL = (
    "--dask needs Dask, which is not installed here: install batchaudit's dask extra "
    "(pip install 'batchaudit[dask]')."
)


class ClusterError(Exception):
    """The cluster cannot be used, or went away during the run: one sentence."""


def check_installed() -> None:
    """ClusterError with what to install when Dask cannot be imported."""
    try:
        import dask  # noqa: F401
        import distributed  # noqa: F401
    except ImportError as error:
        raise ClusterError(INSTALL) from error


def on_cluster(address: str, clients: Sequence[Client], task: Task) -> Finished:
    """Each client with its outcome, as the cluster finishes them."""
    check_installed()
    with _quiet(), _connected(address) as client:
        yield from _handed_out(client, address, clients, task)


def _handed_out(
    client: distributed.Client, address: str, clients: Sequence[Client], task: Task
) -> Finished:
    from concurrent.futures import CancelledError

    from distributed import as_completed
    from distributed.scheduler import KilledWorker

    run = uuid.uuid4().hex  # keys of this run alone, on a cluster others may share
    futures = {client.submit(task, each, key=_key(each, run)): each for each in clients}
    tried_again: set[int] = set()
    finished = 0
    try:
        # Each result is fetched as soon as it is done: held by a worker that then dies, it
        # would be lost, and the scheduler would audit the client again.
        done = as_completed(futures, with_results=True, raise_errors=False)
        for future, returned in done:
            each = futures.pop(future)
            # A task that raised gives (type, exception, traceback).
            result = returned[1] if isinstance(returned, tuple) else returned
            if isinstance(result, Outcome):
                finished += 1
                yield each, result
            elif isinstance(result, CancelledError):  # the scheduler went away
                raise ClusterError(_gone(address, finished, len(clients)))
            elif isinstance(result, KilledWorker) and each.number not in tried_again:
                tried_again.add(each.number)  # its worker died: once more, on another
                again = client.submit(task, each, key=_key(each, f"again-{run}"))
                futures[again] = each
                done.add(again)
            else:
                finished += 1
                yield each, failed(each, _failure(result))
    except KeyboardInterrupt:
        _finish_begun(client, futures)
        raise


def _key(client: Client, run: str) -> str:
    """The client's task as the cluster's dashboard and logs name it."""
    return f"batchaudit-client-{client.number}-{run}"


def _failure(error: BaseException | None) -> str:
    from distributed.scheduler import KilledWorker

    if isinstance(error, KilledWorker):
        return ("its audit process stopped before it finished, on two workers of the cluster "
                "(out of memory, or killed); run again, on workers with more memory if they "
                "ran out.")  # fmt: skip
    why = f"{type(error).__name__}: {error}" if error else "no reason given"
    return f"its audit on the cluster stopped ({why})."


def _gone(address: str, finished: int, total: int) -> str:
    return (
        f"The Dask scheduler at {address} went away after {finished} of {total} clients were "
        "audited; their report folders are whole, the portfolio's index was not written; run "
        "again once the scheduler is back."
    )


def _finish_begun(client: distributed.Client, futures: dict[Any, Client]) -> None:
    """Ctrl-C: the clients not begun are called off; those a worker is auditing finish."""
    from distributed import wait

    begun = set().union(*client.run(_executing).values())
    waiting = [future for future in futures if not future.done() and future.key not in begun]
    client.cancel(waiting)
    wait([future for future in futures if future.key in begun])


def _executing(dask_worker: Any) -> set[Any]:
    return {key for key, state in dask_worker.state.tasks.items() if state.state == "executing"}


@contextmanager
def _connected(address: str) -> Iterator[distributed.Client]:
    """A client of the scheduler at `address`, or of a local cluster started for the run and
    stopped after it."""
    import dask
    import distributed

    local = LOCAL_CLUSTER.fullmatch(address)
    cluster: distributed.LocalCluster | None = None
    try:
        if local:
            with dask.config.set(ONE_TRY):
                cluster = distributed.LocalCluster(
                    n_workers=int(local[1]), threads_per_worker=1, processes=True,
                    dashboard_address=":0", silence_logs=logging.ERROR,
                )  # fmt: skip
            client = distributed.Client(cluster)
            client.run(calm)  # Ctrl-C reaches the workers too: the command decides
        else:
            client = distributed.Client(address, timeout=CONNECT_SECONDS)
    except (OSError, TimeoutError) as error:
        _closed(None, cluster)
        raise ClusterError(
            f"No Dask scheduler answered at {address} within {CONNECT_SECONDS} s ({error}); "
            "start one (dask scheduler, then dask worker ADDRESS) or check the address."
        ) from error
    try:
        yield client
    finally:
        _closed(client, cluster)


def _closed(client: distributed.Client | None, cluster: distributed.LocalCluster | None) -> None:
    """Close what was opened; a scheduler already gone is no error of closing."""
    for opened in (client, cluster):
        if opened is not None:
            with suppress(Exception):
                opened.close(timeout=5)


@contextmanager
def _quiet() -> Iterator[None]:
    """Dask's own log lines (a worker restarted, a connection lost) stay off standard error:
    the run says what they mean in its own sentences."""
    logger = logging.getLogger("distributed")
    level = logger.level
    logger.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        logger.setLevel(level)
