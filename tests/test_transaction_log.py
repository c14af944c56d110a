"""A card's packed transaction log gives back exactly what was written to it.

Rows are kept as bytes in the narrowest of three widths their values fit, and as an
array once a card has many; these tests cross every one of those boundaries.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from hypothesis import given, settings
from hypothesis import strategies as st

from loyalty_fake.ledger.cards import LoyaltyCard, PointsBucket
from loyalty_fake.ledger.history import _KINDS, TextTable, Transaction

if TYPE_CHECKING:
    from loyalty_fake import LoyaltyFake

_INT64 = st.integers(-(2**63), 2**63 - 1)
_SMALL = st.integers(-(2**15), 2**15 - 1)
_UTC = dt.timezone.utc
_WHEN = st.datetimes(
    min_value=dt.datetime(1, 1, 2),  # noqa: DTZ001 - made aware below
    max_value=dt.datetime(9999, 12, 30),  # noqa: DTZ001
).map(lambda when: when.replace(microsecond=when.microsecond // 1000 * 1000, tzinfo=_UTC))
_TEXT = st.none() | st.sampled_from(["API", "Purchases", "café ☕", ""])


def _card() -> LoyaltyCard:
    when = dt.datetime(2024, 1, 1, tzinfo=_UTC)
    return LoyaltyCard(
        code="CARD-1",
        campaign_id="camp_1",
        seq=1,
        created_at=when,
        updated_at=None,
        points=0,
        transaction_texts=TextTable(),
    )


@st.composite
def _transactions(draw: st.DrawFn, values: st.SearchStrategy[int]) -> Transaction:
    expiry = draw(st.none() | st.dates(min_value=dt.date(1, 1, 1)))
    return Transaction(
        seq=draw(st.integers(0, 2**40)),
        type=draw(st.sampled_from(_KINDS)),
        points=draw(values),
        total=draw(values),
        balance=draw(values),
        created_at=draw(_WHEN),
        card_code="CARD-1",
        source=draw(_TEXT),
        reason=draw(_TEXT),
        source_id=draw(_TEXT),
        operation_type=draw(st.sampled_from(["MANUAL", "AUTOMATIC"])),
        expired_points=draw(values),
        subtracted_points=draw(values),
        next_expiration_date=expiry,
        next_expiration_points=draw(values),
    )


@settings(max_examples=150, deadline=None)
@given(
    st.lists(_transactions(_SMALL), max_size=80)
    | st.lists(_transactions(_SMALL | _INT64), max_size=80)
)
def test_the_log_reads_back_what_was_appended(written: list[Transaction]) -> None:
    """Any values, dates from year 1 to 9999, past 64 rows: read back equal and in order."""
    card = _card()
    for transaction in written:
        card.transactions.append(transaction)
    assert len(card.transactions) == len(written)
    assert list(card.transactions) == written
    assert card.transactions[-1:] == written[-1:]


def test_a_bucket_or_redemption_is_read_back_with_its_transaction() -> None:
    """An expiration's bucket is the same object when read back."""
    card = _card()
    when = dt.datetime(2024, 2, 1, 12, 30, 15, 123000, tzinfo=_UTC)
    bucket = PointsBucket(1, "CARD-1", dt.date(2024, 3, 1), 40, when)
    plain = Transaction(1, "POINTS_ADDITION", 40, 40, 40, when, "CARD-1")
    expired = Transaction(
        2, "POINTS_EXPIRATION", -40, 40, 0, when, "CARD-1", bucket=bucket, expired_points=40
    )
    card.transactions.append(plain)
    card.transactions.append(expired)
    assert list(card.transactions) == [plain, expired]
    assert card.transactions[1].bucket is bucket


def test_points_past_every_narrow_width_are_exact(loyalty_fake: LoyaltyFake) -> None:
    """Points beyond 16, 32 and 53 bits are listed exactly, as are the running totals."""
    program = loyalty_fake.create_loyalty_program("Big Spenders")["id"]
    code = loyalty_fake.add_member(program, {"source_id": "whale"})["code"]
    amounts = [7, 40_000, 3_000_000_000, 9 * 10**15, -(9 * 10**15)]
    for points in amounts:
        loyalty_fake.add_points(code, points)
    with loyalty_fake.ledger.session(loyalty_fake.app_id) as session:
        listed = session.cards.get(code).transactions
    assert [transaction.points for transaction in listed] == amounts
    assert [transaction.total for transaction in listed] == [
        7,
        40_007,
        3_000_040_007,
        9 * 10**15 + 3_000_040_007,
        3_000_040_007,
    ]
    assert listed[-1].balance == 3_000_040_007


def test_a_card_with_hundreds_of_movements_keeps_them_all(loyalty_fake: LoyaltyFake) -> None:
    """A card past the packed rows' limit keeps every movement and its time."""
    loyalty_fake.clock.set("2024-01-01T00:00:00Z")
    program = loyalty_fake.create_loyalty_program("Regulars")["id"]
    code = loyalty_fake.add_member(program, {"source_id": "regular"})["code"]
    for points in range(1, 201):
        loyalty_fake.add_points(code, points)
        loyalty_fake.clock.advance(minutes=1)
    with loyalty_fake.ledger.session(loyalty_fake.app_id) as session:
        listed = list(session.cards.get(code).transactions)
    assert [transaction.points for transaction in listed] == list(range(1, 201))
    assert listed[-1].balance == 200 * 201 // 2
    assert listed[-1].created_at - listed[0].created_at == dt.timedelta(minutes=199)
