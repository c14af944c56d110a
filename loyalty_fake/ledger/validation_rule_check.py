"""Deciding whether a validation rule's tree holds for a customer, an order, an event.

The tree was checked when the rule was saved (``validation_rule_tree.py``), so every name
and condition here is one the evaluator reads. ``first_failure`` answers ``None`` when
the tree holds, else the numbered rule whose failure made it fail (its ``error`` message
and its area: customer, order or redemption).
"""

from __future__ import annotations

import datetime as dt
import math
from typing import TYPE_CHECKING, Any

import attrs

from loyalty_fake.clock import parse_timestamp
from loyalty_fake.ledger.validation_rule_tree import NAMES, parse_logic
from loyalty_fake.ledger.validity import clock_minutes, parse_duration

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Mapping, Sequence

    from loyalty_fake.ledger.validation_rule_tree import Logic

__all__ = ["Failure", "ItemContext", "RuleContext", "first_failure"]


@attrs.frozen
class ItemContext:
    """One order line as rules read it: what it is, how many, at what price, its metadata."""

    product_id: str | None = None
    product_source_id: str | None = None
    sku_id: str | None = None
    sku_source_id: str | None = None
    quantity: int | None = None
    price: int | None = None
    amount: int | None = None
    metadata: Mapping[str, Any] | None = None
    product_metadata: Mapping[str, Any] | None = None

    def names(self, kind: str) -> set[str]:
        """Every ID and source_id naming the line's ``product`` or ``sku``."""
        if kind == "sku":
            found = {self.sku_id, self.sku_source_id}
        else:
            found = {self.product_id, self.product_source_id}
        return {name for name in found if name is not None}


@attrs.frozen
class RuleContext:
    """What a rule is decided on; absent parts read as unknown.

    ``counts`` holds the figures only the caller knows, by rule name
    (``redemption.count.per_customer``: 2, ``campaign.redemptions.count``: 40, ...);
    an absent one is 0. ``now`` is the instant date conditions compare with.
    """

    now: dt.datetime
    customer_id: str | None = None
    customer_metadata: Mapping[str, Any] | None = None
    segment_ids: frozenset[str] = frozenset()
    order_amount: int | None = None
    order_initial_amount: int | None = None
    order_metadata: Mapping[str, Any] | None = None
    items: tuple[ItemContext, ...] = ()
    redemption_metadata: Mapping[str, Any] | None = None
    custom_event_metadata: Mapping[str, Any] | None = None
    counts: Mapping[str, Any] = attrs.field(factory=dict)


@attrs.frozen
class Failure:
    """The numbered rule that failed: its name, its area, its own ``error.message``."""

    name: str
    area: str
    message: str | None


_MISSING: Any = object()


def first_failure(tree: Mapping[str, Any], context: RuleContext) -> Failure | None:
    """``None`` when ``tree`` holds for ``context``; else the rule whose failure decided it."""
    return _Evaluator(context).tree(tree, context.items)


@attrs.frozen
class _Evaluator:
    context: RuleContext

    def tree(self, tree: Mapping[str, Any], scope: Sequence[ItemContext]) -> Failure | None:
        keys = {key for key in tree if key != "logic"}
        if not keys:
            return None
        logic = parse_logic(str(tree.get("logic") or ""), keys)
        failed: list[Failure] = []

        def rule(key: str) -> bool:
            node = tree[key]
            if self.node(node, scope):
                return True
            area = NAMES[node["name"]].area
            failed.append(Failure(node["name"], area, (node.get("error") or {}).get("message")))
            return False

        if _decide(logic, rule):
            return None
        # The last rule that failed decided the outcome (and/or stop at it).
        return failed[-1] if failed else Failure("logic", "redemption", None)

    def node(self, node: Mapping[str, Any], scope: Sequence[ItemContext]) -> bool:
        name, conditions, nested = node["name"], node["conditions"], node.get("rules") or {}
        kind = NAMES[name].kind
        if kind == "selector":
            return self._selector(name, conditions, nested, scope)
        if kind == "catalogue":
            return self._catalogue(name, conditions, nested, scope)
        if kind == "segment":
            return (
                all(
                    _in_segments(c, values, self.context.segment_ids, self.context.now)
                    for c, values in conditions.items()
                )
                and self.tree(nested, scope) is None
            )
        if kind == "item":
            return self._items(name, node.get("property"), conditions, scope) and (
                self.tree(nested, scope) is None
            )
        value = self._value(name, node.get("property"), scope)
        return _all_hold(conditions, value, self.context.now) and self.tree(nested, scope) is None

    def _value(self, name: str, prop: str | None, scope: Sequence[ItemContext]) -> Any:  # noqa: PLR0911 - one per name
        context = self.context
        metadata = {
            "customer.metadata": context.customer_metadata,
            "order.metadata": context.order_metadata,
            "redemption.metadata": context.redemption_metadata,
            "custom_event.metadata": context.custom_event_metadata,
        }
        if name in metadata:
            return (metadata[name] or {}).get(str(prop), _MISSING)
        if name == "order.amount":
            return _known(context.order_amount)
        if name == "order.initial_amount":
            initial = context.order_initial_amount
            return _known(initial if initial is not None else context.order_amount)
        if name == "order.items.count":
            return len(context.items)
        if name == "order.items.aggregated_quantity":
            return sum(item.quantity or 0 for item in scope)
        if name == "order.items.aggregated_amount":
            return sum(item.amount or 0 for item in scope)
        return context.counts.get(name, 0)

    def _items(
        self,
        name: str,
        prop: str | None,
        conditions: Mapping[str, Any],
        scope: Sequence[ItemContext],
    ) -> bool:
        def value(item: ItemContext) -> Any:
            if name.endswith("quantity"):
                return _known(item.quantity)
            if name.startswith("product.metadata"):
                return (item.product_metadata or {}).get(str(prop), _MISSING)
            if "metadata" in name:
                return (item.metadata or {}).get(str(prop), _MISSING)
            return _known(item.price)

        def holds(item: ItemContext) -> bool:
            return _all_hold(conditions, value(item), self.context.now)

        if name.endswith("_each"):
            return bool(scope) and all(holds(item) for item in scope)
        return any(holds(item) for item in scope)

    def _catalogue(
        self,
        name: str,
        conditions: Mapping[str, Any],
        nested: Mapping[str, Any],
        scope: Sequence[ItemContext],
    ) -> bool:
        kind = name.split(".", 1)[0]
        for condition, values in conditions.items():
            wanted = {_ref(value) for value in values}
            matched = [item for item in scope if item.names(kind) & wanted]
            if condition in {"$is_not", "$not_in"}:
                if matched:
                    return False
            elif not matched or self.tree(nested, matched) is not None:
                return False
        return True

    def _selector(
        self,
        name: str,
        conditions: Mapping[str, Any],
        nested: Mapping[str, Any],
        scope: Sequence[ItemContext],
    ) -> bool:
        chosen = list(scope)
        for condition, values in conditions.items():
            refs = [value for value in values if isinstance(value, dict)]
            hit = [item for item in chosen if any(_names_item(ref, item) for ref in refs)]
            chosen = (
                [i for i in chosen if i not in hit] if condition in {"$is_not", "$not_in"} else hit
            )
        if not chosen:
            return name == "order.items.none"
        if name == "order.items.cheapest":
            chosen = [min(chosen, key=lambda item: item.price or 0)]
        elif name == "order.items.most_expensive":
            chosen = [max(chosen, key=lambda item: item.price or 0)]
        passes = [self.tree(nested, [item]) is None for item in chosen]
        if name == "order.items.any":
            return any(passes)
        if name == "order.items.none":
            return not any(passes)
        return all(passes)


def _decide(logic: Logic, rule: Callable[[str], bool]) -> bool:
    head = logic[0]
    if head == "true":
        return True
    if head == "rule":
        return rule(logic[1])
    if head == "not":
        return not _decide(logic[1], rule)
    if head == "and":
        return _decide(logic[1], rule) and _decide(logic[2], rule)
    return _decide(logic[1], rule) or _decide(logic[2], rule)


def _known(value: Any) -> Any:
    return _MISSING if value is None else value


def _ref(value: Any) -> str:
    """A product or SKU a condition names: its ID, or an object's ``id`` (or ``source_id``)."""
    if isinstance(value, dict):
        return str(value.get("id") or value.get("source_id"))
    return str(value)


def _names_item(ref: Mapping[str, Any], item: ItemContext) -> bool:
    kind = ref.get("object") or "product"
    if kind not in {"product", "sku"}:
        return False  # a products_collection: the fake keeps none, so no line is in one
    names = item.names(kind)
    return ref.get("id") in names or ref.get("source_id") in names


def _in_segments(
    condition: str, values: Iterable[Any], segments: frozenset[str], now: dt.datetime
) -> bool:
    inside = any(value in segments for value in values)
    if condition in {"$is", "$in"}:
        return inside
    if condition in {"$is_not", "$not_in"}:
        return not inside
    if condition == "$has_value":
        return bool(segments)
    if condition == "$is_unknown":
        return not segments
    return _all_hold({condition: list(values)}, sorted(segments), now)


def _all_hold(conditions: Mapping[str, Any], value: Any, now: dt.datetime) -> bool:
    return all(_holds(condition, values, value, now) for condition, values in conditions.items())


_ALIASES = {"$greater_than": "$more_than", "$greater_than_or_equal": "$more_than_or_equal"}
_ORDERED: dict[str, Callable[[Any, Any], bool]] = {
    "$less_than": lambda a, b: a < b,
    "$less_than_or_equal": lambda a, b: a <= b,
    "$more_than": lambda a, b: a > b,
    "$more_than_or_equal": lambda a, b: a >= b,
    "$after": lambda a, b: a > b,
    "$before": lambda a, b: a < b,
}
_DAY = dt.timedelta(days=1)


def _holds(condition: str, values: list[Any], value: Any, now: dt.datetime) -> bool:  # noqa: C901, PLR0911, PLR0912
    condition = _ALIASES.get(condition, condition)
    if condition == "$is_unknown":
        return value is _MISSING or value is None
    if condition == "$has_value":
        return value is not _MISSING and value is not None
    if condition in {"$is_not", "$not_in"}:
        if value is _MISSING:
            return True
        return not any(_equal(value, wanted) for wanted in values)
    if value is _MISSING or value is None:
        return False
    if condition in {"$is", "$in"}:
        return any(_equal(value, wanted) for wanted in values)
    if condition in _ORDERED:
        pair = _comparable(value, values[0])
        return pair is not None and bool(_ORDERED[condition](*pair))
    if condition in {"$starts_with", "$ends_with", "$contains"}:
        return _text(condition, value, values[0])
    if condition.startswith("$count"):
        if not isinstance(value, list | tuple):
            return False
        limit = float(values[0])
        return {"$count": len(value) == limit, "$count_more": len(value) > limit}.get(
            condition, len(value) < limit
        )
    if condition in {"$not_differ", "$not_intersect"}:
        items = value if isinstance(value, list | tuple) else [value]
        same = [str(v) for v in items]
        wanted = [str(v) for v in values]
        if condition == "$not_differ":
            return sorted(set(same)) == sorted(set(wanted))
        return not set(same) & set(wanted)
    moment = _moment(value)
    if moment is None:
        return False
    return _dated(condition, values, moment, now)


def _dated(condition: str, values: list[Any], moment: dt.datetime, now: dt.datetime) -> bool:
    if condition == "$dow":
        return moment.isoweekday() % 7 in values
    if condition.startswith("$timeframe"):
        return _in_timeframe(condition, str(values[0]), moment)
    days = float(values[0])
    past, future = (now - moment) / _DAY, (moment - now) / _DAY
    return {
        "$more_than_ago": past > days,
        "$less_than_ago": 0 <= past < days,
        "$is_days_ago": (now.date() - moment.date()).days == days,
        "$more_than_future": future > days,
        "$less_than_future": 0 <= future < days,
        "$is_days_in_future": (moment.date() - now.date()).days == days,
    }.get(condition, False)


def _in_timeframe(condition: str, text: str, moment: dt.datetime) -> bool:
    parts = text.split(";")
    if condition == "$timeframe_absolute":
        return parse_timestamp(parts[0]) <= moment <= parse_timestamp(parts[1])
    if condition == "$timeframe":
        start = parse_timestamp(parts[0])
        interval, duration = parse_duration(parts[1]), parse_duration(parts[2])
        if moment < start or interval is None or duration is None:
            return False
        return (moment - start) % interval < duration
    minute = moment.hour * 60 + moment.minute
    allowed = {int(day) for day in parts[2].split(",") if day.strip()}
    begin, end = clock_minutes(parts[0]) or 0, clock_minutes(parts[1]) or 0
    return (not allowed or moment.isoweekday() % 7 in allowed) and begin <= minute < end


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value) if math.isfinite(value) else None
    if isinstance(value, str):
        try:
            found = float(value)
        except ValueError:
            return None
        return found if math.isfinite(found) else None
    return None


def _moment(value: Any) -> dt.datetime | None:
    if isinstance(value, dt.datetime):
        return value
    if not isinstance(value, str):
        return None
    try:
        return parse_timestamp(value)
    except ValueError:
        return None


def _equal(value: Any, wanted: Any) -> bool:
    if isinstance(value, list | tuple):
        return any(_equal(item, wanted) for item in value)
    if isinstance(value, bool) or isinstance(wanted, bool):
        return value is wanted or str(value).lower() == str(wanted).lower()
    left, right = _number(value), _number(wanted)
    if (
        left is not None
        and right is not None
        and not (isinstance(value, str) and isinstance(wanted, str))
    ):
        return left == right
    if isinstance(wanted, dict):
        return isinstance(value, dict) and value == wanted
    return str(value) == str(wanted)


def _comparable(value: Any, wanted: Any) -> tuple[Any, Any] | None:
    left, right = _number(value), _number(wanted)
    if left is not None and right is not None:
        return left, right
    first, second = _moment(value), _moment(wanted)
    if first is not None and second is not None:
        return first, second
    return None


def _text(condition: str, value: Any, wanted: Any) -> bool:
    if isinstance(value, list | tuple):
        if condition == "$contains":
            return any(_equal(item, wanted) for item in value)
        return any(_text(condition, item, wanted) for item in value)
    text, part = str(value), str(wanted)
    if condition == "$starts_with":
        return text.startswith(part)
    if condition == "$ends_with":
        return text.endswith(part)
    return part in text
