"""Plain request and response values that every transport translates to and from."""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, unquote, urlsplit

import attrs

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

__all__ = [
    "DEFAULT_BASE_URL",
    "JSON_HEADERS",
    "Request",
    "Response",
    "is_json_media_type",
    "query_pairs",
]

DEFAULT_BASE_URL = "https://api.voucherify.io"
JSON_HEADERS: tuple[tuple[str, str], ...] = (("Content-Type", "application/json; charset=utf-8"),)


@functools.lru_cache(maxsize=64)
def is_json_media_type(content_type: str) -> bool:
    """Whether a ``Content-Type`` names JSON: ``application/json`` or ``application/*+json``.

    Parameters (``; charset=utf-8``) and case do not matter.
    """
    media_type = content_type.partition(";")[0].strip().lower()
    kind, _, subtype = media_type.partition("/")
    return kind == "application" and (subtype == "json" or subtype.endswith("+json"))


def _parsed_query(query: str) -> tuple[tuple[str, str], ...]:
    """A raw query string's decoded ``(name, value)`` pairs, in order (blank values kept)."""
    if len(query) > _CACHED_QUERY:
        return _parse_query(query)
    return _cached_query(query)


# A client asks for the same page, or the same filter, again and again: a short query's
# pairs are kept (an immutable tuple of strings, the same for the same string).
_CACHED_QUERY = 256


def _parse_query(query: str) -> tuple[tuple[str, str], ...]:
    return tuple(parse_qsl(query, keep_blank_values=True, errors="surrogateescape"))


_cached_query = functools.lru_cache(maxsize=256)(_parse_query)


def _upper(value: str) -> str:
    return value.upper()


def _lower_keys(headers: Mapping[str, str] | Iterable[tuple[str, str]]) -> dict[str, str]:
    items = headers.items() if hasattr(headers, "items") else headers
    return {str(name).lower(): str(value) for name, value in items}


@attrs.frozen
class Request:
    """One HTTP request as the fake sees it.

    ``path`` is the raw (still percent-encoded) path, so that a ``%2F`` inside a code
    never splits a segment; ``query`` holds the decoded pairs in order. Percent-encoded
    bytes that are not UTF-8 decode to lone surrogates, which the app refuses.
    """

    method: str = attrs.field(converter=_upper)
    path: str
    query: tuple[tuple[str, str], ...] = ()
    headers: dict[str, str] = attrs.field(factory=dict, converter=_lower_keys)
    body: bytes = b""
    # ``segments``, split and decoded on first use: dispatch, routing and the handler each
    # read them (a request is frozen, so they never change).
    _segments: tuple[str, ...] | None = attrs.field(
        default=None, init=False, eq=False, repr=False, hash=False
    )
    # The base URL the client sent it to (scheme, host and any path prefix), for the URLs an
    # answer gives back (an export's download): Voucherify's own unless a transport says.
    base: str = attrs.field(default=DEFAULT_BASE_URL, eq=False)

    @classmethod
    def from_url(
        cls,
        method: str,
        url: str,
        headers: Mapping[str, str] | Iterable[tuple[str, str]] | None = None,
        body: bytes | str | None = None,
        base: str = DEFAULT_BASE_URL,
    ) -> Request:
        """Build a request from an absolute or path-only URL (sent to ``base``)."""
        if url.startswith("/"):
            # A path, even //v1/... that urlsplit would read as a host name.
            path, _, query = url.partition("#")[0].partition("?")
        else:
            parts = urlsplit(url)
            path, query = parts.path or "/", parts.query
        raw = body.encode("utf-8") if isinstance(body, str) else (body or b"")
        return cls(
            method=method,
            path=path,
            query=_parsed_query(query) if query else (),
            headers=headers or {},  # lower-cased once, by the field's converter
            body=raw,
            base=base,
        )

    def header(self, name: str) -> str | None:
        """A header's value, case-insensitively; ``None`` when absent."""
        return self.headers.get(name.lower())

    @property
    def segments(self) -> tuple[str, ...]:
        """The path's segments, each percent-decoded after splitting.

        One trailing slash is ignored (``/v1/loyalties/`` is ``/v1/loyalties``); a doubled
        slash anywhere leaves an empty segment, which no operation's path has.
        """
        found = self._segments
        if found is None:
            path = self.path.removeprefix("/").removesuffix("/")
            parts = path.split("/")
            found = (
                tuple(unquote(part, errors="surrogateescape") for part in parts)
                if "%" in path
                else tuple(parts)
            )
            object.__setattr__(self, "_segments", found)  # a cache, not state
        return found


@attrs.frozen
class Response:
    """One HTTP response: a status, headers and the exact body bytes.

    ``recorded``: an error that still changed state (Voucherify records a refused
    redemption), which a journal must keep like an accepted request.
    """

    status: int
    body: bytes
    headers: tuple[tuple[str, str], ...] = JSON_HEADERS
    recorded: bool = False

    def json(self) -> Any:
        """The body parsed as JSON."""
        import json  # noqa: PLC0415 - only tests and the Python API read bodies back

        return json.loads(self.body)


def query_pairs(params: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Query parameters as the pairs a query string holds; ``None`` values are left out.

    A dict is a deepObject (``{"created_at": {"before": T}}`` is ``created_at[before]=T``)
    and a list in one is indexed, as Voucherify's filter examples write them
    (``filters[id][conditions][$in][0]=...``); a top-level list repeats its key
    (``ids=a&ids=b``).
    """
    pairs: list[tuple[str, str]] = []

    def add(key: str, value: Any, *, nested: bool) -> None:
        if value is None:
            return
        if isinstance(value, dict):
            for part, inner in value.items():
                add(f"{key}[{part}]", inner, nested=True)
        elif isinstance(value, list | tuple):
            for index, inner in enumerate(value):
                add(f"{key}[{index}]" if nested else key, inner, nested=nested)
        elif isinstance(value, bool):
            pairs.append((key, "true" if value else "false"))
        else:
            pairs.append((key, str(value)))

    for key, value in params.items():
        add(key, value, nested=False)
    return pairs
