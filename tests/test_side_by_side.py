"""Work done side by side in threads (columns parsed and converted, the lab side of the
lineage beside the package side, rules beside rules) gives exactly what one thread at a time
gives."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from batchaudit.ingest.load import load
from batchaudit.support import side_by_side as threads
from helpers import file_findings, write

SAMPLE = Path(__file__).parent.parent / "sample_data"


@pytest.mark.parametrize("at_once", [1, 2, 4])
def test_results_come_back_by_key_whatever_the_threads(
    at_once: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(threads, "workers", lambda: at_once)
    jobs = ((name, lambda name=name: name.upper()) for name in ["tag", "category", "quantity"])
    assert threads.side_by_side(jobs) == {
        "tag": "TAG",
        "category": "CATEGORY",
        "quantity": "QUANTITY",
    }


def test_a_job_that_fails_fails_the_whole(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(threads, "workers", lambda: 2)

    def broken() -> str:
        raise ValueError("unreadable")

    with pytest.raises(ValueError, match="unreadable"):
        threads.side_by_side([("tag", lambda: "T1"), ("category", broken)])


def test_the_sample_reads_the_same_one_column_at_a_time_and_four(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    unreadable = write(
        tmp_path / "more-packages.csv",
        "Tag,Category,Packaged Date,Production Batch,Quantity\nT900,Buds,31/31/2026,maybe,lots\n",
    )
    monkeypatch.setattr(threads, "workers", lambda: 1)
    alone = load(detected=[SAMPLE, unreadable])
    monkeypatch.setattr(threads, "workers", lambda: 4)
    together = load(detected=[SAMPLE, unreadable])
    pd.testing.assert_frame_equal(alone.packages, together.packages)
    pd.testing.assert_frame_equal(alone.lab_results, together.lab_results)
    assert file_findings(alone) == file_findings(together)
    unreadable_cells = [finding for finding in file_findings(alone) if finding.rule == "DQ002"]
    assert len(unreadable_cells) == 3, "the unreadable date, flag and number are compared too"


@pytest.mark.parametrize("at_once", [1, 2])
def test_a_job_alongside_gives_its_result_to_the_block(
    at_once: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(threads, "workers", lambda: at_once)
    with threads.alongside(lambda: "lab side") as lab_side:
        package_side = "package side"
        assert (lab_side(), package_side) == ("lab side", "package side")


def test_the_sample_audits_the_same_in_one_thread_or_two(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from batchaudit.engine import audit
    from batchaudit.model.packs import load_pack

    pack = load_pack("oregon")
    monkeypatch.setattr(threads, "workers", lambda: 1)
    first = audit(load(detected=[SAMPLE]), pack)
    monkeypatch.setattr(threads, "workers", lambda: 2)
    two = audit(load(detected=[SAMPLE]), pack)
    assert first.result.findings == two.result.findings
    assert len(first.result.findings) > 30, "the sample's findings are what is compared"
    pd.testing.assert_frame_equal(first.lineage.packages, two.lineage.packages)
    pd.testing.assert_frame_equal(first.lineage.events, two.lineage.events)
