"""The filter grammar: ``Filter`` and ``Condition`` values, and the ``filters`` parser.

The evaluator is pure (records are plain mappings, ``now`` is given); the parser turns
decoded query pairs into a ``Filter`` or raises 400 ``invalid_query_params``. A
hypothesis fuzz drives ``GET /v1/publications`` with generated filter queries and holds
the answers to a reference evaluation written here, independently.
"""

from __future__ import annotations

import datetime as dt
import string
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from loyalty_fake import LoyaltyFake
from loyalty_fake.errors import VoucherifyError
from loyalty_fake.filters import (
    ARRAY_CONDITIONS,
    BOOLEAN_CONDITIONS,
    CONDITIONS,
    DATE_TIME_CONDITIONS,
    NUMBER_CONDITIONS,
    RELATIVE_DATE_CONDITIONS,
    STRING_CONDITIONS,
    Condition,
    Filter,
    FilterField,
    Kind,
)
from loyalty_fake.http.filters import parse_filters
from loyalty_fake.http.messages import Request
from loyalty_fake.ledger import (
    PUBLICATION_FILTERS,
    TRANSACTION_FILTERS,
    publication_record,
    transaction_record,
)

if TYPE_CHECKING:
    from collections.abc import Callable

NOW = dt.datetime(2024, 3, 10, 12, 0, tzinfo=dt.timezone.utc)
TEXT = FilterField(Kind.STRING)


def _at(day: int, hour: int = 12) -> dt.datetime:
    return dt.datetime(2024, 3, day, hour, tzinfo=dt.timezone.utc)


def _keeps(condition: Condition, *values: Any) -> list[bool]:
    return [condition.matches(value, NOW) for value in values]


# -- the evaluator ---------------------------------------------------------------------------


def test_every_condition_of_every_kind_evaluates() -> None:
    """Each kind's conditions answer True or False for a value and for no value."""
    samples: dict[Kind, tuple[Any, Any]] = {
        Kind.STRING: ("abc", "b"),
        Kind.NUMBER: (5, 3.0),
        Kind.DATE_TIME: (_at(1), _at(2)),
        Kind.BOOLEAN: (True, True),
        Kind.ARRAY: (["a", "b"], "a"),
        Kind.ANY: ({"a": 1}, "x"),
    }
    conditions = {
        Kind.STRING: STRING_CONDITIONS,
        Kind.NUMBER: NUMBER_CONDITIONS,
        Kind.DATE_TIME: DATE_TIME_CONDITIONS + RELATIVE_DATE_CONDITIONS,
        Kind.BOOLEAN: BOOLEAN_CONDITIONS,
        Kind.ARRAY: ARRAY_CONDITIONS,
        Kind.ANY: FilterField(Kind.ANY).conditions,
    }
    for kind, names in conditions.items():
        value, operand = samples[kind]
        for name in names:
            assert name in CONDITIONS
            typed: Any = operand
            if name in {"$in", "$not_in"}:
                typed = (operand,)
            elif kind is Kind.DATE_TIME and name not in {"$after", "$before"}:
                typed = 3
            elif kind is Kind.ARRAY and name.startswith("$count"):
                typed = 2
            elif kind is Kind.ANY and name.startswith(("$more", "$less")):
                typed = 2.0
            condition = Condition("f", name, typed, kind)
            assert condition.matches(value, NOW) in {True, False}
            assert condition.matches(None, NOW) in {True, False}


@pytest.mark.parametrize(
    ("operator", "operand", "expected"),
    [
        ("$is", "gold", [True, False, False]),
        ("$is_not", "gold", [False, True, True]),
        ("$in", ("gold", "silver"), [True, True, False]),
        ("$not_in", ("gold", "silver"), [False, False, True]),
        ("$starts_with", "go", [True, False, False]),
        ("$ends_with", "er", [False, True, False]),
        ("$contains", "l", [True, True, False]),
        ("$not_contain", "l", [False, False, True]),
        ("$has_value", None, [True, True, False]),
        ("$is_unknown", None, [False, False, True]),
    ],
)
def test_text_conditions(operator: str, operand: Any, expected: list[bool]) -> None:
    """Text conditions, case-sensitive; a missing value is not any value and holds none."""
    assert _keeps(Condition("tier", operator, operand, Kind.STRING), "gold", "silver", None) == (
        expected
    )


@pytest.mark.parametrize(
    ("operator", "operand", "expected"),
    [
        ("$is", 5.0, [False, True, False, False]),
        ("$is_not", 5.0, [True, False, True, True]),
        ("$in", (1.0, 5.0), [False, True, False, False]),
        ("$more_than", 5.0, [False, False, True, False]),
        ("$more_than_equal", 5.0, [False, True, True, False]),
        ("$less_than", 5.0, [True, False, False, False]),
        ("$less_than_equal", 5.0, [True, True, False, False]),
    ],
)
def test_number_conditions(operator: str, operand: Any, expected: list[bool]) -> None:
    """Number comparisons; a missing value compares as nothing."""
    assert _keeps(Condition("n", operator, operand, Kind.NUMBER), 4, 5, 6.5, None) == expected


@pytest.mark.parametrize(
    ("operator", "operand", "expected"),
    [
        ("$after", _at(5), [False, False, True]),
        ("$before", _at(5), [True, False, False]),
        # 10 March 12:00 less 5 days is 5 March 12:00: strictly older, strictly newer.
        ("$more_than", 5, [True, False, False]),
        ("$less_than", 5, [False, False, True]),
        ("$more_than_ago", 5, [True, False, False]),
        ("$less_than_ago", 5, [False, False, True]),
        ("$is_days_ago", 5, [False, True, False]),
        ("$is_days_ago", 4, [False, False, True]),
    ],
)
def test_date_conditions(operator: str, operand: Any, expected: list[bool]) -> None:
    """Dates: strict bounds; day counts are relative to now ("more than 5 days ago")."""
    condition = Condition("created_at", operator, operand, Kind.DATE_TIME)
    assert _keeps(condition, _at(1), _at(5), _at(6)) == expected


def test_future_date_conditions() -> None:
    """Days in the future: more than, less than, and exactly."""
    later = [_at(11), _at(20), _at(9)]
    assert _keeps(Condition("d", "$more_than_future", 5, Kind.DATE_TIME), *later) == [
        False,
        True,
        False,
    ]
    assert _keeps(Condition("d", "$less_than_future", 5, Kind.DATE_TIME), *later) == [
        True,
        False,
        False,
    ]
    assert _keeps(Condition("d", "$is_days_in_future", 10, Kind.DATE_TIME), *later) == [
        False,
        True,
        False,
    ]


def test_day_counts_past_the_calendar_do_not_fail() -> None:
    """A count of days past year 1 or 9999 compares with the calendar's ends, not a crash."""
    huge = 10**12
    assert Condition("d", "$more_than", huge, Kind.DATE_TIME).matches(_at(1), NOW) is False
    assert Condition("d", "$less_than", huge, Kind.DATE_TIME).matches(_at(1), NOW) is True
    assert Condition("d", "$more_than_future", huge, Kind.DATE_TIME).matches(_at(1), NOW) is False


def test_boolean_array_and_free_form_conditions() -> None:
    """Booleans by identity, arrays by count and members, metadata as text or number."""
    no, yes = False, True
    assert _keeps(Condition("b", "$is", no, Kind.BOOLEAN), no, yes, None) == [
        True,
        False,
        False,
    ]
    assert _keeps(Condition("b", "$starts_with", "F", Kind.BOOLEAN), no, yes) == [True, False]
    assert _keeps(Condition("a", "$count_more", 1, Kind.ARRAY), ["x", "y"], ["x"], None) == [
        True,
        False,
        False,
    ]
    assert _keeps(Condition("a", "$in", ("y",), Kind.ARRAY), ["x", "y"], ["x"]) == [True, False]
    assert _keeps(Condition("m", "$is", "5", Kind.ANY), 5, "5", yes) == [True, True, False]
    assert _keeps(Condition("m", "$is", "true", Kind.ANY), yes, "true") == [True, True]
    assert _keeps(Condition("m", "$more_than", 4.0, Kind.ANY), 5, "5", None) == [
        True,
        False,
        False,
    ]


def test_junction_and_or() -> None:
    """And needs every condition, or any; no condition keeps every record."""
    gold = Condition("tier", "$is", "gold", Kind.STRING)
    many = Condition("visits", "$more_than", 10.0, Kind.NUMBER)
    records = [{"tier": "gold", "visits": 3}, {"tier": "silver", "visits": 12}, {}]
    both = Filter((gold, many), "and")
    either = Filter((gold, many), "or")
    assert [both.matches(r, NOW) for r in records] == [False, False, False]
    assert [either.matches(r, NOW) for r in records] == [True, True, False]
    assert not Filter()
    assert all(Filter(junction="or").matches(r, NOW) for r in records)


# -- the parser ---------------------------------------------------------------------------


def _parse(pairs: list[tuple[str, str]], **fields: FilterField) -> Filter:
    return parse_filters(pairs, fields or {"tier": TEXT})


def test_parse_the_spec_examples() -> None:
    """$in's values make one condition; each $is value is one; junction is any case."""
    parsed = _parse(
        [
            ("filters[tier][conditions][$in][0]", "gold"),
            ("filters[tier][conditions][$in][1]", "silver"),
            ("filters[tier][conditions][$is][0]", "a"),
            ("filters[tier][conditions][$is][1]", "b"),
            ("filters[junction]", "OR"),
            ("page", "2"),
        ]
    )
    assert parsed == Filter(
        (
            Condition("tier", "$in", ("gold", "silver"), Kind.STRING),
            Condition("tier", "$is", "a", Kind.STRING),
            Condition("tier", "$is", "b", Kind.STRING),
        ),
        "or",
    )


def test_parse_types_values_by_kind() -> None:
    """Dates, day counts, numbers and booleans are typed; +00:00 survives form decoding."""
    fields = {
        "created_at": FilterField(Kind.DATE_TIME),
        "n": FilterField(Kind.NUMBER),
        "b": FilterField(Kind.BOOLEAN),
    }
    parsed = parse_filters(
        [
            ("filters[created_at][conditions][$after]", "2024-03-01T10:00:00 00:00"),
            ("filters[created_at][conditions][$more_than]", "7"),
            ("filters[n][conditions][$in][]", "1.5"),
            ("filters[b][conditions][$is]", "TRUE"),
            ("filters[b][conditions][$has_value]", "anything"),
        ],
        fields,
    )
    assert parsed.conditions == (
        Condition("created_at", "$after", _at(1, 10), Kind.DATE_TIME),
        Condition("created_at", "$more_than", 7, Kind.DATE_TIME),
        Condition("n", "$in", (1.5,), Kind.NUMBER),
        Condition("b", "$is", operand=True, kind=Kind.BOOLEAN),
        Condition("b", "$has_value", None, Kind.BOOLEAN),
    )


@pytest.mark.parametrize(
    ("key", "value", "details"),
    [
        ("filters[tier][$is]", "x", "Property .filters should match either"),
        ("filters[tier][conditions][$nope]", "x", "Property .filters should match either"),
        ("filters[tier][conditions][$is][-1]", "x", "Property .filters should match either"),
        ("filters[tier]x[conditions][$is]", "x", "Property .filters should match either"),
        ("filters[junction]", "nand", "Property .filters.junction must be equal"),
        ("filters[colour][conditions][$is]", "x", "Property .filters.colour is not a filter"),
        ("filters[tier][conditions][$after]", "x", "Property .filters.tier.conditions.$after is"),
        ("filters[n][conditions][$is]", "1e999", "Property .filters.n.conditions.$is must be"),
        ("filters[n][conditions][$is]", "0x10", "Property .filters.n.conditions.$is must be"),
    ],
)
def test_parse_errors(key: str, value: str, details: str) -> None:
    """Off the grammar or the list's fields: 400 invalid_query_params naming the filter."""
    with pytest.raises(VoucherifyError) as raised:
        _parse([(key, value)], tier=TEXT, n=FilterField(Kind.NUMBER))
    error = raised.value
    assert (error.code, error.key, error.message) == (
        400,
        "invalid_query_params",
        "Invalid query params",
    )
    assert str(error.details).startswith(details)


def test_list_fields_are_in_their_records() -> None:
    """Every field a list filters on is a field of the records the ledger gives the filter."""
    fake = LoyaltyFake(now="2024-03-01T10:00:00Z")
    fake.create_loyalty_program("Club")
    code = fake.add_member("Club", {"source_id": "alice"}, metadata={"k": 1})["code"]
    fake.add_points(code, 5)
    with fake.ledger.session(fake.app_id) as session:
        [publication] = session.publications.all()
        _, [transaction] = session.points.transactions(code)
    assert set(publication_record(publication)) == {*PUBLICATION_FILTERS, "metadata.k"}
    assert set(transaction_record(transaction)) == set(TRANSACTION_FILTERS)


# -- fuzz: GET /v1/publications against a reference evaluation ------------------------------

_FIELDS = ("customer_id", "campaign_name", "source_id", "voucher_code", "result")
_BAD_FIELDS = ("colour", "created_at", "Customer_id", "metadata.")
_CONDITIONS = STRING_CONDITIONS
_BAD_CONDITIONS = ("$after", "$today", "$bogus", "is", "$IS")
_INDEXES = ("", "[]", "[0]", "[1]", "[12]")
_BAD_INDEXES = ("[x]", "[-1]", "[0][0]")


def _reference_record(publication: dict[str, Any]) -> dict[str, Any]:
    return {
        "customer_id": publication["customer_id"],
        "campaign_name": publication["campaign"],
        "source_id": publication["source_id"],
        "voucher_code": publication["voucher_code"],
        "result": publication["result"],
    }


def _reference_test(condition: str, actual: str | None, operands: list[str]) -> list[bool]:
    """The truth of each condition a query names, written out plainly."""
    if condition == "$has_value":
        return [actual is not None]
    if condition == "$is_unknown":
        return [actual is None]
    if condition == "$in":
        return [actual is not None and actual in operands]
    if condition == "$not_in":
        return [actual is None or actual not in operands]
    tests: dict[str, Callable[[str], bool]] = {
        "$is": lambda v: actual == v,
        "$is_not": lambda v: actual != v,
        "$starts_with": lambda v: actual is not None and actual.startswith(v),
        "$ends_with": lambda v: actual is not None and actual.endswith(v),
        "$contains": lambda v: actual is not None and v in actual,
        "$not_contain": lambda v: actual is None or v not in actual,
    }
    return [tests[condition](v) for v in operands]


def _reference(
    records: list[dict[str, Any]], terms: list[tuple[str, str, str]], junction: str
) -> set[str]:
    """The voucher codes a well-formed query keeps."""
    grouped: dict[tuple[str, str], list[str]] = {}
    for field, condition, value in terms:
        grouped.setdefault((field, condition), []).append(value)
    kept = set()
    for record in records:
        truths = [
            truth
            for (field, condition), values in grouped.items()
            for truth in _reference_test(condition, record[field], values)
        ]
        if not truths or (all(truths) if junction == "and" else any(truths)):
            kept.add(record["voucher_code"])
    return kept


_SAFE = st.sampled_from(["[]$", "[]", "$", ""])


@st.composite
def _terms(
    draw: st.DrawFn, values: dict[str, list[str]]
) -> tuple[list[tuple[str, str]], bool, Any]:
    """Encoded query pairs; whether they are well formed; what the reference needs."""
    pairs: list[tuple[str, str]] = []
    terms: list[tuple[str, str, str]] = []
    valid = True
    for _ in range(draw(st.integers(0, 4))):
        broken = draw(st.integers(0, 9)) == 0
        part = draw(st.sampled_from(["field", "condition", "index"])) if broken else None
        field = draw(st.sampled_from(_BAD_FIELDS if part == "field" else _FIELDS))
        condition = draw(st.sampled_from(_BAD_CONDITIONS if part == "condition" else _CONDITIONS))
        index = draw(st.sampled_from(_BAD_INDEXES if part == "index" else _INDEXES))
        known = st.sampled_from(values.get(field, [""]))
        value = draw(st.one_of(known, known, known, st.text(string.printable, max_size=6)))
        key = f"filters[{field}][conditions][{condition}]{index}"
        pairs.append((quote(key, safe=draw(_SAFE)), quote(value, safe="")))
        terms.append((field, condition, value))
        valid = valid and not broken
    junction = draw(st.sampled_from([None, "and", "or", "AND", "Or", "xor"]))
    if junction is not None:
        pairs.append(("filters%5Bjunction%5D", junction))
        valid = valid and junction.lower() in {"and", "or"}
    pairs = draw(st.permutations(pairs))
    return pairs, valid, (terms, (junction or "and").lower())


def _seeded() -> tuple[LoyaltyFake, list[dict[str, Any]]]:
    fake = LoyaltyFake(now="2024-03-01T10:00:00Z")
    fake.create_loyalty_program("Coffee Club")
    fake.create_loyalty_program("Tea Club")
    for index, name in enumerate(["alice", "bob", "carol", "dave"]):
        program = "Coffee Club" if index % 2 else "Tea Club"
        source = {"source_id": f"s{index}"} if index != 1 else {}
        fake.add_member(program, {"source_id": name}, **source)
    fake.add_member("Coffee Club", {"source_id": "alice"})
    return fake, [_reference_record(p) for p in fake.publications()]


_FAKE, _RECORDS = _seeded()


def _values(field: str) -> list[str]:
    """A field's values, and their starts and ends, so that $starts_with and its kin match."""
    whole = {str(r[field]) for r in _RECORDS if r[field] is not None}
    return sorted(whole | {v[:3] for v in whole} | {v[-3:] for v in whole} | {""})


_VALUES = {field: _values(field) for field in _FIELDS}


def _get(fake: LoyaltyFake, pairs: list[tuple[str, str]]) -> tuple[int, Any]:
    query = "&".join(f"{key}={value}" for key, value in [("limit", "100"), *pairs])
    response = fake.app.handle(Request.from_url("GET", f"/v1/publications?{query}", fake.headers))
    return response.status, response.json()


@settings(max_examples=300, deadline=None)
@given(case=_terms(_VALUES))
def test_fuzzed_filters_match_the_reference(case: Any) -> None:
    """Generated filter queries: 200 with the reference's publications, or 400 when broken."""
    pairs, valid, (terms, junction) = case
    status, body = _get(_FAKE, pairs)
    if not valid:
        assert (status, body["key"]) == (400, "invalid_query_params"), body
        return
    assert status == 200, body
    listed = {item["voucher"]["code"] for item in body["publications"]}
    assert listed == _reference(_RECORDS, terms, junction)
    assert body["total"] == len(listed)


_QUERY_TEXT = st.lists(
    st.sampled_from(
        [*"[]$%&=+ .-_0123456789aAzZ", "filters", "conditions", "junction", "%5B", "%24is"]
    ),
    max_size=30,
).map("".join)


@settings(max_examples=300, deadline=None)
@given(query=_QUERY_TEXT, suffix=st.sampled_from(["", "filters[", "filters%5B"]))
def test_any_filter_query_is_answered_200_or_400(query: str, suffix: str) -> None:
    """Whatever the query string, publications answer 200 or 400 invalid_query_params."""
    response = _FAKE.app.handle(
        Request.from_url("GET", f"/v1/publications?{suffix}{query}", _FAKE.headers)
    )
    body = response.json()
    assert response.status in {200, 400}, body
    if response.status == 400:
        assert body["key"] == "invalid_query_params"


def _transactions(fake: LoyaltyFake, code: str, query: str) -> tuple[int, Any]:
    response = fake.app.handle(
        Request.from_url("GET", f"/v1/loyalties/members/{code}/transactions?{query}", fake.headers)
    )
    return response.status, response.json()


@settings(max_examples=200, deadline=None)
@given(
    condition=st.sampled_from([*DATE_TIME_CONDITIONS, "$is", "$more_than_equal"]),
    value=st.text(string.printable, max_size=30)
    | st.datetimes(timezones=st.just(dt.timezone.utc)).map(dt.datetime.isoformat)
    | st.integers(-5, 10**30).map(str),
)
def test_fuzzed_date_filters_never_fail(condition: str, value: str) -> None:
    """Any value of any date condition: 200 or 400 invalid_query_params, never a 5xx."""
    status, body = _transactions(
        _FAKE, _CARD, f"filters[created_at][conditions][{condition}]={quote(value, safe='')}"
    )
    assert status in {200, 400}, body
    if status == 400:
        assert body["key"] == "invalid_query_params"


def _card(fake: LoyaltyFake) -> str:
    code: str = fake.publications()[0]["voucher_code"]
    fake.add_points(code, 10)
    return code


_CARD = _card(_FAKE)
