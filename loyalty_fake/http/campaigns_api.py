"""``/v1/campaigns``: create, list, get, update, delete, enable and disable campaigns.

The generic campaigns API over the one store ``/v1/loyalties`` serves: a loyalty program
is a campaign of type ``LOYALTY_PROGRAM`` (its requests go to ``http/campaigns.py``'s
handlers), beside ``DISCOUNT_COUPONS`` and ``GIFT_VOUCHERS`` campaigns whose vouchers
are ``ledger/vouchers.py``'s. ``PROMOTION`` and ``REFERRAL_PROGRAM`` answer 501.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from loyalty_fake import errors
from loyalty_fake.http import paging
from loyalty_fake.http.campaigns import (
    CODE_CONFIG_REQUEST,
    CREATE_PROGRAM,
    REDEMPTION_QUANTITY,
    UPDATE_PROGRAM,
    campaign_settings,
    create_loyalty_program,
    read_campaign_changes,
    read_code_config,
    update_loyalty_program,
)
from loyalty_fake.http.campaigns_json import campaign_json
from loyalty_fake.http.common_json import BOOLEAN, FREE_OBJECT, Schema, enum
from loyalty_fake.http.declare import Operation, Route, orders, query
from loyalty_fake.http.filters import filters_parameter, parse_filters
from loyalty_fake.http.paging import LIMIT, PAGE
from loyalty_fake.http.params import Body, Query, invalid_query, parse_json_body
from loyalty_fake.http.voucher_bodies import (
    DISCOUNT_REQUEST,
    GIFT_REQUEST,
    read_discount,
    read_gift,
)
from loyalty_fake.ledger.campaign_filters import CAMPAIGN_FILTERS
from loyalty_fake.ledger.metadata_schemas import check_metadata, checked

if TYPE_CHECKING:
    from loyalty_fake.http.declare import Call

__all__ = ["CAMPAIGN_TYPES", "PATH_PARAMETERS", "ROUTES"]

PATH_PARAMETERS: dict[str, str] = {}

CAMPAIGN_TYPES = (
    "LOYALTY_PROGRAM",
    "DISCOUNT_COUPONS",
    "GIFT_VOUCHERS",
    "PROMOTION",
    "REFERRAL_PROGRAM",
)
# The voucher type each campaign type makes, and back.
_VOUCHER_TYPE = {
    "LOYALTY_PROGRAM": "LOYALTY_CARD",
    "DISCOUNT_COUPONS": "DISCOUNT_VOUCHER",
    "GIFT_VOUCHERS": "GIFT_VOUCHER",
}
_CAMPAIGN_OF_VOUCHER = {voucher: campaign for campaign, voucher in _VOUCHER_TYPE.items()}

_CAMPAIGN = "/v1/campaigns/{campaignId}"

_VOUCHER_TEMPLATE: Schema = {
    "type": "object",
    "properties": {
        "type": enum("LOYALTY_CARD", "DISCOUNT_VOUCHER", "GIFT_VOUCHER"),
        "discount": DISCOUNT_REQUEST,
        "gift": GIFT_REQUEST,
        "loyalty_card": FREE_OBJECT,
        "code_config": CODE_CONFIG_REQUEST,
        "redemption": REDEMPTION_QUANTITY,
    },
}

_CREATE_CAMPAIGN: Schema = {
    **CREATE_PROGRAM,
    "properties": {
        **CREATE_PROGRAM["properties"],
        "campaign_type": enum(*CAMPAIGN_TYPES),
        "voucher": _VOUCHER_TEMPLATE,
    },
}

_UPDATE_CAMPAIGN: Schema = {
    **UPDATE_PROGRAM,
    "properties": {
        **UPDATE_PROGRAM["properties"],
        "join_once": BOOLEAN,
        "discount": DISCOUNT_REQUEST,
        "gift": GIFT_REQUEST,
    },
}


def _campaign_type(body: Body) -> str:
    """The request's ``campaign_type``; else the one its ``voucher.type`` implies; else 400."""
    campaign_type = body.choice("campaign_type", CAMPAIGN_TYPES)
    if campaign_type is not None:
        return campaign_type
    voucher = body.obj("voucher")
    voucher_type = voucher.choice("type", tuple(_CAMPAIGN_OF_VOUCHER)) if voucher else None
    if voucher_type is None:
        body.require("campaign_type")
    return _CAMPAIGN_OF_VOUCHER[voucher_type or ""]


def create_campaign(call: Call) -> tuple[int, Any]:
    """``POST /v1/campaigns``: a loyalty program, or a discount or gift vouchers campaign."""
    body = Body(parse_json_body(call.request))
    campaign_type = _campaign_type(body)
    if campaign_type == "LOYALTY_PROGRAM":
        return create_loyalty_program(call)
    if campaign_type not in _VOUCHER_TYPE:
        raise errors.not_implemented(
            "campaign", f"campaign_type {campaign_type} is not one the fake serves yet"
        )
    body.require("name")
    name = body.string("name", non_empty=True)
    assert name is not None  # noqa: S101 - guaranteed by require()
    kind = body.choice("type", ("AUTO_UPDATE", "STATIC")) or "AUTO_UPDATE"
    vouchers_count = body.integer("vouchers_count", minimum=0) or 0
    body.require("voucher")
    voucher = body.obj("voucher")
    assert voucher is not None  # noqa: S101 - guaranteed by require()
    template = _voucher_template(voucher, _VOUCHER_TYPE[campaign_type])
    config = voucher.obj("code_config")
    redemption = voucher.obj("redemption")
    campaign = call.session.campaigns.create(
        name=name,
        type=kind,  # type: ignore[arg-type] # checked against CampaignType above
        vouchers_count=vouchers_count,
        code_config=read_code_config(config) if config is not None else None,
        metadata=checked(call.session, "campaign", body.mapping("metadata")),
        description=body.string("description"),
        category=body.string("category"),
        category_id=body.string("category_id"),
        start_date=body.timestamp("start_date"),
        expiration_date=body.timestamp("expiration_date"),
        auto_join=bool(body.boolean("auto_join")),
        # Voucherify's default for these campaigns: a customer may join many times.
        join_once=bool(body.boolean("join_once")),
        redemption_quantity=(
            redemption.integer("quantity", minimum=1) if redemption is not None else None
        ),
        settings=campaign_settings(body),
        campaign_type=campaign_type,
        voucher=template,
    )
    return 200, campaign_json(campaign)


def _voucher_template(voucher: Body, voucher_type: str) -> dict[str, Any]:
    """What a discount or gift campaign's vouchers are made of, from its ``voucher``."""
    voucher.require("type")
    voucher.choice("type", (voucher_type,))
    if voucher_type == "DISCOUNT_VOUCHER":
        voucher.require("discount")
        discount = voucher.obj("discount")
        assert discount is not None  # noqa: S101 - guaranteed by require()
        return {"type": voucher_type, "discount": read_discount(discount)}
    voucher.require("gift")
    gift = voucher.obj("gift")
    assert gift is not None  # noqa: S101 - guaranteed by require()
    return {"type": voucher_type, "gift": read_gift(gift)}


_ORDERS = ("created_at", "-created_at", "updated_at", "-updated_at")


_STATUSES = ("DONE", "IN_PROGRESS", "FAILED", "DRAFT", "MODIFYING")


def list_campaigns(call: Call) -> tuple[int, Any]:
    """``GET /v1/campaigns``: every type (or ``campaign_type``'s), newest first, page-based."""
    query = Query(call.request.query)
    # Documented, not applied: the fake has no areas or stores (docs/rules.md).
    if any(name.split("[")[0] == "access_settings" for name, _ in query.pairs):
        raise invalid_query("Property .access_settings is not supported by loyalty-fake yet")
    filters = parse_filters(query.pairs, CAMPAIGN_FILTERS)
    page = paging.page(query)
    order = query.choice("order", _ORDERS, "-created_at")
    # As for /v1/loyalties: categories are always there; no Areas and Stores.
    query.choice("expand", ("category", "access_settings_assignments"), None)
    campaign_type = query.choice("campaign_type", CAMPAIGN_TYPES, None)
    # Every campaign of the fake is made at once (creation_status DONE) and none has
    # referral codes.
    status = query.choice("campaign_status", _STATUSES, "DONE")
    referral = query.choice("is_referral_code", ("true", "false"), "false")
    campaigns, total = call.session.campaigns.page(
        limit=page.limit,
        page=page.number,
        order=order,
        campaign_type=campaign_type,
        filters=filters,
    )
    if status != "DONE" or referral == "true":
        campaigns, total = [], 0
    body = [campaign_json(campaign) for campaign in campaigns]
    return 200, {"object": "list", "data_ref": "campaigns", "campaigns": body, "total": total}


def get_campaign(call: Call) -> tuple[int, Any]:
    """``GET /v1/campaigns/{campaignId}``: a campaign of any type by ID or by name."""
    campaign = call.session.campaigns.get(call.params["campaignId"], any_type=True)
    return 200, campaign_json(campaign)


def update_campaign(call: Call) -> tuple[int, Any]:
    """``PUT /v1/campaigns/{campaignId}``: the updatable fields change, the rest is ignored."""
    ref = call.params["campaignId"]
    campaign = call.session.campaigns.get(ref, any_type=True)
    if campaign.is_loyalty_program:
        return update_loyalty_program(call)
    body = Body(parse_json_body(call.request))
    changes = read_campaign_changes(body)
    join_once = body.boolean("join_once")
    if join_once is not None:
        changes["join_once"] = join_once
    discount, gift = body.obj("discount"), body.obj("gift")
    new_discount = read_discount(discount) if discount is not None else None
    new_gift = read_gift(gift, required=False) if gift is not None else None
    campaign = call.session.campaigns.update(ref, changes, any_type=True)
    check_metadata(call.session, "campaign", campaign.metadata)
    call.session.vouchers.retemplate(campaign, discount=new_discount, gift=new_gift)
    return 200, campaign_json(campaign)


def delete_campaign(call: Call) -> tuple[int, Any]:
    """``DELETE /v1/campaigns/{campaignId}``: to the bin, or for good with ``force=true``."""
    query = Query(call.request.query)
    force = query.choice("force", ("true", "false"), "false") == "true"
    action = call.session.campaigns.delete(call.params["campaignId"], force=force, any_type=True)
    # 202, as the spec documents it (/v1/loyalties answers 200 for the same work).
    return 202, {"async_action_id": action}


def enable_campaign(call: Call) -> tuple[int, Any]:
    """``POST /v1/campaigns/{campaignId}/enable``: its vouchers can be used again."""
    call.session.campaigns.update(call.params["campaignId"], {"active": True}, any_type=True)
    return 200, {}


def disable_campaign(call: Call) -> tuple[int, Any]:
    """``POST /v1/campaigns/{campaignId}/disable``: its vouchers cannot be used."""
    call.session.campaigns.update(call.params["campaignId"], {"active": False}, any_type=True)
    return 200, {}


ROUTES: tuple[Route, ...] = (
    Route(
        "POST",
        "/v1/campaigns",
        create_campaign,
        Operation(
            "create_campaign",
            "Create a loyalty program, discount coupons or gift vouchers campaign",
            "Campaign",
            body=_CREATE_CAMPAIGN,
            not_implemented="campaign_type PROMOTION or REFERRAL_PROGRAM",
        ),
    ),
    Route(
        "GET",
        "/v1/campaigns",
        list_campaigns,
        Operation(
            "list_campaigns",
            "List campaigns of every type, newest first",
            "CampaignsList",
            query=[
                LIMIT,
                PAGE,
                query("campaign_type", enum(*CAMPAIGN_TYPES), "Default: every type."),
                query("campaign_status", enum(*_STATUSES), "Every campaign is DONE."),
                query("is_referral_code", BOOLEAN, "No campaign has referral codes."),
                query("order", enum(*orders("created_at", "updated_at")), "Default -created_at."),
                query(
                    "expand",
                    enum("category", "access_settings_assignments"),
                    "categories are always there; a fake project has no Areas and Stores.",
                ),
                filters_parameter(CAMPAIGN_FILTERS),
            ],
        ),
    ),
    Route(
        "GET",
        _CAMPAIGN,
        get_campaign,
        Operation("get_campaign", "Get a campaign of any type by ID or name", "Campaign"),
    ),
    Route(
        "PUT",
        _CAMPAIGN,
        update_campaign,
        Operation(
            "update_campaign",
            "Update a campaign's updatable fields",
            "Campaign",
            body=_UPDATE_CAMPAIGN,
        ),
    ),
    Route(
        "DELETE",
        _CAMPAIGN,
        delete_campaign,
        Operation(
            "delete_campaign",
            "Delete a campaign (to the bin, or for good with force=true)",
            None,
            accepted="AsyncAction",
            query=[query("force", BOOLEAN)],
        ),
    ),
    Route(
        "POST",
        f"{_CAMPAIGN}/enable",
        enable_campaign,
        Operation("enable_campaign", "Enable a campaign", "EmptyObject"),
    ),
    Route(
        "POST",
        f"{_CAMPAIGN}/disable",
        disable_campaign,
        Operation("disable_campaign", "Disable a campaign", "EmptyObject"),
    ),
)
