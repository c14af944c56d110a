"""What a program's loyalty tiers and its members' tiers are: records, and putting them back.

A leaf module: the tiers area (``tiers.py``), its nightly work (``tier_nights.py``), the
project and the HTTP layer all name these.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import attrs

from loyalty_fake.ledger.tier_rules import TierRange

if TYPE_CHECKING:
    import datetime as dt

    from loyalty_fake.ledger.project import Project
    from loyalty_fake.ledger.undo import UndoLog

__all__ = ["LoyaltyTier", "MemberTier", "Qualification", "put_member_tier", "tiers_of"]


@attrs.define(eq=False)
class LoyaltyTier:
    """One tier of a program (``ltr_``): its range and its mappings of rules' and rewards' points.

    ``earning_rules`` and ``rewards``: ID -> ``{type: MULTIPLY, multiplier}`` or
    ``{type: CUSTOM, points}``, as given.
    """

    id: str
    campaign_id: str
    name: str
    points_from: int | None
    points_to: int | None
    created_at: dt.datetime
    seq: int
    earning_rules: dict[str, dict[str, Any]] = attrs.field(factory=dict)
    rewards: dict[str, dict[str, Any]] = attrs.field(factory=dict)
    metadata: dict[str, Any] | None = None
    updated_at: dt.datetime | None = None

    @property
    def range(self) -> TierRange:
        """The tier's ID and points range, as ``tier_rules.qualifying`` takes them."""
        return TierRange(self.id, self.points_from, self.points_to)


@attrs.frozen
class Qualification:
    """A tier a member reached: from ``start_date`` through ``expiration_date`` (``None``: open)."""

    tier_id: str
    start_date: dt.date
    expiration_date: dt.date | None


@attrs.frozen
class MemberTier:
    """A member's tier in a program, kept by card code; replaced whole on every change.

    ``fallback``: a lower tier the member also qualified for, which outlasts ``current``
    (it takes over when ``current`` expires). ``scheduled``: a tier reached this period
    that starts with the next one (``start_date.type: NEXT_PERIOD``).
    """

    campaign_id: str
    customer_id: str
    current: Qualification | None
    created_at: dt.datetime
    updated_at: dt.datetime | None = None
    fallback: Qualification | None = None
    scheduled: Qualification | None = None


def tiers_of(project: Project, campaign_id: str) -> list[LoyaltyTier]:
    """A program's tiers, oldest first."""
    return [tier for tier in project.loyalty_tiers.values() if tier.campaign_id == campaign_id]


def put_member_tier(
    project: Project, undo: UndoLog | None, code: str, state: MemberTier | None
) -> None:
    """Set (or, with ``None``, drop) the tier state of card ``code``, noting how to put it back."""
    states = project.member_tiers
    if undo is not None:
        undo.undo(_put_back, states, code, states.get(code))
    if state is None:
        states.pop(code, None)
    else:
        states[code] = state


def _put_back(states: dict[str, MemberTier], code: str, state: MemberTier | None) -> None:
    if state is None:
        states.pop(code, None)
    else:
        states[code] = state
