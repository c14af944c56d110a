"""The dashboard's views: one page of one kind of record, found without reading them all.

Each view answers a ``Query`` (view, project, search, page) with a ``Page`` of rows. An
unfiltered page is a slice of the project's records, newest first, read under the ledger's
lock; a search first looks the text up where an index answers at once (a card's code, a
customer's ``source_id`` or ID, an order's ID), then scans a copy of the record keys taken
under the lock, outside it, for at most ``SCAN_SECONDS``: the lock is held for a page's
rows, never for a scan, so a dashboard at a million members does not hold API calls up.
"""

from __future__ import annotations

import time
from collections import Counter
from itertools import islice
from typing import TYPE_CHECKING, Any

import attrs

from loyalty_fake.http.campaigns_json import campaign_json
from loyalty_fake.http.cards_json import member_json
from loyalty_fake.http.orders_json import synced_order_json
from loyalty_fake.http.points_json import transaction_json

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator, Sequence

    from loyalty_fake.journal import Journal
    from loyalty_fake.ledger import Ledger
    from loyalty_fake.ledger.cards import LoyaltyCard
    from loyalty_fake.ledger.project import Project

__all__ = ["SCAN_SECONDS", "VIEWS", "Cell", "Link", "Page", "Query", "view_page"]

# How long a search may scan records that no index finds (outside the ledger's lock).
SCAN_SECONDS = 0.3
PAGE_SIZE = 50


@attrs.frozen
class Link:
    """A cell that searches another view for ``q`` (a transaction's member, say)."""

    text: str
    view: str
    q: str


Cell = str | int | Link | None


@attrs.frozen
class Query:
    """What the dashboard was asked for: a view of one project, a search, a page (from 1)."""

    view: str = "members"
    project: str | None = None
    q: str = ""
    page: int = 1
    size: int = PAGE_SIZE


@attrs.frozen
class Page:
    """One page of a view: its columns, its rows, whether more follow, and a note."""

    columns: tuple[str, ...]
    rows: list[list[Cell]]
    more: bool
    total: int | None = None
    note: str = ""
    numeric: frozenset[int] = frozenset()


@attrs.frozen
class _Found:
    """What a search found: keys, newest first, and whether the scan ran out of time."""

    keys: list[Any]
    cut_short: int | None = None  # records scanned before the time ran out


def _scan(
    keys: Sequence[Any], fits: Callable[[Any], bool], wanted: int, scanned: list[int]
) -> _Found:
    """The keys (newest first) that ``fits``, up to ``wanted``, within ``SCAN_SECONDS``."""
    found: list[Any] = []
    deadline = time.monotonic() + SCAN_SECONDS
    for number, key in enumerate(reversed(keys)):
        if number % 1024 == 0 and time.monotonic() > deadline:
            scanned.append(number)
            return _Found(found, number)
        if fits(key):
            found.append(key)
            if len(found) >= wanted:
                break
    return _Found(found)


def _newest(values: Iterable[Any], start: int, count: int) -> list[Any]:
    return list(islice(values, start, start + count))


def _lower(value: object) -> str:
    return "" if value is None else str(value).lower()


def _holder(project: Project, card: LoyaltyCard) -> str | None:
    holder = project.customers.get(card.holder_id or "")
    return None if holder is None else holder.name or holder.source_id


def _card_codes(ledger: Ledger, app_id: str, q: str, wanted: int, note: list[int]) -> list[str]:
    """The codes of the members a search names, newest first (``wanted`` at most)."""
    with ledger.session(app_id) as session:
        project = session.project
        if q in project.cards:
            return [q]
        customer = project.customer_by_source_id(q) or project.customers.get(q)
        if customer is not None:
            return list(reversed(customer.held_codes()))
        codes = list(project.cards)
    needle = q.lower()
    cards, customers = project.cards, project.customers

    def fits(code: str) -> bool:
        card = cards.get(code)
        if card is None or card.holder_id is None:
            return False
        if needle in code.lower():
            return True
        holder = customers.get(card.holder_id)
        return holder is not None and (
            needle in _lower(holder.name) or needle in _lower(holder.source_id)
        )

    return _scan(codes, fits, wanted, note).keys


def _card_keys(ledger: Ledger, app_id: str) -> tuple[list[str], dict[str, LoyaltyCard]]:
    """The project's card codes, oldest first, copied under the lock; and its live cards."""
    with ledger.session(app_id) as session:
        return list(session.project.cards), session.project.cards


def _ledger_cards(ledger: Ledger, app_id: str) -> dict[str, LoyaltyCard]:
    """The project's live cards by code (read outside the lock: one lookup at a time)."""
    with ledger.session(app_id) as session:
        return session.project.cards


def _members(ledger: Ledger, query: Query, app_id: str) -> Page:
    start, size = (query.page - 1) * query.size, query.size
    scanned: list[int] = []
    if query.q:
        codes = _card_codes(ledger, app_id, query.q, start + size + 1, scanned)[start:]
    else:
        keys, cards_now = _card_keys(ledger, app_id)
        held = (k for k in reversed(keys) if getattr(cards_now.get(k), "holder_id", None))
        codes = _newest(held, start, size + 1)  # outside the lock: a deep page walks far
    with ledger.session(app_id) as session:
        project = session.project
        cards = [c for code in codes if (c := project.cards.get(code)) is not None]
        rows = []
        for card in cards[:size]:
            member = member_json(card, project.campaigns[card.campaign_id])
            points = member["loyalty_card"]
            expiry = points.get("next_expiration_date")
            rows.append(
                [
                    Link(card.code, "transactions", card.code),
                    project.campaigns[card.campaign_id].name,
                    _holder(project, card),
                    points["balance"],
                    points["points"],
                    f"{expiry} ({points['next_expiration_points']})" if expiry else None,
                ]
            )
        total = sum(len(c.members) for c in project.campaigns.values() if not c.in_bin)
    columns = ("Code", "Program", "Holder", "Balance", "Points earned", "Next expiry (points)")
    note = _cut(scanned, "cards")
    return Page(columns, rows, len(cards) > size, total, note, frozenset({3, 4}))


def _transactions(ledger: Ledger, query: Query, app_id: str) -> Page:
    """Each member's transactions, newest first, the newest members first."""
    start, size = (query.page - 1) * query.size, query.size
    scanned: list[int] = []
    if query.q:
        candidates: Iterable[str] = _card_codes(ledger, app_id, query.q, 1_000, scanned)
        cards_now = _ledger_cards(ledger, app_id)
    else:
        keys, cards_now = _card_keys(ledger, app_id)
        candidates = reversed(keys)
    # Outside the lock: the cards whose transactions reach past the page's end.
    picked, counted = [], 0
    for code in candidates:
        card_now = cards_now.get(code)
        count = 0 if card_now is None else len(card_now.transactions)
        if count:
            picked.append(code)
            counted += count
            if counted > start + size:
                break
    with ledger.session(app_id) as session:
        project = session.project
        held = [c for code in picked if (c := project.cards.get(code)) is not None]

        def each() -> Iterator[tuple[LoyaltyCard, Any]]:
            for card in held:
                log = card.transactions
                for index in range(len(log) - 1, -1, -1):
                    yield card, log[index]

        found = _newest(each(), start, size + 1)
        rows: list[list[Cell]] = []
        for card, transaction in found[:size]:
            shown = transaction_json(transaction, card)
            balance = shown["details"]["balance"]
            rows.append(
                [
                    shown["created_at"],
                    Link(card.code, "members", card.code),
                    _holder(project, card),
                    project.campaigns[card.campaign_id].name,
                    shown["type"],
                    balance["points"],
                    balance["balance"],
                    shown["reason"],
                ]
            )
    columns = ("When", "Member", "Holder", "Program", "Type", "Points", "Balance after", "Reason")
    note = (
        _cut(scanned, "cards") or "Each member's transactions, newest first; newest members first."
    )
    return Page(columns, rows, len(found) > size, None, note, frozenset({5, 6}))


def _customers(ledger: Ledger, query: Query, app_id: str) -> Page:
    start, size = (query.page - 1) * query.size, query.size
    scanned: list[int] = []
    with ledger.session(app_id) as session:
        project = session.project
        live = project.customer_by_source_id(query.q) or project.live_customer(query.q)
        ids = [live.id] if query.q and live is not None else None
        if ids is None and not query.q:
            listed = (c for c in reversed(project.customers.values()) if c.deleted_at is None)
            ids = [c.id for c in _newest(listed, start, size + 1)]
            start = 0
        keys = list(project.customers) if ids is None else []
    if ids is None:
        needle, customers = query.q.lower(), project.customers

        def fits(key: str) -> bool:
            c = customers.get(key)
            return (
                c is not None
                and c.deleted_at is None
                and any(needle in _lower(text) for text in (c.name, c.source_id, c.email, c.id))
            )

        ids = _scan(keys, fits, start + size + 1, scanned).keys
    with ledger.session(app_id) as session:
        project = session.project
        chosen = [c for key in ids[start:] if (c := project.customers.get(key)) is not None]
        rows: list[list[Cell]] = [
            [
                c.name,
                Link(c.source_id or c.id, "members", c.source_id or c.id),
                c.id,
                c.email,
                ", ".join(c.held_codes()) or None,
                c.created_at.isoformat(),
            ]
            for c in chosen[:size]
        ]
        total = len(project.customers)
    columns = ("Name", "Source ID", "ID", "Email", "Cards", "Created")
    return Page(columns, rows, len(chosen) > size, total, _cut(scanned, "customers"))


def _orders(ledger: Ledger, query: Query, app_id: str) -> Page:
    start, size = (query.page - 1) * query.size, query.size
    scanned: list[int] = []
    with ledger.session(app_id) as session:
        project = session.project
        exact = project.orders.get(query.q) or project.orders.get(
            project.order_ids_by_source_id.get(query.q, "")
        )
        keys = list(project.orders) if query.q and exact is None else []
    ids: list[str] | None = [exact.id] if exact is not None else None
    if query.q and ids is None:
        needle, orders, customers = query.q.lower(), project.orders, project.customers

        def fits(key: str) -> bool:
            order = orders.get(key)
            if order is None:
                return False
            holder = customers.get(order.customer_id or "")
            texts = (order.id, order.source_id, order.status, holder and holder.source_id)
            return any(needle in _lower(text) for text in texts)

        ids = _scan(keys, fits, start + size + 1, scanned).keys
    with ledger.session(app_id) as session:
        project = session.project
        if ids is None:
            chosen = _newest(reversed(project.orders.values()), start, size + 1)
        else:
            chosen = [o for key in ids[start:] if (o := project.orders.get(key)) is not None]
        rows: list[list[Cell]] = []
        for order in chosen[:size]:
            shown = synced_order_json(order)
            holder = project.customers.get(order.customer_id or "")
            who = None if holder is None else holder.source_id or holder.id
            rows.append(
                [
                    shown["created_at"],
                    order.source_id or order.id,
                    Link(who, "members", who) if who else None,
                    shown["status"],
                    shown.get("total_amount"),
                ]
            )
        total = len(project.orders)
    columns = ("When", "Order", "Customer", "Status", "Total (cents)")
    return Page(columns, rows, len(chosen) > size, total, _cut(scanned, "orders"), frozenset({4}))


def _programs(ledger: Ledger, query: Query, app_id: str) -> Page:
    start, size = (query.page - 1) * query.size, query.size
    needle = query.q.lower()
    with ledger.session(app_id) as session:
        campaigns = [
            c
            for c in reversed(session.project.campaigns.values())
            if not c.in_bin and (needle in c.name.lower() or needle in c.id.lower())
        ]
        rules = Counter(rule.campaign_id for rule in session.project.earning_rules.values())
        rows: list[list[Cell]] = []
        for campaign in campaigns[start : start + size]:
            shown = campaign_json(campaign)
            rows.append(
                [
                    Link(campaign.name, "members", ""),
                    campaign.id,
                    shown.get("campaign_type") or shown.get("type"),
                    shown.get("vouchers_count"),
                    rules[campaign.id],
                    shown.get("created_at"),
                ]
            )
    columns = ("Name", "ID", "Type", "Cards", "Earning rules", "Created")
    return Page(columns, rows, len(campaigns) > start + size, len(campaigns), "", frozenset({3, 4}))


def calls_page(journal: Journal | None, query: Query) -> Page:
    """The call journal's calls, newest first, searched by path, operation, client or status."""
    start, size = (query.page - 1) * query.size, query.size
    calls = [] if journal is None else journal.calls()
    needle = query.q.lower()
    chosen = [
        entry
        for entry in reversed(calls)
        if not needle
        or any(
            needle in _lower(text)
            for text in (entry.path, entry.operation, entry.client, entry.status, entry.method)
        )
    ]
    rows: list[list[Cell]] = [
        [
            entry.as_json()["at"],
            entry.client,
            entry.method,
            entry.path,
            entry.operation,
            entry.status,
        ]
        for entry in chosen[start : start + size]
    ]
    columns = ("When", "Client", "Method", "Path", "Operation", "Status")
    return Page(columns, rows, len(chosen) > start + size, len(calls), "", frozenset({5}))


def _cut(scanned: list[int], what: str) -> str:
    if not scanned:
        return ""
    return (
        f"The search read the newest {scanned[0]:,} {what} in the time it may take; "
        "search for a whole code, source_id or ID to find any at once."
    )


VIEWS: dict[str, Callable[[Ledger, Query, str], Page]] = {
    "members": _members,
    "transactions": _transactions,
    "customers": _customers,
    "orders": _orders,
    "programs": _programs,
}


def view_page(ledger: Ledger, query: Query, app_id: str) -> Page:
    """The page ``query`` asks for, of project ``app_id`` (views other than calls)."""
    return VIEWS[query.view](ledger, query, app_id)
