"""Odd and hostile input gets a clean 4xx or a correct 2xx, never a 500 or a hang."""

from __future__ import annotations

import json
import pickle
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import httpx
import pytest
import requests
import urllib3

from loyalty_fake.http.app import MAX_BODY_BYTES, encode_json
from loyalty_fake.http.messages import Request
from loyalty_fake.ledger.customers import CustomerRef
from loyalty_fake.server.control import ControlPlane
from tests.conftest import BASE_URL, RequestsClient, make_program

if TYPE_CHECKING:
    from loyalty_fake import LoyaltyFake
    from loyalty_fake.server import LiveServer


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


# -- input no JSON reply could carry ------------------------------------------------------------

_STRICT_CONSTANTS = {"NaN", "Infinity", "-Infinity"}


def _strict_json(raw: bytes) -> Any:
    """``raw`` parsed as a strict parser (JSON.parse) would: no NaN, no Infinity, UTF-8."""

    def refuse(name: str) -> Any:
        raise ValueError(name)

    text = raw.decode("utf-8")  # strict: a lone surrogate is not UTF-8
    return json.loads(text, parse_constant=refuse)


@pytest.fixture(params=["in-process", "live"])
def base_url(request: pytest.FixtureRequest) -> str:
    """Where raw requests go: the in-process transport, or the test's fake over a socket."""
    if request.param == "live":
        return str(request.getfixturevalue("loyalty_fake_server").url)
    return BASE_URL


def _state(fake: LoyaltyFake) -> tuple[bytes, Any]:
    """The whole state: records and ID stream as bytes, and the state dump."""
    ledger = fake.ledger
    records = pickle.dumps((ledger.projects(), ledger.ids.state()[0], ledger.clock.frozen_at))
    return records, ControlPlane(fake).dump()


def _member(fake: LoyaltyFake) -> str:
    fake.create_loyalty_program("P", vouchers_count=1, metadata={"tier": "gold"})
    code: str = fake.add_member("P", {"source_id": "alice"})["code"]
    fake.add_points(code, 100)
    return code


# Raw bodies, valid JSON to Python's json.loads or nearly: each must be refused whole.
_REFUSED_BODIES: dict[str, tuple[str, bytes]] = {
    "lone high surrogate in a value": ("/v1/loyalties", b'{"name": "Cut \\ud83d"}'),
    "lone low surrogate in a value": ("/v1/loyalties", b'{"name": "Cut \\ude00 here"}'),
    "pair in the wrong order": ("/v1/loyalties", b'{"name": "\\ude00\\ud83d"}'),
    "lone surrogate in a key": ("/v1/loyalties", b'{"name": "P", "metadata": {"k\\ud800": 1}}'),
    "lone surrogate deep inside": (
        "/v1/loyalties",
        b'{"name": "P", "metadata": {"a": [{"b": ["ok", "x\\udbff"]}]}}',
    ),
    "lone surrogate encoded in UTF-8": ("/v1/loyalties", b'{"name": "P\xed\xa0\x80"}'),
    "lone surrogate in UTF-16": (
        "/v1/loyalties",
        '{"name": "P\ud800"}'.encode("utf-16-le", "surrogatepass"),
    ),
    "NaN": ("/v1/loyalties", b'{"name": "P", "metadata": {"x": NaN}}'),
    "Infinity": ("/v1/loyalties", b'{"name": "P", "metadata": {"x": Infinity}}'),
    "-Infinity": ("/v1/loyalties", b'{"name": "P", "metadata": {"x": -Infinity}}'),
    "1e400": ("/v1/loyalties", b'{"name": "P", "metadata": {"x": 1e400}}'),
    "-1e400": ("/v1/loyalties", b'{"name": "P", "metadata": [-1e400]}'),
    "5000 digits": ("/v1/loyalties", b'{"name": "P", "metadata": {"x": 1' + b"0" * 5000 + b"}}"),
    "points of 2^63": ("balance", b'{"points": 9223372036854775808}'),
    "points of 2^53": ("balance", b'{"points": 9007199254740992}'),
    "points of -2^53": ("balance", b'{"points": -9007199254740992}'),
    "points of 1e20": ("balance", b'{"points": 1e20}'),
    "a surrogate in a redemption's metadata": (
        "redemption",
        b'{"reward": {"id": "rew_x"}, "metadata": {"note": "\\udfff"}}',
    ),
}


@pytest.mark.loyalty_fake(now="2024-01-01T00:00:00Z")
@pytest.mark.parametrize("case", list(_REFUSED_BODIES))
def test_bodies_no_reply_could_carry_are_refused_whole(
    loyalty_fake: LoyaltyFake, base_url: str, case: str
) -> None:
    """Lone surrogates, NaN, infinities, numbers beyond range: 400, and nothing changes."""
    code = _member(loyalty_fake)
    target, body = _REFUSED_BODIES[case]
    path = {
        "balance": f"/v1/loyalties/members/{code}/balance",
        "redemption": f"/v1/loyalties/members/{code}/redemption",
    }.get(target, target)
    before = _state(loyalty_fake)
    reply = requests.post(
        base_url + path,
        data=body,
        headers={**loyalty_fake.headers, "Content-Type": "application/json"},
        timeout=10,
    )
    assert reply.status_code == 400, reply.text
    envelope = _strict_json(reply.content)
    assert envelope["code"] == 400
    assert envelope["key"] == "invalid_payload"
    assert envelope["message"] == "Invalid payload"
    assert envelope["details"]
    assert envelope["request_id"].startswith("v-")
    assert _state(loyalty_fake) == before
    assert not loyalty_fake.app.internal_errors


# Bodies that are JSON, if odd: stored, and shown back as JSON any strict parser reads.
_ACCEPTED_BODIES: dict[str, tuple[bytes, Any]] = {
    "an emoji as an escaped pair": (b'{"name": "Cafe \\ud83d\\ude00"}', "Cafe \U0001f600"),
    "negative zero": (b'{"name": "P", "metadata": {"x": -0.0}}', -0.0),
    "2^70 in metadata": (b'{"name": "P", "metadata": {"x": 1180591620717411303424}}', 2**70),
    "1e308": (b'{"name": "P", "metadata": {"x": 1e308}}', 1e308),
    "a repeated key (the last wins)": (b'{"name": "first", "name": "P"}', "P"),
    "a byte order mark": (b'\xef\xbb\xbf{"name": "P"}', "P"),
    "UTF-16 with a byte order mark": ('{"name": "P\U0001f600"}'.encode("utf-16"), "P\U0001f600"),
    "NUL and control characters": (b'{"name": "P\\u0000\\u001f\\u2028"}', "P\x00\x1f\u2028"),
}


@pytest.mark.parametrize("case", list(_ACCEPTED_BODIES))
def test_odd_json_is_stored_and_shown_as_strict_json(
    loyalty_fake: LoyaltyFake, base_url: str, case: str
) -> None:
    """Escaped pairs, -0.0, large numbers, repeated keys, BOMs, UTF-16: stored as sent."""
    body, expected = _ACCEPTED_BODIES[case]
    reply = requests.post(
        base_url + "/v1/loyalties",
        data=body,
        headers={**loyalty_fake.headers, "Content-Type": "application/json"},
        timeout=10,
    )
    assert reply.status_code == 200, reply.text
    program = _strict_json(reply.content)
    shown = program["name"] if isinstance(expected, str) else program["metadata"]["x"]
    assert shown == expected
    assert str(shown) == str(expected)  # -0.0 stays -0.0
    listed = requests.get(base_url + "/v1/loyalties", headers=loyalty_fake.headers, timeout=10)
    assert _strict_json(listed.content)["campaigns"] == [program]
    assert not loyalty_fake.app.internal_errors


@pytest.mark.loyalty_fake(now="2024-01-01T00:00:00Z")
@pytest.mark.parametrize(
    ("url", "key"),
    [
        ("/v1/loyalties/P/members?customer=%ED%A0%80", "invalid_query_params"),
        ("/v1/loyalties/P/members?customer=%FF", "invalid_query_params"),
        ("/v1/loyalties/P/members?%FF=1", "invalid_query_params"),
        ("/v1/loyalties/%ED%B0%80/members", "invalid_request"),
        ("/v1/loyalties/members/%C3", "invalid_request"),
    ],
)
def test_urls_that_are_not_utf8_are_400(
    loyalty_fake: LoyaltyFake, base_url: str, url: str, key: str
) -> None:
    """Percent-encoded bytes that are not UTF-8 (a lone surrogate's among them) are 400."""
    _member(loyalty_fake)
    before = _state(loyalty_fake)
    reply = requests.post(
        base_url + url, json={"customer": "bob"}, headers=loyalty_fake.headers, timeout=10
    )
    assert reply.status_code == 400, reply.text
    assert _strict_json(reply.content)["key"] == key
    assert _state(loyalty_fake) == before


@pytest.mark.loyalty_fake(now="2024-01-01T00:00:00Z")
@pytest.mark.parametrize(
    ("path", "headers", "key"),
    [
        ("/v1/loyalties/P\ud800/members", {}, "invalid_request"),
        ("/v1/loyalties/P/members?customer=a\udc80", {}, "invalid_query_params"),
        ("/v1/loyalties/P/members", {"X-App-Id": "app\ud800"}, "invalid_request"),
        ("/v1/loyalties/P/members", {"X-Request-Note": "\udfff"}, "invalid_request"),
    ],
)
def test_lone_surrogates_in_the_request_line_or_headers_are_400(
    loyalty_fake: LoyaltyFake, path: str, headers: dict[str, str], key: str
) -> None:
    """In-process, a path, query or header is a Python string: one with a lone surrogate is 400."""
    _member(loyalty_fake)
    before = _state(loyalty_fake)
    request = Request.from_url("POST", path, {**loyalty_fake.headers, **headers}, b"{}")
    reply = loyalty_fake.app.handle(request)
    assert reply.status == 400
    assert _strict_json(reply.body)["key"] == key
    assert _state(loyalty_fake) == before


@pytest.mark.loyalty_fake(now="2024-01-01T00:00:00Z")
def test_a_bug_that_makes_a_nan_answers_null_never_invalid_json(
    loyalty_fake: LoyaltyFake, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The fake never writes NaN: a reply that would hold one holds null (docs/choices.md)."""
    code = _member(loyalty_fake)
    monkeypatch.setattr(
        "loyalty_fake.http.points.balance_json",
        lambda *_: {"points": float("nan"), "balance": float("-inf")},
    )
    reply = requests.post(
        f"{BASE_URL}/v1/loyalties/members/{code}/balance",
        json={"points": 5},
        headers=loyalty_fake.headers,
        timeout=10,
    )
    assert reply.status_code == 200
    assert _strict_json(reply.content) == {"points": None, "balance": None}
    assert not loyalty_fake.app.internal_errors


def test_encode_json_refuses_what_strict_parsers_refuse() -> None:
    """encode_json writes NaN and infinities as null and raises for a lone surrogate."""
    for value in (float("nan"), float("inf"), -float("inf")):
        assert encode_json({"x": value}) == b'{"x":null}'
    with pytest.raises(UnicodeEncodeError):
        encode_json({"x": "\ud800"})
    assert encode_json({"x": -0.0, "y": "\U0001f600"}) == '{"x":-0.0,"y":"\U0001f600"}'.encode()


def test_encode_json_writes_what_the_standard_library_writes() -> None:
    """The bytes are json.dumps's compact UTF-8 bytes; what orjson refuses still encodes."""
    body = {"a": [1, -2, 0.5, 1.25e-3, None, True, False], "é": 'ü\u2028"\\/\n', "n": {}}
    compact = json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode()
    assert encode_json(body) == compact
    assert encode_json({"big": 2**70, 1: "one"}) == b'{"big":1180591620717411303424,"1":"one"}'
    # Numbers below 1e-4 as JavaScript's JSON.stringify writes them, not as Python's repr.
    assert encode_json([1e-5, 1e-7]) == b"[0.00001,1e-7]"


@pytest.mark.loyalty_fake(control_plane=True, now="2024-01-01T00:00:00Z")
def test_state_and_dashboard_show_what_the_api_could_not(
    loyalty_fake: LoyaltyFake, loyalty_fake_server: LiveServer
) -> None:
    """The state and the dashboard answer 200 whatever is stored.

    Text with a lone surrogate or a NaN can be put in through the ledger's Python API,
    though the HTTP API refuses it: they are shown as U+FFFD and null.
    """
    with loyalty_fake.ledger.session(loyalty_fake.app_id) as session:
        program = session.campaigns.create(
            name="P\ud800", metadata={"x": float("nan")}, vouchers_count=1
        )
        [card] = session.cards.of_campaign(program.id)
        session.members.add(
            program.id,
            customer=CustomerRef(source_id="s\udc00", profile={"name": "n\ud800"}),
            voucher=card.code,
        )
    state = requests.get(f"{loyalty_fake_server.url}/_fake/state", timeout=10)
    assert state.status_code == 200
    [shown] = _strict_json(state.content)["projects"][loyalty_fake.app_id]["programs"]
    assert shown["name"] == "P\ufffd"
    assert shown["metadata"] == {"x": None}
    dashboard = requests.get(f"{loyalty_fake_server.url}/_fake/", timeout=10)
    assert dashboard.status_code == 200
    assert "P\ufffd" in dashboard.content.decode("utf-8")
    assert not loyalty_fake.app.internal_errors
