"""Served webhooks: POSTed to their URL in the background, signed, in order, retried."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any

import pytest
import requests

from loyalty_fake import LoyaltyFake
from loyalty_fake.http.management_auth import management_project_id
from loyalty_fake.http.messages import Request
from loyalty_fake.server import ServerApp
from loyalty_fake.server.store import Store

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from loyalty_fake.server import LiveServer

pytestmark = pytest.mark.loyalty_fake(now="2024-01-25T10:00:00Z")

KEYS = {"X-Management-Id": "mgmt-id", "X-Management-Token": "mgmt-token"}
POINTS = "voucher.loyalty_card.points_added"


class Receiver:
    """A local endpoint: keeps what it is sent, answers the statuses it is given (then 200)."""

    def __init__(self) -> None:
        """Listen on a free loopback port, in a thread."""
        self.received: list[tuple[dict[str, str], bytes]] = []
        self.statuses: list[int] = []
        self.delay = 0.0
        self.open = threading.Event()  # cleared: each POST waits until it is set again
        self.open.set()
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                time.sleep(receiver.delay)
                receiver.open.wait(30)
                with receiver.lock:
                    receiver.received.append((dict(self.headers), body))
                    status = receiver.statuses.pop(0) if receiver.statuses else 200
                self.send_response(status)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *_: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def bodies(self) -> list[dict[str, Any]]:
        return [json.loads(body) for _, body in self.received]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    """A webhook endpoint on a free loopback port."""
    found = Receiver()
    try:
        yield found
    finally:
        found.server.shutdown()
        found.server.server_close()


@pytest.fixture
def served(loyalty_fake: LoyaltyFake, loyalty_fake_server: LiveServer) -> Iterator[Served]:
    """The fake served, its retries quick, with a program to join."""
    loyalty_fake.webhooks.retry_delays = (0.01, 0.02, 0.04)
    found = Served(loyalty_fake, loyalty_fake_server.url)
    found.call("POST", "/v1/loyalties", {"name": "Coffee Club"})
    try:
        yield found
    finally:
        loyalty_fake.webhooks.close()


class Served:
    """The served fake's API over HTTP, and its webhooks' configuration."""

    def __init__(self, fake: LoyaltyFake, url: str) -> None:
        """``fake``, served at ``url``."""
        self.fake, self.url = fake, url

    def call(self, method: str, path: str, body: Any = None) -> requests.Response:
        return requests.request(
            method, self.url + path, json=body, headers=self.fake.headers, timeout=10
        )

    def hook(self, target_url: str, *events: str, active: bool = True) -> str:
        project = management_project_id(self.fake.app_id)
        body = {"target_url": target_url, "events": list(events or (POINTS,)), "active": active}
        path = f"/management/v1/projects/{project}/webhooks"
        made = requests.post(self.url + path, json=body, headers=KEYS, timeout=10)
        assert made.status_code == 200, made.text
        webhook_id: str = made.json()["id"]
        return webhook_id

    def join(self, source_id: str = "ada") -> str:
        joined = self.call("POST", "/v1/loyalties/Coffee Club/members", {"customer": source_id})
        assert joined.status_code == 200, joined.text
        code: str = joined.json()["code"]
        return code

    def add(self, code: str, points: int) -> requests.Response:
        return self.call("POST", f"/v1/loyalties/members/{code}/balance", {"points": points})

    def settle(self) -> None:
        assert self.fake.webhooks.wait(10)


def test_an_event_reaches_its_url_signed(served: Served, receiver: Receiver) -> None:
    """The body is the event for this webhook; X-Voucherify-Signature is its HMAC-SHA256."""
    webhook = served.hook(receiver.url)
    code = served.join()
    assert served.add(code, 100).status_code == 200
    served.settle()
    [(headers, body)] = receiver.received  # only the events it lists
    event = json.loads(body)
    assert (event["type"], event["webhook_id"], event["object"]) == (POINTS, webhook, "event")
    assert event["data"]["balance"]["points"] == 100
    token = served.fake.webhooks.token(served.fake.app_id)
    # As the official SDKs verify: HMAC-SHA256 of the payload with the secret, in hex,
    # over the raw body or the payload re-serialized without whitespace (the same bytes).
    expected = hmac.new(token.encode(), body, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(headers["X-Voucherify-Signature"], expected)
    compact = json.dumps(event, separators=(",", ":"), ensure_ascii=False).encode()
    assert compact == body
    assert headers["Content-Type"] == "application/json"


def test_a_new_token_signs_what_follows(served: Served, receiver: Receiver) -> None:
    """The project's webhook_token is the secret: a new one signs the next events."""
    served.hook(receiver.url)
    served.fake.webhooks.set_token(served.fake.app_id, "s3cret")
    served.add(served.join(), 5)
    served.settle()
    [(headers, body)] = receiver.received
    expected = hmac.new(b"s3cret", body, hashlib.sha256).hexdigest()
    assert headers["X-Voucherify-Signature"] == expected


def test_a_failed_delivery_is_retried_and_journaled(served: Served, receiver: Receiver) -> None:
    """A 500 is retried; each attempt is in the call journal with its outcome."""
    served.hook(receiver.url)
    receiver.statuses = [500, 503]
    served.add(served.join(), 7)
    served.settle()
    assert [body["data"]["balance"]["points"] for body in receiver.bodies()] == [7, 7, 7]
    assert len({body for _, body in receiver.received}) == 1  # the same bytes each time
    attempts = served.fake.webhooks.attempts
    assert [(a.number, a.status, a.delivered) for a in attempts] == [
        (1, 500, False),
        (2, 503, False),
        (3, 200, True),
    ]
    journaled = [entry for entry in served.fake.journal if entry.client == "webhook"]
    assert [(entry.method, entry.path, entry.status) for entry in journaled] == [
        ("POST", receiver.url, 500),
        ("POST", receiver.url, 503),
        ("POST", receiver.url, 200),
    ]


def test_delivery_gives_up_after_the_retries(served: Served, receiver: Receiver) -> None:
    """Three retries after the first attempt, then the event is dropped."""
    served.hook(receiver.url)
    receiver.statuses = [500] * 10
    served.add(served.join(), 7)
    served.settle()
    assert [a.status for a in served.fake.webhooks.attempts] == [500, 500, 500, 500]


def test_an_unreachable_url_is_an_attempt_without_status(served: Served) -> None:
    """Nothing listening: each attempt is journaled with status 0 and why."""
    served.hook("http://127.0.0.1:9/hooks")
    served.add(served.join(), 7)
    served.settle()
    attempts = served.fake.webhooks.attempts
    assert [a.status for a in attempts] == [0, 0, 0, 0]
    assert all(a.error for a in attempts)


def test_events_arrive_in_order(served: Served, receiver: Receiver) -> None:
    """One webhook's events are sent one at a time, in the order they happened."""
    served.hook(receiver.url)
    code = served.join()
    receiver.delay = 0.02
    for points in range(1, 6):
        served.add(code, points)
    served.settle()
    assert [body["data"]["balance"]["points"] for body in receiver.bodies()] == [1, 2, 3, 4, 5]


def test_a_slow_receiver_never_holds_a_request(served: Served, receiver: Receiver) -> None:
    """The request that caused an event is answered before the event is delivered."""
    served.hook(receiver.url)
    code = served.join()
    receiver.open.clear()  # the receiver answers nothing until the request is answered
    started = time.monotonic()
    assert served.add(code, 1).status_code == 200
    # A request that waited for its event would wait for the delivery's 5 s timeout: 3 s
    # tells the two apart and leaves a loaded machine room (1.0 s of delay against 0.5 s did
    # not leave much of either).
    assert time.monotonic() - started < 3
    assert receiver.received == []
    receiver.open.set()
    served.settle()
    assert len(receiver.received) == 1


def test_a_refused_request_sends_nothing(served: Served, receiver: Receiver) -> None:
    """Removing more points than the card has is refused: no event is sent."""
    served.hook(receiver.url)
    code = served.join()
    assert served.add(code, -50).status_code == 400
    served.settle()
    assert receiver.received == []
    assert served.fake.webhooks.attempts == []


def test_inactive_and_unlisted_events_are_not_sent(served: Served, receiver: Receiver) -> None:
    """An inactive webhook gets nothing; an active one only the events it lists."""
    served.hook(receiver.url, active=False)
    served.hook(receiver.url, "customer.created")
    served.add(served.join(), 3)
    served.settle()
    assert [body["type"] for body in receiver.bodies()] == ["customer.created"]


def test_a_restart_sends_nothing_again(tmp_path: Path, receiver: Receiver) -> None:
    """A durable server's replay resends no event, and the next event's ID is a new one."""

    def start() -> tuple[LoyaltyFake, ServerApp, Store]:
        fake = LoyaltyFake(seed=3, now="2024-01-25T10:00:00Z")
        fake.webhooks.retry_delays = ()
        store = Store(tmp_path / "state")
        app = ServerApp(fake, store=store)
        app.recover()
        return fake, app, store

    def send(app: ServerApp, path: str, body: Any, headers: dict[str, str]) -> Any:
        raw = json.dumps(body).encode()
        request = Request.from_url(
            "POST", path, {**headers, "Content-Type": "application/json"}, raw
        )
        return json.loads(app.handle(request).body)

    fake, app, store = start()
    project = management_project_id(fake.app_id)
    send(app, "/v1/loyalties", {"name": "Coffee Club"}, fake.headers)
    hook = {"target_url": receiver.url, "events": [POINTS]}
    send(app, f"/management/v1/projects/{project}/webhooks", hook, KEYS)
    code = send(app, "/v1/loyalties/Coffee Club/members", {"customer": "ada"}, fake.headers)["code"]
    for points in (1, 2):
        send(app, f"/v1/loyalties/members/{code}/balance", {"points": points}, fake.headers)
    assert fake.webhooks.wait(10)
    store.close()
    fake, app, store = start()
    try:
        send(app, f"/v1/loyalties/members/{code}/balance", {"points": 3}, fake.headers)
        assert fake.webhooks.wait(10)
    finally:
        store.close()
    assert [body["data"]["balance"]["points"] for body in receiver.bodies()] == [1, 2, 3]
    # The same calls on a server never restarted number the last event alike.
    twin = LoyaltyFake(seed=3, now="2024-01-25T10:00:00Z")
    heard = twin.webhooks.capture()
    twin_app = ServerApp(twin)
    twin.webhooks.deliver = False
    send(twin_app, "/v1/loyalties", {"name": "Coffee Club"}, twin.headers)
    send(twin_app, f"/management/v1/projects/{project}/webhooks", hook, KEYS)
    send(twin_app, "/v1/loyalties/Coffee Club/members", {"customer": "ada"}, twin.headers)
    for points in (1, 2, 3):
        send(twin_app, f"/v1/loyalties/members/{code}/balance", {"points": points}, twin.headers)
    assert [body["id"] for body in receiver.bodies()] == [event.id for event in heard[2:]]
