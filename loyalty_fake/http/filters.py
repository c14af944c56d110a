"""The ``filters`` query parameter: Voucherify's deepObject filter grammar, parsed once.

``filters[<field>][conditions][<condition>][<index>]=<value>`` (the index may be left
out, or empty) and ``filters[junction]=and|or``, with brackets raw or percent-encoded.
``parse_filters`` turns a request's pairs into a ``Filter`` for the fields a list
documents, and raises Voucherify's ``400 invalid_query_params`` for anything else: a key
off the grammar (with Voucherify's own message), a field the list does not have, a
condition the field does not take, or a value of the wrong type.
"""

from __future__ import annotations

import math
import re
from typing import TYPE_CHECKING

import attrs

from loyalty_fake import errors
from loyalty_fake.clock import parse_timestamp
from loyalty_fake.filters import (
    LIST_OPERANDS,
    NO_OPERAND,
    Condition,
    Filter,
    FilterField,
    Junction,
    Kind,
    Value,
)
from loyalty_fake.http.common_json import STRING, TIMESTAMP, Schema
from loyalty_fake.http.params import invalid_query, restore_plus

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Mapping

    from loyalty_fake.errors import VoucherifyError

__all__ = [
    "FILTERS",
    "METADATA_PREFIX",
    "filters_parameter",
    "parse_filter_object",
    "parse_filters",
]

FILTERS = "filters"
METADATA_PREFIX = "metadata."
# Every condition Voucherify's filter parser knows, as its own error message lists them
# (OpenAPI.json, the exports' 400 example). The fake evaluates those in CONDITIONS; the
# rest are refused for every field of the lists it serves.
_VOUCHERIFY_CONDITIONS = (
    "$in, $not_in, $in_location, $not_in_location, $is, $is_days_ago, $is_days_in_future, "
    "$is_not, $has_value, $is_unknown, $contains, $not_contain, $starts_with, $ends_with, "
    "$more_than, $less_than, $more_than_ago, $less_than_ago, $more_than_future, "
    "$less_than_future, $more_than_equal, $less_than_equal, $after, $before, $count, "
    "$count_less, $count_more, $today, $tomorrow, $yesterday, $this_week, $last_week, "
    "$next_week, $this_month, $last_month, $next_month, $this_year, $next_year, $last_year, "
    "$is_day_of_month, $is_day, $is_month, $is_year, $today_md, $tomorrow_md, $yesterday_md, "
    "$this_week_md, $last_week_md, $next_week_md, $this_month_md, $last_month_md, "
    "$next_month_md, $is_days_ago_md, $is_more_days_ago_md, $is_less_days_ago_md, "
    "$is_days_in_future_md, $is_more_days_in_future_md, $is_less_days_in_future_md, "
    "$is_years_ago, $active, $failed, $in_progress, $expired, $before_start, $enabled, "
    "$disabled, $redeemed, $redeemable"
)
_KNOWN_CONDITIONS = frozenset(_VOUCHERIFY_CONDITIONS.split(", "))
_FORMAT = (
    "Property .filters should match either "
    "`filters[${field}][conditions][${condition}][${index}]` or "
    "`filters[${field}][conditions][${condition}]` format and condition must be one of: "
    + _VOUCHERIFY_CONDITIONS
)
_JUNCTIONS: dict[str, Junction] = {"and": "and", "or": "or"}
# filters[a][b]...: the name, then bracketed segments and nothing else.
_SEGMENTS = re.compile(r"\[([^\[\]]*)\]")
_INDEX = re.compile(r"[0-9]*")
_INTEGER = re.compile(r"-?[0-9]+")
_NUMBER = re.compile(r"-?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?")
_BOOLEANS = {"true": True, "false": False}
_MOMENTS = frozenset({"$after", "$before"})
_EQUALITIES = frozenset({"$is", "$is_not", "$in", "$not_in"})
_ITEM_COUNTS = frozenset({"$count", "$count_less", "$count_more"})
_COMPARISONS = frozenset({"$more_than", "$less_than", "$more_than_equal", "$less_than_equal"})


def _segments(key: str) -> list[str] | None:
    """The bracketed segments after ``filters`` (``None`` when the key is off the form)."""
    rest = key[len(FILTERS) :]
    segments = _SEGMENTS.findall(rest)
    if "".join(f"[{segment}]" for segment in segments) != rest:
        return None
    return segments


@attrs.frozen
class _Answer:
    """How a filter's mistakes are answered: where it sits, and the error raised."""

    where: str
    fail: Callable[[str], VoucherifyError]


# A list's query answers invalid_query_params; a body's filter object, invalid_payload.
_QUERY = _Answer(".filters", invalid_query)
_BODY = _Answer(".filter", errors.invalid_payload)


def _field(
    name: str, fields: Mapping[str, FilterField], metadata: bool, answer: _Answer = _QUERY
) -> FilterField:
    if name in fields:
        return fields[name]
    if metadata and name.startswith(METADATA_PREFIX) and len(name) > len(METADATA_PREFIX):
        return FilterField(Kind.ANY)
    allowed = [*sorted(fields), *([f"{METADATA_PREFIX}<key>"] if metadata else [])]
    raise answer.fail(
        f"Property {answer.where}.{name} is not a filter of this list; "
        f"allowed: {', '.join(allowed)}, junction"
    )


def _count(path: str, raw: str, fail: Callable[[str], VoucherifyError]) -> int:
    """A count of days or items: a whole number, not negative."""
    if not _INTEGER.fullmatch(raw):
        raise fail(f"Property {path} must be integer")
    count = int(raw)
    if count < 0:
        raise fail(f"Property {path} must be >= 0")
    return count


def _operand(
    path: str, kind: Kind, condition: str, raw: str, fail: Callable[[str], VoucherifyError]
) -> Value:
    """One value of a condition, typed as the field's kind and the condition need."""
    if kind is Kind.DATE_TIME:
        if condition not in _MOMENTS:
            return _count(path, raw, fail)  # $more_than 10: more than ten days ago
        try:
            return parse_timestamp(restore_plus(raw))
        except ValueError:
            raise fail(
                f"Property {path} cannot be recognized as a ISO-8601 compliant date"
            ) from None
    if kind is Kind.ARRAY and condition in _ITEM_COUNTS:
        return _count(path, raw, fail)
    if kind is Kind.BOOLEAN and condition in _EQUALITIES:
        if raw.lower() not in _BOOLEANS:
            raise fail(f"Property {path} must be boolean")
        return _BOOLEANS[raw.lower()]
    if kind is Kind.NUMBER or (kind is Kind.ANY and condition in _COMPARISONS):
        value = float(raw) if _NUMBER.fullmatch(raw) else math.nan
        if not math.isfinite(value):
            raise fail(f"Property {path} must be number")
        return value
    return raw


def _conditions(
    name: str, spec: FilterField, condition: str, values: list[str], answer: _Answer = _QUERY
) -> list[Condition]:
    path = f"{answer.where}.{name}.conditions.{condition}"
    fail = answer.fail
    if condition not in spec.conditions:
        raise fail(f"Property {path} is not supported: {name} takes {', '.join(spec.conditions)}")
    if condition in NO_OPERAND:
        return [Condition(name, condition, None, spec.kind)]
    operands = [_operand(path, spec.kind, condition, raw, fail) for raw in values]
    if condition in LIST_OPERANDS:
        return [Condition(name, condition, tuple(operands), spec.kind)]
    return [Condition(name, condition, operand, spec.kind) for operand in operands]


def parse_filters(
    pairs: Iterable[tuple[str, str]],
    fields: Mapping[str, FilterField],
    *,
    metadata: bool = False,
) -> Filter:
    """The ``filters`` of decoded query ``pairs`` for a list with these ``fields``.

    ``metadata`` lets ``metadata.<key>`` fields through as free-form values. A repeated
    condition, with or without indexes, is several values: each value is one condition
    (``$is`` twice with ``junction=or`` is either value), except for ``$in`` and
    ``$not_in``, whose values make one list. Raises 400 ``invalid_query_params``.
    """
    junction: Junction = "and"
    grouped: dict[tuple[str, str], list[str]] = {}
    for key, value in pairs:
        if key != FILTERS and not key.startswith(f"{FILTERS}["):
            continue
        segments = _segments(key)
        if segments == ["junction"]:
            found = _JUNCTIONS.get(value.lower())
            if found is None:
                raise invalid_query(
                    "Property .filters.junction must be equal to one of the allowed values "
                    "[ and, or ]"
                )
            junction = found
            continue
        if (
            segments is None
            or len(segments) not in {3, 4}
            or not segments[0]
            or segments[1] != "conditions"
            or segments[2] not in _KNOWN_CONDITIONS
            or (len(segments) == 4 and not _INDEX.fullmatch(segments[3]))  # noqa: PLR2004
        ):
            raise invalid_query(_FORMAT)
        grouped.setdefault((segments[0], segments[2]), []).append(value)
    conditions: list[Condition] = []
    for (name, condition), values in grouped.items():
        spec = _field(name, fields, metadata)
        conditions.extend(_conditions(name, spec, condition, values))
    return Filter(tuple(conditions), junction)


def _raw(value: object) -> str | None:
    """A JSON operand as the query grammar's text: numbers and booleans as JSON spells them."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float | str):
        return str(value)
    return None


def parse_filter_object(
    data: Mapping[str, object],
    fields: Mapping[str, FilterField],
    *,
    metadata: bool = False,
) -> Filter:
    """A filter given as a JSON object (a segment's): the same grammar as ``filters``.

    ``{"junction": "and", "<field>": {"conditions": {"<condition>": <value or list>}}}``;
    each value is one condition, as in a query. Raises 400 ``invalid_payload``.
    """
    fail, where = _BODY.fail, _BODY.where
    junction: Junction = "and"
    conditions: list[Condition] = []
    for name, entry in data.items():
        if name == "junction":
            found = _JUNCTIONS.get(str(entry).lower()) if isinstance(entry, str) else None
            if found is None:
                raise fail(
                    f"Property {where}.junction must be equal to one of the allowed values "
                    "[ and, or ]"
                )
            junction = found
            continue
        spec = _field(name, fields, metadata, _BODY)
        tests = entry.get("conditions") if isinstance(entry, dict) else None
        if not isinstance(tests, dict) or not tests or len(entry) != 1:  # type: ignore[arg-type]
            raise fail(f"Property {where}.{name} must be {{conditions: {{<condition>: value}}}}")
        for condition, given in tests.items():
            values = given if isinstance(given, list) else [given]
            raws = [_raw(value) for value in values]
            if condition not in _KNOWN_CONDITIONS or (
                condition not in NO_OPERAND and (not raws or None in raws)
            ):
                raise fail(
                    f"Property {where}.{name}.conditions.{condition} must be a known "
                    "condition with a string, number or boolean value (or a list of them)"
                )
            texts = [raw for raw in raws if raw is not None]
            conditions.extend(_conditions(name, spec, condition, texts, _BODY))
    return Filter(tuple(conditions), junction)


# -- the parameter as the OpenAPI document declares it -----------------------------------------

_DAY_COUNT: Schema = {"type": "integer", "minimum": 0}
_JUNCTION_SCHEMA: Schema = {
    "type": "string",
    "pattern": "^([aA][nN][dD]|[oO][rR])$",
    "description": "and (the default) or or, in any case.",
}


def _operand_schema(kind: Kind, condition: str) -> Schema:
    """The schema of one value of ``condition`` on a field of ``kind``."""
    if condition in NO_OPERAND:
        return {"type": "string", "description": "Any value; empty in the spec's examples."}
    if kind is Kind.DATE_TIME:
        return TIMESTAMP if condition in {"$after", "$before"} else _DAY_COUNT
    if kind is Kind.ARRAY and condition.startswith("$count"):
        return _DAY_COUNT
    if kind is Kind.NUMBER or (kind is Kind.ANY and condition.startswith(("$more", "$less"))):
        return {"type": "number"}
    if kind is Kind.BOOLEAN and condition in {"$is", "$is_not", "$in", "$not_in"}:
        return {"type": "string", "enum": ["true", "false", "TRUE", "FALSE"]}
    return STRING


def _conditions_schema(kind: Kind, conditions: tuple[str, ...]) -> Schema:
    return {
        "type": "object",
        "properties": {
            "conditions": {
                "type": "object",
                "properties": {
                    condition: (
                        {"type": "array", "items": _operand_schema(kind, condition), "minItems": 1}
                        if condition in LIST_OPERANDS
                        else _operand_schema(kind, condition)
                    )
                    for condition in conditions
                },
                "additionalProperties": False,
                "minProperties": 1,
            }
        },
        "required": ["conditions"],
        "additionalProperties": False,
    }


def filters_parameter(fields: dict[str, FilterField], *, metadata: bool = False) -> Schema:
    """The ``filters`` deepObject of a list, from the fields the ledger filters on."""
    schema: Schema = {
        "type": "object",
        "properties": {
            "junction": _JUNCTION_SCHEMA,
            **{
                name: _conditions_schema(f.kind, f.conditions) for name, f in sorted(fields.items())
            },
        },
        "additionalProperties": False,
    }
    description = (
        "filters[<field>][conditions][<condition>][<index>]=<value>; the index may be "
        "left out. Each value is one condition, except $in and $not_in, whose values make "
        "one list; the junction joins them. Anything else is 400 invalid_query_params."
    )
    if metadata:
        any_field = FilterField(Kind.ANY)
        schema["patternProperties"] = {
            r"^metadata\..+$": _conditions_schema(any_field.kind, any_field.conditions)
        }
        description += " metadata.<key> filters on the publication's metadata."
    return {
        "name": "filters",
        "in": "query",
        "required": False,
        "style": "deepObject",
        "explode": True,
        "schema": schema,
        "description": description,
    }
