"""The dashboard in a real headless Chromium: it loads, shows a member, follows changes."""

from __future__ import annotations

import shutil
import subprocess
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from pathlib import Path

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
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
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
