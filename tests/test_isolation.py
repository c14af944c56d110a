"""No state or patch leaks from a test to the next; the fixture lives beside other HTTP mocks.

(The fixture beside a test's own ``responses`` mocks: tests/test_transports.py.)
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import httpx
import pytest
import respx

from tests.conftest import BASE_URL

if TYPE_CHECKING:
    from pytest_httpx import HTTPXMock

    from loyalty_fake import LoyaltyFake

pytest_plugins = ["pytester"]

OTHER = "https://payments.example.com/status"

_FAILS_MID_REQUEST = """
import json

import httpx
import pytest
import requests
import urllib3

from loyalty_fake.http.app import FakeVoucherifyApp
from tests.patch_points import every_patch_point as patches


ORIGINAL = patches()
URL = "https://api.voucherify.io/v1/loyalties"


@pytest.mark.parametrize("client", ["requests", "httpx", "urllib3"])
def test_fails_mid_request(loyalty_fake, monkeypatch, client):
    loyalty_fake.create_loyalty_program("Left behind")

    def explode(self, request):
        pytest.fail("the test failed while the fake was answering")

    monkeypatch.setattr(FakeVoucherifyApp, "_dispatch", explode)
    body = json.dumps({"name": "P"})
    headers = {**loyalty_fake.headers, "Content-Type": "application/json"}
    if client == "requests":
        requests.post(URL, data=body, headers=headers)
    elif client == "httpx":
        httpx.post(URL, content=body, headers=headers)
    else:
        urllib3.PoolManager().request("POST", URL, body=body, headers=headers)


def test_every_patch_is_gone():
    assert patches() == ORIGINAL


def test_the_next_fixture_is_fresh_and_works(loyalty_fake):
    assert loyalty_fake.ledger.projects() == {}
    reply = requests.post(URL, json={"name": "P"}, headers=loyalty_fake.headers)
    assert reply.status_code == 200
    assert httpx.get(URL + "/P", headers=loyalty_fake.headers).status_code == 200
"""


def test_a_test_failing_mid_request_leaks_nothing(pytester: pytest.Pytester) -> None:
    """A test that fails inside the fake's answer leaves no patch and no state for the next."""
    pytester.makepyfile(test_mid_request=_FAILS_MID_REQUEST)
    result = pytester.runpytest("-p", "no:cacheprovider", "-p", "no:randomly")
    result.assert_outcomes(passed=2, failed=3)
    result.stdout.fnmatch_lines(["*the test failed while the fake was answering*"])


def test_beside_respx_started_in_the_test(loyalty_fake: LoyaltyFake) -> None:
    """A respx mock for another host answers it; the fake still answers Voucherify over httpx."""
    with respx.mock(assert_all_called=True) as mock:
        mock.get(OTHER).respond(json={"status": "up"})
        assert httpx.get(OTHER).json() == {"status": "up"}
        created = httpx.post(
            f"{BASE_URL}/v1/loyalties", json={"name": "P"}, headers=loyalty_fake.headers
        )
        assert created.status_code == 200
    assert loyalty_fake.get_loyalty_program("P")["name"] == "P"


def test_beside_respx_started_before_the_fake() -> None:
    """Respx started first, the fake second: each still answers its own hosts."""
    from loyalty_fake import LoyaltyFake  # noqa: PLC0415

    with respx.mock(assert_all_called=True) as mock:
        mock.get(OTHER).respond(json={"status": "up"})
        with LoyaltyFake() as fake:
            created = httpx.post(
                f"{BASE_URL}/v1/loyalties", json={"name": "P"}, headers=fake.headers
            )
            assert created.status_code == 200
            assert httpx.get(OTHER).json() == {"status": "up"}


@pytest.mark.httpx_mock(should_mock=lambda request: request.url.host != "api.voucherify.io")
def test_beside_pytest_httpx_set_up_after_the_fake(
    loyalty_fake: LoyaltyFake, httpx_mock: HTTPXMock
) -> None:
    """pytest-httpx set up after, told to leave Voucherify alone: each answers its own host."""
    httpx_mock.add_response(url=OTHER, json={"status": "up"})
    assert httpx.get(OTHER).json() == {"status": "up"}
    created = httpx.post(
        f"{BASE_URL}/v1/loyalties", json={"name": "P"}, headers=loyalty_fake.headers
    )
    assert created.status_code == 200


def test_beside_pytest_httpx_set_up_before_the_fake(
    httpx_mock: HTTPXMock, loyalty_fake: LoyaltyFake
) -> None:
    """pytest-httpx set up first: the fake answers Voucherify and passes the rest to it."""
    httpx_mock.add_response(url=OTHER, json={"status": "up"})
    created = httpx.post(
        f"{BASE_URL}/v1/loyalties", json={"name": "P"}, headers=loyalty_fake.headers
    )
    assert created.status_code == 200
    assert httpx.get(OTHER).json() == {"status": "up"}
