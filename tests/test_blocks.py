"""``Blocks`` keeps its cards in key order whichever way they arrive and move."""

from __future__ import annotations

import datetime as dt
import functools
import random

import pytest

from loyalty_fake.ledger import blocks
from loyalty_fake.ledger.blocks import Blocks
from loyalty_fake.ledger.cards import LoyaltyCard
from loyalty_fake.ledger.member_index import MemberIndex, created_key, updated_key

START = dt.datetime(2024, 6, 1, tzinfo=dt.timezone.utc)


def _created(card: LoyaltyCard) -> dt.datetime:
    return card.created_at


def _ends_after(after: dt.datetime, _earliest: dt.datetime, latest: dt.datetime) -> bool:
    return latest > after


def _card(seq: int, minutes: int) -> LoyaltyCard:
    at = START + dt.timedelta(minutes=minutes)
    return LoyaltyCard(
        code=f"C{seq}", campaign_id="camp", seq=seq, created_at=at, updated_at=None, points=0
    )


@pytest.mark.parametrize("arrival", ["in order", "shuffled"])
def test_cards_stay_in_order_as_they_join_and_move_either_way(
    arrival: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Joins at the end (appended) or anywhere, and keys moved forward and back.

    A card moved forward is found by its key now; one moved back (a clock set back) is
    found where its old key placed it. Small blocks, so that blocks split.
    """
    monkeypatch.setattr(blocks, "_LOAD", 4)
    shuffle = random.Random(21)  # noqa: S311 - test data
    minutes = list(range(0, 3000, 10))
    if arrival == "shuffled":
        shuffle.shuffle(minutes)
    index = Blocks(updated_key, _created)
    cards = []
    for seq, minute in enumerate(minutes, start=1):
        card = _card(seq, minute)
        index.add(card)
        cards.append(card)
        assert list(index) == sorted(cards, key=updated_key)
    for card in shuffle.sample(cards, 150):
        placed = updated_key(card)
        card.updated_at = placed[0] + dt.timedelta(minutes=shuffle.randrange(-2000, 2000))
        index.remove(card, placed)
        index.add(card)
        assert list(index) == sorted(cards, key=updated_key)
    assert len(index) == len(cards)


def test_a_card_moved_again_and_again_stays_in_order_and_in_its_spans(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The member changed last, changed again (forward, or back with the clock), and others.

    ``move`` keeps the order a removal and a new insertion would give, and a walk that
    skips blocks by their span of the other date still finds every card it should.
    """
    monkeypatch.setattr(blocks, "_LOAD", 4)
    shuffle = random.Random(5)  # noqa: S311 - test data
    cards = [_card(seq, seq * 10) for seq in range(1, 40)]
    index = Blocks(updated_key, _created, cards)
    for step in range(120):
        card = list(index)[-1] if step % 3 else shuffle.choice(cards)
        placed = updated_key(card)
        back = step % 17 == 0
        card.updated_at = placed[0] + dt.timedelta(minutes=-500 if back else 1 + step)
        index.move(card, placed)
        assert list(index) == sorted(cards, key=updated_key)
        after = START + dt.timedelta(minutes=shuffle.randrange(0, 400))
        kept = list(index.walk(0, len(index), keep=functools.partial(_ends_after, after)))
        assert [c for c in kept if c.created_at > after] == [
            c for c in sorted(cards, key=updated_key) if c.created_at > after
        ]


def test_a_rebuilt_member_index_keeps_the_date_then_seq_order_of_a_tuple_sort() -> None:
    """``MemberIndex.rebuild`` sorts by seq, then by the date alone (two stable sorts).

    Many cards share a date (ties broken by seq) and arrive in no seq order; both orders
    come out as sorting by the (date, seq) keys would put them.
    """
    shuffle = random.Random(7)  # noqa: S311 - test data
    cards = [_card(seq, shuffle.randrange(40)) for seq in range(1, 600)]
    for card in cards:
        if shuffle.random() < 0.8:
            card.updated_at = START + dt.timedelta(minutes=shuffle.randrange(-5, 60))
    shuffle.shuffle(cards)
    index = MemberIndex()
    index.rebuild(cards)
    assert list(index._by_created) == sorted(cards, key=created_key)
    assert list(index._by_updated) == sorted(cards, key=updated_key)
