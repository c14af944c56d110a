"""Which URLs the fake answers: Voucherify's API hosts and any base URL a test configures."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import attrs

if TYPE_CHECKING:
    from collections.abc import Iterable

__all__ = ["HostMatcher", "base_urls"]


def base_urls(value: Iterable[str]) -> tuple[str, ...]:
    """The base URLs a fake answers for, as a tuple (``LoyaltyFake(base_urls=...)``)."""
    return tuple(value)


# api.voucherify.io and every cluster host shaped like it (us1.api, as1.api, ...).
_VOUCHERIFY_HOST = re.compile(r"^(?:[a-z0-9-]+\.)*api\.voucherify\.io$")
_DEFAULT_PORTS = {"http": 80, "https": 443}
_UNSEEN = object()
_ROUTED_KEPT = 256


def _origin(scheme: str, host: str, port: int | None) -> tuple[str, str, int]:
    scheme = scheme.lower()
    return scheme, host.lower(), port or _DEFAULT_PORTS.get(scheme, 0)


@attrs.frozen
class _BaseUrl:
    origin: tuple[str, str, int]
    path: str

    @classmethod
    def parse(cls, url: str) -> _BaseUrl:
        parts = urlsplit(url)
        if not parts.scheme or not parts.hostname:
            raise ValueError(f"a base URL needs a scheme and a host: {url!r}")
        return cls(_origin(parts.scheme, parts.hostname, parts.port), parts.path.rstrip("/"))


@attrs.frozen
class HostMatcher:
    """Decides whether a URL belongs to the fake and which path the handler should see.

    Every ``*.api.voucherify.io`` host over HTTP or HTTPS is claimed, plus the extra
    ``base_urls`` (scheme, host, port and path prefix).
    """

    base_urls: tuple[str, ...] = ()
    _parsed: tuple[_BaseUrl, ...] = attrs.field(init=False)
    # ``route_url``'s answers for the URLs seen lately: a transport asks whether a URL is
    # the fake's, then the fake asks again to serve it (issue 21: one host check a call).
    _routed: dict[str, str | None] = attrs.field(
        factory=dict, init=False, eq=False, repr=False, hash=False
    )

    # ``split_url``'s base URLs by what precedes the path: a handful of distinct ones.
    _bases: dict[str, str] = attrs.field(factory=dict, init=False, eq=False, repr=False, hash=False)

    @_parsed.default
    def _parse_all(self) -> tuple[_BaseUrl, ...]:
        return tuple(_BaseUrl.parse(url) for url in self.base_urls)

    def route(self, scheme: str, host: str, port: int | None, path: str) -> str | None:
        """The path to hand to the fake for this request, or ``None`` when it is not ours."""
        origin = _origin(scheme, host, port)
        for base in self._parsed:
            if base.origin == origin and (path == base.path or path.startswith(base.path + "/")):
                return path[len(base.path) :] or "/"
        if _VOUCHERIFY_HOST.match(origin[1]):
            return path
        return None

    def claims_origin(self, scheme: str, host: str, port: int | None) -> bool:
        """Whether the fake answers some path on this origin (a base URL may claim a prefix)."""
        origin = _origin(scheme, host, port)
        return any(base.origin == origin for base in self._parsed) or bool(
            _VOUCHERIFY_HOST.match(origin[1])
        )

    def claims_whole_origin(self, scheme: str, host: str, port: int | None) -> bool:
        """Whether the fake answers every path on this origin (no other service shares it)."""
        origin = _origin(scheme, host, port)
        return any(base.origin == origin and not base.path for base in self._parsed) or bool(
            _VOUCHERIFY_HOST.match(origin[1])
        )

    def split_url(self, url: str) -> tuple[str, str] | None:
        """``route_url``'s path and query, and the base URL the client gave before it."""
        target = self.route_url(url)
        if target is None:
            return None
        prefix = url.partition("?")[0].removesuffix(target.partition("?")[0])
        base = self._bases.get(prefix)
        if base is None:
            if len(self._bases) >= _ROUTED_KEPT:
                self._bases.clear()
            base = self._bases[prefix] = _base_of(prefix)
        return base, target

    def route_url(self, url: str) -> str | None:
        """``route`` for an absolute URL; the result keeps the query string."""
        routed = self._routed
        found = routed.get(url, _UNSEEN)
        if found is not _UNSEEN:
            return found  # type: ignore[return-value]
        if len(routed) >= _ROUTED_KEPT:
            routed.clear()
        found = routed[url] = self._route_url(url)
        return found

    def _route_url(self, url: str) -> str | None:
        parts = urlsplit(url)
        if not parts.hostname:
            return None
        path = self.route(parts.scheme, parts.hostname, parts.port, parts.path or "/")
        if path is None:
            return None
        return f"{path}?{parts.query}" if parts.query else path


def _base_of(prefix: str) -> str:
    """The base URL a client gave (``scheme://host[:port][/prefix]``), a default port left out."""
    base = urlsplit(prefix)
    netloc = base.netloc
    if base.port is not None and base.port == _DEFAULT_PORTS.get(base.scheme.lower()):
        netloc = netloc.rpartition(":")[0]  # https://host:443 is https://host
    return f"{base.scheme}://{netloc}{base.path}"
