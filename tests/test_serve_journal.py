"""``loyalty-fake serve`` keeps a call journal only where someone can read it: the control plane."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

from loyalty_fake.cli import main
from loyalty_fake.journal import DEFAULT_JOURNAL_SIZE

if TYPE_CHECKING:
    from loyalty_fake import LoyaltyFake


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch) -> list[LoyaltyFake]:
    """The fakes ``loyalty-fake serve`` would serve (the command returns at once)."""
    fakes: list[LoyaltyFake] = []

    def serve(fake: LoyaltyFake, **_options: Any) -> int:
        fakes.append(fake)
        return 0

    monkeypatch.setattr("loyalty_fake.server.serve", serve)
    return fakes


def test_without_the_control_plane_no_call_is_kept(served: list[LoyaltyFake]) -> None:
    """/_fake/journal and the dashboard are off: each call kept would be memory and time lost."""
    assert main(["serve", "--port", "0", "--no-demo"]) == 0
    assert main(["serve", "--port", "0", "--no-demo", "--journal-size", "50"]) == 0
    assert [fake.journal.size for fake in served] == [0, 0]


def test_with_the_control_plane_the_journal_keeps_its_size(served: list[LoyaltyFake]) -> None:
    """``--control-plane`` serves the journal: the last 1,000 calls, or ``--journal-size``."""
    assert main(["serve", "--port", "0", "--no-demo", "--control-plane"]) == 0
    assert main(["serve", "--port", "0", "--control-plane", "--journal-size", "50"]) == 0
    assert [fake.journal.size for fake in served] == [DEFAULT_JOURNAL_SIZE, 50]
