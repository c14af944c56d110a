"""``/v1/publications``: publish a card or vouchers (by body or by query), and list publications."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from loyalty_fake import errors
from loyalty_fake.http import paging
from loyalty_fake.http.common_json import BOOLEAN, FREE_OBJECT, STRING, Schema, enum
from loyalty_fake.http.customers import CUSTOMER_REFERENCE, customer_ref
from loyalty_fake.http.customers_json import customers_json
from loyalty_fake.http.declare import NON_EMPTY, Operation, Route, orders, query
from loyalty_fake.http.filters import filters_parameter, parse_filters
from loyalty_fake.http.paging import LIMIT
from loyalty_fake.http.params import Body, Query, deep_objects, parse_json_body
from loyalty_fake.http.publications_json import publication_api_json, publication_voucher_json
from loyalty_fake.http.vouchers_json import any_voucher_json
from loyalty_fake.ledger import PUBLICATION_FILTERS

if TYPE_CHECKING:
    from loyalty_fake.http.declare import Call
    from loyalty_fake.ledger.publications import Publication

__all__ = [
    "PATH_PARAMETERS",
    "PUBLICATION_QUERY",
    "ROUTES",
    "list_publications",
    "publication_body",
]

PATH_PARAMETERS: dict[str, str] = {}

_CREATE_PUBLICATION: Schema = {
    "type": "object",
    "required": ["customer"],
    # A voucher by code, or from a campaign: "Either Campaign or Voucher is required".
    "anyOf": [{"required": ["voucher"]}, {"required": ["campaign"]}],
    "properties": {
        "customer": CUSTOMER_REFERENCE,
        "voucher": NON_EMPTY,
        "campaign": {
            "oneOf": [
                NON_EMPTY,
                {
                    "type": "object",
                    "required": ["name"],
                    "properties": {
                        "name": NON_EMPTY,
                        "count": {"type": "integer", "minimum": 1, "maximum": 50},
                    },
                },
            ]
        },
        "source_id": NON_EMPTY,
        "channel": STRING,
        "metadata": FREE_OBJECT,
    },
}

# What listing publications takes, here and for one card (loyalty_fake.http.vouchers).
PUBLICATION_QUERY = [
    LIMIT,
    paging.PUBLICATION_PAGES.parameter(),
    query(
        "order",
        enum(*orders("id", "voucher_code", "tracking_id", "customer_id", "created_at", "channel")),
        "Default -created_at.",
    ),
    query("result", enum("SUCCESS", "FAILURE")),
    query("campaign", STRING),
    query("customer", STRING),
    query("voucher", STRING),
    query("source_id", STRING),
    query(
        "voucher_type",
        enum("discount", "loyalty"),
        "loyalty: loyalty cards; discount: discount vouchers.",
    ),
    query(
        "is_referral_code",
        enum("true", "false"),
        "true: only referral codes (the fake has none); false filters nothing.",
    ),
    filters_parameter(PUBLICATION_FILTERS, metadata=True),
]

# The spec's voucher_type values, as the type of card each names.
_VOUCHER_TYPES = {"discount": "DISCOUNT_VOUCHER", "loyalty": "LOYALTY_CARD"}


_PUBLICATION_ORDERS = tuple(
    f"{sign}{field}"
    for field in ("id", "voucher_code", "tracking_id", "customer_id", "created_at", "channel")
    for sign in ("", "-")
)


def create_publication(call: Call) -> tuple[int, Any]:
    """``POST /v1/publications``: publish a card or vouchers, by code or from a campaign."""
    join_once = _join_once(call)
    publication = call.session.publications.publish(
        **_publication_request(Body(parse_json_body(call.request))), join_once=join_once
    )
    return 200, _publication_body(call, publication, listed=False)


def create_publication_by_query(call: Call) -> tuple[int, Any]:
    """``GET /v1/publications/create``: the same publication, asked in the query string.

    deepObject parameters (``customer[source_id]``, ``campaign[name]``, ``metadata[k]``)
    arrive as text; one voucher per request (``campaign[count]`` above 1 is refused).
    Limited to integration keys at Voucherify; the fake takes the project's keys.
    """
    join_once = _join_once(call)
    # The official SDK (6.x) writes every unset field of its models as the text "None"
    # (customer[metadata]=None): read as absent, or no SDK call could succeed.
    asked = deep_objects(
        (name, value)
        for name, value in call.request.query
        if name != "join_once" and not ("[" in name and value == "None")
    )
    if "customer" not in asked:
        raise errors.invalid_query_params("Query should have required property 'customer'")
    campaign = asked.get("campaign")
    if isinstance(campaign, dict) and isinstance(campaign.get("count"), str):
        count = campaign["count"]
        campaign["count"] = int(count) if count.isascii() and count.isdigit() else count
    try:
        request = _publication_request(Body(asked))
    except errors.VoucherifyError as refusal:
        if refusal.key != "invalid_payload":
            raise
        details = (refusal.details or "").replace("Payload", "Query", 1)
        raise errors.invalid_query_params(details) from None
    if request["count"] > 1:
        raise errors.too_many_vouchers_requested()
    publication = call.session.publications.publish(**request, join_once=join_once)
    return 200, _publication_body(call, publication, listed=False)


def _join_once(call: Call) -> bool:
    return Query(call.request.query).choice("join_once", ("true", "false"), "false") == "true"


def _publication_request(body: Body) -> dict[str, Any]:
    """The ``publish`` arguments a request body (or the query's objects) asks for."""
    customer = customer_ref(body)
    voucher = body.string("voucher", non_empty=True)
    campaign, count = _publication_campaign(body)
    return {
        "customer": customer,
        "voucher": voucher,
        "campaign": campaign if voucher is None else None,
        "count": count if voucher is None else 1,
        "source_id": body.string("source_id", non_empty=True),
        "metadata": body.mapping("metadata"),
        "channel": body.string("channel"),
    }


def _publication_campaign(body: Body) -> tuple[str | None, int]:
    raw = body.data.get("campaign")
    if raw is None:
        return None, 1
    if isinstance(raw, str):
        if not raw.strip():
            body.fail("campaign", "must NOT have fewer than 1 characters")
        return raw, 1
    campaign = body.obj("campaign")
    assert campaign is not None  # noqa: S101 - obj() raised for anything but an object
    campaign.require("name")
    name = campaign.string("name", non_empty=True)
    count = campaign.integer("count", minimum=1, maximum=50) or 1
    return name, count


def _publication_body(call: Call, publication: Publication, *, listed: bool) -> dict[str, Any]:
    """The publication as created (the full voucher) or listed (the short one).

    A publication of several vouchers names their codes (``vouchers``) instead.
    """
    session = call.session
    # The record itself, a deleted customer's tombstone included: a publication outlives
    # its customer's deletion, and listing it must not answer 404.
    customer = session.project.customers[publication.customer_id]
    voucher = None
    if not publication.more_codes:
        found = session.vouchers.find(publication.voucher_code)
        campaign = session.vouchers.campaign_of(found)
        if listed:
            voucher = publication_voucher_json(found, campaign)
        else:
            voucher = any_voucher_json(found, campaign)
    customer_body = customers_json(session, (customer,))[0]
    return publication_api_json(publication, customer, customer_body, voucher)


def publication_body(call: Call, publication: Publication) -> dict[str, Any]:
    """A publication as the list shows it (exports read it too)."""
    return _publication_body(call, publication, listed=True)


def list_publications(call: Call) -> tuple[int, Any]:
    """``GET /v1/publications`` (and ``/v1/vouchers/{code}/publications``): newest first."""
    query = Query(call.request.query)
    page = paging.page(query, paging.PUBLICATION_PAGES)
    order = query.choice("order", _PUBLICATION_ORDERS, "-created_at")
    result = query.choice("result", ("SUCCESS", "FAILURE", None), None)
    voucher_type = query.choice("voucher_type", tuple(_VOUCHER_TYPES), None)
    # "This filter works only for the true option": false lists every publication.
    referral_only = query.choice("is_referral_code", ("true", "false"), "false") == "true"
    filters = parse_filters(query.pairs, PUBLICATION_FILTERS, metadata=True)
    voucher = query.string("voucher")
    if "code" in call.params:
        voucher = call.session.vouchers.find(call.params["code"]).code  # 404 for none
    publications, total = call.session.publications.page(
        limit=page.limit,
        page=page.number,
        order=order,
        campaign=query.string("campaign"),
        customer=query.string("customer"),
        voucher=voucher,
        source_id=query.string("source_id"),
        result=result,
        voucher_type=_VOUCHER_TYPES[voucher_type] if voucher_type is not None else None,
        referral_only=referral_only,
        filters=filters,
    )
    items = [_publication_body(call, publication, listed=True) for publication in publications]
    return 200, {
        "object": "list",
        "data_ref": "publications",
        "publications": items,
        "total": total,
    }


# GET /v1/publications/create: the body's fields as deepObject query parameters.
_CREATE_QUERY = [
    query("join_once", BOOLEAN, "true: a customer keeps the voucher of the campaign they hold."),
    query("voucher", STRING),
    {
        "name": "campaign",
        "in": "query",
        "required": False,
        "style": "deepObject",
        "explode": True,
        "schema": {
            "type": "object",
            "properties": {"name": STRING, "count": {"type": "integer", "minimum": 1}},
        },
        "description": "campaign[name]; campaign[count] above 1 is too_many_vouchers_requested.",
    },
    query("source_id", STRING),
    {
        "name": "customer",
        "in": "query",
        "required": True,
        "style": "deepObject",
        "explode": True,
        "schema": FREE_OBJECT,
        "description": "customer[id] or customer[source_id], and profile fields (as text).",
    },
    {
        "name": "metadata",
        "in": "query",
        "required": False,
        "style": "deepObject",
        "explode": True,
        "schema": FREE_OBJECT,
        "description": "The publication's metadata; the values are text.",
    },
]

ROUTES: tuple[Route, ...] = (
    Route(
        "POST",
        "/v1/publications",
        create_publication,
        Operation(
            "create_publication",
            "Publish a card or vouchers, by code or from a campaign",
            "Publication",
            query=[
                query(
                    "join_once",
                    BOOLEAN,
                    "true: a customer keeps the voucher of the campaign they hold."
                    " Loyalty programs always join once.",
                )
            ],
            body=_CREATE_PUBLICATION,
        ),
    ),
    Route(
        "GET",
        "/v1/publications/create",
        create_publication_by_query,
        Operation(
            "create_publication_by_query",
            "Publish one card or voucher, asked in the query string",
            "Publication",
            query=_CREATE_QUERY,
        ),
    ),
    Route(
        "GET",
        "/v1/publications",
        list_publications,
        Operation(
            "list_publications",
            "Publications, newest first, with filters",
            "PublicationsList",
            query=PUBLICATION_QUERY,
        ),
    ),
)
