"""The injectable clock and Voucherify's timestamp format."""

from __future__ import annotations

import datetime as dt

import pytest

from loyalty_fake import Clock, LoyaltyFake
from loyalty_fake.clock import format_timestamp, parse_timestamp

UTC = dt.timezone.utc


def test_unfrozen_clock_follows_real_time() -> None:
    """Nobody froze it: now() is the real time, to the millisecond."""
    before = dt.datetime.now(UTC) - dt.timedelta(milliseconds=1)
    now = Clock().now()
    assert before <= now <= dt.datetime.now(UTC)
    assert now.microsecond % 1000 == 0


def test_frozen_clock_stands_still_and_advances() -> None:
    """A frozen clock moves only when advanced or set."""
    clock = Clock("2024-01-01T00:00:00Z")
    assert clock.now() == clock.now() == dt.datetime(2024, 1, 1, tzinfo=UTC)
    clock.advance(days=30, hours=1)
    assert clock.now() == dt.datetime(2024, 1, 31, 1, tzinfo=UTC)
    clock.set("2020-02-02")
    assert clock.now() == dt.datetime(2020, 2, 2, tzinfo=UTC)


def test_advance_rejects_going_back() -> None:
    """advance() never moves time backwards."""
    with pytest.raises(ValueError, match="forward"):
        Clock().advance(seconds=-1)


def test_advance_freezes_a_running_clock() -> None:
    """Advancing a running clock freezes it at now plus the step."""
    clock = Clock()
    moved = clock.advance(minutes=5)
    assert clock.frozen
    assert moved - dt.datetime.now(UTC) > dt.timedelta(minutes=4)
    clock.unfreeze()
    assert not clock.frozen


def test_timestamps_follow_the_fake_clock() -> None:
    """created_at and updated_at come from the fake's clock, formatted as Voucherify does."""
    fake = LoyaltyFake(now="2024-06-01T12:00:00.5Z")
    program = fake.create_loyalty_program("P", vouchers_count=1)
    assert program["created_at"] == "2024-06-01T12:00:00.500Z"
    fake.clock.advance(days=1)
    member = fake.add_member("P", "alice")
    assert member["updated_at"] == "2024-06-02T12:00:00.500Z"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2016-11-16", dt.datetime(2016, 11, 16, tzinfo=UTC)),
        ("2016-11-16T14:14:31Z", dt.datetime(2016, 11, 16, 14, 14, 31, tzinfo=UTC)),
        ("2016-11-16T14:14:31.227Z", dt.datetime(2016, 11, 16, 14, 14, 31, 227000, tzinfo=UTC)),
        ("2016-11-16T14:14:31+00:00", dt.datetime(2016, 11, 16, 14, 14, 31, tzinfo=UTC)),
        ("2016-11-16T16:14:31+02:00", dt.datetime(2016, 11, 16, 14, 14, 31, tzinfo=UTC)),
        ("2016-11-16T14:14:31", dt.datetime(2016, 11, 16, 14, 14, 31, tzinfo=UTC)),
        ("2016-11-16T14:14:31.123456", dt.datetime(2016, 11, 16, 14, 14, 31, 123456, tzinfo=UTC)),
        ("2016-11-16T14:14:31.1Z", dt.datetime(2016, 11, 16, 14, 14, 31, 100000, tzinfo=UTC)),
    ],
)
def test_parse_timestamp_accepts_iso_8601(text: str, expected: dt.datetime) -> None:
    """Dates, Z, offsets, no offset and any fraction are understood."""
    assert parse_timestamp(text) == expected


@pytest.mark.parametrize(
    "text", ["", "yesterday", "2016-13-01", "16-11-16", " 2016-11-16", "2016-11-16T"]
)
def test_parse_timestamp_rejects_garbage(text: str) -> None:
    """Anything else is a ValueError (the HTTP layer turns it into a 400)."""
    with pytest.raises(ValueError, match=r"."):
        parse_timestamp(text)


def test_format_timestamp_is_utc_millis_z() -> None:
    """Output is ISO 8601 in UTC with milliseconds and Z."""
    moment = dt.datetime(2024, 1, 2, 5, 4, 5, 678900, tzinfo=dt.timezone(dt.timedelta(hours=2)))
    assert format_timestamp(moment) == "2024-01-02T03:04:05.678Z"


def test_running_clock_reads_whole_milliseconds_of_real_time(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """now() reads time.time_ns() in whole ms: datetime.now(UTC) truncated, near and far."""
    clock = Clock()
    for ns in (0, 1, 999_999, 1_000_000, 1_733_540_123_456_789_012, 4_102_444_799_999_999_999):
        monkeypatch.setattr("loyalty_fake.clock.time.time_ns", lambda ns=ns: ns)
        exact = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc) + dt.timedelta(
            microseconds=ns // 1000
        )
        now = clock.now()
        assert now == exact.replace(microsecond=exact.microsecond // 1000 * 1000)
        assert now.tzinfo is dt.timezone.utc
    monkeypatch.undo()
    before = dt.datetime.now(dt.timezone.utc)
    now = clock.now()
    assert before.replace(microsecond=before.microsecond // 1000 * 1000) <= now
    assert now <= dt.datetime.now(dt.timezone.utc)
    assert now.microsecond % 1000 == 0
