"""Which items a page of a list holds: one rule for every page-based list.

Page ``number`` (from 1) of ``limit`` items is the items from ``(number - 1) * limit`` on.
The bounds a request may ask for (``limit`` 1 to 100, …) are the HTTP layer's
(``http/paging.py``); the slicing is here, so the ledger's lists and the HTTP layer's
agree by construction.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeVar

import attrs

if TYPE_CHECKING:
    from collections.abc import Sequence

__all__ = ["Page"]

_Item = TypeVar("_Item")


@attrs.frozen
class Page:
    """One page of a page-based list: ``limit`` items from the ``number``-th page on."""

    limit: int
    number: int

    @property
    def start(self) -> int:
        """The index of the page's first item in the whole list."""
        return (self.number - 1) * self.limit

    @property
    def stop(self) -> int:
        """The index just past the page's last item."""
        return self.number * self.limit

    def of(self, items: Sequence[_Item]) -> list[_Item]:
        """The items of the whole list ``items`` on this page."""
        return list(items[self.start : self.stop])
