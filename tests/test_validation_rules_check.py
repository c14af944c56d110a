"""Deciding validation rules: conditions, properties, logic, and the violation a rule answers."""

from __future__ import annotations

import datetime as dt
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from loyalty_fake.clock import Clock
from loyalty_fake.errors import VoucherifyError
from loyalty_fake.ledger import Ledger
from loyalty_fake.ledger.customers import CustomerRef
from loyalty_fake.ledger.validation_rule_check import ItemContext, RuleContext, first_failure
from loyalty_fake.ledger.validation_rule_tree import check_tree, parse_logic
from loyalty_fake.ledger.validation_rules import RuleSpec, ValidationRuleChoices

NOW = dt.datetime(2024, 1, 25, 10, 0, tzinfo=dt.timezone.utc)  # a Thursday (day 4; 0 is Sunday)
COFFEE = ItemContext(
    product_id="prod_coffee", product_source_id="coffee", quantity=2, price=500, amount=1000
)
TEA = ItemContext(
    product_id="prod_tea",
    product_source_id="tea",
    sku_id="sku_green",
    sku_source_id="green",
    quantity=1,
    price=300,
    amount=300,
    metadata={"organic": True},
    product_metadata={"origin": "JP"},
)
CONTEXT = RuleContext(
    now=NOW,
    customer_id="cust_1",
    customer_metadata={"tier": "gold", "visits": 12, "tags": ["a", "b"], "since": "2023-01-01"},
    segment_ids=frozenset({"seg_vip"}),
    order_amount=1300,
    order_metadata={"channel": "web", "store": "Santorini-1"},
    items=(COFFEE, TEA),
    redemption_metadata={"kiosk": "k1"},
    custom_event_metadata={"volume": 3},
    counts={"redemption.count.per_customer": 2, "campaign.redemptions.count": 40},
)


def _holds(*rules: dict[str, Any], logic: str = "", context: RuleContext = CONTEXT) -> bool:
    tree = check_tree({**{str(i + 1): rule for i, rule in enumerate(rules)}, "logic": logic})
    return first_failure(tree, context) is None


def _rule(name: str, conditions: dict[str, Any], prop: str | None = None, **more: Any) -> Any:
    return {"name": name, "property": prop, "conditions": conditions, **more}


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        (_rule("order.amount", {"$more_than": [1000]}), True),
        (_rule("order.amount", {"$more_than": [1300]}), False),
        (_rule("order.amount", {"$more_than_or_equal": [1300]}), True),
        (_rule("order.amount", {"$less_than": [1300]}), False),
        (_rule("order.amount", {"$less_than_or_equal": [1300]}), True),
        (_rule("order.amount", {"$greater_than_or_equal": [1300]}), True),
        (_rule("order.amount", {"$is": [1300]}), True),
        (_rule("order.amount", {"$is_not": [1300]}), False),
        (_rule("order.initial_amount", {"$is": [1300]}), True),
        (_rule("order.items.count", {"$is": [2]}), True),
        (_rule("order.items.price_any", {"$less_than": [400]}), True),
        (_rule("order.items.price_each", {"$less_than": [400]}), False),
        (_rule("order.items.metadata_any", {"$is": [True]}, "organic"), True),
        (_rule("order.items.metadata_each", {"$is": [True]}, "organic"), False),
        (_rule("order.metadata", {"$starts_with": ["Santorini"]}, "store"), True),
        (_rule("order.metadata", {"$ends_with": ["-2"]}, "store"), False),
        (_rule("order.metadata", {"$contains": ["tori"]}, "store"), True),
        (_rule("order.metadata", {"$is_unknown": []}, "coupon"), True),
        (_rule("order.metadata", {"$has_value": []}, "channel"), True),
        (_rule("customer.metadata", {"$in": ["gold", "silver"]}, "tier"), True),
        (_rule("customer.metadata", {"$not_in": ["gold"]}, "tier"), False),
        (_rule("customer.metadata", {"$is_not": ["gold"]}, "missing"), True),
        (_rule("customer.metadata", {"$is": ["gold"]}, "missing"), False),
        (_rule("customer.metadata", {"$more_than": [10]}, "visits"), True),
        (_rule("customer.metadata", {"$count": [2]}, "tags"), True),
        (_rule("customer.metadata", {"$count_more": [2]}, "tags"), False),
        (_rule("customer.metadata", {"$count_less": [3]}, "tags"), True),
        (_rule("customer.metadata", {"$contains": ["a"]}, "tags"), True),
        (_rule("customer.metadata", {"$not_differ": ["b", "a"]}, "tags"), True),
        (_rule("customer.metadata", {"$not_intersect": ["a", "z"]}, "tags"), False),
        (_rule("customer.metadata", {"$after": ["2022-12-31"]}, "since"), True),
        (_rule("customer.metadata", {"$before": ["2022-12-31"]}, "since"), False),
        (_rule("customer.metadata", {"$more_than_ago": [300]}, "since"), True),
        (_rule("customer.metadata", {"$less_than_ago": [300]}, "since"), False),
        (_rule("customer.metadata", {"$is_days_ago": [389]}, "since"), True),
        (_rule("customer.metadata", {"$dow": [0]}, "since"), True),
        (
            _rule(
                "customer.metadata",
                {"$timeframe_absolute": ["2022-12-01T00:00:00Z;2023-02-01T00:00:00Z"]},
                "since",
            ),
            True,
        ),
        (_rule("customer.segment", {"$is": ["seg_vip"]}), True),
        (_rule("customer.segment", {"$in": ["seg_other"]}), False),
        (_rule("customer.segment", {"$is_not": ["seg_vip"]}), False),
        (_rule("redemption.metadata", {"$is": ["k1"]}, "kiosk"), True),
        (_rule("custom_event.metadata", {"$more_than_or_equal": [3]}, "volume"), True),
        (_rule("redemption.count.per_customer", {"$less_than": [2]}), False),
        (_rule("redemption.count.per_customer", {"$less_than": [3]}), True),
        (_rule("redemption.count.daily", {"$is": [0]}), True),
        (_rule("campaign.redemptions.count", {"$less_than": [50]}), True),
        (_rule("product.id", {"$is": ["prod_tea"]}), True),
        (_rule("product.id", {"$in": ["coffee", "cake"]}), True),
        (_rule("product.id", {"$is": ["prod_cake"]}), False),
        (_rule("product.id", {"$not_in": ["prod_cake"]}), True),
        (_rule("product.id", {"$is_not": ["prod_tea"]}), False),
        (_rule("product.id", {"$is": [{"id": "prod_tea", "object": "product"}]}), True),
        (_rule("sku.id", {"$is": ["green"]}), True),
        (_rule("sku.id", {"$is": ["sku_black"]}), False),
        (_rule("product.price", {"$more_than": [400]}), True),
        (_rule("product.metadata", {"$is": ["JP"]}, "origin"), True),
        (_rule("order.items.aggregated_quantity", {"$is": [3]}), True),
        (_rule("order.items.aggregated_amount", {"$is": [1300]}), True),
    ],
)
def test_one_condition(rule: dict[str, Any], expected: bool) -> None:
    """Each documented condition on each documented property decides as Voucherify reads it."""
    assert _holds(rule) is expected


def test_product_with_nested_quantity() -> None:
    """product.id's nested rules read the matched lines only (2 coffees, not 1 tea)."""
    quantity = {"1": _rule("product.quantity", {"$more_than_or_equal": [2]}), "logic": "1"}
    assert _holds(_rule("product.id", {"$is": ["prod_coffee"]}, rules=quantity))
    assert not _holds(_rule("product.id", {"$is": ["prod_tea"]}, rules=quantity))


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("order.items.every", False),
        ("order.items.any", True),
        ("order.items.none", False),
        ("order.items.cheapest", True),
        ("order.items.most_expensive", False),
    ],
)
def test_item_selectors(name: str, expected: bool) -> None:
    """Item selectors apply their nested rules to every, any, no, the cheapest or dearest line."""
    nested = {"1": _rule("order.items.price", {"$less_than": [400]}), "logic": "1"}
    assert _holds(_rule(name, {}, rules=nested)) is expected


def test_selector_conditions_choose_lines() -> None:
    """A selector's $is objects choose which lines its nested rules read."""
    nested = {"1": _rule("order.items.quantity", {"$is": [1]}), "logic": "1"}
    tea = {"$is": [{"id": "prod_tea", "object": "product", "effect": "APPLY_TO_EVERY"}]}
    assert _holds(_rule("order.items.every", tea, rules=nested))
    coffee = {"$is": [{"source_id": "coffee", "object": "product"}]}
    assert not _holds(_rule("order.items.every", coffee, rules=nested))


@pytest.mark.parametrize(
    ("logic", "expected"),
    [
        ("1 and 2", False),
        ("1 or 2", True),
        ("(1 and 2) or 3", True),
        ("1 and (2 or 3)", True),
        ("not 2", True),
        ("2 or not 1", False),
        ("", False),
    ],
)
def test_logic(logic: str, expected: bool) -> None:
    """The logic combines the numbered rules; an empty logic needs them all."""
    yes = _rule("order.amount", {"$more_than": [0]})
    no = _rule("order.amount", {"$less_than": [0]})
    assert _holds(yes, no, yes, logic=logic) is expected


def _expressions(keys: list[str], depth: int) -> st.SearchStrategy[tuple[str, str]]:
    """Pairs of the same expression: in the rules' logic, and in Python over ``v<n>``."""
    leaf = st.sampled_from([(key, f"v{key}") for key in keys])
    if depth == 0:
        return leaf
    inner = _expressions(keys, depth - 1)
    return st.one_of(
        leaf,
        st.builds(lambda a, b: (f"({a[0]} and {b[0]})", f"({a[1]} and {b[1]})"), inner, inner),
        st.builds(lambda a, b: (f"({a[0]} or {b[0]})", f"({a[1]} or {b[1]})"), inner, inner),
        st.builds(lambda a: (f"not {a[0]}", f"not {a[1]}"), inner),
    )


@given(st.lists(st.booleans(), min_size=1, max_size=5), st.data())
def test_logic_agrees_with_python(values: list[bool], data: st.DataObject) -> None:
    """Any and/or/not expression over the rules decides as Python's own booleans do."""
    keys = [str(i + 1) for i in range(len(values))]
    logic, python = data.draw(_expressions(keys, 3))
    names = {f"v{key}": value for key, value in zip(keys, values, strict=True)}
    expected = bool(eval(python, {"__builtins__": {}}, names))  # noqa: S307 - built above
    rules = [_rule("order.amount", {"$more_than" if v else "$less_than": [0]}) for v in values]
    assert _holds(*rules, logic=logic) is expected


@pytest.mark.parametrize(
    ("tree", "details"),
    [
        ({"1": {"name": "order.nope", "conditions": {"$is": [1]}}}, "unknown name 'order.nope'"),
        ({"1": {"name": "order.amount", "conditions": {"$is": 1}}}, "must be an array"),
        ({"1": {"name": "order.amount", "conditions": {"$is": [1, 2]}}}, "exactly one value"),
        ({"1": {"name": "order.amount", "conditions": {}}}, "at least one condition"),
        ({"1": {"name": "order.items.any", "conditions": {}}}, "nested 'rules'"),
        ({"x": {"name": "order.amount", "conditions": {"$is": [1]}}}, "must be a number"),
        ({"1": {"name": "order.amount", "conditions": {"$is": [1]}}, "logic": "1 xor 1"}, "cannot"),
        ({"1": {"name": "order.amount", "conditions": {"$is": [1]}}, "logic": "(1"}, "cannot"),
        ({"1": {"name": "order.amount", "conditions": {"$dow": [9]}}}, "days from 0 to 6"),
        ({"1": {"name": "order.amount", "conditions": {"$after": ["soon"]}}}, "ISO 8601"),
        ({"1": {"name": "order.amount", "conditions": {"$timeframe": ["x"]}}}, "interval"),
    ],
)
def test_bad_trees_are_refused(tree: dict[str, Any], details: str) -> None:
    """A tree the evaluator cannot decide is 400 invalid_validation_rules, saying why."""
    with pytest.raises(VoucherifyError) as raised:
        check_tree(tree)
    assert raised.value.key == "invalid_validation_rules"
    assert details in str(raised.value.details)


def test_from_is_not_implemented() -> None:
    """$from (product collections) is 501: the fake cannot evaluate it, so it never passes."""
    with pytest.raises(VoucherifyError) as raised:
        check_tree({"1": {"name": "product.id", "conditions": {"$from": ["pc_1"]}}})
    assert (raised.value.code, raised.value.key) == (501, "not_implemented")


def test_parse_logic_empty_means_all() -> None:
    """An empty logic is every rule together."""
    assert parse_logic("", {"1", "2"}) == ("and", ("rule", "1"), ("rule", "2"))
    assert parse_logic(" ", set()) == ("true",)


def _ledger(**choices: Any) -> Ledger:
    return Ledger(clock=Clock(NOW), validation_rule_choices=ValidationRuleChoices(**choices))


def _spec(**rules: Any) -> RuleSpec:
    return RuleSpec(name="r", rules=check_tree(rules), error={"message": "Set message"})


def _gold_only(session: Any) -> Any:
    return session.validation_rules.create(
        RuleSpec(
            name="Gold",
            rules=check_tree(
                {
                    "1": {
                        "name": "customer.metadata",
                        "property": "tier",
                        "conditions": {"$is": ["gold"]},
                        "error": {"message": "Gold only"},
                    },
                    "2": {"name": "order.amount", "conditions": {"$more_than": [1000]}},
                    "logic": "2 and 1",
                }
            ),
            error={"message": "Set message"},
        )
    )


def test_check_answers_the_violation() -> None:
    """check() answers the failing rule's key, message, details and its own error message."""
    ledger = _ledger()
    with ledger.session("app") as session:
        program = session.campaigns.create(name="Club")
        customer = session.customers.upsert(
            CustomerRef(source_id="ada", profile={"metadata": {"tier": "silver"}})
        )
        rules = session.validation_rules
        rule = _gold_only(session)
        rules.assign(rule.id, "campaign", program.id)
        context = attrs.evolve(rules.context(customer=customer), order_amount=5000)
        violation = rules.check("campaign", program.id, context, what="Loyalty Card")
        assert violation is not None
        assert violation.key == "customer_rules_violated"
        assert violation.message == "customer does not match validation rules"
        assert violation.error_message == "Gold only"
        assert violation.details == (
            f"Loyalty Card cannot be redeemed because of violated validation rules: {rule.id}"
        )
        error = violation.as_error()
        assert (error.code, error.key, error.extra) == (
            400,
            "customer_rules_violated",
            {"error": {"message": "Gold only"}},
        )
        small = attrs.evolve(context, order_amount=10)
        order_violation = rules.check("campaign", program.id, small)
        assert order_violation is not None
        assert order_violation.key == "order_rules_violated"
        # No message of its own: the rule set's.
        assert order_violation.error_message == "Set message"
        gold = attrs.evolve(context, customer_metadata={"tier": "gold"})
        assert rules.check("campaign", program.id, gold) is None
        assert rules.check("campaign", "camp_unassigned", context) is None


def test_redemption_keys_choice() -> None:
    """Under violation_keys="redemption" every violation is redemption_rules_violated."""
    ledger = _ledger(violation_keys="redemption")
    with ledger.session("app") as session:
        rule = _gold_only(session)
        context = RuleContext(now=NOW, order_amount=1)
        violation = session.validation_rules.violation(rule, context)
        assert violation is not None
        assert violation.key == "redemption_rules_violated"


def test_refuse_deleting_assigned_choice() -> None:
    """Under refuse_deleting_assigned a rule still assigned is 400 resource_in_use."""
    ledger = _ledger(refuse_deleting_assigned=True)
    with ledger.session("app") as session:
        program = session.campaigns.create(name="Club")
        rule = _gold_only(session)
        session.validation_rules.assign(rule.id, "campaign", program.id)
        with pytest.raises(VoucherifyError) as raised:
            session.validation_rules.delete(rule.id)
        assert raised.value.key == "resource_in_use"


def test_applicable_to_merges_assigned_rules() -> None:
    """applicable_to() joins what every rule assigned to an object includes and excludes."""
    ledger = _ledger()
    with ledger.session("app") as session:
        program = session.campaigns.create(name="Club")
        rules = session.validation_rules
        assert rules.applicable_to(program.id) is None
        items = {"included": [{"object": "product", "id": "p1"}], "excluded": []}
        first = rules.create(RuleSpec(name="a", applicable_to={**items, "included_all": False}))
        second = rules.create(
            RuleSpec(name="b", applicable_to={"included": [], "excluded": [{"id": "p2"}]})
        )
        rules.assign(first.id, "campaign", program.id)
        rules.assign(second.id, "campaign", program.id)
        assert rules.applicable_to(program.id) == {
            "excluded": [{"id": "p2"}],
            "included": [{"object": "product", "id": "p1"}],
            "included_all": False,
        }
