"""`batchaudit run --dask`: the clients on a Dask cluster started by the tests on loopback
(and stopped by them), against the same run in this process (--jobs 1) and in a process pool
(--jobs 2): byte for byte the same reports; a worker killed mid-client; the scheduler gone."""

from __future__ import annotations

import json
import logging
import os
import shutil
import signal
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import suppress
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import distributed  # the dev extra installs the dask extra: these tests never skip
import pytest
from click.testing import CliRunner

from batchaudit.cli import cli
from batchaudit.month_to_month.config import ConfigError
from batchaudit.month_to_month.portfolio import running
from batchaudit.month_to_month.portfolio.clients import read_portfolio

CLIENTS = 12
WHEN = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
TIMEOUT = 60  # seconds: generous, for a loaded 2-core machine


def client_tables(count: int) -> str:
    return "".join(
        f'[[clients]]\nname = "Client {n}"\nexports = "clients/c{n}"\n\n'
        for n in range(1, count + 1)
    )


@pytest.fixture(scope="module")
def exports(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Twelve generated clients of 200 packages, and their config."""
    root = tmp_path_factory.mktemp("cluster")
    for number in range(1, CLIENTS + 1):
        result = CliRunner().invoke(
            cli, ["sample", str(root / "clients" / f"c{number}"), "--packages", "200",
                  "--seed", str(number)],
        )  # fmt: skip
        assert result.exit_code == 0, result.output
    (root / "batchaudit.toml").write_text(client_tables(CLIENTS))
    return root


@pytest.fixture(scope="module")
def scheduler() -> Iterator[str]:
    """A scheduler and 2 workers on loopback, as threads of this process (no process to
    spawn on a loaded machine); closed when the module's tests are done."""
    cluster = distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=False, protocol="tcp", host="127.0.0.1",
        dashboard_address=":0", silence_logs=logging.ERROR,
    )  # fmt: skip
    try:
        yield cluster.scheduler_address
    finally:
        cluster.close(timeout=TIMEOUT)


def run(root: Path, monkeypatch: pytest.MonkeyPatch, *options: str) -> Any:
    """`batchaudit run` from the portfolio's folder, at the fixed time WHEN."""
    monkeypatch.chdir(root)
    monkeypatch.setattr(running, "now", lambda: WHEN)
    return CliRunner().invoke(cli, ["run", "batchaudit.toml", *options])


def files(folder: Path) -> dict[str, bytes]:
    """Every file under `folder` by its path there; portfolio.json without its run times."""
    found = {}
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            data = path.read_bytes()
            if path.name == "portfolio.json":
                document = json.loads(data)
                for client in document["clients"]:
                    client.pop("seconds")
                data = json.dumps(document, indent=2).encode()
            found[path.relative_to(folder).as_posix()] = data
    return found


def test_the_three_executors_write_the_same_reports_byte_for_byte(
    exports: Path, scheduler: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    written = {}
    for name, options in (
        ("in this process", ["--jobs", "1"]),
        ("process pool", ["--jobs", "2"]),
        ("dask", ["--dask", scheduler]),
        ("a cluster started by the command", ["--dask", "local:2"]),
    ):
        result = run(exports, monkeypatch, *options)
        assert result.exit_code == 1, (name, result.output)
        assert result.output.splitlines()[-1].startswith("12 of 12 clients audited;")
        written[name] = files(exports / "reports")
        shutil.rmtree(exports / "reports")  # each run a first run
    alone = written.pop("in this process")
    assert len(alone) == 2 + CLIENTS * (
        2 + 2 * 6
    )  # index, json; per client history, index, run, latest
    for name, other in written.items():
        assert other.keys() == alone.keys(), name
        different = [path for path in alone if alone[path] != other[path]]
        assert different == [], name


class KillOn(distributed.WorkerPlugin):  # type: ignore[misc]
    """Kills the worker auditing a client named here, a moment after it began: `once` only
    the first time (a marker file says it was done), `always` every time."""

    def __init__(self, marker: str, once: int, always: int) -> None:
        self.marker, self.once, self.always = marker, once, always

    def setup(self, worker: Any) -> None:
        self.worker = worker

    def transition(self, key: Any, start: str, finish: str, **kwargs: Any) -> None:
        if finish != "executing":
            return
        if str(key).startswith(f"batchaudit-client-{self.always}-"):
            threading.Timer(0.3, os.kill, (os.getpid(), signal.SIGKILL)).start()
        if str(key).startswith(f"batchaudit-client-{self.once}-") and not os.path.exists(
            self.marker
        ):
            Path(self.marker).touch()
            threading.Timer(0.3, os.kill, (os.getpid(), signal.SIGKILL)).start()


def test_a_worker_killed_mid_client_fails_that_client_only(
    exports: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Worker processes: client 5's worker is killed once (it is tried again, and audited),
    client 9's every time (it is marked, with its sentence); the other ten are audited."""
    import dask

    from batchaudit.month_to_month.portfolio import cluster

    with dask.config.set(cluster.ONE_TRY):
        workers = distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
            dashboard_address=":0", silence_logs=logging.CRITICAL,
        )  # fmt: skip
    try:
        with distributed.Client(workers, timeout=TIMEOUT) as client:  # the plugin stays
            client.register_plugin(KillOn(str(tmp_path / "killed"), once=5, always=9))
        result = run(exports, monkeypatch, "--dask", workers.scheduler_address)
    finally:
        workers.close(timeout=TIMEOUT)
    assert result.exit_code == 2, result.output
    lines = result.output.splitlines()
    assert lines[-1].startswith("11 of 12 clients audited, 1 could not be;")
    assert lines[8].startswith("Client 9   FAILED: its audit process stopped before it "
                               "finished, on two workers of the cluster")  # fmt: skip
    assert "FAILED" not in lines[4]  # client 5: killed once, audited on another
    data = json.loads((exports / "reports" / "portfolio.json").read_text())
    assert [client["status"] for client in data["clients"]] == [1] * 8 + [2] + [1] * 3
    assert (tmp_path / "killed").exists()
    shutil.rmtree(exports / "reports")


def test_the_scheduler_going_away_stops_the_run_in_one_sentence(
    exports: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cluster = distributed.LocalCluster(
        n_workers=1, threads_per_worker=1, processes=False, protocol="tcp", host="127.0.0.1",
        dashboard_address=":0", silence_logs=logging.CRITICAL,
    )  # fmt: skip
    first = exports / "reports" / "client-1" / "latest" / "report.html"

    def stop_after_the_first_client() -> None:
        deadline = time.monotonic() + TIMEOUT
        while not first.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        cluster.sync(cluster.scheduler.close)

    stopper = threading.Thread(target=stop_after_the_first_client, daemon=True)
    stopper.start()
    try:
        result = run(exports, monkeypatch, "--dask", cluster.scheduler_address)
    finally:
        stopper.join(TIMEOUT)
        for worker in list(cluster.workers.values()):
            cluster.sync(worker.close, timeout=TIMEOUT)
        with suppress(TimeoutError):  # its scheduler is gone: nothing to wait for
            cluster.close(timeout=1)
    assert result.exit_code == 2, result.output
    sentence = result.output.strip().splitlines()
    assert len(sentence) == 1
    assert f"The Dask scheduler at {cluster.scheduler_address} went away after " in sentence[0]
    assert "their report folders are whole, the portfolio's index was not written" in sentence[0]
    assert first.is_file()
    assert not (exports / "reports" / "index.html").exists()
    shutil.rmtree(exports / "reports")


def test_without_dask_installed_one_sentence_says_what_to_install(
    exports: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "distributed", None)  # import distributed fails
    result = run(exports, monkeypatch, "--dask", "local:2")
    assert result.exit_code == 2
    assert result.output.strip() == (
        "batchaudit: --dask needs Dask, which is not installed here: install batchaudit's dask "
        "extra (pip install 'batchaudit[dask]')."
    )
    assert not (exports / "reports").exists()


@pytest.mark.parametrize(
    ("options", "sentence"),
    [
        (["--jobs", "2", "--dask", "local:2"], "give --jobs or --dask, not both"),
        (["--dask", "scheduler"], "--dask 'scheduler' must be a Dask scheduler's address"),
        (["--dask", "tcp://127.0.0.1:9"], "No Dask scheduler answered at tcp://127.0.0.1:9"),
    ],
)
def test_a_cluster_that_cannot_be_used_is_one_sentence(
    exports: Path, monkeypatch: pytest.MonkeyPatch, options: list[str], sentence: str
) -> None:
    from batchaudit.month_to_month.portfolio import cluster

    monkeypatch.setattr(cluster, "CONNECT_SECONDS", 2)
    result = run(exports, monkeypatch, *options)
    assert result.exit_code == 2
    assert sentence in result.output and len(result.output.strip().splitlines()) == 1
    assert not (exports / "reports" / "client-1").exists()


def test_the_config_names_the_cluster(tmp_path: Path) -> None:
    config = tmp_path / "batchaudit.toml"
    config.write_text('[portfolio]\ndask = "tcp://10.0.0.5:8786"\n' + client_tables(1))
    assert read_portfolio(config).dask == "tcp://10.0.0.5:8786"
    config.write_text('[portfolio]\ndask = "local"\n' + client_tables(1))
    with pytest.raises(ConfigError, match=r"portfolio.dask: must be a Dask scheduler's address"):
        read_portfolio(config)


def test_ctrl_c_in_this_process_lets_the_client_begun_finish() -> None:
    """--jobs 1: Ctrl-C during a client's audit stops the run after that client, whole."""
    from batchaudit.month_to_month.portfolio.client_run import Outcome
    from batchaudit.month_to_month.portfolio.clients import Client
    from batchaudit.month_to_month.portfolio.executors import in_process

    clients = [Client(n, f"C{n}", "", (), Path(f"c{n}"), {}) for n in (1, 2, 3)]
    audited: list[str] = []

    def task(client: Client) -> Outcome:
        if client.number == 1:
            os.kill(os.getpid(), signal.SIGINT)  # Ctrl-C, mid-client
            time.sleep(0.05)
        audited.append(client.name)
        return Outcome(client.name, "", client.out_dir, 0)

    finished = []
    with pytest.raises(KeyboardInterrupt):
        for client, _ in in_process(clients, task):
            finished.append(client.name)
    assert audited == finished == ["C1"]


def test_progress_on_a_cluster_says_where_the_clients_are_done() -> None:
    from batchaudit.month_to_month.portfolio.client_run import Outcome
    from batchaudit.month_to_month.portfolio.summary import progress_text

    last = Outcome("Client 3", "", Path("c3"), 1)
    assert progress_text(3, 12, last, " on the cluster tcp://10.0.0.5:8786") == (
        "audited 3 of 12 clients on the cluster tcp://10.0.0.5:8786 (last: Client 3)"
    )
