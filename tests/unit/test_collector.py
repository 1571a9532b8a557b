"""The `leadsync` command's collector settings."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from leadsync.cli.collector import collect_less


@pytest.fixture
def restored_collector() -> Iterator[None]:
    threshold = gc.get_threshold()
    yield
    gc.set_threshold(*threshold)
    gc.unfreeze()


def test_start_up_objects_are_frozen_and_young_ones_collected_less_often(restored_collector: None) -> None:
    collect_less()
    frozen = gc.get_freeze_count()
    collect_less()

    assert frozen > 0
    assert gc.get_freeze_count() == frozen  # a second command in one process freezes nothing more
    assert gc.get_threshold()[0] > 700
