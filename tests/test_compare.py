"""The normaliser and the differ, on the spec's own response examples."""

from __future__ import annotations

import datetime as dt
import itertools
import json
import re
from functools import cache
from typing import Any

from loyalty_fake.compare import Difference, IdPairs, Normaliser, differences, normalise
from tests.spec import SPEC_DIR, requires_spec

_ID = re.compile(
    r"(?<![0-9A-Za-z_])[a-z][a-z0-9]{0,7}_(?=[0-9a-zA-Z]*[0-9A-Z])[0-9a-zA-Z]{8,}(?:_[0-9a-zA-Z]+)*"
)
_TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z")


@cache
def _examples() -> list[tuple[str, Any]]:
    """Every response example of the full spec, named ``METHOD path status name``."""
    spec = json.loads((SPEC_DIR / "OpenAPI.json").read_text(encoding="utf-8"))
    found = []
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            if not isinstance(operation, dict):
                continue
            for status, response in operation.get("responses", {}).items():
                for content in response.get("content", {}).values():
                    for name, example in content.get("examples", {}).items():
                        if "value" in example:
                            found.append(
                                (f"{method.upper()} {path} {status} {name}", example["value"])
                            )
    return found


def _strings(value: Any, key: str | None = None) -> list[tuple[str | None, str]]:
    if isinstance(value, dict):
        return [pair for k, v in value.items() for pair in _strings(v, k)]
    if isinstance(value, list):
        return [pair for item in value for pair in _strings(item, key)]
    return [(key, value)] if isinstance(value, str) else []


def _another_project(example: Any) -> Any:
    """The same example as another project would answer it: other IDs, codes and times."""
    counter = itertools.count()
    renamed: dict[str, str] = {}
    for key, text in _strings(example):
        for found in _ID.findall(text):
            renamed.setdefault(found, found.partition("_")[0] + f"_Z{next(counter):09d}")
        if key in {"code", "voucher_code", "referral_code", "tracking_id", "id"} and text:
            start = "U2FsdGVkX1" if text.startswith("U2FsdGVkX1") else ""
            renamed.setdefault(text, f"{start}OTHER{next(counter):04d}")
    long = sorted((old for old in renamed if len(old) >= 6), key=len, reverse=True)
    inside = re.compile("|".join(re.escape(old) for old in long))

    def later(match: re.Match[str]) -> str:
        moment = dt.datetime.fromisoformat(match[0].replace("Z", "+00:00"))
        return (moment + dt.timedelta(hours=5, seconds=7)).isoformat().replace("+00:00", "Z")

    def rewrite(value: Any) -> Any:
        if isinstance(value, dict):
            return {renamed.get(k, k): rewrite(v) for k, v in value.items()}
        if isinstance(value, list):
            return [rewrite(item) for item in value]
        if not isinstance(value, str):
            return value
        if value in renamed:
            return renamed[value]
        return _TIME.sub(later, inside.sub(lambda m: renamed[m[0]], value) if long else value)

    return rewrite(example)


@requires_spec
def test_the_spec_has_examples_to_compare() -> None:
    """The full spec holds hundreds of response examples (else the tests below prove nothing)."""
    assert len(_examples()) > 300


@requires_spec
def test_another_projects_answer_normalises_the_same() -> None:
    """Each example, with other IDs, codes and times, shows no difference once normalised."""
    failures = {
        name: differences(normalise(example), normalise(_another_project(example)))
        for name, example in _examples()
    }
    assert {name: found for name, found in failures.items() if found} == {}


@requires_spec
def test_no_id_or_time_survives_normalising() -> None:
    """No prefixed ID and no timestamp is left in a normalised example."""
    for name, example in _examples():
        for _key, text in _strings(normalise(example)):
            assert not _ID.search(text), (name, text)
            assert not _TIME.fullmatch(text), (name, text)


@requires_spec
def test_a_changed_value_is_the_one_difference() -> None:
    """Changing one number in an example is found, at its path, and nothing else."""
    checked = 0
    for _name, example in _examples():
        if not isinstance(example, dict):
            continue
        number = next(
            ((k, v) for k, v in example.items() if isinstance(v, int) and not isinstance(v, bool)),
            None,
        )
        if number is None:
            continue
        key, value = number
        changed = {**example, key: value + 1}
        assert differences(normalise(example), normalise(changed)) == [
            Difference("value", f"$.{key}", value, value + 1)
        ]
        checked += 1
    assert checked > 50


def test_the_same_id_gets_the_same_placeholder() -> None:
    """An ID is numbered by first appearance, and keeps its number wherever it recurs."""
    body = {
        "id": "camp_A1b2C3d4E5",
        "holder_id": "cust_Q9w8E7r6T5",
        "campaign_id": "camp_A1b2C3d4E5",
        "url": "/v1/loyalties/camp_A1b2C3d4E5/members",
        "code": "CLUB-1234",
        "redemption": {"url": "https://example.com/redeem?code=CLUB-1234"},
        "created_at": "2026-01-15T09:30:00.000Z",
        "type": "redemption_entries",
    }
    assert normalise(body) == {
        "id": "<camp_1>",
        "holder_id": "<cust_1>",
        "campaign_id": "<camp_1>",
        "url": "/v1/loyalties/<camp_1>/members",
        "code": "<code_1>",
        "redemption": {"url": "https://example.com/redeem?code=<code_1>"},
        "created_at": "<time>",
        "type": "redemption_entries",
    }


def test_each_kind_of_difference_is_named() -> None:
    """A key Voucherify has and the fake lacks, one the other way, a type, a length, a value."""
    upstream = {"a": 1, "b": "x", "c": [1, 2], "d": {"e": 1.5}}
    fake = {"b": 2, "c": [1], "d": {"e": 1.25}, "f": None}
    assert [d.as_json() for d in differences(upstream, fake)] == [
        {"kind": "missing", "path": "$.a", "upstream": 1},
        {"kind": "type", "path": "$.b", "upstream": "string", "fake": "number"},
        {"kind": "length", "path": "$.c", "upstream": 2, "fake": 1},
        {"kind": "value", "path": "$.d.e", "upstream": 1.5, "fake": 1.25},
        {"kind": "extra", "path": "$.f", "fake": None},
    ]


def test_ids_learnt_from_a_pair_of_answers_are_swapped_in_a_request() -> None:
    """Voucherify's ID in a path or body becomes the fake's, learnt at the same place."""
    pairs = IdPairs()
    pairs.learn(
        {"id": "camp_Real1234567", "code": "REAL-CODE"}, {"id": "camp_Fake7654321", "code": "FAKE"}
    )
    assert pairs.swap_path("/v1/loyalties/camp_Real1234567/members/REAL-CODE") == (
        "/v1/loyalties/camp_Fake7654321/members/FAKE"
    )
    assert pairs.swap({"voucher": "REAL-CODE", "note": "see camp_Real1234567"}) == {
        "voucher": "FAKE",
        "note": "see camp_Fake7654321",
    }


def test_a_normaliser_keeps_numbering_across_calls() -> None:
    """One normaliser over several bodies numbers an ID once (a report's lines stay comparable)."""
    normaliser = Normaliser()
    assert normaliser({"id": "cust_AAAA1111bbbb"}) == {"id": "<cust_1>"}
    assert normaliser(["cust_BBBB2222cccc", "cust_AAAA1111bbbb"]) == ["<cust_2>", "<cust_1>"]


def test_missing_spec_skips_with_what_to_do() -> None:
    """Without the spec the example tests skip, saying where to put it."""
    reason = requires_spec.kwargs["reason"]
    assert "LOYALTY_FAKE_OPENAPI_DIR" in reason or "voucherify-openapi" in reason
