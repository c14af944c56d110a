"""``/v1/campaigns/{campaignId}/vouchers`` and ``/v1/vouchers/{code}``: cards as vouchers."""

from __future__ import annotations

from loyalty_fake.http import handlers
from loyalty_fake.http.campaigns import CODE_CONFIG_REQUEST, REDEMPTION_QUANTITY
from loyalty_fake.http.common_json import FREE_OBJECT, STRING, TIMESTAMP, Schema
from loyalty_fake.http.declare import NON_EMPTY, Operation, Route, query
from loyalty_fake.http.publications import PUBLICATION_QUERY

__all__ = ["PATH_PARAMETERS", "ROUTES"]

PATH_PARAMETERS = {"code": "The card's code."}

_VOUCHER_FIELDS: dict[str, Schema] = {
    "category": STRING,
    "metadata": FREE_OBJECT,
    "additional_info": STRING,
    "start_date": TIMESTAMP,
    "expiration_date": TIMESTAMP,
    "redemption": REDEMPTION_QUANTITY,
}

_ADD_VOUCHERS: Schema = {
    "type": "object",
    "properties": {"code": NON_EMPTY, "code_config": CODE_CONFIG_REQUEST, **_VOUCHER_FIELDS},
}

_ADD_VOUCHER_WITH_CODE: Schema = {"type": "object", "properties": dict(_VOUCHER_FIELDS)}

_REDEMPTIONS_SUMMARY = "A card's reward redemptions and rollbacks, failed ones too, newest first"

ROUTES: tuple[Route, ...] = (
    Route(
        "POST",
        "/v1/campaigns/{campaignId}/vouchers",
        handlers.add_vouchers,
        Operation(
            "add_vouchers",
            "Add cards to a program: 200 with one card, 202 for several",
            "Voucher",
            query=[
                query(
                    "vouchers_count",
                    {"type": "integer", "minimum": 1, "maximum": 100_000},
                    "Default 1.",
                )
            ],
            body=_ADD_VOUCHERS,
            accepted="AsyncAction",
        ),
    ),
    Route(
        "POST",
        "/v1/campaigns/{campaignId}/vouchers/{code}",
        handlers.add_voucher_with_code,
        Operation(
            "add_voucher_with_code",
            "Add a card with this code",
            "Voucher",
            body=_ADD_VOUCHER_WITH_CODE,
        ),
    ),
    Route(
        "GET",
        "/v1/vouchers/{code}",
        handlers.get_voucher,
        Operation("get_voucher", "A card through the vouchers API", "Voucher"),
    ),
    Route(
        "GET",
        "/v1/vouchers/{code}/publications",
        handlers.list_publications,
        Operation(
            "list_voucher_publications",
            "A card's publications, newest first",
            "PublicationsList",
            query=PUBLICATION_QUERY,
        ),
    ),
    Route(
        "GET",
        "/v1/vouchers/{code}/redemption",
        handlers.list_voucher_redemptions,
        Operation("list_voucher_redemptions_legacy", _REDEMPTIONS_SUMMARY, "Redemptions"),
    ),
    Route(
        "GET",
        "/v1/vouchers/{code}/redemptions",
        handlers.list_voucher_redemptions,
        Operation("list_voucher_redemptions", _REDEMPTIONS_SUMMARY, "Redemptions"),
    ),
)
