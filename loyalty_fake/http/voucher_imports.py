"""Vouchers imports and bulk metadata updates, each one finished async action.

``POST /v1/vouchers/import`` and ``POST /v1/campaigns/{campaignId}/import``;
``POST /v1/vouchers/bulk/async`` and ``POST /v1/vouchers/metadata/async``.

JSON arrays of vouchers with their codes, done at once and reported as one async action
(``VOUCHERS.IMPORT``, ``CAMPAIGN.VOUCHERS_IMPORT``), as the customers and orders imports
are: a body the spec refuses is 400 and imports nothing; a valid item that cannot be made
(a code already taken) fails alone and is listed in the result. The CSV forms answer 501.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, Any

from loyalty_fake import errors
from loyalty_fake.clock import format_timestamp
from loyalty_fake.errors import VoucherifyError
from loyalty_fake.http.campaigns import REDEMPTION_QUANTITY
from loyalty_fake.http.common_json import BOOLEAN, FREE_OBJECT, STRING, Schema, enum
from loyalty_fake.http.declare import NON_EMPTY, Operation, Route
from loyalty_fake.http.params import Body, parse_json_body, parse_json_objects
from loyalty_fake.http.voucher_bodies import (
    DISCOUNT_REQUEST,
    GIFT_REQUEST,
    VOUCHER_OWN_FIELDS,
    read_discount,
    read_gift,
    read_voucher_own,
)
from loyalty_fake.ledger.imports import REPORTS_KEPT
from loyalty_fake.ledger.voucher_codes import AllCodes

if TYPE_CHECKING:
    from collections.abc import Callable

    from loyalty_fake.http.declare import Call
    from loyalty_fake.ledger.async_actions import AsyncActionType
    from loyalty_fake.ledger.session import Session

__all__ = ["PATH_PARAMETERS", "ROUTES"]

PATH_PARAMETERS: dict[str, str] = {}

_ITEM_FIELDS: dict[str, Schema] = {
    "code": NON_EMPTY,
    "category": STRING,
    "active": BOOLEAN,
    "metadata": FREE_OBJECT,
    "redemption": REDEMPTION_QUANTITY,
    **VOUCHER_OWN_FIELDS,
}
_IMPORT_VOUCHERS: Schema = {
    "type": "array",
    "minItems": 1,
    "items": {
        "type": "object",
        "required": ["code"],
        "properties": {
            **_ITEM_FIELDS,
            "type": enum("DISCOUNT_VOUCHER", "GIFT_VOUCHER"),
            "discount": DISCOUNT_REQUEST,
            "gift": GIFT_REQUEST,
        },
    },
}
_IMPORT_TO_CAMPAIGN: Schema = {
    "type": "array",
    "minItems": 1,
    "items": {"type": "object", "required": ["code"], "properties": _ITEM_FIELDS},
}


def _item(call: Call, data: dict[str, Any], index: int, *, standalone: bool) -> Callable[[], Any]:
    """One item read and checked; the work that makes its voucher, not yet done."""
    body = Body(data, f"[{index}]")
    body.require("code")
    code = body.string("code", non_empty=True) or ""
    own = read_voucher_own(body)
    metadata = body.mapping("metadata")
    category = body.string("category")
    active = body.boolean("active")
    if not standalone:
        return partial(_add_to_campaign, call, code, metadata, category, own, active)
    discount, gift = body.obj("discount"), body.obj("gift")
    kind = body.choice("type", ("DISCOUNT_VOUCHER", "GIFT_VOUCHER"))
    if kind is None:
        kind = "GIFT_VOUCHER" if gift is not None else "DISCOUNT_VOUCHER"
    made = {
        "discount": read_discount(discount) if discount is not None else None,
        "gift": read_gift(gift) if gift is not None else None,
    }
    return partial(_create, call.session, code, kind, made, metadata, category, own, active)


def _create(  # noqa: PLR0913, PLR0917 - one item's fields
    session: Session,
    code: str,
    kind: Any,
    made: dict[str, Any],
    metadata: dict[str, Any] | None,
    category: str | None,
    own: dict[str, Any],
    active: bool | None,
) -> None:
    if code in AllCodes(session.project):  # before its category is made
        raise errors.duplicate_found("voucher", code)
    voucher = session.vouchers.create(
        campaign=None,
        code=code,
        type=kind,
        discount=made["discount"],
        gift=made["gift"],
        category=session.campaigns.category_named(category) if category else None,
        metadata=metadata,
        overrides=own,
    )
    if active is False:
        session.vouchers.set_active(voucher.code, active=False)


def _add_to_campaign(  # noqa: PLR0913, PLR0917 - one item's fields
    call: Call,
    code: str,
    metadata: dict[str, Any] | None,
    category: str | None,
    own: dict[str, Any],
    active: bool | None,
) -> None:
    session = call.session
    session.campaigns.add_vouchers(
        call.params["campaignId"], code=code, metadata=metadata, category=category, overrides=own
    )
    if active is False:
        session.vouchers.set_active(code, active=False)


def _run(call: Call, kind: AsyncActionType, *, standalone: bool) -> tuple[int, Any]:
    items, _ = parse_json_objects(call.request)
    work = [
        (str(data.get("code")), _item(call, data, index, standalone=standalone))
        for index, data in enumerate(items)
    ]
    failed: list[dict[str, Any]] = []
    for code, do in work:
        try:
            do()
        except VoucherifyError as error:  # noqa: PERF203 - one item fails alone
            failed.append({"code": code, "reason": error.details or error.message})
    done = len(work) - len(failed)
    action = call.session.async_actions.record(
        kind,
        {
            "message": f"{done} voucher(s) imported successfully, {len(failed)} failed.",
            "failed": failed,
            "done_count": done,
            "failed_count": len(failed),
        },
    )
    return 202, {"async_action_id": action.id}


def _merge_metadata(call: Call, code: str, metadata: dict[str, Any]) -> None:
    vouchers = call.session.vouchers
    found = vouchers.find(code)
    vouchers.update(found.code, {"metadata": {**(found.metadata or {}), **metadata}})


def _update_each(
    call: Call, updates: list[tuple[str, dict[str, Any]]], kind: AsyncActionType
) -> tuple[int, Any]:
    """Merge each code's metadata; a code no voucher has fails alone, in ``errors``."""
    failed: list[dict[str, Any]] = []
    for code, metadata in updates:
        try:
            _merge_metadata(call, code, metadata)
        except VoucherifyError as error:  # noqa: PERF203 - one item fails alone
            failed.append(
                {
                    "message": error.message,
                    "details": error.details or error.message,
                    "key": error.key,
                    "code": code,
                }
            )
    until = call.session.clock.now() + REPORTS_KEPT
    result = {
        "done_count": len(updates) - len(failed),
        "failed_count": len(failed),
        "reports": [],
        "reports_available_till": format_timestamp(until),
        "errors": failed,
    }
    action = call.session.async_actions.record(kind, result)
    return 202, {"async_action_id": action.id}


def update_in_bulk(call: Call) -> tuple[int, Any]:
    """``POST /v1/vouchers/bulk/async``: each ``{code, metadata}`` merged into its voucher."""
    items, is_array = parse_json_objects(call.request)
    if not is_array:
        raise errors.invalid_payload("Payload must be array of objects")
    updates = []
    for index, data in enumerate(items):
        body = Body(data, f"[{index}]")
        body.require("code")
        body.require("metadata")
        updates.append((body.string("code") or "", body.mapping("metadata") or {}))
    return _update_each(call, updates, "VOUCHERS.BULK_UPDATE")


def update_metadata(call: Call) -> tuple[int, Any]:
    """``POST /v1/vouchers/metadata/async``: ``metadata`` merged into each of ``codes``."""
    body = Body(parse_json_body(call.request))
    body.require("codes")
    body.require("metadata")
    codes = body.data["codes"]
    if not isinstance(codes, list) or not all(isinstance(code, str) for code in codes):
        body.fail("codes", "must be array of strings")
    metadata = body.mapping("metadata") or {}
    return _update_each(
        call, [(code, metadata) for code in dict.fromkeys(codes)], "VOUCHERS.METADATA_UPDATE"
    )


def import_vouchers(call: Call) -> tuple[int, Any]:
    """``POST /v1/vouchers/import``: standalone discount and gift vouchers with their codes."""
    return _run(call, "VOUCHERS.IMPORT", standalone=True)


def import_to_campaign(call: Call) -> tuple[int, Any]:
    """``POST /v1/campaigns/{campaignId}/import``: vouchers (or cards) with codes, to a campaign."""
    call.session.campaigns.get(call.params["campaignId"], any_type=True)  # 404 first
    return _run(call, "CAMPAIGN.VOUCHERS_IMPORT", standalone=False)


ROUTES: tuple[Route, ...] = (
    Route(
        "POST",
        "/v1/vouchers/import",
        import_vouchers,
        Operation(
            "import_vouchers",
            "Import discount and gift vouchers with their codes (an async action, done)",
            None,
            body=_IMPORT_VOUCHERS,
            accepted="AsyncAction",
        ),
    ),
    Route(
        "POST",
        "/v1/campaigns/{campaignId}/import",
        import_to_campaign,
        Operation(
            "import_vouchers_to_campaign",
            "Import vouchers with their codes into a campaign (an async action, done)",
            None,
            body=_IMPORT_TO_CAMPAIGN,
            accepted="AsyncAction",
        ),
    ),
    Route(
        "POST",
        "/v1/vouchers/bulk/async",
        update_in_bulk,
        Operation(
            "update_vouchers_in_bulk",
            "Merge each code's metadata into its voucher (an async action, done)",
            None,
            body={
                "type": "array",
                "minItems": 1,
                "items": {
                    "type": "object",
                    "required": ["code", "metadata"],
                    "properties": {"code": STRING, "metadata": FREE_OBJECT},
                },
            },
            accepted="AsyncAction",
        ),
    ),
    Route(
        "POST",
        "/v1/vouchers/metadata/async",
        update_metadata,
        Operation(
            "update_vouchers_metadata_in_bulk",
            "Merge metadata into each of the codes' vouchers (an async action, done)",
            None,
            body={
                "type": "object",
                "required": ["codes", "metadata"],
                "properties": {
                    "codes": {"type": "array", "items": STRING},
                    "metadata": FREE_OBJECT,
                },
            },
            accepted="AsyncAction",
        ),
    ),
)
