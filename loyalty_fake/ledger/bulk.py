"""Bulk work without the cyclic garbage collector (a leaf: every module may import it).

Making or loading hundreds of thousands of long-lived records (a snapshot, seeding, a
program's cards) triggers collections that cost more than the work itself, and nothing
such work makes forms a cycle to collect.
"""

from __future__ import annotations

import gc
from contextlib import contextmanager
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterator

__all__ = ["no_gc"]


@contextmanager
def no_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector for the length of the block."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
