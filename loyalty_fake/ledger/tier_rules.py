"""Loyalty tiers as date and points arithmetic: a program's ``loyalty_tiers_expiration``.

Which tier a value qualifies for, the calendar periods ``POINTS_IN_PERIOD`` counts in,
when a tier a member reached ends (``END_OF_PERIOD``, ``END_OF_NEXT_PERIOD``, ``CUSTOM``
with ``extend`` and ``rounding``; ``BALANCE_DROP`` never), and a tier's mappings of an
earning rule's or a reward's points (``MULTIPLY``, ``CUSTOM``). Pure functions: the
ledger (``tiers.py``) keeps the state.
"""

from __future__ import annotations

import calendar
import datetime as dt
import math
import re
from fractions import Fraction
from typing import TYPE_CHECKING, Any

import attrs

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

__all__ = [
    "DEFAULT_SETTINGS",
    "QUALIFICATION_PERIODS",
    "TierRange",
    "TierSettings",
    "add_duration",
    "map_points",
    "period_of",
    "qualifying",
]

QUALIFICATION_PERIODS = {"MONTH": 1, "QUARTER": 3, "HALF_YEAR": 6, "YEAR": 12}
_DURATION = re.compile(r"P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?")
_MONTHS = 12


@attrs.frozen
class TierSettings:
    """A program's ``loyalty_tiers_expiration``, its defaults filled in.

    Without one, a program's tiers follow the balance and drop with it (``BALANCE``,
    ``IMMEDIATE``, ``BALANCE_DROP``), as Voucherify's examples show a program's.
    """

    qualification_type: str = "BALANCE"
    qualification_period: str = "YEAR"
    start_type: str = "IMMEDIATE"
    expiration_type: str = "BALANCE_DROP"
    extend: str | None = None
    rounding: Mapping[str, Any] | None = None

    @classmethod
    def of(cls, raw: Mapping[str, Any] | None) -> TierSettings:
        """The settings a program keeps as given (``None``: the defaults).

        Read once per settings object (a program's update replaces it): every movement
        of a tiered member asks.
        """
        if not raw:
            return DEFAULT_SETTINGS
        cached = _READ.get(id(raw))
        if cached is not None and cached[0] is raw:
            return cached[1]
        if len(_READ) >= _READ_LIMIT:
            _READ.clear()
        found = cls._read(raw)
        _READ[id(raw)] = (raw, found)  # the entry holds raw: its id is not reused meanwhile
        return found

    @classmethod
    def _read(cls, raw: Mapping[str, Any]) -> TierSettings:
        start = raw.get("start_date") or {}
        expiration = raw.get("expiration_date") or {}
        return cls(
            qualification_type=raw.get("qualification_type") or "BALANCE",
            qualification_period=raw.get("qualification_period") or "YEAR",
            start_type=start.get("type") or "IMMEDIATE",
            expiration_type=expiration.get("type") or "BALANCE_DROP",
            extend=expiration.get("extend"),
            rounding=expiration.get("rounding"),
        )

    @property
    def in_period(self) -> bool:
        """Whether tiers count the points collected in a calendar period (not the balance)."""
        return self.qualification_type == "POINTS_IN_PERIOD"

    def starts(self, today: dt.date) -> dt.date:
        """The day a tier qualified for ``today`` starts: today, or the next period's first."""
        if self.in_period and self.start_type == "NEXT_PERIOD":
            return period_of(today, self.qualification_period)[1] + dt.timedelta(days=1)
        return today

    def last_day(self, start: dt.date) -> dt.date | None:
        """The last day of a tier that starts on ``start``; ``None`` while the balance holds it."""
        kind = self.expiration_type
        if kind == "BALANCE_DROP":
            return None
        if kind == "CUSTOM":
            # "The expiration date counter starts at the moment when the customer reaches
            # the minimum required points."
            end = add_duration(start, self.extend or "P0D")
        else:
            end = period_of(start, self.qualification_period)[1]
            if kind == "END_OF_NEXT_PERIOD":
                end = period_of(end + dt.timedelta(days=1), self.qualification_period)[1]
            if self.extend:
                end = add_duration(end, self.extend)
        return _rounded(end, self.rounding) if self.rounding else end


DEFAULT_SETTINGS = TierSettings()
_READ: dict[int, tuple[Mapping[str, Any], TierSettings]] = {}
_READ_LIMIT = 1024


def _month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def period_of(day: dt.date, period: str) -> tuple[dt.date, dt.date]:
    """The first and last day of the calendar ``period`` (MONTH, QUARTER, ...) ``day`` is in."""
    months = QUALIFICATION_PERIODS.get(period, _MONTHS)
    first = (day.month - 1) // months * months + 1
    return dt.date(day.year, first, 1), _month_end(day.year, first + months - 1)


def add_duration(day: dt.date, duration: str) -> dt.date:
    """``day`` plus an ISO 8601 duration of years, months, weeks and days (``P3M``, ``P1Y2D``).

    A month added to the 31st lands on the target month's last day, as points' expiry does.
    """
    found = _DURATION.fullmatch(duration)
    if found is None:
        return day
    years, months, weeks, days = (int(part or 0) for part in found.groups())
    index = day.year * _MONTHS + day.month - 1 + years * _MONTHS + months
    year, month = divmod(index, _MONTHS)
    if year > dt.MAXYEAR - 1:
        return dt.date.max
    moved = dt.date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))
    return moved + dt.timedelta(days=7 * weeks + days)


def valid_duration(duration: str) -> bool:
    """Whether ``duration`` is an ISO 8601 duration of years, months, weeks or days."""
    return duration != "P" and _DURATION.fullmatch(duration) is not None


def _rounded(day: dt.date, rounding: Mapping[str, Any]) -> dt.date:
    """``day`` rounded to the start or end of its month, quarter, half-year or year.

    ``CUSTOM``: to the start or end of the next month numbered ``value`` (0 = January)
    on or after ``day``.
    """
    kind = rounding.get("type") or "MONTH"
    strategy = rounding.get("strategy") or "END"
    if kind == "CUSTOM":
        month = int(rounding.get("value") or 0) + 1
        year = day.year if month >= day.month else day.year + 1
        if year > dt.MAXYEAR:
            return dt.date.max
        return _month_end(year, month) if strategy == "END" else dt.date(year, month, 1)
    first, last = period_of(day, kind)
    return last if strategy == "END" else first


@attrs.frozen
class TierRange:
    """What ``qualifying`` needs of a tier: its ID and ``points.from``/``to`` (``None``: open)."""

    id: str
    points_from: int | None
    points_to: int | None

    def holds(self, value: int) -> bool:
        """Whether ``value`` is in the tier's range, both ends included."""
        low = self.points_from if self.points_from is not None else 0
        return low <= value and (self.points_to is None or value <= self.points_to)

    @property
    def rank(self) -> int:
        """Where the tier stands: its ``points.from`` (higher is a better tier)."""
        return self.points_from or 0


def qualifying(tiers: Iterable[TierRange], value: int) -> TierRange | None:
    """The best tier whose range holds ``value``; ``None`` when none does (or ``value`` <= 0)."""
    if value <= 0:
        return None
    best: TierRange | None = None
    for tier in tiers:
        if tier.holds(value) and (best is None or tier.rank > best.rank):
            best = tier
    return best


def map_points(points: int, mapping: Mapping[str, Any] | None) -> int:
    """Points as a tier maps them: ``MULTIPLY`` (rounded down) or ``CUSTOM`` (fixed)."""
    if not mapping:
        return points
    if mapping.get("type") == "CUSTOM":
        return int(mapping.get("points") or 0)
    multiplier = mapping.get("multiplier")
    if multiplier is None:
        return points
    return math.floor(points * Fraction(str(multiplier)))
