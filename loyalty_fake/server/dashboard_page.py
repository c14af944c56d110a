"""``GET /_fake/``: the dashboard's query read, its page found and drawn.

Answered outside the request's unit of work: each view takes the ledger's lock for its
slices only (``dashboard_views.py``), so a dashboard open on a large state never holds API
calls up for longer than a page takes to read.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

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
    from loyalty_fake.ledger import Ledger
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


def _webhooks_page(ledger: Ledger, query: Query, app_id: str) -> Page:
    """The project's webhook configurations, newest first (their sends are in the calls)."""
    start, size, needle = (query.page - 1) * query.size, query.size, query.q.lower()
    with ledger.session(app_id) as session:
        hooks = [
            hook
            for hook in reversed(session.webhooks.list())
            if needle in " ".join((hook.id, hook.target_url, *hook.events)).lower()
        ]
    rows: list[list[Cell]] = [
        [
            hook.id,
            hook.target_url,
            ", ".join(hook.events),
            "yes" if hook.active else "no",
            format_timestamp(hook.created_at),
        ]
        for hook in hooks[start : start + size]
    ]
    columns = ("id", "target_url", "events", "active", "created_at")
    return Page(columns, rows, len(hooks) > start + size, len(hooks))


def _plain(value: object) -> Cell:
    return value if value is None or isinstance(value, str | int) else str(value)


def dashboard_response(served: Served, request: Request) -> Response:
    """The dashboard's page (or its ``<main>`` alone, ``part=main``) for ``request``."""
    ledger = served.ledger
    projects = ledger.app_ids()
    views = [*VIEWS, "calls", "webhooks"]
    views.sort(key=list(TITLES).index)
    query, main_only = _query(request, views, projects)
    if query.view == "calls":
        page = calls_page(served.app.journal, query)
    elif query.project in projects and query.view == "webhooks":
        page = _webhooks_page(ledger, query, query.project)
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
