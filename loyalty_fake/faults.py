"""Faults on purpose: chosen calls answered with an error status, late, or not at all.

``fake.faults.add(...)`` makes the next calls that fit fail the way Voucherify or the
network can fail: a status with Voucherify's error envelope (500, 502, 503, 429 with
``Retry-After``), added latency, a timeout, or a dropped connection. A faulted call never
reaches the ledger, so it changes nothing. Timeouts and drops surface in each client as
its own exception: the transports turn ``FaultTimeoutError`` and ``FaultDropError`` into what the
network would have given them, and the HTTP server leaves a served call unanswered.
"""

from __future__ import annotations

import random
import threading
import time
from http import HTTPStatus
from typing import TYPE_CHECKING

import attrs

from loyalty_fake.errors import VoucherifyError
from loyalty_fake.journal import request_fits

if TYPE_CHECKING:
    from collections.abc import Callable

    from loyalty_fake.http.messages import Request, Response

__all__ = ["Fault", "FaultDropError", "FaultTimeoutError", "Faults"]

# What a status fault's envelope says, by status (others: the status's own phrase).
_MIN_STATUS, _MAX_STATUS = 400, 599


class FaultTimeoutError(TimeoutError):
    """A timeout fault: the client waited for an answer that never came."""


class FaultDropError(ConnectionResetError):
    """A drop fault: the connection was closed before any answer."""


def _fault_error(status: int) -> VoucherifyError:
    phrase = HTTPStatus(status).phrase
    return VoucherifyError(
        code=status,
        key=phrase.lower().replace(" ", "_").replace("-", "_").replace("'", ""),
        message=phrase,
        details="Injected by loyalty-fake: a fault added with fake.faults.add",
    )


@attrs.define
class Fault:
    """One fault: which calls it hits and how they fail.

    ``times``: how many more calls it hits (``None``: every one); ``fired``: how many it hit.
    """

    operation: str | None = None
    method: str | None = None
    path: str | None = None
    status: int | None = None
    latency: float = 0.0
    timeout: bool = False
    drop: bool = False
    times: int | None = None
    probability: float = 1.0
    predicate: Callable[[Request], bool] | None = attrs.field(default=None, repr=False)
    retry_after: int = 1
    fired: int = 0

    def fits(self, request: Request) -> bool:
        """Whether ``request`` is a call this fault is for (its count and chance aside)."""
        if not request_fits(request, self.operation, self.method, self.path):
            return False
        return self.predicate is None or bool(self.predicate(request))


def _check(fault: Fault) -> None:
    kinds = (fault.status is not None) + fault.timeout + fault.drop
    if kinds > 1:
        msg = "a fault is one of status=, timeout=True or drop=True (latency= adds to any)"
        raise ValueError(msg)
    if kinds == 0 and fault.latency <= 0:
        msg = "a fault needs status=, latency=, timeout=True or drop=True"
        raise ValueError(msg)
    if fault.status is not None and not _MIN_STATUS <= fault.status <= _MAX_STATUS:
        msg = f"a fault's status is an error status, 400-599, not {fault.status}"
        raise ValueError(msg)
    if fault.latency < 0 or not 0 <= fault.probability <= 1:
        msg = "a fault's latency is 0 or more seconds, its probability from 0 to 1"
        raise ValueError(msg)
    if fault.times is not None and fault.times < 1:
        msg = f"a fault's times is 1 or more (None: every call), not {fault.times}"
        raise ValueError(msg)


@attrs.define
class Faults:
    """The faults in force, first added first tried; seeded, so chances repeat run to run."""

    seed: int = 0
    _faults: list[Fault] = attrs.field(factory=list, init=False)
    # Made when a chance is first drawn (most fakes have no faults): the same draws as one
    # made up front, since nothing draws before.
    _random: random.Random | None = attrs.field(default=None, init=False, repr=False)
    _lock: threading.Lock = attrs.field(factory=threading.Lock, init=False, repr=False)

    def _chance(self) -> float:
        """The next seeded chance in [0, 1) (the caller holds the lock)."""
        if self._random is None:
            self._random = random.Random(self.seed)  # noqa: S311 - chances in a test, not secrets
        return self._random.random()

    def add(  # noqa: PLR0913 - each a documented way to choose or shape the fault
        self,
        operation: str | None = None,
        *,
        method: str | None = None,
        path: str | None = None,
        status: int | None = None,
        latency: float = 0.0,
        timeout: bool = False,
        drop: bool = False,
        times: int | None = None,
        probability: float = 1.0,
        predicate: Callable[[Request], bool] | None = None,
        retry_after: int = 1,
    ) -> Fault:
        """Make the calls that fit fail; returns the fault (its ``fired`` counts the hits).

        Calls are chosen as the journal's (``operation``, ``method``, ``path``), and by
        ``predicate(request)``; ``times`` (the next N), ``probability`` (seeded). Raises
        ``ValueError`` for a fault that is none or two of status, timeout and drop.
        """
        fault = Fault(
            operation, method, path, status, latency, timeout, drop, times, probability,
            predicate, retry_after,
        )  # fmt: skip
        _check(fault)
        with self._lock:
            self._faults.append(fault)
        return fault

    def clear(self) -> None:
        """Remove every fault."""
        with self._lock:
            self._faults.clear()

    def __len__(self) -> int:
        return len(self._faults)

    def all(self) -> list[Fault]:
        """The faults in force, oldest first (spent ones are gone)."""
        with self._lock:
            return list(self._faults)

    def _pick(self, request: Request) -> Fault | None:
        with self._lock:
            for fault in self._faults:
                if not fault.fits(request):
                    continue
                if fault.probability < 1 and self._chance() >= fault.probability:
                    continue
                fault.fired += 1
                if fault.times is not None:
                    fault.times -= 1
                    if fault.times == 0:
                        self._faults.remove(fault)
                return fault
        return None

    def answer(
        self,
        request: Request,
        client: str,
        error_response: Callable[[VoucherifyError], Response],
    ) -> Response | None:
        """The faulted answer to ``request``, or ``None`` to answer it as usual (after any latency).

        Raises ``FaultTimeoutError`` or ``FaultDropError`` for those faults: the transports
        turn them into the client library's own errors, the HTTP server into a connection
        left unanswered (``server/http11.py``). ``client`` names who sent the call.
        """
        del client  # every client meets the same faults
        fault = self._pick(request)
        if fault is None:
            return None
        if fault.latency:
            time.sleep(fault.latency)
        if fault.drop:
            raise FaultDropError("loyalty-fake dropped the connection (a fault)")
        if fault.timeout:
            raise FaultTimeoutError("loyalty-fake never answered (a fault)")
        if fault.status is None:
            return None
        response = error_response(_fault_error(fault.status))
        if fault.status == HTTPStatus.TOO_MANY_REQUESTS:
            headers = (*response.headers, ("Retry-After", str(fault.retry_after)))
            response = attrs.evolve(response, headers=headers)
        return response
