"""A golden transcript: a fixed script over every route and error key gives the same bytes.

The script runs on seeded data through the live server (so every layer is in it: WSGI,
the control plane, the HTTP app, the ledger) and records, for each step, the request, the
status and a digest of the response body; the final ``/_fake/state`` dump ends it. The
result is compared with ``tests/golden/transcript.txt``. A restructuring of the code must
leave it unchanged. When a change *means* to alter what the fake answers, regenerate it
with ``LOYALTY_FAKE_GOLDEN=write pytest tests/test_golden.py`` and say why in the commit;
``LOYALTY_FAKE_GOLDEN_BODIES=FILE`` writes every step's whole response body to FILE.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
import requests

if TYPE_CHECKING:
    from loyalty_fake import LoyaltyFake
    from loyalty_fake.server import LiveServer

EXPECTED = Path(__file__).parent / "golden" / "transcript.txt"
pytestmark = pytest.mark.loyalty_fake(
    seed=42, now="2024-06-01T12:00:00Z", programs=2, members=200, control_plane=True
)


class Script:
    """Sends steps to the server and keeps one line per step."""

    def __init__(self, server: LiveServer, fake: LoyaltyFake) -> None:
        """Send to ``server`` as ``fake``'s default project."""
        self.url = server.url
        self.headers = dict(fake.headers)
        self.lines: list[str] = []
        self.bodies: list[bytes] = []
        self.session = requests.Session()

    def __call__(  # noqa: PLR0913 - a request has this many parts
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        params: dict[str, Any] | None = None,
        raw: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> Any:
        sent = dict(self.headers if headers is None else headers)
        data = raw
        if body is not None:
            data = json.dumps(body).encode()
            sent["Content-Type"] = "application/json"
        response = self.session.request(
            method, self.url + path, params=params, data=data, headers=sent, timeout=30
        )
        content = response.content.replace(self.url.encode(), b"http://server")  # port varies
        digest = hashlib.sha256(content).hexdigest()[:20]
        request = f"{method} {path}"
        if params:
            request += "?" + "&".join(f"{k}={v}" for k, v in params.items())
        if data:
            request += " " + hashlib.sha256(data).hexdigest()[:12]
        self.lines.append(f"{request} -> {response.status_code} {digest}")
        self.bodies.append(content)
        try:
            return response.json()
        except ValueError:
            return None


def _run(call: Script) -> None:  # noqa: PLR0915 - one long script, read top to bottom
    no_auth: dict[str, str] = {}
    wrong = {**call.headers, "X-App-Token": "wrong"}
    # -- auth, paths, methods, bodies
    call("GET", "/v1/loyalties", headers=no_auth)
    call("GET", "/v1/loyalties", headers=wrong)
    call("GET", "/v1/rewardz")
    call("GET", "/v1/definitely/not/here")
    call("GET", "/")
    call("GET", "/v1//loyalties")
    call("PATCH", "/v1/loyalties")
    call("GET", "/v1/locations")
    call(
        "POST",
        "/v1/loyalties",
        raw=b"{not json",
        headers={**call.headers, "Content-Type": "application/json"},
    )
    call(
        "POST",
        "/v1/loyalties",
        raw=b"[1, 2]",
        headers={**call.headers, "Content-Type": "application/json"},
    )
    call("POST", "/v1/loyalties", {"name": "x" * 10, "vouchers_count": "many"})
    call(
        "POST",
        "/v1/loyalties",
        raw=b"x" * 3_000_000,
        headers={**call.headers, "Content-Type": "application/json"},
    )
    # -- programs
    programs = call("GET", "/v1/loyalties")
    call("GET", "/v1/loyalties", params={"limit": 1, "page": 2})
    call("GET", "/v1/loyalties", params={"limit": 0})
    call("GET", "/v1/loyalties", params={"limit": 101})
    call("GET", "/v1/loyalties", params={"page": 101})
    call("GET", "/v1/loyalties", params={"order": "-created_at"})
    call("GET", "/v1/loyalties", params={"order": "sideways"})
    first = programs["campaigns"][0]
    pid, pname = first["id"], first["name"]
    call("GET", f"/v1/loyalties/{pid}")
    call("GET", f"/v1/loyalties/{pname}")
    call("GET", "/v1/loyalties/camp_missing")
    created = call(
        "POST",
        "/v1/loyalties",
        {
            "name": "Golden",
            "vouchers_count": 5,
            "type": "AUTO_UPDATE",
            "voucher": {
                "type": "LOYALTY_CARD",
                "loyalty_card": {"points": 0},
                "code_config": {"length": 8, "charset": "ABCDEFGH", "prefix": "G-"},
            },
            "metadata": {"tier": "gold"},
        },
    )
    gid = created["id"]
    call("POST", "/v1/loyalties", {"name": "Golden", "vouchers_count": 1})
    call("POST", "/v1/loyalties", {"name": "Huge", "vouchers_count": 10**9})
    call("POST", "/v1/loyalties", {"vouchers_count": 1})
    call(
        "POST",
        "/v1/loyalties",
        {
            "name": "Static",
            "vouchers_count": 2,
            "type": "STATIC",
            "voucher": {"code_config": {"pattern": "ST-##"}},
            "loyalty_tiers_expiration": None,
        },
    )
    call(
        "POST",
        "/v1/loyalties",
        {
            "name": "Expiring",
            "vouchers_count": 3,
            "voucher": {
                "loyalty_card": {
                    "points": 0,
                    "expiration_rules": {
                        "period_type": "MONTH",
                        "period_value": 1,
                        "rounding_type": "END_OF_MONTH",
                        "rounding_value": 0,
                    },
                }
            },
        },
    )
    call(
        "POST",
        "/v1/loyalties",
        {
            "name": "TooSmall",
            "vouchers_count": 500,
            "voucher": {"code_config": {"length": 1, "charset": "AB"}},
        },
    )
    call(
        "PUT",
        f"/v1/loyalties/{gid}",
        {"description": "golden program", "metadata": {"tier": "silver"}},
    )
    call("PUT", f"/v1/loyalties/{gid}", {"type": "STATIC"})
    call("PUT", "/v1/loyalties/camp_missing", {"description": "x"})
    call("POST", f"/v1/campaigns/{gid}/vouchers", params={"vouchers_count": 3})
    call("POST", f"/v1/campaigns/{gid}/vouchers", params={"vouchers_count": 0})
    call("POST", f"/v1/campaigns/{gid}/vouchers/G-OWNCODE", {})
    call("POST", f"/v1/campaigns/{gid}/vouchers/G-OWNCODE", {})
    call("POST", "/v1/campaigns/Static/vouchers", params={"vouchers_count": 1})
    # -- members
    call("POST", f"/v1/loyalties/{gid}/members", {"customer": "alice"})
    alice = call(
        "POST",
        f"/v1/loyalties/{gid}/members",
        {
            "customer": {
                "source_id": "alice2",
                "name": "Alice",
                "email": "a@example.com",
                "metadata": {"x": 1},
            }
        },
    )
    code = alice["code"]
    call("POST", f"/v1/loyalties/{gid}/members", {"customer": {"source_id": "alice2"}})
    call("POST", f"/v1/loyalties/{gid}/members", {"customer": {"id": "cust_nobody"}})
    call(
        "POST",
        f"/v1/loyalties/{gid}/members",
        {"customer": "bob", "voucher": "G-OWNCODE", "metadata": {"k": "v"}, "channel": "web"},
    )
    call("POST", f"/v1/loyalties/{gid}/members", {"customer": "carol", "voucher": "G-OWNCODE"})
    call("POST", f"/v1/loyalties/{gid}/members", {"customer": "carol", "voucher": "NOPE"})
    call("POST", f"/v1/loyalties/{gid}/members", {})
    call("POST", f"/v1/loyalties/{gid}/members", {"customer": 5})
    call("POST", "/v1/loyalties/Static/members", {"customer": "s1"})
    call("POST", "/v1/loyalties/Static/members", {"customer": "s2"})
    call("POST", "/v1/loyalties/Static/members", {"customer": "s3"})
    for index in range(6):
        call(
            "POST",
            f"/v1/loyalties/{gid}/members",
            {"customer": f"many{index}", "source_id": f"pub{index}"},
        )
    call("POST", f"/v1/loyalties/{gid}/members", {"customer": "other", "source_id": "pub0"})
    unpublished = call("POST", f"/v1/campaigns/{gid}/vouchers", params={"vouchers_count": 1})
    spare = (
        unpublished["code"] if isinstance(unpublished, dict) and "code" in unpublished else "NOPE"
    )
    call("POST", f"/v1/loyalties/members/{spare}/balance", {"points": 10})
    call("GET", f"/v1/loyalties/{gid}/members")
    call("GET", f"/v1/loyalties/{pid}/members")
    call(
        "GET",
        f"/v1/loyalties/{pid}/members",
        params={"limit": 5, "page": 3, "order": "-created_at"},
    )
    call("GET", f"/v1/loyalties/{pid}/members", params={"order": "code"})
    call("GET", f"/v1/loyalties/{pid}/members", params={"customer": "alice"})
    call("GET", f"/v1/loyalties/{pid}/members", params={"limit": 1000})
    call(
        "GET", f"/v1/loyalties/{pid}/members", params={"created_at[after]": "2024-03-01T00:00:00Z"}
    )
    call("GET", f"/v1/loyalties/{pid}/members", params={"created_at[after]": "yesterday"})
    call(
        "GET",
        f"/v1/loyalties/{pid}/members",
        params={"filters[code][conditions][$starts_with]": "A"},
    )
    call("GET", f"/v1/loyalties/{pid}/members", params={"filters[nope][conditions][$is]": "A"})
    members = call("GET", f"/v1/loyalties/{pid}/members", params={"limit": 3})
    seeded = [member["code"] for member in members["vouchers"]]
    call("GET", f"/v1/loyalties/{gid}/members/{code}")
    call("GET", f"/v1/loyalties/members/{code}")
    call("GET", f"/v1/loyalties/{pid}/members/{code}")
    call("GET", "/v1/loyalties/members/NOPE")
    call("GET", f"/v1/loyalties/members/{seeded[0]}")
    # -- points
    call(
        "POST", f"/v1/loyalties/{gid}/members/{code}/balance", {"points": 500, "reason": "welcome"}
    )
    call("POST", f"/v1/loyalties/members/{code}/balance", {"points": -120, "source_id": "bal1"})
    call(
        "POST",
        f"/v1/loyalties/members/{code}/balance",
        {"points": 50, "expiration_type": "CUSTOM_DATE", "expiration_date": "2024-06-20"},
    )
    call(
        "POST",
        f"/v1/loyalties/members/{code}/balance",
        {"points": 50, "expiration_type": "CUSTOM_DATE", "expiration_date": "2020-01-01"},
    )
    call(
        "POST",
        f"/v1/loyalties/members/{code}/balance",
        {"points": 50, "expiration_type": "CUSTOM_DATE", "expiration_date": "someday"},
    )
    call("POST", f"/v1/loyalties/members/{code}/balance", {"points": -100000})
    call("POST", f"/v1/loyalties/members/{code}/balance", {"points": 0})
    call("POST", f"/v1/loyalties/members/{code}/balance", {"points": "ten"})
    call("POST", f"/v1/loyalties/members/{code}/balance", {"points": 2**60})
    call("POST", "/v1/loyalties/members/NOPE/balance", {"points": 1})
    call("POST", f"/v1/loyalties/members/{seeded[1]}/balance", {"points": 75})
    for path in (f"/v1/loyalties/{gid}/members/{code}", f"/v1/loyalties/members/{seeded[0]}"):
        call("GET", f"{path}/transactions")
        call("GET", f"{path}/transactions", params={"limit": 2, "page": 2})
        call("GET", f"{path}/transactions", params={"limit": 2, "starting_after_id": "lt_nope"})
        call("GET", f"{path}/activity")
        call("GET", f"{path}/activity", params={"limit": 3, "order": "created_at"})
        call("GET", f"{path}/activity", params={"starting_after_id": "evcus_nope"})
    call(
        "GET",
        f"/v1/loyalties/members/{seeded[2]}/transactions",
        params={"filters[type][conditions][$is]": "POINTS_ADDITION"},
    )
    call("GET", f"/v1/loyalties/{gid}/members/{code}/points-expiration")
    call(
        "GET",
        f"/v1/loyalties/{pid}/members/{seeded[0]}/points-expiration",
        params={"limit": 2, "page": 1},
    )
    call("GET", "/v1/loyalties/members/NOPE/transactions")
    # -- customers, vouchers, publications
    call("GET", "/v1/customers/alice")
    call("GET", "/v1/customers/alice2")
    call("GET", "/v1/customers/cust_missing")
    call("GET", f"/v1/vouchers/{code}")
    call("GET", f"/v1/vouchers/{seeded[0]}")
    call("GET", "/v1/vouchers/NOPE")
    call("GET", f"/v1/vouchers/{code}/publications")
    call("GET", f"/v1/vouchers/{code}/redemption")
    call("GET", f"/v1/vouchers/{seeded[0]}/redemptions")
    call(
        "POST",
        "/v1/publications",
        {"campaign": {"name": "Golden"}, "customer": "dave", "channel": "myown"},
    )
    call(
        "POST",
        "/v1/publications",
        {"campaign": {"name": "Golden"}, "customer": {"source_id": "erin"}, "source_id": "pubx"},
    )
    call(
        "POST",
        "/v1/publications",
        {"campaign": {"name": "Golden"}, "customer": {"source_id": "erin"}, "source_id": "pubx"},
    )
    call("POST", "/v1/publications", {"campaign": {"name": "Nope"}, "customer": "dave"})
    call("POST", "/v1/publications", {"customer": "dave"})
    call(
        "POST",
        "/v1/publications",
        {"campaign": {"name": "Golden"}, "voucher": "NOPE", "customer": "dave"},
    )
    call(
        "POST",
        "/v1/publications",
        params={"join_once": "true"},
        body={"campaign": {"name": "Golden"}, "customer": "dave"},
    )
    call("GET", "/v1/publications")
    call("GET", "/v1/publications", params={"limit": 5, "page": 2, "order": "-voucher_code"})
    call("GET", "/v1/publications", params={"campaign": "Golden", "customer": "dave"})
    call("GET", "/v1/publications", params={"filters[failure_code][conditions][$is]": "x"})
    call(
        "GET",
        "/v1/publications",
        params={"filters[voucher_type][conditions][$in][0]": "LOYALTY_CARD"},
    )
    call("GET", "/v1/publications", params={"order": "nope"})
    call("GET", "/v1/publications", params={"page": 1001})
    call(
        "POST", "/v1/publications", {"campaign": {"name": "Golden", "count": 2}, "customer": "dave"}
    )
    call("POST", "/v1/publications", {"voucher": spare, "customer": "frank"})
    call("GET", "/v1/vouchers/%ED%A0%80")
    # -- rewards and assignments
    rewards = call("GET", "/v1/rewards")
    call("GET", "/v1/rewards", params={"limit": 1, "page": 2})
    call("GET", "/v1/rewards", params={"assignment_id": "rewa_nope"})
    material = rewards["data"][0]["id"]
    coin = call(
        "POST",
        "/v1/rewards",
        {
            "name": "Coins",
            "type": "COIN",
            "parameters": {"coin": {"exchange_ratio": 0.5, "points_ratio": 10}},
        },
    )
    gift = call(
        "POST",
        "/v1/rewards",
        {
            "name": "Mug",
            "type": "MATERIAL",
            "parameters": {"product": {"id": "prod_mug"}},
            "stock": 1,
            "metadata": {"m": 1},
        },
    )
    call("POST", "/v1/rewards", {"name": "Bad", "type": "CAMPAIGN", "parameters": {}})
    call("POST", "/v1/rewards", {"type": "MATERIAL"})
    call("GET", f"/v1/rewards/{gift['id']}")
    call("GET", "/v1/rewards/rew_missing")
    call("PUT", f"/v1/rewards/{gift['id']}", {"name": "Big mug", "stock": 3})
    call("PUT", f"/v1/rewards/{gift['id']}", {"type": "COIN"})
    call("PUT", "/v1/rewards/rew_missing", {"name": "x"})
    assignments = f"/v1/loyalties/{gid}/rewards"
    assigned = call(
        "POST", assignments, {"reward": gift["id"], "parameters": {"loyalty": {"points": 100}}}
    )
    call("POST", assignments, [{"reward": coin["id"]}])
    call("POST", assignments, {"reward": gift["id"], "parameters": {"loyalty": {"points": 100}}})
    call("POST", assignments, {"reward": material})
    call("POST", assignments, {"reward": "rew_missing", "parameters": {"loyalty": {"points": 1}}})
    call("GET", assignments)
    call("GET", assignments, params={"limit": 1, "page": 2})
    assignment = assigned[0]["id"] if isinstance(assigned, list) else assigned["id"]
    call("GET", f"{assignments}/{assignment}")
    call("GET", f"{assignments}/rewa_missing")
    call("GET", f"/v1/loyalties/{pid}/rewards/{assignment}")
    call("PUT", f"{assignments}/{assignment}", {"parameters": {"loyalty": {"points": 150}}})
    call("PUT", f"{assignments}/{assignment}", {"parameters": {"loyalty": {"points": -1}}})
    call("GET", f"/v1/loyalties/{gid}/reward-assignments")
    call("GET", f"/v1/loyalties/{gid}/reward-assignments/{assignment}")
    call("GET", f"/v1/loyalties/members/{code}/rewards")
    call("GET", f"/v1/loyalties/members/{code}/rewards", params={"affordable_only": "true"})
    call("GET", f"/v1/loyalties/members/{code}/rewards", params={"affordable_only": "maybe"})
    call("DELETE", f"/v1/rewards/{gift['id']}")
    # -- redemptions and rollbacks
    redeem = f"/v1/loyalties/{gid}/members/{code}/redemption"
    done = call(
        "POST",
        redeem,
        {"reward": {"id": gift["id"]}, "order": {"amount": 1000}, "metadata": {"r": 1}},
    )
    call("POST", redeem, {"reward": {"id": gift["id"]}})
    call("POST", redeem, {"reward": {"id": coin["id"]}, "order": {"amount": 250}})
    call("POST", redeem, {"reward": {"id": coin["id"], "points": 501}, "order": {"amount": 250}})
    call(
        "POST",
        redeem,
        {
            "reward": {"id": coin["id"], "points": 20},
            "order": {"amount": 250, "items": [{"product_id": "p1", "quantity": 1, "price": 250}]},
        },
    )
    call("POST", redeem, {"reward": {"id": coin["id"]}})
    call("POST", redeem, {"reward": {"id": coin["id"]}, "order": {"amount": 0}})
    call("POST", redeem, {"reward": {"id": "rew_missing"}})
    call("POST", redeem, {})
    call("POST", f"/v1/loyalties/members/{seeded[0]}/redemption", {"reward": {"id": gift["id"]}})
    call("POST", f"/v1/loyalties/members/{code}/redemption", {"reward": {"id": material}})
    call("POST", "/v1/loyalties/members/NOPE/redemption", {"reward": {"id": gift["id"]}})
    redemption = done.get("id", "r_missing") if isinstance(done, dict) else "r_missing"
    call("GET", f"/v1/redemptions/{redemption}")
    call("GET", "/v1/redemptions/r_missing")
    call("POST", f"/v1/redemptions/{redemption}/rollback", {"customer": "mallory"})
    call("POST", f"/v1/redemptions/{redemption}/rollback", {"order": {"id": "ord_other"}})
    call(
        "POST",
        f"/v1/redemptions/{redemption}/rollback",
        {"reason": "returned"},
        params={"reason": "q"},
    )
    call("POST", f"/v1/redemptions/{redemption}/rollback", {})
    call("POST", "/v1/redemptions/r_missing/rollback", {})
    call("GET", f"/v1/redemptions/{redemption}")
    call("GET", f"/v1/vouchers/{code}/redemption")
    call("GET", f"/v1/loyalties/members/{code}/activity", params={"limit": 50})
    call("GET", f"/v1/loyalties/members/{code}/transactions", params={"limit": 50})
    # -- time passes: buckets expire
    call("POST", "/_fake/clock", {"advance": {"days": 40}})
    call("GET", f"/v1/loyalties/members/{code}")
    call("GET", f"/v1/loyalties/members/{code}/transactions")
    call("GET", f"/v1/loyalties/members/{seeded[0]}/points-expiration")
    call("POST", "/_fake/clock", {"advance": {"days": 200}})
    call("GET", f"/v1/loyalties/{pid}/members", params={"limit": 5})
    call("GET", "/_fake/clock")
    call("POST", "/_fake/clock", {"advance": {"days": "x"}})
    # -- deletions: the bin, in use, for good
    call("DELETE", f"{assignments}/{assignment}")
    call("DELETE", f"{assignments}/{assignment}")
    call("DELETE", f"/v1/rewards/{gift['id']}")
    call("DELETE", f"/v1/rewards/{material}")
    call("DELETE", "/v1/loyalties/Expiring")
    call("GET", "/v1/loyalties/Expiring")
    call("DELETE", "/v1/loyalties/Static", params={"force": "true"})
    call("POST", "/v1/loyalties", {"name": "Static", "vouchers_count": 1})
    call("DELETE", "/v1/loyalties/camp_missing")
    call("DELETE", f"/v1/loyalties/{gid}", params={"force": "maybe"})
    call("GET", "/v1/loyalties", params={"limit": 100})
    call("GET", "/_fake/openapi.json")
    call("GET", "/_fake/nothing")


def test_golden_transcript(loyalty_fake_server: LiveServer, loyalty_fake: LoyaltyFake) -> None:
    """The fixed script answers the same statuses and bytes, and leaves the same state."""
    call = Script(loyalty_fake_server, loyalty_fake)
    _run(call)
    state = requests.get(f"{loyalty_fake_server.url}/_fake/state", timeout=30)
    call.lines.append(
        f"state -> {state.status_code} {hashlib.sha256(state.content).hexdigest()[:20]}"
    )
    actual = "\n".join(call.lines) + "\n"
    if os.environ.get("LOYALTY_FAKE_GOLDEN") == "write":
        EXPECTED.parent.mkdir(exist_ok=True)
        EXPECTED.write_text(actual)
    bodies_file = os.environ.get("LOYALTY_FAKE_GOLDEN_BODIES")
    if bodies_file:  # every step and its whole body, to read what a changed step answered
        with Path(bodies_file).open("w") as out:
            out.writelines(
                f"{line}\n{body.decode(errors='replace')}\n\n"
                for line, body in zip(call.lines, call.bodies, strict=False)
            )
    expected = EXPECTED.read_text().splitlines()
    for index, (want, got) in enumerate(zip(expected, call.lines, strict=False)):
        body = call.bodies[index][:2000] if index < len(call.bodies) else state.content[:2000]
        assert got == want, f"step {index + 1} changed:\n  was {want}\n  now {got}\n  body {body!r}"
    assert len(call.lines) == len(expected)
