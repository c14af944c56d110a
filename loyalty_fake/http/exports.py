"""``/v1/exports`` and the export shortcuts: CSV files of vouchers, customers, transactions...

``POST /v1/exports`` exports any ``exported_object``; the shortcuts (a program's or card's
transactions, a program's points expirations, the orders) export one kind, scoped to the
campaign or card their path names. The file is written from the state at the request
(``export_sources``); ``GET /v1/exports/{exportId}`` answers the export, or, given the
``token`` its ``result.url`` carries, the file itself (Voucherify's Download Export).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from loyalty_fake import errors
from loyalty_fake.http import paging
from loyalty_fake.http.common_json import FREE_OBJECT, STRING, enum, obj
from loyalty_fake.http.declare import Operation, Route, query
from loyalty_fake.http.export_sources import SOURCES
from loyalty_fake.http.exports_json import csv_file, export_json
from loyalty_fake.http.filters import parse_filter_object
from loyalty_fake.http.members import member_of
from loyalty_fake.http.messages import Response
from loyalty_fake.http.params import Body, Query, parse_json_body
from loyalty_fake.ledger.exports import EXPORTED_OBJECTS, Exports

if TYPE_CHECKING:
    from loyalty_fake.http.common_json import Schema
    from loyalty_fake.http.declare import Call
    from loyalty_fake.http.export_sources import Scope, Source

__all__ = ["PATH_PARAMETERS", "ROUTES"]

PATH_PARAMETERS = {
    "exportId": "An export's ID (exp_).",
    "memberId": "A loyalty card's code or ID.",
}

_LIST_ORDERS = ("created_at", "-created_at", "status", "-status")
_CSV = "text/csv; charset=utf-8"
# The spec's Download Export answers text/plain, and the official SDK asks for (and reads)
# nothing else: a client that accepts text/plain but not CSV gets the same bytes as that.
_PLAIN = "text/plain; charset=utf-8"


def _media_type(accept: str | None) -> str:
    wanted = (accept or "").lower()
    if "text/plain" in wanted and "text/csv" not in wanted and "*/*" not in wanted:
        return _PLAIN
    return _CSV


def _invalid_fields(source: Source) -> errors.VoucherifyError:
    allowed = ", ".join(source.fields) + (", metadata.<key>" if source.metadata else "")
    return errors.bad_request(
        "invalid_export_fields",
        "Invalid Export",
        f"Unsupported field used. Allowed fields: {allowed}",
    )


def _fields(body: Body, source: Source) -> tuple[str, ...]:
    given = body.data.get("fields")
    if given is None:
        return source.defaults
    if not isinstance(given, list) or not all(isinstance(field, str) for field in given):
        body.fail("fields", "must be array of strings")
    for field in given:
        metadata_key = field.removeprefix("metadata.")
        if field not in source.fields and not (
            source.metadata and field.startswith("metadata.") and metadata_key
        ):
            raise _invalid_fields(source)
    return tuple(given) or source.defaults


def _listed(entry: dict[str, Any]) -> dict[str, Any]:
    """A filter's conditions as the export echoes them: each value a list, as the spec types."""
    tests = entry["conditions"]
    return {
        "conditions": {
            name: value if isinstance(value, list) or value is None else [value]
            for name, value in tests.items()
        }
    }


def _export(call: Call, body: Body, exported_object: str, scope: Scope) -> dict[str, Any]:
    """Write the file of ``exported_object`` the request's ``parameters`` ask for; record it."""
    source = SOURCES[exported_object]
    parameters = body.obj("parameters") or Body({}, ".parameters")
    order = parameters.choice("order", source.orders)
    fields = _fields(parameters, source)
    given_filters = parameters.mapping("filters") or {}
    condition = parse_filter_object(given_filters, source.filter_fields(), metadata=source.metadata)
    now = call.session.clock.now()
    rows = [
        row
        for row in source.rows(call)
        if all(source.value(row, key) == value for key, value in scope.items())
        and condition.matches(source.record(row), now)
    ]
    if order is not None:
        key = order.lstrip("-")
        # Rows without the value last either way; ties in creation order.
        present = [row for row in rows if source.value(row, key) is not None]
        absent = [row for row in rows if source.value(row, key) is None]
        present.sort(key=lambda row: source.value(row, key), reverse=order.startswith("-"))
        rows = present + absent
    echoed: dict[str, Any] = {}
    if order is not None:
        echoed["order"] = order
    echoed["fields"] = list(fields)
    echoed["filters"] = {
        "junction": condition.junction,
        **{name: _listed(entry) for name, entry in given_filters.items() if name != "junction"},
        **{name: {"conditions": {"$in": [value]}} for name, value in scope.items()},
    }
    made = Exports(call.session).create(exported_object, echoed, csv_file(source, fields, rows))
    return export_json(made, call.request.base, scheduled=True)


def create_export(call: Call) -> tuple[int, Any]:
    """``POST /v1/exports``: an export of any ``exported_object``, answered ``SCHEDULED``."""
    body = Body(parse_json_body(call.request))
    body.require("exported_object")
    exported_object = body.choice("exported_object", EXPORTED_OBJECTS)
    assert exported_object is not None  # noqa: S101 - require() leaves nothing else
    return 200, _export(call, body, exported_object, {})


def list_exports(call: Call) -> tuple[int, Any]:
    """``GET /v1/exports``: every export, newest first unless ``order`` says, page-based."""
    query_params = Query(call.request.query)
    page = paging.page(query_params)
    order = query_params.choice("order", _LIST_ORDERS, "-created_at")
    found = Exports(call.session).list(order)
    base = call.request.base
    return 200, {
        "object": "list",
        "data_ref": "exports",
        "exports": [export_json(made, base) for made in page.of(found)],
        "total": len(found),
    }


def get_export(call: Call) -> tuple[int, Any]:
    """``GET /v1/exports/{exportId}``: the export, or with ``token`` its CSV file."""
    exports = Exports(call.session)
    token = Query(call.request.query).string("token")
    if token is not None:
        text = exports.download(call.params["exportId"], token)
        media_type = _media_type(call.request.header("accept"))
        return 200, Response(200, text.encode("utf-8"), (("Content-Type", media_type),))
    return 200, export_json(exports.get(call.params["exportId"]), call.request.base)


def delete_export(call: Call) -> tuple[int, Any]:
    """``DELETE /v1/exports/{exportId}``: 204; its file downloads no more."""
    Exports(call.session).delete(call.params["exportId"])
    return 204, None


def _shortcut(exported_object: str, scope_of: Any) -> Any:
    def handler(call: Call) -> tuple[int, Any]:
        scope = scope_of(call)  # 404 (or 403) before the body's 400
        body = Body(parse_json_body(call.request))
        return 200, _export(call, body, exported_object, scope)

    handler.__doc__ = f"An export of {exported_object}, scoped by the path."
    return handler


def _program(call: Call) -> Scope:
    return {"campaign_id": call.session.campaigns.get(call.params["campaignId"]).id}


def _campaign(call: Call) -> Scope:
    campaign = call.session.campaigns.get(call.params["campaignId"], any_type=True)
    if campaign.campaign_type not in {"LOYALTY_PROGRAM", "GIFT_VOUCHERS"}:
        raise errors.VoucherifyError(
            code=403,
            key="forbidden",
            message="Forbidden",
            details="Transactions are allowed only for loyalty or gift campaigns",
        )
    return {"campaign_id": campaign.id}


def _member(call: Call) -> Scope:
    return {"voucher_id": member_of(call).id}


def _voucher(call: Call) -> Scope:
    return {"voucher_id": call.session.vouchers.find(call.params["code"]).id}


def _everything(_call: Call) -> Scope:
    return {}


def _body(exported: Schema | None = None) -> Schema:
    parameters = obj(
        {}, {"order": STRING, "fields": {"type": "array", "items": STRING}, "filters": FREE_OBJECT}
    )
    if exported is None:
        return obj({}, {"parameters": parameters})
    return obj({"exported_object": exported}, {"parameters": parameters})


_EXPORT = "/v1/exports/{exportId}"
_ERRORS = " 400 invalid_export_fields: a field the exported object has not."
_TRANSACTIONS = "voucher_transactions"


def _shortcut_route(path: str, name: str, summary: str, kind: str, scope_of: Any) -> Route:
    return Route(
        "POST",
        path,
        _shortcut(kind, scope_of),
        Operation(name, summary, "ExportScheduled", body=_body(), errors=_ERRORS),
    )


ROUTES: tuple[Route, ...] = (
    Route(
        "GET",
        "/v1/exports",
        list_exports,
        Operation(
            "list_exports",
            "Every export, newest first",
            "ExportsList",
            query=[
                paging.LIMIT,
                paging.PAGE,
                query("order", enum(*_LIST_ORDERS), "Default -created_at."),
            ],
        ),
    ),
    Route(
        "POST",
        "/v1/exports",
        create_export,
        Operation(
            "create_export",
            "Export vouchers, redemptions, customers, publications, orders, points "
            "expirations or transactions as a CSV file",
            "ExportScheduled",
            body=_body(enum(*EXPORTED_OBJECTS)),
            errors=_ERRORS,
        ),
    ),
    Route(
        "GET",
        _EXPORT,
        get_export,
        Operation(
            "get_export",
            "An export, DONE with its file's URL; with token, the CSV file (text/csv)",
            "Export",
            query=[query("token", STRING, "The token of result.url: answers the CSV file.")],
            files=("text/csv", "text/plain"),
            errors=" 401 unauthorized: a token not the export's.",
        ),
    ),
    Route("DELETE", _EXPORT, delete_export, Operation("delete_export", "Delete an export", None)),
    _shortcut_route(
        "/v1/orders/export", "create_order_export", "Export the orders", "order", _everything
    ),
    _shortcut_route(
        "/v1/vouchers/{code}/transactions/export",
        "export_voucher_transactions",
        "Export a gift card's or loyalty card's transactions",
        _TRANSACTIONS,
        _voucher,
    ),
    _shortcut_route(
        "/v1/campaigns/{campaignId}/transactions/export",
        "export_campaign_transactions",
        "Export a loyalty program's or gift campaign's transactions",
        _TRANSACTIONS,
        _campaign,
    ),
    _shortcut_route(
        "/v1/loyalties/{campaignId}/transactions/export",
        "export_loyalty_campaign_transactions",
        "Export a loyalty program's transactions",
        _TRANSACTIONS,
        _program,
    ),
    _shortcut_route(
        "/v1/loyalties/members/{memberId}/transactions/export",
        "export_loyalty_card_transactions",
        "Export a loyalty card's transactions",
        _TRANSACTIONS,
        _member,
    ),
    _shortcut_route(
        "/v1/loyalties/{campaignId}/members/{memberId}/transactions/export",
        "export_program_card_transactions",
        "Export a loyalty card's transactions (in its program)",
        _TRANSACTIONS,
        _member,
    ),
    _shortcut_route(
        "/v1/loyalties/{campaignId}/points-expiration/export",
        "create_points_expiration_export",
        "Export a loyalty program's points expirations",
        "points_expiration",
        _program,
    ),
)
