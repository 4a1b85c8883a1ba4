"""Results tabs: events counted once, inheritance stopping at production batches, cycles."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from batchaudit.engine import audit
from batchaudit.ingest.load import load
from batchaudit.lineage.build import _tested_packages
from batchaudit.lineage.lab_results import coded_rows
from batchaudit.model.packs import load_pack
from batchaudit.sample import write_sample
from helpers import audit_text, audited, tag, tags_of

LAB_HEADER = "package_id,tested_package,lab_test_result_id,test_type,test_passed"


def test_rows_repeated_under_inheriting_packages_count_once(tmp_path: Path) -> None:
    packages = "tag,package_id,category,source_package_tags,production_batch\nT1,1,Buds,,No\nT2,2,Buds,T1,No\n"
    rows = [f"{pid},T1,100,Test {n},true" for pid in (1, 2) for n in range(150)]
    result = audit_text(tmp_path, packages, "\n".join([LAB_HEADER, *rows]))
    assert result.summary.test_events == 1
    assert result.summary.lab_result_rows == 150
    assert tags_of(result, "LT001") == []


def test_more_than_max_rows_fires_lt001(tmp_path: Path) -> None:
    packages = 'tag,category,source_package_tags,production_batch\nT1,Buds,,No\nT2,Buds,,No\nT3,Buds,"T1,T2",No\n'
    rows = [f",T{lot},{lot},Test {n},true" for lot in (1, 2) for n in range(101)]
    result = audit_text(tmp_path, packages, "\n".join([LAB_HEADER, *rows]))
    (finding,) = [f for f in result.findings if f.rule == "LT001"]
    assert finding.package_tag == tag(3)
    assert finding.evidence["rows"] == 202 and finding.evidence["pages"] == 11
    tested = {t["tag"]: t["inherited_through"] for t in finding.evidence["tested_packages"]}
    assert tested == {tag(1): [tag(3), tag(1)], tag(2): [tag(3), tag(2)]}


def test_chain_evidence_follows_repackaging_steps(tmp_path: Path) -> None:
    packages = "\n".join(
        [
            "tag,category,source_package_tags,production_batch",
            *[f"T{n},Buds,,No" for n in range(1, 5)],
            'T5,Buds,"T1,T2,T3,T4",No',
            "T6,Buds,T5,No",
            "T7,Buds,T6,No",
        ]
    )
    lab = "\n".join([LAB_HEADER, *[f",T{n},{n},THC,true" for n in range(1, 5)]])
    result = audit_text(tmp_path, packages, lab)
    (deepest,) = [f for f in result.findings if f.rule == "LT001" and f.package_tag == tag(7)]
    chains = [t["inherited_through"] for t in deepest.evidence["tested_packages"]]
    assert [tag(7), tag(6), tag(5), tag(1)] in chains


def test_a_long_cycle_ends_and_every_member_is_reported(tmp_path: Path) -> None:
    size = 300
    rows = [f"T{n},Buds,T{n % size + 1},No" for n in range(1, size + 1)]
    packages = "\n".join(["tag,category,source_package_tags,production_batch", *rows])
    lab = "\n".join([LAB_HEADER, ",T1,1,THC,true"])
    result = audit_text(tmp_path, packages, lab)
    assert len(tags_of(result, "LN002")) == size
    assert result.summary.test_events == 1


def test_results_without_id_or_date_stay_separate_events(tmp_path: Path) -> None:
    packages = "tag,category,source_package_tags,production_batch\n" + "\n".join(
        [*[f"T{n},Buds,,No" for n in range(1, 5)], 'T5,Buds,"T1,T2,T3,T4",No']
    )
    lab = "tested_package,lab_license,test_type,test_passed\n" + "\n".join(
        f"T{n},L1,Pesticides,{'false' if n == 2 else 'true'}" for n in range(1, 5)
    )
    result = audit_text(tmp_path, packages, lab)
    assert result.summary.test_events == 4
    assert tags_of(result, "LT001") == [tag(5)]
    assert tags_of(result, "LT002") == [tag(5)]


def test_lab_results_without_a_tested_package_column_skip_the_tab_rules(tmp_path: Path) -> None:
    packages = (
        "tag,category,source_package_tags,production_batch,production_batch_number\nT1,Buds,,No,\n"
    )
    result = audit_text(
        tmp_path, packages, "lab_test_result_id,test_type,test_passed\n1,THC,true\n"
    )
    (missing,) = [f for f in result.findings if f.rule == "DQ001"]
    assert missing.source is not None and missing.source.column == "tested_package"
    assert {s.rule for s in result.skipped_rules} == {"LT001", "LT002"}


def test_a_blank_tested_package_is_resolved_by_id_without_a_finding(tmp_path: Path) -> None:
    packages = "tag,package_id,category,source_package_tags,production_batch\nT1,7,Buds,,No\n"
    lab = "package_id,tested_package,lab_test_result_id,test_type,test_passed\n7,,1,THC,true\n"
    result = audit_text(tmp_path, packages, lab)
    assert not [f for f in result.findings if f.rule == "DQ002"]
    assert result.summary.test_events == 1


def test_a_header_only_lab_file_means_nothing_was_tested(tmp_path: Path) -> None:
    packages = "tag,category,source_package_tags,production_batch\nT1,Buds,,No\n"
    result = audit_text(
        tmp_path, packages, "tested_package,lab_test_result_id,test_type,test_passed"
    )
    assert result.summary.test_events == 0
    assert "LT001" not in {s.rule for s in result.skipped_rules}


def test_an_event_takes_date_and_overall_result_from_its_first_row_stating_them(
    tmp_path: Path,
) -> None:
    packages = "tag,category,source_package_tags,production_batch\nT1,Buds,,No\n"
    lab = "\n".join(
        [
            "tested_package,lab_test_result_id,test_type,test_passed,test_performed_date,"
            "lab_license,overall_passed",
            "T1,5,THC,true,,L1,",
            "T1,5,CBD,true,2025-01-02,L2,false",
            "T1,5,Moisture,true,2025-01-03,L3,true",
        ]
    )
    events = audited(tmp_path, packages, lab).lineage.events
    assert len(events) == 1
    (event,) = events.to_dict("records")
    assert event["rows"] == 3 and event["lab"] == "L1" and event["passed"] is False
    assert str(event["date"].date()) == "2025-01-02"


def test_without_overall_result_an_event_passed_when_every_stated_row_passed(
    tmp_path: Path,
) -> None:
    packages = "tag,category,source_package_tags,production_batch\nT1,Buds,,No\nT2,Buds,,No\n"
    rows = ["T1,1,THC,true", "T1,1,CBD,false", "T1,2,THC,", "T2,3,THC,true", "T2,3,CBD,"]
    lab = "\n".join(["tested_package,lab_test_result_id,test_type,test_passed", *rows])
    events = audited(tmp_path, packages, lab).lineage.events
    assert events["event"].tolist() == ["id:1", "id:2", "id:3"]
    assert events["passed"].tolist() == [False, pd.NA, True]


def test_one_result_id_under_two_tested_packages_is_an_event_of_each(tmp_path: Path) -> None:
    packages = "tag,category,source_package_tags,production_batch\nT1,Buds,,No\nT2,Buds,,No\n"
    lab = "\n".join(
        [LAB_HEADER, ",T2,9,THC,true", ",T1,9,CBD,true", ",T2,8,THC,true", ",T1,9,Moisture,true"]
    )
    events = audited(tmp_path, packages, lab).lineage.events
    assert events["tested_tag"].tolist() == [tag(1), tag(2), tag(2)]
    assert events["event"].tolist() == ["id:9", "id:8", "id:9"]
    assert events["rows"].tolist() == [2, 1, 1]


def test_rows_without_result_id_are_events_by_package_lab_and_date(tmp_path: Path) -> None:
    packages = "tag,category,source_package_tags,production_batch\nT1,Buds,,No\n"
    header = (
        "tested_package,lab_test_result_id,test_type,test_passed,test_performed_date,lab_license"
    )
    rows = [
        "T1,,THC,true,2025-01-02,L1",
        "T1,,THC,true,2025-01-02,L1",  # the same row listed twice: counted once
        "T1,,CBD,true,2025-01-02,L1",
        "T1,,THC,true,2025-02-01,L1",
        "T1,4,THC,true,2025-01-02,L1",
    ]
    audit = audited(tmp_path, packages, "\n".join([header, *rows]))
    assert len(audit.lineage.lab_rows) == 4
    assert audit.lineage.events["rows"].tolist() == [2, 1, 1]
    assert audit.lineage.events["event"].str.startswith("id:").tolist() == [False, False, True]


@pytest.mark.parametrize("pulls", [False, True])
def test_the_packages_tested_are_known_from_the_rows_codes_alone(
    pulls: bool, tmp_path: Path
) -> None:
    """The tabs are found from the tested packages while the events are made: those must be
    the events' tested packages, whether each row is a test or a pull lists whole tabs."""
    write_sample(tmp_path, packages=600, seed=7, lab_pulls=pulls)
    lineage = audit(load(detected=[tmp_path]), load_pack("oregon")).lineage
    coded = coded_rows(lineage.lab_table, lineage.packages[["tag", "package_id"]])
    assert len(lineage.events)
    tested = _tested_packages(coded, len(lineage.packages))
    assert tested.tolist() == sorted(set(lineage.events["tested"].tolist()))
