"""One function per Voucherify operation: parse the request, call the session's areas, serialize."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar, get_args

import attrs

from loyalty_fake.errors import bad_request
from loyalty_fake.http.filters import parse_filters
from loyalty_fake.http.params import Body, Query, parse_json_body
from loyalty_fake.http.reward_handlers import failed_redemption_body
from loyalty_fake.http.serialize import (
    activity_json,
    balance_json,
    bucket_json,
    campaign_json,
    cursor_list_json,
    customer_json,
    member_json,
    members_list_json,
    publication_api_json,
    publication_voucher_json,
    transaction_json,
    voucher_json,
)
from loyalty_fake.http.serialize_rewards import redemption_json, rollback_json
from loyalty_fake.ledger import PUBLICATION_FILTERS, TRANSACTION_FILTERS
from loyalty_fake.ledger.campaigns import CampaignType
from loyalty_fake.ledger.codes import CodeConfig
from loyalty_fake.ledger.customers import ADDRESS_FIELDS, CUSTOMER_STRINGS, CustomerRef
from loyalty_fake.ledger.expiry import ExpirationRules, PeriodType, RoundingType
from loyalty_fake.ledger.members import MemberOrder, MemberQuery

if TYPE_CHECKING:
    from loyalty_fake.http.messages import Request
    from loyalty_fake.ledger import Session
    from loyalty_fake.ledger.cards import LoyaltyCard
    from loyalty_fake.ledger.publications import Publication

__all__ = ["Call", "add_member", "create_loyalty_program", "get_loyalty_program", "list_members"]

_Item = TypeVar("_Item")
_CAMPAIGN_TYPES: tuple[str, ...] = get_args(CampaignType)
_MEMBER_ORDERS: tuple[MemberOrder, ...] = get_args(MemberOrder)


@attrs.frozen
class Call:
    """What a handler gets: the request's session on one project, the request, its parameters."""

    session: Session
    request: Request
    params: dict[str, str]


def create_loyalty_program(call: Call) -> tuple[int, Any]:
    """``POST /v1/loyalties``: create a program and generate its cards."""
    body = Body(parse_json_body(call.request))
    body.require("name")
    name = body.string("name", non_empty=True)
    assert name is not None  # noqa: S101 - guaranteed by require()
    body.choice("campaign_type", ("LOYALTY_PROGRAM",))
    campaign_type = body.choice("type", _CAMPAIGN_TYPES) or "AUTO_UPDATE"
    vouchers_count = body.integer("vouchers_count", minimum=0) or 0
    initial_points = 0
    code_config = None
    redemption_quantity = None
    expiration_rules = None
    voucher = body.obj("voucher")
    if voucher is not None:
        voucher.choice("type", ("LOYALTY_CARD",))
        loyalty_card = voucher.obj("loyalty_card")
        if loyalty_card is not None:
            initial_points = loyalty_card.integer("points", minimum=0) or 0
            rules = loyalty_card.obj("expiration_rules")
            if rules is not None:
                expiration_rules = _expiration_rules(rules)
        config = voucher.obj("code_config")
        if config is not None:
            code_config = _code_config(config)
        redemption = voucher.obj("redemption")
        if redemption is not None:
            redemption_quantity = redemption.integer("quantity", minimum=1)
    settings = _campaign_settings(body)
    # Validated, then ignored: Voucherify forces join_once to true for loyalty programs.
    body.boolean("join_once")
    campaign = call.session.campaigns.create(
        name=name,
        type=campaign_type,  # type: ignore[arg-type] # checked against CampaignType above
        vouchers_count=vouchers_count,
        initial_points=initial_points,
        code_config=code_config,
        metadata=body.mapping("metadata"),
        description=body.string("description"),
        category=body.string("category"),
        category_id=body.string("category_id"),
        start_date=body.timestamp("start_date"),
        expiration_date=body.timestamp("expiration_date"),
        auto_join=bool(body.boolean("auto_join")),
        redemption_quantity=redemption_quantity,
        settings=settings,
        expiration_rules=expiration_rules,
    )
    return 200, campaign_json(campaign)


def _expiration_rules(rules: Body) -> ExpirationRules:
    """``voucher.loyalty_card.expiration_rules``, each field's requirement as the spec states it."""
    rules.require("period_type")
    period_type = rules.choice("period_type", get_args(PeriodType))
    period_value = rules.integer("period_value", minimum=0, maximum=1200)
    if period_type == "MONTH" and period_value is None:
        rules.require("period_value")
    rounding_type = rules.choice("rounding_type", get_args(RoundingType))
    rounding_value = rules.integer("rounding_value", minimum=1, maximum=12)
    if rounding_type == "PARTICULAR_MONTH" and rounding_value is None:
        rules.require("rounding_value")
    fixed_month = rules.integer("fixed_month", minimum=1, maximum=12)
    fixed_day = rules.integer("fixed_day", minimum=1, maximum=31)
    if period_type == "FIXED_DAY_OF_YEAR":
        rules.require("fixed_month")
        rules.require("fixed_day")
    return ExpirationRules(
        period_type=period_type,  # type: ignore[arg-type] # checked against PeriodType
        period_value=period_value,
        rounding_type=rounding_type,  # type: ignore[arg-type] # checked against RoundingType
        rounding_value=rounding_value,
        fixed_month=fixed_month,
        fixed_day=fixed_day,
    )


def _campaign_settings(body: Body) -> dict[str, Any]:
    """The validity and display settings a program keeps and echoes back unchanged."""
    settings: dict[str, Any] = {}
    timeframe = body.obj("validity_timeframe")
    if timeframe is not None:
        settings["validity_timeframe"] = {
            key: value
            for key in ("duration", "interval")
            if (value := timeframe.string(key)) is not None
        }
    days = body.data.get("validity_day_of_week")
    if days is not None:
        if not isinstance(days, list) or not all(
            isinstance(day, int) and not isinstance(day, bool) and 0 <= day <= 6  # noqa: PLR2004
            for day in days
        ):
            body.fail("validity_day_of_week", "must be array of integers from 0 to 6")
        settings["validity_day_of_week"] = list(days)
    hours = body.mapping("validity_hours")
    if hours is not None:
        settings["validity_hours"] = hours
    duration = body.string("activity_duration_after_publishing")
    if duration is not None:
        settings["activity_duration_after_publishing"] = duration
    uses_schema = body.boolean("use_voucher_metadata_schema")
    if uses_schema is not None:
        settings["use_voucher_metadata_schema"] = uses_schema
    return settings


def _code_config(config: Body) -> CodeConfig:
    defaults = CodeConfig()
    charset = config.string("charset", non_empty=True) or defaults.charset
    pattern = config.string("pattern", non_empty=True)
    length = config.integer("length", minimum=1, maximum=1000)
    if pattern is not None and "#" not in pattern:
        config.fail("pattern", "must contain at least one '#' placeholder")
    if pattern is not None and length is None:
        length = pattern.count("#")
    return CodeConfig(
        length=length if length is not None else defaults.length,
        charset=charset,
        prefix=config.string("prefix") or "",
        postfix=config.string("postfix") or "",
        pattern=pattern,
    )


def get_loyalty_program(call: Call) -> tuple[int, Any]:
    """``GET /v1/loyalties/{campaignId}``: a program by ID or by name."""
    campaign = call.session.campaigns.get(call.params["campaignId"])
    return 200, campaign_json(campaign)


def _customer_ref(body: Body) -> CustomerRef:
    body.require("customer")
    raw = body.data["customer"]
    if isinstance(raw, str):
        if not raw.strip():
            body.fail("customer", "must NOT have fewer than 1 characters")
        return CustomerRef(as_string=raw)
    customer = body.obj("customer")
    assert customer is not None  # noqa: S101 - require() and obj() leave nothing else
    profile: dict[str, Any] = {}
    for field in CUSTOMER_STRINGS:
        value = customer.string(field)
        if value is not None:
            profile[field] = value
    metadata = customer.mapping("metadata")
    if metadata is not None:
        profile["metadata"] = metadata
    address = customer.obj("address")
    if address is not None:
        profile["address"] = {field: address.string(field) for field in ADDRESS_FIELDS}
    customer_id = customer.string("id", non_empty=True)
    source_id = customer.string("source_id", non_empty=True)
    if customer_id is None and source_id is None:
        # Voucherify: "Use customer.id, customer.source_id, or both to identify the
        # customer; at least one of them is required."
        raise bad_request(
            "invalid_payload",
            "Invalid payload",
            "Property .customer must have required property 'id' or 'source_id'",
        )
    return CustomerRef(id=customer_id, source_id=source_id, profile=profile)


def add_member(call: Call) -> tuple[int, Any]:
    """``POST /v1/loyalties/{campaignId}/members``: publish a card to a customer."""
    body = Body(parse_json_body(call.request))
    customer = _customer_ref(body)
    voucher = body.string("voucher", non_empty=True)
    source_id = body.string("source_id", non_empty=True)
    metadata = body.mapping("metadata")
    channel = body.string("channel")
    card = call.session.members.add(
        call.params["campaignId"],
        customer=customer,
        voucher=voucher,
        source_id=source_id,
        metadata=metadata,
        channel=channel,
    )
    return 200, member_json(card, call.session.campaigns.get(card.campaign_id))


def list_members(call: Call) -> tuple[int, Any]:
    """``GET /v1/loyalties/{campaignId}/members``: a page of the program's members."""
    query = Query(call.request.query)
    member_query = MemberQuery(
        limit=query.limit(),
        page=query.page(),
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
    vouchers = [member_json(card, campaign) for card in cards]
    return 200, members_list_json(vouchers, total)


def _ids(query: Query) -> tuple[str, ...] | None:
    values = query.strings("ids")
    return tuple(values) if values is not None else None


# -- points -------------------------------------------------------------------------------

_EXPIRATION_TYPES = ("PROGRAM_RULES", "CUSTOM_DATE", "NON_EXPIRING")


def get_member(call: Call) -> tuple[int, Any]:
    """``GET /v1/loyalties/[{campaignId}/]members/{memberId}``: one card by code."""
    card = _member_of(call)
    return 200, member_json(card, call.session.campaigns.get(card.campaign_id))


def change_balance(call: Call) -> tuple[int, Any]:
    """``POST /v1/loyalties/[{campaignId}/]members/{memberId}/balance``: add or remove points."""
    body = Body(parse_json_body(call.request))
    body.require("points")
    points = body.integer("points")
    if points == 0:
        body.fail("points", "must not be equal to 0")
    expiration_type = body.choice("expiration_type", _EXPIRATION_TYPES)
    expiration_date = body.timestamp("expiration_date")
    reason = body.string("reason")
    source_id = body.string("source_id")
    transaction = call.session.points.change_balance(
        call.params["memberId"],
        points or 0,
        campaign_ref=call.params.get("campaignId"),
        expiration_type=expiration_type,
        expiration_date=expiration_date,
        reason=reason,
        source_id=source_id,
    )
    card = call.session.members.get(call.params["memberId"])
    return 200, balance_json(transaction, card)


def _member_of(call: Call) -> LoyaltyCard:
    """The card a member path names (``memberId``, under ``campaignId`` when given)."""
    return call.session.members.get(call.params["memberId"], call.params.get("campaignId"))


def _cursor_page(
    items: list[_Item], ids: list[str], after: str | None, limit: int
) -> tuple[list[_Item], bool]:
    """The page after the item ``after`` (an ID of ``ids``), and whether more follow."""
    if after is not None:
        if after not in ids:
            raise bad_request(
                "invalid_query_params",
                "Invalid query params",
                f"Property .starting_after_id: {after} is not in this list",
            )
        items = items[ids.index(after) + 1 :]
    return items[:limit], len(items) > limit


def list_transactions(call: Call) -> tuple[int, Any]:
    """``GET .../members/{memberId}/transactions``: the card's point movements, cursor-paged."""
    query = Query(call.request.query)
    limit = query.limit()
    order = query.choice("order", ("id", "-id"), "-id")
    after = query.string("starting_after_id")
    filters = parse_filters(query.pairs, TRANSACTION_FILTERS)
    card, ordered = call.session.points.transactions(
        call.params["memberId"], call.params.get("campaignId"), filters
    )
    if order == "-id":
        ordered.reverse()
    page, has_more = _cursor_page(ordered, [t.id for t in ordered], after, limit)
    return 200, cursor_list_json([transaction_json(t, card) for t in page], has_more)


def list_points_expiration(call: Call) -> tuple[int, Any]:
    """``GET /v1/loyalties/{campaignId}/members/{memberId}/points-expiration``: active buckets."""
    query = Query(call.request.query)
    limit = query.limit()
    page = query.page()
    card = _member_of(call)
    start = (page - 1) * limit
    data = [bucket_json(b, card) for b in card.buckets[start : start + limit]]
    return 200, {"object": "list", "data_ref": "data", "data": data, "total": len(card.buckets)}


def list_activity(call: Call) -> tuple[int, Any]:
    """``GET .../members/{memberId}/activity``: the member's events, cursor-paged."""
    query = Query(call.request.query)
    limit = query.limit()
    order = query.choice("order", ("created_at", "-created_at"), "-created_at")
    after = query.string("starting_after_id")
    card = _member_of(call)
    campaign = call.session.campaigns.get(card.campaign_id)
    holder = call.session.customers.get(card.holder_id) if card.holder_id else None
    events = [event for _, event in activity_json(card, campaign, holder)]
    if order == "-created_at":
        events.reverse()
    page, has_more = _cursor_page(events, [event["id"] for event in events], after, limit)
    return 200, cursor_list_json(page, has_more)


def get_customer(call: Call) -> tuple[int, Any]:
    """``GET /v1/customers/{customerId}``: a customer by ID or source_id, with loyalty."""
    customer = call.session.customers.get(call.params["customerId"])
    return 200, customer_json(
        customer,
        call.session.customers.cards_of(customer.id),
        call.session.redemptions.failures_of_customer(customer.id),
    )


# -- programs, codes and publications ----------------------------------------------------

_PROGRAM_ORDERS = ("created_at", "-created_at", "updated_at", "-updated_at")
_PROGRAM_EXPANSIONS = ("category", "access_settings_assignments")
# The spec's voucher_type values, as the type of card each names.
_VOUCHER_TYPES = {"discount": "DISCOUNT_VOUCHER", "loyalty": "LOYALTY_CARD"}
_PUBLICATION_ORDERS = tuple(
    f"{sign}{field}"
    for field in ("id", "voucher_code", "tracking_id", "customer_id", "created_at", "channel")
    for sign in ("", "-")
)
_PAGE_LIMIT = 1000


def list_programs(call: Call) -> tuple[int, Any]:
    """``GET /v1/loyalties``: programs, newest first, page-based."""
    query = Query(call.request.query)
    limit = query.limit()
    page = query.page()
    order = query.choice("order", _PROGRAM_ORDERS, "-created_at")
    # categories is always expanded; Areas and Stores is an enterprise feature a fake
    # project does not have, so access_settings_assignments adds nothing (the spec:
    # "returned only if the Areas and Stores enterprise feature is enabled").
    query.choice("expand", _PROGRAM_EXPANSIONS, None)
    programs, total = call.session.campaigns.page(limit=limit, page=page, order=order)
    body = [campaign_json(program) for program in programs]
    return 200, {"object": "list", "data_ref": "campaigns", "campaigns": body, "total": total}


def update_loyalty_program(call: Call) -> tuple[int, Any]:
    """``PUT /v1/loyalties/{campaignId}``: the updatable fields change, the rest is ignored."""
    body = Body(parse_json_body(call.request))
    changes: dict[str, Any] = {}
    for key in ("description", "category", "category_id"):
        value = body.string(key)
        if value is not None:
            changes[key] = value
    for key in ("start_date", "expiration_date"):
        moment = body.timestamp(key)
        if moment is not None:
            changes[key] = moment
    auto_join = body.boolean("auto_join")
    if auto_join is not None:
        changes["auto_join"] = auto_join
    # Validated, then ignored: "always true for loyalty campaigns and it cannot be changed".
    body.boolean("join_once")
    campaign_type = body.choice("type", _CAMPAIGN_TYPES)
    if campaign_type is not None:
        changes["type"] = campaign_type
    metadata = body.mapping("metadata")
    if metadata is not None:
        changes["metadata"] = metadata
    unset = body.data.get("unset_metadata_fields")
    if unset is not None:
        if not isinstance(unset, list) or not all(isinstance(k, str) for k in unset):
            body.fail("unset_metadata_fields", "must be array of strings")
        changes["unset_metadata_fields"] = unset
    changes.update(_campaign_settings(body))
    changes.pop("use_voucher_metadata_schema", None)  # not updatable
    campaign = call.session.campaigns.update(call.params["campaignId"], changes)
    return 200, campaign_json(campaign)


def delete_loyalty_program(call: Call) -> tuple[int, Any]:
    """``DELETE /v1/loyalties/{campaignId}``: to the bin, or for good with ``force=true``."""
    query = Query(call.request.query)
    force = query.choice("force", ("true", "false"), "false") == "true"
    action = call.session.campaigns.delete(call.params["campaignId"], force=force)
    return 200, {"async_action_id": action}


def _voucher_overrides(body: Body) -> dict[str, Any]:
    overrides: dict[str, Any] = {}
    info = body.string("additional_info")
    if info is not None:
        overrides["additional_info"] = info
    for key in ("start_date", "expiration_date"):
        moment = body.timestamp(key)
        if moment is not None:
            overrides[key] = moment
    redemption = body.obj("redemption")
    if redemption is not None and "quantity" in redemption.data:
        overrides["redemption_quantity"] = redemption.integer("quantity", minimum=1)
    return overrides


def add_vouchers(call: Call) -> tuple[int, Any]:
    """``POST /v1/campaigns/{campaignId}/vouchers``: one card (200) or several (202)."""
    query = Query(call.request.query)
    count = query.integer("vouchers_count", minimum=1, maximum=100_000, default=1)
    body = Body(parse_json_body(call.request))
    code = body.string("code", non_empty=True)
    config = body.obj("code_config")
    code_config = _code_config(config) if config is not None else None
    overrides = _voucher_overrides(body)
    cards = call.session.campaigns.add_vouchers(
        call.params["campaignId"],
        count=1 if code is not None else count,
        code=code,
        code_config=code_config,
        metadata=body.mapping("metadata"),
        category=body.string("category"),
        overrides=overrides,
    )
    if len(cards) > 1:
        # Voucherify answers a bulk request with its async action; the fake has
        # already finished it.
        return 202, {"async_action_id": call.session.ids.async_action_id()}
    campaign = call.session.campaigns.get(cards[0].campaign_id)
    return 200, voucher_json(cards[0], campaign)


def add_voucher_with_code(call: Call) -> tuple[int, Any]:
    """``POST /v1/campaigns/{campaignId}/vouchers/{code}``: one card with that code."""
    body = Body(parse_json_body(call.request))
    code = call.params["code"]
    [card] = call.session.campaigns.add_vouchers(
        call.params["campaignId"],
        code=code,
        metadata=body.mapping("metadata"),
        category=body.string("category"),
        overrides=_voucher_overrides(body),
    )
    return 200, voucher_json(card, call.session.campaigns.get(card.campaign_id))


def get_voucher(call: Call) -> tuple[int, Any]:
    """``GET /v1/vouchers/{code}``: a loyalty card through the vouchers API."""
    card = call.session.members.get(call.params["code"])
    return 200, voucher_json(card, call.session.campaigns.get(card.campaign_id))


def create_publication(call: Call) -> tuple[int, Any]:
    """``POST /v1/publications``: publish a card by code or from a program."""
    query = Query(call.request.query)
    query.choice("join_once", ("true", "false"), "true")  # loyalty programs always join once
    body = Body(parse_json_body(call.request))
    customer = _customer_ref(body)
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
    limit = query.limit()
    page = query.integer("page", minimum=1, maximum=1_000_000, default=1)
    if page > _PAGE_LIMIT:
        raise bad_request(
            "page_over_limit",
            "Listing resource above 1000 page is not supported",
            "Property .page cannot be higher than 1000",
        )
    order = query.choice("order", _PUBLICATION_ORDERS, "-created_at")
    result = query.choice("result", ("SUCCESS", "FAILURE", None), None)
    voucher_type = query.choice("voucher_type", tuple(_VOUCHER_TYPES), None)
    # "This filter works only for the true option": false lists every publication.
    referral_only = query.choice("is_referral_code", ("true", "false"), "false") == "true"
    filters = parse_filters(query.pairs, PUBLICATION_FILTERS, metadata=True)
    if "code" in call.params:
        call.session.members.get(call.params["code"])  # 404 for an unknown card
    publications, total = call.session.publications.page(
        limit=limit,
        page=page,
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


def list_voucher_redemptions(call: Call) -> tuple[int, Any]:
    """``GET /v1/vouchers/{code}/redemption(s)``: the card's redemptions and rollbacks.

    Failed ones (``rf_``, ``rrf_``) included, newest first; ``redeemed_quantity``
    counts the successful redemptions only.
    """
    card = call.session.members.get(call.params["code"])
    campaign = call.session.campaigns.get(card.campaign_id)
    redemption = voucher_json(card, campaign)["redemption"]
    # (date, seq, entry): newest first; within one millisecond, the later record first.
    entries: list[tuple[str, int, dict[str, Any]]] = []
    for made in call.session.redemptions.of_card(card.code):
        customer = call.session.customers.get(made.customer_id)
        body = redemption_json(made, card, campaign, customer)
        entries.append((body["date"], made.seq, body))
        if made.rollback is not None:
            body = rollback_json(made, card, campaign, customer)
            entries.append((body["date"], made.rollback.seq, body))
    for failed in call.session.redemptions.failures_of_card(card.code):
        body = failed_redemption_body(call, failed)
        entries.append((body["date"], failed.seq, body))
    entries.sort(key=lambda entry: entry[:2], reverse=True)
    return 200, {
        "quantity": redemption["quantity"],
        "redeemed_quantity": card.redeemed_quantity,
        "object": "list",
        "url": redemption["url"],
        "data_ref": "redemption_entries",
        "total": len(entries),
        "redemption_entries": [body for _, _, body in entries],
    }
