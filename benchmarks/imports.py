"""What installing loyalty-fake adds to a pytest run whose tests never use it (issue 21).

Installing the package registers two pytest plugins through entry points: ours
(``loyalty_fake``) and, through the Faker dependency, Faker's (``faker``), whose module
imports Faker and whose session-scoped autouse fixture builds a ``Faker()`` in every run.
Each figure times, in a fresh interpreter that has imported pytest (the floor), what
loading the plugin does in every run: importing its module (and, for Faker's, the
``Faker()`` its autouse fixture makes). Whole pytest runs in subprocesses were measured
too, but on a shared machine their noise (a run of 2-11 s) is a hundred times the target.
A project that never seeds avoids Faker's share with ``addopts = -p no:faker`` (the fake
imports Faker only when seeding).
"""

from __future__ import annotations

import statistics
import subprocess
import sys
from typing import TYPE_CHECKING

from benchmarks.clients import AddedFigure

if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = ["PLUGIN_TARGET_US", "measure_imports"]

# Issue 21: our plugin adds at most 30 ms to an unrelated pytest run.
PLUGIN_TARGET_US = 30_000.0
# Run in a fresh interpreter: pytest's import (the floor), then what the plugin adds.
_TIMED = """
import time
began = time.perf_counter_ns()
import pytest
floor = time.perf_counter_ns()
{load}
print(floor - began, time.perf_counter_ns() - began)
"""
_LOADS = {
    "loyalty_fake": "import loyalty_fake_pytest.plugin",
    "faker": "import faker.contrib.pytest.plugin\nfrom faker import Faker\nFaker()",
}


def _timed(plugin: str) -> tuple[int, int]:
    """Nanoseconds to import pytest, and to import pytest and then load ``plugin``."""
    done = subprocess.run(  # noqa: S603 - our own interpreter
        [sys.executable, "-c", _TIMED.format(load=_LOADS[plugin])],
        check=True,
        capture_output=True,
        text=True,
    )
    floor, loaded = done.stdout.split()
    return int(floor), int(loaded)


def _added(plugin: str, rounds: int) -> tuple[float, float]:
    """Median time with ``plugin`` loaded and pytest's alone, over ``rounds`` interpreters."""
    runs = [_timed(plugin) for _ in range(rounds + 1)][1:]  # the first warms the disk cache
    return (
        statistics.median(loaded for _floor, loaded in runs),
        statistics.median(floor for floor, _loaded in runs),
    )


def measure_imports(rounds: int, report: Callable[[AddedFigure], None]) -> list[AddedFigure]:
    """Our plugin's cost to an unrelated pytest run (target) and Faker's (for information)."""
    loaded, floor = _added("loyalty_fake", rounds)
    ours = AddedFigure("import/our pytest plugin", loaded, floor, PLUGIN_TARGET_US, "run")
    report(ours)
    loaded, floor = _added("faker", rounds)
    # For information (not ours): the target is only a sanity bound.
    faker = AddedFigure("import/Faker's plugin", loaded, floor, 5_000_000.0, "run")
    report(faker)
    return [ours, faker]
