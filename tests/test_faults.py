"""Faults on purpose: chosen calls fail as Voucherify or the network can, and change nothing."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

import pytest
import requests

from loyalty_fake import LoyaltyFake
from tests.conftest import make_program
from tests.fault_senders import BODY, RAISED, SENDERS

if TYPE_CHECKING:
    from loyalty_fake.server import LiveServer
    from tests.conftest import Client

BASE = "https://api.voucherify.io"
MEMBERS = f"{BASE}/v1/loyalties/Club/members"


@pytest.mark.parametrize("status", [500, 502, 503, 429])
def test_a_status_fault_answers_voucherifys_envelope_over_every_client(
    client: Client, loyalty_fake: LoyaltyFake, status: int
) -> None:
    """The next add-member call gets the status with Voucherify's envelope; nothing changes."""
    program = make_program(client, vouchers_count=2)
    fault = loyalty_fake.faults.add("add member", status=status, times=1)
    refused = client.add_member(program["id"], BODY)
    assert refused.status == status
    assert set(refused.body) == {"code", "key", "message", "details", "request_id"}
    assert refused.body["code"] == status
    if status == 429:
        headers = {name.lower(): value for name, value in refused.headers.items()}
        assert headers["retry-after"] == "1"
    assert fault.fired == 1
    assert loyalty_fake.list_members(program["id"])["total"] == 0
    assert client.add_member(program["id"], BODY).status == 200
    assert len(loyalty_fake.faults) == 0


@pytest.mark.parametrize(("kind", "sender"), list(RAISED))
def test_timeouts_and_drops_raise_each_clients_own_exception(
    loyalty_fake: LoyaltyFake, kind: str, sender: str
) -> None:
    """A timeout or a dropped connection is the client's own exception; the call changed nothing."""
    loyalty_fake.create_loyalty_program("Club", vouchers_count=2)
    options: dict[str, Any] = {kind: True}
    loyalty_fake.faults.add("add member", times=1, **options)
    with pytest.raises(RAISED[kind, sender]):
        SENDERS[sender](MEMBERS, 5)
    assert loyalty_fake.list_members("Club")["total"] == 0
    SENDERS[sender](MEMBERS, 5)
    assert loyalty_fake.list_members("Club")["total"] == 1


def test_faults_choose_by_path_method_predicate_and_count(loyalty_fake: LoyaltyFake) -> None:
    """Path templates, methods and predicates choose the calls; ``times`` counts them down."""
    loyalty_fake.create_loyalty_program("Club", vouchers_count=5)
    loyalty_fake.faults.add(
        path="/v1/loyalties/{campaignId}/members",
        method="POST",
        predicate=lambda request: b"vip" in request.body,
        status=503,
        times=2,
    )
    session = requests.Session()
    session.headers.update(loyalty_fake.headers)
    assert session.post(MEMBERS, json=BODY, timeout=5).status_code == 200
    assert session.get(MEMBERS, timeout=5).status_code == 200
    vip = {"customer": {"source_id": "vip"}}
    assert [session.post(MEMBERS, json=vip, timeout=5).status_code for _ in range(3)] == [
        503,
        503,
        200,
    ]


def test_probability_is_seeded(loyalty_fake: LoyaltyFake) -> None:
    """The same seed fails the same calls, run after run."""

    def outcomes() -> list[int]:
        with LoyaltyFake(seed=7) as fake:
            fake.faults.add(method="GET", status=500, probability=0.5)
            return [
                requests.get(f"{BASE}/v1/loyalties", headers=fake.headers, timeout=5).status_code
                for _ in range(20)
            ]

    loyalty_fake.stop()
    first = outcomes()
    assert first == outcomes()
    assert set(first) == {200, 500}


def test_latency_delays_the_answer(loyalty_fake: LoyaltyFake) -> None:
    """``latency`` holds the answer, which is then the usual one."""
    loyalty_fake.faults.add(method="GET", latency=0.2, times=1)
    began = time.perf_counter()
    reply = requests.get(f"{BASE}/v1/loyalties", headers=loyalty_fake.headers, timeout=5)
    assert time.perf_counter() - began >= 0.2
    assert reply.status_code == 200


def test_bad_faults_are_refused(loyalty_fake: LoyaltyFake) -> None:
    """A fault must be one kind, with an error status and a probability from 0 to 1."""
    refused: list[dict[str, Any]] = [
        {},
        {"status": 200},
        {"status": 503, "drop": True},
        {"status": 500, "probability": 2},
    ]
    for options in refused:
        with pytest.raises(ValueError, match="fault"):
            loyalty_fake.faults.add("add member", **options)


def test_the_python_api_meets_no_fault_and_reset_removes_them(loyalty_fake: LoyaltyFake) -> None:
    """The Python API never meets a fault; reset removes them."""
    loyalty_fake.faults.add(status=503)
    assert loyalty_fake.create_loyalty_program("Club")["name"] == "Club"
    loyalty_fake.reset()
    assert len(loyalty_fake.faults) == 0


@pytest.mark.loyalty_fake(control_plane=True)
def test_control_plane_adds_lists_and_clears_faults(
    loyalty_fake: LoyaltyFake, loyalty_fake_server: LiveServer
) -> None:
    """POST /_fake/faults adds a status fault for served calls; DELETE removes them all."""
    url = loyalty_fake_server.url
    added = requests.post(
        f"{url}/_fake/faults",
        json={"operation": "add member", "status": 429, "times": 1},
        timeout=5,
    )
    assert added.status_code == 200
    assert added.json()["added"]["status"] == 429
    loyalty_fake.create_loyalty_program("Club", vouchers_count=1)
    members = f"{url}/v1/loyalties/Club/members"
    refused = requests.post(members, json=BODY, headers=loyalty_fake.headers, timeout=5)
    assert refused.status_code == 429
    assert refused.headers["Retry-After"] == "1"
    assert requests.post(members, json=BODY, headers=loyalty_fake.headers, timeout=5).ok
    assert requests.get(f"{url}/_fake/faults", timeout=5).json() == {"faults": []}
    for bad in ({"drop": "yes"}, {"drop": True, "status": 500}, {"timeout": True, "drop": True}):
        assert requests.post(f"{url}/_fake/faults", json=bad, timeout=5).status_code == 400
    requests.post(f"{url}/_fake/faults", json={"status": 500}, timeout=5)
    assert requests.delete(f"{url}/_fake/faults", json={}, timeout=5).status_code == 204
    assert len(loyalty_fake.faults) == 0
