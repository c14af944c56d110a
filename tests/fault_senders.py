"""One add-member call through each client library, and what each raises for a fault.

Shared by the in-process fault tests (``test_faults.py``) and the served ones
(``test_faults_served.py``).
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

import httpx
import requests
import urllib3

if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = ["BODY", "RAISED", "RAISED_SERVED", "SENDERS"]

BODY = {"customer": {"source_id": "ada"}}
HEADERS = {"X-App-Id": "loyalty-fake-app-id", "X-App-Token": "loyalty-fake-app-token"}


def _requests(url: str, timeout: float) -> None:
    requests.post(url, json=BODY, headers=HEADERS, timeout=timeout)


def _urllib3(url: str, timeout: float) -> None:
    urllib3.PoolManager(retries=False, timeout=timeout).request(
        "POST", url, json=BODY, headers=HEADERS
    )


def _httpx(url: str, timeout: float) -> None:
    httpx.post(url, json=BODY, headers=HEADERS, timeout=timeout)


def _httpx_async(url: str, timeout: float) -> None:
    async def send() -> None:
        async with httpx.AsyncClient(timeout=timeout) as session:
            await session.post(url, json=BODY, headers=HEADERS)

    asyncio.run(send())


# Each sends the add-member call to ``url``, waiting ``timeout`` seconds at most for the answer.
SENDERS: dict[str, Callable[[str, float], None]] = {
    "requests": _requests,
    "urllib3": _urllib3,
    "httpx": _httpx,
    "httpx-async": _httpx_async,
}
# What each client raises for a timeout or a drop, in-process (the transports' own).
RAISED: dict[tuple[str, str], type[BaseException]] = {
    ("timeout", "requests"): requests.ReadTimeout,
    ("timeout", "urllib3"): urllib3.exceptions.ReadTimeoutError,
    ("timeout", "httpx"): httpx.ReadTimeout,
    ("timeout", "httpx-async"): httpx.ReadTimeout,
    ("drop", "requests"): requests.ConnectionError,
    ("drop", "urllib3"): urllib3.exceptions.ProtocolError,
    ("drop", "httpx"): httpx.ConnectError,
    ("drop", "httpx-async"): httpx.ConnectError,
}
# Over a real socket, httpx calls a connection closed without an answer a protocol error.
RAISED_SERVED = {
    **RAISED,
    ("drop", "httpx"): httpx.RemoteProtocolError,
    ("drop", "httpx-async"): httpx.RemoteProtocolError,
}
