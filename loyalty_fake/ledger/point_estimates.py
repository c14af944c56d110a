"""Estimating loyalty points (``POST /v1/loyalties/{campaignId}/qualifications``): no writes.

What the customer's card in a program would earn for an order under the program's
``order.paid`` earning rules, as ``earning.py`` awards them when the order is paid: the
rules' time frames, validation rules and proportions, and the fake's earning choices.
The order is an existing one (``id`` or ``source_id``), its given fields taking
precedence, or the given fields alone. Nothing is created or changed: not the customer,
not the order, not the card (a program that auto-joins estimates for a newcomer too).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import attrs

from loyalty_fake import errors
from loyalty_fake.ledger.customers import Customer, card_held_in
from loyalty_fake.ledger.earning import Occasion, rule_awards, rules_by_campaign
from loyalty_fake.ledger.orders import ORDER_PAID, Order, items_amount
from loyalty_fake.ledger.project import Area
from loyalty_fake.ledger.validity import Validity

if TYPE_CHECKING:
    from loyalty_fake.ledger.campaigns import Campaign
    from loyalty_fake.ledger.customers import CustomerRef
    from loyalty_fake.ledger.orders import OrderInput

__all__ = ["PointEstimates"]


class PointEstimates(Area):
    """A project's loyalty point estimates."""

    __slots__ = ()

    def estimate(
        self, campaign_ref: str, customer_ref: CustomerRef, given: OrderInput
    ) -> tuple[Campaign, int]:
        """The program and the points the customer would earn for the order; changes nothing.

        404 for an unknown program or a named order that does not exist; 400
        ``campaign_not_active`` for a program off or out of its dates,
        ``campaign_not_allow_auto_join`` for a non-member of a program that does not
        auto-join, ``loyalty_card_not_active`` for a member whose card is disabled.
        """
        session = self._session
        project = self._project
        campaign = session.campaigns.get(campaign_ref)
        now = session.clock.now()
        if not campaign.active or not Validity(
            campaign.start_date, campaign.expiration_date
        ).allows(now):
            raise errors.bad_request(
                "campaign_not_active",
                f"Loyalty campaign '{campaign.id}' is not active",
                "Given campaign is not active",
            )
        named = customer_ref.id or customer_ref.source_id or customer_ref.as_string or ""
        customer = session.customers.find(project, named)
        card = card_held_in(project, campaign, customer) if customer is not None else None
        if card is None and not campaign.auto_join:
            raise errors.bad_request(
                "campaign_not_allow_auto_join",
                f"Loyalty campaign '{campaign.id}' does not allow auto-join for non-members",
                "Given campaign does not allow auto-join",
            )
        if card is not None and not card.active:
            raise errors.bad_request(
                "loyalty_card_not_active",
                f"Customer's loyalty card '{card.code}' is not active",
                "Given customer's loyalty card is not active",
            )
        if customer is None:
            metadata = customer_ref.profile.get("metadata")
            customer = Customer(
                id="",
                source_id=customer_ref.source_id,
                created_at=now,
                metadata=dict(metadata) if isinstance(metadata, dict) else None,
            )
        order = self._order(given)
        occasion = Occasion(ORDER_PAID, "", customer, order=order)
        rules = rules_by_campaign(project.earning_rules.values(), occasion).get(campaign.id, [])
        return campaign, sum(
            points for _, points in rule_awards(session, campaign, rules, occasion)
        )

    def _order(self, given: OrderInput) -> Order:
        """The order as it would be paid: an existing one with the given fields over it."""
        session = self._session
        base: Order | None = None
        ref = given.id or given.source_id
        if ref is not None:
            base = session.orders.find(self._project, ref)
            if base is None and given.id is not None:
                raise errors.not_found("order", given.id)
        if base is None:
            base = Order(id="", created_at=session.clock.now(), source_id=given.source_id)
        changes: dict[str, Any] = {}
        if given.items is not None:
            changes["items"] = given.items
            if given.amount is None:
                changes["amount"] = items_amount(given.items)
        if given.amount is not None:
            changes["amount"] = given.amount
        if given.discount_amount is not None:
            changes["discount_amount"] = given.discount_amount
        if given.metadata is not None:
            changes["metadata"] = given.metadata
        return attrs.evolve(base, **changes)
