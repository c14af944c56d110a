"""Rewards redeemed automatically: the nightly ``rewards_auto_redeem`` slot (schedule.py).

A program's reward assignment with ``parameters.loyalty.auto_redeem`` is redeemed for each
member whose balance covers its price, at midnight UTC, after pending points activate and
before tiers and points expiration (Voucherify's documented order), at most
``DAILY_LIMIT`` times a customer a night, whatever the program.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from loyalty_fake.errors import VoucherifyError

if TYPE_CHECKING:
    from loyalty_fake.ledger.project import Project
    from loyalty_fake.ledger.rewards import RewardAssignment
    from loyalty_fake.ledger.session import Session

__all__ = ["DAILY_LIMIT", "auto_redeem_due", "auto_redeem_run"]

# "At most 10 auto-redemptions per customer per day" (the docs).
DAILY_LIMIT = 10


def _next_midnight(instant: dt.datetime) -> dt.datetime:
    day = instant.astimezone(dt.timezone.utc).date() + dt.timedelta(days=1)
    return dt.datetime.combine(day, dt.time(), tzinfo=dt.timezone.utc)


def _automatic(project: Project) -> list[RewardAssignment]:
    """The assignments redeemed automatically, oldest first (one a program at most)."""
    return [
        a
        for a in project.reward_assignments.values()
        if a.auto_redeem and a.auto_redeemed_at is not None
    ]


def auto_redeem_due(project: Project) -> dt.datetime | None:
    """The next midnight at which an automatic reward is to be redeemed, if any is set."""
    if not project.reward_assignments:  # every session asks: most projects have none
        return None
    instants = [
        _next_midnight(a.auto_redeemed_at) for a in _automatic(project) if a.auto_redeemed_at
    ]
    return min(instants, default=None)


def auto_redeem_run(session: Session, until: dt.datetime) -> None:
    """Redeem each automatic reward due by ``until`` for every member who can afford it.

    Programs in the order their automatic rewards were assigned, members in the order their
    cards were made; each member as many times as the balance allows, up to ``DAILY_LIMIT``
    a customer that night. A redemption the rules refuse (a card without a holder, too few
    points) is skipped, and records nothing.
    """
    project = session.existing_project
    assert project is not None  # noqa: S101 - the schedule runs in an open project
    undo = session.undo
    redemptions = session.redemptions
    counts: dict[str, int] = {}
    for assignment in _automatic(project):
        assert assignment.auto_redeemed_at is not None  # noqa: S101 - _automatic's filter
        night = _next_midnight(assignment.auto_redeemed_at)
        if night > until:
            continue
        if undo is not None:
            undo.touch(assignment)
        assignment.auto_redeemed_at = night
        campaign = project.campaigns.get(assignment.campaign_id)
        if campaign is None or campaign.in_bin:
            continue
        cards = [c for c in project.cards.values() if c.campaign_id == campaign.id]
        for card in cards:
            while card.active and card.holder_id and counts.get(card.holder_id, 0) < DAILY_LIMIT:
                try:
                    reward, found, spent, _ = redemptions.check(
                        project, card, campaign, assignment.reward_id, None, None
                    )
                except VoucherifyError:
                    break
                redemptions.spend(card, reward, found, spent, automatic_at=night)
                counts[card.holder_id] = counts.get(card.holder_id, 0) + 1
