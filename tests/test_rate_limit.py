"""The optional rate limiter: Voucherify's API limits per project, on the fake's clock."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import pytest
import requests

from loyalty_fake.cli import main
from loyalty_fake.rate_limit import RateLimit, rate_limit

if TYPE_CHECKING:
    from collections.abc import Mapping

    from loyalty_fake import LoyaltyFake
    from loyalty_fake.server import LiveServer
    from tests.conftest import Client

NOW = "2024-05-01T12:00:00Z"
EPOCH = int(dt.datetime(2024, 5, 1, 12, tzinfo=dt.timezone.utc).timestamp())
PROGRAMS = "https://api.voucherify.io/v1/loyalties"
BODY = {"customer": {"source_id": "ada"}}


def _limits(headers: Mapping[str, str]) -> dict[str, str]:
    lowered = {name.lower(): value for name, value in headers.items()}
    names = ("x-rate-limit-limit", "x-rate-limit-remaining", "x-rate-limit-retry", "retry-after")
    return {name: lowered[name] for name in names if name in lowered}


@pytest.mark.loyalty_fake(now=NOW, rate_limit="2/s")
def test_a_call_over_the_limit_is_voucherifys_429_over_every_client(
    client: Client, loyalty_fake: LoyaltyFake
) -> None:
    """Two calls a second: the third gets 429 with the headers, changes nothing, is journaled."""
    loyalty_fake.create_loyalty_program("Club", vouchers_count=5)  # the Python API is not counted
    first = client.add_member("Club", BODY)
    assert first.status == 200
    assert _limits(first.headers) == {
        "x-rate-limit-limit": "2",
        "x-rate-limit-remaining": "1",
        "x-rate-limit-retry": str(EPOCH),
    }
    second = client.list_members("Club")
    assert second.status == 200
    assert _limits(second.headers)["x-rate-limit-remaining"] == "0"
    assert _limits(second.headers)["x-rate-limit-retry"] == str(EPOCH + 1)
    refused = client.add_member("Club", {"customer": {"source_id": "bob"}})
    assert refused.status == 429
    assert set(refused.body) == {"code", "key", "message", "details", "request_id"}
    assert refused.body["code"] == 429
    assert refused.body["key"] == "too_many_requests"
    assert refused.body["message"] == "Too many requests hit the API too quickly."
    assert _limits(refused.headers) == {
        "x-rate-limit-limit": "2",
        "x-rate-limit-remaining": "0",
        "x-rate-limit-retry": str(EPOCH + 1),
        "retry-after": "1",
    }
    assert loyalty_fake.list_members("Club")["total"] == 1  # the refused call changed nothing
    assert loyalty_fake.journal.calls()[-1].status == 429
    loyalty_fake.ledger.clock.advance(dt.timedelta(seconds=1))  # the next second's window
    again = client.add_member("Club", {"customer": {"source_id": "bob"}})
    assert again.status == 200
    assert _limits(again.headers)["x-rate-limit-remaining"] == "1"
    assert loyalty_fake.list_members("Club")["total"] == 2


@pytest.mark.loyalty_fake(now=NOW, rate_limit={"per_second": 5, "per_hour": 3})
def test_the_headers_speak_of_the_period_with_fewest_calls_left(loyalty_fake: LoyaltyFake) -> None:
    """Per second and per hour: the hour runs out first; its end is the retry, an hour away."""
    seen = []
    for second in range(4):
        reply = requests.get(PROGRAMS, headers=loyalty_fake.headers, timeout=5)
        seen.append((reply.status_code, _limits(reply.headers)))
        loyalty_fake.ledger.clock.advance(dt.timedelta(seconds=1 if second < 2 else 0))
    assert [status for status, _ in seen] == [200, 200, 200, 429]
    assert [h["x-rate-limit-limit"] for _, h in seen] == ["3", "3", "3", "3"]
    assert [h["x-rate-limit-remaining"] for _, h in seen] == ["2", "1", "0", "0"]
    assert seen[2][1]["x-rate-limit-retry"] == str(EPOCH + 3600)
    assert seen[3][1]["retry-after"] == str(3600 - 2)


@pytest.mark.loyalty_fake(now=NOW, rate_limit="1/min")
def test_each_project_has_its_own_count_and_a_reset_forgets_them(
    loyalty_fake: LoyaltyFake,
) -> None:
    """Another X-App-Id is another project; a reset starts every count again."""
    other = {"X-App-Id": "other-project", "X-App-Token": "token"}
    assert requests.get(PROGRAMS, headers=loyalty_fake.headers, timeout=5).status_code == 200
    assert requests.get(PROGRAMS, headers=loyalty_fake.headers, timeout=5).status_code == 429
    assert requests.get(PROGRAMS, headers=other, timeout=5).status_code == 200
    loyalty_fake.reset()
    assert requests.get(PROGRAMS, headers=loyalty_fake.headers, timeout=5).status_code == 200


def test_off_by_default_no_headers(loyalty_fake: LoyaltyFake) -> None:
    """Without ``rate_limit`` answers carry no limit headers and nothing is refused."""
    for _ in range(30):
        reply = requests.get(PROGRAMS, headers=loyalty_fake.headers, timeout=5)
        assert reply.status_code == 200
        assert _limits(reply.headers) == {}


def test_rate_limits_are_read_from_text_and_mappings() -> None:
    """``calls/period`` text, comma-separated, or the ``RateLimit`` fields by name."""
    assert rate_limit("10/s, 100/min,1000/h") == RateLimit(10, 100, 1000)
    assert rate_limit({"per_hour": 5}) == RateLimit(per_hour=5)
    assert str(RateLimit(per_second=2, per_hour=7)) == "2/s,7/h"
    assert rate_limit(None) is None
    for bad in ("10", "ten/s", "10/day", "0/s", ""):
        with pytest.raises(ValueError, match="rate limit"):
            rate_limit(bad)
    with pytest.raises(ValueError, match="per_day"):
        rate_limit({"per_day": 5})
    with pytest.raises(ValueError, match="needs"):
        RateLimit()


def test_serve_refuses_a_bad_rate_limit(capsys: pytest.CaptureFixture[str]) -> None:
    """``serve --rate-limit`` is checked before anything starts."""
    with pytest.raises(SystemExit) as exited:
        main(["serve", "--rate-limit", "lots"])
    assert exited.value.code == 2
    assert "is not a rate limit" in capsys.readouterr().err


def test_serve_passes_its_rate_limit_to_the_fake(monkeypatch: pytest.MonkeyPatch) -> None:
    """``serve --rate-limit 5/min,100/h`` serves a fake with those limits."""
    import loyalty_fake.server  # noqa: PLC0415 - the module whose serve() is replaced

    served: list[LoyaltyFake] = []

    def serve(fake: LoyaltyFake, **_options: object) -> int:
        served.append(fake)
        return 0

    monkeypatch.setattr(loyalty_fake.server, "serve", serve)
    assert main(["serve", "--rate-limit", "5/min,100/h", "--no-demo"]) == 0
    assert served[0].rate_limit == RateLimit(per_minute=5, per_hour=100)
    assert main(["serve", "--no-demo"]) == 0
    assert served[1].rate_limit is None


@pytest.mark.loyalty_fake(now=NOW, rate_limit="1/h", control_plane=True)
def test_the_control_planes_reset_forgets_the_counts(
    loyalty_fake: LoyaltyFake, loyalty_fake_server: LiveServer
) -> None:
    """Over HTTP: the limit holds for served calls, and ``POST /_fake/reset`` starts it again."""
    url = f"{loyalty_fake_server.url}/v1/loyalties"
    assert requests.get(url, headers=loyalty_fake.headers, timeout=5).status_code == 200
    refused = requests.get(url, headers=loyalty_fake.headers, timeout=5)
    assert refused.status_code == 429
    assert refused.headers["Retry-After"] == "3600"
    reset = requests.post(f"{loyalty_fake_server.url}/_fake/reset", json={}, timeout=5)
    assert reset.status_code == 200
    assert "X-Rate-Limit-Limit" not in reset.headers  # the control plane is not counted
    assert requests.get(url, headers=loyalty_fake.headers, timeout=5).status_code == 200


# Per second: urllib3 (under the SDK) retries a 429 three times, each after its Retry-After,
# in real time: a minute's limit made this test sleep three minutes.
@pytest.mark.loyalty_fake(now=NOW, rate_limit="1/s")
def test_the_official_sdk_raises_its_api_exception_with_the_headers(
    loyalty_fake: LoyaltyFake,
) -> None:
    """The SDK's ``ApiException`` for the 429 has the status, the envelope and the headers."""
    import voucherify  # noqa: PLC0415 - a test dependency
    from voucherify.exceptions import ApiException  # noqa: PLC0415

    configuration = voucherify.Configuration(
        host="https://api.voucherify.io", api_key=dict(loyalty_fake.headers)
    )
    loyalties = voucherify.LoyaltiesApi(voucherify.ApiClient(configuration))
    loyalties.list_loyalty_programs()
    with pytest.raises(ApiException) as raised:
        loyalties.list_loyalty_programs()
    assert raised.value.status == 429
    headers = {name.lower(): value for name, value in (raised.value.headers or {}).items()}
    assert headers["x-rate-limit-remaining"] == "0"
    assert headers["x-rate-limit-retry"] == str(EPOCH + 1)
    assert headers["retry-after"] == "1"
    assert '"key":"too_many_requests"' in (raised.value.body or "")
    # The fake's clock stood still, so each of urllib3's retries was refused too.
    assert [call.status for call in loyalty_fake.journal.calls()] == [200, 429, 429, 429, 429]
