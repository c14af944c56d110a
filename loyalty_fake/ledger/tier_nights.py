"""Tiers at midnight: those that expire, those that start with a new period (``schedule.py``).

Voucherify's nightly order recalculates tiers twice: after pending points activate
("expiring tiers, then tiers for a new period"), and after points expire ("balance-based
tier recalculation"). A member is noted for the night their tier ends or a scheduled one
starts (``Tiers._due``); the first slot takes those night's members, passing the members
of ``BALANCE`` programs on to the second, which runs after the night's expiry.
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

__all__ = ["balance_tiers_due", "recalculate_balance_tiers", "recalculate_tiers", "tiers_due"]


def tiers_due(project: Project) -> dt.datetime | None:
    """The soonest night a member's tier ends or starts."""
    instants = project.tier_instants
    return instants[0] if instants else None


def balance_tiers_due(project: Project) -> dt.datetime | None:
    """The night of the ``BALANCE`` program members waiting for the night's expiry."""
    waiting = project.tier_balance_due
    return waiting[0][0] if waiting else None


def recalculate_tiers(session: Session, until: dt.datetime) -> None:
    """Every member noted for a night by ``until``: expiring tiers, then those starting."""
    project = session.project
    undo = session.undo
    instants = project.tier_instants
    if undo is not None:
        undo.keep(instants)
        undo.keep(project.tier_due)
        undo.keep(project.tier_balance_due)
    while instants and instants[0] <= until:
        night = heappop(instants)
        for code in dict.fromkeys(project.tier_due.pop(night, [])):
            card = project.cards.get(code)
            state = project.member_tiers.get(code)
            if card is None or state is None:
                continue
            if settings_of(project, card.campaign_id).in_period:
                _recalculate(session, code, night)
            else:
                project.tier_balance_due.append((night, code))


def recalculate_balance_tiers(session: Session, until: dt.datetime) -> None:
    """The ``BALANCE`` program members of the nights by ``until``, after the points expired."""
    project = session.project
    waiting = project.tier_balance_due
    if session.undo is not None:
        session.undo.keep(waiting)
    due = [entry for entry in waiting if entry[0] <= until]
    waiting[:] = [entry for entry in waiting if entry[0] > until]
    for night, code in due:
        _recalculate(session, code, night)


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
