"""``/v1/loyalties``: create, list, get, update and delete loyalty programs.

The request schemas here are what the handlers read; the ``Campaign`` reply's schema sits
beside its serializer in ``campaigns_json``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, get_args

from loyalty_fake.http import paging
from loyalty_fake.http.campaigns_json import EXPIRATION_RULES, campaign_json
from loyalty_fake.http.common_json import (
    BOOLEAN,
    DAYS_OF_WEEK,
    FREE_OBJECT,
    STRING,
    TIMESTAMP,
    Schema,
    const,
    enum,
)
from loyalty_fake.http.declare import NON_EMPTY, Operation, Route, orders, query
from loyalty_fake.http.paging import LIMIT, PAGE
from loyalty_fake.http.params import MAX_INTEGER, Body, Query, parse_json_body
from loyalty_fake.http.tiers import read_tiers_expiration
from loyalty_fake.http.tiers_json import TIERS_EXPIRATION
from loyalty_fake.ledger.campaigns import CampaignType
from loyalty_fake.ledger.codes import CodeConfig
from loyalty_fake.ledger.expiry import ExpirationRules, PeriodType, RoundingType
from loyalty_fake.ledger.metadata_schemas import check_metadata, checked

if TYPE_CHECKING:
    from loyalty_fake.http.declare import Call

__all__ = [
    "CODE_CONFIG_REQUEST",
    "CREATE_PROGRAM",
    "PATH_PARAMETERS",
    "REDEMPTION_QUANTITY",
    "ROUTES",
    "UPDATE_PROGRAM",
    "campaign_settings",
    "read_campaign_changes",
    "read_code_config",
    "read_expiration_rules",
]

PATH_PARAMETERS = {"campaignId": "The program's ID or name."}

CODE_CONFIG_REQUEST: Schema = {
    "type": "object",
    "properties": {
        "length": {"type": "integer", "minimum": 1, "maximum": 1000},
        "charset": NON_EMPTY,
        "prefix": STRING,
        "postfix": STRING,
        "pattern": {"type": "string", "pattern": "#"},
    },
}

REDEMPTION_QUANTITY: Schema = {
    "type": "object",
    "properties": {"quantity": {"type": "integer", "minimum": 1, "maximum": MAX_INTEGER}},
}

_VALIDITY: dict[str, Schema] = {
    "validity_timeframe": {
        "type": "object",
        "properties": {"duration": STRING, "interval": STRING},
    },
    "validity_day_of_week": DAYS_OF_WEEK,
    "validity_hours": FREE_OBJECT,
    "activity_duration_after_publishing": STRING,
    # How members qualify for the program's tiers, and keep them (http/tiers.py).
    "loyalty_tiers_expiration": TIERS_EXPIRATION,
}

# What creating and updating a program both take.
_PROGRAM_FIELDS: dict[str, Schema] = {
    "description": STRING,
    "category": STRING,
    "category_id": STRING,
    "start_date": TIMESTAMP,
    "expiration_date": TIMESTAMP,
    "auto_join": BOOLEAN,
    "join_once": BOOLEAN,
}

CREATE_PROGRAM: Schema = {
    "type": "object",
    "required": ["name"],
    "properties": {
        "name": NON_EMPTY,
        "campaign_type": const("LOYALTY_PROGRAM"),
        "type": enum("AUTO_UPDATE", "STATIC"),
        "vouchers_count": {"type": "integer", "minimum": 0, "maximum": 100_000},
        **_PROGRAM_FIELDS,
        "use_voucher_metadata_schema": BOOLEAN,
        "metadata": FREE_OBJECT,
        **_VALIDITY,
        "voucher": {
            "type": "object",
            "properties": {
                "type": const("LOYALTY_CARD"),
                "loyalty_card": {
                    "type": "object",
                    "properties": {
                        "points": {"type": "integer", "minimum": 0, "maximum": MAX_INTEGER},
                        "expiration_rules": EXPIRATION_RULES,
                    },
                },
                "code_config": CODE_CONFIG_REQUEST,
                "redemption": REDEMPTION_QUANTITY,
            },
        },
    },
}

UPDATE_PROGRAM: Schema = {
    "type": "object",
    "properties": {
        **_PROGRAM_FIELDS,
        "type": enum("AUTO_UPDATE", "STATIC"),
        "metadata": FREE_OBJECT,
        "unset_metadata_fields": {"type": "array", "items": STRING},
        **_VALIDITY,
        # Recheck every member's tier now: upgrades only (http/tiers.py).
        "options": {"type": "object", "properties": {"recalculate_tiers": BOOLEAN}},
    },
}

_PROGRAM = "/v1/loyalties/{campaignId}"

_CAMPAIGN_TYPES: tuple[str, ...] = get_args(CampaignType)


_PROGRAM_ORDERS = ("created_at", "-created_at", "updated_at", "-updated_at")


_PROGRAM_EXPANSIONS = ("category", "access_settings_assignments")


def list_programs(call: Call) -> tuple[int, Any]:
    """``GET /v1/loyalties``: programs, newest first, page-based."""
    query = Query(call.request.query)
    page = paging.page(query)
    order = query.choice("order", _PROGRAM_ORDERS, "-created_at")
    # categories is always expanded; Areas and Stores is an enterprise feature a fake
    # project does not have, so access_settings_assignments adds nothing (the spec:
    # "returned only if the Areas and Stores enterprise feature is enabled").
    query.choice("expand", _PROGRAM_EXPANSIONS, None)
    programs, total = call.session.campaigns.page(limit=page.limit, page=page.number, order=order)
    body = [campaign_json(program) for program in programs]
    return 200, {"object": "list", "data_ref": "campaigns", "campaigns": body, "total": total}


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
                expiration_rules = read_expiration_rules(rules)
        config = voucher.obj("code_config")
        if config is not None:
            code_config = read_code_config(config)
        redemption = voucher.obj("redemption")
        if redemption is not None:
            redemption_quantity = redemption.integer("quantity", minimum=1)
    settings = campaign_settings(body)
    # Validated, then ignored: Voucherify forces join_once to true for loyalty programs.
    body.boolean("join_once")
    campaign = call.session.campaigns.create(
        name=name,
        type=campaign_type,  # type: ignore[arg-type] # checked against CampaignType above
        vouchers_count=vouchers_count,
        initial_points=initial_points,
        code_config=code_config,
        metadata=checked(call.session, "campaign", body.mapping("metadata")),
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


def read_expiration_rules(rules: Body) -> ExpirationRules:
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


def campaign_settings(body: Body) -> dict[str, Any]:
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
    tiers = body.obj("loyalty_tiers_expiration")
    if tiers is not None:
        settings["loyalty_tiers_expiration"] = read_tiers_expiration(tiers)
    uses_schema = body.boolean("use_voucher_metadata_schema")
    if uses_schema is not None:
        settings["use_voucher_metadata_schema"] = uses_schema
    return settings


def read_code_config(config: Body) -> CodeConfig:
    """A request's ``code_config``, the defaults for what it leaves out; 400 when malformed."""
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


def update_loyalty_program(call: Call) -> tuple[int, Any]:
    """``PUT /v1/loyalties/{campaignId}``: the updatable fields change, the rest is ignored."""
    body = Body(parse_json_body(call.request))
    changes = read_campaign_changes(body)
    # Validated, then ignored: "always true for loyalty campaigns and it cannot be changed".
    body.boolean("join_once")
    campaign = call.session.campaigns.update(call.params["campaignId"], changes)
    options = body.obj("options")
    if options is not None and options.boolean("recalculate_tiers"):
        call.session.tiers.refresh(campaign.id)
    # The metadata as the update leaves it; a refusal undoes the update.
    check_metadata(call.session, "campaign", campaign.metadata)
    return 200, campaign_json(campaign)


def read_campaign_changes(body: Body) -> dict[str, Any]:
    """The updatable fields every campaign type shares, validated (``PUT`` a campaign)."""
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
    changes.update(campaign_settings(body))
    changes.pop("use_voucher_metadata_schema", None)  # not updatable
    return changes


def delete_loyalty_program(call: Call) -> tuple[int, Any]:
    """``DELETE /v1/loyalties/{campaignId}``: to the bin, or for good with ``force=true``."""
    query = Query(call.request.query)
    force = query.choice("force", ("true", "false"), "false") == "true"
    action = call.session.campaigns.delete(call.params["campaignId"], force=force)
    return 200, {"async_action_id": action}


ROUTES: tuple[Route, ...] = (
    Route(
        "GET",
        "/v1/loyalties",
        list_programs,
        Operation(
            "list_loyalty_programs",
            "List loyalty programs, newest first",
            "CampaignsList",
            query=[
                LIMIT,
                PAGE,
                query("order", enum(*orders("created_at", "updated_at")), "Default -created_at."),
                query(
                    "expand",
                    enum("category", "access_settings_assignments"),
                    "categories are always there; a fake project has no Areas and Stores.",
                ),
            ],
        ),
    ),
    Route(
        "POST",
        "/v1/loyalties",
        create_loyalty_program,
        Operation(
            "create_loyalty_program",
            "Create a loyalty program and its vouchers_count cards",
            "Campaign",
            body=CREATE_PROGRAM,
        ),
    ),
    Route(
        "GET",
        _PROGRAM,
        get_loyalty_program,
        Operation("get_loyalty_program", "Get a loyalty program by ID or name", "Campaign"),
    ),
    Route(
        "PUT",
        _PROGRAM,
        update_loyalty_program,
        Operation(
            "update_loyalty_program",
            "Update a loyalty program's updatable fields",
            "Campaign",
            body=UPDATE_PROGRAM,
        ),
    ),
    Route(
        "DELETE",
        _PROGRAM,
        delete_loyalty_program,
        Operation(
            "delete_loyalty_program",
            "Delete a loyalty program (to the bin, or for good with force=true)",
            "AsyncAction",
            query=[query("force", BOOLEAN)],
        ),
    ),
)
