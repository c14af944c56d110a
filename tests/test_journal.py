"""The call journal: what clients called, in Voucherify's terms, bounded and asserted on."""

from __future__ import annotations

import gc
import json
import tracemalloc
from typing import TYPE_CHECKING

import pytest
import requests

from loyalty_fake import LoyaltyFake
from loyalty_fake.journal import DEFAULT_JOURNAL_SIZE, Journal
from tests.conftest import make_program

if TYPE_CHECKING:
    from loyalty_fake.server import LiveServer
    from tests.conftest import Client

BASE = "https://api.voucherify.io"
# Who the journal says sent a call, by the test clients' names (the SDK sends through urllib3).
SENDER = {
    "requests": "requests",
    "sdk": "urllib3",
    "httpx": "httpx",
    "httpx-async": "httpx-async",
    "live": "server",
}


@pytest.mark.loyalty_fake(now="2026-01-15T09:30:00Z")
def test_every_client_is_journaled(
    client: Client, loyalty_fake: LoyaltyFake, request: pytest.FixtureRequest
) -> None:
    """A call from each client is journaled with its operation, template, bodies and sender."""
    program = make_program(client, vouchers_count=2)
    reply = client.add_member(program["id"], {"customer": {"source_id": "ada"}})
    assert reply.status == 200
    call = loyalty_fake.journal.assert_called("add member", times=1)[0]
    assert call.client == SENDER[request.node.callspec.params["client"]]
    assert call.method == "POST"
    assert call.path == f"/v1/loyalties/{program['id']}/members"
    assert call.path_template == "/v1/loyalties/{campaignId}/members"
    assert call.operation == "Add Member"
    assert call.operation_id == "add-member"
    assert call.status == 200
    assert call.json()["customer"] == {"source_id": "ada"}
    assert call.response_json() == reply.body
    assert call.at.isoformat() == "2026-01-15T09:30:00+00:00"
    assert call.headers["x-app-token"] == "***"
    assert loyalty_fake.app_token not in json.dumps(call.headers)
    assert loyalty_fake.journal.last is call


def test_the_python_api_is_not_journaled(loyalty_fake: LoyaltyFake) -> None:
    """LoyaltyFake's own methods arrange state; they are not calls and are not journaled."""
    loyalty_fake.create_loyalty_program("Club", vouchers_count=1)
    loyalty_fake.add_member("Club", {"source_id": "ada"})
    assert loyalty_fake.journal.calls() == []
    assert loyalty_fake.journal.last is None


def test_tokens_are_masked_in_every_secret_header(loyalty_fake: LoyaltyFake) -> None:
    """Server, client and management tokens and Authorization are masked; the rest is kept."""
    secrets = {
        "X-App-Id": "app",
        "X-App-Token": "server-secret",
        "X-Client-Token": "client-secret",
        "X-Management-Token": "management-secret",
        "Authorization": "Bearer secret",
        "X-Custom": "kept",
    }
    requests.get(f"{BASE}/v1/loyalties", headers=secrets, timeout=5)
    headers = loyalty_fake.journal.last.headers  # type: ignore[union-attr]
    for name in ("x-app-token", "x-client-token", "x-management-token", "authorization"):
        assert headers[name] == "***"
    assert headers["x-app-id"] == "app"
    assert headers["x-custom"] == "kept"
    assert loyalty_fake.journal.last.request.headers["x-app-token"] == "server-secret"  # type: ignore[union-attr]


def test_filters_by_operation_method_path_and_status(loyalty_fake: LoyaltyFake) -> None:
    """Calls filter by operation (any spelling), method, path or its template, and status."""
    session = requests.Session()
    session.headers.update(loyalty_fake.headers)
    program = session.post(f"{BASE}/v1/loyalties", json={"name": "Club"}, timeout=5).json()
    members = f"{BASE}/v1/loyalties/{program['id']}/members"
    session.post(members, json={"customer": {"source_id": "a"}}, timeout=5)
    session.get(members, params={"limit": 5}, timeout=5)
    session.get(f"{BASE}/v1/loyalties/nope/members", timeout=5)
    journal = loyalty_fake.journal
    assert journal.count() == 4
    assert journal.count("Add Member") == journal.count("add-member") == 1
    assert journal.count("list members") == 2
    assert journal.count(method="get") == 2
    assert journal.count(path="/v1/loyalties/{campaignId}/members") == 3
    assert journal.count(path=f"/v1/loyalties/{program['id']}/members") == 2
    assert journal.count("list members", status=404) == 1
    assert journal.calls("list members", status=200)[0].query == (("limit", "5"),)
    assert journal.count(method="DELETE") == 0


def test_assert_called_lists_what_was_called_instead(loyalty_fake: LoyaltyFake) -> None:
    """A failed assertion says what was expected and lists the calls journaled instead."""
    requests.get(f"{BASE}/v1/loyalties", headers=loyalty_fake.headers, timeout=5)
    with pytest.raises(AssertionError) as failed:
        loyalty_fake.journal.assert_called("add member")
    message = str(failed.value)
    assert "expected operation 'add member' at least once, but it was called 0 times" in message
    assert "GET /v1/loyalties -> 200 (List Loyalty Campaigns, requests)" in message


def test_assert_called_times_counts_exactly(loyalty_fake: LoyaltyFake) -> None:
    """``times=`` must match exactly; the fitting calls are marked in the message."""
    for _ in range(2):
        requests.get(f"{BASE}/v1/loyalties", headers=loyalty_fake.headers, timeout=5)
    assert len(loyalty_fake.journal.assert_called(method="GET", times=2)) == 2
    with pytest.raises(AssertionError, match=r"expected GET 1 times|expected GET once") as failed:
        loyalty_fake.journal.assert_called(method="GET", times=1)
    assert "but it was called 2 times" in str(failed.value)
    assert "  * GET /v1/loyalties" in str(failed.value)


def test_assert_not_called_lists_the_calls_that_fit(loyalty_fake: LoyaltyFake) -> None:
    """assert_not_called passes with no such call and fails naming the ones made."""
    loyalty_fake.journal.assert_not_called(method="POST")
    with pytest.raises(AssertionError, match="No calls were journaled"):
        loyalty_fake.journal.assert_called(method="POST")
    requests.post(
        f"{BASE}/v1/loyalties", json={"name": "C"}, headers=loyalty_fake.headers, timeout=5
    )
    with pytest.raises(AssertionError) as failed:
        loyalty_fake.journal.assert_not_called("create loyalty campaign")
    assert "not to be called, but it was called once" in str(failed.value)
    assert "* POST /v1/loyalties -> 200" in str(failed.value)


def test_the_ring_keeps_the_newest_calls(loyalty_fake: LoyaltyFake) -> None:
    """Past its size the journal drops the oldest calls; resizing keeps the newest."""
    assert Journal().size == DEFAULT_JOURNAL_SIZE == 1000
    loyalty_fake.journal.size = 3
    for limit in range(1, 6):
        requests.get(
            f"{BASE}/v1/loyalties", params={"limit": limit}, headers=loyalty_fake.headers, timeout=5
        )
    assert [call.query for call in loyalty_fake.journal.calls()] == [
        (("limit", "3"),),
        (("limit", "4"),),
        (("limit", "5"),),
    ]
    loyalty_fake.journal.size = 1
    assert [call.query for call in loyalty_fake.journal] == [(("limit", "5"),)]
    with pytest.raises(ValueError, match="0 \\(off\\) or more"):
        loyalty_fake.journal.size = -1


@pytest.mark.loyalty_fake(journal_size=0)
def test_size_zero_turns_the_journal_off(loyalty_fake: LoyaltyFake) -> None:
    """``journal_size=0`` keeps no call."""
    requests.get(f"{BASE}/v1/loyalties", headers=loyalty_fake.headers, timeout=5)
    assert loyalty_fake.journal.size == 0
    assert loyalty_fake.journal.calls() == []


def test_reset_and_clear_forget_the_calls(loyalty_fake: LoyaltyFake) -> None:
    """``fake.reset()`` and ``journal.clear()`` each empty the journal."""
    requests.get(f"{BASE}/v1/loyalties", headers=loyalty_fake.headers, timeout=5)
    loyalty_fake.reset()
    assert loyalty_fake.journal.count() == 0
    requests.get(f"{BASE}/v1/loyalties", headers=loyalty_fake.headers, timeout=5)
    loyalty_fake.journal.clear()
    assert len(loyalty_fake.journal) == 0


def test_memory_stays_flat_past_the_bound() -> None:
    """Three times the bound's calls hold no more memory than the bound's."""
    with LoyaltyFake(journal_size=200) as fake:
        fake.create_loyalty_program("P")
        session = requests.Session()
        url = f"{BASE}/v1/loyalties/P"

        def calls(count: int) -> None:
            for _ in range(count):
                assert session.get(url, headers=fake.headers, timeout=5).status_code == 200

        calls(50)  # pools, caches and lazily built tables settle first
        gc.collect()
        tracemalloc.start()
        try:
            calls(200)
            gc.collect()
            full = tracemalloc.get_traced_memory()[0]
            calls(600)
            gc.collect()
            grown = tracemalloc.get_traced_memory()[0] - full
        finally:
            tracemalloc.stop()
    assert len(fake.journal) == 200
    assert grown < 100_000, f"{grown:,} bytes kept over 600 calls past the bound"


# -- the control plane -------------------------------------------------------------------


@pytest.mark.loyalty_fake(control_plane=True)
def test_control_plane_lists_filters_and_clears(
    loyalty_fake: LoyaltyFake, loyalty_fake_server: LiveServer
) -> None:
    """GET /_fake/journal lists served calls newest last, filtered and paged; DELETE clears."""
    url = loyalty_fake_server.url
    headers = loyalty_fake.headers
    for name in ("A", "B", "C"):
        requests.post(f"{url}/v1/loyalties", json={"name": name}, headers=headers, timeout=5)
    requests.get(f"{url}/v1/loyalties", headers=headers, timeout=5)
    listed = requests.get(f"{url}/_fake/journal", timeout=5).json()
    assert listed["total"] == 4
    assert [c["method"] for c in listed["calls"]] == ["POST", "POST", "POST", "GET"]
    first = listed["calls"][0]
    assert first["client"] == "server"
    assert first["operation"] == "Create Loyalty Campaign"
    assert first["path_template"] == "/v1/loyalties"
    assert first["headers"]["x-app-token"] == "***"
    assert json.loads(first["body"]) == {"name": "A"}
    assert json.loads(first["response_body"])["name"] == "A"
    page = requests.get(
        f"{url}/_fake/journal",
        params={"operation": "create loyalty campaign", "limit": "2", "page": "1"},
        timeout=5,
    ).json()
    assert [json.loads(c["body"])["name"] for c in page["calls"]] == ["B", "C"]
    assert page["has_more"] is True
    older = requests.get(
        f"{url}/_fake/journal", params={"method": "POST", "limit": "2", "page": "2"}, timeout=5
    ).json()
    assert [json.loads(c["body"])["name"] for c in older["calls"]] == ["A"]
    assert older["has_more"] is False
    bad = requests.get(f"{url}/_fake/journal", params={"limit": "x"}, timeout=5)
    assert bad.status_code == 400
    assert bad.json()["key"] == "invalid_query_params"
    cleared = requests.delete(f"{url}/_fake/journal", json={}, timeout=5)
    assert cleared.status_code == 204
    assert loyalty_fake.journal.count() == 0
    # The control plane's own calls are not journaled: only Voucherify's API.
    assert requests.get(f"{url}/_fake/journal", timeout=5).json()["total"] == 0


@pytest.mark.loyalty_fake(control_plane=True)
def test_dashboard_shows_recent_calls(
    loyalty_fake: LoyaltyFake, loyalty_fake_server: LiveServer
) -> None:
    """The dashboard's calls view has the served calls, newest first."""
    url = loyalty_fake_server.url
    requests.post(
        f"{url}/v1/loyalties", json={"name": "Club"}, headers=loyalty_fake.headers, timeout=5
    )
    page = requests.get(f"{url}/_fake/", params={"view": "calls"}, timeout=5).text
    assert "<table id=calls>" in page
    assert "Create Loyalty Campaign" in page


@pytest.mark.loyalty_fake(control_plane=True)
def test_control_plane_reset_clears_the_journal(
    loyalty_fake: LoyaltyFake, loyalty_fake_server: LiveServer
) -> None:
    """POST /_fake/reset forgets the journal with the state."""
    url = loyalty_fake_server.url
    requests.get(f"{url}/v1/loyalties", headers=loyalty_fake.headers, timeout=5)
    requests.post(f"{url}/_fake/reset", json={}, timeout=5)
    assert loyalty_fake.journal.count() == 0
