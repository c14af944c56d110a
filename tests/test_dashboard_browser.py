"""The dashboard in a real headless Chromium: it loads, shows a member, follows changes.

The second test drives Chromium over the DevTools protocol (``tests/cdp.py``): it clicks
the buttons, searches, waits for the page to refresh itself, and checks screenshots.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests.cdp import CHROMIUM_FLAGS, Browser, png_facts

if TYPE_CHECKING:
    from loyalty_fake import LoyaltyFake
    from loyalty_fake.server import LiveServer

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")

pytestmark = [
    pytest.mark.skipif(
        CHROMIUM is None,
        reason="Debian's chromium is not installed: apt-get install chromium "
        "(.ci/run installs it, then runs this file with LOYALTY_FAKE_NO_SKIP=1)",
    ),
    pytest.mark.loyalty_fake(now="2024-05-01T12:00:00Z", control_plane=True),
]


def _render(url: str, profile: Path) -> str:
    """The DOM Chromium builds for ``url``, after it loaded."""
    assert CHROMIUM is not None, "the module's skipif marker lets no test here run without it"
    result = subprocess.run(  # noqa: S603 - a fixed browser binary and our own local URL
        [
            CHROMIUM,
            *CHROMIUM_FLAGS,
            f"--user-data-dir={profile}",
            "--dump-dom",
            url,
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return result.stdout


def test_dashboard_renders_and_follows_changes(
    loyalty_fake: LoyaltyFake, loyalty_fake_server: LiveServer, tmp_path: Path
) -> None:
    """A seeded member and balance show in the browser, and a balance change shows on reload."""
    loyalty_fake.create_loyalty_program("Coffee Club", vouchers_count=1)
    code = loyalty_fake.add_member("Coffee Club", {"source_id": "alice", "name": "Alice Liddell"})[
        "code"
    ]
    loyalty_fake.add_points(code, 1234)
    page = _render(f"{loyalty_fake_server.url}/_fake/", tmp_path / "profile")
    assert "<h1>loyalty-fake</h1>" in page
    assert code in page
    assert "Alice Liddell" in page
    assert ">1234<" in page
    loyalty_fake.add_points(code, -234)
    page = _render(f"{loyalty_fake_server.url}/_fake/", tmp_path / "profile")
    assert ">1000<" in page
    assert ">1234<" in page  # points earned stay, the balance moved


def _checked_screenshot(browser: Browser, name: str, tmp_path: Path) -> bytes:
    """A screenshot of the page, checked as a drawn page of the window's size, kept.

    Kept in ``tmp_path``, and in ``$LOYALTY_FAKE_SCREENSHOTS`` when set (CI keeps them).
    """
    shot = browser.screenshot(tmp_path / f"{name}.png")
    width, height, values = png_facts(shot)
    assert (width, height) == (1200, 900)
    assert values > 20, f"{name}: the screenshot is (almost) one colour: nothing drawn"
    keep = os.environ.get("LOYALTY_FAKE_SCREENSHOTS")
    if keep:
        Path(keep).mkdir(parents=True, exist_ok=True)
        (Path(keep) / f"dashboard-{name}.png").write_bytes(shot)
    return shot


def test_dashboard_follows_changes_and_its_buttons_work(
    loyalty_fake: LoyaltyFake, loyalty_fake_server: LiveServer, tmp_path: Path
) -> None:
    """Without a reload: a balance change shows; search, clock, reset and seed buttons work."""
    assert CHROMIUM is not None, "the module's skipif marker lets no test here run without it"
    loyalty_fake.create_loyalty_program("Coffee Club", vouchers_count=2)
    code = loyalty_fake.add_member("Coffee Club", {"source_id": "alice", "name": "Alice"})["code"]
    loyalty_fake.add_points(code, 1234)
    with Browser(CHROMIUM, tmp_path / "profile") as browser:
        browser.open(f"{loyalty_fake_server.url}/_fake/")
        assert "1234" in browser.text("#members")
        before = _checked_screenshot(browser, "members", tmp_path)
        # A change made elsewhere shows within a refresh or two, the page never reloaded.
        browser.run("window.notReloaded = true")
        loyalty_fake.add_points(code, 4321)
        browser.wait_for("document.querySelector('#members').innerText.includes('5555')")
        assert browser.run("window.notReloaded") is True
        assert _checked_screenshot(browser, "members-updated", tmp_path) != before
        # The clock buttons move the fake's clock through the control plane.
        browser.run('document.querySelector("button[data-body*=\'days\\":1}\']").click()')
        browser.wait_for("document.querySelector('#clock').innerText.startsWith('2024-05-02')")
        assert loyalty_fake.clock.now().isoformat().startswith("2024-05-02T12:00")
        # The transactions view names each transaction's member.
        browser.run("document.querySelector('nav a[href*=transactions]').click()")
        browser.wait_for("document.querySelector('#transactions')")
        assert code in browser.text("#transactions")
        assert "Alice" in browser.text("#transactions")
        _checked_screenshot(browser, "transactions", tmp_path)
        # The search box finds a member by its holder's source_id.
        browser.run("document.querySelector('nav a[href*=members]').click()")
        browser.wait_for("location.search.includes('view=members')")
        browser.run(
            "document.querySelector('input[name=q]').value = 'alice';"
            "document.querySelector('#search').submit()"
        )
        browser.wait_for(
            "location.search.includes('q=alice') && document.querySelector('#members')"
        )
        assert code in browser.text("#members")
        # Reset (confirmed) forgets the state; seeding builds the demo program.
        browser.run("window.confirm = () => true")
        browser.run("document.querySelector('button[data-operation=reset]').click()")
        browser.wait_for("document.querySelector('#content').innerText.includes('No data yet')")
        assert loyalty_fake.ledger.app_ids() == []
        browser.open(f"{loyalty_fake_server.url}/_fake/")
        browser.run("document.querySelector('button[data-operation=seed]').click()")
        browser.wait_for("document.querySelectorAll('#members tr').length === 6")
        assert "Demo Coffee Club" in browser.text("#members")
        _checked_screenshot(browser, "seeded", tmp_path)
