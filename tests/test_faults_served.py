"""Timeout and drop faults over HTTP: the server leaves the call unanswered, as a network would."""

from __future__ import annotations

import asyncio
import time
from typing import TYPE_CHECKING, Any

import httpx
import pytest
import requests
import urllib3

if TYPE_CHECKING:
    from collections.abc import Callable

    from loyalty_fake import LoyaltyFake
    from loyalty_fake.server import LiveServer

pytestmark = pytest.mark.loyalty_fake(control_plane=True)

BODY = {"customer": {"source_id": "ada"}}
HEADERS = {"X-App-Id": "loyalty-fake-app-id", "X-App-Token": "loyalty-fake-app-token"}
# The client's own timeout: the fault's request waits past it.
CLIENT_TIMEOUT = 0.5


def _requests(url: str) -> None:
    requests.post(url, json=BODY, headers=HEADERS, timeout=CLIENT_TIMEOUT)


def _urllib3(url: str) -> None:
    pool = urllib3.PoolManager(retries=False, timeout=CLIENT_TIMEOUT)
    pool.request("POST", url, json=BODY, headers=HEADERS)


def _httpx(url: str) -> None:
    httpx.post(url, json=BODY, headers=HEADERS, timeout=CLIENT_TIMEOUT)


def _httpx_async(url: str) -> None:
    async def send() -> None:
        async with httpx.AsyncClient(timeout=CLIENT_TIMEOUT) as session:
            await session.post(url, json=BODY, headers=HEADERS)

    asyncio.run(send())


SENDERS: dict[str, Callable[[str], None]] = {
    "requests": _requests,
    "urllib3": _urllib3,
    "httpx": _httpx,
    "httpx-async": _httpx_async,
}
# What each client raises when a server never answers, or closes without answering.
RAISED: dict[tuple[str, str], type[BaseException]] = {
    ("timeout", "requests"): requests.ReadTimeout,
    ("timeout", "urllib3"): urllib3.exceptions.ReadTimeoutError,
    ("timeout", "httpx"): httpx.ReadTimeout,
    ("timeout", "httpx-async"): httpx.ReadTimeout,
    ("drop", "requests"): requests.ConnectionError,
    ("drop", "urllib3"): urllib3.exceptions.ProtocolError,
    ("drop", "httpx"): httpx.RemoteProtocolError,
    ("drop", "httpx-async"): httpx.RemoteProtocolError,
}


@pytest.mark.parametrize(("kind", "sender"), list(RAISED))
def test_served_timeouts_and_drops_leave_the_call_unanswered(
    loyalty_fake: LoyaltyFake, loyalty_fake_server: LiveServer, kind: str, sender: str
) -> None:
    """Added over the control plane, the fault's call gets no answer; nothing changes."""
    loyalty_fake.create_loyalty_program("Club", vouchers_count=2)
    fault: dict[str, Any] = {"operation": "add member", kind: True, "times": 1}
    added = requests.post(f"{loyalty_fake_server.url}/_fake/faults", json=fault, timeout=5)
    assert added.status_code == 200, added.text
    assert added.json()["added"][kind] is True
    members = f"{loyalty_fake_server.url}/v1/loyalties/Club/members"
    began = time.monotonic()
    with pytest.raises(RAISED[kind, sender]):
        SENDERS[sender](members)
    if kind == "drop":
        assert time.monotonic() - began < CLIENT_TIMEOUT  # closed at once, not timed out
    assert loyalty_fake.list_members("Club")["total"] == 0
    assert loyalty_fake.journal.count() == 0  # no answer, nothing journaled
    SENDERS[sender](members)  # the server goes on answering
    assert loyalty_fake.list_members("Club")["total"] == 1


def test_a_fault_added_in_python_meets_served_calls_too(
    loyalty_fake: LoyaltyFake, loyalty_fake_server: LiveServer
) -> None:
    """``faults.add(drop=True)`` drops a call to the live server as it drops an in-process one."""
    loyalty_fake.create_loyalty_program("Club", vouchers_count=2)
    fault = loyalty_fake.faults.add("add member", drop=True, times=1)
    with pytest.raises(requests.ConnectionError):
        _requests(f"{loyalty_fake_server.url}/v1/loyalties/Club/members")
    assert fault.fired == 1
    assert loyalty_fake.list_members("Club")["total"] == 0
