"""The differential proxy against a stand-in upstream changed in three known ways.

The stand-in is a second fake: another seed (so every ID and code differs), discounts
rounded down, the new program's ``vouchers_count`` renamed ``cards_count``, and a new
customer answered 201. The report must name exactly those differences.
"""

from __future__ import annotations

import json
import signal
from http import HTTPStatus
from typing import TYPE_CHECKING, Any

import attrs
import pytest
import requests

from loyalty_fake import LoyaltyFake
from loyalty_fake.cli import main
from loyalty_fake.server import LiveServer, ServerApp
from loyalty_fake.server.proxy import DifferentialApp, HttpUpstream
from tests.test_server import Server

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from loyalty_fake.http.messages import Request, Response

UPSTREAM_KEYS = {"X-App-Id": "real-project", "X-App-Token": "real-secret-token-1234"}


@attrs.define
class StandIn(ServerApp):
    """A fake that differs from ours in a renamed field and a status."""

    def handle(self, request: Request) -> Response:
        response = super().handle(request)
        if request.method == "POST" and request.path == "/v1/loyalties":
            body = response.json()
            body["cards_count"] = body.pop("vouchers_count")
            return attrs.evolve(response, body=json.dumps(body).encode())
        if request.method == "POST" and request.path == "/v1/customers":
            return attrs.evolve(response, status=HTTPStatus.CREATED)
        return response


@pytest.fixture
def upstream() -> Iterator[LiveServer]:
    """The stand-in Voucherify, at a URL, accepting only its own keys."""
    real = LoyaltyFake(
        seed=7,
        discount_rounding="down",
        credentials={UPSTREAM_KEYS["X-App-Id"]: UPSTREAM_KEYS["X-App-Token"]},
    )
    server = LiveServer(StandIn(real)).start()
    try:
        yield server
    finally:
        server.stop()


@attrs.frozen
class Proxied:
    """Our fake behind the proxy: its URL, the fake, the report and the recording."""

    url: str
    fake: LoyaltyFake
    report: Path
    record: Path

    def call(self, method: str, path: str, body: Any = None) -> requests.Response:
        return requests.request(
            method, self.url + path, json=body, headers=UPSTREAM_KEYS, timeout=30
        )

    def lines(self) -> list[dict[str, Any]]:
        return [json.loads(line) for line in self.report.read_text().splitlines()]


@pytest.fixture
def proxy(upstream: LiveServer, tmp_path: Path) -> Iterator[Proxied]:
    """Our fake behind the differential proxy, in front of the stand-in."""
    fake = LoyaltyFake(seed=42)
    app = DifferentialApp(
        fake,
        upstream=HttpUpstream(upstream.url),
        report=tmp_path / "report.jsonl",
        record=tmp_path / "record.jsonl",
        fake_headers=fake.headers,
    )
    server = LiveServer(app).start()
    try:
        yield Proxied(server.url, fake, tmp_path / "report.jsonl", tmp_path / "record.jsonl")
    finally:
        server.stop()


def _scenario(proxy: Proxied) -> None:
    """Create a program, read it, add a member, a customer, a discount and validate it."""
    program = proxy.call(
        "POST",
        "/v1/loyalties",
        {"name": "Club", "type": "AUTO_UPDATE", "voucher": {"loyalty_card": {"points": 0}}},
    ).json()
    assert "cards_count" in program  # the client gets the upstream's answer
    assert proxy.call("GET", f"/v1/loyalties/{program['id']}").status_code == 200
    member = proxy.call(
        "POST", f"/v1/loyalties/{program['id']}/members", {"customer": {"source_id": "ann"}}
    )
    assert member.status_code == 200, member.text
    code = member.json()["code"]
    assert proxy.call("GET", f"/v1/loyalties/members/{code}").status_code == 200
    assert proxy.call("POST", "/v1/customers", {"source_id": "bob"}).status_code == 201
    voucher = proxy.call(
        "POST",
        "/v1/vouchers",
        {"type": "DISCOUNT_VOUCHER", "discount": {"type": "PERCENT", "percent_off": 12.5}},
    ).json()
    validation = proxy.call(
        "POST",
        "/v1/validations",
        {"redeemables": [{"object": "voucher", "id": voucher["code"]}], "order": {"amount": 1012}},
    )
    assert validation.status_code == 200, validation.text


def _found(lines: list[dict[str, Any]]) -> dict[str, list[tuple[str, str]]]:
    return {
        f"{line['method']} {line['operation']}": [
            (d["kind"], d["path"]) for d in line["differences"]
        ]
        for line in lines
    }


def test_the_report_names_exactly_the_known_differences(proxy: Proxied) -> None:
    """A renamed field, a status and a rounding: each found, nothing else reported."""
    _scenario(proxy)
    lines = proxy.lines()
    assert [line["status"]["upstream"] for line in lines] == [200, 200, 200, 200, 201, 200, 200]
    found = _found(lines)
    validation = found.pop("POST validate-stacked-discounts")
    assert found == {
        "POST create-loyalty-program": [
            ("missing", "$.cards_count"),
            ("extra", "$.vouchers_count"),
        ],
        "GET get-loyalty-program": [],
        "POST add-member": [],
        "GET get-member": [],
        "POST create-customer": [("status", "status")],
        "POST generate-random-code": [],
    }
    # Rounded down upstream, half up here: each amount the half cent touches, by one cent.
    rounded = next(line for line in lines if line["operation"] == "validate-stacked-discounts")
    assert validation
    assert all(d["kind"] == "value" for d in rounded["differences"])
    assert all(abs(d["upstream"] - d["fake"]) == 1 for d in rounded["differences"])
    assert {d["upstream"] for d in rounded["differences"]} >= {126}


def test_the_journal_holds_each_calls_differences(proxy: Proxied) -> None:
    """The fake's call journal notes, per call, what the upstream's answer showed."""
    _scenario(proxy)
    customer = proxy.fake.journal.calls("create customer")[0].as_json()
    assert customer["differences"] == [
        {"kind": "status", "path": "status", "upstream": 201, "fake": 200}
    ]
    assert proxy.fake.journal.calls("get member")[0].as_json()["differences"] == []


def test_credentials_reach_the_upstream_only(proxy: Proxied) -> None:
    """The upstream's token is in neither the report nor the recording."""
    _scenario(proxy)
    for written in (proxy.report, proxy.record):
        text = written.read_text()
        assert UPSTREAM_KEYS["X-App-Token"] not in text
        assert "real-project" not in text


def test_a_recording_compares_offline(
    proxy: Proxied, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``loyalty-fake compare`` finds the same differences in a recording, without the upstream."""
    _scenario(proxy)
    offline = tmp_path / "offline.jsonl"
    assert main(["compare", str(proxy.record), "--report", str(offline)]) == 1
    assert "7 calls compared, 3 differ" in capsys.readouterr().out
    again = [json.loads(line) for line in offline.read_text().splitlines()]
    assert _found(again) == _found(proxy.lines())


def test_serve_upstream_answers_with_the_upstreams_response(
    upstream: LiveServer, tmp_path: Path
) -> None:
    """``loyalty-fake serve --upstream URL`` proxies and reports, as a command."""
    report = tmp_path / "differences.jsonl"
    server = Server("--upstream", upstream.url, "--report", str(report))
    try:
        reply = requests.post(
            f"{server.url}/v1/customers",
            json={"source_id": "eve"},
            headers=UPSTREAM_KEYS,
            timeout=30,
        )
        assert reply.status_code == 201
    finally:
        code, _ = server.stop(signal.SIGTERM)
    assert code == 0
    (line,) = [json.loads(text) for text in report.read_text().splitlines()]
    assert line["differences"] == [
        {"kind": "status", "path": "status", "upstream": 201, "fake": 200}
    ]


def test_an_unreachable_upstream_is_a_502_envelope(tmp_path: Path) -> None:
    """No upstream to ask: Voucherify's error envelope, 502, and the fake is not asked."""
    fake = LoyaltyFake()
    app = DifferentialApp(
        fake,
        upstream=HttpUpstream("http://127.0.0.1:9", timeout=5),
        report=tmp_path / "report.jsonl",
        fake_headers=fake.headers,
    )
    server = LiveServer(app).start()
    try:
        reply = requests.post(
            f"{server.url}/v1/customers", json={"source_id": "a"}, headers=UPSTREAM_KEYS, timeout=30
        )
    finally:
        server.stop()
    assert reply.status_code == 502
    assert reply.json()["key"] == "upstream_unreachable"
    assert fake.customers() == []
    assert not (tmp_path / "report.jsonl").exists()
