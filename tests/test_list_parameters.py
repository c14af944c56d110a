"""Every list applies or refuses every query parameter its spec documents (docs/rules.md).

Walks Voucherify's documented query parameters (``OpenAPI.json`` and the newer split
docs together) of each list the fake serves, with each field of a ``filters`` schema and
each key of a deepObject as its own parameter, and holds them to the table in
docs/rules.md: every one has a row; an applied one names existing tests that mention it
and is in the fake's own OpenAPI document; a refused one is answered 400. A parameter a
newer spec adds therefore fails here until the fake applies or refuses it.
"""

from __future__ import annotations

import functools
import importlib
import inspect
import json
import re
from pathlib import Path
from typing import Any

import attrs
import pytest

from loyalty_fake import LoyaltyFake, openapi_document
from loyalty_fake.http.routes import ROUTES
from tests.spec import SPEC_AVAILABLE, SPEC_DIR

pytestmark = pytest.mark.skipif(not SPEC_AVAILABLE, reason="Voucherify's spec is not here")

RULES = Path(__file__).parent.parent / "docs" / "rules.md"
SECTION = "## Query parameters of every list"
_TEST_ID = re.compile(r"`(tests/[\w/]+\.py)::(\w+)`")
_LIST_SCHEMA = re.compile(r"(List|Redemptions)$")


@attrs.frozen
class Row:
    """One row of the table: a list, a parameter, what the fake does, the tests holding it."""

    templates: tuple[str, ...]
    parameter: str
    action: str
    tests: tuple[tuple[str, str], ...]


def _rows() -> list[Row]:
    text = RULES.read_text(encoding="utf-8")
    section = text[text.index(SECTION) :]
    section = section[: section.index("\n## ", len(SECTION))]
    rows = []
    for line in section.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split(" | ")]
        if len(cells) != 4 or not cells[0].startswith("`GET "):
            continue
        templates = tuple(part.strip("`")[len("GET ") :] for part in cells[0].split("<br>"))
        rows.extend(
            [Row(templates, cells[1].strip("`"), cells[2], tuple(_TEST_ID.findall(cells[3])))]
        )
    return rows


def _rows_that(action: str) -> list[Row]:
    return [row for row in _rows() if row.action.startswith(action)]


@functools.cache
def _documents() -> list[dict[str, Any]]:
    files = [
        SPEC_DIR / "OpenAPI.json",
        *sorted((SPEC_DIR / "current-docs-split-2026-08").glob("*.json")),
    ]
    return [json.loads(path.read_text(encoding="utf-8")) for path in files]


def _resolve(document: dict[str, Any], node: Any) -> Any:
    while isinstance(node, dict) and "$ref" in node:
        target: Any = document
        for part in node["$ref"].lstrip("#/").split("/"):
            target = target[part]
        node = target
    return node


def documented(template: str) -> set[str]:
    """The query parameters the spec documents for ``GET template``; deepObjects by key."""
    found: set[str] = set()
    for document in _documents():
        operation = document.get("paths", {}).get(template, {}).get("get")
        if operation is None:
            continue
        for parameter in operation.get("parameters", []):
            parameter = _resolve(document, parameter)  # noqa: PLW2901
            if parameter.get("in") != "query":
                continue
            schema = _resolve(document, parameter.get("schema", {}))
            if parameter["name"] == "filters" or parameter.get("style") == "deepObject":
                keys = schema.get("properties", {})
                found.update(f"{parameter['name']}[{key}]" for key in keys)
            else:
                found.add(parameter["name"])
    return found


def _lists() -> list[str]:
    """The list endpoints the fake serves: GET routes answering a list."""
    own = openapi_document()["paths"]
    templates = []
    for route in ROUTES:
        if route.method != "GET":
            continue
        answer = own[route.template]["get"]["responses"]["200"]["content"]["application/json"]
        if _LIST_SCHEMA.search(answer["schema"]["$ref"]):
            templates.append(route.template)
    return templates


def _row_of(template: str, parameter: str) -> Row | None:
    return next((r for r in _rows() if template in r.templates and r.parameter == parameter), None)


def _cases() -> list[tuple[str, str]]:
    if not SPEC_AVAILABLE:
        return []
    return [(template, name) for template in _lists() for name in sorted(documented(template))]


@pytest.mark.parametrize(("template", "parameter"), _cases())
def test_every_documented_parameter_has_a_row(template: str, parameter: str) -> None:
    """A parameter the spec documents is in the table, applied or refused, never ignored."""
    row = _row_of(template, parameter)
    assert row is not None, f"docs/rules.md has no row for GET {template} {parameter}"
    assert row.action.startswith(("applied", "refused")), row


def _mentions(source: str, parameter: str) -> bool:
    """Whether a test's source names the parameter (a filter by its field)."""
    name = parameter.rsplit("[", 1)[-1].rstrip("]") if "[" in parameter else parameter
    return re.search(rf"\b{re.escape(name)}\b", source) is not None


def _own_parameters(template: str) -> dict[str, Any]:
    operation = openapi_document()["paths"][template]["get"]
    return {p["name"]: p for p in operation.get("parameters", [])}


def _row_id(row: Row) -> str:
    return f"{row.templates[0]} {row.parameter}"


@pytest.mark.parametrize("row", _rows_that("applied"), ids=_row_id)
def test_applied_rows_are_held_and_documented(row: Row) -> None:
    """An applied parameter names tests that exist and mention it, and the fake documents it."""
    assert row.tests, row
    sources = []
    for path, name in row.tests:
        module = importlib.import_module(path.removesuffix(".py").replace("/", "."))
        assert hasattr(module, name), f"{path}::{name} does not exist"
        sources.append(inspect.getsource(getattr(module, name)))
    assert any(_mentions(source, row.parameter) for source in sources), row
    for template in row.templates:
        own = _own_parameters(template)
        name, _, key = row.parameter.partition("[")
        if name == "filters":
            filters = own["filters"]["schema"]
            assert key.rstrip("]") in filters["properties"], (template, row.parameter)
        else:
            assert row.parameter in own, (template, row.parameter)


@pytest.mark.parametrize("row", _rows_that("refused"), ids=_row_id)
def test_refused_rows_are_refused(row: Row) -> None:
    """A refused parameter is answered 400 invalid_query_params naming it."""
    fake = LoyaltyFake()
    fake.create_loyalty_program("Club")
    code = fake.add_member("Club", {"source_id": "alice"})["code"]
    path = row.templates[0].format(campaignId="Club", memberId=code, code=code)
    response = fake.request("GET", path, params={row.parameter: "x"})
    body = response.json()
    assert (response.status, body["key"]) == (400, "invalid_query_params"), body
    assert row.parameter.split("[")[0] in body["details"]


def test_the_table_names_only_lists_the_fake_serves() -> None:
    """Every row's lists are list endpoints of the route table."""
    lists = set(_lists())
    for row in _rows():
        assert set(row.templates) <= lists, row


def test_the_walk_reads_both_specs() -> None:
    """The walk finds the spec's filter fields, top-level filters and the newer junction."""
    publications = documented("/v1/publications")
    assert {"voucher_type", "is_referral_code", "filters[customer_id]"} <= publications
    # OpenAPI.json's transactions filters have no junction; the newer docs add it.
    assert "filters[junction]" in documented("/v1/loyalties/members/{memberId}/transactions")
    assert "ids" in documented("/v1/loyalties/{campaignId}/members")
