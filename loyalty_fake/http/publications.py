"""``/v1/publications``: publish a card, and list publications."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from loyalty_fake.http import paging
from loyalty_fake.http.cards_json import voucher_json
from loyalty_fake.http.common_json import BOOLEAN, FREE_OBJECT, STRING, Schema, enum
from loyalty_fake.http.customers import CUSTOMER_REFERENCE, customer_ref
from loyalty_fake.http.declare import NON_EMPTY, Operation, Route, orders, query
from loyalty_fake.http.filters import filters_parameter, parse_filters
from loyalty_fake.http.paging import LIMIT
from loyalty_fake.http.params import Body, Query, parse_json_body
from loyalty_fake.http.publications_json import publication_api_json, publication_voucher_json
from loyalty_fake.ledger import PUBLICATION_FILTERS

if TYPE_CHECKING:
    from loyalty_fake.http.declare import Call
    from loyalty_fake.ledger.publications import Publication

__all__ = ["PATH_PARAMETERS", "PUBLICATION_QUERY", "ROUTES", "list_publications"]

PATH_PARAMETERS: dict[str, str] = {}

_CREATE_PUBLICATION: Schema = {
    "type": "object",
    "required": ["customer"],
    # A card by code, or one from a program: "Either Campaign or Voucher is required".
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
        "loyalty: every card of the fake; discount: none.",
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
    """``POST /v1/publications``: publish a card by code or from a program."""
    query = Query(call.request.query)
    query.choice("join_once", ("true", "false"), "true")  # loyalty programs always join once
    body = Body(parse_json_body(call.request))
    customer = customer_ref(body)
    voucher = body.string("voucher", non_empty=True)
    campaign, count = _publication_campaign(body)
    source_id = body.string("source_id", non_empty=True)
    metadata = body.mapping("metadata")
    channel = body.string("channel")
    card = call.session.publications.publish(
        customer=customer,
        voucher=voucher,
        campaign=campaign if voucher is None else None,
        count=count if voucher is None else 1,
        source_id=source_id,
        metadata=metadata,
        channel=channel,
    )
    program = call.session.campaigns.get(card.campaign_id)
    return 200, _publication_body(call, card.publication, voucher_json(card, program))


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


def _publication_body(
    call: Call, publication: Publication | None, voucher: dict[str, Any]
) -> dict[str, Any]:
    assert publication is not None  # noqa: S101 - a published card has its publication
    customer = call.session.customers.get(publication.customer_id)
    held = call.session.customers.cards_of(customer.id)
    failures = call.session.redemptions.failures_of_customer(customer.id)
    return publication_api_json(publication, customer, held, failures, voucher)


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
    if "code" in call.params:
        call.session.members.get(call.params["code"])  # 404 for an unknown card
    publications, total = call.session.publications.page(
        limit=page.limit,
        page=page.number,
        order=order,
        campaign=query.string("campaign"),
        customer=query.string("customer"),
        voucher=call.params.get("code") or query.string("voucher"),
        source_id=query.string("source_id"),
        result=result,
        voucher_type=_VOUCHER_TYPES[voucher_type] if voucher_type is not None else None,
        referral_only=referral_only,
        filters=filters,
    )
    items = []
    cards, campaigns = call.session.cards, call.session.campaigns
    for publication in publications:
        card = cards.get(publication.voucher_code)
        program = campaigns.get(card.campaign_id)
        items.append(_publication_body(call, publication, publication_voucher_json(card, program)))
    return 200, {
        "object": "list",
        "data_ref": "publications",
        "publications": items,
        "total": total,
    }


ROUTES: tuple[Route, ...] = (
    Route(
        "POST",
        "/v1/publications",
        create_publication,
        Operation(
            "create_publication",
            "Publish a card by code or from a program",
            "Publication",
            query=[query("join_once", BOOLEAN, "Loyalty programs always join once.")],
            body=_CREATE_PUBLICATION,
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
