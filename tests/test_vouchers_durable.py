"""Campaigns and vouchers survive a server restart (kill -9), IDs, balances and all."""

from __future__ import annotations

import signal
from typing import TYPE_CHECKING

import requests

from tests.test_server import HEADERS, Server

if TYPE_CHECKING:
    from pathlib import Path


def test_campaigns_and_vouchers_survive_a_restart(tmp_path: Path) -> None:
    """After kill -9, the discount campaign, its vouchers and a gift card's credits are there."""
    state = tmp_path / "state"
    server = Server("--state", str(state))
    session = requests.Session()
    session.headers.update(HEADERS)
    try:
        discount = {"type": "DISCOUNT_VOUCHER", "discount": {"type": "PERCENT", "percent_off": 10}}
        body = {"name": "Durable", "vouchers_count": 2, "voucher": discount}
        campaign = session.post(f"{server.url}/v1/campaigns", json=body, timeout=5).json()
        gift = {"type": "GIFT_VOUCHER", "gift": {"amount": 2000}}
        session.post(f"{server.url}/v1/vouchers/KEEP-1", json=gift, timeout=5)
        session.post(f"{server.url}/v1/vouchers/KEEP-1/balance", json={"amount": -500}, timeout=5)
        vouchers = session.get(f"{server.url}/v1/vouchers", timeout=5).json()
        moves = session.get(f"{server.url}/v1/vouchers/KEEP-1/transactions", timeout=5).json()
    finally:
        server.stop(signal.SIGKILL)
    restarted = Server("--state", str(state))
    try:
        url = restarted.url
        assert session.get(f"{url}/v1/campaigns/{campaign['id']}", timeout=5).json() == campaign
        assert session.get(f"{url}/v1/vouchers", timeout=5).json() == vouchers
        reread = session.get(f"{url}/v1/vouchers/KEEP-1/transactions", timeout=5).json()
        assert reread == moves
    finally:
        restarted.stop(signal.SIGKILL)


def test_a_gift_card_redemption_survives_a_restart(tmp_path: Path) -> None:
    """After kill -9, a stacked redemption's gift card part rolls back: its credits return."""
    state = tmp_path / "state"
    server = Server("--state", str(state))
    session = requests.Session()
    session.headers.update(HEADERS)
    try:
        gift = {"type": "GIFT_VOUCHER", "gift": {"amount": 2000}}
        session.post(f"{server.url}/v1/vouchers/KEEP-2", json=gift, timeout=5)
        spend = {"object": "voucher", "id": "KEEP-2", "gift": {"credits": 500}}
        body = {"redeemables": [spend], "order": {"amount": 3000}}
        made = session.post(f"{server.url}/v1/redemptions", json=body, timeout=5).json()
        parent = made["parent_redemption"]["id"]
    finally:
        server.stop(signal.SIGKILL)
    restarted = Server("--state", str(state))
    try:
        url = restarted.url
        voucher = session.get(f"{url}/v1/vouchers/KEEP-2", timeout=5).json()
        assert voucher["gift"]["balance"] == 1500
        rolled = session.post(f"{url}/v1/redemptions/{parent}/rollbacks", json={}, timeout=5)
        assert rolled.json()["rollbacks"][0]["amount"] == -500
        voucher = session.get(f"{url}/v1/vouchers/KEEP-2", timeout=5).json()
        assert voucher["gift"]["balance"] == 2000
    finally:
        restarted.stop(signal.SIGKILL)
