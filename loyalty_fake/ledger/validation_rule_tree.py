"""A validation rule's ``rules`` tree: the names and conditions the fake reads, checked.

Voucherify keeps a rule set as ``{"1": {name, property, conditions, rules, error}, ...,
"logic": "(1 and 2) or 3"}``; each numbered rule may hold a nested set of the same shape.
``check_tree`` refuses, with Voucherify's ``400 invalid_validation_rules``, any tree the
evaluator (``validation_rule_check.py``) could not decide: an unknown name or condition,
a missing ``property``, a logic that names no rule. Nothing unsupported passes silently.
"""

from __future__ import annotations

import re
from typing import Any

import attrs

from loyalty_fake import errors
from loyalty_fake.clock import parse_timestamp
from loyalty_fake.ledger.validity import clock_minutes, parse_duration

__all__ = [
    "CONDITIONS",
    "ITEM_SELECTORS",
    "NAMES",
    "UNSUPPORTED_CONDITIONS",
    "UNSUPPORTED_NAMES",
    "Logic",
    "NameSpec",
    "check_tree",
    "invalid_validation_rules",
    "parse_logic",
]


def invalid_validation_rules(details: str) -> errors.VoucherifyError:
    """Voucherify's ``400 invalid_validation_rules`` ("Invalid Validation Rule Definition")."""
    return errors.bad_request(
        "invalid_validation_rules", "Invalid Validation Rule Definition", details
    )


@attrs.frozen
class NameSpec:
    """What a rule name reads: ``kind``, the error ``area`` it breaks, a ``property`` or not.

    ``kind``: ``segment`` (the customer's segments), ``value`` (one value of the context),
    ``item`` (a value of each order line in scope), ``catalogue`` (the products or SKUs of
    the lines in scope), ``selector`` (lines whose nested rules must hold), ``context``
    (a figure the caller supplies, such as a redemption count).
    """

    kind: str
    area: str
    needs_property: bool = False


_C, _O, _R = "customer", "order", "redemption"
NAMES: dict[str, NameSpec] = {
    "customer.segment": NameSpec("segment", _C),
    "customer.metadata": NameSpec("value", _C, needs_property=True),
    "order.amount": NameSpec("value", _O),
    "order.initial_amount": NameSpec("value", _O),
    "order.items.count": NameSpec("value", _O),
    "order.items.price_any": NameSpec("item", _O),
    "order.items.price_each": NameSpec("item", _O),
    "order.items.metadata_any": NameSpec("item", _O, needs_property=True),
    "order.items.metadata_each": NameSpec("item", _O, needs_property=True),
    "order.metadata": NameSpec("value", _O, needs_property=True),
    "order.items.every": NameSpec("selector", _O),
    "order.items.any": NameSpec("selector", _O),
    "order.items.none": NameSpec("selector", _O),
    "order.items.cheapest": NameSpec("selector", _O),
    "order.items.most_expensive": NameSpec("selector", _O),
    "order.items.quantity": NameSpec("item", _O),
    "order.items.aggregated_quantity": NameSpec("value", _O),
    "order.items.price": NameSpec("item", _O),
    "order.items.aggregated_amount": NameSpec("value", _O),
    "order.items.metadata": NameSpec("item", _O, needs_property=True),
    "product.id": NameSpec("catalogue", _O),
    "product.price": NameSpec("item", _O),
    "product.quantity": NameSpec("item", _O),
    "product.metadata": NameSpec("item", _O, needs_property=True),
    "sku.id": NameSpec("catalogue", _O),
    "sku.price": NameSpec("item", _O),
    "sku.quantity": NameSpec("item", _O),
    "custom_event.metadata": NameSpec("value", _R, needs_property=True),
    "redemption.metadata": NameSpec("value", _R, needs_property=True),
    **{
        name: NameSpec("context", _R)
        for name in (
            "campaign.orders.amount_discounted",
            "campaign.orders.amount",
            "campaign.redemptions.count",
            "campaign.redemptions.count.daily",
            "campaign.redemptions.count.monthly",
            "campaign.redemptions.customers_count",
            "campaign.redemptions.customers_count.daily",
            "campaign.redemptions.customers_count.monthly",
            "redemption.gift.amount",
            "redemption.count.daily",
            "redemption.count.monthly",
            "redemption.count.per_customer",
            "redemption.count.per_customer.daily",
            "redemption.count.per_customer.monthly",
            "redemption.api_key",
            "redemption.count.per_api_key",
            "redemption.user.login",
            "redemption.count.per_user",
            "redemption.reward.pay_with_points.points_used",
            "publication.redeemable_by_linked_customer",
        )
    },
}
ITEM_SELECTORS = frozenset(name for name, spec in NAMES.items() if spec.kind == "selector")
# Documented, but they read what the fake does not keep (discount effects, collections).
UNSUPPORTED_NAMES = (
    "product.discount_applicable",
    "product.metadata.aggregated_quantity",
    "product.metadata.aggregated_amount",
    "product.metadata.discount_applicable",
    "product.metadata.match_all",
    "sku.discount_applicable",
)

# Condition -> how many values it takes: exactly one, any number (at least one), none.
_ONE, _MANY, _NONE = "one", "many", "none"
CONDITIONS: dict[str, str] = {
    "$is": _ONE,
    "$is_not": _ONE,
    "$in": _MANY,
    "$not_in": _MANY,
    "$less_than": _ONE,
    "$less_than_or_equal": _ONE,
    "$more_than": _ONE,
    "$more_than_or_equal": _ONE,
    # The spec's own create and update examples spell these; read as $more_than(_or_equal).
    "$greater_than": _ONE,
    "$greater_than_or_equal": _ONE,
    "$starts_with": _ONE,
    "$ends_with": _ONE,
    "$contains": _ONE,
    "$timeframe": _ONE,
    "$timeframe_absolute": _ONE,
    "$timeframe_daily_hours": _ONE,
    "$dow": _MANY,
    "$count": _ONE,
    "$count_more": _ONE,
    "$count_less": _ONE,
    "$not_differ": _MANY,
    "$not_intersect": _MANY,
    "$after": _ONE,
    "$before": _ONE,
    "$more_than_ago": _ONE,
    "$less_than_ago": _ONE,
    "$is_days_ago": _ONE,
    "$more_than_future": _ONE,
    "$less_than_future": _ONE,
    "$is_days_in_future": _ONE,
    "$is_unknown": _NONE,
    "$has_value": _NONE,
}
# $from: "related to product collections", which the fake does not keep.
UNSUPPORTED_CONDITIONS = ("$from",)
_NUMERIC = frozenset(
    {"$count", "$count_more", "$count_less", "$more_than_ago", "$less_than_ago", "$is_days_ago"}
    | {"$more_than_future", "$less_than_future", "$is_days_in_future"}
)
_DATES = frozenset({"$after", "$before"})


# -- logic: "(1 and 2) or not 3" -------------------------------------------------------------

# A parsed logic: a rule by number, and/or of two, not of one, or true (no rules).
Logic = tuple[Any, ...]
_TOKEN = re.compile(r"\s*(?:(\d+)|(and|or|not)\b|([()]))", re.IGNORECASE)


def parse_logic(text: str, keys: set[str], where: str = "rules") -> Logic:
    """The expression ``text`` over the rule numbers ``keys``; 400 when it is not one.

    ``and`` binds tighter than ``or``; ``not`` tighter than both. An empty logic is
    every rule together (``1 and 2 and ...``), or true when there are none.
    """
    if not text.strip():
        found: Logic = ("true",)
        for key in sorted(keys, key=int):
            found = ("rule", key) if found == ("true",) else ("and", found, ("rule", key))
        return found
    tokens: list[str] = []
    position = 0
    text = text.rstrip()
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None:
            raise invalid_validation_rules(f"Logic '{text}' of {where} cannot be read")
        tokens.append(match.group(1) or (match.group(2) or match.group(3)).lower())
        position = match.end()
    parser = _Parser(tokens, keys, text, where)
    tree = parser.either()
    if parser.at < len(tokens):
        raise invalid_validation_rules(f"Logic '{text}' of {where} cannot be read")
    return tree


@attrs.define
class _Parser:
    tokens: list[str]
    keys: set[str]
    text: str
    where: str
    at: int = 0

    def _fail(self) -> errors.VoucherifyError:
        return invalid_validation_rules(f"Logic '{self.text}' of {self.where} cannot be read")

    def _peek(self) -> str | None:
        return self.tokens[self.at] if self.at < len(self.tokens) else None

    def either(self) -> Logic:
        found = self.both()
        while self._peek() == "or":
            self.at += 1
            found = ("or", found, self.both())
        return found

    def both(self) -> Logic:
        found = self.single()
        while self._peek() == "and":
            self.at += 1
            found = ("and", found, self.single())
        return found

    def single(self) -> Logic:
        word = self._peek()
        self.at += 1
        if word == "not":
            return ("not", self.single())
        if word == "(":
            found = self.either()
            if self._peek() != ")":
                raise self._fail()
            self.at += 1
            return found
        if word is not None and word.isascii() and word.isdigit():
            key = str(int(word))
            if key not in self.keys:
                raise invalid_validation_rules(
                    f"Logic '{self.text}' of {self.where} names rule {key}, which is not defined"
                )
            return ("rule", key)
        raise self._fail()


# -- the tree --------------------------------------------------------------------------------


def check_tree(raw: Any, where: str = "rules") -> dict[str, Any]:
    """A ``rules`` (or ``bundle_rules``) object, checked and copied; 400 otherwise."""
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise invalid_validation_rules(f"Property {where} must be an object")
    found: dict[str, Any] = {}
    for key, node in raw.items():
        if key == "logic":
            continue
        # isdigit() alone passes '²', which int() refuses: ASCII digits only.
        if not (key.isascii() and key.isdigit()) or int(key) < 1:
            raise invalid_validation_rules(
                f"Rule key '{key}' of {where} must be a number from 1 (or 'logic')"
            )
        found[str(int(key))] = _check_rule(node, f"{where}.{key}")
    logic = raw.get("logic", "")
    if logic is None:
        logic = ""
    if not isinstance(logic, str):
        raise invalid_validation_rules(f"Property {where}.logic must be a string")
    parse_logic(logic, set(found), where)
    if found or "logic" in raw:
        found["logic"] = logic
    return found


def _check_rule(node: Any, where: str) -> dict[str, Any]:
    if not isinstance(node, dict):
        raise invalid_validation_rules(f"Rule {where} must be an object")
    name = node.get("name")
    if not isinstance(name, str):
        raise invalid_validation_rules(f"Rule {where} must have a 'name'")
    if name in UNSUPPORTED_NAMES:
        raise errors.not_implemented(
            "validation_rules",
            f"loyalty-fake does not evaluate the rule name '{name}' yet (it reads discount "
            "effects or product collections the fake does not keep); see docs/choices.md",
        )
    spec = NAMES.get(name)
    if spec is None:
        raise invalid_validation_rules(f"Rule {where} has an unknown name '{name}'")
    prop = node.get("property")
    if spec.needs_property and not (isinstance(prop, str) and prop):
        raise invalid_validation_rules(f"Rule '{name}' must have a 'property'")
    if prop is not None and not isinstance(prop, str):
        raise invalid_validation_rules(f"Property {where}.property must be a string")
    conditions = _check_conditions(node.get("conditions"), name, f"{where}.conditions")
    nested = check_tree(node.get("rules"), f"{where}.rules")
    if spec.kind == "selector" and not nested:
        raise invalid_validation_rules(f"Rule '{name}' must have nested 'rules' for the items")
    rule: dict[str, Any] = {
        "name": name,
        "property": prop,
        "conditions": conditions,
        "rules": nested,
    }
    error = node.get("error")
    if error is not None:
        if not isinstance(error, dict) or not isinstance(error.get("message", ""), str | None):
            raise invalid_validation_rules(f"Property {where}.error must be {{message: string}}")
        rule["error"] = {"message": error.get("message")}
    return rule


def _check_conditions(raw: Any, name: str, where: str) -> dict[str, Any]:
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise invalid_validation_rules(f"Property {where} must be an object")
    if not raw and NAMES[name].kind != "selector":
        raise invalid_validation_rules(f"Rule '{name}' must have at least one condition")
    for condition, values in raw.items():
        if condition in UNSUPPORTED_CONDITIONS:
            raise errors.not_implemented(
                "validation_rules",
                f"loyalty-fake does not evaluate the condition '{condition}' (product "
                "collections); see docs/choices.md",
            )
        _check_arity(name, condition, values, where)
        for value in values:
            _check_value(condition, value, f"{where}.{condition}")
    return {condition: list(values) for condition, values in raw.items()}


def _check_arity(name: str, condition: str, values: Any, where: str) -> None:
    arity = CONDITIONS.get(condition)
    if arity is None:
        raise invalid_validation_rules(f"Rule '{name}' has an unknown condition '{condition}'")
    if not isinstance(values, list):
        raise invalid_validation_rules(f"Condition {where}.{condition} must be an array")
    if arity == _ONE and len(values) != 1:
        raise invalid_validation_rules(f"Condition {where}.{condition} must hold exactly one value")
    if arity == _MANY and not values:
        raise invalid_validation_rules(f"Condition {where}.{condition} must hold a value")


def _check_value(condition: str, value: Any, where: str) -> None:
    if value is None:
        raise invalid_validation_rules(f"Condition {where} must not hold null")
    if condition in _NUMERIC and (isinstance(value, bool) or not isinstance(value, int | float)):
        raise invalid_validation_rules(f"Condition {where} must hold a number")
    if condition == "$dow" and (
        isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 6  # noqa: PLR2004
    ):
        raise invalid_validation_rules(f"Condition {where} must hold days from 0 to 6")
    if condition in _DATES:
        _date(value, where)
    if condition in {"$starts_with", "$ends_with"} and not isinstance(value, str):
        raise invalid_validation_rules(f"Condition {where} must hold a string")
    if condition.startswith("$timeframe"):
        _check_timeframe(condition, value, where)


def _check_timeframe(condition: str, value: Any, where: str) -> None:
    if condition == "$timeframe_absolute":
        parts = value.split(";") if isinstance(value, str) else []
        if len(parts) != 2:  # noqa: PLR2004 - start;end
            raise invalid_validation_rules(f"Condition {where} must be 'start;end'")
        for part in parts:
            _date(part, where)
    if condition == "$timeframe":
        parts = value.split(";") if isinstance(value, str) else []
        if len(parts) != 3 or any(parse_duration(p) is None for p in parts[1:]):  # noqa: PLR2004
            raise invalid_validation_rules(f"Condition {where} must be 'start;interval;duration'")
        _date(parts[0], where)
    if condition == "$timeframe_daily_hours":
        parts = value.split(";") if isinstance(value, str) else []
        if len(parts) != 3 or any(clock_minutes(p) is None for p in parts[:2]):  # noqa: PLR2004
            raise invalid_validation_rules(f"Condition {where} must be 'HH:mm;HH:mm;days'")
        days = [d for d in parts[2].split(",") if d.strip()]
        if not all(d.strip().isascii() and d.strip().isdigit() and int(d) <= 6 for d in days):  # noqa: PLR2004
            raise invalid_validation_rules(f"Condition {where} must name days from 0 to 6")


def _date(value: Any, where: str) -> None:
    try:
        parse_timestamp(value if isinstance(value, str) else "")
    except ValueError:
        raise invalid_validation_rules(f"Condition {where} must hold an ISO 8601 date") from None
