"""The README's and the docs' Python examples run as tests, so they cannot rot."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from collections.abc import Iterator

ROOT = Path(__file__).resolve().parents[1]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


def _python_blocks(page: Path) -> list[str]:
    return re.findall(r"```python\n(.*?)```", page.read_text(encoding="utf-8"), re.DOTALL)


def _examples() -> Iterator[tuple[str, str]]:
    for page in PAGES:
        for number, block in enumerate(_python_blocks(page)):
            yield f"{page.stem}-{number}", block


def test_readme_has_examples() -> None:
    """The README shows pytest examples to run."""
    assert len(_python_blocks(ROOT / "README.md")) >= 2


@pytest.mark.parametrize(("name", "block"), list(_examples()), ids=[n for n, _ in _examples()])
def test_example_runs(pytester: pytest.Pytester, name: str, block: str) -> None:
    """Each Python example passes as a test file, unchanged (a plain script just has to run)."""
    tests = len(re.findall(r"^def test_", block, re.MULTILINE))
    source = block if tests else f"{block}\n\ndef test_example_ran():\n    pass\n"
    pytester.makepyfile(**{f"test_{name.replace('-', '_').lower()}": source})
    result = pytester.runpytest("-p", "no:cacheprovider", "-W", "ignore::DeprecationWarning")
    result.assert_outcomes(passed=max(tests, 1))
