"""The README's examples run as tests, so the first screen stays true."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pytest

README = Path(__file__).resolve().parents[1] / "README.md"


def _python_blocks() -> list[str]:
    return re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), re.DOTALL)


def test_readme_has_examples() -> None:
    """The README shows pytest examples to run."""
    assert len(_python_blocks()) >= 2


def test_readme_examples_pass(pytester: pytest.Pytester) -> None:
    """Every Python example of the README passes as a test file, unchanged."""
    for number, block in enumerate(_python_blocks()):
        pytester.makepyfile(**{f"test_readme_{number}": block})
    result = pytester.runpytest("-p", "no:cacheprovider", "-W", "ignore::DeprecationWarning")
    result.assert_outcomes(passed=len(_python_blocks()))
