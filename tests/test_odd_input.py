"""Odd and hostile input gets a clean 4xx or a correct 2xx, never a 500 or a hang."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import httpx
import pytest
import requests
import urllib3

from loyalty_fake.http.app import MAX_BODY_BYTES
from tests.conftest import BASE_URL, RequestsClient, make_program

if TYPE_CHECKING:
    from loyalty_fake import LoyaltyFake


def _post(fake: LoyaltyFake, path: str, body: bytes) -> requests.Response:
    return requests.post(
        BASE_URL + path,
        data=body,
        headers={**fake.headers, "Content-Type": "application/json"},
        timeout=10,
    )


@pytest.mark.parametrize(
    "body",
    [
        b"[" * 5000 + b"]" * 5000,
        json.dumps({"name": "P", "metadata": {"a": {"b": {"c": {"d": {"e": {"f": 1}}}}}}})
        .encode()
        .replace(b"1", b'{"g":' * 40 + b"1" + b"}" * 40),
        b'{"name": "P\\u0000x"}',
        b"\xff\xfe\x00garbage",
        b'{"name": "P", "vouchers_count": 1e309}',
        b'{"name": "P", "vouchers_count": 99999999999999999999999}',
        b'{"name": ' + b'"x' * 100 + b"}",
    ],
    ids=[
        "deep-array",
        "deep-object",
        "nul-in-name",
        "not-utf8",
        "infinity",
        "huge-int",
        "unclosed",
    ],
)
def test_malformed_or_absurd_bodies_are_400(loyalty_fake: LoyaltyFake, body: bytes) -> None:
    """Unparseable, absurdly nested or out-of-range bodies are 400 with Voucherify's envelope."""
    response = _post(loyalty_fake, "/v1/loyalties", body)
    assert response.status_code in (200, 400)
    envelope = response.json()
    if response.status_code == 400:
        assert envelope["key"] == "invalid_payload"
    assert not loyalty_fake.app.internal_errors


def test_ten_thousand_metadata_keys_are_kept(loyalty_fake: LoyaltyFake) -> None:
    """A publication with 10,000 metadata keys is stored whole."""
    http = RequestsClient(loyalty_fake.headers)
    program = make_program(http, vouchers_count=1)
    metadata = {f"key{i}": i for i in range(10_000)}
    reply = http.add_member(program["id"], {"customer": "alice", "metadata": metadata})
    assert reply.status == 200
    assert loyalty_fake.publications()[0]["metadata"] == metadata


@pytest.mark.parametrize(
    "code",
    ["ŻÓŁĆ-ünï-😀", "../../etc/passwd", "a/b%2Fc", "with space & ?query#frag", "x" * 10_000],
    ids=["unicode", "dot-dot", "slashes", "url-characters", "ten-kilobytes"],
)
def test_odd_codes_round_trip(loyalty_fake: LoyaltyFake, code: str) -> None:
    """Codes with unicode, ../, slashes, URL characters or 10 KB are stored and found again."""
    loyalty_fake.create_loyalty_program("P")
    reply = requests.post(
        f"{BASE_URL}/v1/campaigns/P/vouchers/{quote(code, safe='')}",
        json={},
        headers=loyalty_fake.headers,
        timeout=10,
    )
    assert reply.status_code == 200, reply.text[:300]
    assert reply.json()["code"] == code
    member = loyalty_fake.add_member("P", {"source_id": "alice"}, voucher=code)
    assert member["code"] == code
    assert loyalty_fake.get_member(code)["code"] == code
    listed = loyalty_fake.list_members("P", code=code)
    assert [m["code"] for m in listed["vouchers"]] == [code]


@pytest.mark.parametrize(
    "customer",
    [{"source_id": "x" * 5000}, {"source_id": "😀 émoji"}, {"source_id": "a\u0000b"}, "../cust_"],
    ids=["long", "emoji", "nul", "dot-dot"],
)
def test_odd_customer_references_are_served(loyalty_fake: LoyaltyFake, customer: Any) -> None:
    """Odd source_ids are just strings: the member is added and found by them."""
    loyalty_fake.create_loyalty_program("P", vouchers_count=1)
    member = loyalty_fake.add_member("P", customer)
    ref = customer if isinstance(customer, str) else customer["source_id"]
    assert loyalty_fake.customer(ref)["id"] == member["holder_id"]
    assert loyalty_fake.list_members("P", customer=ref)["total"] == 1


def _send_big(client: str, headers: dict[str, str], body: bytes) -> tuple[int, Any]:
    url = f"{BASE_URL}/v1/loyalties"
    if client == "requests":
        response = requests.post(url, data=body, headers=headers, timeout=10)
        return response.status_code, response.json()
    if client == "httpx":
        reply = httpx.post(url, content=body, headers=headers)
        return reply.status_code, reply.json()
    raw = urllib3.PoolManager().request("POST", url, body=body, headers=headers)
    return raw.status, json.loads(raw.data)


@pytest.mark.parametrize("client", ["requests", "httpx", "urllib3"])
def test_body_over_the_cap_is_413_in_process(loyalty_fake: LoyaltyFake, client: str) -> None:
    """In-process too, a body over the documented cap is a Voucherify-shaped 413; nothing stored."""
    name = "P" * (MAX_BODY_BYTES - 10)
    body = json.dumps({"name": name}).encode()
    assert len(body) > MAX_BODY_BYTES
    status, envelope = _send_big(client, loyalty_fake.headers, body)
    assert status == 413
    assert envelope["key"] == "payload_too_large"
    assert set(envelope) >= {"code", "key", "message", "details", "request_id"}
    assert loyalty_fake.ledger.projects() == {}


def test_years_before_1000_keep_four_digits(loyalty_fake: LoyaltyFake) -> None:
    """A start date in the year 404 comes back as a valid date-time, 0404-..., not 404-...."""
    program = loyalty_fake.create_loyalty_program("P", start_date="0404-08-25T13:15:29Z")
    assert program["start_date"] == "0404-08-25T13:15:29.000Z"


@pytest.mark.parametrize("moment", ["0001-01-01T00:00:00+05:00", "9999-12-31T23:59:59-05:00"])
def test_dates_beyond_the_calendar_in_utc_are_400(loyalty_fake: LoyaltyFake, moment: str) -> None:
    """A date-time whose UTC moment falls outside years 1-9999 is a 400, not a 500."""
    response = _post(
        loyalty_fake, "/v1/loyalties", json.dumps({"name": "P", "start_date": moment}).encode()
    )
    assert response.status_code == 400
    assert response.json()["key"] == "invalid_payload"
    assert not loyalty_fake.app.internal_errors
