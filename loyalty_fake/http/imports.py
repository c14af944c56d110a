"""Bulk work on customers and orders, each answered by an (already finished) async action.

``POST /v1/customers/importCSV`` (a CSV file, ``multipart/form-data``),
``POST /v1/customers/bulk/async``, ``POST /v1/customers/metadata/async`` and
``POST /v1/orders/import``. The whole request is checked before anything is done: a bad
one is 400 and changes nothing.
"""

from __future__ import annotations

import csv
import io
from email.parser import BytesParser
from email.policy import HTTP
from typing import TYPE_CHECKING, Any

import attrs

from loyalty_fake import errors
from loyalty_fake.http.common_json import FREE_OBJECT, STRING, Schema
from loyalty_fake.http.customers import CUSTOMER_PROFILE, customer_profile
from loyalty_fake.http.declare import NON_EMPTY, Operation, Route
from loyalty_fake.http.orders import order_input
from loyalty_fake.http.params import Body, parse_json_objects
from loyalty_fake.ledger import imports
from loyalty_fake.ledger.customers import ADDRESS_FIELDS, CustomerRef

if TYPE_CHECKING:
    from collections.abc import Callable, Collection

    from loyalty_fake.http.declare import Call
    from loyalty_fake.http.messages import Request
    from loyalty_fake.ledger.orders import OrderInput

__all__ = [
    "IMPORT_CSV",
    "MAX_IMPORTED_ORDERS",
    "MULTIPART",
    "PATH_PARAMETERS",
    "ROUTES",
    "csv_customers",
    "csv_rows",
    "json_array",
    "metadata_update",
    "split_row",
    "uploaded_file",
]

PATH_PARAMETERS: dict[str, str] = {}

# "There is a 2000 limit" (POST /v1/orders/import).
MAX_IMPORTED_ORDERS = 2000
MULTIPART = "multipart/form-data"
# The CSV columns that are customer fields (case aside); any other column is metadata.
_CSV_FIELDS = {
    "name": "name",
    "email": "email",
    "phone": "phone",
    "birthdate": "birthdate",
    "birthday": "birthday",
    "description": "description",
    **{f"address_{field}": field for field in ADDRESS_FIELDS},
}

IMPORT_CSV: Schema = {
    "type": "object",
    "properties": {"file": {"type": "string", "format": "binary"}},
    "required": ["file"],
}
_BULK_CUSTOMERS: Schema = {
    "type": "array",
    "items": {
        "type": "object",
        "properties": {"source_id": NON_EMPTY, **CUSTOMER_PROFILE},
        "required": ["source_id"],
    },
    "minItems": 1,
}
_BULK_METADATA: Schema = {
    "type": "object",
    "properties": {
        "source_ids": {"type": "array", "items": NON_EMPTY, "minItems": 1},
        "metadata": FREE_OBJECT,
    },
    "required": ["source_ids", "metadata"],
}
_IMPORT_ORDERS: Schema = {
    "type": "array",
    "items": {"type": "object", "properties": {"created_at": STRING}},
    "minItems": 1,
    "maxItems": MAX_IMPORTED_ORDERS,
}


def uploaded_file(request: Request) -> bytes:
    """The ``file`` part of a ``multipart/form-data`` body; 400 ``invalid_payload`` without one."""
    content_type = request.header("content-type") or MULTIPART
    head = f"Content-Type: {content_type}\r\n\r\n".encode("latin-1", "replace")
    message = BytesParser(policy=HTTP).parsebytes(head + request.body)
    if message.is_multipart():
        for part in message.iter_parts():
            if part.get_param("name", header="content-disposition") == "file":
                payload = part.get_payload(decode=True)
                if isinstance(payload, bytes):
                    return payload
    raise errors.invalid_payload("Property .file is required: send the CSV as form field 'file'")


def csv_customers(data: bytes) -> list[CustomerRef]:
    """The customers a CSV gives, a row each: known columns are fields, the rest metadata.

    Voucherify's columns: Id, Name, Email, Phone, Birthdate, Source_id, Address_line_1,
    Address_line_2, Address_Postal_Code, Address_City, Address_State, Address_Country,
    Description; empty cells give nothing.
    """
    return [_csv_row(row) for row in csv_rows(data)]


def split_row(
    row: dict[str, str], columns: Collection[str], header: Callable[[str], str] = str.lower
) -> tuple[dict[str, str], dict[str, str]]:
    """A CSV row's documented cells and its metadata (the other columns), empty cells left out.

    ``header`` turns a header into the name ``columns`` lists (lower case by default); the
    documented cells are keyed by that name, the metadata by the header as written.
    """
    known: dict[str, str] = {}
    metadata: dict[str, str] = {}
    for name, raw in row.items():
        value = raw.strip()
        if not value or not name:
            continue
        key = header(name)
        if key in columns:
            known[key] = value
        else:
            metadata[name] = value
    return known, metadata


def csv_rows(data: bytes) -> list[dict[str, str]]:
    """A CSV file's rows, each ``{header: cell}``; blank lines are skipped.

    400 ``invalid_payload`` for a file that is not UTF-8 text with a header line.
    """
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise errors.invalid_payload("The CSV file must be UTF-8 text") from None
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader, None)
    if not header or not any(name.strip() for name in header):
        raise errors.invalid_payload("The CSV file must start with a line of headers")
    names = [name.strip() for name in header]
    return [
        dict(zip(names, cells, strict=False))
        for cells in reader
        if any(cell.strip() for cell in cells)
    ]


def _csv_row(row: dict[str, str]) -> CustomerRef:
    profile: dict[str, Any] = {}
    address: dict[str, str] = {}
    metadata: dict[str, str] = {}
    ids: dict[str, str] = {}
    for name, raw in row.items():
        value = raw.strip()
        key = name.lower()
        if not value or not name:
            continue
        if key in {"id", "source_id"}:
            ids[key] = value
        elif key.startswith("address_") and key in _CSV_FIELDS:
            address[_CSV_FIELDS[key]] = value
        elif key in _CSV_FIELDS:
            profile[_CSV_FIELDS[key]] = value
        else:
            metadata[name] = value
    if address:
        profile["address"] = address
    if metadata:
        profile["metadata"] = metadata
    return CustomerRef(id=ids.get("id"), source_id=ids.get("source_id"), profile=profile)


def import_customers_csv(call: Call) -> tuple[int, Any]:
    """``POST /v1/customers/importCSV``: create or update a customer per CSV row."""
    rows = csv_customers(uploaded_file(call.request))
    action = imports.import_customers(call.session, rows)
    return 202, {"async_action_id": action.id}


def json_array(call: Call) -> list[dict[str, Any]]:
    """A bulk request's body: a JSON array of objects, else 400 ``Payload must be array``."""
    items, is_array = parse_json_objects(call.request)
    if not is_array:
        raise errors.invalid_payload("Payload must be array")
    return items


def update_customers_in_bulk(call: Call) -> tuple[int, Any]:
    """``POST /v1/customers/bulk/async``: upsert each customer by its ``source_id``."""
    refs = []
    for index, item in enumerate(json_array(call)):
        body = Body(item, f"[{index}]")
        body.require("source_id")
        source_id = body.string("source_id", non_empty=True)
        refs.append(CustomerRef(source_id=source_id, profile=customer_profile(body)))
    action = imports.update_customers(call.session, refs)
    return 202, {"async_action_id": action.id}


def update_customers_metadata(call: Call) -> tuple[int, Any]:
    """``POST /v1/customers/metadata/async``: the same metadata for each customer listed."""
    source_ids, metadata = metadata_update(call)
    action = imports.update_customers_metadata(call.session, source_ids, metadata)
    return 202, {"async_action_id": action.id}


def metadata_update(call: Call) -> tuple[list[str], dict[str, Any]]:
    """A metadata update's ``{source_ids, metadata}``: a non-empty list of IDs, an object."""
    items, is_array = parse_json_objects(call.request)
    if is_array:
        raise errors.invalid_payload("Payload must be object")
    body = Body(items[0])
    body.require("source_ids")
    body.require("metadata")
    raw = body.data["source_ids"]
    if not isinstance(raw, list) or not raw:
        body.fail("source_ids", "must be a non-empty array of strings")
    for index in range(len(raw)):
        Body({"source_id": raw[index]}, f".source_ids[{index}]").string("source_id", non_empty=True)
    metadata = body.mapping("metadata")
    assert metadata is not None  # noqa: S101 - required above
    return raw, metadata


def import_orders(call: Call) -> tuple[int, Any]:
    """``POST /v1/orders/import``: historical orders; paid ones earn nothing by default."""
    items = json_array(call)
    if len(items) > MAX_IMPORTED_ORDERS:
        raise errors.invalid_payload(f"Payload must NOT have more than {MAX_IMPORTED_ORDERS} items")
    given = []
    for index, item in enumerate(items):
        body = Body(item, f"[{index}]")
        order = order_input(body, identified=True)
        given.append(_with_created_at(order, body))
    action = imports.import_orders(call.session, given)
    return 200, {"async_action_id": action.id}


def _with_created_at(order: OrderInput, body: Body) -> OrderInput:
    """The order with the ``created_at`` an import may give (history keeps its dates)."""
    return attrs.evolve(order, created_at=body.timestamp("created_at"))


ROUTES: tuple[Route, ...] = (
    Route(
        "POST",
        "/v1/customers/importCSV",
        import_customers_csv,
        Operation(
            "import_customers_using_csv",
            "Import and update customers from a CSV file (an async action, already done)",
            None,
            body=IMPORT_CSV,
            accepted="AsyncAction",
            media_type=MULTIPART,
        ),
    ),
    Route(
        "POST",
        "/v1/customers/bulk/async",
        update_customers_in_bulk,
        Operation(
            "update_customers_in_bulk",
            "Upsert customers by source_id (an async action, already done)",
            None,
            body=_BULK_CUSTOMERS,
            accepted="AsyncAction",
        ),
    ),
    Route(
        "POST",
        "/v1/customers/metadata/async",
        update_customers_metadata,
        Operation(
            "update_customers_metadata_in_bulk",
            "Merge metadata into customers by source_id (an async action, already done)",
            None,
            body=_BULK_METADATA,
            accepted="AsyncAction",
        ),
    ),
    Route(
        "POST",
        "/v1/orders/import",
        import_orders,
        Operation(
            "import_orders",
            "Import historical orders (an async action, already done)",
            "AsyncAction",
            body=_IMPORT_ORDERS,
        ),
    ),
)
