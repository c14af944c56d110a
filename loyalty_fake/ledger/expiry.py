"""When loyalty points expire: a program's ``expiration_rules`` as date arithmetic.

An expiry is a *date*: the last day the points can be spent. They expire when the
clock reaches midnight UTC after it (Voucherify: "points earned on 25 Jan with a
one-month rule stay usable through 25 Feb and expire at midnight").
"""

from __future__ import annotations

import calendar
import datetime as dt
import functools
from typing import Any, Literal

import attrs

__all__ = ["ExpirationRules", "PeriodType", "RoundingType", "expires_at"]

PeriodType = Literal["MONTH", "FIXED_DAY_OF_YEAR"]
RoundingType = Literal[
    "END_OF_MONTH", "END_OF_QUARTER", "END_OF_HALF_YEAR", "END_OF_YEAR", "PARTICULAR_MONTH"
]
_UTC = dt.timezone.utc
_MONTHS_IN_YEAR = 12


def _month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def _add_months(day: dt.date, months: int) -> dt.date:
    # 31 Jan + 1 month is 28 (or 29) Feb: the day is clamped to the target month's end.
    index = day.year * _MONTHS_IN_YEAR + day.month - 1 + months
    year, month = divmod(index, _MONTHS_IN_YEAR)
    if year > dt.MAXYEAR:
        return dt.date.max  # the last day a date can be; see expires_at
    return dt.date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def _round_up(day: dt.date, rounding: RoundingType, value: int | None) -> dt.date:
    if rounding == "END_OF_MONTH":
        return _month_end(day.year, day.month)
    if rounding == "END_OF_QUARTER":
        return _month_end(day.year, (day.month - 1) // 3 * 3 + 3)
    if rounding == "END_OF_HALF_YEAR":
        return _month_end(day.year, 6 if day.month <= 6 else 12)  # noqa: PLR2004 - June
    if rounding == "END_OF_YEAR":
        return _month_end(day.year, 12)
    # PARTICULAR_MONTH: the end of the next month numbered ``value`` (1 = January, as
    # fixed_month counts) on or after the date.
    month = value or day.month
    year = day.year if month >= day.month else day.year + 1
    return _month_end(year, month) if year <= dt.MAXYEAR else dt.date.max


@attrs.frozen(cache_hash=True)  # the key of last_day's cache, looked up on every addition
class ExpirationRules:
    """A program's ``voucher.loyalty_card.expiration_rules``."""

    period_type: PeriodType
    period_value: int | None = None
    rounding_type: RoundingType | None = None
    rounding_value: int | None = None
    fixed_month: int | None = None
    fixed_day: int | None = None

    def last_day(self, earned: dt.datetime) -> dt.date:
        """The last day points earned at ``earned`` can be spent."""
        return _last_day(self, earned.astimezone(_UTC).date())

    def _last_day(self, day: dt.date) -> dt.date:
        if self.period_type == "FIXED_DAY_OF_YEAR":
            month = self.fixed_month or 12
            fixed_day = self.fixed_day or 31
            for year in (day.year, day.year + 1):
                if year > dt.MAXYEAR:
                    return dt.date.max
                candidate = dt.date(
                    year, month, min(fixed_day, calendar.monthrange(year, month)[1])
                )
                # Points earned on the fixed day itself last until next year's.
                if candidate > day:
                    return candidate
        target = _add_months(day, self.period_value or 0)
        if self.rounding_type is not None:
            target = _round_up(target, self.rounding_type, self.rounding_value)
        return target

    def to_json(self) -> dict[str, Any]:
        """The rules as Voucherify returns them: the fields that were given."""
        return {
            key: value
            for key, value in (
                ("period_type", self.period_type),
                ("period_value", self.period_value),
                ("rounding_type", self.rounding_type),
                ("rounding_value", self.rounding_value),
                ("fixed_month", self.fixed_month),
                ("fixed_day", self.fixed_day),
            )
            if value is not None
        }


# Every movement asks; the answer depends only on the rules and the day.
_last_day = functools.lru_cache(maxsize=4096)(ExpirationRules._last_day)  # noqa: SLF001


@functools.lru_cache(maxsize=4096)
def expires_at(last_day: dt.date) -> dt.datetime:
    """The instant points valid through ``last_day`` expire: the following midnight, UTC.

    Points valid through 9999-12-31 (as late as a date goes, which is also where dates
    the rules put later end up) expire past any moment the clock can reach.
    """
    if last_day == dt.date.max:
        return dt.datetime.max.replace(tzinfo=_UTC)
    return dt.datetime.combine(last_day + dt.timedelta(days=1), dt.time(), tzinfo=_UTC)
