"""``GET /v1/customers/{customerId}/redeemables``: the cards and vouchers a customer holds.

A wallet or checkout page lists them: the customer's loyalty cards, gift cards and discount
vouchers (``ledger/customer_redeemables.py``), each with the voucher as the vouchers API
shows it and its status now, cursor-paged and filtered as the spec documents.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from loyalty_fake.http import cards_json, paging, vouchers_json
from loyalty_fake.http.common_json import (
    COUNT,
    STRING,
    TIMESTAMP,
    const,
    cursor_list,
    cursor_list_json,
    enum,
    format_timestamp,
    nullable,
    obj,
    ref,
)
from loyalty_fake.http.declare import Operation, Route, query
from loyalty_fake.http.filters import filters_parameter, parse_filters
from loyalty_fake.http.params import Query
from loyalty_fake.http.vouchers_json import any_voucher_json
from loyalty_fake.ledger.customer_redeemables import (
    CUSTOMER_REDEEMABLE_FILTERS,
    CustomerRedeemables,
    holder_record,
)

if TYPE_CHECKING:
    from loyalty_fake.http.common_json import Schema
    from loyalty_fake.http.declare import Call
    from loyalty_fake.ledger.customer_redeemables import RedeemableHolder

__all__ = ["PATH_PARAMETERS", "ROUTES", "SCHEMAS", "customer_redeemable_json"]

PATH_PARAMETERS: dict[str, str] = {}

_ORDERS = ("id", "-id")
# The vouchers API's voucher has its validation rules' assignments; a holder's voucher has
# none (the spec's example and RedeemableVoucher).
_RULES = "validation_rules_assignments"


def customer_redeemable_json(holder: RedeemableHolder) -> dict[str, Any]:
    """A holder as the spec's ``CustomerRedeemable``: the voucher inside, and its status."""
    voucher = any_voucher_json(holder.redeemable, holder.campaign)
    del voucher[_RULES]
    return {
        **holder_record(holder),
        "created_at": format_timestamp(holder.created_at),
        "redeemable": {"type": "voucher", "voucher": voucher, "status": holder.status},
    }


def list_customer_redeemables(call: Call) -> tuple[int, Any]:
    """``GET /v1/customers/{customerId}/redeemables``: their cards and vouchers, newest first."""
    params = Query(call.request.query)
    filters = parse_filters(params.pairs, CUSTOMER_REDEEMABLE_FILTERS)
    cursor = paging.cursor(params)
    order = params.choice("order", _ORDERS, "-id")
    holders = CustomerRedeemables(call.session).of(call.params["customerId"])
    if filters:
        now = call.session.clock.now()
        holders = [holder for holder in holders if filters.matches(holder_record(holder), now)]
    if order == "-id":
        holders.reverse()
    page, has_more = cursor.of(holders, [holder.id for holder in holders])
    data = [customer_redeemable_json(holder) for holder in page]
    # "total: Total number of results returned": this page's, as the bin's list counts.
    listed = {"object": "list", "data_ref": "data", "data": data, "total": len(data)}
    return 200, listed | cursor_list_json(data, has_more)


def _without_rules(schema: Schema) -> Schema:
    """A voucher schema of the vouchers API, without its validation rules' assignments."""
    return {
        **schema,
        "properties": {k: v for k, v in schema["properties"].items() if k != _RULES},
        "required": [name for name in schema["required"] if name != _RULES],
    }


_LIST = cursor_list(ref("CustomerRedeemable"))
_LIST["properties"]["total"] = COUNT
_LIST["required"].append("total")
SCHEMAS: dict[str, Schema] = {
    "HeldVoucher": {
        "anyOf": [
            _without_rules(cards_json.SCHEMAS["Voucher"]),
            _without_rules(vouchers_json.SCHEMAS["VoucherRecord"]),
        ]
    },
    "CustomerRedeemable": obj(
        {
            "id": STRING,
            "created_at": TIMESTAMP,
            "redeemable_id": STRING,
            "redeemable_object": const("voucher"),
            "customer_id": STRING,
            "holder_role": const("OWNER"),
            "campaign_id": nullable(STRING),
            "campaign_type": nullable(enum("LOYALTY_PROGRAM", "DISCOUNT_COUPONS", "GIFT_VOUCHERS")),
            "voucher_type": enum("LOYALTY_CARD", "DISCOUNT_VOUCHER", "GIFT_VOUCHER"),
            "redeemable": obj(
                {
                    "type": const("voucher"),
                    "voucher": ref("HeldVoucher"),
                    "status": enum(
                        "ACTIVE", "USED", "DISABLED", "NOT_ACTIVE_YET", "EXPIRED", "NO_BALANCE"
                    ),
                }
            ),
        }
    ),
    "CustomerRedeemablesList": _LIST,
}

ROUTES: tuple[Route, ...] = (
    Route(
        "GET",
        "/v1/customers/{customerId}/redeemables",
        list_customer_redeemables,
        Operation(
            "list_customer_redeemables",
            "The loyalty cards, gift cards and discount vouchers a customer holds",
            "CustomerRedeemablesList",
            query=[
                paging.LIMIT,
                query("order", enum(*_ORDERS), "Default -id (newest first)."),
                paging.STARTING_AFTER,
                filters_parameter(CUSTOMER_REDEEMABLE_FILTERS),
            ],
        ),
    ),
)
