"""The client-side API (``/client/v1/...``): client-side keys, their operations, CORS."""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
from typing import TYPE_CHECKING, Any

import pytest
import requests

from loyalty_fake import LoyaltyFake
from loyalty_fake.cli_keys import add_key_options, parse_keys
from loyalty_fake.http.client_side import CLIENT_TWINS, DEFAULT_CLIENT_TOKEN
from loyalty_fake.http.messages import Request
from loyalty_fake.http.routes import ROUTES
from loyalty_fake.server import ServerApp
from loyalty_fake.server.store import Store
from tests.client_side_clients import ORIGIN
from tests.conftest import BASE_URL, make_program

if TYPE_CHECKING:
    from pathlib import Path

    from tests.conftest import Client

UNAUTHORIZED = {"code": 401, "message": "Unauthorized", "key": "unauthorized"}
EVENT = {"event": "user_subscribed", "customer": {"source_id": "web-visitor-1"}}
_SERVED = {(route.method, route.template) for route in ROUTES}
# The client operations whose server-side twin the fake does not serve (yet): 501.
UNSERVED = [
    (twin.method, twin.path, twin.operation_id)
    for twin in CLIENT_TWINS
    if (twin.twin_method, twin.twin_path) not in _SERVED
]


def _post(path: str, headers: dict[str, str], body: Any = None, **kwargs: Any) -> Any:
    return requests.post(BASE_URL + path, headers=headers, json=body or EVENT, timeout=5, **kwargs)


# -- over every client ----------------------------------------------------------------------


def test_client_keys_track_an_event(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """A storefront tracks a custom event with client-side keys: the customer is created."""
    reply = client.client_side(loyalty_fake.client_headers).client_track_event(EVENT)
    assert reply.status == 200
    assert reply.body["object"] == "event"
    assert reply.body["type"] == "user_subscribed"
    assert reply.body["customer"]["source_id"] == "web-visitor-1"
    assert client.get_customer("web-visitor-1").status == 200


def test_client_event_earns_as_the_server_one(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """A client-side event runs the same earning rules as ``POST /v1/events``."""
    make_program(client)
    rule = {
        "event": "user_subscribed",
        "custom_event": {"schema_id": "ms_user_subscribed"},
        "source": {"banner": "Subscribe"},
        "loyalty": {"type": "FIXED", "points": 25},
    }
    assert client.create_earning_rules("Coffee Club", [rule]).status == 200
    card = loyalty_fake.add_member("Coffee Club", {"source_id": "web-visitor-1"})["code"]
    event = {**EVENT, "loyalty": {"code": card}}
    assert client.client_side(loyalty_fake.client_headers).client_track_event(event).status == 200
    assert client.get_member(card).body["loyalty_card"]["balance"] == 25


def test_client_keys_publish_a_card(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """``POST /client/v1/publish`` publishes a card from a program, as ``/v1/publications``."""
    make_program(client, vouchers_count=1)
    body = {"customer": {"source_id": "web-visitor-1"}, "campaign": {"name": "Coffee Club"}}
    reply = client.client_side(loyalty_fake.client_headers).client_publish(body, join_once=True)
    assert reply.status == 200
    assert reply.body["object"] == "publication"
    assert reply.body["customer"]["source_id"] == "web-visitor-1"
    listed = client.list_publications().body["publications"]
    assert [each["id"] for each in listed] == [reply.body["id"]]


def test_client_answers_carry_cors_headers(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """A browser's call gets its ``Origin`` back in ``Access-Control-Allow-Origin``."""
    reply = client.client_side(loyalty_fake.client_headers).client_track_event(EVENT)
    headers = {name.lower(): value for name, value in reply.headers.items()}
    assert headers["access-control-allow-origin"] == ORIGIN
    assert "Origin" in headers["vary"]


def test_client_refusal_changes_nothing(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """A client-side call the twin refuses (an unknown card) is its 404, and creates nothing."""
    event = {**EVENT, "loyalty": {"code": "NO-SUCH-CARD"}}
    reply = client.client_side(loyalty_fake.client_headers).client_track_event(event)
    assert reply.status == 404
    assert reply.error_key == "not_found"
    assert client.list_customers().body["customers"] == []


# -- keys ------------------------------------------------------------------------------------


@pytest.mark.usefixtures("loyalty_fake")
@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"X-App-Id": "loyalty-fake-app-id", "X-App-Token": "loyalty-fake-app-token"},
        {"X-Client-Application-Id": "app"},
        {"X-Client-Token": "token"},
        {"X-Client-Application-Id": "", "X-Client-Token": "token"},
    ],
    ids=["none", "server-keys", "no-token", "no-id", "blank-id"],
)
@pytest.mark.parametrize("path", ["/client/v1/events", "/client/v1/publish"])
def test_client_paths_need_client_keys(headers: dict[str, str], path: str) -> None:
    """Server keys, or half a client key, open no client-side operation: Voucherify's 401."""
    response = _post(path, headers)
    assert response.status_code == 401
    assert response.json() == UNAUTHORIZED


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/v1/loyalties"),
        ("POST", "/v1/events"),
        ("POST", "/v1/publications"),
        ("GET", "/v1/customers"),
        ("POST", "/v1/loyalties/Coffee%20Club/members"),
    ],
)
def test_client_keys_open_no_server_operation(
    loyalty_fake: LoyaltyFake, method: str, path: str
) -> None:
    """A client key cannot reach a server operation, its twin included: 401."""
    response = requests.request(
        method, BASE_URL + path, headers=loyalty_fake.client_headers, json=EVENT, timeout=5
    )
    assert response.status_code == 401
    assert response.json() == UNAUTHORIZED
    assert loyalty_fake.request("GET", "/v1/customers").json()["customers"] == []


@pytest.mark.loyalty_fake(
    credentials={"my-app": "my-secret", "other-app": "other-secret"},
    client_credentials={"my-app": ("my-client", "my-public"), "other-app": ("o-client", "o-pub")},
)
def test_configured_client_keys_open_their_project(loyalty_fake: LoyaltyFake) -> None:
    """With configured client keys, each pair opens its own project and no other."""
    assert loyalty_fake.client_headers == {
        "X-Client-Application-Id": "my-client",
        "X-Client-Token": "my-public",
    }
    assert _post("/client/v1/events", loyalty_fake.client_headers).status_code == 200
    other = {"X-Client-Application-Id": "o-client", "X-Client-Token": "o-pub"}
    assert _post("/client/v1/events", other, {**EVENT, "customer": {"source_id": "o"}}).ok
    mine = loyalty_fake.request("GET", "/v1/customers").json()["customers"]
    theirs = loyalty_fake.request("GET", "/v1/customers", app_id="other-app").json()["customers"]
    assert [c["source_id"] for c in mine] == ["web-visitor-1"]
    assert [c["source_id"] for c in theirs] == ["o"]


@pytest.mark.usefixtures("loyalty_fake")
@pytest.mark.loyalty_fake(
    credentials={"my-app": "my-secret"}, client_credentials={"my-app": ("my-client", "my-public")}
)
@pytest.mark.parametrize(
    "headers",
    [
        {"X-Client-Application-Id": "my-client", "X-Client-Token": "guess"},
        {"X-Client-Application-Id": "my-app", "X-Client-Token": "my-public"},
        {"X-Client-Application-Id": "my-app", "X-Client-Token": "my-secret"},
        {"X-Client-Application-Id": "loyalty-fake-app-id", "X-Client-Token": DEFAULT_CLIENT_TOKEN},
    ],
    ids=["wrong-token", "server-id", "server-pair", "default-pair"],
)
def test_configured_client_keys_refuse_others(headers: dict[str, str]) -> None:
    """With configured keys, a wrong client token or the server's pair is 401."""
    response = _post("/client/v1/events", headers)
    assert response.status_code == 401
    assert response.json() == UNAUTHORIZED


@pytest.mark.loyalty_fake(credentials={"my-app": "my-secret"})
def test_server_credentials_alone_accept_no_client_key(loyalty_fake: LoyaltyFake) -> None:
    """Configured server keys without client keys: the client API accepts no key at all."""
    response = _post("/client/v1/events", loyalty_fake.client_headers)
    assert response.status_code == 401


@pytest.mark.usefixtures("loyalty_fake")
def test_client_keys_are_checked_before_the_501() -> None:
    """An unserved client operation answers 401 to a request without client keys."""
    assert _post("/client/v1/qualifications", {}).status_code == 401


@pytest.mark.parametrize(("method", "path", "operation_id"), UNSERVED or [("", "", "")])
def test_client_operations_without_a_twin_are_501(
    loyalty_fake: LoyaltyFake, method: str, path: str, operation_id: str
) -> None:
    """A client operation whose server twin the fake lacks answers Voucherify's 501."""
    if not method:
        pytest.skip("every client-side twin is served")
    response = requests.request(
        method, BASE_URL + path, headers=loyalty_fake.client_headers, json={}, timeout=5
    )
    assert response.status_code == 501
    assert response.json()["key"] == "not_implemented"
    assert response.json()["resource_id"] == operation_id.replace("_", "-")


@pytest.mark.parametrize(
    ("method", "path"), [("GET", "/client/v1/validate"), ("POST", "/client/v1/redeem")]
)
def test_deprecated_client_operations_are_501(
    loyalty_fake: LoyaltyFake, method: str, path: str
) -> None:
    """The deprecated single-voucher client operations answer 501."""
    response = requests.request(
        method, BASE_URL + path, headers=loyalty_fake.client_headers, json={}, timeout=5
    )
    assert response.status_code == 501


# -- origins and CORS ------------------------------------------------------------------------


def test_preflight_needs_no_key(loyalty_fake: LoyaltyFake) -> None:
    """A browser's preflight is answered 204 with the methods and headers it may send."""
    del loyalty_fake
    response = requests.options(
        BASE_URL + "/client/v1/events",
        headers={
            "Origin": ORIGIN,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type,x-client-application-id,x-client-token",
        },
        timeout=5,
    )
    assert response.status_code == 204
    assert response.content == b""
    assert response.headers["Access-Control-Allow-Origin"] == ORIGIN
    assert response.headers["Access-Control-Allow-Methods"] == "POST, OPTIONS"
    assert "x-client-token" in response.headers["Access-Control-Allow-Headers"]
    assert int(response.headers["Access-Control-Max-Age"]) > 0


@pytest.mark.usefixtures("loyalty_fake")
def test_preflight_of_an_unserved_client_operation() -> None:
    """A preflight to a client operation the fake does not serve is still answered."""
    response = requests.options(
        BASE_URL + "/client/v1/qualifications", headers={"Origin": ORIGIN}, timeout=5
    )
    assert response.status_code == 204
    assert response.headers["Access-Control-Allow-Origin"] == ORIGIN


@pytest.mark.usefixtures("loyalty_fake")
def test_refusals_carry_cors_headers_too() -> None:
    """A 401 reaches the browser's script: it carries ``Access-Control-Allow-Origin``."""
    response = _post("/client/v1/events", {"Origin": ORIGIN})
    assert response.status_code == 401
    assert response.headers["Access-Control-Allow-Origin"] == ORIGIN


def test_no_origin_no_cors_headers(loyalty_fake: LoyaltyFake) -> None:
    """A mobile app sends no ``Origin``: accepted, without ``Access-Control-*`` headers."""
    response = _post("/client/v1/events", loyalty_fake.client_headers)
    assert response.status_code == 200
    assert "Access-Control-Allow-Origin" not in response.headers


def test_server_paths_carry_no_cors_headers(loyalty_fake: LoyaltyFake) -> None:
    """Server-side operations are not for browsers: no ``Access-Control-*`` headers."""
    response = requests.get(
        BASE_URL + "/v1/loyalties", headers={**loyalty_fake.headers, "Origin": ORIGIN}, timeout=5
    )
    assert response.status_code == 200
    assert "Access-Control-Allow-Origin" not in response.headers


@pytest.mark.loyalty_fake(client_origins=["https://shop.example", "m.shop.example"])
@pytest.mark.parametrize(
    ("origin", "allowed"),
    [
        ("https://shop.example", True),
        ("https://shop.example/", True),
        ("https://m.shop.example", True),
        ("http://m.shop.example:8000", True),
        ("https://evil.example", False),
        (None, False),
    ],
)
def test_client_origins_limit_who_calls(
    loyalty_fake: LoyaltyFake, origin: str | None, *, allowed: bool
) -> None:
    """With ``client_origins``, only those origins (or host names) may call: others 401."""
    headers = dict(loyalty_fake.client_headers)
    if origin is not None:
        headers["Origin"] = origin
    response = _post("/client/v1/events", headers)
    assert response.status_code == (200 if allowed else 401)
    customers = loyalty_fake.request("GET", "/v1/customers").json()["customers"]
    assert len(customers) == (1 if allowed else 0)
    if not allowed:
        assert response.json()["key"] == "unauthorized"
        assert "Access-Control-Allow-Origin" not in response.headers


@pytest.mark.usefixtures("loyalty_fake")
@pytest.mark.loyalty_fake(client_origins=["https://shop.example"])
def test_preflight_from_a_foreign_origin_allows_nothing() -> None:
    """A preflight from an origin not allowed gets no ``Access-Control-Allow-*``."""
    response = requests.options(
        BASE_URL + "/client/v1/events", headers={"Origin": "https://evil.example"}, timeout=5
    )
    assert response.status_code == 204
    assert "Access-Control-Allow-Origin" not in response.headers
    assert "Access-Control-Allow-Methods" not in response.headers


# -- configuration ---------------------------------------------------------------------------


def test_default_client_keys_are_deterministic() -> None:
    """Without configuration, the default project's client keys are well known."""
    assert LoyaltyFake().client_headers == {
        "X-Client-Application-Id": "loyalty-fake-app-id",
        "X-Client-Token": DEFAULT_CLIENT_TOKEN,
    }


def test_one_client_id_for_two_projects_is_refused() -> None:
    """A client application id opens one project: giving it to two is a ValueError."""
    with pytest.raises(ValueError, match="two projects"):
        LoyaltyFake(client_credentials={"a": ("same", "t1"), "b": ("same", "t2")})


def test_open_mode_client_id_names_the_project(loyalty_fake: LoyaltyFake) -> None:
    """With no keys configured, the client application id names the project, as X-App-Id."""
    other = {"X-Client-Application-Id": "other-app", "X-Client-Token": "anything"}
    assert _post("/client/v1/events", other).status_code == 200
    theirs = loyalty_fake.request("GET", "/v1/customers", app_id="other-app").json()["customers"]
    assert len(theirs) == 1
    assert loyalty_fake.request("GET", "/v1/customers").json()["customers"] == []


# -- durability ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "client_credentials",
    [None, {"my-app": ("shop-client", "shop-public")}],
    ids=["open", "configured"],
)
def test_client_side_writes_survive_a_restart(
    tmp_path: Path, client_credentials: dict[str, tuple[str, str]] | None
) -> None:
    """A durable server replays client-side writes into the project their key opened."""
    options: dict[str, Any] = {"seed": 3, "now": "2024-01-25T10:00:00Z"}
    if client_credentials is not None:
        options |= {"credentials": {"my-app": "secret"}, "client_credentials": client_credentials}

    def open_app(fake: LoyaltyFake) -> tuple[ServerApp, Store]:
        store = Store(tmp_path / "state")
        app = ServerApp(fake, store=store)
        app.recover()
        return app, store

    def send(app: ServerApp, path: str, headers: dict[str, str], body: Any = None) -> Any:
        raw = json.dumps(body).encode() if body is not None else b""
        method = "GET" if body is None else "POST"
        sent = {**headers, "Content-Type": "application/json"}
        response = app.handle(Request.from_url(method, path, sent, raw))
        assert response.status == 200, response.body
        return json.loads(response.body)

    fake = LoyaltyFake(**options)
    app, store = open_app(fake)
    send(app, "/v1/loyalties", fake.headers, {"name": "Coffee Club", "vouchers_count": 1})
    send(app, "/client/v1/events", fake.client_headers, EVENT)
    publish = {"customer": {"source_id": "web-visitor-2"}, "campaign": {"name": "Coffee Club"}}
    send(app, "/client/v1/publish?join_once=true", fake.client_headers, publish)
    before = send(app, "/v1/customers", fake.headers), send(app, "/v1/publications", fake.headers)
    store.close()
    restarted = LoyaltyFake(**options)
    app, store = open_app(restarted)
    try:
        after = (
            send(app, "/v1/customers", restarted.headers),
            send(app, "/v1/publications", restarted.headers),
        )
        assert after == before
        assert len(after[0]["customers"]) == 2
    finally:
        store.close()


# -- the server command ----------------------------------------------------------------------


def _serve_options(*argv: str) -> Any:
    parser = argparse.ArgumentParser()
    add_key_options(parser)
    return parse_keys(parser.parse_args(list(argv)))


def test_the_server_takes_client_keys_per_project() -> None:
    """``--client-credentials APP_ID:CLIENT_APP_ID:TOKEN`` (a token may hold colons)."""
    keys = _serve_options(
        "--credentials",
        "shop:secret",
        "--client-credentials",
        "shop:shop-client:pk:with:colons",
    )
    assert keys == {
        "credentials": {"shop": "secret"},
        "client_credentials": {"shop": ("shop-client", "pk:with:colons")},
        "management_credentials": {},
        "strict_custom_events": False,
    }


@pytest.mark.parametrize("triple", ["shop", "shop:client", "shop::token", ":client:token"])
def test_a_malformed_client_key_is_one_line(triple: str) -> None:
    """A ``--client-credentials`` without its three parts says what it takes."""
    problem = _serve_options("--client-credentials", triple)
    assert problem == (
        f"--client-credentials takes APP_ID:CLIENT_APP_ID:CLIENT_TOKEN, got {triple!r}"
    )


def test_the_served_command_prints_and_accepts_its_client_keys() -> None:
    """``loyalty-fake serve`` prints the client-side keys, and only they and the origin pass."""
    command = [
        *(sys.executable, "-m", "loyalty_fake.cli", "serve", "--port", "0", "--no-demo"),
        *("--credentials", "shop:secret", "--client-credentials", "shop:shop-client:pk_shop"),
        *("--client-origin", "https://shop.example", "--no-access-log"),
    ]
    process = subprocess.Popen(  # noqa: S603 - our own interpreter and module
        command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    try:
        assert process.stdout is not None
        url = keys = ""
        for line in process.stdout:
            if found := re.search(r"serving (http://\S+)", line):
                url = found.group(1)
            if "client-side keys" in line:
                keys = line
                break
        assert "X-Client-Application-Id: shop-client, X-Client-Token: pk_shop" in keys
        headers = {"X-Client-Application-Id": "shop-client", "X-Client-Token": "pk_shop"}
        for origin, status in ((ORIGIN, 200), ("https://evil.example", 401)):
            sent = {**headers, "Origin": origin}
            reply = requests.post(url + "/client/v1/events", headers=sent, json=EVENT, timeout=10)
            assert reply.status_code == status
    finally:
        process.terminate()
        process.communicate(timeout=30)
