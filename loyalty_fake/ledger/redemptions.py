"""Redeeming a reward with a member's points, and rolling a redemption back.

A redemption is checked first (``check``: every rule, nothing changed), then applied.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import attrs

from loyalty_fake import errors
from loyalty_fake.errors import VoucherifyError
from loyalty_fake.ledger.expiry import expires_at
from loyalty_fake.ledger.failed_redemptions import FailedRedemption
from loyalty_fake.ledger.points import check_balance
from loyalty_fake.ledger.project import Area, note_project
from loyalty_fake.ledger.rewards import Reward, RewardAssignment, assignments_of, coin_payment
from loyalty_fake.ledger.tiers import reward_price

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Callable, Mapping

    from loyalty_fake.ledger.campaigns import Campaign
    from loyalty_fake.ledger.cards import LoyaltyCard
    from loyalty_fake.ledger.orders import Order, OrderRequest
    from loyalty_fake.ledger.project import Project

__all__ = ["FailedRedemption", "Redemption", "Redemptions", "Rollback"]


@attrs.frozen
class Rollback:
    """The rollback of a redemption (``rr_``): the points returned and those already expired."""

    id: str
    created_at: dt.datetime
    reason: str | None = None
    expired_points: int = 0
    # The project-wide sequence number it was made with: orders it among a card's records.
    seq: int = 0
    channel_id: str | None = None  # the app that rolled it back (the redemption's: None)


@attrs.define(eq=False)
class Redemption:
    """Points spent from a card on a reward (``r_``); compared by identity, as a record.

    Transactions point at their redemption, so it stays hashable while it changes
    (a rollback). ``taken`` records where the points came from, ``(last_day, points)`` per bucket
    (``last_day`` ``None``: never expiring), so that a rollback can put them back.
    """

    id: str
    seq: int
    created_at: dt.datetime
    card_code: str
    campaign_id: str
    customer_id: str
    reward: Reward
    assignment_id: str
    points: int
    taken: tuple[tuple[dt.date | None, int], ...]
    channel_id: str
    # API, or AUTO_REDEEM for an automatic redemption (channel_id: its reward assignment).
    channel_type: str = "API"
    order: Order | None = None
    metadata: dict[str, Any] | None = None
    rollback: Rollback | None = None
    # The stacked redemption (r_) this one is part of (POST /v1/redemptions), if any.
    parent_id: str | None = None

    def check_related(self, customer: str | None, holder: str | None, order: str | None) -> None:
        """A rollback's customer (ID or source_id; ``holder``: ours) and order must be ours."""
        if customer is not None and customer not in (self.customer_id, holder):
            raise errors.invalid_customer()
        if order is not None:
            made = self.order
            if made is None or order not in (made.id, made.source_id):
                raise errors.invalid_order()


# A redemption or rollback refused with this status is recorded (rf_, rrf_); a 404 names
# the missing resource instead, and records nothing.
_REFUSED = 400


class Redemptions(Area):
    """A project's redemptions, failed ones included."""

    __slots__ = ()

    def redeem(  # noqa: PLR0913 - mirrors the request body's fields
        self,
        code: str,
        *,
        reward_id: str | None,
        campaign_ref: str | None = None,
        points: int | None = None,
        order: OrderRequest | None = None,
        metadata: Mapping[str, Any] | None = None,
    ) -> Redemption:
        """Spend a member's points on a reward their program offers.

        A ``MATERIAL`` reward costs its assigned points. A ``COIN`` reward needs an
        ``order`` and spends ``points`` (or what pays the rest of the order, capped by the
        balance). Points come from the soonest-expiring buckets. Raises 404 for an unknown
        member or reward, or a reward the program does not offer; then nothing changes.
        Raises 400 ``missing_reward``, ``voucher_not_published``, ``missing_order``,
        ``missing_order_items_amount`` or ``loyalty_card_points_exceeded`` naming the
        failed redemption (``rf_``) it recorded, as Voucherify does; no points move.
        """
        project = self._project
        card = self._session.cards.member(project, code, campaign_ref)
        campaign = project.campaigns[card.campaign_id]
        try:
            reward, assignment, spent, discount = self.check(
                project, card, campaign, reward_id, points, order
            )
        except VoucherifyError as refusal:
            if refusal.code != _REFUSED:
                raise
            failed = self.record_failure(
                project,
                refusal,
                card_code=card.code,
                campaign_id=card.campaign_id,
                customer_id=card.holder_id,
                metadata=metadata,
            )
            raise attrs.evolve(
                refusal, resource_id=failed.id, resource_type="redemption", recorded=True
            ) from refusal
        assert card.holder_id is not None  # noqa: S101 - _plan_redemption checked it
        # Every check passed: from here on the request commits.
        now = self._session.clock.now()
        ids = self._session.ids
        made = (lambda: order.paid(ids.order_id(), discount, now)) if order is not None else None
        return self.spend(card, reward, assignment, spent, order=made, metadata=metadata)

    def spend(  # noqa: PLR0913 - the redemption's fields
        self,
        card: LoyaltyCard,
        reward: Reward,
        assignment: RewardAssignment,
        spent: int,
        *,
        order: Order | Callable[[], Order] | None = None,
        metadata: Mapping[str, Any] | None = None,
        parent_id: str | None = None,
        automatic_at: dt.datetime | None = None,
    ) -> Redemption:
        """Spend ``spent`` points of a checked card on ``reward``: the redemption (``r_``).

        The points come from the soonest-expiring buckets, as a ``POINTS_REDEMPTION``
        naming the redemption (and its order); the card's and reward's counts go up.
        ``order`` may be how to make it (drawn after the redemption's ID, so the IDs of a
        seed stay what they were). ``parent_id``: the stacked redemption this one is part
        of. ``automatic_at``: an automatic redemption's instant (auto_redeem.py). Raises
        nothing: the caller checked every rule (``check``).
        """
        project = self._project
        campaign = project.campaigns[card.campaign_id]
        assert card.holder_id is not None  # noqa: S101 - checked by the caller
        now = automatic_at or self._session.clock.now()
        self._session.note_card(card)
        if self._session.undo is not None:
            self._session.undo.touch(reward)
            note_project(self._session.undo, project)
        taken = self._session.points.spend(card, spent, now)
        card.redeemed_points += spent
        card.redeemed_quantity += 1
        reward.redeemed += 1
        seq = project.take_seq()
        redemption_id = self._session.ids.ordered("r_", seq)
        redemption = Redemption(
            id=redemption_id,
            seq=seq,
            created_at=now,
            card_code=card.code,
            campaign_id=campaign.id,
            customer_id=card.holder_id,
            reward=reward,
            assignment_id=assignment.id,
            points=spent,
            taken=taken,
            channel_id=project.app_id if automatic_at is None else assignment.id,
            channel_type="API" if automatic_at is None else "AUTO_REDEEM",
            order=order() if callable(order) else order,
            metadata=dict(metadata) if metadata else None,
            parent_id=parent_id,
        )
        project.redemptions[redemption.id] = redemption
        self._session.points.touch(project, campaign, card, now)
        self._session.points.record(
            project,
            card,
            "POINTS_REDEMPTION",
            -spent,
            now,
            source=None,
            operation_type="AUTOMATIC",
            redemption=redemption,
        )
        return redemption

    def check(  # noqa: PLR0913, PLR0917 - private, one call site
        self,
        project: Project,
        card: LoyaltyCard,
        campaign: Campaign,
        reward_id: str | None,
        points: int | None,
        order: OrderRequest | None,
    ) -> tuple[Reward, RewardAssignment, int, int]:
        """The reward, its assignment, the points to spend and the discount they buy.

        Raises the redemption's first broken rule: a 400 refuses it at the card, a 404
        names a reward that is missing.
        """
        if reward_id is None:
            raise errors.missing_reward()
        if card.holder_id is None:
            raise errors.voucher_not_published(card.code, "it can be redeemed")
        reward = project.rewards.get(reward_id)
        if reward is None:
            raise errors.not_found("reward", reward_id)
        assignment = next(
            (a for a in assignments_of(project, campaign.id) if a.reward_id == reward.id),
            None,
        )
        if assignment is None:
            raise errors.not_found(
                "reward",
                reward.id,
                f"Cannot find reward with id {reward.id} in campaign {campaign.id}",
            )
        if reward.type != "COIN":
            spent = reward_price(project, card, reward.id, assignment.points or 0)
            check_balance(card, spent)
            return reward, assignment, spent, 0
        if order is None:
            raise errors.missing_order()
        spent, discount = coin_payment(card, reward, points, order.total)
        return reward, assignment, spent, discount

    def record_failure(  # noqa: PLR0913 - the failure's fields
        self,
        project: Project,
        refusal: VoucherifyError,
        *,
        card_code: str,
        campaign_id: str,
        customer_id: str | None,
        metadata: Mapping[str, Any] | None = None,
        redemption_id: str | None = None,
        reason: str | None = None,
    ) -> FailedRedemption:
        """Record a refused redemption (``rf_``), or rollback of ``redemption_id`` (``rrf_``).

        Voucherify keeps these: they are read by ID, listed with the card's redemptions and
        counted in the customer's summary. Nothing else changes.
        """
        undo = self._session.undo
        if undo is not None:
            note_project(undo, project)
            earlier = project.failures_by_card.get(card_code)
            if earlier is not None:
                undo.mark(earlier)
        seq = project.take_seq()
        failed = FailedRedemption(
            id=self._session.ids.ordered("rf_" if redemption_id is None else "rrf_", seq),
            seq=seq,
            created_at=self._session.clock.now(),
            card_code=card_code,
            campaign_id=campaign_id,
            customer_id=customer_id,
            failure_code=refusal.key,
            failure_message=refusal.message,
            channel_id=project.app_id,
            metadata=dict(metadata) if metadata else None,
            redemption_id=redemption_id,
            reason=reason,
        )
        project.failed_redemptions[failed.id] = failed
        project.failures_by_card.setdefault(card_code, []).append(failed)
        return failed

    def get(self, redemption_id: str) -> Redemption | FailedRedemption:
        """The redemption with ``redemption_id``: ``r_``, its rollback's ``rr_``, or a failure.

        A failed redemption (``rf_``) or rollback (``rrf_``) is its own record. Raises 404
        ``not_found`` (redemption) otherwise.
        """
        project = self._project
        failed = project.failed_redemptions.get(redemption_id)
        if failed is not None:
            return failed
        found = project.redemptions.get(
            project.redemption_ids_by_rollback.get(redemption_id, redemption_id)
        )
        if found is None:
            raise errors.not_found("redemption", redemption_id)
        return found

    def of_card(self, code: str) -> list[Redemption]:
        """Every redemption of the card ``code``, oldest first; 404 for an unknown card."""
        return self._session.members.get(code).redemptions()

    def failures_of_card(self, code: str) -> list[FailedRedemption]:
        """The card's failed redemptions and rollbacks, oldest first; 404 for an unknown card."""
        card = self._session.members.get(code)
        # A forced delete drops its cards' entries, so a code taken again starts clean.
        return list(self._project.failures_by_card.get(card.code, ()))

    def rollback(
        self,
        redemption_id: str,
        *,
        reason: str | None = None,
        customer: str | None = None,
        order: str | None = None,
        with_parent: bool = False,
    ) -> Redemption:
        """Undo a redemption: its points go back to their buckets as a ``POINTS_REFUND``.

        Points whose bucket's last day has meanwhile passed come back expired (a
        ``POINTS_EXPIRATION`` right after the refund). ``customer`` (an ID or source_id)
        and ``order`` (an ID or source_id), when given, must be the redemption's. Raises
        404 for an unknown redemption (or one whose card was deleted for good), 400
        ``invalid_customer`` or ``invalid_order`` for another customer or order; then
        nothing changes. A second rollback is 400
        ``already_rolled_back`` naming the failed rollback (``rrf_``) it recorded.
        A part of a stacked redemption rolls back with its parent (``with_parent``):
        alone it is 400 ``invalid_redemption_parent``, unless the ledger's
        ``rollback_stacked_parts`` allows it.
        """
        project = self._project
        redemption = self._to_roll_back(redemption_id, with_parent=with_parent)
        card = project.cards.get(redemption.card_code)
        if card is None or card.campaign_id != redemption.campaign_id:
            # Its program was deleted for good, cards and all: nothing to record against.
            raise errors.not_found("voucher", redemption.card_code)
        if redemption.rollback is not None:
            refusal = errors.already_rolled_back()
            failed = self.record_failure(
                project,
                refusal,
                card_code=card.code,
                campaign_id=card.campaign_id,
                customer_id=redemption.customer_id,
                redemption_id=redemption.id,
                reason=reason,
            )
            raise attrs.evolve(
                refusal,
                resource_id=failed.id,
                resource_type="redemption_rollback",
                recorded=True,
            )
        holder = project.customers.get(redemption.customer_id)
        redemption.check_related(customer, holder.source_id if holder else None, order)
        now = self._session.clock.now()
        undo = self._session.undo
        self._session.note_card(card)
        if undo is not None:
            undo.touch(redemption)
            undo.touch(redemption.reward)
            note_project(undo, project)
            if redemption.order is not None:
                undo.touch(redemption.order)
        expired = 0
        for last_day, points in redemption.taken:
            if last_day is not None and expires_at(last_day) <= now:
                expired += points
            else:
                self._session.points.earn(project, card, points, last_day, now)
        card.redeemed_points -= redemption.points
        card.redeemed_quantity -= 1
        redemption.reward.redeemed -= 1
        seq = project.take_seq()
        rollback = Rollback(
            id=self._session.ids.ordered("rr_", seq),
            created_at=now,
            reason=reason,
            expired_points=expired,
            seq=seq,
            channel_id=project.app_id,
        )
        redemption.rollback = rollback
        project.redemption_ids_by_rollback[rollback.id] = redemption.id
        if redemption.order is not None:
            redemption.order.status = "CANCELED"
            redemption.order.updated_at = now
        self._session.points.touch(project, project.campaigns[card.campaign_id], card, now)
        self._session.points.record(
            project,
            card,
            "POINTS_REFUND",
            redemption.points,
            now,
            source=None,
            operation_type="AUTOMATIC",
            redemption=redemption,
        )
        if expired:
            # Voucherify counts refunded points whose bucket has expired as expired.
            card.expired_points += expired
            self._session.points.record(
                project,
                card,
                "POINTS_EXPIRATION",
                -expired,
                now,
                source=None,
                operation_type="AUTOMATIC",
            )
        return redemption

    def _to_roll_back(self, redemption_id: str, *, with_parent: bool) -> Redemption:
        """The redemption a rollback names: 404 if none, 400 for a part rolled back alone."""
        redemption = self._project.redemptions.get(redemption_id)
        if redemption is None:
            raise errors.not_found("redemption", redemption_id)
        if (
            redemption.parent_id is not None
            and not with_parent
            and not self._session.rollback_stacked_parts
        ):
            # "You can't roll back a child redemption": the spec's error for it.
            raise errors.invalid_redemption_parent()
        return redemption

    def failures_of_customer(self, customer_id: str) -> list[FailedRedemption]:
        """The customer's failed redemptions and rollbacks on the cards they hold, oldest first.

        A refusal on a card before it was published to them is not theirs.
        """
        return [
            failed
            for _, card in self._session.customers.cards_of(customer_id)
            for failed in self._project.failures_by_card.get(card.code, ())
            if failed.customer_id == customer_id
        ]

    def forget_cards(self, codes: set[str]) -> None:
        """Drop the failures listed for cards removed for good (a code taken again starts clean)."""
        for code in codes:
            self._project.failures_by_card.pop(code, None)
