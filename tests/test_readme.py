"""The README's and every docs page's Python examples run as tests, so they cannot rot."""

from __future__ import annotations

import os
import re
import runpy
import subprocess
import sys
from importlib import metadata
from typing import TYPE_CHECKING

import pytest
from packaging.requirements import Requirement

from tests.docs_examples import ROOT, Block, all_blocks, blocks, imported_modules

if TYPE_CHECKING:
    from pathlib import Path

PYTHON = all_blocks("python")
README = ROOT / "README.md"


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


def _readme_commands() -> list[str]:
    """The README's two commands, as .ci/run reads them (its own script, loaded by path)."""
    script = runpy.run_path(str(ROOT / ".ci" / "readme_commands.py"))
    commands: list[str] = script["readme_commands"](README.read_text(encoding="utf-8"))
    return commands


def test_readme_has_the_two_commands() -> None:
    """The README's marked block is one command that installs and serves, one that tests."""
    install_and_serve, run_tests = _readme_commands()
    assert "pip install -e '.[test]'" in install_and_serve
    assert install_and_serve.endswith("loyalty-fake serve")
    assert run_tests == ".venv/bin/python -m pytest -n 2"


def test_ci_runs_the_readme_commands_first() -> None:
    """.ci/run runs the README's own commands, read from README.md, before installing anything."""
    lines = [
        line.strip()
        for line in (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.strip().startswith("#")
    ]

    def first(pattern: str) -> int:
        found = [number for number, line in enumerate(lines) if re.search(pattern, line)]
        assert found, f".ci/run has no line matching {pattern!r}"
        return found[0]

    reads = first(r"python3 \.ci/readme_commands\.py")
    serves = first(r'^bash -c "\$install_and_serve"')
    tests = first(r'^bash -c "\$run_tests"')
    installs = first(r"pip install|apt-get install")
    assert reads < serves < tests < installs


def test_no_skip_turns_a_skip_into_a_failure(tmp_path: Path) -> None:
    """With LOYALTY_FAKE_NO_SKIP set (CI's second pass), a test that would skip fails instead."""
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-p",
            "no:randomly",
            "tests/test_paths.py::test_the_list_matches_voucherifys_openapi_files",
        ],
        cwd=ROOT,
        env={
            **os.environ,
            "LOYALTY_FAKE_NO_SKIP": "1",
            "LOYALTY_FAKE_OPENAPI_DIR": str(tmp_path / "absent"),
        },
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 1, result.stdout + result.stderr
    assert "LOYALTY_FAKE_NO_SKIP is set" in result.stdout
    assert "would skip: Voucherify's OpenAPI description is not in" in result.stdout
