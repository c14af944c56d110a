"""What the fake adds to a call, on every client: requests, the official SDK, httpx sync and async.

Each figure times one operation through one client twice in the same run: answered by
the fake, and answered by a bare stand-in at the very same plug (urllib3's socket for
``requests`` and the SDK, httpcore's stream for httpx) that returns the fake's own answer
bytes at once. The difference is what the fake adds per call; issue 21's targets are on it
(60 µs for a member, a balance change and an add-member, 100 µs for a 10-member page).
"""

from __future__ import annotations

import asyncio
import itertools
from typing import TYPE_CHECKING, Any

import attrs
import httpx
import requests

from loyalty_fake import LoyaltyFake
from loyalty_fake.http.messages import JSON_HEADERS, Response
from loyalty_fake.transports import HttpxTransport, Urllib3Transport

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

__all__ = [
    "ADDED_TARGETS_US",
    "CLIENTS",
    "OPERATIONS",
    "AddedFigure",
    "client_sides",
    "members_program",
]

BASE_URL = "https://api.voucherify.io"
CLIENTS = ("requests", "sdk", "httpx", "httpx_async")
OPERATIONS = ("get_member", "balance", "add_member", "list_members")
# Issue 21: what the fake may add to one call, in microseconds.
ADDED_TARGETS_US = {"get_member": 60.0, "balance": 60.0, "add_member": 60.0, "list_members": 100.0}
US = "\N{MICRO SIGN}s"


@attrs.frozen
class AddedFigure:
    """One per-call figure: the fake's and the floor's median time, the target on the difference."""

    name: str
    fake_ns: float
    floor_ns: float
    max_added_us: float
    unit: str = "call"

    @property
    def added_us(self) -> float:
        """What the fake adds to one call, in microseconds."""
        return (self.fake_ns - self.floor_ns) / 1_000

    @property
    def ok(self) -> bool:
        """Whether the figure meets its target."""
        return self.added_us <= self.max_added_us

    def line(self) -> str:
        """The figure as one human-readable line."""
        return (
            f"{self.name:<26} adds {self.added_us:6,.0f} {US}  "
            f"(fake {self.fake_ns / 1_000:,.0f} {US}, floor {self.floor_ns / 1_000:,.0f} {US} "
            f"per {self.unit}, ratio {self.fake_ns / self.floor_ns:.2f}x)  "
            f"target <= {self.max_added_us:g} {US}  {'OK' if self.ok else 'EXCEEDED'}"
        )


@attrs.frozen
class _Stub:
    """The floor's far end: the same answer to every request, at the fake's own plug."""

    answer: Response

    def __call__(
        self,
        method: str,  # noqa: ARG002 - the same answer to every request
        url: str,  # noqa: ARG002
        headers: Mapping[str, str],  # noqa: ARG002
        body: bytes,  # noqa: ARG002
        client: str | None = None,  # noqa: ARG002
    ) -> Response:
        return self.answer


def _claims(url: str) -> bool:
    return url.startswith(BASE_URL)


def _claims_origin(_scheme: str, host: str, _port: int | None) -> bool:
    return host == "api.voucherify.io"


def _floor(answer: Response) -> tuple[Callable[[], None], Callable[[], None]]:
    """Start and stop of a stand-in answering ``answer`` to urllib3 and httpx alike."""
    stub = _Stub(answer)
    plugs = (
        Urllib3Transport(stub, _claims, _claims_origin),
        HttpxTransport(stub, _claims, _claims_origin, _claims_origin),
    )

    def start() -> None:
        for plug in plugs:
            plug.start()

    def stop() -> None:
        for plug in reversed(plugs):
            plug.stop()

    return start, stop


@attrs.frozen
class _Calls:
    """One client's four operations, each a call that checks nothing but is read in full."""

    get_member: Callable[[], object]
    balance: Callable[[], object]
    add_member: Callable[[], object]
    list_members: Callable[[], object]


def _http_calls(
    send: Callable[..., Any], program: str, code: str, headers: dict[str, str]
) -> _Calls:
    """The operations over ``send(method, url, **kwargs)`` (requests or httpx, read as JSON)."""
    numbers = itertools.count()
    members = f"{BASE_URL}/v1/loyalties/{program}/members"
    member = f"{BASE_URL}/v1/loyalties/members/{code}"
    return _Calls(
        get_member=lambda: send("GET", member, headers=headers),
        balance=lambda: send("POST", f"{member}/balance", json={"points": 1}, headers=headers),
        add_member=lambda: send(
            "POST",
            members,
            json={"customer": {"source_id": f"bench-{next(numbers)}"}},
            headers=headers,
        ),
        list_members=lambda: send("GET", members, params={"limit": 10}, headers=headers),
    )


def _requests_calls(program: str, code: str, headers: dict[str, str]) -> _Calls:
    session = requests.Session()
    return _http_calls(
        lambda *args, **kwargs: session.request(*args, **kwargs).json(), program, code, headers
    )


def _httpx_calls(program: str, code: str, headers: dict[str, str]) -> _Calls:
    client = httpx.Client()
    return _http_calls(
        lambda *args, **kwargs: client.request(*args, **kwargs).json(), program, code, headers
    )


def _httpx_async_calls(program: str, code: str, headers: dict[str, str]) -> _Calls:
    loop = asyncio.new_event_loop()
    client = httpx.AsyncClient()

    async def request(*args: Any, **kwargs: Any) -> Any:
        return (await client.request(*args, **kwargs)).json()

    return _http_calls(
        lambda *args, **kwargs: loop.run_until_complete(request(*args, **kwargs)),
        program,
        code,
        headers,
    )


def _sdk_calls(program: str, code: str, headers: dict[str, str]) -> _Calls:
    import voucherify  # noqa: PLC0415 - a test dependency only this client needs

    configuration = voucherify.Configuration(host=BASE_URL, api_key=dict(headers))
    # Plain dicts as the bodies, as the client tests send them (the SDK validates them).
    api: Any = voucherify.LoyaltiesApi(voucherify.ApiClient(configuration))
    numbers = itertools.count()
    return _Calls(
        get_member=lambda: api.get_member(code),
        balance=lambda: api.update_loyalty_card_balance(code, {"points": 1}),
        add_member=lambda: api.add_member(
            program, {"customer": {"source_id": f"bench-{next(numbers)}"}}
        ),
        list_members=lambda: api.list_members(program, limit=10),
    )


_MAKERS = {
    "requests": _requests_calls,
    "sdk": _sdk_calls,
    "httpx": _httpx_calls,
    "httpx_async": _httpx_async_calls,
}


def _samples(fake: LoyaltyFake, program: str, code: str) -> dict[str, Response]:
    """The fake's answer to each operation: what the floor answers, byte for byte."""
    member = f"/v1/loyalties/members/{code}"
    return {
        "get_member": fake.request("GET", member),
        "balance": fake.request("POST", f"{member}/balance", json_body={"points": 1}),
        "add_member": fake.request(
            "POST", f"/v1/loyalties/{program}/members", json_body={"customer": "sample-1"}
        ),
        "list_members": fake.request(
            "GET", f"/v1/loyalties/{program}/members", params={"limit": 10}
        ),
    }


def members_program(members: int) -> tuple[LoyaltyFake, str, str]:
    """A fake with a program of ``members`` members: the fake, the program's ID, the first code."""
    fake = LoyaltyFake()
    program = str(fake.create_loyalty_program("bench clients")["id"])
    code = ""
    for number in range(members):
        card = fake.add_member(program, {"source_id": f"member-{number}"})
        code = code or str(card["code"])
    return fake, program, code


def client_sides(
    client: str, members: int
) -> dict[str, tuple[Callable[[], object], tuple[Callable[[], object], ...]]]:
    """For each operation: the call, and the start/stop of the fake and of the floor.

    A program of ``members`` members; the member read and changed is the first.
    """
    fake, program, code = members_program(members)
    samples = _samples(fake, program, code)
    for name, sample in samples.items():
        if sample.status != 200:
            raise RuntimeError(f"benchmark {name} failed: {sample.status} {sample.body!r}")
    calls = _MAKERS[client](program, code, fake.headers)
    sides: dict[str, tuple[Callable[[], object], tuple[Callable[[], object], ...]]] = {}
    for name in OPERATIONS:
        floor_start, floor_stop = _floor(Response(200, samples[name].body, JSON_HEADERS))
        sides[name] = (getattr(calls, name), (fake.start, fake.stop, floor_start, floor_stop))
    return sides
