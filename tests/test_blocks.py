"""``Blocks`` keeps its cards in key order whichever way they arrive and move."""

from __future__ import annotations

import datetime as dt
import random

import pytest

from loyalty_fake.ledger import blocks
from loyalty_fake.ledger.blocks import Blocks
from loyalty_fake.ledger.cards import LoyaltyCard
from loyalty_fake.ledger.member_index import updated_key

START = dt.datetime(2024, 6, 1, tzinfo=dt.timezone.utc)


def _created(card: LoyaltyCard) -> dt.datetime:
    return card.created_at


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
