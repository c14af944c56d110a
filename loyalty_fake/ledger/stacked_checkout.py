"""The order a stacked validation or redemption leaves: ``discounts.calculate`` once a request.

Each redeemable is checked on its own first (``redeemables.py``); those that apply then go
through ``calculate`` together, in request order, on the order's lines: a discount
voucher's ``discount`` with the ``applicable_to``/``inapplicable_to`` its validation rules
give (item-level effects discount those lines), a gift card's credits, a loyalty card's
points through its ``COIN`` reward. What each took (cents, credits, points) replaces what
its check guessed, so a redemption spends what the answer says.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import attrs

from loyalty_fake import errors
from loyalty_fake.errors import VoucherifyError
from loyalty_fake.ledger.checkout_catalogue import session_checkout
from loyalty_fake.ledger.discounts import (
    DiscountRedeemable,
    GiftRedeemable,
    PointsRedeemable,
    calculate,
)
from loyalty_fake.ledger.orders import OrderRequest
from loyalty_fake.ledger.redeemables import Application

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from loyalty_fake.ledger.checkout_cart import CalculatedOrder
    from loyalty_fake.ledger.discounts import Applied, Calculation, Redeemable
    from loyalty_fake.ledger.orders import Order, OrderInput, OrderItem
    from loyalty_fake.ledger.session import Session
    from loyalty_fake.ledger.vouchers import Voucher

__all__ = [
    "APPLICABLE_LIMIT",
    "MAX_REDEEMABLES",
    "STACKING_RULES",
    "Outcome",
    "StackedCalculation",
    "calculate_stack",
    "order_request",
    "outcome",
    "rule_targets",
    "stored_items",
]

# StackableValidateRedeemBase.redeemables.maxItems; StackingRules.redeemables_limit.
MAX_REDEEMABLES = 30
# StackingRules.applicable_redeemables_limit's default: the rest are SKIPPED.
APPLICABLE_LIMIT = 5
# The project's stacking rules: Voucherify's defaults (StackingRules). The checkout reads
# ``redeemables_products_application_mode`` (``ONCE``: a line takes one item discount).
STACKING_RULES: dict[str, Any] = {
    "redeemables_limit": MAX_REDEEMABLES,
    "applicable_redeemables_limit": APPLICABLE_LIMIT,
    "applicable_redeemables_per_category_limit": 1,
    "applicable_exclusive_redeemables_limit": 1,
    "applicable_exclusive_redeemables_per_category_limit": 1,
    "exclusive_categories": [],
    "joint_categories": [],
    "redeemables_application_mode": "ALL",
    "redeemables_sorting_rule": "REQUESTED_ORDER",
    "redeemables_products_application_mode": "STACK",
    "redeemables_no_effect_rule": "REDEEM_ANYWAY",
    "no_effect_skip_categories": [],
    "no_effect_redeem_anyway_categories": [],
    "redeemables_rollback_order_mode": "WITH_ORDER",
}


@attrs.frozen
class StackedCalculation:
    """The calculated order, and each applied redeemable's part by its index in the request.

    ``applications`` are the applied ones with what ``calculate`` found (discount, credits,
    points); ``refusals`` the redeemables the calculation refused (points another validation
    session locks), by index.
    """

    calculation: Calculation | None
    parts: Mapping[int, Applied]
    applications: Mapping[int, Application]
    refusals: Mapping[int, errors.VoucherifyError]

    @property
    def order(self) -> CalculatedOrder | None:
        """The order after every redeemable; ``None`` when the request names no order."""
        return self.calculation.order if self.calculation is not None else None


def order_request(given: OrderInput, existing: Order | None = None) -> OrderRequest:
    """The request's order as ``calculate`` takes it; a stored order fills what it leaves out."""
    items = given.items
    amount = given.amount
    if items is None and existing is not None:
        items = existing.items
        amount = existing.amount if amount is None else amount
    return OrderRequest(amount=amount, items=tuple(items or ()), metadata=given.metadata)


def rule_targets(session: Session, voucher: Voucher) -> tuple[Any, Any]:
    """The ``applicable_to`` and ``inapplicable_to`` the rules assigned to a voucher give.

    The voucher's own rules first, then its campaign's (as qualifications read them).
    """
    if not session.project.validation_rule_assignments:
        return (), ()
    campaign = session.vouchers.campaign_of(voucher)
    rules = session.validation_rules
    for related in [voucher.id] + ([campaign.id] if campaign is not None else []):
        said = rules.applicable_to(related)
        if said is not None:
            return tuple(said["included"]), tuple(said["excluded"])
    return (), ()


def _redeemable(session: Session, application: Application) -> Redeemable | None:
    record = application.record
    if application.kind == "discount_voucher":
        if record.discount is None:
            return None
        included, excluded = rule_targets(session, record)
        return DiscountRedeemable(record.discount, included, excluded, id=record.code)
    if application.kind == "gift_card":
        included, excluded = rule_targets(session, record)
        return GiftRedeemable(
            balance=record.gift_balance,
            credits=application.request.gift_credits,
            effect=record.gift_effect or "APPLY_TO_ORDER",
            applicable_to=included,
            inapplicable_to=excluded,
            id=record.code,
        )
    reward = application.reward
    if reward is None or not reward.parameters.get("coin"):
        return None  # a reward that changes no amount
    return PointsRedeemable(record, reward, application.request.points, id=record.code)


def calculate_stack(
    session: Session,
    order: OrderRequest | None,
    applied: Sequence[tuple[int, Application]],
    *,
    locked: Mapping[str, int],
    products_once: bool,
) -> StackedCalculation:
    """Apply the checked redeemables (``(index, application)``) to ``order`` in turn.

    Without an order nothing is calculated: each keeps what its check found. A
    loyalty card spending more points than other sessions leave it is refused
    (``loyalty_card_points_exceeded``). Raises what ``calculate`` raises.
    """
    stack: list[Redeemable] = []
    at: list[int] = []
    for index, application in applied if order is not None else ():
        redeemable = _redeemable(session, application)
        if redeemable is not None:
            stack.append(redeemable)
            at.append(index)
    calculation = None
    parts: dict[int, Applied] = {}
    if order is not None:
        checkout = session_checkout(session, products_once=products_once)
        calculation = calculate(order, stack, checkout)
        parts = dict(zip(at, calculation.applied, strict=True))
    applications: dict[int, Application] = {}
    refusals: dict[int, errors.VoucherifyError] = {}
    for index, application in applied:
        part = parts.get(index)
        made = application
        if part is not None:
            made = attrs.evolve(
                application,
                discount=part.discount,
                points=application.points if part.points is None else part.points,
                credits=application.credits if part.credits is None else part.credits,
            )
        applications[index] = made
        if application.kind == "loyalty_card":
            card = application.record
            available = card.balance - locked.get(card.code, 0)
            if made.points > available:
                refusals[index] = errors.loyalty_card_points_exceeded(
                    card.code, made.points, max(available, 0)
                )
    return StackedCalculation(calculation, parts, applications, refusals)


def stored_items(calculated: CalculatedOrder) -> tuple[OrderItem, ...]:
    """The order's lines as the redemption stores them: new quantities and their discounts."""
    return tuple(
        attrs.evolve(
            line.item,
            quantity=line.quantity if line.quantity is not None else line.item.quantity,
            amount=line.amount if line.amount is not None else line.item.amount,
            discount_amount=line.discount_amount or line.item.discount_amount,
        )
        for line in calculated.items
    )


@attrs.frozen
class Outcome:
    """Each redeemable's result, in request order: an ``Application`` or its refusal.

    ``skipped`` are the indexes left out (an earlier one failed, or the applicable limit).
    ``partial``: the project's ``redeemables_application_mode`` is ``PARTIAL`` (those that
    apply do, beside those that fail), not ``ALL``.
    """

    results: tuple[Application | VoucherifyError, ...]
    skipped: tuple[tuple[int, str], ...]
    amount: int | None
    discount: int
    # The calculated order and each applied redeemable's part (none when one fails).
    stacked: StackedCalculation | None = None
    partial: bool = False

    @property
    def valid(self) -> bool:
        """Whether every redeemable applies (``partial``: whether one does)."""
        applies = (isinstance(result, Application) for result in self.results)
        return any(applies) if self.partial else all(applies)

    @property
    def applied(self) -> list[Application]:
        """The redeemables that apply, in request order (none when one fails)."""
        if not self.valid:
            return []
        skipped = {index for index, _ in self.skipped}
        return [
            result
            for index, result in enumerate(self.results)
            if isinstance(result, Application) and index not in skipped
        ]


def outcome(
    results: list[Application | VoucherifyError],
    amount: int | None,
    stacked: StackedCalculation | None,
    rules: Mapping[str, Any] = STACKING_RULES,
) -> Outcome:
    """Each redeemable's result, which are skipped and the sums, under the stacking ``rules``.

    Skipped: every applicable one when another failed (``ALL`` mode), and those past the
    applicable limit.
    """
    partial = rules["redeemables_application_mode"] == "PARTIAL"
    limit = rules["applicable_redeemables_limit"]
    failed = not partial and any(isinstance(result, VoucherifyError) for result in results)
    skipped: list[tuple[int, str]] = []
    applicable = 0
    for index, result in enumerate(results):
        if not isinstance(result, Application):
            continue
        if failed:
            skipped.append((index, "preceding_validation_failed"))
        elif applicable >= limit:
            skipped.append((index, "applicable_redeemables_limit_exceeded"))
        else:
            applicable += 1
    outcome = Outcome(
        tuple(results), tuple(skipped), amount, 0, None if failed else stacked, partial
    )
    discount = sum(application.discount for application in outcome.applied)
    return attrs.evolve(outcome, discount=discount)
