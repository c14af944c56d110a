"""Which card a join publishes when programs grow cards for joins and get cards added.

A card a program makes for a join is published at once and never waits in the program's
stock of cards to publish; cards added to the program later go to the next joins, oldest
first, as Voucherify's "the oldest suitable voucher" rule says.
"""

from __future__ import annotations

import datetime as dt

from loyalty_fake import LoyaltyFake


def _fake() -> LoyaltyFake:
    return LoyaltyFake(seed=11, now=dt.datetime(2026, 3, 1, tzinfo=dt.timezone.utc))


def test_cards_added_after_grown_cards_go_to_the_next_joins_oldest_first() -> None:
    """Joins that grow cards, then cards added: the next joins take the added cards in order."""
    fake = _fake()
    fake.create_loyalty_program("P", vouchers_count=1)
    grown = [fake.add_member("P", {"source_id": f"grown-{n}"})["code"] for n in range(3)]
    fake.request("POST", "/v1/campaigns/P/vouchers", params={"vouchers_count": 2}, json_body={})
    unpublished = [
        member["code"]
        for member in fake.request(
            "GET", "/v1/vouchers", params={"campaign": "P", "limit": 100}
        ).json()["vouchers"]
        if member.get("holder_id") is None
    ]
    joined = [fake.add_member("P", {"source_id": f"later-{n}"})["code"] for n in range(3)]
    assert len(set(grown)) == 3
    assert len(unpublished) == 2
    assert sorted(joined[:2]) == sorted(unpublished)
    assert joined[2] not in (*grown, *unpublished)


def test_a_join_that_grows_a_card_answers_as_before_after_a_restore() -> None:
    """A grown card, snapshot and restore: the next join answers byte for byte the same."""
    fake = _fake()
    fake.create_loyalty_program("P")
    fake.add_member("P", {"source_id": "first"})
    snapshot = fake.ledger.snapshot()
    body = {"customer": {"source_id": "second"}}
    answered = fake.request("POST", "/v1/loyalties/P/members", json_body=body)
    fake.ledger.restore(snapshot)
    again = fake.request("POST", "/v1/loyalties/P/members", json_body=body)
    assert (answered.status, again.body) == (200, answered.body)
