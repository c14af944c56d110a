"""The docs' shell, JavaScript and YAML examples, and the generated operations page."""

from __future__ import annotations

import contextlib
import io
import os
import re
import shutil
import subprocess
import sys
from typing import TYPE_CHECKING

import pytest

from loyalty_fake.cli import main
from loyalty_fake.http.operations import counts, fill_page, implemented_table, missing_table
from loyalty_fake.http.routes import ROUTES, VOUCHERIFY_OPERATIONS
from tests.docs_examples import DOCS, PAGES, ROOT, Block, all_blocks, shell_commands

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

SHELL = all_blocks("bash", "yaml")
CURL = [
    block
    for block in all_blocks("bash")
    if any(line.startswith("curl ") for line in shell_commands(block.code))
]
JAVASCRIPT = all_blocks("js")
DOCUMENTED_URL = "http://127.0.0.1:8080"
# `loyalty-fake SUB ...` where a command starts: a line, after && or ;, or a YAML `run:`.
_COMMAND = re.compile(r"(?:^|&&|;|\brun:)\s*(?:\S*/)?loyalty-fake\s+([a-z]+)([^&;]*)")


def _ids(blocks: list[Block]) -> list[str]:
    return [block.name for block in blocks]


def _help(command: str) -> str:
    out = io.StringIO()
    with contextlib.redirect_stdout(out), pytest.raises(SystemExit):
        main([command, "--help"])
    usage = out.getvalue()
    assert usage.startswith(f"usage: loyalty-fake {command}"), f"no command loyalty-fake {command}"
    return usage


@contextlib.contextmanager
def _server() -> Iterator[str]:
    """A fresh ``loyalty-fake serve --port 0`` (demo data included); yields its URL."""
    command = [sys.executable, "-m", "loyalty_fake.cli", "serve", "--port", "0"]
    process = subprocess.Popen(  # noqa: S603 - our own interpreter and module
        command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    try:
        assert process.stdout is not None
        for line in process.stdout:
            found = re.search(r"serving (http://\S+)", line)
            if found:
                yield found.group(1)
                break
        else:
            pytest.fail("loyalty-fake serve did not start")
    finally:
        process.terminate()
        process.communicate(timeout=30)


def _skip_marked(block: Block) -> None:
    if block.skipped:
        pytest.skip("marked <!-- docs-test: skip -->")


@pytest.mark.parametrize("block", SHELL, ids=_ids(SHELL))
def test_loyalty_fake_commands_exist(block: Block) -> None:
    """Every `loyalty-fake` command line in a shell or YAML example uses real commands and flags."""
    _skip_marked(block)
    for line in shell_commands(block.code):
        for command, rest in _COMMAND.findall(line):
            usage = _help(command)
            for flag in re.findall(r"(?<![\w-])--[a-z][a-z-]*", rest):
                assert flag in usage, f"loyalty-fake {command} has no {flag}"


@pytest.mark.skipif(
    shutil.which("curl") is None, reason="curl is not installed: apt-get install curl"
)
@pytest.mark.parametrize("block", CURL, ids=_ids(CURL))
def test_curl_example_runs(block: Block) -> None:
    """A curl example runs as written against a fresh `loyalty-fake serve`; each call gets 2xx."""
    _skip_marked(block)
    with _server() as url:
        # Each curl fails on a 4xx or 5xx, and the script stops at the first failure.
        script = 'curl() { command curl --fail-with-body "$@"; }\nset -euo pipefail\n' + (
            block.code.replace(DOCUMENTED_URL, url)
        )
        result = subprocess.run(  # noqa: S603 - the docs' own example
            ["bash", "-c", script],  # noqa: S607 - bash from PATH, as a reader runs it
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    assert result.returncode == 0, f"{block.code}\n{result.stdout}\n{result.stderr}"


@pytest.mark.skipif(shutil.which("node") is None, reason="Node.js is not installed")
@pytest.mark.parametrize("block", JAVASCRIPT, ids=_ids(JAVASCRIPT))
def test_javascript_example_runs(block: Block, tmp_path: Path) -> None:
    """Every JavaScript example runs under Node.js against a fresh `loyalty-fake serve`."""
    _skip_marked(block)
    script = tmp_path / "example.mjs"
    with _server() as url:
        script.write_text(block.code.replace(DOCUMENTED_URL, url), encoding="utf-8")
        result = subprocess.run(  # noqa: S603 - the docs' own example
            ["node", str(script)],  # noqa: S607 - node from PATH, as a reader runs it
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    assert result.returncode == 0, f"{result.stdout}\n{result.stderr}"


@pytest.mark.parametrize("block", all_blocks("yaml"), ids=_ids(all_blocks("yaml")))
def test_yaml_example_parses(block: Block) -> None:
    """Every YAML example (a CI job) is valid YAML with jobs and steps."""
    yaml = pytest.importorskip("yaml")
    workflow = yaml.safe_load(block.code)
    assert workflow["jobs"]
    for job in workflow["jobs"].values():
        assert job["steps"]


def test_operations_table_lists_every_route() -> None:
    """The generated operations page names every operation in the route table."""
    table = implemented_table()
    for route in ROUTES:
        assert f"`{route.operation}`" in table


def test_missing_operations_exclude_the_served_ones() -> None:
    """The generated not-implemented list holds only operations the route table lacks."""
    table = missing_table(VOUCHERIFY_OPERATIONS)
    assert "`GET /v1/campaigns/{campaignId}/summary`" in table
    for route in ROUTES:
        assert f"`{route.operation}`" not in table


def test_checked_in_operations_page_is_filled_in_and_current() -> None:
    """docs/operations.md holds its generated figures and tables, as the route table makes them.

    So the raw file reads whole on a code host, not as blanks where the site fills them in.
    """
    page = (DOCS / "operations.md").read_text(encoding="utf-8")
    spec = VOUCHERIFY_OPERATIONS
    regions = dict(
        re.findall(r"<!-- operations:(\w+) -->(.*?)<!-- /operations:\1 -->", page, re.DOTALL)
    )
    assert set(regions) == {"served", "spec", "routes", "implemented", "missing"}
    numbers = counts(spec)
    assert regions["served"] == str(numbers["implemented"])
    assert regions["spec"] == str(numbers["spec"])
    assert regions["routes"] == str(numbers["routes"])
    assert implemented_table(spec) in regions["implemented"]
    assert page == fill_page(page, spec), "refresh it: python docs/_hooks/operations.py"


def test_the_marker_table_lists_every_option() -> None:
    """docs/pytest.md's marker table has a row for every option the marker accepts."""
    from loyalty_fake_pytest import plugin  # noqa: PLC0415

    page = (DOCS / "pytest.md").read_text(encoding="utf-8")
    table = page.split("## The marker", 1)[1].split("\n\n", 3)[2]
    documented = {
        name
        for first_cell in re.findall(r"^\| ([^|]+) \|", table, re.MULTILINE)
        for name in re.findall(r"`(\w+)`", first_cell)
    }
    assert documented == {*plugin._OPTIONS, *plugin._SEEDING, *plugin._SERVER}


def _sections(page: Path) -> list[str]:
    return re.split(r"^#{1,6} ", page.read_text(encoding="utf-8"), flags=re.MULTILINE)


def test_the_docs_say_the_control_plane_is_off_unless_asked() -> None:
    """Wherever the docs speak of /_fake/ or the control plane, they say how it is turned on.

    It is off by default on `loyalty-fake serve` and on `loyalty_fake_server`: a page that
    sends a reader to the dashboard without `--control-plane` sends them to a 404.
    """
    turned_on = ("--control-plane", "control_plane=True", "control plane on", "off unless")
    silent = [
        f"{page.relative_to(ROOT)}: {section.splitlines()[0]}"
        for page in PAGES
        if page.name != "changelog.md"
        for section in _sections(page)
        if ("/_fake/" in section or "control plane" in section.lower())
        and not any(phrase in section for phrase in turned_on)
    ]
    assert silent == []


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The documentation site, built once with ``mkdocs build --strict``."""
    pytest.importorskip("mkdocs", reason="the site needs the docs extra: pip install -e '.[docs]'")
    out = tmp_path_factory.mktemp("site")
    result = subprocess.run(  # noqa: S603 - our own interpreter and mkdocs
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(out)],
        cwd=ROOT,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return out


def test_site_builds_without_warnings(site: Path) -> None:
    """The site builds in strict mode: no broken link, anchor, page or API reference."""
    assert (site / "index.html").is_file()


def test_site_operations_page_is_filled_in(site: Path) -> None:
    """The built operations page holds the generated tables, not their placeholders."""
    page = (site / "operations" / "index.html").read_text(encoding="utf-8")
    assert "operations:" not in page
    assert "POST /v1/loyalties/{campaignId}/members" in page
    assert "GET /v1/loyalties/{campaignId}/earning-rules" in page
