"""Validation rules in a durable server: a kill -9 and a restart keep rules and assignments."""

from __future__ import annotations

import signal
from typing import TYPE_CHECKING

import requests

from tests.test_server import HEADERS, Server

if TYPE_CHECKING:
    from pathlib import Path

RULE = {
    "name": "Big orders",
    "rules": {
        "1": {"name": "order.amount", "conditions": {"$more_than": [1000]}},
        "logic": "1",
    },
    "error": {"message": "Spend more."},
}


def test_rules_and_assignments_survive_kill_9(tmp_path: Path) -> None:
    """Every acknowledged rule and assignment is there after kill -9, with the same IDs."""
    state = tmp_path / "state"
    server = Server("--state", str(state))
    session = requests.Session()
    try:
        rule = session.post(
            server.url + "/v1/validation-rules", json=RULE, headers=HEADERS, timeout=5
        ).json()
        program = session.get(
            server.url + "/v1/loyalties/Demo%20Coffee%20Club", headers=HEADERS, timeout=5
        ).json()
        body = {"related_object_type": "campaign", "related_object_id": program["id"]}
        assignment = session.post(
            f"{server.url}/v1/validation-rules/{rule['id']}/assignments",
            json=body,
            headers=HEADERS,
            timeout=5,
        ).json()
    finally:
        server.stop(signal.SIGKILL)
    restarted = Server("--state", str(state))
    try:
        got = requests.get(
            f"{restarted.url}/v1/validation-rules/{rule['id']}", headers=HEADERS, timeout=5
        ).json()
        assert got == {**rule, "assignments_count": 1}
        listed = requests.get(
            f"{restarted.url}/v1/validation-rules-assignments", headers=HEADERS, timeout=5
        ).json()
        assert listed["data"] == [assignment]
    finally:
        restarted.stop(signal.SIGKILL)
