"""``GET /_fake/``: the dashboard's query read, its page found and drawn.

Answered outside the request's unit of work: each view takes the ledger's lock for its
slices only (``dashboard_views.py``), so a dashboard open on a large state never holds API
calls up for longer than a page takes to read.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import attrs

from loyalty_fake.clock import format_timestamp
from loyalty_fake.errors import bad_request
from loyalty_fake.http.app import printable
from loyalty_fake.http.messages import Response
from loyalty_fake.server.dashboard import TITLES, dashboard_html, main_html
from loyalty_fake.server.dashboard_views import (
    PAGE_SIZE,
    VIEWS,
    Cell,
    Page,
    Query,
    calls_page,
    view_page,
)

if TYPE_CHECKING:
    from loyalty_fake.http.messages import Request
    from loyalty_fake.server.served import Served

__all__ = ["dashboard_response"]

_HTML_HEADERS = (("Content-Type", "text/html; charset=utf-8"), ("Cache-Control", "no-store"))
_MAX_PAGE = 1_000_000
_MAX_SEARCH = 200


def _query(request: Request, views: list[str], projects: list[str]) -> tuple[Query, bool]:
    """The dashboard's query, and whether only its ``<main>`` is asked for; 400 when bad."""
    params = dict(request.query)
    view = params.get("view") or "members"
    if view not in views:
        raise bad_request(
            "invalid_query_params", "Invalid query params", f"view must be one of {views}"
        )
    page_text = params.get("page") or "1"
    if not page_text.isdigit() or not 1 <= int(page_text) <= _MAX_PAGE:
        raise bad_request(
            "invalid_query_params", "Invalid query params", f"page must be 1-{_MAX_PAGE}"
        )
    q = (params.get("q") or "").strip()[:_MAX_SEARCH]
    project = params.get("project") or (projects[0] if projects else None)
    return Query(view, project, q, int(page_text), PAGE_SIZE), params.get("part") == "main"


def webhooks_of(served: Served) -> Any:
    """The fake's webhooks, when this version has them (``served.webhooks`` or the app's)."""
    return getattr(served, "webhooks", None) or getattr(served.app, "webhooks", None)


def _webhooks_page(webhooks: Any, query: Query) -> Page:
    """Whatever the webhooks hold, newest first, as a table of their fields."""
    listed = webhooks.all() if hasattr(webhooks, "all") else webhooks
    items = list(listed.values() if isinstance(listed, dict) else listed)
    as_dicts = [
        item if isinstance(item, dict) else attrs.asdict(item, recurse=False)
        if attrs.has(type(item)) else vars(item)
        for item in reversed(items)
    ]  # fmt: skip
    needle = query.q.lower()
    chosen = [d for d in as_dicts if not needle or needle in str(d).lower()]
    start = (query.page - 1) * query.size
    columns = tuple(list(chosen[0])[:8]) if chosen else ("Webhook",)
    rows: list[list[Cell]] = [
        [_plain(item.get(column)) for column in columns]
        for item in chosen[start : start + query.size]
    ]
    return Page(columns, rows, len(chosen) > start + query.size, len(items))


def _plain(value: object) -> Cell:
    return value if value is None or isinstance(value, str | int) else str(value)


def dashboard_response(served: Served, request: Request) -> Response:
    """The dashboard's page (or its ``<main>`` alone, ``part=main``) for ``request``."""
    ledger = served.ledger
    projects = ledger.app_ids()
    webhooks = webhooks_of(served)
    views = [*VIEWS, "calls"] + (["webhooks"] if webhooks is not None else [])
    views.sort(key=list(TITLES).index)
    query, main_only = _query(request, views, projects)
    if query.view == "calls":
        page = calls_page(served.app.journal, query)
    elif query.view == "webhooks":
        page = _webhooks_page(webhooks, query)
    elif query.project in projects:
        page = view_page(ledger, query, query.project)
    else:
        page = Page(("Nothing",), [], more=False, total=0)
    clock = {"now": format_timestamp(ledger.clock.now()), "frozen": ledger.clock.frozen}
    main = main_html(page, query, clock=clock, seed=ledger.ids.seed, projects=projects, views=views)
    text = main if main_only else dashboard_html(main, query)
    try:
        body = text.encode("utf-8")
    except UnicodeEncodeError:  # see printable()
        body = str(printable(text)).encode("utf-8")
    return Response(200, body, _HTML_HEADERS)
