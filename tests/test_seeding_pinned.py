"""Seeding's output, pinned: a speed-up of seeding must not change one byte of it (issue 21).

``test_seeding_bulk.py`` proves the bulk path writes what requests write; both share the
member's draws and profile, so a change there would pass it. These digests of the state
dump were taken before seeding was tuned for speed; a change that alters them changed
what seeding makes (the draws, their order, or what is written), not only how fast.
"""

from __future__ import annotations

import hashlib
from typing import Any

import pytest

from loyalty_fake import LoyaltyFake
from loyalty_fake.seeding import seed_demo
from loyalty_fake.server.control import dump_json

NOW = "2024-06-01T00:00:00Z"

# Options, and the sha256 (first 32 hex digits) of the state dump they give.
PINNED = {
    "one program": ({"seed": 3, "members": 2000}, "3786ebbacc0a17d81853163d5a902f92"),
    "two programs": (
        {"seed": 7, "programs": 2, "members": 500},
        "e476763a9634685e400d30ab7ff68e66",
    ),
    "earning": ({"seed": 5, "members": 300, "earning": True}, "520a4460f972d9f2b85253dbc44803eb"),
}


def _digest(fake: LoyaltyFake) -> str:
    return hashlib.sha256(dump_json(fake).encode()).hexdigest()[:32]


@pytest.mark.parametrize(("options", "digest"), PINNED.values(), ids=PINNED.keys())
def test_seeding_makes_the_pinned_state(options: dict[str, Any], digest: str) -> None:
    """The same seed and options give the state they gave before seeding was sped up."""
    fake = LoyaltyFake(seed=options["seed"], now=NOW)
    seed_demo(fake, **options)
    assert _digest(fake) == digest


def test_seeding_with_colliding_emails_makes_the_pinned_state(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Emails drawn again (tiny pools) are redrawn as before: the same state, byte for byte."""
    monkeypatch.setattr("loyalty_fake.seeding._POOL_SIZE", 1)
    fake = LoyaltyFake(seed=11, now=NOW)
    seed_demo(fake, seed=11, programs=3, members=300)
    assert _digest(fake) == "630000d3493ba5210d44020e6df6a999"
