"""``/v1/loyalties``: create, list, get, update and delete loyalty programs.

The request schemas here are what the handlers read; the ``Campaign`` reply's schema sits
beside its serializer in ``campaigns_json``.
"""

from __future__ import annotations

from loyalty_fake.http import handlers
from loyalty_fake.http.campaigns_json import EXPIRATION_RULES
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
from loyalty_fake.http.declare import LIMIT, NON_EMPTY, PAGE, Operation, Route, orders, query
from loyalty_fake.http.params import MAX_INTEGER

__all__ = ["CODE_CONFIG_REQUEST", "PATH_PARAMETERS", "REDEMPTION_QUANTITY", "ROUTES"]

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

_CREATE_PROGRAM: Schema = {
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

_UPDATE_PROGRAM: Schema = {
    "type": "object",
    "properties": {
        **_PROGRAM_FIELDS,
        "type": enum("AUTO_UPDATE", "STATIC"),
        "metadata": FREE_OBJECT,
        "unset_metadata_fields": {"type": "array", "items": STRING},
        **_VALIDITY,
    },
}

_PROGRAM = "/v1/loyalties/{campaignId}"

ROUTES: tuple[Route, ...] = (
    Route(
        "GET",
        "/v1/loyalties",
        handlers.list_programs,
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
        handlers.create_loyalty_program,
        Operation(
            "create_loyalty_program",
            "Create a loyalty program and its vouchers_count cards",
            "Campaign",
            body=_CREATE_PROGRAM,
        ),
    ),
    Route(
        "GET",
        _PROGRAM,
        handlers.get_loyalty_program,
        Operation("get_loyalty_program", "Get a loyalty program by ID or name", "Campaign"),
    ),
    Route(
        "PUT",
        _PROGRAM,
        handlers.update_loyalty_program,
        Operation(
            "update_loyalty_program",
            "Update a loyalty program's updatable fields",
            "Campaign",
            body=_UPDATE_PROGRAM,
        ),
    ),
    Route(
        "DELETE",
        _PROGRAM,
        handlers.delete_loyalty_program,
        Operation(
            "delete_loyalty_program",
            "Delete a loyalty program (to the bin, or for good with force=true)",
            "AsyncAction",
            query=[query("force", BOOLEAN)],
        ),
    ),
)
