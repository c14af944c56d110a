"""The README's and every docs page's Python examples run as tests, so they cannot rot."""

from __future__ import annotations

import os
import re

import pytest

from tests.docs_examples import ROOT, Block, all_blocks, blocks

PYTHON = all_blocks("python")


def test_readme_has_examples() -> None:
    """The README shows pytest examples to run."""
    assert len(blocks(ROOT / "README.md", "python")) >= 2


@pytest.mark.parametrize("block", PYTHON, ids=[block.name for block in PYTHON])
def test_example_runs(pytester: pytest.Pytester, block: Block) -> None:
    """Each Python example passes as a test file, unchanged (a plain script just has to run)."""
    if block.skipped:
        pytest.skip("marked <!-- docs-test: skip -->")
    earlier = [b for b in blocks(block.page, "python")[: block.number] if b.title]
    pages_own = {b.title.removesuffix(".py") for b in earlier if b.title}
    missing = [module for module in block.missing_modules() if module not in pages_own]
    if missing and not os.environ.get("CI"):
        # CI installs the docs extra (Flask, FastAPI), so there a missing module fails below.
        pytest.skip(f"needs {missing}: pip install -e '.[docs]'")
    tests = len(re.findall(r"^(?:async )?def test_", block.code, re.MULTILINE))
    source = block.code if tests else f"{block.code}\n\ndef test_example_ran():\n    pass\n"
    for module in earlier:
        pytester.makepyfile(**{str(module.title).removesuffix(".py"): module.code})
    name = re.sub(r"\W", "_", block.name).lower()
    pytester.makepyfile(**{f"test_{name}": source})
    result = pytester.runpytest("-p", "no:cacheprovider", "-W", "ignore::DeprecationWarning")
    result.assert_outcomes(passed=max(tests, 1))
