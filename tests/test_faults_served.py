"""Timeout and drop faults over HTTP: the server leaves the call unanswered, as a network would."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

import pytest
import requests

from tests.fault_senders import RAISED_SERVED, SENDERS

if TYPE_CHECKING:
    from loyalty_fake import LoyaltyFake
    from loyalty_fake.server import LiveServer

pytestmark = pytest.mark.loyalty_fake(control_plane=True)

# The client's own timeout where a timeout fault holds the call: the call waits past it.
CLIENT_TIMEOUT = 0.5
# Where an answer (or a dropped connection) must come: room for a loaded 2-core machine,
# where 0.5 s left a served call little.
ANSWER_TIMEOUT = 10


@pytest.mark.parametrize(("kind", "sender"), list(RAISED_SERVED))
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
    with pytest.raises(RAISED_SERVED[kind, sender]):
        SENDERS[sender](members, CLIENT_TIMEOUT if kind == "timeout" else ANSWER_TIMEOUT)
    if kind == "drop":
        assert time.monotonic() - began < ANSWER_TIMEOUT / 2  # closed at once, not timed out
    assert loyalty_fake.list_members("Club")["total"] == 0
    assert loyalty_fake.journal.count() == 0  # no answer, nothing journaled
    SENDERS[sender](members, ANSWER_TIMEOUT)  # the server goes on answering
    assert loyalty_fake.list_members("Club")["total"] == 1


def test_a_fault_added_in_python_meets_served_calls_too(
    loyalty_fake: LoyaltyFake, loyalty_fake_server: LiveServer
) -> None:
    """``faults.add(drop=True)`` drops a call to the live server as it drops an in-process one."""
    loyalty_fake.create_loyalty_program("Club", vouchers_count=2)
    fault = loyalty_fake.faults.add("add member", drop=True, times=1)
    with pytest.raises(requests.ConnectionError):
        SENDERS["requests"](f"{loyalty_fake_server.url}/v1/loyalties/Club/members", 5)
    assert fault.fired == 1
    assert loyalty_fake.list_members("Club")["total"] == 0
