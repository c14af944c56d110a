"""The optional rate limiter: Voucherify's API limits per project, counted on the fake's clock.

Voucherify limits the API calls a project makes in a period (per hour on its Free to
Professional plans, per minute on Business and Organization, either on Enterprise) and
tells every answer where the count stands: ``X-Rate-Limit-Limit`` (the calls a period
allows), ``X-Rate-Limit-Remaining`` (the calls left in it) and ``X-Rate-Limit-Retry``
(when the next call can be made, in Unix epoch seconds). A call over the limit is answered
429 ``too_many_requests``, with ``Retry-After`` too. Off unless asked for
(``LoyaltyFake(rate_limit="10/s,1000/h")``); the periods are fixed windows of the fake's
clock, so a frozen clock counts the same way every run and moving it opens the next one.
"""

from __future__ import annotations

import math
import re
import threading
from typing import TYPE_CHECKING

import attrs

from loyalty_fake.errors import VoucherifyError

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Mapping

    from loyalty_fake.http.messages import Request

__all__ = ["RateLimit", "RateLimiter", "Verdict", "project_of", "rate_limit", "too_many_requests"]

# The periods a limit can be counted over, in seconds, by the word ``RateLimit`` uses.
_PERIODS = {"second": 1, "minute": 60, "hour": 3600}
_UNITS = {
    "s": "second", "sec": "second", "second": "second",
    "m": "minute", "min": "minute", "minute": "minute",
    "h": "hour", "hr": "hour", "hour": "hour",
}  # fmt: skip
_PART = re.compile(r"^\s*(\d+)\s*/\s*([a-z]+)\s*$")


def _count(value: int | None) -> int | None:
    if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 1):
        msg = f"a rate limit is a whole number of calls, 1 or more, not {value!r}"
        raise ValueError(msg)
    return value


@attrs.frozen
class RateLimit:
    """How many calls a project may make per second, per minute and per hour (``None``: any)."""

    per_second: int | None = attrs.field(default=None, converter=_count)
    per_minute: int | None = attrs.field(default=None, converter=_count)
    per_hour: int | None = attrs.field(default=None, converter=_count)

    def __attrs_post_init__(self) -> None:
        if not self.windows():
            msg = "a rate limit needs per_second, per_minute or per_hour"
            raise ValueError(msg)

    def windows(self) -> tuple[tuple[int, int], ...]:
        """(period in seconds, calls allowed in it), shortest period first."""
        return tuple(
            (seconds, limit)
            for word, seconds in _PERIODS.items()
            if (limit := getattr(self, f"per_{word}")) is not None
        )

    def __str__(self) -> str:
        short = {1: "s", 60: "min", 3600: "h"}
        return ",".join(f"{limit}/{short[seconds]}" for seconds, limit in self.windows())


def rate_limit(value: RateLimit | str | Mapping[str, int] | None) -> RateLimit | None:
    """A ``RateLimit`` from itself, ``"10/s,1000/h"`` or ``{"per_second": 10}``; ``None``: off.

    Raises ``ValueError`` for anything else.
    """
    if value is None or isinstance(value, RateLimit):
        return value
    if isinstance(value, str):
        counts: dict[str, int] = {}
        for part in value.lower().split(","):
            match = _PART.match(part)
            if match is None or match.group(2) not in _UNITS:
                msg = f"{part.strip()!r} is not a rate limit: write calls/period, as 10/s, "
                raise ValueError(msg + "100/min or 1000/h (several: 10/s,1000/h)")
            counts[f"per_{_UNITS[match.group(2)]}"] = int(match.group(1))
        return RateLimit(**counts)
    unknown = set(value) - {f"per_{word}" for word in _PERIODS}
    if unknown:
        msg = f"unknown rate limit period(s) {sorted(unknown)}: per_second, per_minute, per_hour"
        raise ValueError(msg)
    return RateLimit(**value)


@attrs.frozen
class Verdict:
    """Whether a call may go on, and the headers its answer carries either way."""

    allowed: bool
    headers: tuple[tuple[str, str], ...]
    # A refusal's: the seconds until the spent period ends (its Retry-After).
    retry_after: int = 0


def too_many_requests(retry_after: int) -> VoucherifyError:
    """The 429 a call over the limit gets."""
    return VoucherifyError(
        code=429,
        key="too_many_requests",
        message="Too many requests hit the API too quickly.",
        details=f"The project's API rate limit is exhausted; retry after {retry_after} s",
    )


def project_of(request: Request) -> str | None:
    """Whose count a call is: its ``X-App-Id``, else its client application id."""
    return request.header("x-app-id") or request.header("x-client-application-id") or None


@attrs.define
class RateLimiter:
    """The calls each project made in the current windows of ``limit``'s periods."""

    limit: RateLimit
    # (project, period) -> (window number, calls counted in it)
    _counts: dict[tuple[str, int], tuple[int, int]] = attrs.field(factory=dict, init=False)
    _lock: threading.Lock = attrs.field(factory=threading.Lock, init=False, repr=False)

    def take(self, project: str, now: dt.datetime) -> Verdict:
        """Count one call of ``project`` at ``now``, unless a period's limit is spent.

        A refused call is not counted. The headers speak of the period with the fewest
        calls left (after this one); a refusal's of the one that ends last among the spent.
        """
        epoch = now.timestamp()
        with self._lock:
            windows = []
            for period, limit in self.limit.windows():
                number = math.floor(epoch / period)
                counted_in, count = self._counts.get((project, period), (number, 0))
                windows.append((period, limit, number, count if counted_in == number else 0))
            spent = [w for w in windows if w[3] >= w[1]]
            if spent:
                period, limit, number, _ = max(spent, key=lambda w: (w[2] + 1) * w[0])
                retry = (number + 1) * period
                headers = _headers(limit, 0, retry)
                wait = max(1, math.ceil(retry - epoch))
                return Verdict(
                    allowed=False, headers=(*headers, ("Retry-After", str(wait))), retry_after=wait
                )
            for period, _, number, count in windows:
                self._counts[project, period] = (number, count + 1)
        period, limit, number, count = min(windows, key=lambda w: (w[1] - w[3] - 1, -w[0]))
        remaining = limit - count - 1
        retry = math.floor(epoch) if remaining else (number + 1) * period
        return Verdict(allowed=True, headers=_headers(limit, remaining, retry))

    def clear(self) -> None:
        """Forget every count (a reset)."""
        with self._lock:
            self._counts.clear()


def _headers(limit: int, remaining: int, retry: int) -> tuple[tuple[str, str], ...]:
    return (
        ("X-Rate-Limit-Limit", str(limit)),
        ("X-Rate-Limit-Remaining", str(remaining)),
        ("X-Rate-Limit-Retry", str(retry)),
    )
