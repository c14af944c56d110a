"""Voucherify's own event names, which a custom event may not take.

A leaf module: events, earning rules and segments all name it.
"""

from __future__ import annotations

__all__ = ["BUILT_IN_EVENTS", "is_built_in_event"]

# The events Voucherify itself records for a customer (the newer docs' CustomerActivity
# types), and order.paid, the earning rules' name for customer.order.paid. A custom event
# named like one of them would pass for it: an order.paid rule would pay for an order
# nobody paid (docs/choices.md, "Custom events named like Voucherify's own").
BUILT_IN_EVENTS = frozenset(
    {
        "order.paid",
        *(
            f"customer.{name}"
            for name in (
                "confirmed",
                "created",
                "updated",
                "deleted",
                "referred",
                "custom_event",
                "segment.entered",
                "segment.left",
                *(
                    f"{channel}.{outcome}"
                    for channel in (
                        "sms",
                        "email",
                        "activecampaign",
                        "braze",
                        "mailchimp",
                        "intercom",
                        "shopify",
                        "klaviyo",
                        "batch",
                    )
                    for outcome in ("sent", "recovered", "failed")
                ),
                "rewarded",
                "rewarded.loyalty_points",
                "voucher.gift.balance_added",
                "voucher.loyalty_card.pending_points.activated",
                "voucher.loyalty_card.pending_points.added",
                "voucher.loyalty_card.pending_points.canceled",
                "voucher.loyalty_card.pending_points.updated",
                "voucher.loyalty_card.points_activated",
                "voucher.loyalty_card.points_added",
                "voucher.loyalty_card.points_transferred",
                "voucher.loyalty_card.points_expired",
                "voucher.deleted",
                "publication.succeeded",
                "publication.failed",
                "validation.succeeded",
                "validation.failed",
                "redemption.failed",
                "redemption.succeeded",
                "redemption.rollback.failed",
                "redemption.rollback.succeeded",
                "order.canceled",
                "order.created",
                "order.fulfilled",
                "order.paid",
                "order.processing",
                "order.updated",
                "reward_redemptions.created",
                "reward_redemptions.pending",
                "reward_redemptions.completed",
                "reward_redemptions.rolledback",
                "loyalty.updated",
                "holder.assignment.created",
                "holder.assignment.deleted",
            )
        ),
    }
)
_TIER_EVENTS = "customer.loyalty.tier."


def is_built_in_event(name: str) -> bool:
    """Whether ``name`` is one of Voucherify's own events (tier events included)."""
    return name in BUILT_IN_EVENTS or name.startswith(_TIER_EVENTS)
