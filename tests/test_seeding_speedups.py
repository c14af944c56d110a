"""What seeding works out once instead of per movement gives what working it out each time gives."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import attrs
from hypothesis import given
from hypothesis import strategies as st

from loyalty_fake import LoyaltyFake
from loyalty_fake.ledger.bulk_seed import BulkWriter
from loyalty_fake.ledger.cards import LoyaltyCard, PointsBucket
from loyalty_fake.ledger.customers import Customer
from loyalty_fake.ledger.expiry import ExpirationRules
from loyalty_fake.ledger.history import TextTable
from loyalty_fake.ledger.history_rows import DAY_MS, EPOCH, MS, day_and_ms
from loyalty_fake.ledger.points import Points
from loyalty_fake.ledger.publications import Publication
from loyalty_fake.seeding import (
    _DAY_MINUTES,
    _HISTORY_DAYS,
    _MINUTE,
    _MINUTES_BACK,
    seed_demo,
)

if TYPE_CHECKING:
    from loyalty_fake.ledger.seed_writers import SeedProfile

_UTC = dt.timezone.utc
_MOMENTS = st.datetimes(
    min_value=dt.datetime(1, 1, 2),  # noqa: DTZ001 - made aware below
    max_value=dt.datetime(9999, 12, 30),  # noqa: DTZ001
    timezones=st.sampled_from([_UTC, dt.timezone(dt.timedelta(hours=-7, minutes=-30))]),
)


@given(_MOMENTS)
def test_a_rows_day_and_milliseconds_are_what_dividing_gives(moment: dt.datetime) -> None:
    """A moment's row columns (days since the epoch, milliseconds into the day) are exact."""
    assert day_and_ms(moment) == divmod((moment - EPOCH) // MS, DAY_MS)


def test_the_writers_last_day_follows_the_programs_rules_when_they_change() -> None:
    """Points added after the program's rules changed expire by the new rules."""
    fake = LoyaltyFake(seed=1, now="2024-06-01T00:00:00Z")
    with fake.ledger.session(fake.app_id, undoable=False) as session:
        program = session.campaigns.create(
            name="P",
            type="AUTO_UPDATE",
            vouchers_count=2,
            expiration_rules=ExpirationRules("MONTH", period_value=6),
        )
        writer = BulkWriter(session, program)
        card = writer.join("c1", _PROFILE, fake.clock.now())
        at = fake.clock.now()
        writer.add(card, 10, at, "Purchases")
        assert card.buckets[-1].last_day == dt.date(2024, 12, 1)
        program.expiration_rules = ExpirationRules("MONTH", period_value=2)
        writer.add(card, 10, at, "Purchases")
        assert card.buckets[0].last_day == Points.last_day(program, at) == dt.date(2024, 8, 1)


@given(_MOMENTS.filter(lambda moment: 1 < moment.year < 9999))  # the rules' dates exist
def test_the_writers_last_day_is_the_rules_last_day(moment: dt.datetime) -> None:
    """Worked out once a day or each time, points earned at a moment have the rules' last day."""
    fake = LoyaltyFake(seed=1, now="2024-06-01T00:00:00Z")
    rules = ExpirationRules("MONTH", period_value=6, rounding_type="END_OF_MONTH")
    with fake.ledger.session(fake.app_id, undoable=False) as session:
        program = session.campaigns.create(name="P", type="AUTO_UPDATE", expiration_rules=rules)
        writer = BulkWriter(session, program)
        for at in (moment, moment.replace(hour=23, minute=59), moment.astimezone(_UTC)):
            assert writer._last_day(at) == Points.last_day(program, at)


_PROFILE: SeedProfile = ("A B", "a@b.c", "+1", ("1 Main St", "X", "1000", "US"), ())


def test_progress_is_reported_every_thousand_members_of_all_programs() -> None:
    """Members seeded in batches still report at every thousandth member and at the end."""
    fake = LoyaltyFake(seed=2, now="2024-06-01T00:00:00Z")
    reports: list[tuple[int, int]] = []
    seed_demo(fake, seed=2, programs=2, members=1500, progress=lambda *done: reports.append(done))
    assert reports == [(1000, 3000), (2000, 3000), (3000, 3000)]


@given(
    _MOMENTS.filter(lambda now: now.year > 1),  # a year back from now is still a date
    st.integers(0, _HISTORY_DAYS - 1),
    st.integers(0, _DAY_MINUTES - 1),
)
def test_a_moment_back_is_the_instant_counted_back_in_minutes(
    now: dt.datetime, day: int, minute: int
) -> None:
    """A day's moment less the minutes is the moment that many minutes before now."""
    day_moment = now - _MINUTE * (day * _DAY_MINUTES)
    assert day_moment - _MINUTES_BACK[minute] == now - _MINUTE * (day * _DAY_MINUTES + minute)


def test_the_writer_packs_texts_where_each_cards_table_keeps_them() -> None:
    """A card with a text table of its own has its movements' texts kept in that table."""
    fake = LoyaltyFake(seed=1, now="2024-06-01T00:00:00Z")
    with fake.ledger.session(fake.app_id, undoable=False) as session:
        program = session.campaigns.create(name="P", type="AUTO_UPDATE", vouchers_count=2)
        writer = BulkWriter(session, program)
        at = fake.clock.now()
        shared = writer.join("c1", _PROFILE, at)
        writer.add(shared, 10, at, "Gift")
        own = writer.join("c2", ("C", "c@d.e", *_PROFILE[2:]), at)
        own.transaction_texts = TextTable([("API", "Other", None, "MANUAL")])
        writer.add(own, 10, at, "Gift")
        assert [t.reason for t in own.transactions] == ["Gift"]
        assert [t.reason for t in shared.transactions] == ["Gift"]


def test_members_written_with_the_same_metadata_share_it_safely() -> None:
    """The writer's shared metadata is the project's; changing one member's leaves the other's."""
    fake = LoyaltyFake(seed=1, now="2024-06-01T00:00:00Z")
    drink = (("favourite_drink", "chai"),)
    with fake.ledger.session(fake.app_id, undoable=False) as session:
        program = session.campaigns.create(name="P", type="AUTO_UPDATE", vouchers_count=2)
        writer = BulkWriter(session, program)
        at = fake.clock.now()
        first = writer.join("c1", (*_PROFILE[:4], drink), at)
        second = writer.join("c2", ("C", "c@d.e", *_PROFILE[2:4], drink), at)
        customers = session.project.customers
        one, two = customers[first.holder_id or ""], customers[second.holder_id or ""]
        assert one.metadata is two.metadata
        assert one.metadata is session.project.shared({"favourite_drink": "chai"})
        assert one.address == {
            "line_1": "1 Main St",
            "city": "X",
            "postal_code": "1000",
            "country": "US",
        }
        session.customers.update("c1", {"metadata": {"favourite_drink": "tea"}})
        assert one.metadata == {"favourite_drink": "tea"}
        assert two.metadata == {"favourite_drink": "chai"}


def test_the_records_made_by_position_have_their_fields_in_that_order() -> None:
    """Seeding's records made with positional arguments get each value in its own field."""
    expected = {
        Customer: ("id", "source_id", "created_at", "updated_at", "name", "email", "phone"),
        PointsBucket: ("seq", "card_code", "last_day", "points", "created_at"),
        LoyaltyCard: (
            "code",
            "campaign_id",
            "seq",
            "created_at",
            "updated_at",
            "points",
            "category",
        ),
        Publication: (
            "created_at",
            "customer_id",
            "campaign_id",
            "campaign_name",
            "voucher_code",
            "source_id",
            "channel",
            "metadata",
        ),
    }
    for record, names in expected.items():
        assert tuple(field.name for field in attrs.fields(record))[: len(names)] == names
