"""The fake stands where the network would: each client library does its own work first.

What requests, urllib3 (and the official SDK over it) and httpx refuse, they refuse
against the fake too; what they transform (bytes header values, chunked bodies) reaches
the fake as a server would read it; urllib3's ``Retry`` retries the fake's answers.
"""

from __future__ import annotations

import asyncio
import json
import warnings
from typing import TYPE_CHECKING, Any

import httpx
import pytest
import requests
import urllib3
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from tests.conftest import BASE_URL

if TYPE_CHECKING:
    from collections.abc import Mapping

    from loyalty_fake import LoyaltyFake

PROGRAMS = f"{BASE_URL}/v1/loyalties"
CLIENTS = ["requests", "urllib3", "httpx", "httpx-async"]


def send(client: str, method: str, url: str, headers: Mapping[Any, Any], body: Any = None) -> int:
    """One request through ``client`` as a user would write it; the status it observed."""
    if client == "requests":
        return requests.request(method, url, headers=headers, data=body, timeout=5).status_code
    if client == "urllib3":
        return urllib3.PoolManager().request(method, url, headers=headers, body=body).status
    if client == "httpx":
        return httpx.request(method, url, headers=headers, content=body).status_code

    async def call() -> int:
        async with httpx.AsyncClient() as async_client:
            reply = await async_client.request(method, url, headers=headers, content=body)
            return reply.status_code

    return asyncio.run(call())


def _sdk_api(api_key: dict[str, str], **settings: Any) -> Any:
    import voucherify  # noqa: PLC0415 - a test dependency only these tests need

    configuration = voucherify.Configuration(api_key=api_key)
    for name, value in settings.items():
        setattr(configuration, name, value)
    return voucherify.LoyaltiesApi(voucherify.ApiClient(configuration))


def _create_program(api: Any, name: str) -> Any:
    import voucherify  # noqa: PLC0415

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        return api.create_loyalty_program(voucherify.LoyaltiesCreateCampaignRequestBody(name=name))


# -- what the libraries refuse -------------------------------------------------------------


def test_sdk_with_an_empty_token_fails_before_sending(loyalty_fake: LoyaltyFake) -> None:
    """The SDK turns an empty X-App-Token into a None header; urllib3 raises TypeError."""
    api = _sdk_api({"X-App-Id": "app", "X-App-Token": ""})
    with pytest.raises(TypeError, match="NoneType"):
        _create_program(api, "Never created")
    assert loyalty_fake.ledger.projects() == {}


def test_urllib3_refuses_a_none_header_value(loyalty_fake: LoyaltyFake) -> None:
    """A header whose value is None raises TypeError in urllib3 and never reaches the fake."""
    pool = urllib3.connection_from_url(BASE_URL)
    headers = {"X-App-Id": "app", "X-App-Token": None}
    with pytest.raises(TypeError):
        pool.urlopen("POST", "/v1/loyalties", headers=headers, body=b'{"name":"P"}')  # type: ignore[arg-type]
    assert loyalty_fake.ledger.projects() == {}


@pytest.mark.parametrize(
    ("client", "error"),
    [
        ("requests", requests.exceptions.InvalidHeader),
        ("urllib3", ValueError),
        ("httpx", httpx.LocalProtocolError),
        ("httpx-async", httpx.LocalProtocolError),
    ],
)
def test_a_token_with_a_trailing_newline_is_refused(
    loyalty_fake: LoyaltyFake, client: str, error: type[Exception]
) -> None:
    """A token read from a file with its newline is refused by the client, as in production."""
    headers = {"X-App-Id": "app", "X-App-Token": "secret\n", "Content-Type": "application/json"}
    with pytest.raises(error):
        send(client, "POST", PROGRAMS, headers, b'{"name":"P"}')
    assert loyalty_fake.ledger.projects() == {}


@pytest.mark.parametrize("client", ["requests", "urllib3"])
def test_a_header_value_outside_latin_1_is_refused(loyalty_fake: LoyaltyFake, client: str) -> None:
    """http.client cannot put a non-Latin-1 str on the wire: UnicodeEncodeError, as for real."""
    headers = {"X-App-Id": "app", "X-App-Token": "sécret€"}
    with pytest.raises(UnicodeEncodeError):
        send(client, "POST", PROGRAMS, headers, b'{"name":"P"}')
    assert loyalty_fake.ledger.projects() == {}


def test_requests_refuses_a_non_string_header_value(loyalty_fake: LoyaltyFake) -> None:
    """An int header value is rejected by requests (InvalidHeader) before anything is sent."""
    with pytest.raises(requests.exceptions.InvalidHeader):
        requests.get(PROGRAMS, headers={"X-App-Id": "app", "X-App-Token": 123}, timeout=5)  # type: ignore[dict-item]
    assert loyalty_fake.ledger.projects() == {}


# -- what the libraries transform ----------------------------------------------------------


@pytest.mark.loyalty_fake(credentials={"app": "secret"})
@pytest.mark.parametrize("client", CLIENTS)
def test_bytes_header_values_authenticate_as_sent(loyalty_fake: LoyaltyFake, client: str) -> None:
    """Header names and values given as bytes go on the wire as given: the project is right."""
    headers = {b"X-App-Id": b"app", b"X-App-Token": b"secret", b"Content-Type": b"application/json"}
    assert send(client, "POST", PROGRAMS, headers, b'{"name":"Bytes"}') == 200
    assert loyalty_fake.get_loyalty_program("Bytes", app_id="app")["name"] == "Bytes"


@pytest.mark.loyalty_fake(credentials={"app": "s\xe9cret"})
@pytest.mark.usefixtures("loyalty_fake")
@pytest.mark.parametrize("client", ["requests", "urllib3"])
def test_latin_1_header_values_arrive_as_latin_1(client: str) -> None:
    """A str header value is sent as Latin-1, and read back as a server reads it."""
    headers = {"X-App-Id": "app", "X-App-Token": "s\xe9cret"}
    assert send(client, "GET", PROGRAMS, headers) == 200


@pytest.mark.parametrize("client", ["requests", "urllib3"])
def test_a_generator_body_is_sent_chunked(loyalty_fake: LoyaltyFake, client: str) -> None:
    """A body given as a generator goes out chunked; the fake reads the whole of it."""
    chunks = (part for part in [b'{"name":', b' "Streamed"', b"}"])
    headers = {**loyalty_fake.headers, "Content-Type": "application/json"}
    assert send(client, "POST", PROGRAMS, headers, chunks) == 200
    assert loyalty_fake.get_loyalty_program("Streamed")["name"] == "Streamed"


@pytest.mark.usefixtures("loyalty_fake")
def test_a_declared_length_longer_than_the_body_times_out() -> None:
    """A Content-Length larger than the body sent makes a server wait: a read timeout."""
    pool = urllib3.PoolManager(retries=False)
    headers = {"X-App-Id": "app", "X-App-Token": "token", "Content-Length": "100"}
    with pytest.raises(urllib3.exceptions.ReadTimeoutError):
        pool.request("POST", PROGRAMS, headers=headers, body=b'{"name":"P"}')


def test_a_head_request_gets_headers_only(loyalty_fake: LoyaltyFake) -> None:
    """HEAD is answered like GET's status and headers, without a body, as HTTP says."""
    reply = requests.head(PROGRAMS, headers=loyalty_fake.headers, timeout=5)
    assert reply.status_code == 405
    assert reply.content == b""


# -- what urllib3 does with the answers -----------------------------------------------------


def test_urllib3_retry_retries_the_fakes_answers(loyalty_fake: LoyaltyFake) -> None:
    """A Retry with a status list retries the fake's 404s and records each attempt."""
    retry = Retry(total=2, status_forcelist=[404], backoff_factor=0, raise_on_status=False)
    pool = urllib3.PoolManager(retries=retry)
    reply = pool.request("GET", f"{PROGRAMS}/Missing", headers=loyalty_fake.headers)
    assert reply.status == 404
    assert reply.retries is not None
    assert [attempt.status for attempt in reply.retries.history] == [404, 404]


def test_requests_max_retries_gives_up_like_against_voucherify(loyalty_fake: LoyaltyFake) -> None:
    """An adapter with max_retries raises RetryError once the fake's 404s use them up."""
    session = requests.Session()
    retry = Retry(total=1, status_forcelist=[404], backoff_factor=0)
    session.mount("https://", HTTPAdapter(max_retries=retry))
    with pytest.raises(requests.exceptions.RetryError):
        session.get(f"{PROGRAMS}/Missing", headers=loyalty_fake.headers, timeout=5)


def test_sdk_retries_setting_applies(loyalty_fake: LoyaltyFake) -> None:
    """The SDK's own retries setting (a urllib3 Retry) retries the fake's answers too."""
    loyalty_fake.create_loyalty_program("P")
    retry = Retry(total=1, status_forcelist=[404], backoff_factor=0)
    api = _sdk_api(loyalty_fake.headers, retries=retry)
    with pytest.raises(urllib3.exceptions.MaxRetryError, match="too many 404"):
        api.get_loyalty_program("Missing")


def test_switching_verification_off_warns_as_for_real(loyalty_fake: LoyaltyFake) -> None:
    """verify=False makes urllib3 warn about an unverified HTTPS request, as it would."""
    with pytest.warns(urllib3.exceptions.InsecureRequestWarning):
        reply = requests.get(PROGRAMS, headers=loyalty_fake.headers, verify=False, timeout=5)  # noqa: S501
    assert reply.status_code == 200


# -- proxies --------------------------------------------------------------------------------


@pytest.fixture
def proxy_env(monkeypatch: pytest.MonkeyPatch) -> str:
    """A proxy in the environment that no one could reach."""
    proxy = "http://proxy.invalid:3128"
    for name in ("HTTPS_PROXY", "HTTP_PROXY", "https_proxy", "http_proxy"):
        monkeypatch.setenv(name, proxy)
    for name in ("NO_PROXY", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
    return proxy


@pytest.mark.loyalty_fake(base_urls=["http://voucherify.test/api"])
@pytest.mark.parametrize("client", ["requests", "httpx", "httpx-async"])
@pytest.mark.parametrize("base_url", [BASE_URL, "http://voucherify.test/api"])
def test_a_proxy_in_the_environment_is_not_contacted(
    loyalty_fake: LoyaltyFake, proxy_env: str, client: str, base_url: str
) -> None:
    """With HTTPS_PROXY/HTTP_PROXY set, the fake answers in the proxy's place (tunnel or not)."""
    assert proxy_env
    headers = {**loyalty_fake.headers, "Content-Type": "application/json"}
    assert send(client, "POST", f"{base_url}/v1/loyalties", headers, b'{"name":"P"}') == 200
    assert loyalty_fake.get_loyalty_program("P")["name"] == "P"


@pytest.mark.parametrize("proxy", ["http://proxy.invalid:3128"])
def test_a_urllib3_proxy_manager_is_answered(loyalty_fake: LoyaltyFake, proxy: str) -> None:
    """urllib3's ProxyManager (the SDK's proxy setting) reaches the fake, not the proxy."""
    reply = urllib3.ProxyManager(proxy).request(
        "POST",
        PROGRAMS,
        headers={**loyalty_fake.headers, "Content-Type": "application/json"},
        body=json.dumps({"name": "P"}),
    )
    assert reply.status == 200
