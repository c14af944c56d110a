"""``POST /v1/qualifications``: which redeemables a customer can use, and what each gives.

Reads the body (``QualificationsCheckEligibilityRequestBody``), asks the ledger
(``ledger/qualifications.py``), which changes nothing, and answers one page of redeemables.
The client-side twin ``POST /client/v1/qualifications`` answers the same
(``client_side.CLIENT_TWINS``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from loyalty_fake.http.common_json import FREE_OBJECT, STRING, Schema, enum
from loyalty_fake.http.customers import customer_ref
from loyalty_fake.http.declare import Operation, Route
from loyalty_fake.http.filters import parse_filter_object
from loyalty_fake.http.orders import order_input
from loyalty_fake.http.params import Body, parse_json_body
from loyalty_fake.http.qualifications_json import qualification_json
from loyalty_fake.ledger.qualifications import (
    DEFAULT_LIMIT,
    FILTER_FIELDS,
    MAX_LIMIT,
    SCENARIOS,
    SORTING_RULES,
    QualificationRequest,
    Qualifications,
)
from loyalty_fake.ledger.settings import stacking_rules

if TYPE_CHECKING:
    from loyalty_fake.filters import Filter
    from loyalty_fake.http.declare import Call

__all__ = ["PATH_PARAMETERS", "ROUTES", "qualification_request"]

PATH_PARAMETERS: dict[str, str] = {}

EXPAND = ("redeemable", "category", "validation_rules")
_CONDITIONS: Schema = {"type": "object", "properties": {"conditions": FREE_OBJECT}}
_BODY: Schema = {
    "type": "object",
    "properties": {
        "customer": FREE_OBJECT,
        "order": FREE_OBJECT,
        "tracking_id": STRING,
        "scenario": enum(*SCENARIOS),
        "options": {
            "type": "object",
            "properties": {
                "limit": {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT},
                "starting_after": {"type": ["string", "null"], "format": "date-time"},
                "filters": {
                    "type": "object",
                    "properties": {
                        "junction": STRING,
                        **dict.fromkeys(FILTER_FIELDS, _CONDITIONS),
                    },
                },
                "expand": {"type": "array", "items": enum(*EXPAND)},
                "sorting_rule": enum(*SORTING_RULES),
            },
        },
        "metadata": FREE_OBJECT,
        "session": FREE_OBJECT,
    },
}


def _filters(options: Body) -> Filter:
    """``options.filters``: ``$is``/``$is_not`` read their first value, as the spec says."""
    raw = options.mapping("filters")
    if raw is None:
        return parse_filter_object({}, FILTER_FIELDS)
    given: dict[str, Any] = {}
    for name, entry in raw.items():
        tests = entry.get("conditions") if isinstance(entry, dict) else None
        if isinstance(entry, dict) and isinstance(tests, dict):
            tests = {
                condition: value[:1]
                if condition in ("$is", "$is_not") and isinstance(value, list)
                else value
                for condition, value in tests.items()
            }
            given[name] = {**entry, "conditions": tests}
        else:
            given[name] = entry
    return parse_filter_object(given, FILTER_FIELDS)


def _expand(options: Body) -> None:
    raw = options.data.get("expand")
    if raw is None:
        return
    if not isinstance(raw, list) or not all(each in EXPAND for each in raw):
        options.fail("expand", f"must be array of [ {', '.join(EXPAND)} ]")


def qualification_request(body: Body) -> tuple[QualificationRequest, str | None]:
    """The body read, and its ``tracking_id``; 400 ``invalid_payload`` otherwise."""
    order_body = body.obj("order")
    order = order_input(order_body, identified=True) if order_body is not None else None
    customer = customer_ref(body) if body.data.get("customer") is not None else None
    tracking = body.string("tracking_id")
    scenario = body.choice("scenario", SCENARIOS) or "ALL"
    options = body.obj("options") or Body({}, f"{body.path}.options")
    limit = options.integer("limit", minimum=1, maximum=MAX_LIMIT) or DEFAULT_LIMIT
    starting_after = options.timestamp("starting_after")
    filters = _filters(options)
    _expand(options)
    sorting = options.choice("sorting_rule", SORTING_RULES) or "DEFAULT"
    metadata = body.mapping("metadata")
    body.mapping("session")
    if customer is None and tracking:
        customer = customer_ref(Body({"customer": {"source_id": tracking}}, body.path))
    request = QualificationRequest(
        customer=customer,
        order=order,
        scenario=scenario,
        limit=limit,
        starting_after=starting_after,
        filters=filters,
        sorting_rule=sorting,
        metadata=metadata,
    )
    return request, tracking


def check_eligibility(call: Call) -> tuple[int, Any]:
    """``POST /v1/qualifications``: the redeemables the customer can use; changes nothing."""
    request, tracking = qualification_request(Body(parse_json_body(call.request)))
    qualification = Qualifications(call.session).qualify(request)
    if tracking is None and request.customer is not None:
        found = qualification.customer
        tracking = found.source_id if found is not None else request.customer.source_id
    rules = stacking_rules(call.session)
    return 200, qualification_json(qualification, request.order, tracking, rules)


ROUTES: tuple[Route, ...] = (
    Route(
        "POST",
        "/v1/qualifications",
        check_eligibility,
        Operation(
            "check_eligibility",
            "The redeemables a customer can use with an order, and what each gives: changes"
            " nothing",
            "Qualification",
            body=_BODY,
            errors=" 400 invalid_payload for a malformed body.",
        ),
    ),
)
