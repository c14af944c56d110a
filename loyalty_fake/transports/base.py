"""What a transport needs from the fake, and how it patches a client library."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

import attrs

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    from loyalty_fake.http.messages import Response

__all__ = ["Claims", "Patch", "Serve"]


class Serve(Protocol):
    """Answer ``method url`` when the fake claims the URL, else return ``None``."""

    def __call__(
        self,
        method: str,
        url: str,
        headers: Mapping[str, str],
        body: bytes,
        client: str | None = None,
    ) -> Response | None:
        """The fake's response, or ``None`` for a URL that is not Voucherify's.

        ``client`` names the library that sent it, for the call journal.
        """


class Claims(Protocol):
    """Whether the fake answers a URL."""

    def __call__(self, url: str) -> bool:
        """``True`` when ``url`` is one of the fake's."""


@attrs.define
class Patch:
    """One attribute of a class replaced while started.

    ``wrap(previous, live)`` builds the replacement from the attribute found at start
    (as stored on the class: a function, or a ``classmethod``); the replacement should
    hand every call straight to ``previous`` once ``live()`` is false. ``stop()`` puts
    the previous attribute back when the replacement is still the one in place; when
    another patch was stacked on top meanwhile, it stays, inert, until that one goes.
    """

    owner: type
    name: str
    wrap: Callable[[Any, Callable[[], bool]], Any]
    _token: object | None = attrs.field(default=None, init=False)
    _previous: Any = attrs.field(default=None, init=False)
    _installed: Any = attrs.field(default=None, init=False)

    def start(self) -> None:
        """Install the replacement; a no-op when already started."""
        if self._token is not None:
            return
        token = object()

        def live() -> bool:
            return self._token is token

        previous = self.owner.__dict__[self.name]
        installed = self.wrap(previous, live)
        self._token, self._previous, self._installed = token, previous, installed
        setattr(self.owner, self.name, installed)

    def stop(self) -> None:
        """Put the previous attribute back if ours is still in place; safe to call twice."""
        if self._token is None:
            return
        if self.owner.__dict__.get(self.name) is self._installed:
            setattr(self.owner, self.name, self._previous)
        self._token = self._previous = self._installed = None
