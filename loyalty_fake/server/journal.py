"""What the state directory keeps of a request, and the errors a state directory gives.

The server keeps every mutating request that succeeded, or that was refused but left a
record (a failed redemption), as a ``Record``: the instant it ran at and enough of the
request to run it again. Restart loads the last snapshot and replays the records after
it with the clock pinned at each one's instant; the fake is deterministic, so the replay
rebuilds the same state, IDs included. Where the records live: ``store.py``.

A record keeps the ``X-App-Id`` (the project) but never the ``X-App-Token``: a secret is
not stored in clear, and a record was authorized when it was accepted, so its replay is
not checked against credentials again.
"""

from __future__ import annotations

import contextlib
import signal
import threading
from typing import TYPE_CHECKING
from urllib.parse import urlencode

import attrs

from loyalty_fake.errors import VoucherifyError
from loyalty_fake.http.messages import Request

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Iterator

__all__ = [
    "CompactedThenInterrupted",
    "NotWrittenError",
    "Record",
    "StateError",
    "interrupts_deferred",
    "state_not_written",
]

# What replay sends in place of the token it never stored (any non-empty token passes the
# replay's credential-less app).
REPLAYED_TOKEN = "replayed-from-the-state-directory"  # noqa: S105 - stands in for one


class StateError(RuntimeError):
    """The state directory cannot be used: damaged, foreign, taken, or unsafe. One line says why."""


class NotWrittenError(RuntimeError):
    """A write to the state directory failed (disk full, I/O error); nothing of it was kept."""

    def __init__(self, directory: str, cause: BaseException) -> None:
        """``cause``: the operating system's or SQLite's error."""
        self.directory = directory
        self.cause = cause
        super().__init__(f"could not write to {directory}: {describe(cause)}")


class CompactedThenInterrupted(KeyboardInterrupt):
    """Ctrl-C arrived while a new state replaced the old: held until it was committed."""


def describe(error: BaseException) -> str:
    """An OS or SQLite error in a few words: ``SQLite: disk I/O error (SQLITE_IOERR_WRITE)``."""
    text = str(error) or type(error).__name__
    if isinstance(error, OSError):
        return text
    name = getattr(error, "sqlite_errorname", None)  # Python 3.11+
    return f"SQLite: {text} ({name})" if name else f"SQLite: {text}"


def state_not_written(failure: NotWrittenError) -> VoucherifyError:
    """The 503 for a write whose record could not be kept: the request changed nothing."""
    return VoucherifyError(
        code=503,
        key="state_not_written",
        message="State not written",
        details=f"loyalty-fake could not write to its state directory {failure.directory} "
        f"({describe(failure.cause)}); nothing was changed, so the request can be retried "
        "once the directory can be written again",
    )


@attrs.frozen
class Record:
    """One accepted request: when it ran, and enough of it to run it again.

    ``status`` is the error status of a refusal that left a record (a failed redemption),
    which replay must answer again; ``None`` for a request that succeeded.
    """

    at: dt.datetime
    method: str
    url: str
    app_id: str | None
    content_type: str | None
    body: bytes
    status: int | None = None

    @classmethod
    def of(cls, at: dt.datetime, request: Request, status: int | None = None) -> Record:
        """The record of ``request``, accepted at ``at`` (or refused with ``status``)."""
        query = urlencode(request.query)
        return cls(
            at=at,
            method=request.method,
            url=request.path + (f"?{query}" if query else ""),
            # A client-side request's project is named by its client application id.
            app_id=request.header("x-app-id") or request.header("x-client-application-id"),
            content_type=request.header("content-type"),
            body=request.body,
            status=status,
        )

    def request(self) -> Request:
        """The request to replay: its project, content type and body, and a stand-in token."""
        headers: dict[str, str] = {}
        if self.url.startswith("/management/"):
            # Management keys open every project; the replay's app takes any pair.
            headers["x-management-id"] = "replayed"
            headers["x-management-token"] = REPLAYED_TOKEN
        if self.app_id is not None and self.url.startswith("/client/"):
            headers["x-client-application-id"] = self.app_id
            headers["x-client-token"] = REPLAYED_TOKEN
        elif self.app_id is not None:
            headers["x-app-id"] = self.app_id
            headers["x-app-token"] = REPLAYED_TOKEN
        if self.content_type is not None:
            headers["content-type"] = self.content_type
        return Request.from_url(self.method, self.url, headers, self.body)


@contextlib.contextmanager
def interrupts_deferred() -> Iterator[None]:
    """Hold a Ctrl-C that arrives inside the block until the block is done.

    Then raise ``CompactedThenInterrupted``. Only the main thread receives
    ``KeyboardInterrupt``; elsewhere there is nothing to hold.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    arrived: list[int] = []
    previous = signal.signal(signal.SIGINT, lambda signum, _frame: arrived.append(signum))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
    if arrived:
        raise CompactedThenInterrupted
