"""kill -9 at random instants, compaction included: every acknowledged write once, no refused one.

The attack itself is ``tests/crash.py``; a closing note runs it longer
(``python -m tests.crash --rounds 300``). ``LOYALTY_FAKE_CRASH_ROUNDS`` sets how many kills
this test makes (default 40, about half a minute).
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

import pytest

from tests.crash import Crash

if TYPE_CHECKING:
    from pathlib import Path


@pytest.mark.parametrize("compact_every", [3, 1_000])
def test_kill_9_at_random_instants_loses_and_doubles_nothing(
    tmp_path: Path, compact_every: int
) -> None:
    """Kills inside compaction (a snapshot every 3 writes) and between (almost never)."""
    rounds = int(os.environ.get("LOYALTY_FAKE_CRASH_ROUNDS", "40"))
    crash = Crash(tmp_path / "state", writers=6, compact_every=compact_every)
    counts = crash.run(rounds)
    assert counts.problems == [], counts.line()
    assert counts.kills == rounds
    # The writers really wrote, and some writes were in flight when the server died.
    assert counts.acknowledged > rounds * 5, counts.line()
    assert counts.found == counts.acknowledged, counts.line()
    assert counts.refused > 0, counts.line()
