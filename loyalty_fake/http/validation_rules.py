"""``/v1/validation-rules``: create, list, get, update, delete, and their assignments.

A rule's ``rules`` (and ``bundle_rules``) tree is checked when it is saved
(``ledger/validation_rule_tree.py``): an unknown name or condition, a missing ``property``
or a logic naming no rule is 400 ``invalid_validation_rules``; names and conditions the
fake cannot evaluate (product collections, discount effects) are 501.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from loyalty_fake import errors
from loyalty_fake.http import paging
from loyalty_fake.http.common_json import BOOLEAN, STRING, TIMESTAMP
from loyalty_fake.http.declare import Operation, Route, orders, query
from loyalty_fake.http.params import MAX_INTEGER, Body, Query, parse_json_body
from loyalty_fake.http.validation_rules_json import (
    APPLICABLE_EFFECTS,
    APPLICABLE_OBJECTS,
    ASSIGNMENT_REQUEST,
    CONTEXT_TYPES,
    RELATED_TYPES,
    RULE_REQUEST,
    RULE_TYPES,
    assignment_json,
    validation_rule_json,
)
from loyalty_fake.ledger.products import find_product, find_sku
from loyalty_fake.ledger.validation_rule_tree import check_tree
from loyalty_fake.ledger.validation_rules import ASSIGNMENT_ORDERS, RULE_ORDERS, RuleSpec

if TYPE_CHECKING:
    from loyalty_fake.http.declare import Call
    from loyalty_fake.ledger.validation_rules import ValidationRule

__all__ = ["PATH_PARAMETERS", "ROUTES"]

PATH_PARAMETERS = {
    "validationRuleId": "A validation rule's ID (val_).",
    "assignmentId": "A validation rule assignment's ID (asgm_).",
}

_RULES = "/v1/validation-rules"
_RULE = f"{_RULES}/{{validationRuleId}}"
_RULE_ASSIGNMENTS = f"{_RULE}/assignments"
_LIMITS = (
    "quantity_limit",
    "aggregated_quantity_limit",
    "amount_limit",
    "aggregated_amount_limit",
    "repeat",
    "skip_initially",
)


def _entry(call: Call, body: Body) -> dict[str, Any]:
    """One ``applicable_to`` item: a product, SKU or collection, found when the fake has it."""
    body.require("object")
    kind = body.choice("object", APPLICABLE_OBJECTS)
    ident = body.string("id", non_empty=True)
    source_id = body.string("source_id", non_empty=True)
    if ident is None and source_id is None:
        body.require("id")
    entry: dict[str, Any] = {"object": kind, "id": ident, "source_id": source_id}
    if kind in {"product", "sku"}:
        project = call.session.project
        ref = str(ident if ident is not None else source_id)
        found = find_product(project, ref) if kind == "product" else find_sku(project, ref)
        if found is not None:
            entry["id"], entry["source_id"] = found.id, found.source_id
        elif call.session.strict_products:
            raise errors.not_found(str(kind), ref)
    if entry["id"] is None:
        # Only a product or SKU the fake holds can be named by its source_id alone.
        body.require("id")
    if entry["source_id"] is None:
        # ApplicableTo.source_id is a string; the spec's examples' null fails its own schema.
        del entry["source_id"]
    entry["strict"] = bool(body.boolean("strict"))
    entry["effect"] = body.choice("effect", APPLICABLE_EFFECTS) or "APPLY_TO_EVERY"
    return _limits(body, entry)


def _limits(body: Body, entry: dict[str, Any]) -> dict[str, Any]:
    """An ``applicable_to`` item's limits, price and lines, where given."""
    for key in _LIMITS:
        value = body.integer(key, minimum=0)
        if value is not None:
            entry[key] = value
    for key in ("product_id", "product_source_id"):
        text = body.string(key)
        if text is not None:
            entry[key] = text
    price = body.data.get("price")
    if price is not None:
        if isinstance(price, bool) or not isinstance(price, int | float) or price < 0:
            body.fail("price", "must be a number >= 0")
        entry["price"] = price
    formula = body.data.get("price_formula")
    if formula is not None:
        if isinstance(formula, bool) or not isinstance(formula, int | float | str):
            body.fail("price_formula", "must be a number or a string")
        entry["price_formula"] = formula
    return _lines(body, entry)


def _lines(body: Body, entry: dict[str, Any]) -> dict[str, Any]:
    target = body.choice("target", ("ITEM", "UNIT"))
    if target is not None:
        entry["target"] = target
    indices = body.data.get("order_item_indices")
    if indices is not None:
        if not _counts(indices):
            body.fail("order_item_indices", "must be array of integers >= 0")
        entry["order_item_indices"] = list(indices)
    units = body.data.get("order_item_units")
    if units is not None:
        if not isinstance(units, list) or not all(
            isinstance(unit, dict)
            and _counts([unit.get("index", 0)])
            and _counts(unit.get("units", []))
            for unit in units
        ):
            body.fail("order_item_units", "must be array of {index, units} objects")
        entry["order_item_units"] = [dict(unit) for unit in units]
    return entry


def _counts(values: Any) -> bool:
    return isinstance(values, list) and all(
        isinstance(v, int) and not isinstance(v, bool) and 0 <= v <= MAX_INTEGER for v in values
    )


def _applicable_to(call: Call, body: Body) -> dict[str, Any] | None:
    applicable = body.obj("applicable_to")
    if applicable is None:
        return None
    found: dict[str, Any] = {}
    for side in ("excluded", "included"):
        raw = applicable.data.get(side)
        if raw is None:
            found[side] = []
            continue
        if not isinstance(raw, list) or not all(isinstance(item, dict) for item in raw):
            applicable.fail(side, "must be array of objects")
        found[side] = [
            _entry(call, Body(item, f"{applicable.path}.{side}[{index}]"))
            for index, item in enumerate(raw)
        ]
    found["included_all"] = bool(applicable.boolean("included_all"))
    return found


def _spec(call: Call, body: Body, *, create: bool) -> RuleSpec:
    """What a create (or update) request sets on a rule; 400 for what cannot be."""
    if create:
        body.require("name")
    error = body.obj("error")
    message = error.string("message") if error is not None else None
    raw_bundle = body.data.get("bundle_rules")
    return RuleSpec(
        name=body.string("name", non_empty=True),
        rules=check_tree(body.data["rules"], "rules")
        if body.data.get("rules") is not None
        else None,
        bundle_rules=check_tree(raw_bundle, "bundle_rules") if raw_bundle is not None else None,
        # "While updating with the PUT method, you can pass bundle_rules: null to delete".
        drop_bundle_rules=not create and "bundle_rules" in body.data and raw_bundle is None,
        error={"message": message} if error is not None else None,
        applicable_to=_applicable_to(call, body),
        type=body.choice("type", RULE_TYPES),
        context_type=body.choice("context_type", CONTEXT_TYPES),
    )


def _rule_json(call: Call, rule: ValidationRule) -> dict[str, Any]:
    return validation_rule_json(rule, call.session.validation_rules.assignments_count(rule.id))


def create_validation_rule(call: Call) -> tuple[int, Any]:
    """``POST /v1/validation-rules``: a new rule, its tree checked."""
    spec = _spec(call, Body(parse_json_body(call.request)), create=True)
    return 200, _rule_json(call, call.session.validation_rules.create(spec))


def list_validation_rules(call: Call) -> tuple[int, Any]:
    """``GET /v1/validation-rules``: the rules, oldest first unless ``order`` says."""
    params = Query(call.request.query)
    page = paging.page(params)
    rules, total = call.session.validation_rules.page(
        limit=page.limit,
        page=page.number,
        order=params.choice("order", RULE_ORDERS, "created_at"),
        start=params.moment("start_date"),
        end=params.moment("end_date"),
    )
    data = [_rule_json(call, rule) for rule in rules]
    return 200, {"object": "list", "data_ref": "data", "data": data, "total": total}


def get_validation_rule(call: Call) -> tuple[int, Any]:
    """``GET /v1/validation-rules/{validationRuleId}``."""
    return 200, _rule_json(call, call.session.validation_rules.get(call.params["validationRuleId"]))


def update_validation_rule(call: Call) -> tuple[int, Any]:
    """``PUT /v1/validation-rules/{validationRuleId}``: what the body gives changes."""
    spec = _spec(call, Body(parse_json_body(call.request)), create=False)
    rule = call.session.validation_rules.update(call.params["validationRuleId"], spec)
    return 200, _rule_json(call, rule)


def delete_validation_rule(call: Call) -> tuple[int, Any]:
    """``DELETE /v1/validation-rules/{validationRuleId}``: 204; its assignments go too."""
    call.session.validation_rules.delete(call.params["validationRuleId"])
    return 204, None


def _assignments_page(
    call: Call, *, rule_id: str | None, related_object_id: str | None
) -> tuple[int, Any]:
    params = Query(call.request.query)
    page = paging.page(params)
    found, total = call.session.validation_rules.assignments(
        limit=page.limit,
        page=page.number,
        order=params.choice("order", ASSIGNMENT_ORDERS, "created_at"),
        rule_id=rule_id,
        related_object_id=related_object_id,
    )
    data = [assignment_json(assignment) for assignment in found]
    return 200, {"object": "list", "data_ref": "data", "data": data, "total": total}


def list_all_assignments(call: Call) -> tuple[int, Any]:
    """``GET /v1/validation-rules-assignments``: by ``related_object_id`` or ``rule``."""
    params = Query(call.request.query)
    return _assignments_page(
        call, rule_id=params.string("rule"), related_object_id=params.string("related_object_id")
    )


def list_rule_assignments(call: Call) -> tuple[int, Any]:
    """``GET …/{validationRuleId}/assignments``: an unknown rule has none (documented)."""
    return _assignments_page(call, rule_id=call.params["validationRuleId"], related_object_id=None)


def _related(body: Body) -> tuple[str, str]:
    """The object a request assigns to: ``related_object_type``/``_id``, or ``{voucher: id}``."""
    given = [kind for kind in RELATED_TYPES if body.string(kind, non_empty=True) is not None]
    if body.data.get("related_object_id") is None and len(given) == 1:
        kind = given[0]
        ident = body.string(kind, non_empty=True)
        assert ident is not None  # noqa: S101 - given and a non-empty string
        return kind, ident
    body.require("related_object_id")
    # The SDK's model defaults related_object_type to voucher, as the spec does.
    kind = body.choice("related_object_type", RELATED_TYPES) or "voucher"
    ident = body.string("related_object_id", non_empty=True)
    assert ident is not None  # noqa: S101 - required and a non-empty string
    return kind, ident


def create_rule_assignment(call: Call) -> tuple[int, Any]:
    """``POST …/{validationRuleId}/assignments``: 404 for an unknown object, 409 twice."""
    body = Body(parse_json_body(call.request))
    kind, ident = _related(body)
    force = Query(call.request.query).choice("force", ("true", "false"), "false") == "true"
    assignment = call.session.validation_rules.assign(
        call.params["validationRuleId"], kind, ident, force=force
    )
    return 200, assignment_json(assignment)


def delete_rule_assignment(call: Call) -> tuple[int, Any]:
    """``DELETE …/{validationRuleId}/assignments/{assignmentId}``: 204."""
    call.session.validation_rules.unassign(
        call.params["validationRuleId"], call.params["assignmentId"]
    )
    return 204, None


_LIST_QUERY = [
    paging.LIMIT,
    paging.PAGE,
    query("order", {"enum": orders("created_at", "updated_at", "name")}, "Default created_at."),
    query("start_date", TIMESTAMP, "Only rules created at or after it."),
    query("end_date", TIMESTAMP, "Only rules created at or before it."),
]
_ASSIGNMENTS_QUERY = [
    paging.LIMIT,
    paging.PAGE,
    query("order", {"enum": orders("created_at")}, "Default created_at."),
]
_NOT_EVALUATED = (
    "Rule names reading discount effects or product collections (product.discount_applicable, "
    "product.metadata.aggregated_*, product.metadata.match_all, sku.discount_applicable) and "
    "the $from condition."
)

ROUTES: tuple[Route, ...] = (
    Route(
        "POST",
        _RULES,
        create_validation_rule,
        Operation(
            "create_validation_rules",
            "Create a validation rule",
            "ValidationRule",
            body={**RULE_REQUEST, "required": ["name"]},
            errors=" 400 invalid_validation_rules: a rules tree the fake cannot read.",
            not_implemented=_NOT_EVALUATED,
        ),
    ),
    Route(
        "GET",
        _RULES,
        list_validation_rules,
        Operation(
            "list_validation_rules",
            "The validation rules",
            "ValidationRulesList",
            query=_LIST_QUERY,
        ),
    ),
    Route(
        "GET",
        _RULE,
        get_validation_rule,
        Operation("get_validation_rule", "A validation rule", "ValidationRule"),
    ),
    Route(
        "PUT",
        _RULE,
        update_validation_rule,
        Operation(
            "update_validation_rule",
            "Change a validation rule",
            "ValidationRule",
            body=RULE_REQUEST,
            errors=" 400 invalid_validation_rules: a rules tree the fake cannot read.",
            not_implemented=_NOT_EVALUATED,
        ),
    ),
    Route(
        "DELETE",
        _RULE,
        delete_validation_rule,
        Operation("delete_validation_rules", "Delete a validation rule", None),
    ),
    Route(
        "GET",
        "/v1/validation-rules-assignments",
        list_all_assignments,
        Operation(
            "list_validation_rules_assignments",
            "Every validation rule assignment, by object or rule",
            "ValidationRuleAssignmentsList",
            query=[
                query("related_object_id", STRING, "Only assignments to this object."),
                query("rule", STRING, "Only this rule's assignments."),
                *_ASSIGNMENTS_QUERY,
            ],
        ),
    ),
    Route(
        "GET",
        _RULE_ASSIGNMENTS,
        list_rule_assignments,
        Operation(
            "list_validation_rule_assignments",
            "A validation rule's assignments",
            "ValidationRuleAssignmentsList",
            query=_ASSIGNMENTS_QUERY,
        ),
    ),
    Route(
        "POST",
        _RULE_ASSIGNMENTS,
        create_rule_assignment,
        Operation(
            "create_validation_rule_assignment",
            "Assign a validation rule to an object",
            "ValidationRuleAssignment",
            query=[query("force", BOOLEAN, "true: replace the same assignment.")],
            body=ASSIGNMENT_REQUEST,
            errors=" 404: the object assigned to is not found; 409 duplicate_found.",
        ),
    ),
    Route(
        "DELETE",
        f"{_RULE_ASSIGNMENTS}/{{assignmentId}}",
        delete_rule_assignment,
        Operation("delete_validation_rule_assignment", "Delete an assignment", None),
    ),
)
