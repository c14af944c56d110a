"""Validate JSON bodies against Voucherify's official OpenAPI description.

The spec files live *outside* the repository, in
``<repo>/../shared/voucherify-openapi/`` (override with the environment
variable ``LOYALTY_FAKE_OPENAPI_DIR``); they are read in place and never
copied.  Three variants can be selected with the ``spec`` argument:

``"current"``
    ``current-docs-split-2026-08/*.json`` - the newest docs, one
    self-contained file per API section; whichever file defines the path
    (or schema) is used.
``"full"``
    ``OpenAPI.json`` - the complete OpenAPI 3.0.1 document.
``"sdk"``
    ``OpenAPI.readonly-sdks-python.sdk-python-6.1.0.json`` - the document
    the Python SDK 6.1.0 was generated from.

OpenAPI 3.0 schema objects are not JSON Schema, so each document is
converted once (see :func:`openapi_to_json_schema`) and validated with
:class:`jsonschema.Draft202012Validator`; ``$ref`` pointers are resolved with
a :mod:`referencing` registry.  ``date-time`` and ``date`` formats are
checked; the spec's other formats (``time``, ``float``, ``binary``, ...)
are not.  Nothing is tightened beyond the spec: ``additionalProperties``
is only enforced where the spec itself says so.

Loaded documents, path lookups and compiled validators are cached for the
lifetime of the process, so only the first call per spec is slow.

The files are Voucherify's official OpenAPI description, published under the MIT licence
at https://github.com/voucherifyio/voucherify-openapi (:data:`PUBLISHED` says which file of
that repository each one is). When a file is missing every public function calls
:func:`pytest.skip` with :data:`SKIP_REASON`, which says what to fetch and where to put it;
``SPEC_AVAILABLE`` and the ``requires_spec`` marker are available for code that needs to
know earlier, and :func:`missing_spec_help` is the one explanation the test run prints at
its end.

Example::

    validate_response("POST", "/v1/loyalties/camp_1/members", 200, body)
    validate_schema("LoyaltyMember", body["vouchers"][0])
"""

from __future__ import annotations

import datetime as dt
import difflib
import functools
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, Literal, TypeAlias, get_args
from urllib.parse import quote, urlsplit

import pytest

# jsonschema ships no types; the ignore stays harmless once types-jsonschema is installed.
from jsonschema import Draft202012Validator, FormatChecker  # type: ignore[import-untyped, unused-ignore]
from referencing import Registry
from referencing.jsonschema import DRAFT202012

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator, Mapping

    from jsonschema.exceptions import ValidationError  # type: ignore[import-untyped, unused-ignore]

__all__ = [
    "ENV_VAR",
    "MISSING_FILES",
    "PUBLISHED",
    "SKIP_REASON",
    "SPEC_AVAILABLE",
    "SPEC_DIR",
    "SPEC_SOURCE",
    "SchemaValidationError",
    "SpecLookupError",
    "SpecName",
    "match_path",
    "missing_spec_help",
    "openapi_to_json_schema",
    "requires_spec",
    "validate_response",
    "validate_schema",
    "without_seed_nulls",
]

SpecName: TypeAlias = Literal["current", "full", "sdk"]
"""Which spec variant to validate against (see the module docstring)."""

JSONObject: TypeAlias = dict[str, Any]

ENV_VAR: Final = "LOYALTY_FAKE_OPENAPI_DIR"


def _default_spec_dir() -> Path:
    override = os.environ.get(ENV_VAR)
    if override:
        return Path(override)
    return Path(__file__).resolve().parents[2] / "shared" / "voucherify-openapi"


SPEC_DIR: Final = _default_spec_dir()
"""Directory holding the OpenAPI files (read in place, never copied)."""

SPEC_SOURCE: Final = "https://github.com/voucherifyio/voucherify-openapi"
"""Where Voucherify publishes its OpenAPI description (MIT licence)."""

_SECTIONS: Final = ("loyalties", "customers", "publications", "vouchers", "campaigns")
_SPEC_FILES: Final[Mapping[SpecName, tuple[str, ...]]] = {
    "current": tuple(f"current-docs-split-2026-08/{section}.json" for section in _SECTIONS),
    "full": ("OpenAPI.json",),
    "sdk": ("OpenAPI.readonly-sdks-python.sdk-python-6.1.0.json",),
}

PUBLISHED: Final[Mapping[str, str]] = {
    "OpenAPI.json": "reference/OpenAPI.json",
    "OpenAPI.readonly-sdks-python.sdk-python-6.1.0.json": (
        "reference/readonly-sdks/python/OpenAPI.json, as the Python SDK 6.1.0 was generated from it"
    ),
    "current-docs-split-2026-08/{%s}.json" % ",".join(_SECTIONS): (  # noqa: UP031 - braces
        "documentation/openapi/<the same names>.json, as of August 2026"
    ),
}
"""Each file the tests read, and the file of :data:`SPEC_SOURCE` it is a copy of."""

MISSING_FILES: Final = tuple(
    name for names in _SPEC_FILES.values() for name in names if not (SPEC_DIR / name).is_file()
)
"""The files the tests read that are not in :data:`SPEC_DIR`."""

SPEC_AVAILABLE: bool = not MISSING_FILES
"""Whether every file is in :data:`SPEC_DIR`; when false, validation skips the test."""

SKIP_REASON: Final = (
    f"Voucherify's OpenAPI description is not in {SPEC_DIR} "
    f"({len(MISSING_FILES)} of its files missing): copy it there from {SPEC_SOURCE} (MIT) "
    f"or set {ENV_VAR} to a directory that has it; the summary at the end lists the files"
)
"""Why a spec check skips, and what to do about it."""

requires_spec: Final = pytest.mark.skipif(not SPEC_AVAILABLE, reason=SKIP_REASON)
"""Marker that skips a test up front when the spec files are absent."""


def missing_spec_help() -> list[str]:
    """What the spec is, where to get it and where to put it, as lines to print once."""
    every = sum(len(names) for names in _SPEC_FILES.values())
    missing = "all of them" if len(MISSING_FILES) == every else ", ".join(MISSING_FILES)
    return [
        "Voucherify's official OpenAPI description validates every contract reply, and a few",
        "checks of their own need it. Voucherify publishes it under the MIT licence at",
        f"{SPEC_SOURCE}. The tests read it in place from {SPEC_DIR}:",
        f"../shared/voucherify-openapi/ beside the checkout, or the directory {ENV_VAR} names.",
        "Without it, replies are checked against the fake's own document only.",
        "The files, and the file of that repository each is a copy of:",
        *(line for name, source in PUBLISHED.items() for line in (f"  {name}", f"    {source}")),
        f"Missing now: {missing}.",
    ]


_HTTP_METHODS: Final = frozenset(
    {"get", "put", "post", "delete", "options", "head", "patch", "trace"},
)
_JSON_MEDIA_TYPE: Final = "application/json"
_MAX_MESSAGE_LENGTH: Final = 300
_MAX_INSTANCE_LENGTH: Final = 80
_SUMMARY_KEYS: Final = 5


class SpecLookupError(AssertionError):
    """The spec has nothing to validate against (path, method, status, name)."""


class SchemaValidationError(AssertionError):
    """A body does not match its schema; ``errors`` holds (JSON path, message)."""

    def __init__(self, message: str, errors: tuple[tuple[str, str], ...]) -> None:
        """Store the formatted ``message`` and the individual ``errors``."""
        super().__init__(message)
        self.errors = errors


# --------------------------------------------------------------------------
# Converting OpenAPI 3.0 schema objects to JSON Schema 2020-12
# --------------------------------------------------------------------------

# Keywords of an OpenAPI 3.0 schema object that assert something; everything
# else (example, default, description, title, discriminator, readOnly,
# writeOnly, xml, externalDocs, deprecated, x-*) is an annotation and dropped.
_ASSERTION_KEYWORDS: Final = frozenset(
    {
        "type", "enum", "format", "required", "multipleOf",
        "maximum", "exclusiveMaximum", "minimum", "exclusiveMinimum",
        "maxLength", "minLength", "pattern",
        "maxItems", "minItems", "uniqueItems", "maxProperties", "minProperties",
    },
)  # fmt: skip
_SUBSCHEMA_KEYWORDS: Final = frozenset({"items", "not", "additionalProperties"})
_SUBSCHEMA_LIST_KEYWORDS: Final = frozenset({"allOf", "anyOf", "oneOf"})
_COMPOSITE_KEYWORDS: Final = frozenset({"$ref"} | _SUBSCHEMA_LIST_KEYWORDS)


def openapi_to_json_schema(schema: object) -> object:
    """Convert an OpenAPI 3.0 schema object into an equivalent JSON Schema.

    * ``nullable: true`` adds ``"null"`` to ``type`` and ``None`` to ``enum``;
      on a schema built from ``$ref``/``allOf``/``anyOf``/``oneOf`` the whole
      schema is wrapped as ``{"anyOf": [{"type": "null"}, <schema>]}``.
    * Boolean ``exclusiveMinimum``/``exclusiveMaximum`` become numeric.
    * Siblings of ``$ref`` are dropped, as OpenAPI 3.0 ignores them
      (``nullable`` is honoured anyway).
    * Annotations (``example``, ``discriminator``, ``readOnly``, ...) and
      unknown keys are dropped.

    Booleans (e.g. ``additionalProperties: true``) are returned unchanged.
    """
    if not isinstance(schema, dict):
        return schema
    converted: JSONObject
    if "$ref" in schema:
        converted = {"$ref": schema["$ref"]}
    else:
        converted = {}
        for key, value in schema.items():
            if key == "properties":
                converted[key] = {name: openapi_to_json_schema(sub) for name, sub in value.items()}
            elif key in _SUBSCHEMA_KEYWORDS:
                converted[key] = openapi_to_json_schema(value)
            elif key in _SUBSCHEMA_LIST_KEYWORDS:
                converted[key] = [openapi_to_json_schema(sub) for sub in value]
            elif key in _ASSERTION_KEYWORDS:
                converted[key] = value
        _convert_exclusive_bounds(converted)
    if schema.get("nullable") is True:
        return _make_nullable(converted)
    return converted


def _convert_exclusive_bounds(schema: JSONObject) -> None:
    for bound, exclusive in (
        ("minimum", "exclusiveMinimum"),
        ("maximum", "exclusiveMaximum"),
    ):
        flag = schema.pop(exclusive, None)
        if flag is True and bound in schema:
            schema[exclusive] = schema.pop(bound)


def _make_nullable(schema: JSONObject) -> JSONObject:
    if _COMPOSITE_KEYWORDS & schema.keys():
        return {"anyOf": [{"type": "null"}, schema]}
    if "enum" in schema and None not in schema["enum"]:
        schema["enum"] = [*schema["enum"], None]
    types = schema.get("type")
    if isinstance(types, str) and types != "null":
        schema["type"] = [types, "null"]
    elif isinstance(types, list) and "null" not in types:
        schema["type"] = [*types, "null"]
    return schema


def _convert_document(node: object) -> object:
    """Convert every schema object found in an OpenAPI document (or part).

    Outside ``components/schemas`` a schema object only ever appears under a
    ``schema`` key; examples and prose are dropped to keep the copy small.
    """
    if isinstance(node, list):
        return [_convert_document(item) for item in node]
    if not isinstance(node, dict):
        return node
    converted: JSONObject = {}
    for key, value in node.items():
        if key in {"example", "examples", "description", "summary"}:
            continue
        if key == "schema":
            converted[key] = openapi_to_json_schema(value)
        elif key == "schemas":  # components/schemas
            converted[key] = {name: openapi_to_json_schema(sub) for name, sub in value.items()}
        else:
            converted[key] = _convert_document(value)
    return converted


# --------------------------------------------------------------------------
# Formats
# --------------------------------------------------------------------------

_RFC3339_DATE_TIME: Final = re.compile(
    r"(?P<date>\d{4}-\d{2}-\d{2})[Tt](?P<time>\d{2}:\d{2}:\d{2})(?:\.\d+)?"
    r"(?P<offset>[Zz]|[+-]\d{2}:\d{2})",
    re.ASCII,
)
_RFC3339_DATE: Final = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)


def _is_date_time(instance: object) -> bool:
    """RFC 3339 ``date-time``: offset required, fraction optional."""
    if not isinstance(instance, str):
        return True
    match = _RFC3339_DATE_TIME.fullmatch(instance)
    if match is None:
        return False
    offset = match["offset"].upper().replace("Z", "+00:00")
    # Range check without the fraction (Python 3.10 accepts only 3 or 6 digits).
    dt.datetime.fromisoformat(f"{match['date']}T{match['time']}{offset}")
    return True


def _is_date(instance: object) -> bool:
    """RFC 3339 ``full-date``."""
    if not isinstance(instance, str):
        return True
    if _RFC3339_DATE.fullmatch(instance) is None:
        return False
    dt.date.fromisoformat(instance)
    return True


def _format_checker() -> FormatChecker:
    # Own checkers instead of jsonschema's: its date-time check silently
    # passes everything unless the optional rfc3339-validator is installed.
    checker = FormatChecker(formats=())
    checker.checks("date-time", raises=ValueError)(_is_date_time)
    checker.checks("date", raises=ValueError)(_is_date)
    return checker


_FORMAT_CHECKER: Final = _format_checker()


# --------------------------------------------------------------------------
# Loading and caching the documents
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class _Document:
    """One converted OpenAPI file."""

    name: str  # file name relative to SPEC_DIR, for messages
    uri: str  # registry key
    paths: JSONObject
    schemas: JSONObject


@dataclass(frozen=True)
class _Template:
    """A path template of a document, compiled for matching."""

    document: _Document
    template: str
    pattern: re.Pattern[str]  # matches concrete request paths
    rank: tuple[int, ...]  # per segment: 0 literal, 1 parameter (lower wins)


_PARAMETER: Final = re.compile(r"\{[^}/]+\}")


@functools.cache
def _documents(spec: SpecName) -> tuple[_Document, ...]:
    if spec not in _SPEC_FILES:
        msg = f"unknown spec {spec!r}; expected one of {get_args(SpecName)}"
        raise ValueError(msg)
    documents = []
    for name in _SPEC_FILES[spec]:
        path = SPEC_DIR / name
        converted = _convert_document(json.loads(path.read_bytes()))
        if not isinstance(converted, dict):  # pragma: no cover - corrupt file
            msg = f"{path} is not an OpenAPI document"
            raise TypeError(msg)
        documents.append(
            _Document(
                name=name,
                uri=path.resolve().as_uri(),
                paths=converted.get("paths", {}),
                schemas=converted.get("components", {}).get("schemas", {}),
            ),
        )
    return tuple(documents)


@functools.cache
def _registry(spec: SpecName) -> Registry[Any]:
    resources = []
    for document in _documents(spec):
        contents = {"paths": document.paths, "components": {"schemas": document.schemas}}
        resources.append((document.uri, DRAFT202012.create_resource(contents)))
    return Registry().with_resources(resources)


@functools.cache
def _templates(spec: SpecName) -> Mapping[int, tuple[_Template, ...]]:
    """Path templates of ``spec`` grouped by their number of segments."""
    by_length: dict[int, list[_Template]] = {}
    for document in _documents(spec):
        for template in document.paths:
            segments = template.split("/")[1:]
            pattern = re.compile(
                "/".join(["", *map(_template_segment_regex, segments)]),
            )
            rank = tuple(int("{" in segment) for segment in segments)
            by_length.setdefault(len(segments), []).append(
                _Template(document, template, pattern, rank),
            )
    return {length: tuple(group) for length, group in by_length.items()}


def _template_segment_regex(segment: str) -> str:
    return "[^/]+".join(re.escape(piece) for piece in _PARAMETER.split(segment))


@functools.cache
def _validator(spec: SpecName, uri: str, pointer: str) -> Draft202012Validator:
    return Draft202012Validator(
        {"$ref": f"{uri}#{quote(pointer, safe='/~')}"},
        registry=_registry(spec),
        format_checker=_FORMAT_CHECKER,
    )


def _pointer(*tokens: str) -> str:
    return "".join("/" + token.replace("~", "~0").replace("/", "~1") for token in tokens)


# --------------------------------------------------------------------------
# Finding the path template, operation and response
# --------------------------------------------------------------------------


def _require_spec() -> None:
    if not SPEC_AVAILABLE:
        pytest.skip(SKIP_REASON)


def _files(spec: SpecName) -> str:
    return ", ".join(_SPEC_FILES[spec])


@functools.cache
def _candidates(spec: SpecName, path: str) -> tuple[_Template, ...]:
    """Templates matching ``path``: the template itself, else the best-ranked."""
    request_path = urlsplit(path).path
    group = _templates(spec).get(request_path.count("/"), ())
    exact = tuple(entry for entry in group if entry.template == request_path)
    if exact:
        return exact
    matches = [entry for entry in group if entry.pattern.fullmatch(request_path)]
    if not matches:
        return ()
    best = min(entry.rank for entry in matches)
    return tuple(entry for entry in matches if entry.rank == best)


def _all_templates(spec: SpecName) -> Iterator[str]:
    for group in _templates(spec).values():
        for entry in group:
            yield entry.template


def _resolve_operation(spec: SpecName, method: str, path: str) -> tuple[_Template, JSONObject]:
    candidates = _candidates(spec, path)
    if not candidates:
        close = difflib.get_close_matches(urlsplit(path).path, _all_templates(spec), n=3)
        hint = f"; closest templates: {', '.join(close)}" if close else ""
        msg = f"no path in the {spec!r} spec ({_files(spec)}) matches {path!r}{hint}"
        raise SpecLookupError(msg)
    operations = [
        (entry, entry.document.paths[entry.template][method.lower()])
        for entry in candidates
        if method.lower() in entry.document.paths[entry.template]
    ]
    if len(operations) == 1:
        return operations[0]
    templates = ", ".join(f"{entry.template} ({entry.document.name})" for entry in candidates)
    if operations:
        msg = (
            f"{method.upper()} {path!r} is ambiguous in the {spec!r} spec: it matches "
            f"{templates}; pass the path template instead"
        )
        raise SpecLookupError(msg)
    defined = sorted(
        key.upper()
        for entry in candidates
        for key in entry.document.paths[entry.template]
        if key in _HTTP_METHODS
    )
    msg = (
        f"{path!r} matches {templates} in the {spec!r} spec, which defines "
        f"{', '.join(defined) or 'no operations'} but not {method.upper()}"
    )
    raise SpecLookupError(msg)


def _response_key(responses: Mapping[str, object], status: int) -> str | None:
    """Pick the responses entry for ``status``: exact, then ``2XX``, then default."""
    for key in responses:
        if key == str(status):
            return key
    for key in responses:
        if key.upper() == f"{status // 100}XX":
            return key
    return "default" if "default" in responses else None


def _status_mismatch_message(
    responses: Mapping[str, object],
    status: int,
    where: str,
) -> str:
    defined = ", ".join(responses) or "none"
    msg = f"{where} defines no response for status {status} (defined: {defined})"
    if 200 <= status < 300:
        success = [key for key in responses if key.startswith("2") and key != str(status)]
        if success:
            msg += (
                f"; note: the spec documents success as {' / '.join(success)}, "
                f"not {status} - the fake or the test disagrees with the spec"
            )
    return msg


# --------------------------------------------------------------------------
# Public API
# --------------------------------------------------------------------------


def match_path(path: str, *, method: str | None = None, spec: SpecName = "current") -> str:
    """Return the spec's path template that ``path`` resolves to.

    ``path`` may be concrete (``/v1/loyalties/camp_1/members?page=2``), a
    full URL, or a template.  Literal segments beat parameters, so
    ``/v1/loyalties/members/X`` resolves to ``/v1/loyalties/members/{memberId}``
    rather than ``/v1/loyalties/{campaignId}/members``.  With ``method`` the
    template must also define that operation (this also breaks ties between
    templates differing only in parameter names).

    Raises:
        SpecLookupError: if no template (or operation) matches.

    """
    _require_spec()
    if method is not None:
        return _resolve_operation(spec, method, path)[0].template
    candidates = _candidates(spec, path)
    if not candidates:
        return _resolve_operation(spec, "get", path)[0].template  # raises
    return candidates[0].template


def validate_response(  # noqa: PLR0913 - keyword options on a test helper
    method: str,
    path: str,
    status: int,
    body: object,
    *,
    spec: SpecName = "current",
    errata: bool = True,
) -> None:
    """Assert that ``body`` is a valid ``status`` response of ``method path``.

    With ``errata`` (the default) the nulls listed in ``SEED_NULLS`` are accepted
    on voucher objects: see :func:`without_seed_nulls`.

    ``path`` is matched as in :func:`match_path`.  The response entry must be
    defined for exactly ``status`` (or a ``2XX``-style range / ``default``
    the spec declares); a 201 where the spec says 200 is reported, not
    tolerated.  A response without content in the spec expects ``body`` to
    be ``None`` or empty.

    Raises:
        SpecLookupError: if the spec has no such path, operation or status.
        SchemaValidationError: listing every validation error by JSON path.

    """
    _require_spec()
    if errata:
        body = without_seed_nulls(body)
    entry, operation = _resolve_operation(spec, method, path)
    where = f"{method.upper()} {entry.template} ({entry.document.name})"
    responses: JSONObject = operation.get("responses", {})
    key = _response_key(responses, status)
    if key is None:
        raise SpecLookupError(_status_mismatch_message(responses, status, where))
    content: JSONObject = responses[key].get("content") or {}
    if not content:
        if body not in (None, "", b""):
            msg = f"{where} -> {key} has no body in the spec, got {_summary(body)}"
            raise SchemaValidationError(msg, errors=(("$", "unexpected body"),))
        return
    media = content.get(_JSON_MEDIA_TYPE)
    if media is None:
        msg = f"{where} -> {key} defines no JSON body (only {', '.join(content)})"
        raise SpecLookupError(msg)
    if "schema" not in media:
        return
    pointer = _pointer(
        "paths", entry.template, method.lower(), "responses", key,
        "content", _JSON_MEDIA_TYPE, "schema",
    )  # fmt: skip
    validator = _validator(spec, entry.document.uri, pointer)
    _raise_for_errors(validator.iter_errors(body), f"{where} -> {key} [{spec}]")


SEED_NULLS: Final = frozenset(
    {
        "category",
        "category_id",
        "start_date",
        "expiration_date",
        "validity_timeframe",
        "validity_day_of_week",
        "additional_info",
    }
)
"""Voucher keys the spec types as non-nullable that Voucherify's own reference pages
(``shared/seeds/``, the project's first authority) show as ``null`` on loyalty cards.
``redemption.quantity`` is the same case one level down."""


REWARD_RESULT_KEYS: Final = frozenset({"assignment_id", "loyalty_tier_id"})
"""Keys that make a ``reward`` object the ``RedemptionRewardResult`` a redemption embeds.

That schema lists ``reward`` among its required properties but defines no such property,
and none of the spec's own redemption examples has one: validation supplies it."""


NEVER_EXPIRES: Final = "9999-12-31"
"""Stands in for the ``expires_at`` a never-expiring bucket omits, during validation only."""


NO_ORDER_SOURCE_ID: Final = "(no source_id)"
"""Stands in for a transaction's ``details.order.source_id`` of ``null``, during validation only.

The schema requires a string, yet the spec's own transaction examples show
``"source_id": null`` for an order that has none (and the SDK's schema allows it)."""


NO_CAMPAIGN: Final = "(standalone voucher)"
"""Stands in for a listed publication's ``voucher.campaign`` of ``null``, during validation only.

``ListPublicationsItemVoucher`` requires a string, yet the spec's own list example shows
``"campaign": null`` for a standalone voucher (a voucher of no campaign)."""


def without_seed_nulls(body: object) -> object:
    """``body`` with the seed-documented nulls of every voucher object removed.

    The spec and the reference pages disagree: the pages (real responses) show
    ``"start_date": null`` and friends, the schema says ``string``. None of these keys
    is required, so validating without them checks everything else the schema says.
    """
    if isinstance(body, list):
        return [without_seed_nulls(item) for item in body]
    if not isinstance(body, dict):
        return body
    cleaned = {key: without_seed_nulls(value) for key, value in body.items()}
    if (
        body.get("object") == "reward"
        and body.keys() >= REWARD_RESULT_KEYS
        and "reward" not in cleaned
    ):
        cleaned["reward"] = {}
    _with_order_source_id(cleaned)
    _export_errata(cleaned)
    if body.get("object") == "loyalty_points_bucket" and "expires_at" not in cleaned:
        # The spec requires expires_at, yet says "No expiration date parameter is returned
        # if the loyalty points bucket does not expire" and its own example omits it.
        cleaned["expires_at"] = NEVER_EXPIRES
    if body.get("object") == "voucher" and "id" not in body and body.get("campaign", "") is None:
        cleaned["campaign"] = NO_CAMPAIGN  # a listed publication's short voucher
    if body.get("object") == "voucher":
        for key in SEED_NULLS:
            if cleaned.get(key, "") is None:
                del cleaned[key]
        redemption = cleaned.get("redemption")
        if isinstance(redemption, dict) and redemption.get("quantity", "") is None:
            cleaned["redemption"] = {k: v for k, v in redemption.items() if k != "quantity"}
    return cleaned


API_CHANNEL_USER: Final = "(no user: the API channel)"
"""Stands in for an export's ``user_id`` of ``null``, during validation only.

Every export schema types ``user_id`` as a string and requires it, yet every example of the
spec (an export made through the API) shows ``"user_id": null``: the docs say it is given
"when the channel value is WEBSITE"."""


def _export_errata(cleaned: dict[str, Any]) -> None:
    """An export's nulls and scope the spec's schemas contradict (docs/spec-errata.md)."""
    if cleaned.get("object") != "export":
        return
    if cleaned.get("user_id", "") is None:
        cleaned["user_id"] = API_CHANNEL_USER
    parameters = cleaned.get("parameters") or {}
    fields = parameters.get("fields")
    if isinstance(fields, list):
        # Voucherify's own example exports "metadata.payment_mean", which no enum lists.
        parameters["fields"] = [
            "metadata" if isinstance(f, str) and f.startswith("metadata.") else f for f in fields
        ]
    filters = parameters.get("filters")
    if not isinstance(filters, dict):
        return
    for key in ("campaign_id", "voucher_id"):
        scope = filters.get(key)
        ins = scope.get("conditions", {}).get("$in") if isinstance(scope, dict) else None
        if isinstance(ins, list) and len(ins) == 1 and isinstance(ins[0], str):
            # The campaign transactions export's scope types each ID as one character
            # (maxLength 1) while its own example shows a whole camp_ ID.
            filters[key] = {"conditions": {"$in": ["x"]}}
    _dates_as_text(filters)


def _dates_as_text(filters: dict[str, Any]) -> None:
    """A date condition's operands as plain text (docs/spec-errata.md).

    The schema's oneOf of a date-time string and a string matches a date-time twice, its
    own example's included.
    """
    for entry in filters.values():
        tests = entry.get("conditions") if isinstance(entry, dict) else None
        for condition in ("$after", "$before"):
            if isinstance(tests, dict) and isinstance(tests.get(condition), list):
                tests[condition] = ["(a date-time)" for _ in tests[condition]]


def _with_order_source_id(cleaned: dict[str, Any]) -> None:
    """A transaction's ``details.order`` with a null ``source_id`` gets a stand-in string."""
    details = cleaned.get("details")
    if not isinstance(details, dict) or "balance" not in details:
        return
    order = details.get("order")
    if isinstance(order, dict) and order.get("source_id", "") is None:
        details["order"] = {**order, "source_id": NO_ORDER_SOURCE_ID}


def validate_schema(name: str, body: object, *, spec: SpecName = "current") -> None:
    """Assert that ``body`` is valid against ``components/schemas/<name>``.

    With ``spec="current"`` the first split file defining ``name`` is used
    (the split files agree on every schema they share).

    Raises:
        SpecLookupError: if no file of ``spec`` defines the schema.
        SchemaValidationError: listing every validation error by JSON path.

    """
    _require_spec()
    for document in _documents(spec):
        if name in document.schemas:
            validator = _validator(spec, document.uri, _pointer("components", "schemas", name))
            _raise_for_errors(
                validator.iter_errors(body),
                f"schema {name} ({document.name}) [{spec}]",
            )
            return
    names = (schema for document in _documents(spec) for schema in document.schemas)
    close = difflib.get_close_matches(name, names, n=3)
    hint = f"; did you mean {', '.join(close)}?" if close else ""
    msg = f"no schema {name!r} in the {spec!r} spec ({_files(spec)}){hint}"
    raise SpecLookupError(msg)


# --------------------------------------------------------------------------
# Error reporting
# --------------------------------------------------------------------------


def _raise_for_errors(errors: Iterable[ValidationError], where: str) -> None:
    found = sorted(errors, key=lambda error: (error.json_path, error.message))
    if not found:
        return
    pairs: dict[tuple[str, str], None] = {}  # ordered set: schema branches repeat
    lines: dict[str, None] = {}
    for error in found:
        pair = (error.json_path, _message(error))
        pairs[pair] = None
        lines[f"  {pair[0]}: {pair[1]}"] = None
        for sub in _branch_errors(error):
            lines[f"      {sub.json_path}: {_message(sub)}"] = None
    header = f"body does not match {where}: {len(pairs)} error(s)"
    raise SchemaValidationError("\n".join([header, *lines]), errors=tuple(pairs))


def _branch_errors(error: ValidationError) -> Iterator[ValidationError]:
    """Leaf errors inside failed anyOf/oneOf branches, minus the null branch."""
    for sub in error.context or ():
        if sub.validator == "type" and sub.validator_value == "null":
            continue
        if sub.context:
            yield from _branch_errors(sub)
        else:
            yield sub


def _message(error: ValidationError) -> str:
    """``error.message`` with a long leading repr of the instance summarised."""
    message = str(error.message)
    instance = repr(error.instance)
    if len(instance) > _MAX_INSTANCE_LENGTH and message.startswith(instance):
        message = _summary(error.instance) + message[len(instance) :]
    if len(message) > _MAX_MESSAGE_LENGTH:
        message = message[: _MAX_MESSAGE_LENGTH - 3] + "..."
    return message


def _summary(instance: object) -> str:
    text = repr(instance)
    if len(text) <= _MAX_INSTANCE_LENGTH:
        return text
    if isinstance(instance, dict):
        keys = ", ".join(map(str, list(instance)[:_SUMMARY_KEYS]))
        more = ", ..." if len(instance) > _SUMMARY_KEYS else ""
        return f"<object with {len(instance)} keys: {keys}{more}>"
    if isinstance(instance, list):
        return f"<array of {len(instance)} item(s)>"
    return text[:_MAX_INSTANCE_LENGTH] + "..."
