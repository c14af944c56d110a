"""``/v1/loyalties/{campaignId}/members``: add, list and get members (published cards)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, get_args

from loyalty_fake.http import paging
from loyalty_fake.http.cards_json import member_json, members_list_json
from loyalty_fake.http.common_json import FREE_OBJECT, STRING, TIMESTAMP, Schema, enum
from loyalty_fake.http.customers import CUSTOMER_REFERENCE, customer_ref
from loyalty_fake.http.declare import NON_EMPTY, Operation, Route, orders, query
from loyalty_fake.http.member_answers import member_answer, member_answers
from loyalty_fake.http.paging import LIMIT, PAGE
from loyalty_fake.http.params import Body, Query, parse_json_body
from loyalty_fake.ledger.members import MemberOrder, MemberQuery

if TYPE_CHECKING:
    from loyalty_fake.http.declare import Call
    from loyalty_fake.ledger.cards import LoyaltyCard

__all__ = ["MEMBER", "MEMBER_BY_CODE", "PATH_PARAMETERS", "ROUTES", "member_of"]

# A member's paths: in its program, and by code alone (points, rewards and redemptions too).
MEMBER = "/v1/loyalties/{campaignId}/members/{memberId}"
MEMBER_BY_CODE = "/v1/loyalties/members/{memberId}"

PATH_PARAMETERS = {"memberId": "The loyalty card's code."}

_ADD_MEMBER: Schema = {
    "type": "object",
    "required": ["customer"],
    "properties": {
        "customer": CUSTOMER_REFERENCE,
        "voucher": NON_EMPTY,
        "source_id": NON_EMPTY,
        "channel": STRING,
        "metadata": FREE_OBJECT,
    },
}

_MEMBER_QUERY = [
    LIMIT,
    PAGE,
    query("customer", STRING),
    query("code", STRING),
    {
        "name": "ids",
        "in": "query",
        "required": False,
        "style": "form",
        "explode": True,
        "schema": {"type": "array", "items": STRING},
        "description": "Only the members with these v_ IDs: ids=a&ids=b (or ids[]=, ids[0]=).",
    },
    *(
        query(f"{field}[{part}]", TIMESTAMP)
        for field in ("created_at", "updated_at")
        for part in ("before", "after")
    ),
    query("order", enum(*orders("created_at", "updated_at", "code")), "Default -created_at."),
]

_MEMBER_ORDERS: tuple[MemberOrder, ...] = get_args(MemberOrder)


def add_member(call: Call) -> tuple[int, Any]:
    """``POST /v1/loyalties/{campaignId}/members``: publish a card to a customer."""
    body = Body(parse_json_body(call.request))
    customer = customer_ref(body)
    # The usual join names the customer alone: no option to read, each its default.
    options = _join_options(body) if len(body.data) > 1 else {}
    card = call.session.members.add(call.params["campaignId"], customer=customer, **options)
    # The program the card was just published in: found by add, not looked up again.
    return 200, member_json(card, call.session.project.campaigns[card.campaign_id])


def _join_options(body: Body) -> dict[str, Any]:
    """A join's options: the card to publish, the publication's ``source_id`` and more."""
    return {
        "voucher": body.string("voucher", non_empty=True),
        "source_id": body.string("source_id", non_empty=True),
        "metadata": body.mapping("metadata"),
        "channel": body.string("channel"),
    }


def list_members(call: Call) -> tuple[int, Any]:
    """``GET /v1/loyalties/{campaignId}/members``: a page of the program's members."""
    query = Query(call.request.query)
    page = paging.page(query)
    member_query = MemberQuery(
        limit=page.limit,
        page=page.number,
        customer=query.string("customer") or None,
        code=query.string("code") or None,
        created_before=query.timestamp("created_at", "before"),
        created_after=query.timestamp("created_at", "after"),
        updated_before=query.timestamp("updated_at", "before"),
        updated_after=query.timestamp("updated_at", "after"),
        order=query.choice("order", _MEMBER_ORDERS, "-created_at"),
        ids=_ids(query),
    )
    cards, total = call.session.members.page(call.params["campaignId"], member_query)
    campaign = call.session.campaigns.get(call.params["campaignId"])
    return 200, members_list_json(member_answers(cards, campaign), total)


def _ids(query: Query) -> tuple[str, ...] | None:
    values = query.strings("ids")
    return tuple(values) if values is not None else None


def get_member(call: Call) -> tuple[int, Any]:
    """``GET /v1/loyalties/[{campaignId}/]members/{memberId}``: one card by code."""
    card = member_of(call)
    return 200, member_answer(card, call.session.campaigns.get(card.campaign_id))


def member_of(call: Call) -> LoyaltyCard:
    """The card a member path names (``memberId``, under ``campaignId`` when given)."""
    return call.session.members.get(call.params["memberId"], call.params.get("campaignId"))


ROUTES: tuple[Route, ...] = (
    Route(
        "POST",
        "/v1/loyalties/{campaignId}/members",
        add_member,
        Operation(
            "add_member",
            "Add a member: publish a card to a customer",
            "LoyaltyMember",
            body=_ADD_MEMBER,
        ),
    ),
    Route(
        "GET",
        "/v1/loyalties/{campaignId}/members",
        list_members,
        Operation(
            "list_members", "List members (published cards)", "MembersList", query=_MEMBER_QUERY
        ),
    ),
    Route(
        "GET",
        MEMBER,
        get_member,
        Operation("get_member_in_program", "Get a member", "LoyaltyMember"),
    ),
    Route(
        "GET",
        MEMBER_BY_CODE,
        get_member,
        Operation("get_member", "Get a member by code", "LoyaltyMember"),
    ),
)
