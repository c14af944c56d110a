"""``pytest --voucherify-live``: the contract tests against a real Voucherify project.

The tests that run over every client (the ``client`` fixture) run once more, over
``requests``, against the project whose keys are in ``VOUCHERIFY_APP_ID`` and
``VOUCHERIFY_SECRET_KEY`` (the Application ID and Secret Key of the dashboard's Project
settings), at ``VOUCHERIFY_HOST`` (default https://api.voucherify.io; a cluster's own,
such as https://us1.api.voucherify.io). ``VOUCHERIFY_LIVE=1`` is the same as the flag.

A test that needs the fake itself (its clock, faults, control plane or options: any test
that uses the ``loyalty_fake`` fixture or configures it with the marker) is skipped live,
found by the fixtures it uses; ``@pytest.mark.fake_only`` marks any other. A sandbox
allows 100 calls an hour: the run counts its calls in a state file, starts no test once
fewer than ``--voucherify-live-reserve`` remain under ``--voucherify-live-budget``
(default 90), and the same command later resumes where it stopped. Everything a test
creates is named with the run's prefix and deleted when the test ends, pass or fail.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import secrets
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, unquote

import attrs
import pytest
import requests

from loyalty_fake import LoyaltyFake
from loyalty_fake.http.messages import Request, Response
from loyalty_fake.server.proxy import DifferentialApp

if TYPE_CHECKING:
    from collections.abc import Callable, Generator, Iterator

__all__ = ["Budget", "BudgetSpentError", "LiveSession", "live_mode"]

FLAG = "--voucherify-live"
ENV_LIVE = "VOUCHERIFY_LIVE"
ENV_APP_ID = "VOUCHERIFY_APP_ID"
ENV_SECRET = "VOUCHERIFY_SECRET_KEY"  # noqa: S105 - the variable's name, not a secret
ENV_HOST = "VOUCHERIFY_HOST"
ENV_BUDGET = "VOUCHERIFY_LIVE_BUDGET"
DEFAULT_HOST = "https://api.voucherify.io"
DEFAULT_BUDGET = 90
DEFAULT_STATE = ".voucherify-live.json"
HOUR = 3600.0
# The fixtures that are the fake itself: a test using one reads or moves what Voucherify
# does not have (the clock, faults, the control plane, the journal, seeded state).
FAKE_FIXTURES = frozenset({"loyalty_fake", "loyalty_fake_server", "loyalty_fake_live_server"})
# Options of @pytest.mark.loyalty_fake that change nothing Voucherify would show (``now``
# only starts the fake's clock; a test that asserts an exact time is marked fake_only).
_NEUTRAL_OPTIONS = frozenset({"seed", "journal_size", "now"})
# Request keys whose values a run prefixes, so that nothing it creates meets another's: a
# body's own name and code (a validation rule's conditions have names of their own), and
# a source_id anywhere (a member's customer, an order's).
_TOP_KEYS = frozenset({"name", "code", "category"})
# POST /v1/vouchers/{code}, POST /v1/campaigns/{id}/vouchers/{code}: a code the test chose.
_CODE_PATH = re.compile(r"^/v1/(?:vouchers|campaigns/[^/]+/vouchers)/([^/]+)$")
_SOURCE_ID = "source_id"
# Objects inside a body that a call may create, named like the body itself.
_NAMED_INSIDE = frozenset({"customer", "customers", "product", "sku", "products"})
_STASH = pytest.StashKey["LiveRun"]()


class BudgetSpentError(Exception):
    """The run's calls reached the budget: the test stops, the next run resumes."""


@attrs.define
class Budget:
    """The calls of the last hour and the tests done, kept in a state file between runs."""

    path: Path
    limit: int = DEFAULT_BUDGET
    window: float = HOUR
    clock: Callable[[], float] = time.time
    run: str = ""
    calls: list[float] = attrs.field(factory=list)
    done: set[str] = attrs.field(factory=set)

    @classmethod
    def load(cls, path: Path, limit: int, clock: Callable[[], float] = time.time) -> Budget:
        """The state in ``path``, or a new run (with a new prefix) when there is none."""
        budget = cls(path, limit, clock=clock)
        if path.exists():
            state = json.loads(path.read_text(encoding="utf-8"))
            budget.run = state["run"]
            budget.calls = [float(at) for at in state["calls"]]
            budget.done = set(state["done"])
        else:
            budget.run = secrets.token_hex(3)
        return budget

    def save(self) -> None:
        """Write the state (calls of the last hour, tests done) to the state file."""
        recent = [at for at in self.calls if at > self.clock() - self.window]
        state = {"run": self.run, "calls": recent, "done": sorted(self.done)}
        self.path.write_text(json.dumps(state, indent=1), encoding="utf-8")

    def used(self) -> int:
        """Calls made in the last hour."""
        since = self.clock() - self.window
        return sum(1 for at in self.calls if at > since)

    def resume_at(self) -> str:
        """When the oldest call of the hour leaves it (UTC), freeing room again."""
        since = self.clock() - self.window
        oldest = min((at for at in self.calls if at > since), default=self.clock())
        moment = dt.datetime.fromtimestamp(oldest + self.window, tz=dt.timezone.utc)
        return moment.strftime("%H:%M UTC")

    def why_not(self, calls: int) -> str | None:
        """Why ``calls`` more would pass the budget, or ``None`` when they fit."""
        if self.used() + calls <= self.limit:
            return None
        return (
            f"Voucherify budget: {self.used()} of {self.limit} calls made in the last hour; "
            f"run the same command after {self.resume_at()} to resume (state: {self.path})"
        )

    def spend(self, *, cleanup: bool = False) -> None:
        """Count one call; raise ``BudgetSpentError`` when the budget has no room for it.

        A cleanup call is always counted and always allowed: the budget's default leaves
        the sandbox's last 10 calls of the hour for them.
        """
        reason = None if cleanup else self.why_not(1)
        if reason is not None:
            raise BudgetSpentError(reason)
        self.calls.append(self.clock())
        self.save()


@attrs.define
class LiveRun:
    """The session's settings: the project's keys and host, the budget, the prefix."""

    host: str
    headers: dict[str, str]
    budget: Budget
    reserve: int
    report: Path | None = None

    @property
    def prefix(self) -> str:
        """What every name, source_id and code the run creates starts with."""
        return f"lf-{self.budget.run}-"


def _delete_path(found: dict[str, Any]) -> str | None:
    """How to delete what ``found`` (an answered object) is, or ``None`` when it cannot be."""
    kind, key = found.get("object"), found.get("id")
    paths = {
        "campaign": f"/v1/campaigns/{key}?force=true",
        "customer": f"/v1/customers/{key}",
        "product": f"/v1/products/{key}?force=true",
        "reward": f"/v1/rewards/{key}",
        "segment": f"/v1/segments/{key}",
        "validation_rules": f"/v1/validation-rules/{key}",
        "category": f"/v1/categories/{key}",
    }
    if kind == "voucher" and found.get("code") and not found.get("campaign_id"):
        return f"/v1/vouchers/{quote(str(found['code']), safe='')}?force=true"
    return paths.get(str(kind)) if key else None


@attrs.define
class LiveSession:
    """``requests.Session``'s ``request`` towards Voucherify: counted, named, cleaned up.

    Names, source IDs and codes sent are given the run's prefix (and paths and queries
    that name them too); answers have it taken out again, so a test sees its own names.
    Each object a call creates is deleted by ``cleanup``, newest first.
    """

    run: LiveRun
    # The run's prefix and the test's own: a name a test leaves (a campaign in the bin
    # holds its name) never meets the next test's.
    prefix: str = attrs.field(
        default=attrs.Factory(
            lambda self: f"{self.run.prefix}{secrets.token_hex(2)}-", takes_self=True
        )
    )
    http: requests.Session = attrs.field(factory=requests.Session)
    # With --voucherify-live-report: a fresh fake answering the same calls.
    differ: DifferentialApp | None = None
    named: set[str] = attrs.field(factory=set)
    created: list[str] = attrs.field(factory=list)
    orders: list[str] = attrs.field(factory=list)

    def request(self, method: str, url: str, **kwargs: Any) -> requests.Response:
        """Send one call to Voucherify (skipping the test once the budget is spent)."""
        try:
            self.run.budget.spend()
        except BudgetSpentError as spent:
            pytest.skip(str(spent))
        path = url.removeprefix(self.run.host)
        chosen = _CODE_PATH.match(path.partition("?")[0])
        if chosen and method.upper() == "POST":
            self.named.add(unquote(chosen[1]))
        path = self._path(path)
        if "json" in kwargs:
            kwargs["json"] = self._prefixed(kwargs["json"], named=True)
        if isinstance(kwargs.get("params"), dict):
            kwargs["params"] = {k: self._prefixed(v) for k, v in kwargs["params"].items()}
        response = self._send(method, self.run.host + path, **kwargs)
        if response.ok and method.upper() == "POST":
            self._remember(response, kwargs.get("json"))
        response._content = response.content.replace(self.prefix.encode(), b"")
        return response

    def _send(self, method: str, url: str, **kwargs: Any) -> requests.Response:
        """Send to Voucherify; with a report, the fake answers the same call and differs."""
        if self.differ is None:
            return self.http.request(method, url, **kwargs)
        prepared = self.http.prepare_request(requests.Request(method, url, **kwargs))
        sent = _Sent(self.http, prepared)
        self.differ.upstream = sent
        body = prepared.body.encode() if isinstance(prepared.body, str) else prepared.body
        self.differ.handle(
            Request.from_url(method, prepared.path_url, dict(prepared.headers), body or b"")
        )
        assert sent.response is not None
        return sent.response

    def _prefixed(self, value: Any, key: str | None = None, *, named: bool = False) -> Any:
        """``value`` with its names prefixed: ``named`` says its own name and code are."""
        if isinstance(value, dict):
            return {
                # A validation rule's condition name, an order item's code: not ours.
                k: v
                if k in _TOP_KEYS and not named
                else self._prefixed(v, k, named=k in _NAMED_INSIDE)
                for k, v in value.items()
            }
        if isinstance(value, list):
            return [self._prefixed(item, key, named=named) for item in value]
        if not isinstance(value, str) or value.startswith(self.prefix):
            return value
        if value and key in {*_TOP_KEYS, _SOURCE_ID}:
            self.named.add(value)
        return self.prefix + value if value in self.named else value

    def _path(self, path: str) -> str:
        bare, _, query = path.partition("?")
        segments = [
            quote(self.prefix + unquote(part), safe="") if unquote(part) in self.named else part
            for part in bare.split("/")
        ]
        return "/".join(segments) + (f"?{query}" if query else "")

    def _remember(self, response: requests.Response, sent: Any) -> None:
        try:
            body = response.json()
        except ValueError:
            return
        sent_text = json.dumps(sent)
        # The customer, product or category a body names (prefixed) is one the call made.
        made = {kind for kind in ("customer", "product", "category") if f'"{kind}' in sent_text}
        if isinstance(body, dict):
            if "customer" in made and body.get("holder_id"):
                self._created(f"/v1/customers/{body['holder_id']}")
            if "category" in made and body.get("category_id"):
                self._created(f"/v1/categories/{body['category_id']}")
        for found in _objects(body):
            ours = str(found.get("source_id") or found.get("name") or "").startswith(self.prefix)
            if found is body or ours or found.get("object") in made:
                path = _delete_path(found)
                if path is not None:
                    self._created(path)
                if found.get("object") == "order" and found.get("id"):
                    self.orders.append(str(found["id"]))

    def _created(self, path: str) -> None:
        if path not in self.created:
            self.created.append(path)

    def cleanup(self) -> list[str]:
        """Delete what the test created, newest first; what could not be, one line each."""
        problems = []
        # Campaigns first (they hold the cards, assignments and rules that keep a reward or
        # a customer in use), then the rest, newest first.
        newest_first = self.created[::-1]
        order = sorted(newest_first, key=lambda path: not path.startswith("/v1/campaigns/"))
        for path in order:
            self.run.budget.spend(cleanup=True)
            answer = self.http.request("DELETE", self.run.host + path, headers=self.run.headers)
            if not answer.ok and answer.status_code != 404:
                problems.append(f"DELETE {path}: {answer.status_code} {answer.text[:200]}")
        self.created.clear()
        return problems


@attrs.define
class _Sent:
    """The upstream of the live run's differ: the prepared call, sent once by requests."""

    http: requests.Session
    prepared: requests.PreparedRequest
    response: requests.Response | None = None

    def send(self, _request: Request) -> Response:
        """Send the prepared call; keep requests' response for the test."""
        self.response = self.http.send(self.prepared)
        return Response(
            self.response.status_code, self.response.content, tuple(self.response.headers.items())
        )


def _objects(body: Any, depth: int = 0) -> Iterator[dict[str, Any]]:
    """The objects in an answer, the answer first, down to a few levels."""
    if isinstance(body, dict):
        if "object" in body:
            yield body
        if depth < 3:
            for value in body.values():
                yield from _objects(value, depth + 1)
    elif isinstance(body, list) and depth < 3:
        for item in body:
            yield from _objects(item, depth + 1)


def live_mode(config: pytest.Config) -> bool:
    """Whether this run is against Voucherify (``--voucherify-live`` or ``VOUCHERIFY_LIVE``)."""
    return bool(config.getoption(FLAG, default=False)) or os.environ.get(ENV_LIVE, "") not in {
        "",
        "0",
    }


def pytest_addoption(parser: pytest.Parser) -> None:
    """The live run's options."""
    group = parser.getgroup("voucherify-live", "the contract tests against Voucherify itself")
    group.addoption(
        FLAG,
        action="store_true",
        help=f"run the contract tests against the project in ${ENV_APP_ID}/${ENV_SECRET} "
        f"at ${ENV_HOST} (default {DEFAULT_HOST}); also ${ENV_LIVE}=1",
    )
    group.addoption(
        "--voucherify-live-budget",
        type=int,
        default=int(os.environ.get(ENV_BUDGET, DEFAULT_BUDGET)),
        help=f"calls an hour the live run may make (default: ${ENV_BUDGET} or "
        f"{DEFAULT_BUDGET}, under a sandbox's 100)",
    )
    group.addoption(
        "--voucherify-live-reserve",
        type=int,
        default=10,
        help="start no test when fewer calls than this are left (default: 10)",
    )
    group.addoption(
        "--voucherify-live-report",
        metavar="FILE",
        help="replay each live call on a fresh fake too and append the differences to FILE, "
        "JSON lines as `loyalty-fake serve --upstream` writes them (default: no report)",
    )
    group.addoption(
        "--voucherify-live-state",
        default=DEFAULT_STATE,
        help=f"the state file that lets a run resume (default: {DEFAULT_STATE}; delete it "
        "to start over)",
    )


def pytest_configure(config: pytest.Config) -> None:
    """Register ``fake_only``; set up the live run's state when live."""
    config.addinivalue_line(
        "markers",
        "fake_only(reason): the test needs the fake itself and is skipped with --voucherify-live",
    )
    if not live_mode(config):
        return
    budget = Budget.load(
        Path(config.getoption("--voucherify-live-state")),
        config.getoption("--voucherify-live-budget"),
    )
    headers = {
        "X-App-Id": os.environ.get(ENV_APP_ID, ""),
        "X-App-Token": os.environ.get(ENV_SECRET, ""),
    }
    host = os.environ.get(ENV_HOST, DEFAULT_HOST).rstrip("/")
    report = config.getoption("--voucherify-live-report")
    config.stash[_STASH] = LiveRun(
        host,
        headers,
        budget,
        config.getoption("--voucherify-live-reserve"),
        None if report is None else Path(report),
    )


# Tests that fail live against the fake itself, listed in one file (not a marker in each
# test module: the list is refreshed by a run, see docs/live.md).
FAKE_ONLY_LIST = Path(__file__).with_name("live_fake_only.txt")


def _listed() -> frozenset[str]:
    lines = FAKE_ONLY_LIST.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip() for line in lines if line.strip() and not line.startswith("#"))


def fake_only_reason(item: pytest.Item, listed: frozenset[str] = frozenset()) -> str | None:
    """Why ``item`` cannot run against Voucherify, or ``None`` when it can."""
    marker = item.get_closest_marker("fake_only")
    if marker is not None:
        return f"fake only: {marker.args[0] if marker.args else 'marked fake_only'}"
    if item.nodeid.partition("[")[0] in listed:
        return (
            "fake only: fails live against the fake itself (a pinned clock, an empty project, "
            f"fixed codes): listed in {FAKE_ONLY_LIST.name}"
        )
    used = sorted(FAKE_FIXTURES & set(getattr(item, "fixturenames", ())))
    if used:
        return f"fake only: uses {', '.join(used)} (the fake's own clock, faults or state)"
    for marker in item.iter_markers("loyalty_fake"):
        options = sorted(set(marker.kwargs) - _NEUTRAL_OPTIONS)
        if options:
            return f"fake only: sets the fake's option(s) {', '.join(options)}"
    return None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Live: keep the contract tests over requests, and skip those that need the fake."""
    if not live_mode(config):
        return
    kept: list[pytest.Item] = []
    dropped: list[pytest.Item] = []
    for item in items:
        callspec = getattr(item, "callspec", None)
        client = None if callspec is None else callspec.params.get("client")
        (kept if client == "requests" else dropped).append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
    items[:] = kept
    run = config.stash[_STASH]
    missing = [
        name
        for name, value in (
            (ENV_APP_ID, run.headers["X-App-Id"]),
            (ENV_SECRET, run.headers["X-App-Token"]),
        )
        if not value
    ]
    listed = _listed()
    for item in kept:
        reason = fake_only_reason(item, listed)
        if missing:
            reason = (
                f"{FLAG} needs {' and '.join(missing)} (a project's Application ID and Secret "
                f"Key) in the environment, and {ENV_HOST} for a cluster other than "
                f"{DEFAULT_HOST}"
            )
        if reason is not None:
            item.add_marker(pytest.mark.skip(reason=reason))


def pytest_runtest_setup(item: pytest.Item) -> None:
    """Live: skip a test done in this run already, or one the budget has no room for."""
    run = item.config.stash.get(_STASH, None)
    if run is None or item.get_closest_marker("skip"):
        return
    if item.nodeid in run.budget.done:
        pytest.skip(f"done earlier in this live run (state: {run.budget.path})")
    reason = run.budget.why_not(run.reserve)
    if reason is not None:
        pytest.skip(reason)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item,
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """Live: a test that ran (passed or failed) is done; a resumed run skips it."""
    report = yield
    run = item.config.stash.get(_STASH, None)
    if run is not None and report.when == "call" and not report.skipped:
        run.budget.done.add(item.nodeid)
        run.budget.save()
    return report


@pytest.fixture
def voucherify_live(request: pytest.FixtureRequest) -> Iterator[LiveSession]:
    """A session towards Voucherify for one test; what it created is deleted afterwards."""
    run = request.config.stash[_STASH]
    session = LiveSession(run)
    if run.report is not None:
        fake = LoyaltyFake()
        session.differ = DifferentialApp(
            fake, report=run.report, fake_headers=fake.headers, label=request.node.nodeid
        )
    try:
        yield session
    finally:
        problems = session.cleanup()
        if problems:
            pytest.fail("cleanup left objects behind:\n" + "\n".join(problems), pytrace=False)
