"""The HTML dashboard, drawn from the state dump: programs, members, recent transactions.

Above them, the recent calls of the call journal (``GET /_fake/journal``).

And, when a project has them, its earning rules and recent orders (the newest first).
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Sequence

__all__ = ["dashboard_html"]

_RECENT = 20
_STYLE = (
    "<style>body{font:14px/1.4 system-ui,sans-serif;margin:2em;color:#222}"
    "table{border-collapse:collapse;margin:.5em 0 1.5em}"
    "th,td{border:1px solid #ccc;padding:.3em .6em;text-align:left}"
    "th{background:#f3f3f3}td.num{text-align:right}code{font-size:13px}</style>"
)


def dashboard_html(state: dict[str, Any], calls: Sequence[dict[str, Any]] = ()) -> str:
    """The dashboard's page for a state dump (``ControlPlane.dump()``) and journaled calls.

    ``calls``: the newest calls as ``JournalEntry.as_json()`` gives them, oldest first.
    """
    parts = [
        "<!doctype html><html lang=en><head><meta charset=utf-8>",
        "<title>loyalty-fake dashboard</title>",
        _STYLE,
        "</head><body><h1>loyalty-fake</h1>",
    ]
    frozen = " (frozen)" if state["clock"]["frozen"] else ""
    parts.append(
        f"<p>Clock: <code id=clock>{_e(state['clock']['now'])}</code>{frozen}"
        f" &middot; seed {state['seed']}</p>"
    )
    if calls:
        parts.append(_calls_table(calls))
    if not state["projects"]:
        parts.append("<p>No data yet. <code>POST /_fake/seed</code> builds a demo program.</p>")
    for app_id, project in state["projects"].items():
        parts.append(f"<h2>Project <code>{_e(app_id)}</code></h2>")
        parts.append(_programs_table(project["programs"]))
        parts.append(_members_table(project))
        parts.append(_transactions_table(project["transactions"]))
        if project.get("earning_rules"):
            parts.append(_earning_rules_table(project))
        if project.get("orders"):
            parts.append(_orders_table(project))
    parts.append("</body></html>")
    return "".join(parts)


def _e(value: object) -> str:
    return html.escape("" if value is None else str(value))


def _table(caption: str, headers: list[str], rows: list[list[str]], table_id: str) -> str:
    head = "".join(f"<th>{h}</th>" for h in headers)
    body = "".join("<tr>" + "".join(cells) + "</tr>" for cells in rows)
    return f"<h3>{caption}</h3><table id={table_id}><tr>{head}</tr>{body}</table>"


def _programs_table(programs: list[dict[str, Any]]) -> str:
    rows = [
        [
            f"<td>{_e(p['name'])}</td>",
            f"<td><code>{_e(p['id'])}</code></td>",
            f"<td>{_e(p['type'])}</td>",
            f"<td class=num>{p['vouchers_count']}</td>",
        ]
        for p in programs
    ]
    return _table("Programs", ["Name", "ID", "Type", "Cards"], rows, "programs")


def _members_table(project: dict[str, Any]) -> str:
    customers = {c["id"]: c for c in project["customers"]}
    rows = []
    for card in project["cards"]:
        if card.get("holder_id") is None:
            continue
        holder = customers.get(card["holder_id"], {})
        points = card["loyalty_card"]
        expiry = points.get("next_expiration_date")
        rows.append(
            [
                f"<td><code class=code>{_e(card['code'])}</code></td>",
                f"<td>{_e(card['campaign'])}</td>",
                f"<td>{_e(holder.get('name') or holder.get('source_id'))}</td>",
                f"<td class='num balance'>{points['balance']}</td>",
                f"<td class=num>{points['points']}</td>",
                (
                    f"<td>{_e(expiry) if expiry else '&ndash;'}"
                    f"{' (' + str(points['next_expiration_points']) + ')' if expiry else ''}</td>"
                ),
            ]
        )
    headers = ["Code", "Program", "Holder", "Balance", "Points earned", "Next expiry (points)"]
    return _table("Members", headers, rows, "members")


def _transactions_table(transactions: list[dict[str, Any]]) -> str:
    recent = sorted(transactions, key=lambda t: t["id"], reverse=True)[:_RECENT]
    rows = [
        [
            f"<td>{_e(t['created_at'])}</td>",
            f"<td>{_e(t['type'])}</td>",
            f"<td class=num>{t['details']['balance']['points']}</td>",
            f"<td class=num>{t['details']['balance']['balance']}</td>",
            f"<td>{_e(t['reason'])}</td>",
        ]
        for t in recent
    ]
    headers = ["When", "Type", "Points", "Balance after", "Reason"]
    return _table("Recent transactions", headers, rows, "transactions")


def _capped(caption: str, shown: int, total: int) -> str:
    return caption if shown == total else f"{caption} ({shown} of {total})"


def _earning_rules_table(project: dict[str, Any]) -> str:
    names = {p["id"]: p["name"] for p in project["programs"]}
    rules = project["earning_rules"]
    rows = []
    for rule in rules[:_RECENT]:
        loyalty = rule["loyalty"]
        points = loyalty.get("points", "")
        if loyalty.get("type") == "PROPORTIONAL":
            points = loyalty.get("calculation_type", "")
        rows.append(
            [
                f"<td>{_e(names.get(rule['source']['object_id']))}</td>",
                f"<td>{_e(rule['source'].get('banner'))}</td>",
                f"<td>{_e(rule['event'])}</td>",
                f"<td>{_e(loyalty.get('type'))} {_e(points)}</td>",
                f"<td>{'yes' if rule['active'] else 'no'}</td>",
            ]
        )
    headers = ["Program", "Banner", "Event", "Points", "Active"]
    caption = _capped("Earning rules", len(rows), len(rules))
    return _table(caption, headers, rows, "earning-rules")


def _orders_table(project: dict[str, Any]) -> str:
    customers = {c["id"]: c for c in project["customers"]}
    orders = project["orders"]
    recent = sorted(orders, key=lambda o: (o["created_at"], o["id"]), reverse=True)[:_RECENT]
    rows = []
    for order in recent:
        holder = customers.get(order["customer_id"] or "", {})
        rows.append(
            [
                f"<td>{_e(order['created_at'])}</td>",
                f"<td><code>{_e(order['source_id'] or order['id'])}</code></td>",
                f"<td>{_e(holder.get('name') or holder.get('source_id'))}</td>",
                f"<td>{_e(order['status'])}</td>",
                f"<td class=num>{_e(order.get('total_amount'))}</td>",
            ]
        )
    headers = ["When", "Order", "Customer", "Status", "Total (cents)"]
    caption = _capped("Recent orders", len(rows), len(orders))
    return _table(caption, headers, rows, "orders")


def _calls_table(calls: Sequence[dict[str, Any]]) -> str:
    rows = [
        [
            f"<td>{_e(c['at'])}</td>",
            f"<td>{_e(c['client'])}</td>",
            f"<td>{_e(c['method'])}</td>",
            f"<td><code>{_e(c['path'])}</code></td>",
            f"<td>{_e(c['operation'] or '')}</td>",
            f"<td class=num>{c['status']}</td>",
        ]
        for c in reversed(calls[-_RECENT:])
    ]
    headers = ["When", "Client", "Method", "Path", "Operation", "Status"]
    return _table("Recent calls", headers, rows, "calls")
