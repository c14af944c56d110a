"""Vouchers imported from a CSV file, each import one finished async action.

``POST /v1/vouchers/importCSV`` (standalone discount and gift vouchers, ``VOUCHERS.IMPORT_CSV``)
and ``POST /v1/campaigns/{campaignId}/importCSV`` (vouchers or cards of a campaign,
``CAMPAIGN.VOUCHERS_IMPORT_CSV``), the JSON imports' counterparts (``voucher_imports.py``): each
row becomes the JSON import's item and is made as that item is. A bad request (no file, a file
that is not CSV, an unknown campaign) is 400 or 404 and imports nothing; a bad row of a good
file fails alone and is listed, with its row number and code, in the action's ``failed``.
"""

from __future__ import annotations

import re
from functools import partial
from typing import TYPE_CHECKING, Any

from loyalty_fake import errors
from loyalty_fake.http.declare import Operation, Route
from loyalty_fake.http.imports import IMPORT_CSV, MULTIPART, csv_rows, split_row, uploaded_file
from loyalty_fake.http.voucher_imports import _item
from loyalty_fake.ledger import imports
from loyalty_fake.ledger.card_imports import check_imported_points, set_imported_points
from loyalty_fake.ledger.voucher_values import check_gift_amount

if TYPE_CHECKING:
    from loyalty_fake.http.declare import Call

__all__ = ["PATH_PARAMETERS", "ROUTES"]

PATH_PARAMETERS: dict[str, str] = {}

# The documented headers, compared without case, with "_" read as a space; any other
# column is metadata.
_VOUCHER_COLUMNS = (
    "code",
    "voucher type",
    "value",
    "discount type",
    "category",
    "start date",
    "expiration date",
    "redemption limit",
    "redeemed quantity",
    "redeemed amount",
    "active",
    "additional info",
    "gift amount",
)
_CAMPAIGN_COLUMNS = (
    "code",
    "category",
    "active",
    "loyalty points",
    "gift amount",
    "redeemed amount",
    "redeemed quantity",
)
# Which discount field a discount type's Value fills.
_VALUE_FIELDS = {
    "AMOUNT": "amount_off",
    "PERCENT": "percent_off",
    "FIXED": "fixed_amount",
    "UNIT": "unit_off",
}
_WHOLE = re.compile(r"[+-]?[0-9]+")
_NUMBER = re.compile(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)")
# "YYYY-MM-DDTHH", one of the documented date forms that ISO 8601 parsers read as a time.
_DATE_HOUR = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}")


def _header(name: str) -> str:
    """A header as the documented column it names: case, underscores and spacing aside."""
    return " ".join(name.replace("_", " ").lower().split())


def _split(row: dict[str, str], columns: tuple[str, ...]) -> tuple[dict[str, str], dict[str, str]]:
    """A row's documented cells (by normalised header, non-empty) and its metadata."""
    return split_row(row, columns, _header)


def _whole(known: dict[str, str], key: str) -> int | None:
    raw = known.get(key)
    if raw is None:
        return None
    if not _WHOLE.fullmatch(raw):
        raise errors.invalid_payload(f"{key.title()} must be a whole number, not '{raw}'")
    return int(raw)


def _number(known: dict[str, str], key: str) -> int | float | None:
    raw = known.get(key)
    if raw is None:
        return None
    if not _NUMBER.fullmatch(raw):
        raise errors.invalid_payload(f"{key.title()} must be a number, not '{raw}'")
    number = float(raw)
    return int(number) if number.is_integer() else number


def _active(known: dict[str, str]) -> bool | None:
    raw = known.get("active")
    if raw is None:
        return None
    if raw.lower() not in {"true", "false"}:
        raise errors.invalid_payload(f"Active must be true or false, not '{raw}'")
    return raw.lower() == "true"


def _no_history(known: dict[str, str]) -> None:
    """Redeemed Quantity and Redeemed Amount other than 0 fail the row (the fake keeps none)."""
    for key in ("redeemed quantity", "redeemed amount"):
        given = _whole(known, key)
        if given:
            raise errors.invalid_payload(
                f"{key.title()} cannot be imported: the fake keeps no redemptions it did not make"
            )


def _common(known: dict[str, str], metadata: dict[str, str]) -> dict[str, Any]:
    """The JSON item's ``code``, ``category``, ``active`` and ``metadata`` from a row."""
    if "code" not in known:
        raise errors.invalid_payload("Code is required")
    _no_history(known)
    item: dict[str, Any] = {"code": known["code"]}
    if "category" in known:
        item["category"] = known["category"]
    active = _active(known)
    if active is not None:
        item["active"] = active
    if metadata:
        item["metadata"] = metadata
    return item


def _date(raw: str) -> str:
    return f"{raw}:00" if _DATE_HOUR.fullmatch(raw) else raw


def _voucher_item(known: dict[str, str], metadata: dict[str, str]) -> dict[str, Any]:
    """A ``POST /v1/vouchers/importCSV`` row as a ``POST /v1/vouchers/import`` item."""
    item = _common(known, metadata)
    kind = known.get("voucher type")
    if kind is None:
        raise errors.invalid_payload("Voucher Type is required")
    item["type"] = kind.upper()
    value = _number(known, "value")
    if item["type"] == "GIFT_VOUCHER":
        amount = _whole(known, "gift amount")
        item["gift"] = {"amount": amount if amount is not None else value}
    elif item["type"] == "DISCOUNT_VOUCHER":
        discount_type = known.get("discount type")
        if discount_type is None:
            raise errors.invalid_payload("Discount Type is required")
        discount: dict[str, Any] = {"type": discount_type.upper()}
        field = _VALUE_FIELDS.get(discount["type"])
        if field is not None and value is not None:
            discount[field] = value
        item["discount"] = discount
    for key, name in (("start date", "start_date"), ("expiration date", "expiration_date")):
        if key in known:
            item[name] = _date(known[key])
    limit = _whole(known, "redemption limit")
    if limit is not None:
        item["redemption"] = {"quantity": limit}
    if "additional info" in known:
        item["additional_info"] = known["additional info"]
    return item


def _voucher_row(call: Call, index: int, row: dict[str, str]) -> None:
    item = _voucher_item(*_split(row, _VOUCHER_COLUMNS))
    _item(call, item, index, standalone=True)()


def _campaign_row(call: Call, index: int, row: dict[str, str]) -> None:
    known, metadata = _split(row, _CAMPAIGN_COLUMNS)
    item = _common(known, metadata)
    campaign = call.session.campaigns.get(call.params["campaignId"], any_type=True)
    points = _whole(known, "loyalty points")
    gift = _whole(known, "gift amount")
    if points is not None:
        if not campaign.is_loyalty_program:
            raise errors.invalid_payload("Loyalty Points are for a loyalty program's cards")
        check_imported_points(points)
    if gift is not None:
        if campaign.campaign_type != "GIFT_VOUCHERS":
            raise errors.invalid_payload("Gift Amount is for a gift campaign's vouchers")
        check_gift_amount(gift)
    # Everything is checked: the voucher is made, then given its score or balance.
    _item(call, item, index, standalone=False)()
    if points is not None:
        set_imported_points(call.session, item["code"], points)
    if gift is not None:
        call.session.vouchers.update(item["code"], {"gift_amount": gift})


def _code(row: dict[str, str]) -> str:
    """The row's Code cell (the header's case aside), for the action's report."""
    return next((v.strip() for k, v in row.items() if k.strip().lower() == "code"), "")


def import_vouchers_csv(call: Call) -> tuple[int, Any]:
    """``POST /v1/vouchers/importCSV``: a standalone discount or gift voucher per row."""
    rows = csv_rows(uploaded_file(call.request))
    work = [(_code(row), partial(_voucher_row, call, index, row)) for index, row in enumerate(rows)]
    action = imports.import_rows(
        call.session, work, "VOUCHERS.IMPORT_CSV", "voucher(s)", named_by="code"
    )
    return 202, {"async_action_id": action.id}


def import_to_campaign_csv(call: Call) -> tuple[int, Any]:
    """``POST /v1/campaigns/{campaignId}/importCSV``: a voucher or card of the campaign per row."""
    call.session.campaigns.get(call.params["campaignId"], any_type=True)  # 404 first
    rows = csv_rows(uploaded_file(call.request))
    work = [
        (_code(row), partial(_campaign_row, call, index, row)) for index, row in enumerate(rows)
    ]
    action = imports.import_rows(
        call.session, work, "CAMPAIGN.VOUCHERS_IMPORT_CSV", "voucher(s)", named_by="code"
    )
    return 200, {"async_action_id": action.id}


ROUTES: tuple[Route, ...] = (
    Route(
        "POST",
        "/v1/vouchers/importCSV",
        import_vouchers_csv,
        Operation(
            "import_vouchers_using_csv",
            "Import standalone vouchers from a CSV file (an async action, already done)",
            None,
            body=IMPORT_CSV,
            accepted="AsyncAction",
            media_type=MULTIPART,
        ),
    ),
    Route(
        "POST",
        "/v1/campaigns/{campaignId}/importCSV",
        import_to_campaign_csv,
        Operation(
            "import_vouchers_to_campaign_using_csv",
            "Import a campaign's vouchers from a CSV file (an async action, already done)",
            "AsyncAction",
            body=IMPORT_CSV,
            media_type=MULTIPART,
        ),
    ),
)
