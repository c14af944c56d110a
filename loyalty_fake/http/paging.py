"""How every list pages: by page (``limit``, ``page``) or by cursor (``starting_after_id``).

One rule for all of them: ``limit`` is 1 to 100, 10 when absent; ``page`` starts at 1 and
stops at 100, except where an endpoint says otherwise (publications: 1000, and 400
``page_over_limit`` above it); ``starting_after_id`` names an item of the list, else 400.
The query parameters the OpenAPI document declares for them are written from the same
bounds.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeVar

import attrs

from loyalty_fake.errors import bad_request
from loyalty_fake.http.common_json import STRING, Schema
from loyalty_fake.http.declare import query
from loyalty_fake.http.params import invalid_query
from loyalty_fake.ledger.pages import Page

if TYPE_CHECKING:
    from collections.abc import Sequence

    from loyalty_fake.http.params import Query

__all__ = [
    "LIMIT",
    "PAGE",
    "PUBLICATION_PAGES",
    "STARTING_AFTER",
    "Cursor",
    "Page",
    "PageBounds",
    "cursor",
    "page",
]

_Item = TypeVar("_Item")

_DEFAULT_LIMIT = 10
_MAX_LIMIT = 100


@attrs.frozen
class PageBounds:
    """The pages a page-based list takes.

    ``maximum`` is the highest ``page`` that is an integer in range; ``over_limit``, when
    set, the highest one served: above it Voucherify answers ``page_over_limit``.
    """

    maximum: int = 100
    over_limit: int | None = None

    def parameter(self) -> Schema:
        """The ``page`` query parameter as the OpenAPI document declares it."""
        if self.over_limit is None:
            schema = {"type": "integer", "minimum": 1, "maximum": self.maximum}
            return query("page", schema, "Default 1.")
        return query(
            "page",
            {"type": "integer", "minimum": 1, "maximum": self.over_limit},
            f"Default 1; above {self.over_limit} is 400 page_over_limit.",
        )


# Listing publications: "Listing resource above 1000 page is not supported".
PUBLICATION_PAGES = PageBounds(maximum=1_000_000, over_limit=1000)

LIMIT = query(
    "limit",
    {"type": "integer", "minimum": 1, "maximum": _MAX_LIMIT},
    f"Default {_DEFAULT_LIMIT}.",
)
_PAGES = PageBounds()
PAGE = _PAGES.parameter()
STARTING_AFTER = query("starting_after_id", STRING, "An ID from the list; else 400.")


@attrs.frozen
class Cursor:
    """A cursor-paged request: ``limit`` items after the one whose ID is ``after``."""

    limit: int
    after: str | None

    def of(self, items: Sequence[_Item], ids: Sequence[str]) -> tuple[list[_Item], bool]:
        """The items after ``after`` (an ID of ``ids``, one per item), and whether more follow.

        Raises 400 ``invalid_query_params`` when ``after`` is not one of ``ids``.
        """
        rest = list(items)
        if self.after is not None:
            if self.after not in ids:
                raise invalid_query(
                    f"Property .starting_after_id: {self.after} is not in this list"
                )
            rest = rest[list(ids).index(self.after) + 1 :]
        return rest[: self.limit], len(rest) > self.limit


def _limit(query: Query) -> int:
    return query.integer("limit", minimum=1, maximum=_MAX_LIMIT, default=_DEFAULT_LIMIT)


def page(query: Query, bounds: PageBounds = _PAGES) -> Page:
    """The page ``limit`` and ``page`` ask for; 400 when either is out of ``bounds``."""
    limit = _limit(query)
    number = query.integer("page", minimum=1, maximum=bounds.maximum, default=1)
    if bounds.over_limit is not None and number > bounds.over_limit:
        raise bad_request(
            "page_over_limit",
            f"Listing resource above {bounds.over_limit} page is not supported",
            f"Property .page cannot be higher than {bounds.over_limit}",
        )
    return Page(limit=limit, number=number)


def cursor(query: Query) -> Cursor:
    """The cursor ``limit`` and ``starting_after_id`` ask for; 400 for a ``limit`` out of range."""
    return Cursor(limit=_limit(query), after=query.string("starting_after_id"))
