"""Loyalty tiers: a program's tiers, each member's tier, and the events a change is.

A tier is ``{name, points: {from, to}, earning_rules, rewards}`` (``tier_records.py``);
the program's ``loyalty_tiers_expiration`` says how members qualify (``tier_rules.py``).
Every movement of a member's points comes here (``Points.record``): a ``BALANCE`` tier
follows the balance, a ``POINTS_IN_PERIOD`` one counts the points collected in the
calendar period. Tiers that expire, and those that start with a new period, change at
midnight in the nightly order (``tier_nights.py``). Each change is reported as
Voucherify's events ``customer.loyalty.tier.{joined,left,upgraded,downgraded,prolonged}``:
in the customer's activity, and as activities the tier earning rules react to.
"""

from __future__ import annotations

import datetime as dt
from heapq import heappush
from typing import TYPE_CHECKING, Any

import attrs

from loyalty_fake import errors
from loyalty_fake.ids import customer_event_id
from loyalty_fake.ledger.activities import Activity
from loyalty_fake.ledger.campaigns import find_campaign
from loyalty_fake.ledger.expiry import expires_at
from loyalty_fake.ledger.project import Area, note_project
from loyalty_fake.ledger.segments import CustomerEvent
from loyalty_fake.ledger.tier_records import (
    LoyaltyTier,
    MemberTier,
    Qualification,
    put_member_tier,
    tiers_of,
)
from loyalty_fake.ledger.tier_rules import TierSettings, map_points, period_of, qualifying

if TYPE_CHECKING:
    from loyalty_fake.ledger.cards import LoyaltyCard
    from loyalty_fake.ledger.history import Transaction
    from loyalty_fake.ledger.project import Project

__all__ = [
    "TIER_DOWNGRADED",
    "TIER_EVENTS",
    "TIER_JOINED",
    "TIER_LEFT",
    "TIER_PROLONGED",
    "TIER_UPGRADED",
    "TierSpec",
    "Tiers",
    "member_tier",
    "reward_price",
]

TIER_JOINED = "customer.loyalty.tier.joined"
TIER_LEFT = "customer.loyalty.tier.left"
TIER_UPGRADED = "customer.loyalty.tier.upgraded"
TIER_DOWNGRADED = "customer.loyalty.tier.downgraded"
TIER_PROLONGED = "customer.loyalty.tier.prolonged"
TIER_EVENTS = (TIER_JOINED, TIER_LEFT, TIER_UPGRADED, TIER_DOWNGRADED, TIER_PROLONGED)
# The movements that collect points for POINTS_IN_PERIOD: earned and added, not moved in
# from another card or given back by a rollback (docs/choices.md).
_COLLECTING = frozenset({"POINTS_ACCRUAL", "PENDING_POINTS_ACTIVATION", "POINTS_ADDITION"})

TierSpec = dict[str, Any]  # name, points_from, points_to, earning_rules, rewards, metadata


def settings_of(project: Project, campaign_id: str) -> TierSettings:
    """The ``loyalty_tiers_expiration`` of a program, its defaults filled in."""
    return TierSettings.of(project.campaigns[campaign_id].settings.get("loyalty_tiers_expiration"))


def member_tier(project: Project, card: LoyaltyCard) -> LoyaltyTier | None:
    """The tier the member holding ``card`` is in now, if any."""
    state = project.member_tiers.get(card.code) if project.member_tiers else None
    if state is None or state.current is None:
        return None
    return project.loyalty_tiers.get(state.current.tier_id)


def reward_price(project: Project, card: LoyaltyCard, reward_id: str, points: int) -> int:
    """What a reward costs the member holding ``card``: its tier's mapping of ``points``."""
    tier = member_tier(project, card)
    if tier is None:
        return points
    return map_points(points, tier.rewards.get(reward_id))


class Tiers(Area):
    """A project's loyalty tiers and its members' tiers."""

    __slots__ = ()

    # -- the tiers --------------------------------------------------------------------------

    def create(self, campaign_ref: str, specs: list[TierSpec]) -> list[LoyaltyTier]:
        """Add tiers to a program, all or none.

        404 for an unknown program, earning rule of the program or reward; 400 for a
        range that overlaps another tier's. Members move into them as their points next
        change, or at once when the program's update asks ``options.recalculate_tiers``.
        """
        project = self._project
        campaign = find_campaign(project, campaign_ref)
        ranges = [(t.points_from or 0, t.points_to) for t in tiers_of(project, campaign.id)]
        for index, spec in enumerate(specs):
            for rule_id in spec["earning_rules"]:
                rule = project.earning_rules.get(rule_id)
                if rule is None or rule.campaign_id != campaign.id:
                    raise errors.not_found("earning_rule", rule_id)
            for reward_id in spec["rewards"]:
                if reward_id not in project.rewards:
                    raise errors.not_found("reward", reward_id)
            low, high = spec["points_from"] or 0, spec["points_to"]
            for other_low, other_high in ranges:
                if (high is None or other_low <= high) and (
                    other_high is None or low <= other_high
                ):
                    at = f"[{index}]." if len(specs) > 1 else "."
                    raise errors.invalid_payload(
                        f"Property {at}points overlaps the points range of another tier"
                    )
            ranges.append((low, high))
        undo = self._session.undo
        if undo is not None:
            note_project(undo, project)
        now = self._session.clock.now()
        made = []
        for spec in specs:
            tier = LoyaltyTier(
                id=self._session.ids.loyalty_tier_id(),
                campaign_id=campaign.id,
                created_at=now,
                seq=project.take_seq(),
                **spec,
            )
            project.loyalty_tiers[tier.id] = tier
            made.append(tier)
        return made

    def page(self, campaign_ref: str, *, order: str = "created_at") -> list[LoyaltyTier]:
        """A program's tiers in ``order`` (``created_at``, ``-updated_at``, ...); 404 for none."""
        campaign = find_campaign(self._project, campaign_ref)
        found = tiers_of(self._project, campaign.id)
        key = order.lstrip("-")
        found.sort(
            key=lambda t: (getattr(t, key) or t.created_at, t.seq), reverse=order.startswith("-")
        )
        return found

    def get(self, campaign_ref: str, tier_id: str) -> LoyaltyTier:
        """A program's tier; 404 ``not_found`` (campaign, or loyalty_tier) otherwise."""
        campaign = find_campaign(self._project, campaign_ref)
        tier = self._project.loyalty_tiers.get(tier_id)
        if tier is None or tier.campaign_id != campaign.id:
            raise errors.not_found("loyalty_tier", tier_id)
        return tier

    def of_member(self, code: str) -> tuple[LoyaltyCard, list[tuple[LoyaltyTier, MemberTier]]]:
        """A member's card and its tier now, with its state (none, or one); 404 for no member."""
        project = self._project
        card = self._session.members.get(code)
        state = project.member_tiers.get(card.code)
        if state is None or state.current is None:
            return card, []
        tier = project.loyalty_tiers.get(state.current.tier_id)
        return card, [] if tier is None else [(tier, state)]

    def refresh(self, campaign_ref: str) -> None:
        """Recheck a program's members (``options.recalculate_tiers``): up, never down.

        Voucherify: with "Refresh tiers", customers are upgraded, never downgraded.
        """
        project = self._project
        campaign = find_campaign(project, campaign_ref)
        if not tiers_of(project, campaign.id):
            return
        now = self._session.clock.now()
        for card in list(project.cards.values()):
            if card.campaign_id == campaign.id and card.holder_id is not None:
                self.recheck(card, now, upgrades_only=True)

    # -- members' tiers ---------------------------------------------------------------------

    def moved(self, card: LoyaltyCard, transaction: Transaction) -> None:
        """A movement of ``card``'s points: count what it collects, and recheck the tier."""
        project = self._project
        if card.holder_id is None or not any(
            t.campaign_id == card.campaign_id for t in project.loyalty_tiers.values()
        ):
            return
        settings = settings_of(project, card.campaign_id)
        if settings.in_period and transaction.points > 0 and transaction.type in _COLLECTING:
            self._collect(card.code, settings, transaction.points, transaction.created_at)
        self.recheck(card, transaction.created_at, settings)

    def _collect(self, code: str, settings: TierSettings, points: int, at: dt.datetime) -> None:
        project = self._project
        first = period_of(at.date(), settings.qualification_period)[0]
        kept = project.tier_collected.get(code)
        collected = kept[1] if kept is not None and kept[0] == first else 0
        undo = self._session.undo
        if undo is not None:
            undo.undo(_put_collected, project.tier_collected, code, kept)
        project.tier_collected[code] = (first, collected + points)

    def collected(self, code: str, settings: TierSettings, day: dt.date) -> int:
        """The points card ``code`` collected in the qualification period ``day`` is in."""
        kept = self._project.tier_collected.get(code)
        first = period_of(day, settings.qualification_period)[0]
        return kept[1] if kept is not None and kept[0] == first else 0

    def recheck(
        self,
        card: LoyaltyCard,
        now: dt.datetime,
        settings: TierSettings | None = None,
        *,
        upgrades_only: bool = False,
    ) -> None:
        """Move the member to the tier their balance or period's points qualify them for now.

        ``BALANCE_DROP`` tiers follow the balance both ways; tiers with an end date only
        go up here (down when they expire, at night).
        """
        project = self._project
        settings = settings or settings_of(project, card.campaign_id)
        ranges = [t.range for t in tiers_of(project, card.campaign_id)]
        today = now.date()
        value = self.collected(card.code, settings, today) if settings.in_period else card.balance
        target = qualifying(ranges, value)
        if settings.expiration_type == "BALANCE_DROP" and not settings.in_period:
            self._drop_to(card, target.id if target is not None else None, now, upgrades_only)
            return
        if target is None:
            return
        start = settings.starts(today)
        reached = Qualification(target.id, start, settings.last_day(start))
        if start > today:
            self._schedule(card, reached, now)
        else:
            self.reach(card, reached, now)

    def _drop_to(
        self, card: LoyaltyCard, tier_id: str | None, now: dt.datetime, upgrades_only: bool
    ) -> None:
        state = self._project.member_tiers.get(card.code)
        current = state.current if state is not None else None
        if (current.tier_id if current else None) == tier_id:
            return
        if upgrades_only and self._rank(tier_id) <= self._rank(
            current.tier_id if current else None
        ):
            return
        qualification = Qualification(tier_id, now.date(), None) if tier_id else None
        self.change(card, qualification, now)

    def reach(self, card: LoyaltyCard, reached: Qualification, now: dt.datetime) -> None:
        """The member reached a tier: up to it, longer in it, or keep it for later (lower)."""
        state = self._project.member_tiers.get(card.code)
        current = state.current if state is not None else None
        if current is None or self._rank(reached.tier_id) > self._rank(current.tier_id):
            self.change(card, reached, now)
        elif reached.tier_id == current.tier_id:
            if _later(reached.expiration_date, current.expiration_date):
                self.change(card, Qualification(current.tier_id, current.start_date,
                            reached.expiration_date), now)  # fmt: skip
        elif state is not None and _later(reached.expiration_date, current.expiration_date):
            fallback = state.fallback
            if fallback is None or self._rank(reached.tier_id) >= self._rank(fallback.tier_id):
                self._put(card, state, fallback=reached, now=now)

    def _schedule(self, card: LoyaltyCard, reached: Qualification, now: dt.datetime) -> None:
        state = self._project.member_tiers.get(card.code)
        scheduled = state.scheduled if state is not None else None
        if scheduled is not None and self._rank(scheduled.tier_id) >= self._rank(reached.tier_id):
            return
        self._put(card, state, scheduled=reached, now=now)
        self._due(card, dt.datetime.combine(reached.start_date, dt.time(), tzinfo=dt.timezone.utc))

    def clear_scheduled(self, card: LoyaltyCard, now: dt.datetime) -> None:
        """Forget the member's scheduled tier (it started, or gave way)."""
        state = self._project.member_tiers.get(card.code)
        if state is not None and state.scheduled is not None:
            self._put(card, state, scheduled=None, now=now)

    def change(self, card: LoyaltyCard, to: Qualification | None, now: dt.datetime) -> None:
        """Put the member in tier ``to`` (``None``: in none), and report the events it is."""
        project = self._project
        state = project.member_tiers.get(card.code)
        before = state.current if state is not None else None
        fallback = state.fallback if state is not None else None
        if fallback is not None and (to is None or fallback.tier_id == to.tier_id):
            fallback = None
        self._put(card, state, current=to, fallback=fallback, now=now)
        if to is not None and to.expiration_date is not None:
            self._due(card, expires_at(to.expiration_date))
        old = before.tier_id if before is not None else None
        new = to.tier_id if to is not None else None
        if old == new:
            events = [(TIER_PROLONGED, new)]
        else:
            events = [(TIER_LEFT, old), (TIER_JOINED, new)]
            if old is not None and new is not None:
                up = self._rank(new) > self._rank(old)
                events.append((TIER_UPGRADED if up else TIER_DOWNGRADED, new))
        for kind, tier_id in events:
            if tier_id is not None:
                self._report(card, kind, tier_id, now, previous=old)

    def _put(
        self, card: LoyaltyCard, state: MemberTier | None, *, now: dt.datetime, **changes: Any
    ) -> None:
        assert card.holder_id is not None  # noqa: S101 - only members have tiers
        if state is None:
            state = MemberTier(card.campaign_id, card.holder_id, None, now)
            values = changes
        else:
            values = {"updated_at": now, **changes}
        put_member_tier(self._project, self._session.undo, card.code, _evolve(state, values))

    def _rank(self, tier_id: str | None) -> int:
        tier = self._project.loyalty_tiers.get(tier_id) if tier_id is not None else None
        return -1 if tier is None else tier.range.rank

    def _due(self, card: LoyaltyCard, instant: dt.datetime) -> None:
        """Note ``card`` for the night of ``instant`` (``tier_nights.py``), by program kind."""
        project = self._project
        if settings_of(project, card.campaign_id).in_period:
            due, instants = project.tier_due, project.tier_instants
        else:
            due, instants = project.tier_balance_due, project.tier_balance_instants
        undo = self._session.undo
        codes = due.get(instant)
        if codes is None:
            if undo is not None:
                note_project(undo, project)
                undo.keep(instants)
            codes = due[instant] = []
            heappush(instants, instant)
        elif undo is not None:
            undo.mark(codes)
        codes.append(card.code)

    def _report(
        self, card: LoyaltyCard, kind: str, tier_id: str, now: dt.datetime, previous: str | None
    ) -> None:
        """One tier event: in the customer's activity, and an activity earning rules react to."""
        project = self._project
        undo = self._session.undo
        if undo is not None:
            note_project(undo, project)
        tier = project.loyalty_tiers[tier_id]
        customer_id = str(card.holder_id)
        seq = project.take_seq()
        data = {
            "customer_id": customer_id,
            "campaign_id": card.campaign_id,
            "loyalty_tier_id": tier.id,
            "loyalty_tier_name": tier.name,
            "code": card.code,
            "previous_loyalty_tier_id": previous,
        }
        event = CustomerEvent(
            id=customer_event_id(f"{card.code}/{kind}/{tier_id}", seq),
            type=kind,
            customer_id=customer_id,
            created_at=now,
            seq=seq,
            data=data,
        )
        project.customer_events.append(event)
        self._session.happened(Activity(kind, {**data, "event_id": event.id}))

    def mapped_points(
        self, card: LoyaltyCard, rule_id: str, points: int
    ) -> tuple[int, LoyaltyTier | None]:
        """The points an earning rule gives the member of ``card``: their tier's mapping of them.

        Also the tier whose mapping applied, if one did.
        """
        tier = member_tier(self._project, card)
        if tier is None or rule_id not in tier.earning_rules:
            return points, None
        return map_points(points, tier.earning_rules[rule_id]), tier

    def forget_campaign(self, campaign_id: str, codes: set[str]) -> None:
        """Drop a program deleted for good: its tiers, and its cards' tiers (``codes``)."""
        project = self._project
        undo = self._session.undo
        if undo is not None:
            for container in (project.loyalty_tiers, project.member_tiers, project.tier_collected):
                undo.keep(container)
        for tier in tiers_of(project, campaign_id):
            del project.loyalty_tiers[tier.id]
        for code in codes:
            project.member_tiers.pop(code, None)
            project.tier_collected.pop(code, None)


def _evolve(state: MemberTier, values: dict[str, Any]) -> MemberTier:
    return attrs.evolve(state, **values)


def _later(one: dt.date | None, other: dt.date | None) -> bool:
    """Whether end date ``one`` is later than ``other`` (``None``: no end, the latest)."""
    if one is None:
        return other is not None
    return other is not None and one > other


def _put_collected(
    collected: dict[str, tuple[dt.date, int]], code: str, kept: tuple[dt.date, int] | None
) -> None:
    if kept is None:
        collected.pop(code, None)
    else:
        collected[code] = kept
