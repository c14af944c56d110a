"""What an area reports happened in a session, for other areas to react to (``REACTIONS``).

Its own module, so that any area can report without importing the session. Once the
unit of work commits, every report not ``internal`` is also a webhook event
(``loyalty_fake.webhooks``); a rejected request's reports are dropped with it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import attrs

if TYPE_CHECKING:
    from collections.abc import Mapping

__all__ = ["Activity", "card_activity"]


@attrs.frozen
class Activity:
    """Something that happened in a session, named as Voucherify's events are."""

    type: str  # e.g. "customer.order.paid"
    data: Mapping[str, Any] = attrs.field(factory=dict)
    # A report only for the areas that react (a segment's auto-update, an earning
    # rule's award to a segment's members), not something Voucherify announces.
    internal: bool = False


def card_activity(event_type: str, card_code: str, seq: int) -> Activity:
    """The report of a card's record numbered ``seq``: one event of its member activity."""
    return Activity(event_type, {"card_code": card_code, "seq": seq})
