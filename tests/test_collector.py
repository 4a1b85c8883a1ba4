"""The cyclic collector is paused while objects that are never garbage are made, and what a
command keeps to its end is put out of the collector's sight."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from batchaudit.support.collector import collection_paused


@pytest.fixture
def collecting() -> Iterator[None]:
    was = gc.isenabled()
    gc.enable()
    yield
    gc.unfreeze()
    if not was:
        gc.disable()


@pytest.mark.usefixtures("collecting")
def test_collection_is_paused_inside_and_resumes_after() -> None:
    frozen = gc.get_freeze_count()  # commands run in this process froze what they kept
    with collection_paused():
        assert not gc.isenabled()
        with collection_paused():  # the audit's own pause, inside the command's
            assert not gc.isenabled()
        assert not gc.isenabled(), "an inner pause must not resume collection"
    assert gc.isenabled()
    assert gc.get_freeze_count() == frozen, "a plain pause leaves every object collectable"


@pytest.mark.usefixtures("collecting")
def test_what_a_command_keeps_to_its_end_is_not_scanned_again() -> None:
    frozen = gc.get_freeze_count()
    with collection_paused(for_good=True):
        kept = [[number] for number in range(1000)]
    assert gc.isenabled()
    assert gc.get_freeze_count() >= frozen + len(kept)
    scanned = gc.get_objects()  # the generations a collection walks
    assert not any(item is kept for item in scanned)
