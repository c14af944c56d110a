"""Compact storage at scale keeps every behaviour a user can observe."""

from __future__ import annotations

import datetime as dt
import functools
import random
from typing import TYPE_CHECKING, Any

import pytest

from loyalty_fake import LoyaltyFake
from loyalty_fake.ledger import blocks
from loyalty_fake.ledger.customers import CustomerRef
from loyalty_fake.ledger.member_index import matches_dates
from loyalty_fake.ledger.members import MemberOrder, MemberQuery
from loyalty_fake.seeding import create_program_with_cards

if TYPE_CHECKING:
    from loyalty_fake.ledger import Session

NOW = "2024-06-01T00:00:00Z"
ORDERS: tuple[MemberOrder, ...] = (
    "created_at",
    "-created_at",
    "updated_at",
    "-updated_at",
    "code",
    "-code",
)


def _join_and_spend(session: Session, program_id: str, members: int) -> None:
    for number in range(members):
        session.clock.advance(minutes=7)
        card = session.members.add(program_id, customer=CustomerRef(source_id=f"c{number}"))
        if number % 3 == 0:
            session.clock.advance(minutes=1)
            session.points.change_balance(card.code, 10 + number, reason="Purchases")


def test_next_available_code_survives_many_joins() -> None:
    """Cards are handed out oldest first, however many joins came before."""
    fake = LoyaltyFake(seed=1, now=NOW)
    with fake.ledger.session(fake.app_id) as session:
        program = session.campaigns.create(name="P", vouchers_count=50)
        stock = [card.code for card in session.cards.of_campaign(program.id)]
        given = [
            session.members.add(program.id, customer=CustomerRef(source_id=f"c{n}")).code
            for n in range(50)
        ]
    assert given == stock


def test_bulk_load_lists_members_as_one_by_one_does() -> None:
    """Members loaded in bulk list in every order exactly as members added one by one."""
    pages: list[list[list[str]]] = []
    for bulk in (False, True):
        fake = LoyaltyFake(seed=4, now=NOW)
        with fake.ledger.session(fake.app_id) as session:
            program = session.campaigns.create(name="P", vouchers_count=40)
            if bulk:
                with session.campaigns.bulk_load(program.id):
                    _join_and_spend(session, program.id, 60)
            else:
                _join_and_spend(session, program.id, 60)
            members = session.members
            pages.append(
                [
                    [
                        card.code
                        for card in members.page(program.id, MemberQuery(limit=100, order=order))[0]
                    ]
                    for order in ORDERS
                ]
            )
    assert pages[0] == pages[1]
    assert len(pages[0][0]) == 60


def test_shared_metadata_changes_for_one_customer_only() -> None:
    """Customers with equal metadata stay independent when one of them changes it."""
    fake = LoyaltyFake(seed=2, now=NOW)
    fake.create_loyalty_program("A")
    fake.create_loyalty_program("B")
    for who in ("ann", "bob"):
        fake.add_member("A", {"source_id": who, "metadata": {"tier": "gold"}})
    fake.add_member("B", {"source_id": "ann", "metadata": {"tier": "silver"}})
    assert fake.customer("ann")["metadata"] == {"tier": "silver"}
    assert fake.customer("bob")["metadata"] == {"tier": "gold"}


def test_a_callers_profile_dict_stays_the_callers() -> None:
    """Changing a dict after passing it to the ledger does not change the stored customer."""
    fake = LoyaltyFake(seed=2, now=NOW)
    address: dict[str, Any] = {"city": "Lyon"}
    metadata: dict[str, Any] = {"tier": "gold"}
    profile = {"address": address, "metadata": metadata}
    with fake.ledger.session(fake.app_id) as session:
        program = session.campaigns.create(name="P")
        session.members.add(program.id, customer=CustomerRef(source_id="ann", profile=profile))
    address["city"] = "Paris"
    metadata["tier"] = "bronze"
    customer = fake.customer("ann")
    assert customer["address"] == {"city": "Lyon"}
    assert customer["metadata"] == {"tier": "gold"}


def test_packed_transactions_read_back_and_survive_a_snapshot() -> None:
    """A card's transactions read the same before and after a snapshot and restore."""
    fake = LoyaltyFake(seed=6, now=NOW)
    with fake.ledger.session(fake.app_id) as session:
        program = session.campaigns.create(name="P", vouchers_count=5)
        _join_and_spend(session, program.id, 5)
        code = session.cards.of_campaign(program.id)[0].code
    fake.add_points(code, -4, reason="Refund", source_id="order-1")
    before = fake.transactions(code, limit=100)
    restored = LoyaltyFake(seed=6, now=NOW)
    restored.ledger.restore(fake.ledger.snapshot())
    assert restored.transactions(code, limit=100) == before
    assert [t["reason"] for t in before["data"]][:1] == ["Refund"]
    assert before["data"][0]["source_id"] == "order-1"


@pytest.mark.parametrize("small_blocks", [False, True])
@pytest.mark.parametrize("clock_set_back", [False, True])
def test_listing_matches_a_brute_force_filter_across_many_blocks(
    clock_set_back: bool, small_blocks: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every order with each date filter lists what filtering all members by hand gives.

    Enough members for several index blocks, joined and updated at shuffled times, so
    that blocks are skipped, kept and recomputed; with the clock set back, some cards
    are even updated before they were created. With small blocks, there are hundreds of
    blocks in dozens of groups, each group skipped or walked as a whole.
    """
    if small_blocks:
        monkeypatch.setattr(blocks, "_LOAD", 4)
        monkeypatch.setattr(blocks, "_GROUP", 3)
    fake = LoyaltyFake(seed=8, now=NOW)
    session_of = functools.partial(fake.ledger.session, fake.app_id)
    with session_of() as session:
        program = session.campaigns.create(name="P", vouchers_count=1500)
    shuffle = random.Random(8)  # noqa: S311 - test data
    start = fake.clock.now()
    codes = []
    for number in range(1800):
        fake.clock.set(start + dt.timedelta(minutes=shuffle.randrange(100_000)))
        with session_of() as session:
            card = session.members.add(program.id, customer=CustomerRef(source_id=f"c{number}"))
        codes.append(card.code)
    for code in shuffle.sample(codes, 900):
        moment = start + dt.timedelta(minutes=shuffle.randrange(50_000, 150_000))
        with session_of() as session:
            if not clock_set_back:
                moment = max(moment, session.members.get(code).created_at)
        fake.clock.set(moment)
        with session_of() as session:
            session.points.change_balance(code, 5)
    with session_of() as session:
        cards = [session.members.get(code) for code in codes]
    sort_keys = {
        "created_at": lambda card: (card.created_at, card.seq),
        "updated_at": lambda card: (card.updated_at or card.created_at, card.seq),
        "code": lambda card: card.code,
    }
    moments = [start + dt.timedelta(minutes=m) for m in (20_000, 60_000, 120_000)]
    filters: list[dict[str, dt.datetime]] = [{}] + [
        {name: moment}
        for moment in moments
        for name in ("created_after", "created_before", "updated_after", "updated_before")
    ]
    for order in ORDERS:
        for bounds in filters:
            query = MemberQuery(
                limit=50,
                page=3,
                order=order,
                created_after=bounds.get("created_after"),
                created_before=bounds.get("created_before"),
                updated_after=bounds.get("updated_after"),
                updated_before=bounds.get("updated_before"),
            )
            expected = sorted(
                (card for card in cards if matches_dates(card, query)),
                key=sort_keys[order.lstrip("-")],
                reverse=order.startswith("-"),
            )
            with session_of() as session:
                page, total = session.members.page(program.id, query)
            assert total == len(expected), (order, bounds)
            assert [c.code for c in page] == [c.code for c in expected[100:150]], (order, bounds)


def test_cards_are_found_by_v_id_before_and_after_the_first_such_lookup() -> None:
    """A card's v_ ID finds it, whether the card came before or after the first v_ lookup."""
    fake = LoyaltyFake(seed=3, now=NOW)
    fake.create_loyalty_program("P", vouchers_count=2)
    first = fake.add_member("P", {"source_id": "ann"})
    assert fake.request("GET", f"/v1/vouchers/{first['id']}").json()["code"] == first["code"]
    added = fake.request("POST", "/v1/campaigns/P/vouchers", json_body={"vouchers_count": 1})
    later = added.json()
    assert fake.request("GET", f"/v1/vouchers/{later['id']}").json()["code"] == later["code"]
    assert first["id"] != later["id"]


def test_a_program_gets_more_cards_than_one_request_may_create() -> None:
    """Seeding's program creation makes every card asked for, past 100,000 per request."""
    fake = LoyaltyFake(seed=5, now=NOW)
    with fake.ledger.session(fake.app_id) as session:
        program = create_program_with_cards(session, 100_003, name="Big")
        assert len(session.cards.of_campaign(program.id)) == 100_003
    assert fake.get_loyalty_program("Big")["vouchers_count"] == 100_003
