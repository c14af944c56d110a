"""Stacked validations, redemptions and rollbacks as Voucherify's JSON, with their schemas."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from loyalty_fake.http.common_json import (
    COUNT,
    FREE_OBJECT,
    STRING,
    TIMESTAMP,
    Schema,
    const,
    enum,
    format_timestamp,
    nullable,
    obj,
    ref,
)
from loyalty_fake.http.customers_json import simple_customer_json
from loyalty_fake.http.orders_json import order_item_json, synced_order_json
from loyalty_fake.ledger.stacking import APPLICABLE_LIMIT, MAX_REDEEMABLES

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from loyalty_fake.errors import VoucherifyError
    from loyalty_fake.ledger.customers import Customer
    from loyalty_fake.ledger.orders import Order, OrderInput
    from loyalty_fake.ledger.redeemables import Application, RedeemableRequest
    from loyalty_fake.ledger.stacking import Outcome, StackedRedemption, ValidationSession

__all__ = [
    "RESULT_JSON",
    "SCHEMAS",
    "STACKING_RULES",
    "calculated_order_json",
    "parent_json",
    "parent_rollback_json",
    "redeemable_json",
    "session_json",
]

# The project's stacking rules: Voucherify's defaults (StackingRules).
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

_SKIPPED_MESSAGES = {
    "preceding_validation_failed": (
        "Redeemable cannot be applied due to preceding validation failure"
    ),
    "applicable_redeemables_limit_exceeded": "Applicable redeemables limit exceeded",
}


def _empty_list() -> dict[str, Any]:
    return {"data": [], "total": 0, "object": "list", "data_ref": "data"}


def _loyalty_card_result(application: Application) -> dict[str, Any]:
    """A loyalty card's effect: the points it spends and, paying with points, what they buy."""
    result: dict[str, Any] = {"loyalty_card": {"points": application.points}}
    reward = application.reward
    coin = reward.parameters.get("coin") if reward is not None else None
    if coin:
        result["loyalty_card"].update(
            {key: coin[key] for key in ("exchange_ratio", "points_ratio") if key in coin}
        )
        result["discount"] = {
            "type": "AMOUNT",
            "amount_off": application.discount,
            "effect": "APPLY_TO_ORDER",
        }
    return result


# Application.kind -> its ``result``: one entry per kind of ledger/redeemables.py.
RESULT_JSON: dict[str, Callable[[Application], dict[str, Any]]] = {
    "loyalty_card": _loyalty_card_result,
}


def calculated_order_json(
    *,
    given: OrderInput | None,
    stored: Order | None,
    amount: int | None,
    discount: int,
    customer_id: str | None = None,
) -> dict[str, Any]:
    """The order with the redeemables' discount worked out (``OrderCalculated``)."""
    body: dict[str, Any] = synced_order_json(stored) if stored is not None else {}
    if stored is None and given is not None:
        if given.source_id is not None:
            body["source_id"] = given.source_id
        if given.status is not None:
            body["status"] = given.status
        body["items"] = [order_item_json(item) for item in given.items or ()]
        body["metadata"] = dict(given.metadata or {})
        body["customer_id"] = customer_id
        body["referrer_id"] = None
        body["object"] = "order"
    if amount is not None:
        body["amount"] = amount
        body["initial_amount"] = amount
        body["total_amount"] = amount - discount
    body["discount_amount"] = discount
    body["total_discount_amount"] = discount
    body["applied_discount_amount"] = discount
    body["total_applied_discount_amount"] = discount
    return body


def _request_json(request: RedeemableRequest, status: str) -> dict[str, Any]:
    return {"status": status, "id": request.id, "object": request.object}


def error_json(error: VoucherifyError, request_id: str) -> dict[str, Any]:
    """Voucherify's error envelope, as an inapplicable redeemable's ``result.error``."""
    envelope: dict[str, Any] = {"code": error.code, "key": error.key, "message": error.message}
    if error.details is not None:
        envelope["details"] = error.details
    envelope["request_id"] = request_id
    if error.resource_id is not None:
        envelope["resource_id"] = error.resource_id
    if error.resource_type is not None:
        envelope["resource_type"] = error.resource_type
    return envelope


def redeemable_json(  # noqa: PLR0913 - what one redeemable's answer shows
    request: RedeemableRequest,
    result: Application | VoucherifyError,
    skipped: str | None,
    *,
    order: dict[str, Any] | None,
    request_id: Callable[[], str],
    campaign_name: str | None,
) -> dict[str, Any]:
    """One redeemable's validation result: ``APPLICABLE``, ``INAPPLICABLE`` or ``SKIPPED``."""
    from loyalty_fake.ledger.redeemables import Application  # noqa: PLC0415

    if not isinstance(result, Application):
        body = _request_json(request, "INAPPLICABLE")
        body["result"] = {
            "error": error_json(result, request_id()),
            "details": {"message": result.message, "key": result.key},
        }
        return body
    if skipped is not None:
        body = _request_json(request, "SKIPPED")
        body["result"] = {"details": {"key": skipped, "message": _SKIPPED_MESSAGES[skipped]}}
        return body
    body = _request_json(request, "APPLICABLE")
    if order is not None:
        body["order"] = order
    body["applicable_to"] = _empty_list()
    body["inapplicable_to"] = _empty_list()
    body["result"] = RESULT_JSON[result.kind](result)
    card = result.record
    body["metadata"] = dict(getattr(card, "metadata", None) or {})
    body["categories"] = []
    if campaign_name is not None:
        body["campaign_name"] = campaign_name
        body["campaign_id"] = result.campaign_id
    return body


def outcome_lists(
    requests: Sequence[RedeemableRequest],
    outcome: Outcome,
    *,
    order_of: Callable[[Application], dict[str, Any] | None],
    request_id: Callable[[], str],
    campaign_name: Callable[[str], str | None],
) -> dict[str, list[dict[str, Any]]]:
    """``redeemables``, ``skipped_redeemables`` and ``inapplicable_redeemables``."""
    from loyalty_fake.ledger.redeemables import Application  # noqa: PLC0415

    skipped = dict(outcome.skipped)
    every: list[dict[str, Any]] = []
    for index, (request, result) in enumerate(zip(requests, outcome.results, strict=True)):
        applies = isinstance(result, Application)
        every.append(
            redeemable_json(
                request,
                result,
                skipped.get(index),
                order=order_of(result) if applies and index not in skipped else None,  # type: ignore[arg-type]
                request_id=request_id,
                campaign_name=campaign_name(result.campaign_id) if applies else None,  # type: ignore[union-attr]
            )
        )
    return {
        "redeemables": every,
        "skipped_redeemables": [item for item in every if item["status"] == "SKIPPED"],
        "inapplicable_redeemables": [item for item in every if item["status"] == "INAPPLICABLE"],
    }


def session_json(found: ValidationSession) -> dict[str, Any]:
    """A validation session as the validation answers it."""
    ttl: float | int = int(found.ttl) if float(found.ttl).is_integer() else found.ttl
    return {"key": found.key, "type": "LOCK", "ttl": ttl, "ttl_unit": found.ttl_unit}


def _redemptions_entry(parent: StackedRedemption) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "date": format_timestamp(parent.created_at),
        "related_object_type": "redemption",
        "related_object_id": parent.id,
        "stacked": list(parent.child_ids),
    }
    if parent.rollback is not None:
        entry["rollback_id"] = parent.rollback.id
        entry["rollback_date"] = format_timestamp(parent.rollback.created_at)
        entry["rollback_stacked"] = list(parent.rollback.child_ids)
    return entry


def parent_order_json(parent: StackedRedemption) -> dict[str, Any] | None:
    """The stacked redemption's order, with the discount applied and the redemption named."""
    order = parent.order
    if order is None:
        return None
    body = calculated_order_json(
        given=None, stored=order, amount=order.amount, discount=order.discount_amount
    )
    body["redemptions"] = {parent.id: _redemptions_entry(parent)}
    return body


def _parent_head(
    parent: StackedRedemption, customer: Customer | None, *, rollback: bool
) -> dict[str, Any]:
    undone = parent.rollback
    assert undone is not None or not rollback  # noqa: S101 - only rolled-back parents have one
    return {
        "id": undone.id if rollback and undone is not None else parent.id,
        "object": "redemption_rollback" if rollback else "redemption",
        "date": format_timestamp(
            undone.created_at if rollback and undone is not None else parent.created_at
        ),
        "customer_id": parent.customer_id,
        "tracking_id": customer.source_id if customer is not None else None,
        "metadata": dict(parent.metadata) if parent.metadata else None,
    }


def _parent_tail(parent: StackedRedemption, customer: Customer | None) -> dict[str, Any]:
    return {
        "order": parent_order_json(parent),
        "channel": {"channel_id": parent.channel_id, "channel_type": "API"},
        "customer": simple_customer_json(customer) if customer is not None else None,
        "related_object_type": "redemption",
        "related_object_id": parent.id,
    }


def parent_json(parent: StackedRedemption, customer: Customer | None) -> dict[str, Any]:
    """A stacked redemption (``r_``): the parent that names one redemption per redeemable."""
    body = _parent_head(parent, customer, rollback=False)
    body["redemption"] = None
    body["result"] = "SUCCESS"
    body["status"] = "ROLLED_BACK" if parent.rollback is not None else "SUCCEEDED"
    if parent.rollback is not None:
        body["related_redemptions"] = {
            "rollbacks": [
                {"id": parent.rollback.id, "date": format_timestamp(parent.rollback.created_at)}
            ]
        }
    body.update(_parent_tail(parent, customer))
    body["redemptions"] = list(parent.child_ids)
    return body


def parent_rollback_json(parent: StackedRedemption, customer: Customer | None) -> dict[str, Any]:
    """The rollback of a stacked redemption (``rr_``): names the parent and the parts undone."""
    undone = parent.rollback
    assert undone is not None  # noqa: S101 - only rolled-back parents have one
    body = _parent_head(parent, customer, rollback=True)
    body["redemption"] = parent.id
    if undone.reason is not None:
        body["reason"] = undone.reason
    body["result"] = "SUCCESS"
    body["status"] = "SUCCEEDED"
    body.update(_parent_tail(parent, customer))
    body["rollbacks"] = list(undone.child_ids)
    return body


_REDEEMABLE_HEAD: dict[str, Schema] = {
    "id": STRING,
    "object": enum("voucher", "promotion_tier", "promotion_stack"),
}
_RESULT_LIST = obj(
    {
        "data": {"type": "array", "maxItems": 0},
        "total": const(0),
        "object": const("list"),
        "data_ref": const("data"),
    }
)
_ERROR_RESULT = obj(
    {
        "code": {"type": "integer"},
        "key": STRING,
        "message": STRING,
        "request_id": STRING,
    },
    {"details": STRING, "resource_id": STRING, "resource_type": STRING},
)
_CALCULATED_ORDER: Schema = obj(
    {
        "discount_amount": COUNT,
        "total_discount_amount": COUNT,
        "applied_discount_amount": COUNT,
        "total_applied_discount_amount": COUNT,
        "items": {"type": "array", "items": FREE_OBJECT},
        "metadata": FREE_OBJECT,
        "customer_id": nullable(STRING),
        "referrer_id": nullable(STRING),
        "object": const("order"),
    },
    {
        "id": STRING,
        "source_id": nullable(STRING),
        "status": enum("CREATED", "PAID", "CANCELED", "FULFILLED"),
        "created_at": TIMESTAMP,
        "updated_at": nullable(TIMESTAMP),
        "amount": COUNT,
        "initial_amount": COUNT,
        "items_discount_amount": COUNT,
        # What is left to pay; a discount above the amount makes it negative.
        "total_amount": {"type": "integer"},
        "customer": FREE_OBJECT,
        "referrer": FREE_OBJECT,
        "redemptions": {"type": "object", "additionalProperties": FREE_OBJECT},
    },
)
_STACKED_REDEEMABLE: Schema = {
    "oneOf": [
        obj(
            {
                "status": const("APPLICABLE"),
                **_REDEEMABLE_HEAD,
                "applicable_to": _RESULT_LIST,
                "inapplicable_to": _RESULT_LIST,
                "result": FREE_OBJECT,
                "metadata": FREE_OBJECT,
                "categories": {"type": "array", "maxItems": 0},
            },
            {"order": ref("CalculatedOrder"), "campaign_name": STRING, "campaign_id": STRING},
        ),
        obj(
            {
                "status": const("INAPPLICABLE"),
                **_REDEEMABLE_HEAD,
                "result": obj(
                    {"error": _ERROR_RESULT, "details": obj({"message": STRING, "key": STRING})}
                ),
            }
        ),
        obj(
            {
                "status": const("SKIPPED"),
                **_REDEEMABLE_HEAD,
                "result": obj({"details": obj({"key": STRING, "message": STRING})}),
            }
        ),
    ]
}
_REDEEMABLES: Schema = {"type": "array", "items": ref("StackedRedeemable")}
_SESSION = obj(
    {"key": STRING, "type": const("LOCK"), "ttl": {"type": "number"}, "ttl_unit": STRING}
)
_VALIDATION = obj(
    {
        "id": STRING,
        "valid": {"type": "boolean"},
        "redeemables": _REDEEMABLES,
        "skipped_redeemables": _REDEEMABLES,
        "inapplicable_redeemables": _REDEEMABLES,
        "stacking_rules": FREE_OBJECT,
    },
    {"order": ref("CalculatedOrder"), "tracking_id": nullable(STRING), "session": _SESSION},
)


def _parent(*, rollback: bool) -> Schema:
    required: dict[str, Schema] = {
        "id": STRING,
        "object": const("redemption_rollback" if rollback else "redemption"),
        "date": TIMESTAMP,
        "customer_id": nullable(STRING),
        "tracking_id": nullable(STRING),
        "metadata": nullable(FREE_OBJECT),
        "redemption": STRING if rollback else const(None),
        "result": const("SUCCESS"),
        "status": const("SUCCEEDED") if rollback else enum("SUCCEEDED", "ROLLED_BACK"),
        "order": nullable(ref("CalculatedOrder")),
        "channel": obj({"channel_id": STRING, "channel_type": const("API")}),
        "customer": nullable(ref("SimpleCustomer")),
        "related_object_type": const("redemption"),
        "related_object_id": STRING,
        ("rollbacks" if rollback else "redemptions"): {"type": "array", "items": STRING},
    }
    optional: dict[str, Schema] = (
        {"reason": STRING}
        if rollback
        else {"related_redemptions": obj({"rollbacks": {"type": "array", "items": FREE_OBJECT}})}
    )
    return obj(required, optional)


SCHEMAS: dict[str, Schema] = {
    "CalculatedOrder": _CALCULATED_ORDER,
    "StackedRedeemable": _STACKED_REDEEMABLE,
    "StackedValidation": _VALIDATION,
    "StackedParentRedemption": _parent(rollback=False),
    "StackedParentRollback": _parent(rollback=True),
    "StackedRedemption": obj(
        {
            "redemptions": {"type": "array", "items": ref("Redemption")},
            "parent_redemption": ref("StackedParentRedemption"),
            "inapplicable_redeemables": {"type": "array", "maxItems": 0},
            "skipped_redeemables": _REDEEMABLES,
        },
        # Only when the request names an order.
        {"order": ref("CalculatedOrder")},
    ),
    "StackedRollbacks": obj(
        {
            "rollbacks": {"type": "array", "items": ref("RedemptionRollback")},
            "parent_rollback": ref("StackedParentRollback"),
        },
        {"order": ref("CalculatedOrder")},
    ),
    "AnyRedemption": {
        "oneOf": [
            ref("RedemptionOrRollback"),
            ref("StackedParentRedemption"),
            ref("StackedParentRollback"),
        ]
    },
    "RedemptionsList": obj(
        {
            "object": const("list"),
            "data_ref": const("redemptions"),
            "redemptions": {"type": "array", "items": ref("AnyRedemption")},
            "total": COUNT,
        }
    ),
}
