"""Exports survive a server restart (kill -9): the export, its file, and its token."""

from __future__ import annotations

import signal
from typing import TYPE_CHECKING

import requests

from tests.test_server import HEADERS, Server

if TYPE_CHECKING:
    from pathlib import Path


def test_an_export_and_its_file_survive_a_restart(tmp_path: Path) -> None:
    """After kill -9 the export is there, DONE, its URL on the new server, the same file."""
    state = tmp_path / "state"
    server = Server("--state", str(state))
    session = requests.Session()
    session.headers.update(HEADERS)
    try:
        order = {"source_id": "kept", "status": "PAID", "amount": 100}
        session.post(f"{server.url}/v1/orders", json=order, timeout=5)
        made = session.post(f"{server.url}/v1/orders/export", json={}, timeout=5).json()
        url = session.get(f"{server.url}/v1/exports/{made['id']}", timeout=5).json()["result"][
            "url"
        ]
        assert url.startswith(f"{server.url}/v1/exports/")
        before = session.get(url, timeout=5).text
    finally:
        server.stop(signal.SIGKILL)
    restarted = Server("--state", str(state))
    try:
        done = session.get(f"{restarted.url}/v1/exports/{made['id']}", timeout=5).json()
        assert done["status"] == "DONE"
        moved = done["result"]["url"]
        assert moved == url.replace(server.url, restarted.url)
        after = session.get(moved, timeout=5)
        assert after.headers["content-type"].startswith("text/csv")
        assert after.text == before
        assert before.splitlines()[1].endswith(",kept,PAID")
    finally:
        restarted.stop(signal.SIGKILL)
