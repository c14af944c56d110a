"""One rule beside responses, respx and pytest-httpx, whichever starts first.

A route the test registers itself for a Voucherify URL wins (to simulate an outage);
every other Voucherify call reaches the fake; other URLs are the mock library's
business, as if the fake were not there.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

import httpx
import pytest
import requests
import responses
import respx

from tests.conftest import BASE_URL

if TYPE_CHECKING:
    from collections.abc import Iterator

    from pytest_httpx import HTTPXMock

    from loyalty_fake import LoyaltyFake

OUTAGE = f"{BASE_URL}/v1/loyalties/Down"
PROGRAMS = f"{BASE_URL}/v1/loyalties"
OTHER = "https://payments.example.com/status"


def _create(loyalty_fake: LoyaltyFake, name: str) -> int:
    """Create a program over httpx; the status the client saw."""
    reply = httpx.post(PROGRAMS, json={"name": name}, headers=loyalty_fake.headers)
    return reply.status_code


async def _async_get(url: str, headers: dict[str, str]) -> int:
    async with httpx.AsyncClient() as client:
        return (await client.get(url, headers=headers)).status_code


# -- responses ------------------------------------------------------------------------------


@pytest.fixture
def outage_first() -> Iterator[responses.RequestsMock]:
    """A responses mock with an outage for one Voucherify URL, started before the fake."""
    with responses.RequestsMock() as mock:
        mock.get(OUTAGE, status=503, json={"code": 503})
        yield mock


def test_responses_outage_started_before_the_fake_wins(
    outage_first: responses.RequestsMock, loyalty_fake: LoyaltyFake
) -> None:
    """A responses route for a Voucherify URL answers even when its mock started first."""
    assert requests.get(OUTAGE, headers=loyalty_fake.headers, timeout=5).status_code == 503
    reply = requests.post(PROGRAMS, json={"name": "P"}, headers=loyalty_fake.headers, timeout=5)
    assert reply.status_code == 200
    assert len(outage_first.calls) == 1


def test_responses_refuses_other_unregistered_urls(loyalty_fake: LoyaltyFake) -> None:
    """A URL that is not Voucherify's and has no response gets responses' own refusal."""
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        mock.get(OUTAGE, status=503)
        with pytest.raises(requests.exceptions.ConnectionError, match="Connection refused"):
            requests.get(OTHER, timeout=5)
        missing = requests.get(f"{PROGRAMS}/P", headers=loyalty_fake.headers, timeout=5)
    assert missing.json()["key"] == "not_found"


# -- respx ----------------------------------------------------------------------------------


def test_respx_route_for_a_voucherify_url_wins(loyalty_fake: LoyaltyFake) -> None:
    """A respx route started inside the test simulates a Voucherify outage."""
    with respx.mock(assert_all_called=True) as mock:
        mock.get(OUTAGE).respond(503, json={"code": 503})
        assert httpx.get(OUTAGE, headers=loyalty_fake.headers).status_code == 503
        assert asyncio.run(_async_get(OUTAGE, loyalty_fake.headers)) == 503
        assert _create(loyalty_fake, "P") == 200
    assert loyalty_fake.get_loyalty_program("P")["name"] == "P"


@pytest.fixture
def respx_first() -> Iterator[respx.MockRouter]:
    """A respx router with an outage for one Voucherify URL, started before the fake."""
    with respx.mock(assert_all_called=True) as mock:
        mock.get(OUTAGE).respond(503)
        yield mock


def test_respx_route_started_before_the_fake_wins(
    respx_first: respx.MockRouter, loyalty_fake: LoyaltyFake
) -> None:
    """The order the mocks started in does not matter: the route answers, the fake the rest."""
    assert httpx.get(OUTAGE, headers=loyalty_fake.headers).status_code == 503
    assert _create(loyalty_fake, "P") == 200
    assert respx_first.calls.call_count == 1


def test_respx_refuses_other_unmocked_urls(loyalty_fake: LoyaltyFake) -> None:
    """A non-Voucherify URL without a route gets respx's own "not mocked" error."""
    with respx.mock(assert_all_called=False), pytest.raises(respx.models.AllMockedAssertionError):
        httpx.get(OTHER)
    assert loyalty_fake.ledger.projects() == {}


def test_respx_without_assert_all_mocked_leaves_voucherify_to_the_fake(
    loyalty_fake: LoyaltyFake,
) -> None:
    """The empty 200 respx gives unmocked URLs is for other hosts; Voucherify's reach the fake."""
    with respx.mock(assert_all_mocked=False):
        assert httpx.get(OTHER).content == b""
        assert _create(loyalty_fake, "P") == 200
    assert httpx.get(f"{PROGRAMS}/P", headers=loyalty_fake.headers).json()["name"] == "P"


# -- pytest-httpx ---------------------------------------------------------------------------


def test_pytest_httpx_with_its_defaults_leaves_voucherify_to_the_fake(
    loyalty_fake: LoyaltyFake, httpx_mock: HTTPXMock
) -> None:
    """httpx_mock set up after the fake, default options: Voucherify calls reach the fake."""
    httpx_mock.add_response(url=OTHER, json={"status": "up"})
    assert _create(loyalty_fake, "P") == 200
    assert asyncio.run(_async_get(f"{PROGRAMS}/P", loyalty_fake.headers)) == 200
    assert httpx.get(OTHER).json() == {"status": "up"}


def test_pytest_httpx_response_for_a_voucherify_url_wins_set_up_after(
    loyalty_fake: LoyaltyFake, httpx_mock: HTTPXMock
) -> None:
    """A response registered for a Voucherify URL answers; the fake answers the others."""
    httpx_mock.add_response(url=OUTAGE, status_code=503, is_reusable=True)
    assert httpx.get(OUTAGE, headers=loyalty_fake.headers).status_code == 503
    assert asyncio.run(_async_get(OUTAGE, loyalty_fake.headers)) == 503
    assert _create(loyalty_fake, "P") == 200


def test_pytest_httpx_response_for_a_voucherify_url_wins_set_up_before(
    httpx_mock: HTTPXMock, loyalty_fake: LoyaltyFake
) -> None:
    """The same with httpx_mock set up before the fake."""
    httpx_mock.add_response(url=OUTAGE, status_code=503)
    assert httpx.get(OUTAGE, headers=loyalty_fake.headers).status_code == 503
    assert _create(loyalty_fake, "P") == 200
