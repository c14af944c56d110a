"""The fake's clock: real time until a test freezes, sets or advances it."""

from __future__ import annotations

import datetime as dt
import threading
import time
from typing import TYPE_CHECKING

import attrs

if TYPE_CHECKING:
    from types import TracebackType

__all__ = ["Clock", "Pin", "format_timestamp", "parse_timestamp"]

_UTC = dt.timezone.utc


def _truncate_to_millis(moment: dt.datetime) -> dt.datetime:
    # Voucherify stores and prints milliseconds; keeping more would make filters
    # disagree with the timestamps a client has seen.
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)


def _now_in_millis() -> dt.datetime:
    """Real time, UTC, truncated to milliseconds: ``_truncate_to_millis(datetime.now(UTC))``.

    Every request asks (its pin, its journal row), and ``replace`` costs three times what
    reading the clock does. The same system clock, in whole milliseconds: as a float,
    ``milliseconds / 1000`` is within a quarter microsecond of the exact value for any
    date a real clock shows, and ``fromtimestamp`` rounds to the nearest microsecond.
    """
    return dt.datetime.fromtimestamp(time.time_ns() // 1_000_000 / 1000, _UTC)


def _as_utc(moment: dt.datetime | str) -> dt.datetime:
    if isinstance(moment, dt.datetime) and moment.tzinfo is _UTC and not moment.microsecond % 1000:
        return moment  # already what the clock keeps (seeding sets it ~100,000 times a second)
    if isinstance(moment, str):
        moment = parse_timestamp(moment)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=_UTC)
    return _truncate_to_millis(moment.astimezone(_UTC))


def format_timestamp(moment: dt.datetime) -> str:
    """Format a moment as Voucherify does: ISO 8601, UTC, milliseconds, ``Z``."""
    moment = moment.astimezone(_UTC)
    # Four-digit years always: strftime("%Y") prints the year 404 as "404", not a date-time.
    return (
        f"{moment.year:04d}-"
        + moment.strftime("%m-%dT%H:%M:%S.")
        + (f"{moment.microsecond // 1000:03d}Z")
    )


def parse_timestamp(text: str) -> dt.datetime:
    """Parse an ISO 8601 date or date-time; a value without offset is UTC.

    Accepts ``2016-11-16``, ``2016-11-16T14:14:31Z``, ``+00:00`` offsets and
    fractional seconds of any precision. Raises ``ValueError`` for anything else.
    """
    value = text.strip()
    if not value or value != text or " " in value:
        raise ValueError(f"not an ISO 8601 timestamp: {text!r}")
    if value[-1] in "zZ":
        value = value[:-1] + "+00:00"
    date_part, sep, time_part = value.partition("T")
    if sep and "." in time_part:
        # Python 3.10's fromisoformat takes only 3 or 6 fractional digits.
        head, _, rest = time_part.partition(".")
        digits = rest
        offset = ""
        for index, char in enumerate(rest):
            if not char.isdigit():
                digits, offset = rest[:index], rest[index:]
                break
        if not digits:
            raise ValueError(f"not an ISO 8601 timestamp: {text!r}")
        time_part = f"{head}.{(digits + '000000')[:6]}{offset}"
        value = f"{date_part}T{time_part}"
    if len(date_part) != 10:  # noqa: PLR2004 - YYYY-MM-DD
        raise ValueError(f"not an ISO 8601 timestamp: {text!r}")
    parsed = dt.datetime.fromisoformat(value)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=_UTC)
    try:
        return parsed.astimezone(_UTC)
    except OverflowError:
        # 0001-01-01T00:00:00+05:00 is before the first moment Python can hold in UTC.
        raise ValueError(f"not an ISO 8601 timestamp in range: {text!r}") from None


@attrs.define(on_setattr=attrs.setters.NO_OP)  # no generated __setattr__: set() is hot
class Clock:
    """The fake's notion of now.

    It follows real time until a test freezes it; once frozen it moves only when
    told to (``set``, ``advance``), so every timestamp and expiry is reproducible.
    """

    # Converted on construction; the methods below convert before they assign, so the
    # converter does not run a second time on every set().
    _frozen_at: dt.datetime | None = attrs.field(
        default=None, converter=attrs.converters.optional(_as_utc)
    )
    _lock: threading.Lock = attrs.field(factory=threading.Lock, init=False, repr=False, eq=False)
    _pins: threading.local = attrs.field(factory=threading.local, init=False, repr=False, eq=False)

    @property
    def frozen_at(self) -> dt.datetime | None:
        """The moment the clock is frozen at, or ``None`` while it runs."""
        return self._frozen_at

    @property
    def frozen(self) -> bool:
        """Whether the clock stands still until a test moves it."""
        return self._frozen_at is not None

    def now(self) -> dt.datetime:
        """The current moment, UTC, truncated to milliseconds."""
        frozen_at = self._frozen_at
        if frozen_at is not None:
            return frozen_at
        pinned: dt.datetime | None = getattr(self._pins, "at", None)
        if pinned is not None:
            return pinned
        return _now_in_millis()

    def pinned(self, at: dt.datetime | None = None) -> Pin:
        """Hold a running clock at one moment for this thread, for the length of a request.

        Every timestamp one request writes is then the same instant, and a journal can
        record that instant to replay the request exactly. A frozen clock stays frozen.
        ``with clock.pinned() as now:``.
        """
        return Pin(self, at)

    def pin(self, at: dt.datetime | None = None) -> tuple[dt.datetime | None, dt.datetime]:
        """Pin this thread's clock at ``at`` (default: now), as a ``Pin`` block does.

        Returns the pin it replaced, for ``unpin``, and what ``now()`` answers from here
        (a frozen clock stays frozen).
        """
        pins = self._pins
        previous: dt.datetime | None = getattr(pins, "at", None)
        frozen_at = self._frozen_at
        if at is not None:
            moment = _as_utc(at)
        elif frozen_at is not None:
            moment = frozen_at
        else:
            moment = _now_in_millis() if previous is None else previous
        pins.at = moment
        return previous, moment if frozen_at is None else frozen_at

    def unpin(self, previous: dt.datetime | None) -> None:
        """Put back the pin ``pin`` replaced."""
        self._pins.at = previous

    def freeze(self, at: dt.datetime | str | None = None) -> dt.datetime:
        """Stop the clock at ``at`` (default: now) and return that moment."""
        with self._lock:
            self._frozen_at = self.now() if at is None else _as_utc(at)
            return self._frozen_at

    def set(self, at: dt.datetime | str) -> dt.datetime:
        """Freeze the clock at ``at``; naive datetimes and strings without offset are UTC."""
        return self.freeze(at)

    def advance(self, delta: dt.timedelta | None = None, **kwargs: float) -> dt.datetime:
        """Move a (possibly running) clock forward and freeze it there.

        Takes a ``timedelta`` or ``timedelta`` keywords: ``advance(days=30)``.
        Raises ``ValueError`` for a negative step: time in the fake never runs back
        through ``advance``; use ``set`` for that.
        """
        step = (delta or dt.timedelta()) + dt.timedelta(**kwargs)
        if step < dt.timedelta():
            raise ValueError("advance() moves forward only; use set() to go back")
        with self._lock:
            base = self._frozen_at if self._frozen_at is not None else self.now()
            self._frozen_at = _truncate_to_millis(base + step)
            return self._frozen_at

    def unfreeze(self) -> None:
        """Let the clock follow real time again."""
        with self._lock:
            self._frozen_at = None


class Pin:
    """``Clock.pinned``'s block (a class: every request opens one)."""

    __slots__ = ("_at", "_clock", "_previous")

    def __init__(self, clock: Clock, at: dt.datetime | None) -> None:
        """Pin ``clock`` at ``at`` (default: the moment the block starts)."""
        self._clock = clock
        self._at = at
        self._previous: dt.datetime | None = None

    def __enter__(self) -> dt.datetime:
        self._previous, now = self._clock.pin(self._at)
        return now

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._clock.unpin(self._previous)
