"""Expiration rules as dates: the last day points can be spent."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from loyalty_fake import LoyaltyFake
from loyalty_fake.ledger.expiry import ExpirationRules, expires_at

UTC = dt.timezone.utc


def _earned(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.mark.parametrize(
    ("rules", "earned", "last_day"),
    [
        (ExpirationRules("MONTH", 1), "2024-01-25T10:00:00", "2024-02-25"),
        (ExpirationRules("MONTH", 1), "2023-01-31T10:00:00", "2023-02-28"),
        (ExpirationRules("MONTH", 1), "2024-01-31T10:00:00", "2024-02-29"),
        (ExpirationRules("MONTH", 0), "2024-01-25T23:59:00", "2024-01-25"),
        (ExpirationRules("MONTH", 12), "2024-02-29T00:00:00", "2025-02-28"),
        (ExpirationRules("MONTH", 1, "END_OF_MONTH"), "2024-01-25T00:00:00", "2024-02-29"),
        (ExpirationRules("MONTH", 3, "END_OF_QUARTER"), "2024-01-25T00:00:00", "2024-06-30"),
        (ExpirationRules("MONTH", 0, "END_OF_QUARTER"), "2024-12-01T00:00:00", "2024-12-31"),
        (ExpirationRules("MONTH", 1, "END_OF_HALF_YEAR"), "2024-06-15T00:00:00", "2024-12-31"),
        (ExpirationRules("MONTH", 1, "END_OF_HALF_YEAR"), "2024-04-15T00:00:00", "2024-06-30"),
        (ExpirationRules("MONTH", 2, "END_OF_YEAR"), "2024-11-15T00:00:00", "2025-12-31"),
        (ExpirationRules("MONTH", 1, "PARTICULAR_MONTH", 3), "2024-01-10T00:00:00", "2024-03-31"),
        (ExpirationRules("MONTH", 1, "PARTICULAR_MONTH", 3), "2024-05-10T00:00:00", "2025-03-31"),
        (
            ExpirationRules("FIXED_DAY_OF_YEAR", fixed_month=3, fixed_day=31),
            "2024-01-10T00:00:00",
            "2024-03-31",
        ),
        (
            ExpirationRules("FIXED_DAY_OF_YEAR", fixed_month=3, fixed_day=31),
            "2024-03-31T00:00:00",
            "2025-03-31",
        ),
        (
            ExpirationRules("FIXED_DAY_OF_YEAR", fixed_month=2, fixed_day=30),
            "2024-12-10T00:00:00",
            "2025-02-28",
        ),
    ],
)
def test_last_day(rules: ExpirationRules, earned: str, last_day: str) -> None:
    """Months add with end-of-month clamping, then round up; fixed days come next year if passed."""
    assert rules.last_day(_earned(earned)) == dt.date.fromisoformat(last_day)


def test_points_expire_at_the_following_midnight() -> None:
    """Points valid through a day expire at midnight UTC after it."""
    assert expires_at(dt.date(2024, 2, 25)) == dt.datetime(2024, 2, 26, tzinfo=UTC)


def test_rules_echo_only_given_fields() -> None:
    """The rules come back with the fields that were given, nothing invented."""
    assert ExpirationRules("MONTH", 3, "END_OF_QUARTER").to_json() == {
        "period_type": "MONTH",
        "period_value": 3,
        "rounding_type": "END_OF_QUARTER",
    }


@pytest.mark.parametrize(
    ("rules", "earned"),
    [
        (ExpirationRules("MONTH", 1200), "9950-01-01T00:00:00"),
        (ExpirationRules("MONTH", 1), "9999-12-15T00:00:00"),
        (ExpirationRules("MONTH", 0, "PARTICULAR_MONTH", 1), "9999-12-15T00:00:00"),
        (ExpirationRules("FIXED_DAY_OF_YEAR", fixed_month=1, fixed_day=1), "9999-06-01T00:00:00"),
    ],
)
def test_a_last_day_past_the_calendar_is_its_last_day(rules: ExpirationRules, earned: str) -> None:
    """Rules that land after 9999-12-31 give 9999-12-31, as late as a date goes."""
    assert rules.last_day(_earned(earned)) == dt.date.max


def test_points_valid_through_the_last_day_never_expire() -> None:
    """Points valid through 9999-12-31 expire after any moment the clock can reach."""
    assert expires_at(dt.date.max) > dt.datetime(9999, 12, 31, 23, 59, 59, 999000, tzinfo=UTC)


@pytest.mark.parametrize(
    ("now", "rules", "body"),
    [
        ("2024-06-01T00:00:00Z", None, {"points": 5, "expiration_date": "9999-12-31T00:00:00Z"}),
        ("9999-12-31T12:00:00Z", {"period_type": "MONTH", "period_value": 1}, {"points": 5}),
        ("9950-01-01T00:00:00Z", {"period_type": "MONTH", "period_value": 1200}, {"points": 5}),
    ],
)
def test_points_at_the_end_of_the_calendar_are_added(
    now: str, rules: dict[str, Any] | None, body: dict[str, Any]
) -> None:
    """Points whose last day is 9999-12-31 are added, listed and never expire: not a 500."""
    with LoyaltyFake(now=now) as fake:
        card = {"loyalty_card": {"expiration_rules": rules}} if rules else {}
        fake.create_loyalty_program("P", voucher=card)
        code = fake.add_member("P", "alice")["code"]
        assert fake.add_points(code, **body)["balance"] == 5
        buckets = fake.request("GET", f"/v1/loyalties/P/members/{code}/points-expiration").json()
        assert [bucket["expires_at"] for bucket in buckets["data"]] == ["9999-12-31"]
        fake.clock.set("9999-12-31T23:59:59.999Z")
        assert fake.get_member(code)["loyalty_card"]["balance"] == 5
        assert not fake.app.internal_errors
