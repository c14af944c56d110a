"""The HTML dashboard: one paged, searchable view at a time, refreshed in place.

Views: members, transactions (each with its member), customers, orders, programs, the call
journal's calls, and webhooks when the fake has them. ``dashboard_views.py`` finds a
page's rows without reading every record; this module draws the page around them: the
clock, the views, a search box, the pager, and buttons that reset, seed and move the clock
through the control plane's own JSON requests (a page on another site cannot send those).
A small script fetches the page's ``<main>`` again every two seconds while the tab is
visible, so the dashboard follows the state without a reload.
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING
from urllib.parse import urlencode

from loyalty_fake.server.dashboard_views import Link

if TYPE_CHECKING:
    from collections.abc import Sequence

    from loyalty_fake.server.dashboard_views import Cell, Page, Query

__all__ = ["REFRESH_MS", "TITLES", "dashboard_html", "main_html"]

REFRESH_MS = 2000
TITLES = {
    "members": "Members",
    "transactions": "Transactions",
    "customers": "Customers",
    "orders": "Orders",
    "programs": "Programs",
    "calls": "Calls",
    "webhooks": "Webhooks",
}
_STYLE = (
    "<style>body{font:14px/1.4 system-ui,sans-serif;margin:1.5em 2em;color:#222}"
    "table{border-collapse:collapse;margin:.5em 0 1em}"
    "th,td{border:1px solid #ccc;padding:.3em .6em;text-align:left}"
    "th{background:#f3f3f3}td.num{text-align:right}code{font-size:13px}"
    "nav a{margin-right:.8em}nav a.on{font-weight:bold;text-decoration:none;color:#222}"
    "#controls button{margin-right:.4em}#status{color:#555;min-height:1.4em}"
    "form{margin:.8em 0}input[type=search]{width:22em}.note{color:#666}</style>"
)
# The buttons: (label, control-plane operation, JSON body).
_BUTTONS = (
    ("Reset", "reset", "{}"),
    ("Seed demo data", "seed", "{}"),
    ("Clock +1 hour", "clock", '{"advance":{"hours":1}}'),
    ("Clock +1 day", "clock", '{"advance":{"days":1}}'),
    ("Clock +30 days", "clock", '{"advance":{"days":30}}'),
)
_SCRIPT = """<script>
const say = (text) => { document.getElementById('status').textContent = text; };
async function refresh() {
  if (document.hidden) return;
  const url = new URL(location.href);
  url.searchParams.set('part', 'main');
  const reply = await fetch(url, {cache: 'no-store'});
  if (reply.ok) document.getElementById('content').innerHTML = await reply.text();
}
for (const button of document.querySelectorAll('button[data-operation]')) {
  button.addEventListener('click', async () => {
    const operation = button.dataset.operation;
    if (operation === 'reset' && !confirm('Forget every project and call?')) return;
    // JSON, as the control plane requires of a change: a page on another site cannot send it.
    const reply = await fetch('/_fake/' + operation, {
      method: 'POST', headers: {'Content-Type': 'application/json'}, body: button.dataset.body,
    });
    const answer = await reply.json();
    say(reply.ok ? button.textContent + ': done' : answer.details || answer.message);
    await refresh();
  });
}
setInterval(refresh, REFRESH_MS);
</script>""".replace("REFRESH_MS", str(REFRESH_MS))


def _e(value: object) -> str:
    return html.escape("" if value is None else str(value))


def _href(query: Query, **changes: object) -> str:
    params: dict[str, object] = {
        "view": query.view,
        "project": query.project,
        "q": query.q,
        "page": query.page,
    }
    params.update(changes)
    kept = {k: v for k, v in params.items() if v not in (None, "") and not (k == "page" and v == 1)}
    return "?" + urlencode(kept)


def _cell(cell: Cell, query: Query, numeric: bool) -> str:
    if isinstance(cell, Link):
        target = _href(query, view=cell.view, q=cell.q, page=1)
        inner = f"<a href='{_e(target)}'><code>{_e(cell.text)}</code></a>"
    elif cell is None:
        inner = "&ndash;"
    else:
        inner = _e(cell)
    return f"<td class=num>{inner}</td>" if numeric else f"<td>{inner}</td>"


def _table(page: Page, query: Query) -> str:
    head = "".join(f"<th>{_e(column)}</th>" for column in page.columns)
    body = "".join(
        "<tr>"
        + "".join(_cell(cell, query, index in page.numeric) for index, cell in enumerate(row))
        + "</tr>"
        for row in page.rows
    )
    return f"<table id={query.view}><tr>{head}</tr>{body}</table>"


def _pager(page: Page, query: Query) -> str:
    links = []
    if query.page > 1:
        links.append(f"<a rel=prev href='{_e(_href(query, page=query.page - 1))}'>&larr; newer</a>")
    links.append(f"page {query.page}")
    if page.more:
        links.append(f"<a rel=next href='{_e(_href(query, page=query.page + 1))}'>older &rarr;</a>")
    return f"<p class=pager>{' &middot; '.join(links)}</p>"


def main_html(  # noqa: PLR0913 - what the page's main part shows
    page: Page,
    query: Query,
    *,
    clock: dict[str, object],
    seed: int,
    projects: Sequence[str],
    views: Sequence[str],
) -> str:
    """The page's ``<main>``: clock, views, projects, the table and its pager."""
    frozen = " (frozen)" if clock["frozen"] else ""
    parts = [
        f"<p>Clock: <code id=clock>{_e(clock['now'])}</code>{frozen} &middot; seed {seed}</p>",
        "<nav>"
        + "".join(
            f"<a class={'on' if view == query.view else 'off'} "
            f"href='{_e(_href(query, view=view, q='', page=1))}'>{TITLES[view]}</a>"
            for view in views
        )
        + "</nav>",
    ]
    if len(projects) > 1:
        parts.append(
            "<p>Project: "
            + " ".join(
                f"<a href='{_e(_href(query, project=p, page=1))}'><code>{_e(p)}</code></a>"
                for p in projects
            )
            + "</p>"
        )
    if not projects and query.view != "calls":
        parts.append("<p>No data yet. <button disabled>Seed demo data</button> builds some.</p>")
    total = "" if page.total is None else f" ({page.total:,} in all)"
    project = f" of <code>{_e(query.project)}</code>" if query.project else ""
    searched = f" matching <q>{_e(query.q)}</q>" if query.q else ""
    parts.append(f"<h2>{TITLES[query.view]}{project}{searched}{total}</h2>")
    if page.note:
        parts.append(f"<p class=note>{_e(page.note)}</p>")
    parts.append(_table(page, query))
    parts.append(_pager(page, query))
    return "".join(parts)


def dashboard_html(main: str, query: Query) -> str:
    """The whole page around ``main`` (see ``main_html``)."""
    buttons = "".join(
        f"<button type=button data-operation={operation} data-body='{_e(body)}'>{label}</button>"
        for label, operation, body in _BUTTONS
    )
    hidden = "".join(
        f"<input type=hidden name={name} value='{_e(value)}'>"
        for name, value in (("view", query.view), ("project", query.project))
        if value
    )
    return (
        "<!doctype html><html lang=en><head><meta charset=utf-8>"
        f"<title>loyalty-fake dashboard</title>{_STYLE}</head><body>"
        "<h1>loyalty-fake</h1>"
        f"<div id=controls>{buttons}</div><p id=status role=status></p>"
        f"<form id=search method=get>{hidden}<input type=search name=q value='{_e(query.q)}' "
        "placeholder='code, source_id, ID, name, path...'> <button>Search</button></form>"
        f"<main id=content>{main}</main>{_SCRIPT}</body></html>"
    )
