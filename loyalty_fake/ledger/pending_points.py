"""A pending points entry (``lopp_``): points an ``order.paid`` rule awards days later.

A leaf module: cards, history and earning all name it.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Literal

import attrs

if TYPE_CHECKING:
    from loyalty_fake.ledger.expiry import ExpirationRules

__all__ = ["PendingPoints", "PendingStatus", "activation_instant"]

PendingStatus = Literal["PENDING", "ACTIVATED", "CANCELED"]


def activation_instant(day: dt.date) -> dt.datetime:
    """The instant points pending until ``day`` activate: 00:00 UTC that day."""
    return dt.datetime.combine(day, dt.time(), tzinfo=dt.timezone.utc)


@attrs.define(eq=False)
class PendingPoints:
    """Points a card will get on ``activates_at``, and what earned them.

    ``status`` is ``PENDING`` until they activate (``ACTIVATED``, by the nightly job or by
    hand) or are cancelled (``CANCELED``); only ``PENDING`` entries are listed.
    ``expiration_rules``: the earning rule's own, kept from when they were earned; the
    program's apply when ``None``. Their expiry counts from the activation.
    """

    id: str
    seq: int
    card_code: str
    campaign_id: str
    customer_id: str
    order_id: str
    order_source_id: str | None
    points: int
    activates_at: dt.date
    created_at: dt.datetime
    rule_id: str
    banner: str
    event_id: str
    expiration_rules: ExpirationRules | None = None
    status: PendingStatus = "PENDING"
    updated_at: dt.datetime | None = None
    # When and in which project sequence it stopped pending (activated or cancelled).
    closed_at: dt.datetime | None = None
    closed_seq: int = 0
    # Each adjustment's moment and project sequence number: a pending_points.updated event.
    adjusted: tuple[tuple[dt.datetime, int], ...] = ()
    # The tier whose mapping of the rule's points applied: (ID, name).
    loyalty_tier: tuple[str, str] | None = None
