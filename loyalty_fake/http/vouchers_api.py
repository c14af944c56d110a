"""``/v1/vouchers``: list, create, update, delete, enable, disable, balance, transactions.

Over loyalty cards and discount and gift vouchers alike: a code names one of either
(``Vouchers.find``). Getting one and its redemptions and publications is ``vouchers.py``'s.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from loyalty_fake import errors
from loyalty_fake.http import paging
from loyalty_fake.http.campaigns import CODE_CONFIG_REQUEST, REDEMPTION_QUANTITY, read_code_config
from loyalty_fake.http.common_json import FREE_OBJECT, STRING, TIMESTAMP, Schema, enum
from loyalty_fake.http.declare import NON_EMPTY, Operation, Route, orders, query
from loyalty_fake.http.params import MAX_INTEGER, Body, Query, parse_json_body
from loyalty_fake.http.points_json import balance_json, transaction_json
from loyalty_fake.http.voucher_bodies import (
    DISCOUNT_REQUEST,
    GIFT_REQUEST,
    VOUCHER_OWN_FIELDS,
    read_discount,
    read_gift,
    read_voucher_own,
)
from loyalty_fake.http.vouchers import voucher_body
from loyalty_fake.http.vouchers_json import (
    any_voucher_json,
    gift_balance_json,
    gift_transaction_json,
)
from loyalty_fake.ledger.cards import LoyaltyCard
from loyalty_fake.ledger.codes import CodeConfig
from loyalty_fake.ledger.metadata_schemas import check_metadata
from loyalty_fake.ledger.voucher_codes import AllCodes

if TYPE_CHECKING:
    from loyalty_fake.http.declare import Call
    from loyalty_fake.ledger.vouchers import Voucher

__all__ = ["PATH_PARAMETERS", "ROUTES"]

PATH_PARAMETERS: dict[str, str] = {}

_VOUCHER = "/v1/vouchers/{code}"

_VOUCHER_BODY: dict[str, Schema] = {
    "type": enum("DISCOUNT_VOUCHER", "GIFT_VOUCHER", "LOYALTY_CARD"),
    "campaign": STRING,
    "campaign_id": STRING,
    "category": STRING,
    "category_id": STRING,
    "metadata": FREE_OBJECT,
    "discount": DISCOUNT_REQUEST,
    "gift": GIFT_REQUEST,
    "redemption": REDEMPTION_QUANTITY,
    **VOUCHER_OWN_FIELDS,
}
_CREATE_WITH_CODE: Schema = {"type": "object", "properties": _VOUCHER_BODY}
_CREATE_RANDOM: Schema = {
    "type": "object",
    "properties": {**_VOUCHER_BODY, "code": NON_EMPTY, "code_config": CODE_CONFIG_REQUEST},
}
_UPDATE: Schema = {
    "type": "object",
    "properties": {
        "category": STRING,
        "category_id": STRING,
        "metadata": FREE_OBJECT,
        "active": {"type": "boolean"},
        "discount": DISCOUNT_REQUEST,
        "gift": GIFT_REQUEST,
        "redemption": REDEMPTION_QUANTITY,
        **VOUCHER_OWN_FIELDS,
    },
}
_BALANCE: Schema = {
    "type": "object",
    "required": ["amount"],
    "properties": {
        "amount": {"type": "integer", "minimum": -MAX_INTEGER, "maximum": MAX_INTEGER},
        "source_id": STRING,
        "reason": STRING,
    },
}

_ORDERS = ("created_at", "-created_at", "updated_at", "-updated_at", "code", "-code")

_LIST_QUERY = [
    paging.LIMIT,
    paging.PageBounds(maximum=99).parameter(),
    *(query(name, STRING) for name in ("campaign", "campaign_id", "customer", "category", "code")),
    *(
        query(f"{field}[{part}]", TIMESTAMP)
        for field in ("created_at", "updated_at")
        for part in ("before", "after")
    ),
    query("order", enum(*orders("created_at", "updated_at", "code")), "Default -created_at."),
    query("ids", {"type": "array", "items": STRING}, "Vouchers with these v_ IDs."),
]


def _in_window(found: LoyaltyCard | Voucher, query: Query) -> bool:
    """Whether ``created_at``/``updated_at`` fall inside the query's before/after bounds."""
    for field in ("created_at", "updated_at"):
        moment = found.created_at if field == "created_at" else found.updated_at
        before = query.timestamp(field, "before")
        after = query.timestamp(field, "after")
        if (before is not None or after is not None) and moment is None:
            return False
        if moment is not None and (
            (before is not None and not moment < before)
            or (after is not None and not moment > after)
        ):
            return False
    return True


def _matches(found: LoyaltyCard | Voucher, query: Query, customer_ids: set[str] | None) -> bool:
    category = found.category
    wanted_category = query.string("category")
    code = query.string("code")
    ids = query.strings("ids")
    return (
        (
            wanted_category is None
            or (category is not None and wanted_category in (category.id, category.name))
        )
        and (customer_ids is None or found.holder_id in customer_ids)
        and (code is None or found.code == code)
        and (ids is None or found.id in ids)
        and _in_window(found, query)
    )


def list_vouchers(call: Call) -> tuple[int, Any]:
    """``GET /v1/vouchers``: cards and vouchers, newest first, page-based, filtered."""
    query = Query(call.request.query)
    page = paging.page(query, paging.PageBounds(maximum=99))
    order = query.choice("order", _ORDERS, "-created_at")
    vouchers = call.session.vouchers
    campaign_ids = {
        call.session.campaigns.get(ref, any_type=True).id
        for key in ("campaign", "campaign_id")
        if (ref := query.string(key)) is not None
    }
    if len(campaign_ids) > 1:
        return 200, {"object": "list", "data_ref": "vouchers", "vouchers": [], "total": 0}
    customer_ids = None
    customer = query.string("customer")
    if customer is not None:
        project = call.session.project
        found_customer = project.live_customer(customer) or project.customer_by_source_id(customer)
        customer_ids = {found_customer.id} if found_customer is not None else set()
    found = [
        v
        for v in vouchers.every()
        if (not campaign_ids or v.campaign_id in campaign_ids) and _matches(v, query, customer_ids)
    ]
    field = order.lstrip("-")
    if field == "code":
        found.sort(key=lambda v: v.code)
    else:
        found.sort(
            key=lambda v: (
                ((v.updated_at or v.created_at) if field == "updated_at" else v.created_at),
                v.seq,
            )
        )
    if order.startswith("-"):
        found.reverse()
    body = [voucher_body(call, v) for v in page.of(found)]
    return 200, {"object": "list", "data_ref": "vouchers", "vouchers": body, "total": len(found)}


def _create(call: Call, code: str | None) -> tuple[int, Any]:
    """Create a voucher: into ``campaign``/``campaign_id`` when named, else standalone."""
    body = Body(parse_json_body(call.request))
    given = body.string("code", non_empty=True) if code is None else code
    ref = body.string("campaign_id") or body.string("campaign")
    kind = body.choice("type", ("DISCOUNT_VOUCHER", "GIFT_VOUCHER", "LOYALTY_CARD"))
    config_body = body.obj("code_config") if code is None else None
    config = read_code_config(config_body) if config_body is not None else None
    metadata = body.mapping("metadata")
    category = body.string("category")
    own = read_voucher_own(body)
    discount_body, gift_body = body.obj("discount"), body.obj("gift")
    discount = read_discount(discount_body) if discount_body is not None else None
    gift = read_gift(gift_body) if gift_body is not None else None
    if ref is not None:
        campaign = call.session.campaigns.get(ref, any_type=True)
        expected = (campaign.voucher or {}).get("type", "LOYALTY_CARD")
        if campaign.settings.get("use_voucher_metadata_schema"):
            check_metadata(call.session, "voucher", metadata or {})
        if kind is not None and kind != expected:
            body.fail("type", f"must be {expected} for a voucher of campaign {campaign.name}")
        [added] = call.session.campaigns.add_vouchers(
            campaign.id,
            code=given if given is not None else None,
            count=1,
            code_config=config,
            metadata=metadata,
            category=category,
            overrides=own,
        )
        if discount is not None or gift is not None:
            changes = {"discount": discount} if discount is not None else {}
            if gift is not None and "amount" in gift:
                changes["gift_amount"] = gift["amount"]
            added = call.session.vouchers.update(added.code, changes)
        return 200, voucher_body(call, added)
    if kind == "LOYALTY_CARD":
        raise errors.bad_request(
            "invalid_campaign",
            "Invalid campaign",
            "A loyalty card belongs to a loyalty program: give campaign or campaign_id",
        )
    if kind is None:
        body.require("type")
    check_metadata(call.session, "voucher", metadata or {})
    project = call.session.project
    if given is None:
        # A standalone voucher's random code, from code_config or the default one.
        given = (config or CodeConfig()).generate(call.session.ids.chars, AllCodes(project))
    voucher = call.session.vouchers.create(
        campaign=None,
        code=given,
        type=kind,  # type: ignore[arg-type] # checked above
        discount=discount,
        gift=gift,
        category=call.session.campaigns.category_named(category) if category else None,
        metadata=metadata,
        overrides=own,
    )
    return 200, any_voucher_json(voucher, None)


def create_voucher(call: Call) -> tuple[int, Any]:
    """``POST /v1/vouchers/{code}``: a voucher with this code."""
    return _create(call, call.params["code"])


def generate_voucher(call: Call) -> tuple[int, Any]:
    """``POST /v1/vouchers``: a voucher with a random code (or ``code``)."""
    return _create(call, None)


def update_voucher(call: Call) -> tuple[int, Any]:
    """``PUT /v1/vouchers/{code}``: the updatable fields change, the rest is ignored."""
    body = Body(parse_json_body(call.request))
    changes: dict[str, Any] = read_voucher_own(body)
    active = body.boolean("active")
    if active is not None:
        changes["active"] = active
    metadata = body.mapping("metadata")
    if metadata is not None:
        changes["metadata"] = metadata
    category = body.string("category")
    discount = body.obj("discount")
    if discount is not None:
        changes["discount"] = read_discount(discount)
    gift = body.obj("gift")
    if gift is not None:
        read = read_gift(gift, required=False)
        if "amount" in read:
            changes["gift_amount"] = read["amount"]
        if "effect" in read:
            changes["gift_effect"] = read["effect"]
    vouchers = call.session.vouchers
    vouchers.find(call.params["code"])  # 404 before a category is made
    if category is not None:
        changes["category"] = call.session.campaigns.category_named(category)
    found = vouchers.update(call.params["code"], changes)
    return 200, voucher_body(call, found)


def delete_voucher(call: Call) -> tuple[int, Any]:
    """``DELETE /v1/vouchers/{code}``: to the bin, or for good with ``force=true``."""
    query = Query(call.request.query)
    force = query.choice("force", ("true", "false"), "false") == "true"
    call.session.vouchers.delete(call.params["code"], force=force)
    return 204, None


def enable_voucher(call: Call) -> tuple[int, Any]:
    """``POST /v1/vouchers/{code}/enable``: the voucher can be used again."""
    found = call.session.vouchers.set_active(call.params["code"], active=True)
    return 200, voucher_body(call, found)


def disable_voucher(call: Call) -> tuple[int, Any]:
    """``POST /v1/vouchers/{code}/disable``: the voucher cannot be used."""
    found = call.session.vouchers.set_active(call.params["code"], active=False)
    return 200, voucher_body(call, found)


def change_balance(call: Call) -> tuple[int, Any]:
    """``POST /v1/vouchers/{code}/balance``: a gift card's credits, or a card's points."""
    code = call.params["code"]
    found = call.session.vouchers.find(code)
    body = Body(parse_json_body(call.request))
    body.require("amount")
    amount = body.integer("amount") or 0
    if amount == 0:
        body.fail("amount", "must not be equal to 0")
    reason = body.string("reason")
    source_id = body.string("source_id")
    if isinstance(found, LoyaltyCard):
        transaction = call.session.points.change_balance(
            found.code,
            amount,
            campaign_ref=None,
            expiration_type=None,
            expiration_date=None,
            reason=reason,
            source_id=source_id,
        )
        # The vouchers API's balance names the amount moved, as for gift cards.
        moved = balance_json(transaction, call.session.members.get(found.code))
        return 200, {"amount": amount, **moved}
    voucher, _ = call.session.vouchers.change_gift_balance(
        code, amount, source_id=source_id, reason=reason
    )
    return 200, gift_balance_json(voucher, amount)


def list_transactions(call: Call) -> tuple[int, Any]:
    """``GET /v1/vouchers/{code}/transactions``: a gift card's credits or a card's points."""
    query = Query(call.request.query)
    cursor = paging.cursor(query)
    order = query.choice("order", ("id", "-id"), "-id")
    vouchers = call.session.vouchers
    found = vouchers.find(call.params["code"])
    if isinstance(found, LoyaltyCard):
        card, ordered = call.session.points.transactions(found.code)
        if order == "-id":
            ordered.reverse()
        page, has_more = cursor.of(ordered, [t.id for t in ordered])
        data = [transaction_json(t, card) for t in page]
    else:
        campaign = vouchers.campaign_of(found)
        moves = list(found.transactions)
        if order == "-id":
            moves.reverse()
        gift_page, has_more = cursor.of(moves, [t.id for t in moves])
        data = [gift_transaction_json(t, found, campaign) for t in gift_page]
    body: dict[str, Any] = {"object": "list", "data_ref": "data", "data": data}
    body["has_more"] = has_more
    if has_more:
        body["more_starting_after"] = data[-1]["id"]
    return 200, body


ROUTES: tuple[Route, ...] = (
    Route(
        "GET",
        "/v1/vouchers",
        list_vouchers,
        Operation(
            "list_vouchers",
            "Loyalty cards and discount and gift vouchers, newest first",
            "VouchersList",
            query=_LIST_QUERY,
        ),
    ),
    Route(
        "POST",
        "/v1/vouchers",
        generate_voucher,
        Operation(
            "generate_random_code",
            "Create a voucher with a random code",
            "AnyVoucher",
            body=_CREATE_RANDOM,
        ),
    ),
    Route(
        "POST",
        _VOUCHER,
        create_voucher,
        Operation(
            "create_voucher",
            "Create a voucher with this code",
            "AnyVoucher",
            body=_CREATE_WITH_CODE,
        ),
    ),
    Route(
        "PUT",
        _VOUCHER,
        update_voucher,
        Operation(
            "update_voucher", "Update a voucher's updatable fields", "AnyVoucher", body=_UPDATE
        ),
    ),
    Route(
        "DELETE",
        _VOUCHER,
        delete_voucher,
        Operation(
            "delete_voucher",
            "Delete a discount or gift voucher (to the bin, or for good with force=true)",
            None,
            query=[query("force", {"type": "boolean"})],
        ),
    ),
    Route(
        "POST",
        f"{_VOUCHER}/enable",
        enable_voucher,
        Operation("enable_voucher", "Enable a voucher", "AnyVoucher"),
    ),
    Route(
        "POST",
        f"{_VOUCHER}/disable",
        disable_voucher,
        Operation("disable_voucher", "Disable a voucher", "AnyVoucher"),
    ),
    Route(
        "POST",
        f"{_VOUCHER}/balance",
        change_balance,
        Operation(
            "update_voucher_balance",
            "Add or remove a gift card's credits or a loyalty card's points",
            "AnyBalance",
            body=_BALANCE,
        ),
    ),
    Route(
        "GET",
        f"{_VOUCHER}/transactions",
        list_transactions,
        Operation(
            "list_voucher_transactions",
            "A gift card's credits movements or a loyalty card's points, newest first",
            "VoucherTransactionsList",
            query=[
                paging.LIMIT,
                query("order", enum("id", "-id"), "Default -id."),
                paging.STARTING_AFTER,
            ],
        ),
    ),
)
