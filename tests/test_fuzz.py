"""schemathesis fuzzes the live server from the fake's own OpenAPI document.

Every generated request, on every operation: no 5xx, every 4xx in Voucherify's error
envelope, every 2xx (and error) valid against the document, for valid requests and for
requests that break the document (schemathesis's positive and negative modes). Each case
starts from the same seeded demo data, and most cases aim their path parameters at real
programs, cards and customers so that the 2xx paths are fuzzed too, not only 404s.

CI runs a short deterministic pass; the long run is one command (docs/server.md):
``LOYALTY_FAKE_FUZZ_EXAMPLES=1000 .venv/bin/python -m pytest tests/test_fuzz.py``.
"""

from __future__ import annotations

import os
import zlib
from typing import TYPE_CHECKING, Any

import attrs
import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
    unsupported_method,
)
from schemathesis.config import SchemathesisConfig

from loyalty_fake import LoyaltyFake, openapi_document
from loyalty_fake.http.messages import Request
from loyalty_fake.http.routes import match, voucherify_operation
from loyalty_fake.seeding import seed_demo
from loyalty_fake.server import ServerApp, SwappableApp

if TYPE_CHECKING:
    from collections.abc import Iterator

    from loyalty_fake.server import LiveServer

EXAMPLES = int(os.environ.get("LOYALTY_FAKE_FUZZ_EXAMPLES", "25"))
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    unsupported_method,
]

# Valid requests (positive) and requests that break the document (negative): both must get
# a documented answer.
schema = schemathesis.openapi.from_dict(
    openapi_document(), config=SchemathesisConfig.from_dict({"generation": {"mode": "all"}})
)


@attrs.frozen
class Target:
    """The live server, its fake, the seeded state to restore, and real path values."""

    url: str
    fake: LoyaltyFake
    snapshot: bytes
    known: dict[str, list[str]]


@pytest.fixture(scope="module")
def target(loyalty_fake_live_server: LiveServer) -> Iterator[Target]:
    """The session's server, serving a seeded fake for this module."""
    fake = LoyaltyFake(seed=42, now="2024-06-01T00:00:00Z")
    seed_demo(fake, seed=42, programs=2, members=5)
    program = fake.get_loyalty_program("Demo Coffee Club")
    cards = [card["code"] for card in fake.cards(program["id"])]
    held = [card["code"] for card in fake.cards(program["id"]) if card.get("holder_id")]
    customers = fake.customers()
    known = {
        "campaignId": [program["id"], program["name"]],
        "memberId": cards,
        "code": cards,
        "customerId": [customers[0]["id"], str(customers[-1]["source_id"])],
        **_rewards(fake, program["id"], held[0]),
    }
    slot = loyalty_fake_live_server.app
    assert isinstance(slot, SwappableApp)
    slot.current = ServerApp(fake)
    try:
        yield Target(loyalty_fake_live_server.url, fake, fake.ledger.snapshot(), known)
    finally:
        slot.current = None


def _rewards(fake: LoyaltyFake, program: str, code: str) -> dict[str, list[str]]:
    """Rewards offered (MATERIAL and COIN) and not, and redemptions kept and rolled back."""
    material = fake.create_reward("Mug", parameters={"product": {"id": "prod_mug"}}, stock=5)
    coin = fake.create_reward("Coins", parameters={"coin": {"exchange_ratio": 1}})
    spare = fake.create_reward("Spare", parameters={"product": {"id": "prod_spare"}})
    offered = [
        fake.assign_reward(program, material["id"], 10),
        fake.assign_reward(program, coin["id"]),
    ]
    fake.add_points(code, 1000)
    kept = fake.redeem_reward(code, material["id"], order={"amount": 1000})
    undone = fake.redeem_reward(code, coin["id"], points=50, order={"amount": 1000})
    rollback = fake.rollback_redemption(undone["id"], reason="fuzz")
    return {
        "rewardId": [material["id"], coin["id"], spare["id"]],
        "assignmentId": [assignment["id"] for assignment in offered],
        "redemptionId": [kept["id"], undone["id"], rollback["id"]],
    }


def _aim(case: Any, known: dict[str, list[str]]) -> None:
    """Point two cases in three at real resources; the choice is a function of the case."""
    parameters = case.path_parameters or {}
    for name, value in list(parameters.items()):
        digest = zlib.crc32(f"{name}={value!r}".encode())
        if digest % 3:
            options = known[name]
            parameters[name] = options[digest % len(options)]


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_fuzzed_requests_get_documented_answers(case: Any, target: Target) -> None:
    """No 5xx; every reply, 2xx or 4xx, is the document's (errors in Voucherify's envelope)."""
    target.fake.ledger.restore(target.snapshot)
    target.fake.app.internal_errors.clear()
    _aim(case, target.known)
    with requests.Session() as session:
        response = case.call(base_url=target.url, session=session, headers=target.fake.headers)
    segments = Request.from_url(case.method, response.request.path_url).segments
    lacking = voucherify_operation(case.method.upper(), segments)
    if match(case.method.upper(), segments) is None and lacking is not None:
        # schemathesis tries methods the document lacks: where Voucherify has that operation
        # and the fake does not, the answer is the fake's deliberate 501, not a 405.
        assert response.status_code == 501
        assert response.json()["resource_id"] == lacking.operation_id
        return
    checks = CHECKS
    if response.status_code == 501 and "501" in case.operation.definition.raw["responses"]:
        # A documented, deliberate 501 (a CAMPAIGN reward): the envelope, not a server error.
        assert response.json()["key"] == "not_implemented"
        checks = [check for check in CHECKS if check is not not_a_server_error]
    case.validate_response(response, checks=checks)
    if 400 <= response.status_code < 500:
        envelope = response.json()
        assert envelope["code"] == response.status_code
        assert envelope["key"]
        assert envelope["message"]
    assert not target.fake.app.internal_errors
