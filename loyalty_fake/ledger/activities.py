"""What an area reports happened in a session, for other areas to react to (``REACTIONS``).

Its own module, so that any area can report without importing the session.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import attrs

if TYPE_CHECKING:
    from collections.abc import Mapping

__all__ = ["Activity"]


@attrs.frozen
class Activity:
    """Something that happened in a session, named as Voucherify's events are."""

    type: str  # e.g. "customer.order.paid"
    data: Mapping[str, Any] = attrs.field(factory=dict)
