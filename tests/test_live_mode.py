"""``pytest --voucherify-live`` against a stand-in Voucherify (a fake behind a real socket).

The stand-in checks its own keys, as Voucherify does; after each inner run it is asked
what is left in it, which is how the cleanup is proven.
"""

from __future__ import annotations

import json
import re
import time
from typing import TYPE_CHECKING

import pytest
import requests

from loyalty_fake import LoyaltyFake
from loyalty_fake.server import LiveServer, ServerApp
from tests.live_plugin import Budget, BudgetSpentError
from tests.test_proxy import StandIn

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

KEYS = {"X-App-Id": "sandbox-project", "X-App-Token": "sandbox-secret-key"}

CONFTEST = """
import pytest

pytest_plugins = ["tests.live_plugin"]


@pytest.fixture(params=["requests", "sdk"])
def client(request, voucherify_live):
    return voucherify_live


def call(client, method, path, body=None):
    run = client.run
    return client.request(method, run.host + path, headers=run.headers, json=body)
"""

TESTS = """
import pytest
from conftest import call


def program(client, name):
    reply = call(client, "POST", "/v1/loyalties", {"name": name, "type": "AUTO_UPDATE",
                 "voucher": {"loyalty_card": {"points": 0}}})
    assert reply.status_code == 200, reply.text
    return reply.json()


def test_a_program(client):
    assert program(client, "Club")["name"] == "Club"


def test_a_member_then_a_failure(client):
    club = program(client, "Failing Club")
    member = call(client, "POST", f"/v1/loyalties/{club['id']}/members",
                  {"customer": {"source_id": "ann@example.com"}})
    assert member.status_code == 200, member.text
    assert call(client, "GET", "/v1/loyalties/Failing%20Club").json()["id"] == club["id"]
    assert False, "fails after creating a program, a customer and a card"


def test_another_program(client):
    program(client, "Other Club")


def test_third_program(client):
    program(client, "Third Club")


def test_needs_the_fake(client, loyalty_fake):
    loyalty_fake.clock.advance(days=1)


@pytest.mark.fake_only("injects a fault")
def test_marked(client):
    pass


@pytest.mark.loyalty_fake(strict_joins=True)
def test_configures_the_fake(client):
    pass
"""


@pytest.fixture
def stand_in() -> Iterator[tuple[LoyaltyFake, str]]:
    """A fake Voucherify project at a URL, accepting only its own keys."""
    fake = LoyaltyFake(credentials={KEYS["X-App-Id"]: KEYS["X-App-Token"]})
    server = LiveServer(ServerApp(fake)).start()
    try:
        yield fake, server.url
    finally:
        server.stop()


@pytest.fixture
def inner(
    pytester: pytest.Pytester, stand_in: tuple[LoyaltyFake, str], monkeypatch: pytest.MonkeyPatch
) -> pytest.Pytester:
    """An inner test session whose environment names the stand-in's project."""
    _, url = stand_in
    monkeypatch.setenv("VOUCHERIFY_APP_ID", KEYS["X-App-Id"])
    monkeypatch.setenv("VOUCHERIFY_SECRET_KEY", KEYS["X-App-Token"])
    monkeypatch.setenv("VOUCHERIFY_HOST", url)
    pytester.makeconftest(CONFTEST)
    pytester.makepyfile(test_inner=TESTS)
    return pytester


def _left(url: str) -> dict[str, int]:
    """What the stand-in still holds: campaigns, customers."""
    found = {}
    for name, path in (("campaigns", "/v1/campaigns"), ("customers", "/v1/customers")):
        body = requests.get(url + path, headers=KEYS, timeout=30).json()
        found[name] = len(body[name])
    return found


def _run(inner: pytest.Pytester, *args: str) -> pytest.RunResult:
    return inner.runpytest("-p", "no:randomly", "--voucherify-live", "-rs", *args)


def test_live_runs_the_requests_variant_and_skips_what_needs_the_fake(
    inner: pytest.Pytester,
) -> None:
    """Over requests only; a test that needs the fake is skipped, saying why."""
    result = _run(inner)
    result.assert_outcomes(passed=3, failed=1, skipped=3, deselected=7)
    result.stdout.fnmatch_lines(
        [
            "*fake only: uses loyalty_fake (the fake's own clock, faults or state)*",
            "*fake only: injects a fault*",
            "*fake only: sets the fake's option(s) strict_joins*",
        ]
    )


def test_without_credentials_each_live_test_skips_with_what_to_set(
    inner: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No keys in the environment: every live test skips, naming the variables."""
    monkeypatch.delenv("VOUCHERIFY_SECRET_KEY")
    result = _run(inner)
    result.assert_outcomes(skipped=7, deselected=7)
    result.stdout.fnmatch_lines(["*--voucherify-live needs VOUCHERIFY_SECRET_KEY*VOUCHERIFY_HOST*"])


def test_what_a_test_created_is_deleted_even_when_it_fails(
    inner: pytest.Pytester, stand_in: tuple[LoyaltyFake, str]
) -> None:
    """Programs, the member's customer: gone after the run, the failing test's included."""
    fake, url = stand_in
    _run(inner, "-k", "failure").assert_outcomes(failed=1, deselected=13)
    created = fake.journal.calls(method="POST")
    assert [call.status for call in created] == [200, 200]
    assert _left(url) == {"campaigns": 0, "customers": 0}
    deleted = [call.path for call in fake.journal.calls(method="DELETE")]
    # The campaign first: its cards keep its customers in use.
    assert [path.split("/")[2] for path in deleted] == ["campaigns", "customers"]


def test_everything_created_carries_the_run_prefix(
    inner: pytest.Pytester, stand_in: tuple[LoyaltyFake, str]
) -> None:
    """Names and source IDs reach Voucherify prefixed; the test saw its own names."""
    fake, _ = stand_in
    _run(inner, "-k", "failure")
    state = json.loads((inner.path / ".voucherify-live.json").read_text())
    program, member = (call.json() for call in fake.journal.calls(method="POST"))
    # The run's prefix, then the test's own: lf-<run>-<test>-.
    prefix = program["name"].removesuffix("Failing Club")
    assert re.fullmatch(rf"lf-{state['run']}-[0-9a-f]{{4}}-", prefix)
    assert member["customer"]["source_id"] == f"{prefix}ann@example.com"
    (read,) = fake.journal.calls(method="GET", path="/v1/loyalties/{campaignId}")
    assert read.path == f"/v1/loyalties/{prefix}Failing%20Club"


def _age(state_file: Path, seconds: float) -> None:
    state = json.loads(state_file.read_text())
    state["calls"] = [at - seconds for at in state["calls"]]
    state_file.write_text(json.dumps(state))


def test_the_budget_stops_the_run_and_a_later_run_resumes(inner: pytest.Pytester) -> None:
    """Budget 4, 2 kept in reserve: two tests run, the third waits for the next hour's run."""
    budget = ("--voucherify-live-budget", "4", "--voucherify-live-reserve", "2", "-k", "program")
    first = _run(inner, *budget)
    first.assert_outcomes(passed=2, skipped=1, deselected=11)
    first.stdout.fnmatch_lines(
        ["*Voucherify budget: 4 of 4 calls made in the last hour; run the same command after *"]
    )
    state_file = inner.path / ".voucherify-live.json"
    state = json.loads(state_file.read_text())
    assert len(state["calls"]) == 4  # two creations, two deletions
    assert len(state["done"]) == 2
    # Within the same hour, nothing more runs.
    _run(inner, *budget).assert_outcomes(skipped=3, deselected=11)
    _age(state_file, 3601)
    resumed = _run(inner, *budget)
    resumed.assert_outcomes(passed=1, skipped=2, deselected=11)
    resumed.stdout.fnmatch_lines(["*done earlier in this live run*"])


def test_a_test_that_outruns_the_budget_stops_and_still_cleans_up(
    inner: pytest.Pytester, stand_in: tuple[LoyaltyFake, str]
) -> None:
    """The call past the budget skips the test; what it created is deleted all the same."""
    _, url = stand_in
    result = _run(
        inner, "--voucherify-live-budget", "2", "--voucherify-live-reserve", "1", "-k", "failure"
    )
    result.assert_outcomes(skipped=1, deselected=13)
    result.stdout.fnmatch_lines(["*Voucherify budget: 2 of 2 calls*"])
    assert _left(url) == {"campaigns": 0, "customers": 0}


def test_budget_counts_an_hour(tmp_path: Path) -> None:
    """Calls older than the window no longer count; the state file keeps the recent ones."""
    now = [time.time()]
    budget = Budget.load(tmp_path / "state.json", 2, clock=lambda: now[0])
    budget.spend()
    budget.spend()
    with pytest.raises(BudgetSpentError, match="2 of 2 calls"):
        budget.spend()
    budget.spend(cleanup=True)
    assert budget.used() == 3
    now[0] += 3601
    assert budget.used() == 0
    budget.spend()
    again = Budget.load(tmp_path / "state.json", 2, clock=lambda: now[0])
    assert (again.run, again.used()) == (budget.run, 1)


@pytest.fixture
def renaming_stand_in() -> Iterator[str]:
    """A stand-in whose new programs say ``cards_count`` for ``vouchers_count``."""
    fake = LoyaltyFake(seed=3, credentials={KEYS["X-App-Id"]: KEYS["X-App-Token"]})
    server = LiveServer(StandIn(fake)).start()
    try:
        yield server.url
    finally:
        server.stop()


def test_a_live_report_names_where_voucherify_and_the_fake_differ(
    pytester: pytest.Pytester, renaming_stand_in: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """--voucherify-live-report: each call replayed on a fresh fake; the rename, and only it."""
    monkeypatch.setenv("VOUCHERIFY_APP_ID", KEYS["X-App-Id"])
    monkeypatch.setenv("VOUCHERIFY_SECRET_KEY", KEYS["X-App-Token"])
    monkeypatch.setenv("VOUCHERIFY_HOST", renaming_stand_in)
    pytester.makeconftest(CONFTEST)
    pytester.makepyfile(test_inner=TESTS)
    report = pytester.path / "differences.jsonl"
    result = _run(pytester, "-k", "failure", "--voucherify-live-report", str(report))
    result.assert_outcomes(failed=1, deselected=13)
    lines = [json.loads(line) for line in report.read_text().splitlines()]
    assert [(line["operation"], line["differences"]) for line in lines] == [
        (
            "create-loyalty-program",
            [
                {"kind": "missing", "path": "$.cards_count", "upstream": 0},
                {"kind": "extra", "path": "$.vouchers_count", "fake": 0},
            ],
        ),
        ("add-member", []),
        ("get-loyalty-program", []),
    ]
    assert {line["test"] for line in lines} == {
        "test_inner.py::test_a_member_then_a_failure[requests]"
    }
