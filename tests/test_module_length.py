"""No library module grows past 450 lines: one job per module (see docs/architecture.md)."""

from __future__ import annotations

from pathlib import Path

import loyalty_fake

_PACKAGE = Path(loyalty_fake.__file__).parent
_LIMIT = 450


def test_no_library_module_passes_450_lines() -> None:
    """Every module of loyalty_fake is at most 450 lines; split one that grows past it."""
    lengths = {
        path.relative_to(_PACKAGE).as_posix(): len(path.read_text(encoding="utf-8").splitlines())
        for path in _PACKAGE.rglob("*.py")
    }
    assert {name: lines for name, lines in lengths.items() if lines > _LIMIT} == {}
