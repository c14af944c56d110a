"""Seeding's bulk path writes exactly what seeding request by request writes (issue 21)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import pytest

from loyalty_fake import LoyaltyFake
from loyalty_fake.clock import Clock
from loyalty_fake.http.app import FakeVoucherifyApp
from loyalty_fake.http.messages import Request
from loyalty_fake.ids import IdGenerator
from loyalty_fake.ledger import Ledger
from loyalty_fake.ledger.bulk_seed import BulkWriter
from loyalty_fake.seeding import DEMO_PROGRAM, seed_demo
from loyalty_fake.server import ServerApp
from loyalty_fake.server.control import dump_json
from loyalty_fake.server.served import Served
from loyalty_fake.server.store import Store

if TYPE_CHECKING:
    from pathlib import Path

    from loyalty_fake.ledger.campaigns import Campaign
    from loyalty_fake.ledger.session import Session

NOW = "2024-06-01T00:00:00Z"

# Option sets seed_demo takes: one program; two (the second's members include customers
# of the first when pools are small); orders that earning rules reward.
OPTIONS = {
    "one program": {"seed": 3, "members": 300},
    "two programs": {"seed": 7, "programs": 2, "members": 150},
    "earning": {"seed": 5, "members": 200, "earning": True},
}


def _seeded(
    monkeypatch: pytest.MonkeyPatch, *, bulk: bool, webhooks: bool = False, **options: Any
) -> tuple[LoyaltyFake, dict[str, Any], list[dict[str, Any]]]:
    """A fake seeded with ``options``, in bulk or request by request; its summary and events."""
    writers: list[BulkWriter] = []

    def counted(session: Session, campaign: Campaign) -> BulkWriter:
        writers.append(BulkWriter(session, campaign))
        return writers[-1]

    fake = LoyaltyFake(seed=options["seed"], now=NOW)
    events = fake.webhooks.capture() if webhooks else []
    with monkeypatch.context() as patch:
        patch.setattr("loyalty_fake.seeding.BulkWriter", counted)
        if not bulk:
            patch.setattr("loyalty_fake.seeding.bulk_ready", lambda _session: False)
        summary = seed_demo(fake, **options)
    assert len(writers) == (options.get("programs", 1) if bulk else 0)
    return fake, summary, [event.json() for event in events]


def _reads(fake: LoyaltyFake) -> dict[str, Any]:
    """The answers to the reads a user makes after seeding, every page of them."""
    answers: dict[str, Any] = {}

    def get(path: str, **params: Any) -> Any:
        response = fake.request("GET", path, params=params or None)
        assert response.status == 200, (path, response.body)
        answers[f"{path} {sorted(params.items())}"] = response.json()
        return response.json()

    programs = get("/v1/loyalties", limit=100)["campaigns"]
    for program in programs:
        for order in ("created_at", "-updated_at", "code"):
            members = get(f"/v1/loyalties/{program['id']}/members", limit=100, order=order)
            for page in range(2, members["total"] // 100 + 2):
                get(f"/v1/loyalties/{program['id']}/members", limit=100, order=order, page=page)
        get(f"/v1/loyalties/{program['id']}/transactions", limit=100)
        code = members["vouchers"][0]["code"]
        for what in ("transactions", "activity", "points-expiration", "pending-points"):
            get(f"/v1/loyalties/{program['id']}/members/{code}/{what}")
    customers = get("/v1/customers", limit=100)["customers"]
    for customer in customers[:20]:
        get(f"/v1/customers/{customer['id']}")
        get(f"/v1/customers/{customer['id']}/activity")
    get("/v1/publications", limit=100)
    get("/v1/redemptions", limit=100)
    get("/v1/orders", limit=100)
    get("/v1/vouchers", limit=100)
    return answers


@pytest.mark.parametrize("options", OPTIONS.values(), ids=OPTIONS.keys())
def test_bulk_seeding_writes_what_requests_write(
    monkeypatch: pytest.MonkeyPatch, options: dict[str, Any]
) -> None:
    """The same seed and options give the same state both ways: snapshot, dump and every read."""
    by_requests, requests_summary, _ = _seeded(monkeypatch, bulk=False, **options)
    in_bulk, bulk_summary, _ = _seeded(monkeypatch, bulk=True, **options)
    assert bulk_summary == requests_summary
    assert in_bulk.ledger.snapshot() == by_requests.ledger.snapshot()
    assert dump_json(in_bulk) == dump_json(by_requests)
    assert json.dumps(_reads(in_bulk)) == json.dumps(_reads(by_requests))


def test_bulk_seeding_reports_the_same_webhook_events(monkeypatch: pytest.MonkeyPatch) -> None:
    """Heard by webhooks, bulk seeding reports every event requests report, in order."""
    _, _, by_requests = _seeded(monkeypatch, bulk=False, webhooks=True, seed=4, members=120)
    _, _, in_bulk = _seeded(monkeypatch, bulk=True, webhooks=True, seed=4, members=120)
    assert len(in_bulk) > 120
    assert in_bulk == by_requests


def test_bulk_seeding_with_colliding_customers(monkeypatch: pytest.MonkeyPatch) -> None:
    """Customers one program's seeding shares with another's join as requests join them."""
    monkeypatch.setattr("loyalty_fake.seeding._POOL_SIZE", 1)
    options: dict[str, Any] = {"seed": 11, "programs": 3, "members": 300}
    by_requests, _, _ = _seeded(monkeypatch, bulk=False, **options)
    in_bulk, summary, _ = _seeded(monkeypatch, bulk=True, **options)
    assert summary["members"] == 900
    customers = in_bulk.request("GET", "/v1/customers", params={"limit": 1}).json()
    assert customers["total"] < 900  # some customers are members of two programs or more
    assert in_bulk.ledger.snapshot() == by_requests.ledger.snapshot()


def test_seeding_goes_request_by_request_where_bulk_would_differ(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A project with segments, whose auto-update follows every new customer, seeds by requests."""
    fake = LoyaltyFake(seed=2, now=NOW)
    created = fake.request(
        "POST",
        "/v1/segments",
        json_body={
            "name": "Matcha drinkers",
            "type": "auto-update",
            "filter": {
                "junction": "and",
                "metadata.favourite_drink": {"conditions": {"$is": "matcha"}},
            },
        },
    )
    assert created.status == 200, created.body
    writers: list[object] = []
    monkeypatch.setattr("loyalty_fake.seeding.BulkWriter", lambda *args: writers.append(args))
    seed_demo(fake, seed=2, members=20)
    assert writers == []
    assert int(fake.list_members(DEMO_PROGRAM, limit=1)["total"]) == 20
    segment = created.json()["id"]
    matching = fake.request("GET", "/v1/customers", params={"segment_id": segment}).json()
    assert 0 < matching["total"] < 20


def _seeded_over_http(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, *, bulk: bool
) -> tuple[bytes, int]:
    """The state ``POST /_fake/seed`` builds (a request: a unit of work), and its bulk writers."""
    writers: list[BulkWriter] = []

    def counted(session: Session, campaign: Campaign) -> BulkWriter:
        writers.append(BulkWriter(session, campaign))
        return writers[-1]

    ledger = Ledger(clock=Clock(NOW), ids=IdGenerator(7))
    served = Served(ledger, FakeVoucherifyApp(ledger, {}), app_id="loyalty-fake-app-id")
    store = Store(tmp_path / ("bulk" if bulk else "requests"))
    app = ServerApp(served, store=store, control_plane=True)
    app.recover()
    body = b'{"seed": 9, "programs": 2, "members": 80}'
    try:
        with monkeypatch.context() as patch:
            patch.setattr("loyalty_fake.seeding.BulkWriter", counted)
            if not bulk:
                patch.setattr("loyalty_fake.seeding.bulk_ready", lambda _session: False)
            seeded = app.apply(Request.from_url("POST", "/_fake/seed", {}, body))
    finally:
        store.close()
    assert seeded.status == 200, seeded.body
    return ledger.snapshot(), len(writers)


def test_seeding_over_http_is_bulk_and_the_same(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The control plane's seeding, a request that resets first, writes in bulk what requests do."""
    by_requests, _ = _seeded_over_http(monkeypatch, tmp_path, bulk=False)
    in_bulk, writers = _seeded_over_http(monkeypatch, tmp_path, bulk=True)
    assert writers == 2
    assert in_bulk == by_requests
