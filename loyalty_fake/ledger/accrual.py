"""What a ``POINTS_ACCRUAL`` transaction points at: the earning rule and what earned.

A leaf module: cards, history and earning all name it.
"""

from __future__ import annotations

import attrs

__all__ = ["Accrual"]


@attrs.frozen
class Accrual:
    """What a ``POINTS_ACCRUAL`` transaction names: its rule, and the order or event that earned.

    ``event_type`` is ``customer.order.paid`` or ``customer.custom_event``; a custom
    event's name and schema are ``custom_event`` and ``schema_id``.
    """

    rule_id: str
    banner: str
    event_id: str
    event_type: str
    order_id: str | None = None
    order_source_id: str | None = None
    custom_event: str | None = None
    schema_id: str | None = None
    # The tier whose mapping of the rule's points applied: (ID, name).
    loyalty_tier: tuple[str, str] | None = None
