"""Qualifications as Voucherify's JSON (``QualificationsCheckEligibilityResponseBody``).

Each qualified redeemable shows what it would give on its own (``result``), the order it
would leave (``order``, ``OrderCalculated``), its targets (``applicable_to`` and
``inapplicable_to`` result lists), its categories and validation rule, and its name and
campaign's (always: docs/choices.md, "Qualifications").
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from loyalty_fake.http.campaigns_json import categories_json
from loyalty_fake.http.common_json import (
    BOOLEAN,
    COUNT,
    FREE_OBJECT,
    STRING,
    TIMESTAMP,
    Schema,
    const,
    enum,
    format_timestamp,
    obj,
    ref,
)
from loyalty_fake.http.order_amounts_json import (
    applicable_to_json,
    calculated_order_json,
    redeemable_result_json,
)
from loyalty_fake.http.stacked_json import calculated_order_json as given_order_json
from loyalty_fake.http.stacking_json import STACKING_RULES
from loyalty_fake.ledger.cards import LoyaltyCard

if TYPE_CHECKING:
    from collections.abc import Mapping

    from loyalty_fake.ledger.orders import OrderInput
    from loyalty_fake.ledger.qualifications import Qualification, Qualified

__all__ = ["SCHEMAS", "qualification_json", "qualified_json"]


def _empty_list() -> dict[str, Any]:
    return {"data": [], "total": 0, "object": "list", "data_ref": "data"}


def _result(qualified: Qualified) -> dict[str, Any]:
    """What it would give: the discount, the gift credits and balance, the card's points."""
    record = qualified.record
    if isinstance(record, LoyaltyCard):
        card: dict[str, Any] = {"points": record.points, "balance": record.balance}
        for reward, _assignment in qualified.rewards:
            coin = reward.parameters.get("coin")
            if coin:
                card.update({k: coin[k] for k in ("exchange_ratio", "points_ratio") if k in coin})
                break
        return {"loyalty_card": card}
    assert qualified.applied is not None  # noqa: S101 - a voucher is always calculated
    result = redeemable_result_json(qualified.applied)
    if "gift" in result:
        result["gift"]["balance"] = record.gift_balance
    return result


def qualified_json(qualified: Qualified, order: dict[str, Any] | None) -> dict[str, Any]:
    """One qualified redeemable (``QualificationsRedeemable``); ``order``: the order as given."""
    record = qualified.record
    campaign = qualified.campaign
    applied = qualified.applied
    body: dict[str, Any] = {
        "id": record.code,
        "object": "voucher",
        "created_at": format_timestamp(record.created_at),
        "result": _result(qualified),
    }
    if applied is not None and applied.order.amount is not None:
        body["order"] = calculated_order_json(applied.order)
    elif order is not None:
        body["order"] = order
    if applied is not None:
        body["applicable_to"] = applicable_to_json(qualified.applicable_to, applied)
        body["inapplicable_to"] = applicable_to_json(qualified.inapplicable_to, applied)
    else:
        body["applicable_to"] = _empty_list()
        body["inapplicable_to"] = _empty_list()
    body["metadata"] = dict(record.metadata or {})
    category = record.category or (campaign.category if campaign is not None else None)
    body["categories"] = categories_json(category)
    if qualified.rule_id is not None:
        body["validation_rule_id"] = qualified.rule_id
    if campaign is not None and campaign.description:
        body["banner"] = campaign.description
    body["name"] = record.code
    if campaign is not None:
        body["campaign_name"] = campaign.name
        body["campaign_id"] = campaign.id
    return body


def qualification_json(
    qualification: Qualification,
    order: OrderInput | None,
    tracking_id: str | None,
    rules: Mapping[str, Any] = STACKING_RULES,
) -> dict[str, Any]:
    """The answer: the page of redeemables, the cursor, the order and the stacking ``rules``."""
    customer = qualification.customer
    given = (
        given_order_json(
            given=order,
            stored=None,
            amount=qualification.amount,
            discount=0,
            customer_id=customer.id if customer is not None else None,
        )
        if order is not None
        else None
    )
    data = [qualified_json(each, given) for each in qualification.redeemables]
    redeemables: dict[str, Any] = {
        "object": "list",
        "data_ref": "data",
        "data": data,
        "total": qualification.total,
        "has_more": qualification.has_more,
    }
    if qualification.has_more and data:
        redeemables["more_starting_after"] = data[-1]["created_at"]
    body: dict[str, Any] = {"redeemables": redeemables}
    if tracking_id is not None:
        body["tracking_id"] = tracking_id
    if given is not None:
        body["order"] = given
    body["stacking_rules"] = dict(rules)
    return body


_RESULT_LIST = obj(
    {
        "data": {"type": "array", "items": ref("ApplicableToResult")},
        "total": COUNT,
        "object": const("list"),
        "data_ref": const("data"),
    }
)
_QUALIFIED = obj(
    {
        "id": STRING,
        "object": enum("voucher", "campaign", "promotion_tier", "promotion_stack"),
        "created_at": TIMESTAMP,
        "result": FREE_OBJECT,
        "applicable_to": _RESULT_LIST,
        "inapplicable_to": _RESULT_LIST,
        "metadata": FREE_OBJECT,
        "categories": {"type": "array", "items": FREE_OBJECT},
        "name": STRING,
    },
    {
        "order": FREE_OBJECT,
        "validation_rule_id": STRING,
        "banner": STRING,
        "campaign_name": STRING,
        "campaign_id": STRING,
    },
)

SCHEMAS: dict[str, Schema] = {
    "QualifiedRedeemable": _QUALIFIED,
    "Qualification": obj(
        {
            "redeemables": obj(
                {
                    "object": const("list"),
                    "data_ref": const("data"),
                    "data": {"type": "array", "items": ref("QualifiedRedeemable")},
                    "total": COUNT,
                    "has_more": BOOLEAN,
                },
                {"more_starting_after": TIMESTAMP},
            ),
            "stacking_rules": FREE_OBJECT,
        },
        {"tracking_id": STRING, "order": ref("CalculatedOrder")},
    ),
}
