"""Which order lines, and how many of their units, a discount's ``applicable_to`` covers.

A target (the spec's ``ApplicableTo``) names a ``product``, ``sku`` or
``products_collection`` by ``id`` or ``source_id``, as earning rules do
(``catalogue.line_names``). A ``strict`` product target does not cover the lines of its
SKUs. Its ``effect`` picks among the lines it matches (every one, the cheapest, the most
expensive, or all from the cheapest or most expensive on); ``quantity_limit`` caps the
units per line, ``aggregated_quantity_limit`` across the target's lines (taken in that
order), and a ``UNIT`` target counts the units from ``skip_initially + 1`` every
``repeat``. A line any ``inapplicable_to`` target matches is never covered.
"""

from __future__ import annotations

from fractions import Fraction
from typing import TYPE_CHECKING, Any

import attrs

from loyalty_fake.ledger.catalogue import line_names

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping, Sequence

    from loyalty_fake.ledger.orders import OrderItem

__all__ = ["Coverage", "Target", "cover", "excluded", "target_entries", "targets"]

_ONE_UNIT = ("APPLY_TO_CHEAPEST", "APPLY_TO_MOST_EXPENSIVE")


def _count(value: Any) -> int | None:
    """A whole, non-negative number the target gives, else ``None`` (not given)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return int(value) if value >= 0 and float(value).is_integer() else None


@attrs.frozen(eq=False)
class Target:
    """One entry of ``applicable_to`` or ``inapplicable_to``, as given (``raw``) and read."""

    raw: Mapping[str, Any]

    @property
    def object(self) -> str:
        """``product``, ``sku`` or ``products_collection``."""
        return str(self.raw.get("object") or "product")

    @property
    def names(self) -> set[Any]:
        """The IDs and source IDs it names."""
        return {self.raw.get("id"), self.raw.get("source_id")} - {None}

    @property
    def effect(self) -> str:
        """Which matched lines it covers (``ApplicableToEffect``); every one by default."""
        return str(self.raw.get("effect") or "APPLY_TO_EVERY")

    def limit(self, key: str) -> int | None:
        """A limit it sets (``quantity_limit``, ``amount_limit``…); ``None`` or 0: none."""
        return _count(self.raw.get(key)) or None

    @property
    def price(self) -> int | None:
        """The new price of each covered unit (``price``), if it sets one."""
        return _count(self.raw.get("price"))

    def matches(self, item: OrderItem, in_collection: Callable[[str, OrderItem], bool]) -> bool:
        """Whether it names ``item``'s product, SKU or a collection holding it."""
        kind = self.object
        if kind == "products_collection":
            ident = self.raw.get("id")
            return isinstance(ident, str) and in_collection(ident, item)
        if kind == "product" and self.raw.get("strict") is True and line_names(item, "sku"):
            return False
        return bool(self.names & line_names(item, "sku" if kind == "sku" else "product"))

    def units(self, quantity: int) -> list[int]:
        """The units (counted from 1) it covers of a line of ``quantity``, before aggregation."""
        skip = _count(self.raw.get("skip_initially")) or 0
        repeat = (_count(self.raw.get("repeat")) or 1) if self.raw.get("target") == "UNIT" else 1
        chosen = list(range(skip + 1, quantity + 1, repeat))
        limit = self.limit("quantity_limit") or (1 if self.effect in _ONE_UNIT else None)
        return chosen[:limit] if limit is not None else chosen


def target_entries(raw: Any) -> list[Mapping[str, Any]]:
    """The entries of ``applicable_to``/``inapplicable_to``: a list, or a result list's ``data``."""
    if isinstance(raw, dict):
        raw = raw.get("data")
    return (
        [entry for entry in raw or () if isinstance(entry, dict)]
        if isinstance(raw, list | tuple)
        else []
    )


def targets(raw: Any) -> tuple[Target, ...]:
    """The targets of an ``applicable_to``/``inapplicable_to`` list (or its ``data``)."""
    return tuple(Target(entry) for entry in target_entries(raw))


@attrs.frozen
class Coverage:
    """A line a discount covers: its index, the units covered and the target that did it."""

    index: int
    units: tuple[int, ...]
    quantity: int
    target: Target | None = None

    @property
    def share(self) -> Fraction:
        """The covered part of the line: covered units over its quantity."""
        return Fraction(len(self.units), self.quantity) if self.quantity else Fraction(1)


def excluded(
    items: Sequence[OrderItem],
    inapplicable: Sequence[Target],
    in_collection: Callable[[str, OrderItem], bool],
) -> set[int]:
    """The indices of the lines any ``inapplicable_to`` target matches."""
    return {
        at
        for at, item in enumerate(items)
        if any(target.matches(item, in_collection) for target in inapplicable)
    }


def cover(  # noqa: PLR0913 - the lines, their state and the targets
    items: Sequence[OrderItem],
    *,
    quantities: Sequence[int],
    prices: Sequence[int],
    applicable: Sequence[Target],
    skip: set[int],
    in_collection: Callable[[str, OrderItem], bool],
) -> list[Coverage]:
    """The lines (and units) the targets cover, each line once, by its first matching target.

    Without targets every line not in ``skip`` is covered whole.
    """
    if not applicable:
        return [
            Coverage(at, tuple(range(1, quantities[at] + 1)), quantities[at])
            for at in range(len(items))
            if at not in skip
        ]
    matched = [
        [
            at
            for at, item in enumerate(items)
            if at not in skip and target.matches(item, in_collection)
        ]
        for target in applicable
    ]
    best = _best_prices(applicable, matched, prices)
    taken = set(skip)
    found: list[Coverage] = []
    for target, lines in zip(applicable, matched, strict=True):
        chosen = _chosen(target.effect, [at for at in lines if at not in taken], prices, best)
        left = target.limit("aggregated_quantity_limit")
        for at in chosen:
            units = target.units(quantities[at])
            if left is not None:
                units, left = units[:left], left - min(left, len(units))
            if units:
                found.append(Coverage(at, tuple(units), quantities[at], target))
                taken.add(at)
    return sorted(found, key=lambda coverage: coverage.index)


def _best_prices(
    applicable: Sequence[Target], matched: Sequence[list[int]], prices: Sequence[int]
) -> dict[str, int]:
    """The lowest price among the lines of every cheapest target, the highest likewise.

    "The cheapest item" is the cheapest of all the targets that say so, not of each.
    """
    best: dict[str, int] = {}
    for effect, pick in (("APPLY_TO_CHEAPEST", min), ("APPLY_TO_MOST_EXPENSIVE", max)):
        found = [
            prices[at]
            for target, lines in zip(applicable, matched, strict=True)
            if target.effect == effect
            for at in lines
        ]
        if found:
            best[effect] = pick(found)
    return best


def _chosen(
    effect: str, lines: list[int], prices: Sequence[int], best: Mapping[str, int]
) -> list[int]:
    """The lines ``effect`` picks, in the order it takes them."""
    if effect in best:
        return [at for at in lines if prices[at] == best[effect]]
    if effect == "APPLY_FROM_CHEAPEST":
        return sorted(lines, key=lambda at: (prices[at], at))
    if effect == "APPLY_FROM_MOST_EXPENSIVE":
        return sorted(lines, key=lambda at: (-prices[at], at))
    return lines
