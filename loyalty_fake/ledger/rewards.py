"""The reward catalogue and the rewards each program offers (reward assignments)."""

from __future__ import annotations

import math
from fractions import Fraction
from typing import TYPE_CHECKING, Any, Literal

import attrs

from loyalty_fake import errors
from loyalty_fake.ledger.campaigns import find_campaign
from loyalty_fake.ledger.pages import Page
from loyalty_fake.ledger.points import check_balance
from loyalty_fake.ledger.project import Area, note_project
from loyalty_fake.ledger.tiers import reward_price

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Mapping

    from loyalty_fake.ledger.campaigns import Campaign
    from loyalty_fake.ledger.cards import LoyaltyCard
    from loyalty_fake.ledger.project import Project

__all__ = [
    "PARAMETERS_KEY",
    "Reward",
    "RewardAssignment",
    "RewardType",
    "Rewards",
    "assignments_of",
    "check_auto_redeem",
    "coin_payment",
]

RewardType = Literal["CAMPAIGN", "COIN", "MATERIAL"]
# The key under which each type's ``parameters`` are given.
PARAMETERS_KEY: dict[RewardType, str] = {
    "MATERIAL": "product",
    "COIN": "coin",
    "CAMPAIGN": "campaign",
}


@attrs.define
class Reward:
    """A reward members can spend points on (Voucherify's ``rew_`` object).

    ``parameters`` are kept as Voucherify shows them: ``{"product": {"id", "sku_id"}}``
    for ``MATERIAL``, ``{"coin": {"exchange_ratio", "points_ratio"}}`` for ``COIN``.
    """

    id: str
    name: str
    type: RewardType
    parameters: dict[str, Any]
    created_at: dt.datetime
    seq: int
    stock: int | None = None
    attributes: dict[str, Any] | None = None
    metadata: dict[str, Any] | None = None
    updated_at: dt.datetime | None = None
    # Redemptions of this reward that were not rolled back.
    redeemed: int = 0

    def cash_per_point(self) -> Fraction:
        """A ``COIN`` reward's value of one point in the currency's smallest unit (cents).

        ``points_ratio`` points are worth ``exchange_ratio`` currency units.
        """
        coin = self.parameters["coin"]
        exchange = Fraction(str(coin["exchange_ratio"]))
        return exchange * 100 / Fraction(coin.get("points_ratio") or 1)


@attrs.define
class RewardAssignment:
    """A reward offered by one loyalty program, at ``points`` per redemption (``rewa_``).

    ``COIN`` rewards have no price (``points`` is ``None``): members pay what they choose.
    """

    id: str
    reward_id: str
    campaign_id: str
    created_at: dt.datetime
    seq: int
    points: int | None = None
    updated_at: dt.datetime | None = None
    # parameters.loyalty.auto_redeem as last given (None: never given, not shown).
    auto_redeem: bool | None = None
    # While auto_redeem is on: the instant it last ran (or was turned on), auto_redeem.py.
    auto_redeemed_at: dt.datetime | None = None


def assignments_of(project: Project, campaign_id: str) -> list[RewardAssignment]:
    """The reward assignments of one program, oldest first."""
    return [a for a in project.reward_assignments.values() if a.campaign_id == campaign_id]


class Rewards(Area):
    """A project's rewards and reward assignments."""

    __slots__ = ()

    def create(  # noqa: PLR0913 - mirrors the request body's fields
        self,
        *,
        name: str,
        type: RewardType,  # noqa: A002 - Voucherify's field name
        parameters: Mapping[str, Any],
        stock: int | None = None,
        attributes: Mapping[str, Any] | None = None,
        metadata: Mapping[str, Any] | None = None,
    ) -> Reward:
        """Create a ``MATERIAL`` or ``COIN`` reward; ``parameters`` as Voucherify shows them."""
        project = self._project
        if self._session.undo is not None:
            note_project(self._session.undo, project)
        reward = Reward(
            id=self._session.ids.reward_id(),
            name=name,
            type=type,
            parameters=dict(parameters),
            created_at=self._session.clock.now(),
            seq=project.take_seq(),
            stock=stock,
            attributes=dict(attributes) if attributes else None,
            metadata=dict(metadata) if metadata else None,
        )
        project.rewards[reward.id] = reward
        return reward

    def all(self) -> list[Reward]:
        """Every reward of the project, oldest first."""
        return list(self._project.rewards.values())

    def get(self, reward_id: str) -> Reward:
        """The reward ``reward_id``; 404 ``not_found`` (reward) otherwise."""
        found = self._project.rewards.get(reward_id)
        if found is None:
            raise errors.not_found("reward", reward_id)
        return found

    def page(
        self, *, limit: int, page: int, assignment_id: str | None = None
    ) -> tuple[list[Reward], int]:
        """One page of the project's rewards in creation order, and how many there are.

        With ``assignment_id``, only the reward of that assignment.
        """
        project = self._project
        rewards = list(project.rewards.values())
        if assignment_id is not None:
            assignment = project.reward_assignments.get(assignment_id)
            rewards = [r for r in rewards if assignment and r.id == assignment.reward_id]
        return Page(limit, page).of(rewards), len(rewards)

    def update(self, reward_id: str, changes: Mapping[str, Any]) -> Reward:
        """Change a reward's name, parameters, stock, attributes or metadata.

        Raises 400 ``invalid_payload`` for parameters of another reward type.
        """
        reward = self._session.rewards.get(reward_id)
        parameters = changes.get("parameters")
        if parameters is not None and PARAMETERS_KEY[reward.type] not in parameters:
            raise errors.invalid_payload(
                f"Property .parameters must have required property "
                f"'{PARAMETERS_KEY[reward.type]}' for a {reward.type} reward",
            )
        if self._session.undo is not None:
            self._session.undo.touch(reward)
        if "name" in changes:
            reward.name = changes["name"]
        if parameters is not None:
            reward.parameters = dict(parameters)
        if "stock" in changes:
            reward.stock = changes["stock"]
        if "attributes" in changes:
            reward.attributes = {**(reward.attributes or {}), **changes["attributes"]} or None
        if "metadata" in changes:
            reward.metadata = {**(reward.metadata or {}), **changes["metadata"]} or None
        reward.updated_at = self._session.clock.now()
        return reward

    def delete(self, reward_id: str) -> None:
        """Delete a reward no program offers; 400 ``resource_in_use`` while one does."""
        project = self._project
        reward = self._session.rewards.get(reward_id)
        using = [a.id for a in project.reward_assignments.values() if a.reward_id == reward.id]
        if using:
            raise errors.resource_in_use("reward", reward.id, "reward_assignment", using)
        if self._session.undo is not None:
            self._session.undo.keep(project.rewards)
        del project.rewards[reward.id]

    def assign(
        self, campaign_ref: str, items: list[tuple[str, int | None, bool | None]]
    ) -> list[RewardAssignment]:
        """Offer rewards in a program: ``(reward_id, points, auto_redeem)`` each.

        Raises 404 for an unknown reward, 409 ``duplicate_found`` for a reward the program
        already offers, and 400 for a ``MATERIAL`` reward without points or a second reward
        redeemed automatically (``check_auto_redeem``); then nothing changes.
        """
        project = self._project
        campaign = find_campaign(project, campaign_ref)
        offered = {a.reward_id: a for a in assignments_of(project, campaign.id)}
        planned: list[tuple[Reward, int | None, bool | None]] = []
        automatic = [a.id for a in offered.values() if a.auto_redeem]
        for reward_id, points, auto_redeem in items:
            reward = self._session.rewards.get(reward_id)
            existing = offered.get(reward.id)
            if existing is not None:
                raise errors.duplicate_found("reward_assignment", existing.id)
            if reward.type != "COIN" and points is None:
                raise errors.invalid_payload(
                    f"Property .parameters.loyalty.points is required for a {reward.type} reward",
                )
            if any(earlier.id == reward.id for earlier, _, _ in planned):
                raise errors.invalid_payload(f"Reward {reward.id} is given twice")
            if auto_redeem:
                check_auto_redeem(reward, automatic)
                automatic.append(reward.id)
            planned.append((reward, None if reward.type == "COIN" else points, auto_redeem))
        now = self._session.clock.now()
        if self._session.undo is not None:
            note_project(self._session.undo, project)
        assignments = []
        for reward, points, auto_redeem in planned:
            assignment = RewardAssignment(
                id=self._session.ids.reward_assignment_id(),
                reward_id=reward.id,
                campaign_id=campaign.id,
                created_at=now,
                seq=project.take_seq(),
                points=points,
                auto_redeem=auto_redeem,
                auto_redeemed_at=now if auto_redeem else None,
            )
            project.reward_assignments[assignment.id] = assignment
            assignments.append(assignment)
        return assignments

    def assignments(self, campaign_ref: str) -> list[RewardAssignment]:
        """Every reward assignment of a program, oldest first."""
        project = self._project
        campaign = find_campaign(project, campaign_ref)
        return assignments_of(project, campaign.id)

    def get_assignment(self, campaign_ref: str, assignment_id: str) -> RewardAssignment:
        """A program's reward assignment; 404 ``not_found`` (reward_assignment) otherwise."""
        campaign = self._session.campaigns.get(campaign_ref)
        found = self._project.reward_assignments.get(assignment_id)
        if found is None or found.campaign_id != campaign.id:
            raise errors.not_found("reward_assignment", assignment_id)
        return found

    def update_assignment(
        self,
        campaign_ref: str,
        assignment_id: str,
        points: int | None,
        auto_redeem: bool | None = None,
    ) -> RewardAssignment:
        """Change the price in points of an assignment (a ``COIN`` reward keeps having none).

        ``auto_redeem``: ``True`` or ``False`` sets the flag, ``None`` keeps it.
        """
        assignment = self.get_assignment(campaign_ref, assignment_id)
        reward = self.get(assignment.reward_id)
        if auto_redeem:
            others = assignments_of(self._project, assignment.campaign_id)
            check_auto_redeem(
                reward, [a.id for a in others if a.auto_redeem and a is not assignment]
            )
        if self._session.undo is not None:
            self._session.undo.touch(assignment)
        if auto_redeem is not None:
            if auto_redeem and not assignment.auto_redeem:
                assignment.auto_redeemed_at = self._session.clock.now()
            assignment.auto_redeem = auto_redeem
        if points is not None and reward.type != "COIN":
            assignment.points = points
        assignment.updated_at = self._session.clock.now()
        return assignment

    def delete_assignment(self, campaign_ref: str, assignment_id: str) -> None:
        """Stop offering a reward in a program; past redemptions keep it."""
        assignment = self.get_assignment(campaign_ref, assignment_id)
        assignments = self._project.reward_assignments
        if self._session.undo is not None:
            self._session.undo.keep(assignments)
        del assignments[assignment.id]
        self._session.validation_rules.forget_object(assignment.id)

    def of_reward(self, reward_id: str) -> list[RewardAssignment]:
        """Every assignment of a reward, oldest first; 404 ``not_found`` (reward) otherwise."""
        reward = self.get(reward_id)
        return [a for a in self._project.reward_assignments.values() if a.reward_id == reward.id]

    def reward_assignment(self, reward_id: str, assignment_id: str) -> RewardAssignment:
        """An assignment of a reward: 404 for an unknown reward, then for another's assignment."""
        reward = self.get(reward_id)
        found = self._project.reward_assignments.get(assignment_id)
        if found is None or found.reward_id != reward.id:
            raise errors.not_found("reward_assignment", assignment_id)
        return found

    def of_member(
        self,
        code: str,
        *,
        campaign_ref: str | None = None,
        affordable_only: bool = False,
    ) -> list[tuple[Reward, RewardAssignment]]:
        """The rewards a member's program offers, oldest assignment first.

        ``affordable_only``: only those whose price is within the card's balance (a ``COIN``
        reward has no price and is always listed).
        """
        project = self._project
        card = self._session.members.get(code, campaign_ref)
        offered = []
        for assignment in assignments_of(project, card.campaign_id):
            reward = project.rewards.get(assignment.reward_id)
            if reward is None:
                continue
            # The price the member pays: their tier's mapping of it, if it names the reward.
            price = reward_price(project, card, reward.id, assignment.points or 0)
            if affordable_only and price > card.balance:
                continue
            offered.append((reward, assignment))
        return offered

    def forget_campaign(self, campaign: Campaign) -> None:
        """Stop offering anything in a program removed for good."""
        assignments = self._project.reward_assignments
        gone = [a.id for a in assignments.values() if a.campaign_id == campaign.id]
        for assignment_id in gone:
            del assignments[assignment_id]
        self._session.validation_rules.forget_objects(set(gone))


def check_auto_redeem(reward: Reward, automatic: list[str]) -> None:
    """400 ``invalid_payload`` unless ``reward`` may be redeemed automatically in its program.

    ``automatic``: what the program already redeems automatically (one at most, the spec
    says); a ``COIN`` reward has no price to reach.
    """
    if reward.type == "COIN":
        raise errors.invalid_payload(
            "Property .parameters.loyalty.auto_redeem can be true only for a reward with a "
            "price in points"
        )
    if automatic:
        raise errors.invalid_payload(
            "Only one reward can be set to be redeemed automatically in a loyalty campaign "
            f"({automatic[0]} already is)"
        )


def coin_payment(
    card: LoyaltyCard, reward: Reward, points: int | None, amount: int | None
) -> tuple[int, int]:
    """The points a pay-with-points redemption spends and the discount (cents) they buy.

    Never more points than pay the order: ``points`` is capped by what the order needs,
    and without ``points`` the card pays what it can of the order.
    """
    if (amount is not None and amount <= 0) or (amount is None and points is None):
        raise errors.missing_order_items_amount()
    value = reward.cash_per_point()
    needed = math.ceil(amount / value) if amount is not None else None
    if points is not None:
        check_balance(card, points)
        spent = points if needed is None else min(points, needed)
    else:
        assert needed is not None  # noqa: S101 - checked above
        spent = min(needed, card.balance)
        if spent <= 0:
            check_balance(card, needed)
    discount = math.floor(spent * value)
    return spent, discount if amount is None else min(discount, amount)
