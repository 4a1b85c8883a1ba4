"""Rules shared with a child process (support/apart.py `shared`): the same findings and
coverage as every rule run here, and every job done here after all whenever the child does
not send it whole (an error, a crash, a hang, a result it cannot hand over, no fork)."""

from __future__ import annotations

import dataclasses
import os
import pickle
import signal
import sys
import time
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

import pytest

from batchaudit import engine
from batchaudit.engine import Audit, audit
from batchaudit.ingest.load import load
from batchaudit.model.evidence import JsonEvidence
from batchaudit.model.finding_columns import as_bytes, from_bytes
from batchaudit.model.findings import Finding, Severity, Source
from batchaudit.model.packs import load_pack
from batchaudit.report import csv_report, json_report
from batchaudit.rules.base import REGISTRY, Rule
from batchaudit.support import apart
from batchaudit.support.apart import Apart, shared
from conftest import SAMPLE_DATA

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="forks only on Linux")


@pytest.fixture(autouse=True)
def two_processors(monkeypatch: pytest.MonkeyPatch) -> None:
    """A child is made on any Linux machine the tests run on, one processor or more."""
    monkeypatch.setattr(apart, "workers", lambda: 2)


def as_text(result: str) -> Iterator[bytes]:
    """A result sent in pieces: each character apart."""
    yield from (character.encode() for character in result)


def from_text(pieces: Iterator[bytes]) -> str:
    return b"".join(pieces).decode()


def slow(number: int) -> Callable[[], str]:
    """A job slow enough for the child to take some: its number and the process it ran in."""

    def job() -> str:
        time.sleep(0.05)
        return f"{number} in {os.getpid()}"

    return job


def test_jobs_are_shared_with_a_child_and_come_back_in_order() -> None:
    results = shared([slow(number) for number in range(12)], as_text, from_text)
    assert [result.split(" in ")[0] for result in results] == [str(n) for n in range(12)]
    processes = {result.split(" in ")[1] for result in results}
    assert str(os.getpid()) in processes
    assert len(processes) == 2  # some were the child's


def misbehaving_apart(misbehave: Callable[[], object], number: int) -> Callable[[], str]:
    """A job that misbehaves in a child only, and gives its number in this process."""
    parent = os.getpid()

    def job() -> str:
        time.sleep(0.05)
        if os.getpid() != parent:
            misbehave()
        return str(number)

    return job


def a_rules_bug() -> None:
    raise RuntimeError("a rule's bug, met in the child")


@pytest.mark.parametrize(
    "misbehave",
    [a_rules_bug, lambda: os.kill(os.getpid(), signal.SIGKILL), lambda: os._exit(0)],
    ids=["raises", "is killed", "ends at once"],
)
def test_what_the_child_did_not_send_is_done_here(misbehave: Callable[[], object]) -> None:
    jobs = [misbehaving_apart(misbehave, number) for number in range(6)]
    assert shared(jobs, as_text, from_text) == [str(number) for number in range(6)]


def test_a_child_that_hangs_is_stopped_and_its_job_done_here(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(apart, "_GRACE", 1.0)
    pids: list[int] = []
    real_fork = os.fork

    def fork() -> int:
        pid = real_fork()
        if pid:
            pids.append(pid)
        return pid

    monkeypatch.setattr(apart.os, "fork", fork)
    jobs = [misbehaving_apart(lambda: time.sleep(3600), number) for number in range(4)]
    started = time.monotonic()
    assert shared(jobs, as_text, from_text) == ["0", "1", "2", "3"]
    assert time.monotonic() - started < 30
    assert len(pids) == 1
    with pytest.raises(ChildProcessError):  # stopped and waited for: no zombie left
        os.waitpid(pids[0], os.WNOHANG)


def test_a_result_that_cannot_be_read_here_is_done_here() -> None:
    parent = os.getpid()

    def sent(result: str) -> Iterator[bytes]:
        yield b"\xff" if os.getpid() != parent else result.encode()  # not UTF-8

    jobs = [slow(number) for number in range(8)]
    results = shared(jobs, sent, from_text)
    assert [result.split(" in ")[0] for result in results] == [str(n) for n in range(8)]
    assert {result.split(" in ")[1] for result in results} == {str(parent)}


def test_an_error_is_raised_here_as_without_a_child() -> None:
    def broken() -> str:
        raise ValueError("a rule's bug")

    with pytest.raises(ValueError, match="a rule's bug"):
        shared([slow(0), broken, slow(2), broken], as_text, from_text)


def test_one_job_or_no_fork_is_done_here(monkeypatch: pytest.MonkeyPatch) -> None:
    here = str(os.getpid())
    assert shared([slow(0)], as_text, from_text) == [f"0 in {here}"]
    monkeypatch.setattr(apart, "workers", lambda: 1)
    results = shared([slow(number) for number in range(4)], as_text, from_text)
    assert [result.split(" in ")[1] for result in results] == [here] * 4


def test_the_audit_shared_is_the_audit_made_here(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every rule run here (no fork), against the rules shared with a child: the same
    findings (every field, in order) and the same coverage, each rule's positions too."""
    tables, pack = load(detected=[SAMPLE_DATA]), load_pack("oregon")
    sent: list[int] = []
    as_sent = engine._as_sent
    monkeypatch.setattr(engine, "_as_sent", lambda checked: (sent.append(1), as_sent(checked))[1])
    together = audit(tables, pack).result
    monkeypatch.setattr(apart, "workers", lambda: 1)
    here = audit(tables, pack).result
    assert together.findings == here.findings
    # The child's evidence, taken in as the JSON it sent, is written as the dicts are.
    assert any(isinstance(f.evidence, JsonEvidence) for f in together.findings)
    assert json_report.render(together) == json_report.render(here)
    assert csv_report.render(together) == csv_report.render(here)
    assert together.coverage == here.coverage
    assert [c.unchecked for c in together.coverage] == [c.unchecked for c in here.coverage]
    assert not sent  # this process sent nothing: what was sent, the child sent


def test_the_child_made_some_of_the_audits_findings(monkeypatch: pytest.MonkeyPatch) -> None:
    parent = os.getpid()
    checked = engine._checked

    def marked(*args: object) -> object:
        covered, found = checked(*args)  # type: ignore[arg-type]
        where = "here" if os.getpid() == parent else "child"
        return covered, [dataclasses.replace(f, remedy=where) for f in found]

    monkeypatch.setattr(engine, "_checked", marked)
    made: Audit = audit(load(detected=[SAMPLE_DATA]), load_pack("oregon"))
    assert {f.remedy for f in made.result.findings if f.rule[:2] != "DQ"} == {"here", "child"}


def findings_of_every_kind() -> list[Finding]:
    return [
        Finding("PB001", "a", Severity.ERROR, "1A4", "m", {"sources": [{"tag": "x"}]}, "r",
                Source("p.csv", 3), "f1"),
        Finding("LN001", "b", Severity.NOTE, None, "n", {}, None, None, ""),
        Finding("DQ002", "c", Severity.WARNING, "", "o", {"value": 1.5, "ok": True}, None,
                Source("p.xlsx", 7, "Tag", "Sheet1"), "f3"),
    ]  # fmt: skip


def test_findings_as_columns_read_back_equal() -> None:
    findings = findings_of_every_kind()
    data = as_bytes(findings)
    assert data[:1] == b"c"  # plain values: written by marshal
    back = from_bytes(data)
    assert back == findings
    assert [type(f.severity) for f in back] == [Severity] * 3
    assert from_bytes(as_bytes([])) == []
    said = back[0].evidence
    assert isinstance(said, JsonEvidence)  # kept as sent, decoded when read
    assert said["sources"][0]["tag"] == "x"
    assert pickle.loads(pickle.dumps(said)) == findings[0].evidence
    assert from_bytes(as_bytes(back)) == findings  # handed over again as it is
    # A rule's findings repeat their words: sent compressed, a fraction of their text.
    many = findings * 1000
    assert from_bytes(as_bytes(many)) == many
    assert len(as_bytes(many)) < sum(len(f.message) + len(f.fingerprint) for f in many)


def test_findings_with_values_marshal_cannot_write_are_pickled() -> None:
    odd = [
        # JSON would give a date back as text: the findings are pickled.
        dataclasses.replace(findings_of_every_kind()[0], evidence={"on": date(2026, 1, 2)}),
        dataclasses.replace(findings_of_every_kind()[1], baseline="new"),
    ]
    for finding in odd:
        data = as_bytes([finding])
        assert data[:1] == b"p"
        assert from_bytes(data) == [finding]


def test_a_child_never_comes_back_into_the_code_that_forked_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Even where `os._exit` is replaced (as a test of the command line replaces it), a
    child ends: come back here, it would go on as a second copy of the run."""
    real_exit, parent = os._exit, os.getpid()

    def replaced(status: int) -> None:
        raise AssertionError(f"os._exit({status}) replaced")

    monkeypatch.setattr(os, "_exit", replaced)
    try:
        results = shared([slow(number) for number in range(6)], as_text, from_text)
        reports = Apart([lambda: "rendered"]).results()
    finally:
        if os.getpid() != parent:  # a child came back: say so, and end it
            (tmp_path / f"came back {os.getpid()}").write_text("")
            real_exit(0)
    assert [result.split(" in ")[0] for result in results] == [str(n) for n in range(6)]
    assert reports == [b"rendered"]
    assert list(tmp_path.iterdir()) == []


def test_the_child_never_waits_for_its_results_to_be_decoded() -> None:
    """The pipe is emptied as the child fills it (apart._Results): a child sending three
    results larger than a pipe holds is done sending long before this process has decoded
    them, and every one is decoded."""
    read, write = os.pipe()

    def slow_decode(pieces: Iterator[bytes]) -> int:
        time.sleep(0.4)
        return sum(len(piece) for piece in pieces)

    results = apart._Results(read, slow_decode)
    started = time.monotonic()
    with os.fdopen(write, "wb") as pipe:
        for number in range(3):
            pipe.write(bytes([number]))
            apart._send(pipe, bytes(4 << 20))
            pipe.write(apart._LENGTH.pack(apart._END))
    sent = time.monotonic() - started
    assert sent < 0.4  # not one result's decoding
    assert results.wait(10) == {0: 4 << 20, 1: 4 << 20, 2: 4 << 20}


def test_the_costliest_rules_are_taken_first(monkeypatch: pytest.MonkeyPatch) -> None:
    """The last rule taken is a light one: the other process does not wait long for it."""
    taken: list[str] = []
    checked = engine._checked

    def noted(rule: type[Rule], *args: object) -> object:
        taken.append(rule.code)
        return checked(rule, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(engine, "_checked", noted)
    audit(load(detected=[SAMPLE_DATA]), load_pack("oregon"), apart=False)
    assert taken[:3] == ["PB001", "LT001", "PB002"]
    costs = [REGISTRY[code].cost for code in taken]  # type: ignore[attr-defined]
    assert costs == sorted(costs, reverse=True)
