"""The README's and every docs page's Python examples run as tests, so they cannot rot."""

from __future__ import annotations

import re
import sys
from importlib import metadata

import pytest
from packaging.requirements import Requirement

from tests.docs_examples import ROOT, Block, all_blocks, blocks, imported_modules

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
    missing = [
        module
        for source in (*earlier, block)
        for module in source.missing_modules()
        if module not in pages_own
    ]
    if missing:
        # The test extra installs every module an example imports (see the test below):
        # a missing one is an environment to fix, not an example to skip.
        pytest.fail(f"needs {sorted(set(missing))}: pip install -e '.[test]'", pytrace=False)
    tests = len(re.findall(r"^(?:async )?def test_", block.code, re.MULTILINE))
    source = block.code if tests else f"{block.code}\n\ndef test_example_ran():\n    pass\n"
    for module in earlier:
        pytester.makepyfile(**{str(module.title).removesuffix(".py"): module.code})
    name = re.sub(r"\W", "_", block.name).lower()
    pytester.makepyfile(**{f"test_{name}": source})
    result = pytester.runpytest("-p", "no:cacheprovider", "-W", "ignore::DeprecationWarning")
    result.assert_outcomes(passed=max(tests, 1))


def _normalized(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _test_extra_modules() -> set[str]:
    """Top-level modules of the package's dependencies and its test extra, as installed."""
    wanted = {"loyalty-fake"}
    for line in metadata.requires("loyalty-fake") or []:
        requirement = Requirement(line)
        if requirement.marker is None or requirement.marker.evaluate({"extra": "test"}):
            wanted.add(_normalized(requirement.name))
    return {
        module
        for module, distributions in metadata.packages_distributions().items()
        if any(_normalized(distribution) in wanted for distribution in distributions)
    }


def test_examples_import_only_what_the_test_extra_installs() -> None:
    """Every module a Python example imports comes with `pip install -e '.[test]'`.

    So the README's two commands on a fresh clone run every example, Flask and FastAPI
    recipes included, instead of skipping what a user would copy.
    """
    own = {"loyalty_fake", "loyalty_fake_pytest"}
    provided = _test_extra_modules() | own | set(sys.stdlib_module_names)
    outside = {}
    for block in PYTHON:
        pages_own = {
            str(b.title).removesuffix(".py") for b in blocks(block.page, "python") if b.title
        }
        modules = [m for m in imported_modules(block.code) if m not in provided | pages_own]
        if modules:
            outside[block.name] = modules
    assert not outside, f"add to the test extra in pyproject.toml: {outside}"
