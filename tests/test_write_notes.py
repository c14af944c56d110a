"""The frequent writes note only what they add to a project (``note_growth``), exactly.

Add-member and a balance change no longer note the length of every project container
before a change, only of those they add to: a bug after the last step of each must
still leave the whole state as it was, including the cases the exhaustive check in
``test_atomic_requests.py`` does not arrange (the index of cards by ``v_`` ID already
built; a new card, metadata shared, a ``source_id`` in one join).
"""

from __future__ import annotations

import datetime as dt
import pickle
from typing import Any

import pytest

from loyalty_fake import LoyaltyFake
from loyalty_fake.ledger.members import Members
from loyalty_fake.ledger.points import Points


def _state(fake: LoyaltyFake) -> bytes:
    ledger = fake.ledger
    return pickle.dumps((ledger.projects(), ledger.ids.state()[0], ledger.clock.frozen_at))


def _break_after(area: type, name: str) -> Any:
    original = getattr(area, name)

    def broken(*args: Any, **kwargs: Any) -> Any:
        original(*args, **kwargs)
        raise RuntimeError(name)

    return broken


@pytest.mark.parametrize(
    ("area", "name", "path", "body"),
    [
        (
            Members,
            "_publish",
            "/v1/loyalties/P/members",
            {
                "customer": {"source_id": "new", "metadata": {"tier": "new"}},
                "source_id": "pub-new",
            },
        ),
        (Points, "record", "/v1/loyalties/members/{code}/balance", {"points": 3}),
        (
            Points,
            "record",
            "/v1/loyalties/members/{code}/balance",
            {"points": 3, "expiration_type": "CUSTOM_DATE", "expiration_date": "2026-05-01"},
        ),
    ],
    ids=["join", "points", "points expiring on a new date"],
)
def test_a_bug_after_the_last_step_leaves_nothing(
    monkeypatch: pytest.MonkeyPatch, area: type, name: str, path: str, body: Any
) -> None:
    """A new card (the stock is empty), a built v_ ID index: all put back; the next goes on."""
    fake = LoyaltyFake(seed=3, now=dt.datetime(2026, 3, 1, tzinfo=dt.timezone.utc))
    fake.create_loyalty_program("P", vouchers_count=1, voucher={"loyalty_card": {"points": 2}})
    member = fake.add_member("P", {"source_id": "first"})
    fake.request("GET", f"/v1/vouchers/{member['id']}")  # builds the index by v_ ID
    path = path.format(code=member["code"])
    before = _state(fake)
    snapshot = fake.ledger.snapshot()
    with monkeypatch.context() as patched:
        patched.setattr(area, name, _break_after(area, name))
        reply = fake.request("POST", path, json_body=body)
    assert (reply.status, reply.json()["key"]) == (500, "internal_error")
    assert [str(error) for error in fake.app.internal_errors] == [name]
    assert _state(fake) == before
    fake.app.internal_errors.clear()
    answered = fake.request("POST", path, json_body=body)
    assert answered.status == 200
    fake.ledger.restore(snapshot)
    assert fake.request("POST", path, json_body=body).body == answered.body
