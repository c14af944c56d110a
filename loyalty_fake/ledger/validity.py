"""When a program or an earning rule is in force: dates, recurring time frames, days, hours.

Voucherify's validity settings as one value: ``start_date``/``expiration_date``,
``validity_timeframe`` (``{duration, interval}``, ISO 8601 durations, windows counted from
``start_date``), ``validity_day_of_week`` (0 is Sunday) and ``validity_hours.daily``
(``HH:mm`` periods on given days). Times are the fake's clock in UTC, the project's time
zone.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import TYPE_CHECKING, Any

import attrs

if TYPE_CHECKING:
    from collections.abc import Mapping

__all__ = ["Validity", "clock_minutes", "parse_duration"]

_UTC = dt.timezone.utc
# Weeks, days, hours, minutes, seconds: lengths that do not depend on the calendar.
_DURATION = re.compile(
    r"P(?:(?P<weeks>\d+)W)?(?:(?P<days>\d+)D)?"
    r"(?:T(?:(?P<hours>\d+)H)?(?:(?P<minutes>\d+)M)?(?:(?P<seconds>\d+)S)?)?"
)
_CLOCK = re.compile(r"([01]\d|2[0-3]):([0-5]\d)")
# Python's weekday() counts from Monday; Voucherify's days from Sunday.
_SUNDAY_FIRST = 1
_DAYS = 7
_LONGEST = dt.timedelta(days=366 * 100)


def parse_duration(text: str) -> dt.timedelta | None:
    """An ISO 8601 duration in weeks, days, hours, minutes and seconds; ``None`` otherwise.

    ``P1D``, ``PT1H``, ``P1W``, ``P1DT12H``; a zero duration, or one longer than a
    hundred years, is none.
    """
    found = _DURATION.fullmatch(text)
    if found is None or text in {"P", "PT"} or text.endswith("T"):
        return None
    parts = {key: int(value) for key, value in found.groupdict().items() if value}
    try:
        length = dt.timedelta(**parts)
    except OverflowError:
        return None
    return length if dt.timedelta(0) < length <= _LONGEST else None


def clock_minutes(text: str) -> int | None:
    """``HH:mm`` as minutes after midnight; ``None`` when it is not a time of day."""
    found = _CLOCK.fullmatch(text)
    return int(found[1]) * 60 + int(found[2]) if found else None


def _timeframe(raw: Any) -> tuple[dt.timedelta, dt.timedelta | None] | None:
    if not isinstance(raw, dict):
        return None
    duration = raw.get("duration")
    interval = raw.get("interval")
    length = parse_duration(duration) if isinstance(duration, str) else None
    if length is None:
        return None
    every = parse_duration(interval) if isinstance(interval, str) else None
    return length, every


def _days(raw: Any) -> frozenset[int] | None:
    if not isinstance(raw, list):
        return None
    return frozenset(day for day in raw if isinstance(day, int) and 0 <= day < _DAYS)


def _hours(raw: Any) -> tuple[tuple[frozenset[int] | None, int, int], ...] | None:
    daily = raw.get("daily") if isinstance(raw, dict) else None
    if not isinstance(daily, list):
        return None
    periods = []
    for period in daily:
        if not isinstance(period, dict):
            continue
        start = period.get("start_time")
        end = period.get("expiration_time")
        first = clock_minutes(start) if isinstance(start, str) else None
        last = clock_minutes(end) if isinstance(end, str) else None
        if first is not None and last is not None:
            periods.append((_days(period.get("days_of_week")), first, last))
    return tuple(periods) or None


@attrs.frozen
class Validity:
    """A time frame: in force at an instant when every part of it says so.

    A part left out says nothing. Read tolerantly from what a program or rule keeps:
    a part that cannot be read says nothing either (requests are checked beforehand).
    """

    start_date: dt.datetime | None = None
    expiration_date: dt.datetime | None = None
    timeframe: tuple[dt.timedelta, dt.timedelta | None] | None = None
    days_of_week: frozenset[int] | None = None
    hours: tuple[tuple[frozenset[int] | None, int, int], ...] | None = None

    @classmethod
    def of(
        cls,
        start_date: dt.datetime | None,
        expiration_date: dt.datetime | None,
        settings: Mapping[str, Any],
    ) -> Validity:
        """The time frame of these dates and validity settings (as requests give them)."""
        return cls(
            start_date=start_date,
            expiration_date=expiration_date,
            timeframe=_timeframe(settings.get("validity_timeframe")),
            days_of_week=_days(settings.get("validity_day_of_week")),
            hours=_hours(settings.get("validity_hours")),
        )

    @property
    def empty(self) -> bool:
        """Whether no part is set: then another time frame (the program's) applies."""
        return self == _ALWAYS

    def allows(self, now: dt.datetime) -> bool:
        """Whether ``now`` lies within the time frame.

        Dates are inclusive. A recurring time frame is in force for ``duration`` from
        ``start_date`` and then from every ``interval`` after it (only the first window
        without an interval). An ``HH:mm`` period includes both its minutes; one that ends
        before it starts runs past midnight.
        """
        if self.start_date is not None and now < self.start_date:
            return False
        if self.expiration_date is not None and now > self.expiration_date:
            return False
        utc = now.astimezone(_UTC)
        day = (utc.weekday() + _SUNDAY_FIRST) % _DAYS
        if self.days_of_week is not None and day not in self.days_of_week:
            return False
        if self.timeframe is not None and self.start_date is not None:
            duration, interval = self.timeframe
            elapsed = now - self.start_date
            if interval is not None:
                elapsed %= interval
            if elapsed >= duration:
                return False
        if self.hours is not None:
            minute = utc.hour * 60 + utc.minute
            return any(
                (days is None or day in days)
                and (
                    first <= minute <= last if first <= last else minute >= first or minute <= last
                )
                for days, first, last in self.hours
            )
        return True


_ALWAYS = Validity()
