"""Tiers at midnight: those that expire, those that start with a new period (``schedule.py``).

Voucherify's nightly order recalculates tiers twice: after pending points activate
("expiring tiers, then tiers for a new period"), and after points expire ("balance-based
tier recalculation"). A member is noted for the night their tier ends or a scheduled one
starts (``Tiers._due``): members of ``POINTS_IN_PERIOD`` programs for the first slot,
those of ``BALANCE`` programs for the second, which runs after the night's expiry.
"""

from __future__ import annotations

from heapq import heappop
from typing import TYPE_CHECKING

from loyalty_fake.ledger.expiry import expires_at
from loyalty_fake.ledger.tier_records import Qualification, tiers_of
from loyalty_fake.ledger.tier_rules import qualifying
from loyalty_fake.ledger.tiers import settings_of

if TYPE_CHECKING:
    import datetime as dt

    from loyalty_fake.ledger.project import Project
    from loyalty_fake.ledger.session import Session

__all__ = [
    "TIER_CHUNK",
    "balance_tiers_due",
    "recalculate_balance_tiers",
    "recalculate_tiers",
    "tiers_due",
]

# Members one session recalculates at most: a night of a million members is done in
# chunks, the ledger's lock released between them (about 20 ms each; benchmarks/tiers.py).
TIER_CHUNK = 1_000


def tiers_due(project: Project) -> dt.datetime | None:
    """The soonest night a ``POINTS_IN_PERIOD`` member's tier ends or starts."""
    instants = project.tier_instants
    return instants[0] if instants else None


def balance_tiers_due(project: Project) -> dt.datetime | None:
    """The soonest night a ``BALANCE`` member's tier ends (after that night's expiry)."""
    instants = project.tier_balance_instants
    return instants[0] if instants else None


def recalculate_tiers(session: Session, until: dt.datetime) -> bool:
    """The members noted for the nights by ``until``: expiring tiers, then those starting."""
    project = session.project
    return _run(session, project.tier_due, project.tier_instants, until)


def recalculate_balance_tiers(session: Session, until: dt.datetime) -> bool:
    """The ``BALANCE`` program members noted for the nights by ``until``."""
    project = session.project
    return _run(session, project.tier_balance_due, project.tier_balance_instants, until)


def _run(
    session: Session,
    due: dict[dt.datetime, list[str]],
    instants: list[dt.datetime],
    until: dt.datetime,
) -> bool:
    """Up to ``TIER_CHUNK`` members of the nights by ``until``; whether none is left."""
    undo = session.undo
    if undo is not None:
        undo.keep(instants)
        undo.keep(due)
    budget = TIER_CHUNK
    while instants and instants[0] <= until:
        night = instants[0]
        codes = due.get(night, [])
        # From the end: what is left stays the same list, cut shorter.
        taken = codes[-budget:]
        del codes[-budget:]
        if undo is not None:
            undo.undo(codes.extend, taken)
        if not codes:
            heappop(instants)
            due.pop(night, None)
        for code in reversed(dict.fromkeys(reversed(taken))):
            _recalculate(session, code, night)
        budget -= len(taken)
        if budget <= 0:
            return not (instants and instants[0] <= until)
    return True


def _recalculate(session: Session, code: str, night: dt.datetime) -> None:
    """One member at midnight: a tier that ended gives way; a scheduled one starts."""
    project = session.project
    card = project.cards.get(code)
    state = project.member_tiers.get(code)
    if card is None or state is None or card.holder_id is None:
        return
    tiers = session.tiers
    today = night.date()
    scheduled = state.scheduled
    starting = scheduled if scheduled is not None and scheduled.start_date <= today else None
    end = state.current.expiration_date if state.current is not None else None
    if end is not None and expires_at(end) <= night:
        tiers.change(card, starting or _next_tier(session, code, night), night)
        if starting is not None:
            tiers.clear_scheduled(card, night)
        return
    if starting is not None:
        tiers.clear_scheduled(card, night)
        tiers.reach(card, starting, night)


def _next_tier(session: Session, code: str, night: dt.datetime) -> Qualification | None:
    """What a member whose tier ended is in now: a lower tier still held, else requalified."""
    project = session.project
    card = project.cards[code]
    state = project.member_tiers[code]
    fallback = state.fallback
    if fallback is not None and (
        fallback.expiration_date is None or expires_at(fallback.expiration_date) > night
    ):
        return fallback
    settings = settings_of(project, card.campaign_id)
    today = night.date()
    if settings.in_period:
        # NEXT_PERIOD tiers come from the period that ended (scheduled); IMMEDIATE ones
        # from what the new period has collected so far.
        value = (
            0
            if settings.start_type == "NEXT_PERIOD"
            else session.tiers.collected(code, settings, today)
        )
    else:
        value = card.balance
    target = qualifying([t.range for t in tiers_of(project, card.campaign_id)], value)
    if target is None:
        return None
    return Qualification(target.id, today, settings.last_day(today))
