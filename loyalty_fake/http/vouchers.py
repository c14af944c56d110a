"""``/v1/campaigns/{campaignId}/vouchers`` and ``/v1/vouchers/{code}``: cards as vouchers."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from loyalty_fake.http.campaigns import CODE_CONFIG_REQUEST, REDEMPTION_QUANTITY, read_code_config
from loyalty_fake.http.cards_json import voucher_json
from loyalty_fake.http.common_json import FREE_OBJECT, STRING, TIMESTAMP, Schema
from loyalty_fake.http.declare import NON_EMPTY, Operation, Route, query
from loyalty_fake.http.params import Body, Query, parse_json_body
from loyalty_fake.http.publications import PUBLICATION_QUERY, list_publications
from loyalty_fake.http.redemptions import failed_redemption_body
from loyalty_fake.http.redemptions_json import redemption_json, rollback_json
from loyalty_fake.http.voucher_redemptions_json import voucher_part_json
from loyalty_fake.http.vouchers_json import any_voucher_json
from loyalty_fake.ledger.cards import LoyaltyCard
from loyalty_fake.ledger.voucher_parts import parts_of

if TYPE_CHECKING:
    from loyalty_fake.http.declare import Call
    from loyalty_fake.ledger.vouchers import Voucher

__all__ = ["PATH_PARAMETERS", "ROUTES", "voucher_body"]

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

_REDEMPTIONS_SUMMARY = (
    "A voucher's redemptions and rollbacks, newest first: a card's reward redemptions, failed"
    " ones too; a discount voucher's or gift card's parts of stacked redemptions"
)


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
    code_config = read_code_config(config) if config is not None else None
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
        done = {"message": f"Generated {len(cards)} vouchers.", "done_count": len(cards)}
        action = call.session.async_actions.record("CAMPAIGN.VOUCHERS_GENERATE", done)
        return 202, {"async_action_id": action.id}
    return 200, _added_json(call, cards[0])


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
    return 200, _added_json(call, card)


def voucher_body(call: Call, found: LoyaltyCard | Voucher) -> dict[str, Any]:
    """A card or voucher as the vouchers API shows it, its validation rule assignments too."""
    rules = call.session.validation_rules.assignments_of(found.id)
    return any_voucher_json(found, call.session.vouchers.campaign_of(found), rules)


_added_json = voucher_body


def get_voucher(call: Call) -> tuple[int, Any]:
    """``GET /v1/vouchers/{code}``: a loyalty card, discount voucher or gift card."""
    return 200, voucher_body(call, call.session.vouchers.find(call.params["code"]))


def list_voucher_redemptions(call: Call) -> tuple[int, Any]:
    """``GET /v1/vouchers/{code}/redemption(s)``: the card's redemptions and rollbacks.

    Failed ones (``rf_``, ``rrf_``) included, newest first; ``redeemed_quantity``
    counts the successful redemptions only. A discount voucher's or gift card's are its
    parts of stacked redemptions and their rollbacks.
    """
    found = call.session.vouchers.find(call.params["code"])
    if not isinstance(found, LoyaltyCard):
        return 200, _voucher_redemptions(call, found)
    card = call.session.members.get(found.code)
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


def _voucher_redemptions(call: Call, voucher: Voucher) -> dict[str, Any]:
    project = call.session.project
    redemption = _added_json(call, voucher)["redemption"]
    # (seq, entry): newest first.
    entries: list[tuple[int, dict[str, Any]]] = []
    for part in parts_of(project, voucher):
        entries.append((part.seq, voucher_part_json(project, part, rollback=False)))
        if part.rollback is not None:
            entries.append((part.rollback.seq, voucher_part_json(project, part, rollback=True)))
    entries.sort(key=lambda entry: entry[0], reverse=True)
    return {
        "quantity": redemption["quantity"],
        "redeemed_quantity": voucher.redeemed_quantity,
        "object": "list",
        "url": redemption["url"],
        "data_ref": "redemption_entries",
        "total": len(entries),
        "redemption_entries": [body for _, body in entries],
    }


ROUTES: tuple[Route, ...] = (
    Route(
        "POST",
        "/v1/campaigns/{campaignId}/vouchers",
        add_vouchers,
        Operation(
            "add_vouchers",
            "Add cards or vouchers to a campaign: 200 with one, 202 for several",
            "AnyVoucher",
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
        add_voucher_with_code,
        Operation(
            "add_voucher_with_code",
            "Add a card or voucher with this code",
            "AnyVoucher",
            body=_ADD_VOUCHER_WITH_CODE,
        ),
    ),
    Route(
        "GET",
        "/v1/vouchers/{code}",
        get_voucher,
        Operation("get_voucher", "A loyalty card, discount voucher or gift card", "AnyVoucher"),
    ),
    Route(
        "GET",
        "/v1/vouchers/{code}/publications",
        list_publications,
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
        list_voucher_redemptions,
        Operation("list_voucher_redemptions_legacy", _REDEMPTIONS_SUMMARY, "Redemptions"),
    ),
    Route(
        "GET",
        "/v1/vouchers/{code}/redemptions",
        list_voucher_redemptions,
        Operation("list_voucher_redemptions", _REDEMPTIONS_SUMMARY, "Redemptions"),
    ),
)
