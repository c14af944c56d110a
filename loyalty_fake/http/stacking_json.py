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
    nullable,
    obj,
    ref,
)
from loyalty_fake.http.order_amounts_json import applicable_to_json
from loyalty_fake.http.stacked_json import parent_schema
from loyalty_fake.ledger.stacked_checkout import STACKING_RULES

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from loyalty_fake.errors import VoucherifyError
    from loyalty_fake.ledger.discounts import Applied
    from loyalty_fake.ledger.redeemables import Application, RedeemableRequest
    from loyalty_fake.ledger.stacking import Outcome
    from loyalty_fake.ledger.validation_sessions import ValidationSession

__all__ = [
    "RESULT_JSON",
    "SCHEMAS",
    "STACKING_RULES",
    "redeemable_json",
    "session_json",
    "skipped_json",
]

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


def _discount_voucher_result(application: Application) -> dict[str, Any]:
    """A discount voucher's effect: its ``discount`` as the voucher holds it."""
    return {"discount": dict(application.record.discount or {})}


def _gift_card_result(application: Application) -> dict[str, Any]:
    """A gift card's effect: the credits it spends and the balance it has."""
    return {"gift": {"credits": application.credits, "balance": application.record.gift_balance}}


# Application.kind -> its ``result``: one entry per kind of ledger/redeemables.py.
RESULT_JSON: dict[str, Callable[[Application], dict[str, Any]]] = {
    "loyalty_card": _loyalty_card_result,
    "discount_voucher": _discount_voucher_result,
    "gift_card": _gift_card_result,
}


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
    part: Applied | None = None,
) -> dict[str, Any]:
    """One redeemable's validation result: ``APPLICABLE``, ``INAPPLICABLE`` or ``SKIPPED``.

    ``part``: what it took in the calculated order, with the targets it covered.
    """
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
    targets = part.redeemable if part is not None else None
    body["applicable_to"] = (
        applicable_to_json(getattr(targets, "applicable_to", ()), part)
        if part is not None
        else _empty_list()
    )
    body["inapplicable_to"] = (
        applicable_to_json(getattr(targets, "inapplicable_to", ()), part)
        if part is not None
        else _empty_list()
    )
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
    order_of: Callable[[int], dict[str, Any] | None],
    request_id: Callable[[], str],
    campaign_name: Callable[[str], str | None],
) -> dict[str, list[dict[str, Any]]]:
    """``redeemables``, ``skipped_redeemables`` and ``inapplicable_redeemables``.

    ``order_of``: the order an applied redeemable (by index) leaves, as it shows it.
    """
    from loyalty_fake.ledger.redeemables import Application  # noqa: PLC0415

    skipped = dict(outcome.skipped)
    parts = outcome.stacked.parts if outcome.stacked is not None else {}
    every: list[dict[str, Any]] = []
    for index, (request, result) in enumerate(zip(requests, outcome.results, strict=True)):
        applies = isinstance(result, Application)
        every.append(
            redeemable_json(
                request,
                result,
                skipped.get(index),
                order=order_of(index) if applies and index not in skipped else None,
                request_id=request_id,
                campaign_name=campaign_name(result.campaign_id) if applies else None,  # type: ignore[union-attr]
                part=parts.get(index),
            )
        )
    return {
        "redeemables": every,
        "skipped_redeemables": [item for item in every if item["status"] == "SKIPPED"],
        "inapplicable_redeemables": [item for item in every if item["status"] == "INAPPLICABLE"],
    }


def skipped_json(
    requests: Sequence[RedeemableRequest], outcome: Outcome, request_id: Callable[[], str]
) -> list[dict[str, Any]]:
    """``skipped_redeemables`` alone (a redemption's answer shows no others)."""
    return [
        redeemable_json(
            requests[index],
            outcome.results[index],
            key,
            order=None,
            request_id=request_id,
            campaign_name=None,
        )
        for index, key in outcome.skipped
    ]


def session_json(found: ValidationSession) -> dict[str, Any]:
    """A validation session as the validation answers it."""
    ttl: float | int = int(found.ttl) if float(found.ttl).is_integer() else found.ttl
    return {"key": found.key, "type": "LOCK", "ttl": ttl, "ttl_unit": found.ttl_unit}


_REDEEMABLE_HEAD: dict[str, Schema] = {
    "id": STRING,
    "object": enum("voucher", "promotion_tier", "promotion_stack"),
}
_RESULT_LIST = obj(
    {
        "data": {"type": "array", "items": ref("ApplicableToResult")},
        "total": COUNT,
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
        "items": {"type": "array", "items": ref("CalculatedOrderItem")},
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
        "items_applied_discount_amount": COUNT,
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


SCHEMAS: dict[str, Schema] = {
    "CalculatedOrder": _CALCULATED_ORDER,
    "StackedRedeemable": _STACKED_REDEEMABLE,
    "StackedValidation": _VALIDATION,
    "StackedParentRedemption": parent_schema(rollback=False),
    "StackedParentRollback": parent_schema(rollback=True),
    "StackedRedemption": obj(
        {
            "redemptions": {
                "type": "array",
                "items": {"anyOf": [ref("Redemption"), ref("VoucherRedemption")]},
            },
            "parent_redemption": ref("StackedParentRedemption"),
            "inapplicable_redeemables": {"type": "array", "maxItems": 0},
            "skipped_redeemables": _REDEEMABLES,
        },
        # Only when the request names an order.
        {"order": ref("CalculatedOrder")},
    ),
    "StackedRollbacks": obj(
        {
            "rollbacks": {
                "type": "array",
                "items": {"anyOf": [ref("RedemptionRollback"), ref("VoucherRedemptionRollback")]},
            },
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
