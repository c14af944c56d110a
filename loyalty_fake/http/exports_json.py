"""An export as the API shows it, and its CSV file as the download answers it.

A create answers the export ``SCHEDULED`` with no ``result``, as Voucherify does; every
read after answers it ``DONE`` with ``result.url``, the download on the host the reader
called (docs/choices.md, "Exports").
"""

from __future__ import annotations

import csv
import io
from typing import TYPE_CHECKING, Any

from loyalty_fake.http.common_json import (
    COUNT,
    FREE_OBJECT,
    STRING,
    TIMESTAMP,
    const,
    enum,
    format_timestamp,
    nullable,
    obj,
    ref,
)
from loyalty_fake.http.export_sources import cell
from loyalty_fake.ledger.exports import EXPORTED_OBJECTS

if TYPE_CHECKING:
    from collections.abc import Iterable

    from loyalty_fake.http.common_json import Schema
    from loyalty_fake.http.export_sources import Row, Source
    from loyalty_fake.ledger.exports import Export

__all__ = ["SCHEMAS", "csv_file", "download_url", "export_json", "header"]

# Words a header spells in capitals ("Customer ID", "QR Code").
_CAPITALS = {"id": "ID", "qr": "QR"}


def download_url(export: Export, base: str) -> str:
    """Where the export's file downloads: ``GET /v1/exports/{id}?token=...`` on ``base``."""
    return f"{base}/v1/exports/{export.id}?token={export.token}"


def export_json(export: Export, base: str, *, scheduled: bool = False) -> dict[str, Any]:
    """The export object: ``SCHEDULED`` as created, ``DONE`` with its URL when read."""
    return {
        "id": export.id,
        "object": "export",
        "created_at": format_timestamp(export.created_at),
        "status": "SCHEDULED" if scheduled else "DONE",
        "channel": export.channel,
        "exported_object": export.exported_object,
        "parameters": export.parameters,
        "result": None if scheduled else {"url": download_url(export, base)},
        "user_id": None,
    }


def header(field: str) -> str:
    """A field's CSV header, as Voucherify's files spell them (``voucher_type``: Voucher Type).

    A ``metadata.<key>`` field is headed by the key as given.
    """
    if field.startswith("metadata."):
        return field
    return " ".join(_CAPITALS.get(word, word.capitalize()) for word in field.split("_"))


def csv_file(source: Source, fields: Iterable[str], rows: Iterable[Row]) -> str:
    """The CSV text: a header line, then one line per row with the ``fields`` asked for."""
    fields = tuple(fields)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([header(field) for field in fields])
    for row in rows:
        writer.writerow([cell(source.value(row, field)) for field in fields])
    return buffer.getvalue()


_PARAMETERS: Schema = obj(
    {},
    {
        "order": STRING,
        "fields": {"type": "array", "items": STRING},
        "filters": FREE_OBJECT,
    },
)
_COMMON: dict[str, Schema] = {
    "id": {"type": "string", "pattern": "^exp_"},
    "object": const("export"),
    "created_at": TIMESTAMP,
    "channel": const("API"),
    "exported_object": enum(*EXPORTED_OBJECTS),
    "parameters": _PARAMETERS,
    "user_id": nullable(STRING),
}

SCHEMAS: dict[str, Schema] = {
    "ExportScheduled": obj(
        {**_COMMON, "status": const("SCHEDULED"), "result": {"type": "null"}},
    ),
    "Export": obj(
        {
            **_COMMON,
            "status": const("DONE"),
            "result": obj({"url": {"type": "string", "format": "uri"}}),
        },
    ),
    "ExportsList": obj(
        {
            "object": const("list"),
            "data_ref": const("exports"),
            "exports": {"type": "array", "items": ref("Export")},
            "total": COUNT,
        }
    ),
}
