"""Voucherify's filter grammar as values: conditions on a record's fields, and a junction.

A list's ``filters`` query (``filters[customer_id][conditions][$in][0]=cust_1``) becomes a
``Filter`` (``loyalty_fake.http.filters`` parses it); the ledger asks it whether a record,
given as a mapping of field names to plain values, ``matches``. Nothing here knows HTTP:
values are already typed, and ``now`` is passed in, never read from a clock.

Each field has a ``Kind`` that says what its conditions mean: ``$more_than`` is "greater
than" for a number but "more days ago than" for a date (``FilterConditionsDateTime``).
A list names the conditions each of its fields takes (``FilterField``), as its spec does.
"""

from __future__ import annotations

import datetime as dt
import enum
import json
import math
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Literal

import attrs

if TYPE_CHECKING:
    from collections.abc import Mapping

__all__ = [
    "ARRAY_CONDITIONS",
    "BOOLEAN_CONDITIONS",
    "CONDITIONS",
    "DATE_TIME_CONDITIONS",
    "ENUM_CONDITIONS",
    "LIST_OPERANDS",
    "NO_OPERAND",
    "NUMBER_CONDITIONS",
    "RELATIVE_DATE_CONDITIONS",
    "STRING_CONDITIONS",
    "Condition",
    "Filter",
    "FilterField",
    "Junction",
    "Kind",
    "Value",
]

Junction = Literal["and", "or"]
# A condition's operand, typed by its field's kind: text, a number, a boolean, a moment,
# a count of days or items, the values of $in/$not_in, or nothing ($has_value, $is_unknown).
Value = str | float | bool | dt.datetime | int | tuple[Any, ...] | None


class Kind(enum.Enum):
    """How a field's values compare, and so what its conditions mean."""

    STRING = "string"
    NUMBER = "number"
    DATE_TIME = "date-time"
    BOOLEAN = "boolean"
    ARRAY = "array"
    # Free-form values (metadata): text conditions on the text form, numeric ones on numbers.
    ANY = "any"


# Every condition Voucherify's filter schemas name (``FiltersCondition``, the union of
# ``FilterConditionsString``, ``FilterConditionsDateTime`` and the number and count
# conditions), in the spec's order. The evaluator implements each for the kinds it fits.
CONDITIONS: tuple[str, ...] = (
    "$in",
    "$not_in",
    "$is",
    "$is_days_ago",
    "$is_days_in_future",
    "$is_not",
    "$has_value",
    "$is_unknown",
    "$contains",
    "$not_contain",
    "$starts_with",
    "$ends_with",
    "$more_than",
    "$less_than",
    "$more_than_ago",
    "$less_than_ago",
    "$more_than_future",
    "$less_than_future",
    "$more_than_equal",
    "$less_than_equal",
    "$after",
    "$before",
    "$count",
    "$count_less",
    "$count_more",
)

# The conditions of each kind, from the spec's schemas: FilterConditionsString (with the
# newer docs' $contains and $not_contain) and FilterConditionsDateTime. Numbers take the
# comparisons the filter docs list; booleans and arrays what makes sense for them.
_PRESENCE = ("$has_value", "$is_unknown")
# What the spec gives a text field whose values are an enum (the bin's resource_type, a
# customer redeemable's voucher_type): FilterConditionsString's, without $contains.
ENUM_CONDITIONS: tuple[str, ...] = (
    "$in",
    "$not_in",
    "$is",
    "$is_not",
    *_PRESENCE,
    "$starts_with",
    "$ends_with",
)
STRING_CONDITIONS: tuple[str, ...] = (*ENUM_CONDITIONS, "$contains", "$not_contain")
DATE_TIME_CONDITIONS: tuple[str, ...] = (
    "$after",
    "$before",
    *_PRESENCE,
    "$more_than",
    "$less_than",
)
# Relative dates some of Voucherify's filters take (exports); a list's field opts in.
RELATIVE_DATE_CONDITIONS: tuple[str, ...] = (
    "$is_days_ago",
    "$is_days_in_future",
    "$more_than_ago",
    "$less_than_ago",
    "$more_than_future",
    "$less_than_future",
)
NUMBER_CONDITIONS: tuple[str, ...] = (
    "$in",
    "$not_in",
    "$is",
    "$is_not",
    *_PRESENCE,
    "$more_than",
    "$less_than",
    "$more_than_equal",
    "$less_than_equal",
)
BOOLEAN_CONDITIONS: tuple[str, ...] = ("$in", "$not_in", "$is", "$is_not", *_PRESENCE)
ARRAY_CONDITIONS: tuple[str, ...] = (
    "$in",
    "$not_in",
    *_PRESENCE,
    "$count",
    "$count_less",
    "$count_more",
)
# The comparisons that make a free-form value a number.
_COMPARISONS: tuple[str, ...] = ("$more_than", "$less_than", "$more_than_equal", "$less_than_equal")
_ANY_CONDITIONS: tuple[str, ...] = (*STRING_CONDITIONS, *_COMPARISONS)
_DEFAULT_CONDITIONS: dict[Kind, tuple[str, ...]] = {
    Kind.STRING: STRING_CONDITIONS,
    Kind.NUMBER: NUMBER_CONDITIONS,
    Kind.DATE_TIME: DATE_TIME_CONDITIONS,
    Kind.BOOLEAN: BOOLEAN_CONDITIONS,
    Kind.ARRAY: ARRAY_CONDITIONS,
    Kind.ANY: _ANY_CONDITIONS,
}
# Conditions whose operand is a whole list (one condition), not one value per condition.
LIST_OPERANDS = frozenset({"$in", "$not_in"})
# Conditions that take no operand: "The value for this parameter is an empty string."
NO_OPERAND = frozenset(_PRESENCE)
_EARLIEST = dt.datetime.min.replace(tzinfo=dt.timezone.utc)
_LATEST = dt.datetime.max.replace(tzinfo=dt.timezone.utc)


@attrs.frozen
class FilterField:
    """One field a list can be filtered on: its kind and the conditions it takes."""

    kind: Kind
    conditions: tuple[str, ...] = attrs.field()

    @conditions.default
    def _by_kind(self) -> tuple[str, ...]:
        return _DEFAULT_CONDITIONS[self.kind]


def _text(value: Any) -> str | None:
    """A free-form value as text: JSON's spelling for anything but a string."""
    if value is None or isinstance(value, str):
        return value
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False, sort_keys=True)


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def _days(now: dt.datetime, days: int) -> dt.datetime:
    """``days`` days before ``now`` (after it when negative), at worst the first or last moment."""
    try:
        return now - dt.timedelta(days=days)
    except OverflowError:
        return _EARLIEST if days > 0 else _LATEST


# Each kind's tests: (value, operand) -> bool; dates also take ``now`` for day counts
# ("more than 10 days ago"). Made once, not per record.
_Test = Callable[[Any, Any], bool]
_DATE_TESTS: dict[str, Callable[[dt.datetime, Any, dt.datetime], bool]] = {
    "$after": lambda value, operand, _now: value > operand,
    "$before": lambda value, operand, _now: value < operand,
    "$more_than": lambda value, days, now: value < _days(now, days),
    "$less_than": lambda value, days, now: value > _days(now, days),
    "$more_than_ago": lambda value, days, now: value < _days(now, days),
    "$less_than_ago": lambda value, days, now: _days(now, days) < value <= now,
    "$more_than_future": lambda value, days, now: value > _days(now, -days),
    "$less_than_future": lambda value, days, now: now <= value < _days(now, -days),
    "$is_days_ago": lambda value, days, now: value.date() == _days(now, days).date(),
    "$is_days_in_future": lambda value, days, now: value.date() == _days(now, -days).date(),
}
_NUMBER_TESTS: dict[str, _Test] = {
    "$is": lambda value, operand: value == operand,
    "$is_not": lambda value, operand: value != operand,
    "$in": lambda value, operand: value in operand,
    "$not_in": lambda value, operand: value not in operand,
    "$more_than": lambda value, operand: value > operand,
    "$less_than": lambda value, operand: value < operand,
    "$more_than_equal": lambda value, operand: value >= operand,
    "$less_than_equal": lambda value, operand: value <= operand,
}
_TEXT_TESTS: dict[str, _Test] = {
    "$is": lambda value, operand: value == operand,
    "$is_not": lambda value, operand: value != operand,
    "$in": lambda value, operand: value in operand,
    "$not_in": lambda value, operand: value not in operand,
    "$starts_with": lambda value, operand: value.startswith(operand),
    "$ends_with": lambda value, operand: value.endswith(operand),
    "$contains": lambda value, operand: operand in value,
    "$not_contain": lambda value, operand: operand not in value,
}
_BOOLEAN_TESTS: dict[str, _Test] = {
    "$is": lambda value, operand: value is operand,
    "$is_not": lambda value, operand: value is not operand,
    "$in": lambda value, operand: value in operand,
    "$not_in": lambda value, operand: value not in operand,
}
_ARRAY_TESTS: dict[str, _Test] = {
    "$in": lambda items, operand: any(item in operand for item in items),
    "$not_in": lambda items, operand: not any(item in operand for item in items),
    "$count": lambda items, count: len(items) == count,
    "$count_less": lambda items, count: len(items) < count,
    "$count_more": lambda items, count: len(items) > count,
}


# What a negative condition says of a field without a value: it is not that value, it is
# in no list, it contains nothing. Every other condition fails on a missing value.
_TRUE_WHEN_MISSING = frozenset({"$is_not", "$not_in", "$not_contain", "$is_unknown"})


@attrs.frozen
class Condition:
    """One test of one field: ``field`` ``operator`` ``operand`` (``created_at $after T``)."""

    field: str
    operator: str
    operand: Value
    kind: Kind

    def matches(self, actual: Any, now: dt.datetime) -> bool:
        """Whether a record whose field holds ``actual`` meets this condition at ``now``."""
        operator = self.operator
        if operator == "$has_value":
            return actual is not None
        if actual is None:
            return operator in _TRUE_WHEN_MISSING
        if operator == "$is_unknown":
            return False
        return _MATCHERS[self.kind](operator, actual, self.operand, now)


def _match_string(operator: str, actual: Any, operand: Any, _now: dt.datetime) -> bool:
    return _TEXT_TESTS[operator](str(actual), operand)


def _match_number(operator: str, actual: Any, operand: Any, _now: dt.datetime) -> bool:
    number = _number(actual)
    if number is None or math.isnan(number):
        return operator in _TRUE_WHEN_MISSING
    return _NUMBER_TESTS[operator](number, operand)


def _match_date_time(operator: str, actual: Any, operand: Any, now: dt.datetime) -> bool:
    return _DATE_TESTS[operator](actual, operand, now)


def _match_boolean(operator: str, actual: Any, operand: Any, _now: dt.datetime) -> bool:
    """Equality on the value; a text condition (a spec may allow one) on ``true``/``false``."""
    test = _BOOLEAN_TESTS.get(operator)
    if test is None:
        return _TEXT_TESTS[operator]("true" if actual else "false", str(operand).lower())
    return test(actual, operand)


def _match_array(operator: str, actual: Any, operand: Any, _now: dt.datetime) -> bool:
    return _ARRAY_TESTS[operator](list(actual), operand)


def _match_any(operator: str, actual: Any, operand: Any, now: dt.datetime) -> bool:
    if operator in _COMPARISONS:
        return _match_number(operator, actual, operand, now)
    text = _text(actual)
    assert text is not None  # noqa: S101 - Condition.matches handled a missing value
    return _TEXT_TESTS[operator](text, operand)


_MATCHERS: dict[Kind, Callable[[str, Any, Any, dt.datetime], bool]] = {
    Kind.STRING: _match_string,
    Kind.NUMBER: _match_number,
    Kind.DATE_TIME: _match_date_time,
    Kind.BOOLEAN: _match_boolean,
    Kind.ARRAY: _match_array,
    Kind.ANY: _match_any,
}


@attrs.frozen
class Filter:
    """Conditions joined by a junction: ``and`` keeps a record that meets all, ``or`` any.

    No conditions keep every record.
    """

    conditions: tuple[Condition, ...] = ()
    junction: Junction = "and"

    def __bool__(self) -> bool:
        return bool(self.conditions)

    def matches(self, record: Mapping[str, Any], now: dt.datetime) -> bool:
        """Whether ``record`` (field name to value; absent means no value) passes at ``now``."""
        if not self.conditions:
            return True
        results = (c.matches(record.get(c.field), now) for c in self.conditions)
        return all(results) if self.junction == "and" else any(results)
