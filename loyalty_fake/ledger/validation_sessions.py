"""Validation sessions: a validation's ``LOCK`` on the points it would spend.

"If you only send the type parameter in the request, then by default the session lock will
be established for 7 days" (``Session``); a key sent again replaces the session.
"""

from __future__ import annotations

import datetime as dt

import attrs

__all__ = [
    "DEFAULT_SESSION",
    "SESSION_KEY_CHARS",
    "SESSION_UNITS",
    "ValidationSession",
    "expiry",
]

# Session.ttl_unit; "If you only send the type parameter ... the session lock will be
# established for 7 days."
SESSION_UNITS: dict[str, dt.timedelta] = {
    "DAYS": dt.timedelta(days=1),
    "HOURS": dt.timedelta(hours=1),
    "MINUTES": dt.timedelta(minutes=1),
    "SECONDS": dt.timedelta(seconds=1),
    "MILLISECONDS": dt.timedelta(milliseconds=1),
    "MICROSECONDS": dt.timedelta(microseconds=1),
    "NANOSECONDS": dt.timedelta(microseconds=1) / 1000,
}
DEFAULT_SESSION = (7, "DAYS")
SESSION_KEY_CHARS = "0123456789abcdefghijklmnopqrstuvwxyz"


def expiry(now: dt.datetime, ttl: float, unit: str) -> dt.datetime:
    """When a session made ``now`` for ``ttl`` ``unit`` lapses; a ttl past the calendar: never."""
    try:
        return now + SESSION_UNITS[unit] * ttl
    except OverflowError:
        return dt.datetime.max.replace(tzinfo=dt.timezone.utc)


@attrs.define(eq=False)
class ValidationSession:
    """A validation's ``LOCK``: the points it holds per card code until ``expires_at``."""

    key: str
    created_at: dt.datetime
    expires_at: dt.datetime
    ttl: float
    ttl_unit: str
    locks: dict[str, int] = attrs.field(factory=dict)
