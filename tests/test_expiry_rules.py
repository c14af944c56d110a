"""Expiration rules as dates: the last day points can be spent."""

from __future__ import annotations

import datetime as dt

import pytest

from loyalty_fake.expiry import ExpirationRules, expires_at

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
