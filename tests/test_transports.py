"""Which calls the fake answers, and how it lives beside other mocks."""

from __future__ import annotations

import gc
import http.server
import json
import threading
import tracemalloc
from typing import TYPE_CHECKING

import httpx
import pytest
import requests
import responses
import urllib3

from loyalty_fake import LoyaltyFake, VoucherifyError
from tests.conftest import RequestsClient, SdkClient, make_program
from tests.patch_points import every_patch_point

if TYPE_CHECKING:
    from collections.abc import Iterator

HEADERS = {"X-App-Id": "app", "X-App-Token": "token"}


@pytest.mark.usefixtures("loyalty_fake")
@pytest.mark.parametrize(
    "base_url",
    ["https://api.voucherify.io", "https://us1.api.voucherify.io", "https://as1.api.voucherify.io"],
)
def test_every_cluster_is_served_over_requests(base_url: str) -> None:
    """The EU, US and Asia cluster hosts all reach the same fake."""
    client = RequestsClient(HEADERS, base_url=base_url)
    assert client.create_program({"name": f"P {base_url}"}).status == 200


@pytest.mark.usefixtures("loyalty_fake")
@pytest.mark.parametrize("cluster", ["us1.api", "as1.api"])
def test_sdk_cluster_setting_is_served(cluster: str) -> None:
    """The SDK's own cluster server variable reaches the fake."""
    import voucherify  # noqa: PLC0415

    configuration = voucherify.Configuration(api_key=HEADERS, server_variables={"cluster": cluster})
    api = voucherify.LoyaltiesApi(voucherify.ApiClient(configuration))
    with pytest.warns(DeprecationWarning, match="deprecated"):
        program = api.create_loyalty_program(
            voucherify.LoyaltiesCreateCampaignRequestBody(name="P")
        )
    assert program.name == "P"


@pytest.mark.loyalty_fake(base_urls=["http://localhost:8999/voucherify"])
def test_configured_base_url_is_served(loyalty_fake: LoyaltyFake) -> None:
    """A base URL a test configures (host, port and path prefix) is served, over both clients."""
    assert loyalty_fake.base_url == "http://localhost:8999/voucherify"
    make_program(SdkClient(HEADERS, base_url=loyalty_fake.base_url), "Via SDK")
    reply = RequestsClient(HEADERS, base_url=loyalty_fake.base_url).get_program("Via SDK")
    assert reply.status == 200


@pytest.mark.loyalty_fake(base_urls=["http://localhost:8999/voucherify"])
@pytest.mark.usefixtures("loyalty_fake")
def test_same_host_outside_the_base_path_is_not_claimed() -> None:
    """Only the configured path prefix belongs to the fake, not the whole host."""
    with responses.RequestsMock() as mock:
        mock.get("http://localhost:8999/health", json={"ok": True})
        assert requests.get("http://localhost:8999/health", timeout=5).json() == {"ok": True}


@pytest.mark.usefixtures("loyalty_fake")
def test_own_responses_mock_started_inside_test() -> None:
    """A test's own responses mock answers its hosts while the fake answers Voucherify."""
    with responses.RequestsMock() as mock:
        mock.get("https://payments.example.com/status", json={"status": "up"})
        client = RequestsClient(HEADERS)
        assert client.create_program({"name": "P"}).status == 200
        assert requests.get("https://payments.example.com/status", timeout=5).json() == {
            "status": "up"
        }


@pytest.fixture
def earlier_mock() -> Iterator[responses.RequestsMock]:
    """A test's own responses mock, started before the loyalty_fake fixture."""
    with responses.RequestsMock() as mock:
        mock.get("https://payments.example.com/status", json={"status": "up"})
        yield mock


def test_own_responses_mock_started_before_the_fake(
    earlier_mock: responses.RequestsMock, loyalty_fake: LoyaltyFake
) -> None:
    """A mock started before the fixture still answers its hosts; the fake answers Voucherify."""
    assert loyalty_fake.claims("https://api.voucherify.io/v1/loyalties")
    assert RequestsClient(HEADERS).create_program({"name": "P"}).status == 200
    assert requests.get("https://payments.example.com/status", timeout=5).json() == {"status": "up"}
    assert len(earlier_mock.calls) == 1


@pytest.mark.usefixtures("loyalty_fake")
@responses.activate
def test_responses_activate_decorator_coexists() -> None:
    """@responses.activate on the test does not hide the fake."""
    responses.get("https://payments.example.com/status", json={"status": "up"})
    assert RequestsClient(HEADERS).create_program({"name": "P"}).status == 200
    assert requests.get("https://payments.example.com/status", timeout=5).status_code == 200


@pytest.mark.usefixtures("loyalty_fake")
def test_own_mock_for_a_voucherify_url_wins() -> None:
    """A response the test registered itself for a Voucherify URL (an outage) is served as is."""
    url = "https://api.voucherify.io/v1/loyalties/P"
    with responses.RequestsMock() as mock:
        mock.get(url, status=503, json={"code": 503})
        assert requests.get(url, headers=HEADERS, timeout=5).status_code == 503
        # Other Voucherify URLs still reach the fake.
        assert RequestsClient(HEADERS).create_program({"name": "P"}).status == 200


@pytest.mark.usefixtures("loyalty_fake")
def test_raw_urllib3_pool_manager_is_served() -> None:
    """urllib3 used directly (streaming, no preload) reaches the fake."""
    http = urllib3.PoolManager()
    response = http.request(
        "POST",
        "https://api.voucherify.io/v1/loyalties",
        body=json.dumps({"name": "P"}),
        headers={**HEADERS, "Content-Type": "application/json"},
        preload_content=False,
    )
    assert response.status == 200
    assert json.loads(response.read())["name"] == "P"
    assert response.headers["Content-Type"].startswith("application/json")


@pytest.mark.usefixtures("loyalty_fake")
def test_a_pooled_connection_leaves_the_answer_it_carried_to_its_reader() -> None:
    """The next request on a pooled connection never closes the answer it carried before.

    A thread that has read an answer's body has given its connection back; another thread's
    request then took it and closed that answer while its reader was closing it too: "I/O
    operation on closed file" (tests/test_concurrency.py, now and then under load).
    """
    http = urllib3.PoolManager(maxsize=1)
    url = "https://api.voucherify.io/v1/loyalties"
    first = http.request("GET", url, headers=HEADERS, preload_content=False)
    # The whole body and no more: the connection is back in the pool, the answer still open.
    assert json.loads(first.read(int(first.headers["Content-Length"])))["total"] == 0
    assert first.connection is None
    assert http.request("GET", url, headers=HEADERS).status == 200  # took that connection
    carried = getattr(first, "_fp", None)  # http.client's answer, which urllib3's wraps
    assert carried is not None
    assert not carried.closed
    assert first.read() == b""
    first.release_conn()


@pytest.mark.usefixtures("loyalty_fake")
def test_calls_from_other_threads_are_served() -> None:
    """A request made from a worker thread is answered by the same fake."""
    results: list[int] = []
    worker = threading.Thread(
        target=lambda: results.append(RequestsClient(HEADERS).create_program({"name": "T"}).status)
    )
    worker.start()
    worker.join(timeout=10)
    assert results == [200]
    assert RequestsClient(HEADERS).get_program("T").status == 200


def test_stop_restores_every_patch() -> None:
    """After stop(), urllib3, httpcore and the mock libraries' hooks are exactly as before."""
    before = every_patch_point()
    fake = LoyaltyFake().start()
    assert every_patch_point() != before
    fake.stop()
    fake.stop()
    assert every_patch_point() == before


def test_nested_fakes_inner_wins_then_outer_returns() -> None:
    """Two fakes started one inside the other: the inner answers until it stops."""
    client = RequestsClient(HEADERS)
    with LoyaltyFake() as outer:
        client.create_program({"name": "Outer"})
        with LoyaltyFake() as inner:
            assert client.get_program("Outer").status == 404
            client.create_program({"name": "Inner"})
        assert client.get_program("Outer").status == 200
        assert client.get_program("Inner").status == 404
    assert outer.get_loyalty_program("Outer", app_id="app")["name"] == "Outer"
    assert inner.get_loyalty_program("Inner", app_id="app")["name"] == "Inner"


def test_memory_stays_flat_however_many_calls() -> None:
    """Past the call journal's bound, 1,000 more calls leave the traced memory as it was."""
    with LoyaltyFake() as fake:
        fake.create_loyalty_program("P")
        session = requests.Session()
        url = "https://api.voucherify.io/v1/loyalties/P"

        def calls(count: int) -> None:
            for _ in range(count):
                assert session.get(url, headers=fake.headers, timeout=5).status_code == 200

        calls(100)  # pools, caches and lazily built tables settle first
        gc.collect()
        # Traced from before the journal fills, so that the calls it drops count as freed.
        tracemalloc.start()
        try:
            calls(fake.journal.size)
            gc.collect()
            before = tracemalloc.get_traced_memory()[0]
            calls(1_000)
            gc.collect()
            grown = tracemalloc.get_traced_memory()[0] - before
        finally:
            tracemalloc.stop()
    # Keeping each call unbounded (as a recording mock does) would be about 9 KB a call, 9 MB.
    assert grown < 200_000, f"{grown:,} bytes kept over 1,000 calls"


@pytest.mark.parametrize("client", ["httpx", "urllib3"])
def test_a_long_lived_client_follows_the_fakes_as_they_start_and_stop(client: str) -> None:
    """A client that keeps its connections open talks to whichever fake is running now."""
    url = "https://api.voucherify.io/v1/loyalties"
    http = httpx.Client() if client == "httpx" else urllib3.PoolManager()

    def create(name: str) -> int:
        if isinstance(http, httpx.Client):
            return http.post(url, json={"name": name}, headers=HEADERS).status_code
        body = json.dumps({"name": name}).encode()
        headers = {**HEADERS, "Content-Type": "application/json"}
        return http.request("POST", url, body=body, headers=headers).status

    with LoyaltyFake() as outer:
        assert create("Outer") == 200
        with LoyaltyFake() as inner:
            assert create("Inner") == 200
        assert create("Outer again") == 200
    assert outer.get_loyalty_program("Outer again", app_id="app")["name"] == "Outer again"
    assert inner.get_loyalty_program("Inner", app_id="app")["name"] == "Inner"
    with pytest.raises(VoucherifyError):
        outer.get_loyalty_program("Inner", app_id="app")
    with pytest.raises(VoucherifyError):
        inner.get_loyalty_program("Outer again", app_id="app")


class _Health(http.server.BaseHTTPRequestHandler):
    """A keep-alive HTTP/1.1 server that answers every GET with its path."""

    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        body = json.dumps({"served": self.path}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_args: object) -> None:
        """Quiet."""


@pytest.fixture
def health_server() -> Iterator[str]:
    """A real keep-alive server on a free loopback port; its base URL."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Health)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize("client", ["httpx", "requests"])
def test_a_host_shared_with_a_real_service_is_decided_per_request(
    health_server: str, client: str
) -> None:
    """Beside a base URL's prefix the real server answers, on the same kept-alive client."""
    session = httpx.Client() if client == "httpx" else requests.Session()
    with session, LoyaltyFake(base_urls=(f"{health_server}/voucherify",)) as fake:
        for _ in range(2):
            assert session.get(f"{health_server}/health").json() == {"served": "/health"}
            reply = session.get(f"{fake.base_url}/v1/loyalties", headers=fake.headers)
            assert reply.json()["object"] == "list"
