"""``/v1/trash-bin``: the bin's entries listed, and one deleted for good (``ledger/bin.py``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from loyalty_fake.filters import ENUM_CONDITIONS, STRING_CONDITIONS, FilterField, Kind
from loyalty_fake.http import paging
from loyalty_fake.http.common_json import (
    COUNT,
    STRING,
    TIMESTAMP,
    cursor_list,
    cursor_list_json,
    enum,
    format_timestamp,
    nullable,
    obj,
    ref,
)
from loyalty_fake.http.declare import Operation, Route, query
from loyalty_fake.http.filters import filters_parameter, parse_filters
from loyalty_fake.http.params import Query
from loyalty_fake.ledger.bin import Bin

if TYPE_CHECKING:
    from loyalty_fake.http.common_json import Schema
    from loyalty_fake.http.declare import Call
    from loyalty_fake.ledger.bin import BinEntry

__all__ = ["BIN_FILTERS", "PATH_PARAMETERS", "ROUTES", "SCHEMAS", "bin_entry_json"]

PATH_PARAMETERS = {"binEntryId": "A bin entry's ID (tbe_)."}

_TYPES = ("campaign", "product", "sku", "voucher")
# The spec's ParameterFiltersListBin: resource_type takes its own list of conditions.
BIN_FILTERS: dict[str, FilterField] = {
    "id": FilterField(Kind.STRING),
    "resource_type": FilterField(Kind.STRING, ENUM_CONDITIONS),
    "resource_name": FilterField(Kind.STRING, STRING_CONDITIONS),
    "resource_id": FilterField(Kind.STRING, STRING_CONDITIONS),
}


def bin_entry_json(entry: BinEntry) -> dict[str, Any]:
    """An entry as the spec's ``TrashBinItem``: ``deleted_by_user_id`` is null (the API's)."""
    return {
        "id": entry.id,
        "created_at": format_timestamp(entry.created_at),
        "deleted_by_user_id": None,
        "resource_id": entry.resource_id,
        "resource_type": entry.resource_type,
        "resource_name": entry.resource_name,
        "resource_parent_id": entry.resource_parent_id,
        "object": entry.resource_type,
    }


def list_bin_entries(call: Call) -> tuple[int, Any]:
    """``GET /v1/trash-bin``: the entries by ID (oldest first unless ``order=-id``)."""
    query = Query(call.request.query)
    filters = parse_filters(query.pairs, BIN_FILTERS)
    cursor = paging.cursor(query)
    order = query.choice("order", ("id", "-id"), "id")
    entries = [bin_entry_json(entry) for entry in Bin(call.session).list()]
    if filters:
        now = call.session.clock.now()
        entries = [entry for entry in entries if filters.matches(entry, now)]
    if order == "-id":
        entries.reverse()
    data, has_more = cursor.of(entries, [entry["id"] for entry in entries])
    return 200, {**cursor_list_json(data, has_more), "total": len(data)}


def delete_bin_entry(call: Call) -> tuple[int, Any]:
    """``DELETE /v1/trash-bin/{binEntryId}``: 204; its resource is deleted for good."""
    Bin(call.session).delete(call.params["binEntryId"])
    return 204, None


_TYPE = enum(*_TYPES)
SCHEMAS: dict[str, Schema] = {
    "TrashBinItem": obj(
        {
            "id": STRING,
            "created_at": TIMESTAMP,
            "deleted_by_user_id": {"type": "null"},
            "resource_id": STRING,
            "resource_type": _TYPE,
            "resource_name": STRING,
            "resource_parent_id": nullable(STRING),
            "object": _TYPE,
        }
    ),
}
_LIST = cursor_list(ref("TrashBinItem"))
_LIST["properties"]["total"] = COUNT
_LIST["required"].append("total")
SCHEMAS["TrashBinList"] = _LIST

ROUTES: tuple[Route, ...] = (
    Route(
        "GET",
        "/v1/trash-bin",
        list_bin_entries,
        Operation(
            "list_bin_entries",
            "What deletes without force moved to the bin",
            "TrashBinList",
            query=[
                paging.LIMIT,
                query("order", enum("id", "-id"), "Default id (oldest first)."),
                paging.STARTING_AFTER,
                filters_parameter(BIN_FILTERS),
            ],
        ),
    ),
    Route(
        "DELETE",
        "/v1/trash-bin/{binEntryId}",
        delete_bin_entry,
        Operation(
            "delete_bin_entry",
            "Delete a bin entry's campaign, voucher, product or SKU for good",
            None,
        ),
    ),
)
