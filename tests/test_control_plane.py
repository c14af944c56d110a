"""The control plane under /_fake/ and the dashboard, through the live server fixture.

The control plane is off unless enabled; this module enables it with the marker.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest
import requests

from loyalty_fake.server import MAX_BODY_BYTES

if TYPE_CHECKING:
    from loyalty_fake import LoyaltyFake
    from loyalty_fake.server import LiveServer

pytestmark = pytest.mark.loyalty_fake(now="2024-05-01T12:00:00Z", control_plane=True)
CONTROL_CALLS = [
    ("GET", ""),
    ("GET", "state"),
    ("GET", "clock"),
    ("POST", "clock"),
    ("POST", "reset"),
    ("POST", "seed"),
    ("GET", "openapi.json"),
    ("GET", "journal"),
    ("DELETE", "journal"),
    ("GET", "faults"),
    ("POST", "faults"),
    ("DELETE", "faults"),
    ("GET", "nothing"),
]


def _post(server: LiveServer, path: str, body: dict[str, Any] | None = None) -> requests.Response:
    return requests.post(f"{server.url}/_fake/{path}", json=body or {}, timeout=5)


def test_clock_reads_and_moves(loyalty_fake_server: LiveServer) -> None:
    """GET and POST /_fake/clock read, set, advance, freeze and unfreeze the fake's clock."""
    clock = requests.get(f"{loyalty_fake_server.url}/_fake/clock", timeout=5).json()
    assert clock == {"now": "2024-05-01T12:00:00.000Z", "frozen": True}
    advanced = _post(loyalty_fake_server, "clock", {"advance": {"days": 30, "hours": 1}}).json()
    assert advanced["now"] == "2024-05-31T13:00:00.000Z"
    assert _post(loyalty_fake_server, "clock", {"set": "2025-01-01"}).json()["now"] == (
        "2025-01-01T00:00:00.000Z"
    )
    assert _post(loyalty_fake_server, "clock", {"unfreeze": True}).json()["frozen"] is False
    assert _post(loyalty_fake_server, "clock", {"freeze": True}).json()["frozen"] is True


def test_clock_without_an_operation_is_400(loyalty_fake_server: LiveServer) -> None:
    """A clock request that names no operation is a Voucherify-shaped 400."""
    response = _post(loyalty_fake_server, "clock", {})
    assert response.status_code == 400
    assert response.json()["key"] == "invalid_payload"


def test_clock_moves_reach_the_api(
    loyalty_fake: LoyaltyFake, loyalty_fake_server: LiveServer
) -> None:
    """Advancing the clock through the control plane expires points seen through the API."""
    code = loyalty_fake.add_member(
        loyalty_fake.create_loyalty_program("P", vouchers_count=1)["id"], {"source_id": "a"}
    )["code"]
    loyalty_fake.add_points(code, 10, expiration_type="CUSTOM_DATE", expiration_date="2024-05-02")
    _post(loyalty_fake_server, "clock", {"advance": {"days": 2}})
    assert loyalty_fake.get_member(code)["loyalty_card"]["expired_points"] == 10


def test_seed_builds_demo_data(loyalty_fake: LoyaltyFake, loyalty_fake_server: LiveServer) -> None:
    """POST /_fake/seed resets and builds programs with members, the same for the same seed."""
    first = _post(loyalty_fake_server, "seed", {"seed": 7, "members": 4}).json()
    assert {k: first[k] for k in ("seed", "programs", "members")} == {
        "seed": 7,
        "programs": ["Demo Coffee Club"],
        "members": 4,
    }
    assert first["transactions"] >= 4
    members = loyalty_fake.list_members("Demo Coffee Club")
    assert members["total"] == 4
    _post(loyalty_fake_server, "seed", {"seed": 7, "members": 4})
    assert loyalty_fake.list_members("Demo Coffee Club") == members


def test_reset_forgets_everything(
    loyalty_fake: LoyaltyFake, loyalty_fake_server: LiveServer
) -> None:
    """POST /_fake/reset empties every project."""
    loyalty_fake.create_loyalty_program("P")
    assert _post(loyalty_fake_server, "reset").json()["reset"] is True
    state = requests.get(f"{loyalty_fake_server.url}/_fake/state", timeout=5).json()
    assert state["projects"] == {}


def test_state_dumps_every_project(
    loyalty_fake: LoyaltyFake, loyalty_fake_server: LiveServer
) -> None:
    """GET /_fake/state lists programs, cards, customers, publications and transactions."""
    loyalty_fake.create_loyalty_program("P", vouchers_count=2)
    code = loyalty_fake.add_member("P", {"source_id": "alice"})["code"]
    loyalty_fake.add_points(code, 25)
    loyalty_fake.create_loyalty_program("Q", app_id="other-app")
    state = requests.get(f"{loyalty_fake_server.url}/_fake/state", timeout=5).json()
    assert sorted(state["projects"]) == ["loyalty-fake-app-id", "other-app"]
    project = state["projects"]["loyalty-fake-app-id"]
    assert [p["name"] for p in project["programs"]] == ["P"]
    assert len(project["cards"]) == 2
    assert [c["source_id"] for c in project["customers"]] == ["alice"]
    assert len(project["publications"]) == 1
    assert [t["type"] for t in project["transactions"]] == ["POINTS_ADDITION"]


def test_state_shows_the_open_client_side_keys(
    loyalty_fake: LoyaltyFake, loyalty_fake_server: LiveServer
) -> None:
    """With no keys configured, each project's client-side keys are its app id and the default."""
    loyalty_fake.create_loyalty_program("P")
    state = requests.get(f"{loyalty_fake_server.url}/_fake/state", timeout=5).json()
    keys = state["projects"][loyalty_fake.app_id]["client_side_keys"]
    assert keys == {
        "client_application_id": loyalty_fake.client_headers["X-Client-Application-Id"],
        "client_token": loyalty_fake.client_headers["X-Client-Token"],
    }
    assert state["client_origins"] == []


@pytest.mark.loyalty_fake(
    credentials={"shop": "s3cret", "back-office": "t0ken"},
    client_credentials={"shop": ("shop-web", "public-token")},
    client_origins=["https://shop.example"],
)
def test_state_shows_the_configured_client_side_keys(
    loyalty_fake: LoyaltyFake, loyalty_fake_server: LiveServer
) -> None:
    """Configured client-side keys are shown per project; a project without a pair has none."""
    loyalty_fake.create_loyalty_program("P", app_id="shop")
    loyalty_fake.create_loyalty_program("Q", app_id="back-office")
    state = requests.get(f"{loyalty_fake_server.url}/_fake/state", timeout=5).json()
    projects = state["projects"]
    assert projects["shop"]["client_side_keys"] == {
        "client_application_id": "shop-web",
        "client_token": "public-token",
    }
    assert projects["back-office"]["client_side_keys"] is None
    assert state["client_origins"] == ["https://shop.example"]


def test_unknown_control_operation_is_404(loyalty_fake_server: LiveServer) -> None:
    """An unknown /_fake/ operation is a 404 naming the known ones."""
    response = requests.get(f"{loyalty_fake_server.url}/_fake/nothing", timeout=5)
    assert response.status_code == 404
    assert "GET /_fake/state" in response.json()["details"]


def test_dashboard_shows_members_and_balances(
    loyalty_fake: LoyaltyFake, loyalty_fake_server: LiveServer
) -> None:
    """GET /_fake/ is an HTML page with programs, members, balances and next expiry."""
    loyalty_fake.create_loyalty_program("Coffee <Club>", vouchers_count=1)
    code = loyalty_fake.add_member("Coffee <Club>", {"source_id": "alice", "name": "Alice"})["code"]
    loyalty_fake.add_points(code, 321, expiration_type="CUSTOM_DATE", expiration_date="2024-06-30")
    response = requests.get(f"{loyalty_fake_server.url}/_fake/", timeout=5)
    assert response.headers["Content-Type"].startswith("text/html")
    page = response.text
    assert "Coffee &lt;Club&gt;" in page
    assert code in page
    assert ">321<" in page
    assert "2024-06-30 (321)" in page


def test_body_over_the_cap_is_413(
    loyalty_fake: LoyaltyFake, loyalty_fake_server: LiveServer
) -> None:
    """A request body over the documented cap is a Voucherify-shaped 413."""
    response = requests.post(
        f"{loyalty_fake_server.url}/v1/loyalties",
        data=b"x" * (MAX_BODY_BYTES + 1),
        headers=loyalty_fake.headers,
        timeout=5,
    )
    assert response.status_code == 413
    assert response.json()["key"] == "payload_too_large"


def test_codes_with_encoded_slashes_reach_the_right_route(
    loyalty_fake: LoyaltyFake, loyalty_fake_server: LiveServer
) -> None:
    """%2F inside a code stays part of the code over a real socket."""
    voucher = {
        "type": "LOYALTY_CARD",
        "loyalty_card": {"points": 0},
        "code_config": {"pattern": "A/#"},
    }
    loyalty_fake.create_loyalty_program("P", vouchers_count=1, voucher=voucher)
    code = loyalty_fake.add_member("P", {"source_id": "a"})["code"]
    response = requests.get(
        f"{loyalty_fake_server.url}/v1/loyalties/members/{code.replace('/', '%2F')}",
        headers=loyalty_fake.headers,
        timeout=5,
    )
    assert response.status_code == 200
    assert response.json()["code"] == code


def test_another_process_sees_the_same_fake(
    loyalty_fake: LoyaltyFake, loyalty_fake_server: LiveServer
) -> None:
    """A curl subprocess writes to the same fake the test arranged and reads in-process."""
    import json  # noqa: PLC0415
    import shutil  # noqa: PLC0415
    import subprocess  # noqa: PLC0415

    curl = shutil.which("curl")
    if curl is None:
        pytest.skip("curl is not installed: apt-get install curl")
    loyalty_fake.create_loyalty_program("P", vouchers_count=1)
    auth = [f"-H{name}: {value}" for name, value in loyalty_fake.headers.items()]
    result = subprocess.run(  # noqa: S603 - curl against our own loopback server
        [
            curl,
            "-sf",
            *auth,
            "-HContent-Type: application/json",
            "-d",
            '{"customer": {"source_id": "from-curl"}}',
            f"{loyalty_fake_server.url}/v1/loyalties/P/members",
        ],
        capture_output=True,
        check=True,
        timeout=30,
    )
    code = json.loads(result.stdout)["code"]
    assert loyalty_fake.get_member(code)["holder_id"] == loyalty_fake.customer("from-curl")["id"]


@pytest.mark.loyalty_fake(control_plane=False)
@pytest.mark.parametrize(("method", "name"), CONTROL_CALLS)
def test_control_plane_off_is_an_unknown_path(
    loyalty_fake: LoyaltyFake, loyalty_fake_server: LiveServer, method: str, name: str
) -> None:
    """Without control_plane=True, every /_fake/ call is any unknown path's 404: reveals nothing."""
    loyalty_fake.create_loyalty_program("Secret Club", vouchers_count=1)
    body = {"advance": {"days": 1}} if name == "clock" else {}
    response = requests.request(
        method, f"{loyalty_fake_server.url}/_fake/{name}", json=body, timeout=5
    )
    assert response.status_code == 404
    assert response.headers["Content-Type"].startswith("application/json")
    envelope = response.json()
    assert set(envelope) == {"code", "key", "message", "details", "request_id"}
    assert (envelope["code"], envelope["key"]) == (404, "not_found")
    assert envelope["details"] == f"Voucherify's API has no path /_fake/{name}"
    assert loyalty_fake.get_loyalty_program("Secret Club")["vouchers_count"] == 1
    assert loyalty_fake.clock.now().isoformat() == "2024-05-01T12:00:00+00:00"


def test_moving_the_clock_past_the_calendar_is_400(loyalty_fake_server: LiveServer) -> None:
    """An advance past 9999-12-31 is 400 invalid_payload; the clock stays where it was."""
    before = requests.get(f"{loyalty_fake_server.url}/_fake/clock", timeout=5).json()
    reply = _post(loyalty_fake_server, "clock", {"advance": {"days": 9_000_000_000}})
    assert reply.status_code == 400
    assert reply.json()["key"] == "invalid_payload"
    assert reply.json()["details"] == (
        "Property .advance must not move the clock past 9999-12-31T23:59:59.999Z"
    )
    assert requests.get(f"{loyalty_fake_server.url}/_fake/clock", timeout=5).json() == before


def test_seed_with_earning_shows_rules_orders_and_actions(
    loyalty_fake: LoyaltyFake, loyalty_fake_server: LiveServer
) -> None:
    """POST /_fake/seed with earning: the state lists earning rules, orders; the dashboard too."""
    summary = _post(loyalty_fake_server, "seed", {"seed": 7, "members": 4, "earning": True})
    assert summary.json()["earning_rules"] == 2
    state = requests.get(f"{loyalty_fake_server.url}/_fake/state", timeout=5).json()
    project = state["projects"][loyalty_fake.app_id]
    assert len(project["earning_rules"]) == 2
    assert len(project["orders"]) == summary.json()["orders"] > 0
    assert project["async_actions"] == []
    dashboard = f"{loyalty_fake_server.url}/_fake/"
    page = requests.get(dashboard, params={"view": "programs"}, timeout=5).text
    assert "<th>Earning rules</th>" in page
    assert "<td class=num>2</td><td>" in page  # the program's two rules
    page = requests.get(dashboard, params={"view": "orders"}, timeout=5).text
    assert "<h2>Orders of" in page
    assert "<table id=orders>" in page
    assert page.count("<td>PAID</td>") == min(summary.json()["orders"], 50)


def test_state_lists_async_actions(
    loyalty_fake: LoyaltyFake, loyalty_fake_server: LiveServer
) -> None:
    """An async action (a bulk update) is in the state, with its result."""
    requests.post(
        f"{loyalty_fake_server.url}/v1/customers/bulk/async",
        json=[{"source_id": "ada"}],
        headers=loyalty_fake.headers,
        timeout=5,
    )
    state = requests.get(f"{loyalty_fake_server.url}/_fake/state", timeout=5).json()
    (action,) = state["projects"][loyalty_fake.app_id]["async_actions"]
    assert (action["type"], action["result"]["done_count"]) == ("CUSTOMERS.BULK_UPDATE", 1)
