"""Validation rules (/v1/validation-rules) and their assignments, over every client."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

from loyalty_fake import LoyaltyFake
from tests.conftest import make_program

if TYPE_CHECKING:
    from tests.conftest import Client, RequestsClient

pytestmark = pytest.mark.loyalty_fake(now="2024-01-25T10:00:00Z")

BIG_ORDER: dict[str, Any] = {
    "name": "Order over $100",
    "error": {"message": "Spend more than $100."},
    "rules": {
        "1": {"name": "order.amount", "conditions": {"$more_than": [10000]}, "rules": {}},
        "logic": "1",
    },
    "type": "advanced",
    "context_type": "earning_rule.order.paid",
}
VIP = {
    "name": "VIP customers",
    "rules": {
        "1": {
            "name": "customer.metadata",
            "property": "tier",
            "conditions": {"$in": ["gold", "platinum"]},
            "error": {"message": "Gold members only."},
        },
        "2": {"name": "order.metadata", "property": "channel", "conditions": {"$is": ["web"]}},
        "logic": "1 or 2",
    },
}
TEN = {"event": "order.paid", "loyalty": {"type": "FIXED", "points": 10}}


def _ok(reply: Any) -> Any:
    assert reply.status == 200, reply.body
    return reply.body


def _rule(client: Client, body: dict[str, Any] | None = None) -> dict[str, Any]:
    made: dict[str, Any] = _ok(client.create_validation_rule(body or BIG_ORDER))
    return made


def test_create_answers_the_rule(client: Client) -> None:
    """Creating answers the rule as Voucherify shows it: val_ ID, tree, error, counts."""
    rule = _rule(client)
    assert rule["id"].startswith("val_")
    assert len(rule["id"]) == len("val_eR1c41hu0vUU")
    assert rule["name"] == "Order over $100"
    assert rule["rules"]["1"]["conditions"] == {"$more_than": [10000]}
    assert rule["rules"]["logic"] == "1"
    assert rule["error"] == {"message": "Spend more than $100."}
    assert rule["type"] == "advanced"
    assert rule["context_type"] == "earning_rule.order.paid"
    assert rule["assignments_count"] == 0
    assert rule["applicable_to"] == {"excluded": [], "included": [], "included_all": False}
    assert rule["object"] == "validation_rules"
    assert "updated_at" not in rule


def test_defaults(client: Client) -> None:
    """Without type and context_type a rule is an expression in the global context."""
    rule = _rule(client, {"name": "Anything"})
    assert (rule["type"], rule["context_type"], rule["rules"]) == ("expression", "global", {})


def test_get_reads_it_back(client: Client) -> None:
    """Getting a rule answers what creating it answered."""
    rule = _rule(client)
    assert _ok(client.get_validation_rule(rule["id"])) == rule


def test_unknown_rule_is_404(client: Client) -> None:
    """An unknown rule is 404 not_found naming validation_rules."""
    reply = client.get_validation_rule("val_TGN3rqZ8vEm")
    assert (reply.status, reply.error_key) == (404, "not_found")
    assert reply.body["resource_type"] == "validation_rules"
    assert reply.body["details"] == "Cannot find validation_rules with id val_TGN3rqZ8vEm"


def test_update_changes_what_it_gives(client: Client) -> None:
    """Updating changes the fields given, keeps the others and stamps updated_at."""
    rule = _rule(client)
    updated = _ok(
        client.update_validation_rule(
            rule["id"], {"name": "Renamed", "error": {"message": "Bigger, please."}}
        )
    )
    assert updated["name"] == "Renamed"
    assert updated["error"] == {"message": "Bigger, please."}
    assert updated["rules"] == rule["rules"]
    assert updated["updated_at"] == "2024-01-25T10:00:00.000Z"


def test_delete_then_404(client: Client) -> None:
    """Deleting answers 204; the rule is gone."""
    rule = _rule(client)
    assert client.delete_validation_rule(rule["id"]).status == 204
    assert client.get_validation_rule(rule["id"]).status == 404
    assert client.delete_validation_rule(rule["id"]).status == 404


def test_list_pages_and_orders(client: Client) -> None:
    """Listing pages (limit, page) and orders by name, oldest first by default."""
    for name in ("b", "c", "a"):
        _rule(client, {"name": name})
    listed = _ok(client.list_validation_rules())
    assert [r["name"] for r in listed["data"]] == ["b", "c", "a"]
    assert (listed["object"], listed["data_ref"], listed["total"]) == ("list", "data", 3)
    by_name = _ok(client.list_validation_rules({"order": "-name", "limit": 2, "page": 1}))
    assert [r["name"] for r in by_name["data"]] == ["c", "b"]
    assert by_name["total"] == 3


def test_unknown_condition_is_refused(client: Client) -> None:
    """An unknown condition is 400 invalid_validation_rules, and nothing is created."""
    body = {
        "name": "Bad",
        "rules": {"1": {"name": "order.amount", "conditions": {"$roughly": [1]}}, "logic": "1"},
    }
    reply = client.create_validation_rule(body)
    assert (reply.status, reply.error_key) == (400, "invalid_validation_rules")
    assert reply.body["message"] == "Invalid Validation Rule Definition"
    assert "$roughly" in reply.body["details"]
    assert _ok(client.list_validation_rules())["total"] == 0


def test_metadata_needs_a_property(client: Client) -> None:
    """A metadata rule without property is refused with Voucherify's details."""
    body = {
        "name": "Bad",
        "rules": {"1": {"name": "custom_event.metadata", "conditions": {"$is": [1]}}},
    }
    reply = client.create_validation_rule(body)
    assert (reply.status, reply.error_key) == (400, "invalid_validation_rules")
    assert reply.body["details"] == "Rule 'custom_event.metadata' must have a 'property'"


def test_logic_must_name_defined_rules(client: Client) -> None:
    """A logic naming a rule that is not defined is refused."""
    body = {**BIG_ORDER, "rules": {**BIG_ORDER["rules"], "logic": "1 and 2"}}
    reply = client.create_validation_rule(body)
    assert (reply.status, reply.error_key) == (400, "invalid_validation_rules")


def test_unsupported_name_is_501(client: Client) -> None:
    """A documented name the fake cannot evaluate answers 501, never a silent pass."""
    body = {
        "name": "Discountable",
        "rules": {"1": {"name": "product.discount_applicable", "conditions": {"$is": [True]}}},
    }
    reply = client.create_validation_rule(body)
    assert (reply.status, reply.error_key) == (501, "not_implemented")


def test_applicable_to_round_trips(client: Client) -> None:
    """applicable_to items come back as given, with the product found by ID.

    (The SDK's ApplicableTo model has no ``strict``: it is left at false here.)
    """
    tea = _ok(client.create_product({"source_id": "tea", "name": "Tea"}))
    entry = {"object": "product", "id": tea["id"], "effect": "APPLY_TO_CHEAPEST"}
    rule = _rule(client, {"name": "Tea", "applicable_to": {"included": [entry]}})
    assert rule["applicable_to"]["included"] == [{**entry, "source_id": "tea", "strict": False}]


def test_applicable_to_fills_defaults(http: RequestsClient) -> None:
    """applicable_to items get strict false and APPLY_TO_EVERY unless given.

    The SDK's model requires both, so only plain HTTP can leave them out.
    """
    client = http
    body = {
        "name": "Coffee only",
        "applicable_to": {
            "included": [{"object": "product", "id": "prod_coffee", "quantity_limit": 1}],
            "excluded": [{"object": "sku", "id": "sku_decaf", "effect": "APPLY_TO_EVERY"}],
        },
        "type": "basic",
    }
    rule = _rule(client, body)
    assert rule["applicable_to"]["included"] == [
        {
            "object": "product",
            "id": "prod_coffee",
            "strict": False,
            "effect": "APPLY_TO_EVERY",
            "quantity_limit": 1,
        }
    ]
    assert rule["applicable_to"]["excluded"][0]["id"] == "sku_decaf"
    assert rule["applicable_to"]["included_all"] is False


def test_bundle_rules_kept_and_dropped(client: Client, http: RequestsClient) -> None:
    """bundle_rules are kept as given; PUT with bundle_rules null answers an empty object."""
    first = {"name": "order.items.count", "conditions": {"$more_than": [1]}}
    bundle: dict[str, Any] = {"1": first, "logic": "1"}
    rule = _rule(client, {"name": "Bundle", "bundle_rules": bundle})
    assert rule["bundle_rules"] == {**bundle, "1": {**first, "property": None, "rules": {}}}
    # The SDK leaves nulls out of the body: only plain HTTP can send bundle_rules: null.
    dropped = _ok(http.update_validation_rule(rule["id"], {"bundle_rules": None}))
    assert dropped["bundle_rules"] == {}


def test_assign_to_a_program(client: Client) -> None:
    """Assigning to a campaign answers the asgm_ assignment; the rule counts it."""
    program = make_program(client)
    rule = _rule(client)
    body = {"related_object_type": "campaign", "related_object_id": program["id"]}
    assignment = _ok(client.assign_validation_rule(rule["id"], body))
    assert assignment["id"].startswith("asgm_")
    assert len(assignment["id"]) == len("asgm_kPPiNW3smQLRMWiF")
    assert assignment["rule_id"] == rule["id"]
    assert assignment["related_object_id"] == program["id"]
    assert assignment["related_object_type"] == "campaign"
    assert assignment["object"] == "validation_rules_assignment"
    assert _ok(client.get_validation_rule(rule["id"]))["assignments_count"] == 1


def test_assign_twice_is_409_unless_forced(client: Client) -> None:
    """The same assignment twice is 409 duplicate_found; force replaces it."""
    program = make_program(client)
    rule = _rule(client)
    body = {"related_object_type": "campaign", "related_object_id": program["id"]}
    first = _ok(client.assign_validation_rule(rule["id"], body))
    again = client.assign_validation_rule(rule["id"], body)
    assert (again.status, again.error_key) == (409, "duplicate_found")
    assert again.body["resource_id"] == first["id"]
    forced = _ok(client.assign_validation_rule(rule["id"], body, force=True))
    assert forced["id"] != first["id"]
    assert _ok(client.list_rule_assignments(rule["id"]))["total"] == 1


def test_assign_to_nothing_is_404(client: Client) -> None:
    """Assigning to an object that does not exist answers 404 naming it."""
    rule = _rule(client)
    for kind, ident in (
        ("campaign", "camp_missing"),
        ("voucher", "v_missing"),
        ("earning_rule", "ern_missing"),
        ("reward_assignment", "rewa_missing"),
        ("promotion_tier", "promo_missing"),
    ):
        body = {"related_object_type": kind, "related_object_id": ident}
        reply = client.assign_validation_rule(rule["id"], body)
        assert (reply.status, reply.error_key) == (404, "not_found"), kind
        assert (reply.body["resource_type"], reply.body["resource_id"]) == (kind, ident)


def test_assign_shorthand(http: RequestsClient, loyalty_fake: LoyaltyFake) -> None:
    """The spec's example body {"campaign": id} assigns too (the SDK's model has no such field)."""
    program = make_program(http)
    rule = _rule(http)
    assignment = _ok(http.assign_validation_rule(rule["id"], {"campaign": program["id"]}))
    assert assignment["related_object_type"] == "campaign"
    del loyalty_fake


def test_assign_to_an_earning_rule(client: Client) -> None:
    """An earning rule can be assigned a rule, and is then listed by related object."""
    make_program(client)
    earning = _ok(client.create_earning_rules("Coffee Club", [TEN]))[0]
    rule = _rule(client)
    body = {"related_object_type": "earning_rule", "related_object_id": earning["id"]}
    assignment = _ok(client.assign_validation_rule(rule["id"], body))
    listed = _ok(client.list_all_rule_assignments({"related_object_id": earning["id"]}))
    assert listed["data"] == [assignment]
    by_rule = _ok(client.list_all_rule_assignments({"rule": rule["id"]}))
    assert by_rule["total"] == 1


def test_unknown_rule_has_no_assignments(client: Client) -> None:
    """Listing an unknown rule's assignments answers an empty list (as documented)."""
    listed = _ok(client.list_rule_assignments("val_nothing"))
    assert (listed["data"], listed["total"]) == ([], 0)


def test_unassign(client: Client) -> None:
    """Deleting an assignment answers 204; an unknown one is 404."""
    program = make_program(client)
    rule = _rule(client)
    body = {"related_object_type": "campaign", "related_object_id": program["id"]}
    assignment = _ok(client.assign_validation_rule(rule["id"], body))
    assert client.unassign_validation_rule(rule["id"], assignment["id"]).status == 204
    again = client.unassign_validation_rule(rule["id"], assignment["id"])
    assert (again.status, again.body["resource_type"]) == (404, "validation_rules_assignment")
    missing = client.unassign_validation_rule("val_missing", assignment["id"])
    assert (missing.status, missing.body["resource_type"]) == (404, "validation_rules")


def test_deleting_a_rule_drops_its_assignments(client: Client) -> None:
    """A deleted rule's assignments go with it."""
    program = make_program(client)
    rule = _rule(client)
    body = {"related_object_type": "campaign", "related_object_id": program["id"]}
    _ok(client.assign_validation_rule(rule["id"], body))
    assert client.delete_validation_rule(rule["id"]).status == 204
    assert _ok(client.list_all_rule_assignments())["total"] == 0


def _member(client: Client, fake: LoyaltyFake, **customer: Any) -> str:
    _ok(client.create_customer({"source_id": "ada", **customer}))
    code: str = fake.add_member("Coffee Club", {"source_id": "ada"})["code"]
    return code


def _balance(client: Client, code: str) -> int:
    balance: int = _ok(client.get_member(code))["loyalty_card"]["balance"]
    return balance


def _pay(client: Client, source_id: str, amount: int, **order: Any) -> None:
    body = {"source_id": source_id, "status": "PAID", "customer": {"source_id": "ada"}}
    _ok(client.create_order({**body, "amount": amount, **order}))


def test_earning_rule_with_validation_rule_id(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """An earning rule naming a validation rule awards only the orders the rule holds for."""
    make_program(client)
    rule = _rule(client)
    earning = _ok(
        client.create_earning_rules("Coffee Club", [{**TEN, "validation_rule_id": rule["id"]}])
    )[0]
    assert earning["validation_rule_id"] == rule["id"]
    code = _member(client, loyalty_fake)
    _pay(client, "small", 5000)
    assert _balance(client, code) == 0
    _pay(client, "big", 15000)
    assert _balance(client, code) == 10
    listed = _ok(client.list_all_rule_assignments({"related_object_id": earning["id"]}))
    assert listed["data"][0]["related_object_type"] == "earning_rule"


def test_assigned_rule_gates_earning(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """A rule assigned to an earning rule through the assignments API gates it as well."""
    make_program(client)
    earning = _ok(client.create_earning_rules("Coffee Club", [TEN]))[0]
    rule = _rule(client, VIP)
    body = {"related_object_type": "earning_rule", "related_object_id": earning["id"]}
    _ok(client.assign_validation_rule(rule["id"], body))
    code = _member(client, loyalty_fake, metadata={"tier": "silver"})
    _pay(client, "shop", 1000)
    assert _balance(client, code) == 0
    _pay(client, "online", 1000, metadata={"channel": "web"})
    assert _balance(client, code) == 10


def test_earning_rule_with_unknown_validation_rule(client: Client) -> None:
    """An earning rule naming an unknown validation rule is 404, and nothing is created."""
    make_program(client)
    reply = client.create_earning_rules("Coffee Club", [{**TEN, "validation_rule_id": "val_x"}])
    assert (reply.status, reply.error_key) == (404, "not_found")
    assert _ok(client.list_earning_rules("Coffee Club"))["total"] == 0


def test_deleted_validation_rule_stops_gating(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """Deleting the validation rule frees the earning rule: it awards every order again."""
    make_program(client)
    rule = _rule(client)
    earning = _ok(
        client.create_earning_rules("Coffee Club", [{**TEN, "validation_rule_id": rule["id"]}])
    )[0]
    assert client.delete_validation_rule(rule["id"]).status == 204
    got = _ok(client.get_earning_rule("Coffee Club", earning["id"]))
    assert got["validation_rule_id"] is None
    code = _member(client, loyalty_fake)
    _pay(client, "small", 5000)
    assert _balance(client, code) == 10


@pytest.mark.loyalty_fake(refuse_deleting_assigned_validation_rules=True)
def test_deleting_an_assigned_rule_refused_when_switched(client: Client) -> None:
    """With refuse_deleting_assigned_validation_rules, an assigned rule is resource_in_use."""
    program = make_program(client)
    rule = _rule(client)
    body = {"related_object_type": "campaign", "related_object_id": program["id"]}
    assignment = _ok(client.assign_validation_rule(rule["id"], body))
    reply = client.delete_validation_rule(rule["id"])
    assert (reply.status, reply.error_key) == (400, "resource_in_use")
    assert reply.body["related_object_ids"] == [assignment["id"]]
    assert _ok(client.get_validation_rule(rule["id"]))["assignments_count"] == 1


def test_rules_and_assignments_survive_a_snapshot(
    http: RequestsClient, loyalty_fake: LoyaltyFake
) -> None:
    """A restart keeps rules, assignments and the gate on earning; the next IDs follow on."""
    make_program(http)
    rule = _rule(http, VIP)
    earning = _ok(
        http.create_earning_rules("Coffee Club", [{**TEN, "validation_rule_id": rule["id"]}])
    )[0]
    before = _ok(http.list_all_rule_assignments())
    restored = LoyaltyFake(now="2024-01-25T10:00:00Z")
    restored.ledger.restore(loyalty_fake.ledger.snapshot())
    got = restored.request("GET", f"/v1/validation-rules/{rule['id']}").json()
    assert got == {**rule, "assignments_count": 1}
    assert restored.request("GET", "/v1/validation-rules-assignments").json() == before
    rule_of = restored.request("GET", f"/v1/loyalties/Coffee Club/earning-rules/{earning['id']}")
    assert rule_of.json()["validation_rule_id"] == rule["id"]
    # The same next rule ID in the original and the restored fake.
    again = {"name": "Next"}
    made = restored.request("POST", "/v1/validation-rules", json_body=again).json()
    assert made["id"] == _rule(http, again)["id"]
    code = restored.add_member("Coffee Club", {"source_id": "ada", "metadata": {"tier": "gold"}})
    order = {"source_id": "o", "status": "PAID", "amount": 1, "customer": {"source_id": "ada"}}
    restored.request("POST", "/v1/orders", json_body=order)
    assert restored.get_member(code["code"])["loyalty_card"]["balance"] == 10


def test_the_same_seed_gives_the_same_ids(loyalty_fake: LoyaltyFake) -> None:
    """Rule and assignment IDs come from the seeded stream: two fakes agree."""
    other = LoyaltyFake(now="2024-01-25T10:00:00Z")
    made = []
    for fake in (loyalty_fake, other):
        program = fake.create_loyalty_program("P")
        rule = fake.request("POST", "/v1/validation-rules", json_body={"name": "R"}).json()
        body = {"related_object_type": "campaign", "related_object_id": program["id"]}
        path = f"/v1/validation-rules/{rule['id']}/assignments"
        made.append((rule["id"], fake.request("POST", path, json_body=body).json()["id"]))
    assert made[0] == made[1]


def test_list_between_dates(http: RequestsClient, loyalty_fake: LoyaltyFake) -> None:
    """start_date and end_date keep the rules created between them (the SDK takes datetimes)."""
    _rule(http, {"name": "old"})
    loyalty_fake.clock.advance(days=2)
    _rule(http, {"name": "new"})
    since = _ok(http.list_validation_rules({"start_date": "2024-01-26T00:00:00Z"}))
    assert [r["name"] for r in since["data"]] == ["new"]
    until = _ok(http.list_validation_rules({"end_date": "2024-01-26T00:00:00Z"}))
    assert [r["name"] for r in until["data"]] == ["old"]
    bad = http.list_validation_rules({"order": "size"})
    assert (bad.status, bad.error_key) == (400, "invalid_query_params")


def test_assignment_lists_page_and_order(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """Both assignment lists page (limit, page) and order by created_at, oldest first."""
    make_program(client)
    earning = _ok(client.create_earning_rules("Coffee Club", [TEN, TEN, TEN]))
    rule = _rule(client)
    made = []
    for one in earning:
        loyalty_fake.clock.advance(seconds=1)
        body = {"related_object_type": "earning_rule", "related_object_id": one["id"]}
        made.append(_ok(client.assign_validation_rule(rule["id"], body))["id"])
    params = {"limit": 2, "page": 1, "order": "-created_at"}
    newest = _ok(client.list_all_rule_assignments(params))
    assert ([a["id"] for a in newest["data"]], newest["total"]) == (made[:0:-1], 3)
    second = _ok(client.list_rule_assignments(rule["id"], {"limit": 2, "page": 2}))
    assert [a["id"] for a in second["data"]] == made[2:]


def test_a_rule_key_of_non_ascii_digits_is_refused(loyalty_fake: LoyaltyFake) -> None:
    """A rules key like "²" (a digit to str.isdigit, not to int) is 400, never a 500."""
    body = {"name": "Odd", "rules": {"²": {"name": "order.amount"}, "logic": "1"}}
    response = loyalty_fake.request("POST", "/v1/validation-rules", json_body=body)
    assert response.status == 400
    assert response.json()["key"] == "invalid_validation_rules"
