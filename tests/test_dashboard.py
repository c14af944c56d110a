"""The dashboard's views: paged, searchable, each from a slice, its transactions' members shown."""

from __future__ import annotations

import re
from types import SimpleNamespace
from typing import TYPE_CHECKING

import pytest
import requests

from loyalty_fake.http.management_auth import management_project_id
from loyalty_fake.http.messages import Request
from loyalty_fake.seeding import seed_program
from loyalty_fake.server import dashboard_views
from loyalty_fake.server.dashboard_page import dashboard_response

if TYPE_CHECKING:
    from loyalty_fake import LoyaltyFake
    from loyalty_fake.server import LiveServer

pytestmark = pytest.mark.loyalty_fake(now="2024-05-01T12:00:00Z", control_plane=True)


def _view(server: LiveServer, **params: object) -> str:
    reply = requests.get(f"{server.url}/_fake/", params=params, timeout=10)  # type: ignore[arg-type]
    assert reply.status_code == 200, reply.text
    assert reply.headers["Content-Type"].startswith("text/html")
    return reply.text


def _rows(page: str, table: str) -> list[str]:
    found = re.search(rf"<table id={table}>(.*?)</table>", page)
    assert found is not None, f"no table {table}"
    return found.group(1).split("<tr>")[2:]  # the first split is empty, the second the header


def _seed(loyalty_fake: LoyaltyFake, members: int) -> None:
    seed_program(loyalty_fake.ledger, loyalty_fake.app_id, seed=3, members=members, earning=True)


def test_every_view_is_paged_newest_first(
    loyalty_fake: LoyaltyFake, loyalty_fake_server: LiveServer
) -> None:
    """120 members: pages of 50, 50 and 20, with newer/older links; every view has a page."""
    _seed(loyalty_fake, 120)
    first = _view(loyalty_fake_server)
    assert len(_rows(first, "members")) == 50
    assert "(120 in all)" in first  # members, not the spare cards
    assert "rel=next" in first
    assert "rel=prev" not in first
    last = _view(loyalty_fake_server, view="members", page=3)
    assert len(_rows(last, "members")) == 20
    assert "rel=next" not in last
    assert "rel=prev" in last
    codes = [re.search(r"<code>([^<]+)</code>", row).group(1) for row in _rows(first, "members")]  # type: ignore[union-attr]
    cards = loyalty_fake.ledger.projects()[loyalty_fake.app_id].cards.values()
    assert codes[0] == [card.code for card in cards if card.holder_id is not None][-1]
    for view in ("transactions", "customers", "orders", "programs", "calls"):
        page = _view(loyalty_fake_server, view=view)
        assert f"<table id={view}>" in page
        if view != "calls":  # the Python API's calls are not calls
            assert _rows(page, view), view


def test_a_transaction_shows_its_member_and_a_search_finds_one_member(
    loyalty_fake: LoyaltyFake, loyalty_fake_server: LiveServer
) -> None:
    """Transactions name their member (a link to it) and holder; code and source_id find it."""
    _seed(loyalty_fake, 60)
    loyalty_fake.create_loyalty_program("Tea Club", vouchers_count=1)
    code = loyalty_fake.add_member("Tea Club", {"source_id": "ada", "name": "Ada Lovelace"})["code"]
    loyalty_fake.add_points(code, 77)
    page = _view(loyalty_fake_server, view="transactions")
    newest = _rows(page, "transactions")[0]
    assert f"?view=members&amp;project={loyalty_fake.app_id}&amp;q={code}'" in newest
    assert "<td>Ada Lovelace</td>" in newest
    assert "<td class=num>77</td>" in newest
    for q in (code, "ada", "lovelace"):
        found = _view(loyalty_fake_server, view="members", q=q)
        assert len(_rows(found, "members")) == 1, q
        assert code in found
    assert len(_rows(_view(loyalty_fake_server, view="transactions", q="ada"), "transactions")) == 1
    customers = _view(loyalty_fake_server, view="customers", q="ada")
    assert len(_rows(customers, "customers")) == 1
    assert code in customers
    nothing = _view(loyalty_fake_server, view="members", q="nobody-has-this")
    assert _rows(nothing, "members") == []


def test_orders_calls_and_programs_are_searchable(
    loyalty_fake: LoyaltyFake, loyalty_fake_server: LiveServer
) -> None:
    """An order by its ID, the calls by path or status, a program by name."""
    _seed(loyalty_fake, 10)
    order = next(iter(loyalty_fake.ledger.projects()[loyalty_fake.app_id].orders.values()))
    found = _view(loyalty_fake_server, view="orders", q=order.id)
    assert len(_rows(found, "orders")) == 1
    url = f"{loyalty_fake_server.url}/v1/loyalties"
    requests.get(url, headers=loyalty_fake.headers, timeout=5)
    requests.get(f"{url}/nope", headers=loyalty_fake.headers, timeout=5)
    assert len(_rows(_view(loyalty_fake_server, view="calls"), "calls")) == 2
    missing = _rows(_view(loyalty_fake_server, view="calls", q="404"), "calls")
    assert len(missing) == 1
    assert "/v1/loyalties/nope" in missing[0]
    loyalty_fake.create_loyalty_program("Tea Club")
    programs = _rows(_view(loyalty_fake_server, view="programs", q="tea"), "programs")
    assert len(programs) == 1
    assert "Tea Club" in programs[0]


def test_a_search_no_index_answers_stops_in_time_and_says_so(
    loyalty_fake: LoyaltyFake, loyalty_fake_server: LiveServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A scan that runs out of time shows what it found and tells how to find any at once."""
    _seed(loyalty_fake, 3000)
    monkeypatch.setattr(dashboard_views, "SCAN_SECONDS", 0.0)
    page = _view(loyalty_fake_server, view="members", q="zzz")
    assert "search for a whole code, source_id or ID" in page


def test_main_alone_and_bad_queries(loyalty_fake_server: LiveServer) -> None:
    """``part=main`` is the part the page refreshes; a bad view or page is a 400 envelope."""
    main = _view(loyalty_fake_server, part="main")
    assert main.startswith("<p>Clock: <code id=clock>2024-05-01T12:00:00.000Z</code>")
    assert "<script>" not in main
    for params in ({"view": "secrets"}, {"page": "0"}, {"page": "x"}):
        reply = requests.get(f"{loyalty_fake_server.url}/_fake/", params=params, timeout=5)
        assert reply.status_code == 400
        assert reply.json()["key"] == "invalid_query_params"


def test_webhooks_are_listed(loyalty_fake: LoyaltyFake) -> None:
    """The Webhooks view lists the project's webhook configurations, newest first."""
    loyalty_fake.create_loyalty_program("Club")  # the project exists once it holds something
    project = management_project_id(loyalty_fake.app_id)
    url = f"https://api.voucherify.io/management/v1/projects/{project}/webhooks"
    for target, event in (
        ("http://a.test/1", "customer.created"),
        ("http://a.test/2", "order.paid"),
    ):
        body = {"target_url": target, "events": [event]}
        made = requests.post(url, json=body, headers=loyalty_fake.management_headers, timeout=5)
        assert made.status_code == 200, made.text
    served = SimpleNamespace(ledger=loyalty_fake.ledger, app=loyalty_fake.app)
    request = Request("GET", "/_fake/", (("view", "webhooks"),))
    page = dashboard_response(served, request).body.decode()  # type: ignore[arg-type]
    assert "<th>target_url</th>" in page
    assert page.index("http://a.test/2") < page.index("http://a.test/1")
    searched = Request("GET", "/_fake/", (("view", "webhooks"), ("q", "order.paid")))
    found = dashboard_response(served, searched).body.decode()  # type: ignore[arg-type]
    assert "http://a.test/2" in found
    assert "http://a.test/1" not in found
