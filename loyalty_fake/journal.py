"""The call journal: every HTTP call the fake answered, newest last, in a bounded ring.

Recording costs one small object per call: the request and response values the handler
already made, the moment on the fake's clock and the client's name. Everything a reader
asks for (masked headers, the Voucherify operation, the path template, parsed bodies) is
worked out when read, not when recorded.
"""

from __future__ import annotations

import collections
import json
import threading
from typing import TYPE_CHECKING, Any

import attrs

from loyalty_fake.clock import format_timestamp
from loyalty_fake.errors import bad_request
from loyalty_fake.http.routes import match, voucherify_operation

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Iterator

    from loyalty_fake.http.messages import Request, Response

__all__ = [
    "CLIENTS",
    "DEFAULT_JOURNAL_SIZE",
    "MASK",
    "Journal",
    "JournalEntry",
    "journal_page",
    "request_fits",
]

# Enough for any one test's calls, small enough to keep (1,000 add-member calls hold about
# 2 MB); LoyaltyFake(journal_size=...) changes it, 0 turns the journal off.
DEFAULT_JOURNAL_SIZE = 1000
# Who sent a call: the library the fake intercepted, or the live server; "webhook" marks
# a webhook delivery attempt the fake made (loyalty_fake.webhooks).
CLIENTS = ("requests", "urllib3", "httpx", "httpx-async", "server", "webhook")
MASK = "***"
# Headers that carry a secret: Voucherify's server, client and management tokens.
_SECRET_HEADERS = frozenset(
    {"x-app-token", "x-client-token", "x-management-token", "authorization"}
)


def _words(name: str) -> str:
    """An operation's name compared loosely: ``Add Member``, ``add-member``, ``add member``."""
    return " ".join(name.replace("-", " ").replace("_", " ").lower().split())


@attrs.frozen
class JournalEntry:
    """One call the fake answered: the request as sent, the response as answered.

    ``at`` is the moment on the fake's clock, ``client`` one of ``CLIENTS``.
    """

    request: Request = attrs.field(repr=False)
    response: Response = attrs.field(repr=False)
    at: dt.datetime
    client: str
    # With ``serve --upstream``: how Voucherify's answer to the same call differed (see
    # loyalty_fake/compare.py); ``None`` when no answer was compared.
    differences: tuple[dict[str, Any], ...] | None = None

    def __repr__(self) -> str:
        return f"<JournalEntry {self.describe()}>"

    @property
    def method(self) -> str:
        """The HTTP method, upper case."""
        return self.request.method

    @property
    def path(self) -> str:
        """The path as sent (still percent-encoded), without the query."""
        return self.request.path

    @property
    def query(self) -> tuple[tuple[str, str], ...]:
        """The query's decoded pairs, in order."""
        return self.request.query

    @property
    def headers(self) -> dict[str, str]:
        """The request's headers (names in lower case), each token masked as ``***``."""
        return {
            name: MASK if name in _SECRET_HEADERS else value
            for name, value in self.request.headers.items()
        }

    @property
    def body(self) -> bytes:
        """The request body's bytes."""
        return self.request.body

    @property
    def status(self) -> int:
        """The response's status code."""
        return self.response.status

    @property
    def response_body(self) -> bytes:
        """The response body's bytes."""
        return self.response.body

    def json(self) -> Any:
        """The request body parsed as JSON (``None`` when there is none)."""
        return json.loads(self.request.body) if self.request.body else None

    def response_json(self) -> Any:
        """The response body parsed as JSON (``None`` when there is none)."""
        return json.loads(self.response.body) if self.response.body else None

    @property
    def operation(self) -> str | None:
        """Voucherify's summary of the operation called (``"Add Member"``), if it has one."""
        found = voucherify_operation(self.method, self.request.segments)
        return None if found is None else found.summary

    @property
    def operation_id(self) -> str | None:
        """Voucherify's ``operationId`` of the operation called (``"add-member"``), if any."""
        found = voucherify_operation(self.method, self.request.segments)
        return None if found is None else found.operation_id

    @property
    def path_template(self) -> str | None:
        """The path's template (``/v1/loyalties/{campaignId}/members``); ``None``: no such path."""
        return _template(self.request)

    def matches(
        self,
        operation: str | None = None,
        method: str | None = None,
        path: str | None = None,
        status: int | None = None,
    ) -> bool:
        """Whether this call fits every filter given (see ``Journal.calls``)."""
        if status is not None and self.status != status:
            return False
        return request_fits(self.request, operation, method, path)

    def describe(self) -> str:
        """One line: ``POST /v1/loyalties/camp_1/members -> 200 (Add Member, requests)``."""
        query = "&".join(f"{key}={value}" for key, value in self.query)
        target = f"{self.path}?{query}" if query else self.path
        operation = self.operation
        named = f"{operation}, " if operation else ""
        return f"{self.method} {target} -> {self.status} ({named}{self.client})"

    def as_json(self) -> dict[str, Any]:
        """The call as JSON-ready data, as ``GET /_fake/journal`` lists it."""
        return {
            "at": format_timestamp(self.at),
            "client": self.client,
            "method": self.method,
            "path": self.path,
            "query": [list(pair) for pair in self.query],
            "path_template": self.path_template,
            "operation": self.operation,
            "operation_id": self.operation_id,
            "headers": self.headers,
            "body": _text(self.body),
            "status": self.status,
            "response_body": _text(self.response_body),
            **({} if self.differences is None else {"differences": list(self.differences)}),
        }


def _template(request: Request) -> str | None:
    segments = request.segments
    found = voucherify_operation(request.method, segments)
    if found is not None:
        return found.path
    route = match(request.method, segments)
    return None if route is None else route[0].template


def request_fits(
    request: Request,
    operation: str | None = None,
    method: str | None = None,
    path: str | None = None,
) -> bool:
    """Whether ``request`` fits every filter given (``None``: any).

    ``operation``: Voucherify's summary or operationId, loosely spelled; ``path``: as sent,
    or its template.
    """
    if method is not None and request.method != method.upper():
        return False
    if path is not None:
        bare = path.partition("?")[0]
        if bare != request.path and bare != _template(request):
            return False
    if operation is not None:
        wanted = _words(operation)
        found = voucherify_operation(request.method, request.segments)
        if found is None or wanted not in (_words(found.summary), _words(found.operation_id)):
            return False
    return True


def _text(body: bytes) -> str:
    return body.decode("utf-8", "replace")


def _check_size(_instance: object, _attribute: object, value: int) -> None:
    if value < 0:
        msg = f"a journal's size must be 0 (off) or more, not {value}"
        raise ValueError(msg)


@attrs.define
class Journal:
    """The calls the fake answered, newest last, keeping the last ``size`` of them.

    Thread-safe. ``size`` 0 keeps none; setting ``size`` keeps the newest calls that fit.
    """

    _size: int = attrs.field(default=DEFAULT_JOURNAL_SIZE, validator=_check_size, alias="size")
    _calls: collections.deque[JournalEntry] = attrs.field(init=False, repr=False)
    _lock: threading.Lock = attrs.field(factory=threading.Lock, init=False, repr=False)

    def __attrs_post_init__(self) -> None:
        self._calls = collections.deque(maxlen=self._size)

    @property
    def size(self) -> int:
        """How many calls the journal keeps (0: it is off)."""
        return self._size

    @size.setter
    def size(self, value: int) -> None:
        _check_size(self, None, value)
        with self._lock:
            self._size = value
            self._calls = collections.deque(self._calls, maxlen=value)

    def record(self, request: Request, response: Response, at: dt.datetime, client: str) -> None:
        """Keep one answered call (the oldest goes once ``size`` are kept)."""
        entry = JournalEntry(request, response, at, client)
        with self._lock:
            self._calls.append(entry)

    def note_differences(self, differences: list[dict[str, Any]]) -> None:
        """Attach the differences Voucherify's answer showed to the newest call."""
        with self._lock:
            if self._calls:
                self._calls[-1] = attrs.evolve(self._calls[-1], differences=tuple(differences))

    def clear(self) -> None:
        """Forget every call."""
        with self._lock:
            self._calls.clear()

    def __len__(self) -> int:
        return len(self._calls)

    def __iter__(self) -> Iterator[JournalEntry]:
        return iter(self.calls())

    @property
    def last(self) -> JournalEntry | None:
        """The newest call, or ``None`` when there is none."""
        with self._lock:
            return self._calls[-1] if self._calls else None

    def calls(
        self,
        operation: str | None = None,
        *,
        method: str | None = None,
        path: str | None = None,
        status: int | None = None,
    ) -> list[JournalEntry]:
        """The calls that fit every filter given, oldest first.

        ``operation``: Voucherify's summary or operationId, in any case, with spaces or
        dashes (``"add member"``, ``"Add Member"``, ``"add-member"``); ``path``: the path
        as sent or its template (``/v1/loyalties/{campaignId}/members``).
        """
        with self._lock:
            kept = list(self._calls)
        if operation is None and method is None and path is None and status is None:
            return kept
        return [call for call in kept if call.matches(operation, method, path, status)]

    def count(
        self,
        operation: str | None = None,
        *,
        method: str | None = None,
        path: str | None = None,
        status: int | None = None,
    ) -> int:
        """How many calls fit the filters (see ``calls``)."""
        return len(self.calls(operation, method=method, path=path, status=status))

    def assert_called(
        self,
        operation: str | None = None,
        *,
        method: str | None = None,
        path: str | None = None,
        status: int | None = None,
        times: int | None = None,
    ) -> list[JournalEntry]:
        """Raise ``AssertionError`` unless some call fits (exactly ``times``, when given).

        Returns the calls that fit. The message lists the calls made instead.
        """
        found = self.calls(operation, method=method, path=path, status=status)
        if (times is None and found) or (times is not None and len(found) == times):
            return found
        wanted = "at least once" if times is None else _times(times)
        raise AssertionError(
            self._message(f"expected {_what(operation, method, path, status)} {wanted}", found)
        )

    def assert_not_called(
        self,
        operation: str | None = None,
        *,
        method: str | None = None,
        path: str | None = None,
        status: int | None = None,
    ) -> None:
        """Raise ``AssertionError`` if any call fits; the message lists them."""
        found = self.calls(operation, method=method, path=path, status=status)
        if found:
            what = _what(operation, method, path, status)
            raise AssertionError(self._message(f"expected {what} not to be called", found))

    def _message(self, expectation: str, found: list[JournalEntry]) -> str:
        kept = self.calls()
        lines = [f"{expectation}, but it was called {_times(len(found))}."]
        if not kept:
            lines.append("No calls were journaled.")
        else:
            shown = kept[-20:]
            more = f" (the last {len(shown)} of {len(kept)})" if len(shown) < len(kept) else ""
            lines.append(f"Calls journaled, oldest first{more}:")
            fit = {id(call) for call in found}
            lines.extend(f"  {'*' if id(call) in fit else '-'} {call.describe()}" for call in shown)
            if found:
                lines.append("(* marks the calls that fit)")
        return "\n".join(lines)


def _times(count: int) -> str:
    return "once" if count == 1 else f"{count} times"


def _what(operation: str | None, method: str | None, path: str | None, status: int | None) -> str:
    parts = [f"operation {operation!r}"] if operation is not None else []
    if method is not None or path is not None:
        parts.append(" ".join(part for part in (method and method.upper(), path) if part))
    if status is not None:
        parts.append(f"status {status}")
    return " ".join(parts) if parts else "any call"


_PAGE_FILTERS = ("operation", "method", "path", "status")
_PAGE_LIMIT = 100
_MAX_PAGE_LIMIT = 1000


def _whole(query: dict[str, str], name: str, default: int, maximum: int) -> int:
    text = query.get(name)
    if text is None:
        return default
    if not text.isdigit() or not 1 <= int(text) <= maximum:
        raise bad_request(
            "invalid_query_params",
            "Invalid query params",
            f"Query parameter '{name}' must be a whole number from 1 to {maximum}",
        )
    return int(text)


def journal_page(journal: Journal | None, pairs: tuple[tuple[str, str], ...]) -> dict[str, Any]:
    """A page of ``journal``'s calls as ``GET /_fake/journal`` answers it, newest last.

    ``pairs`` (the query): the filters of ``Journal.calls``, ``limit`` (default 100) and
    ``page`` (1, the default, holds the newest calls). Raises a 400 ``VoucherifyError`` for
    a bad one.
    """
    query = dict(pairs)
    unknown = sorted(set(query) - {*_PAGE_FILTERS, "limit", "page"})
    if unknown:
        raise bad_request(
            "invalid_query_params",
            "Invalid query params",
            f"Unknown query parameter(s) {', '.join(unknown)}; known: "
            f"{', '.join(_PAGE_FILTERS)}, limit, page",
        )
    limit = _whole(query, "limit", _PAGE_LIMIT, _MAX_PAGE_LIMIT)
    page = _whole(query, "page", 1, 1_000_000)
    status = _whole(query, "status", 0, 599) if "status" in query else None
    found = (
        []
        if journal is None
        else journal.calls(
            query.get("operation"),
            method=query.get("method"),
            path=query.get("path"),
            status=status,
        )
    )
    end = max(len(found) - (page - 1) * limit, 0)
    shown = found[max(end - limit, 0) : end]
    return {
        "object": "list",
        "data_ref": "calls",
        "calls": [call.as_json() for call in shown],
        "total": len(found),
        "page": page,
        "has_more": end - limit > 0,
        "size": 0 if journal is None else journal.size,
    }
