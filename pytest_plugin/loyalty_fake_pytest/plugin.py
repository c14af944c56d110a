"""Fixtures and markers that serve a fresh fake Voucherify to each test.

Use the ``loyalty_fake`` fixture; configure it with
``@pytest.mark.loyalty_fake(seed=..., now=..., credentials=..., strict_joins=..., base_urls=...,
strict_content_type=..., strict_products=...)``
(a marked test gets the fake even when it does not request the fixture);
``loyalty_fake_server`` serves the test's fake at a URL, with ``/_fake/`` only when the
marker says ``control_plane=True``.

Installing the package loads this module into every pytest run of the project, tests that
never use the fake included: it imports nothing of the fake until a test asks for it
(issue 21), so such a run pays a few milliseconds, not the fake's import.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from collections.abc import Iterator

    from loyalty_fake import LoyaltyFake
    from loyalty_fake.server import LiveServer
    from loyalty_fake.webhooks import WebhookEvent

__all__ = [
    "loyalty_fake",
    "loyalty_fake_live_server",
    "loyalty_fake_server",
    "loyalty_fake_webhooks",
    "pytest_configure",
]

_OPTIONS = (
    "seed",
    "now",
    "credentials",
    "strict_joins",
    "proportional_points",
    "one_earning_rule_per_event",
    "base_urls",
    "app_id",
    "app_token",
    "strict_content_type",
    "strict_products",
    "segment_reentry_earns",
    "segment_members_earn_at_rule_creation",
    "cancel_pending_points_with_order",
    "imported_orders_earn",
    "discount_rounding",
    "rollback_stacked_parts",
    "refuse_deleting_assigned_validation_rules",
    "validation_rule_violation_keys",
    "client_credentials",
    "client_origins",
    "journal_size",
    "rate_limit",
    "management_credentials",
    "strict_custom_events",
)
_SEEDING = ("programs", "members", "earning")
_SERVER = ("control_plane",)
# Seeded states built this session, by options: each test restores its own copy.
_SEEDED: dict[tuple[Any, ...], bytes] = {}


def pytest_configure(config: pytest.Config) -> None:
    """Register the ``loyalty_fake`` marker."""
    config.addinivalue_line(
        "markers",
        "loyalty_fake(seed=0, now=None, credentials=None, strict_joins=False, "
        "proportional_points='steps', one_earning_rule_per_event=False, base_urls=(), "
        "app_id=None, app_token=None, strict_content_type=False, programs=None, members=None, "
        "control_plane=False, strict_products=False, segment_reentry_earns=False, "
        "segment_members_earn_at_rule_creation=False, cancel_pending_points_with_order=False, "
        "imported_orders_earn=False, earning=False, discount_rounding='half_up', "
        "rollback_stacked_parts=False, refuse_deleting_assigned_validation_rules=False, "
        "validation_rule_violation_keys='by_area', client_credentials=None, client_origins=(), "
        "journal_size=1000, rate_limit=None, management_credentials=None, "
        "strict_custom_events=False): "
        "options for the loyalty_fake fixture, which every marked test gets; programs/members "
        "seed demo data from seed; control_plane serves /_fake/ on loyalty_fake_server",
    )


def _options(request: pytest.FixtureRequest) -> dict[str, Any]:
    options: dict[str, Any] = {}
    # Closest marker last, so a test's own marker overrides its module's or class's.
    for marker in reversed(list(request.node.iter_markers("loyalty_fake"))):
        if marker.args:
            raise pytest.UsageError("@pytest.mark.loyalty_fake takes keyword arguments only")
        unknown = set(marker.kwargs) - set(_OPTIONS) - set(_SEEDING) - set(_SERVER)
        if unknown:
            raise pytest.UsageError(
                f"unknown loyalty_fake option(s) {sorted(unknown)}; "
                f"known: {[*_OPTIONS, *_SEEDING, *_SERVER]}"
            )
        options.update(marker.kwargs)
    return {key: value for key, value in options.items() if value is not None}


@pytest.fixture(autouse=True)
def _loyalty_fake_for_marked_tests(request: pytest.FixtureRequest) -> None:
    """A test marked ``loyalty_fake`` gets the fake even if it does not ask for the fixture.

    Without this, a marked test that forgot ``loyalty_fake`` in its arguments would send
    its calls to the real api.voucherify.io.
    """
    if "loyalty_fake" not in request.fixturenames and request.node.get_closest_marker(
        "loyalty_fake"
    ):
        request.getfixturevalue("loyalty_fake")


@pytest.fixture
def loyalty_fake(request: pytest.FixtureRequest) -> Iterator[LoyaltyFake]:
    """A fresh fake Voucherify answering ``requests``, ``urllib3`` and ``httpx`` calls to its hosts.

    Patching is undone when the test ends, pass or fail. A test that made the fake
    hit an internal error fails at teardown with that error.
    """
    from loyalty_fake import LoyaltyFake  # noqa: PLC0415 - the fake only once a test asks

    options = _options(request)
    seeding = {key: options.pop(key) for key in _SEEDING if key in options}
    for key in _SERVER:
        options.pop(key, None)
    fake = LoyaltyFake(**options)
    if seeding:
        _seed(fake, options, seeding)
    fake.start()
    try:
        yield fake
    finally:
        fake.stop()
    if fake.app.internal_errors:
        first = fake.app.internal_errors[0]
        pytest.fail(
            f"loyalty-fake hit an internal error: {type(first).__name__}: {first}", pytrace=False
        )


def _seed(fake: LoyaltyFake, options: dict[str, Any], seeding: dict[str, Any]) -> None:
    """Give ``fake`` the seeded data, built once per session for these options."""
    from loyalty_fake.seeding import seed_demo  # noqa: PLC0415 - Faker only when seeding

    key = (repr(sorted(options.items())), repr(sorted(seeding.items())))
    snapshot = _SEEDED.get(key)
    if snapshot is None:
        seed_demo(
            fake,
            seed=fake.seed,
            programs=int(seeding.get("programs", 1)),
            members=int(seeding.get("members", 5)),
            earning=bool(seeding.get("earning", False)),
        )
        _SEEDED[key] = fake.ledger.snapshot()
    else:
        fake.ledger.restore(snapshot)


@pytest.fixture(scope="session")
def loyalty_fake_live_server() -> Iterator[LiveServer]:
    """One server for the session, on a free loopback port; each test plugs its fake in."""
    from loyalty_fake.server import LiveServer, SwappableApp  # noqa: PLC0415 - waitress on demand

    server = LiveServer(SwappableApp()).start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def loyalty_fake_server(
    request: pytest.FixtureRequest,
    loyalty_fake: LoyaltyFake,
    loyalty_fake_live_server: LiveServer,
) -> Iterator[LiveServer]:
    """The test's ``loyalty_fake`` at a real URL (``.url``).

    For calls from a subprocess or another language: they see the same state as the
    test's in-process calls. The server is the session's; only this test's fake is
    plugged into it, and unplugged when the test ends. ``/_fake/`` (reset, clock,
    state, the dashboard) answers only with ``@pytest.mark.loyalty_fake(control_plane=True)``.
    """
    from loyalty_fake.server import ServerApp, SwappableApp  # noqa: PLC0415

    slot = loyalty_fake_live_server.app
    assert isinstance(slot, SwappableApp)  # noqa: S101 - the session fixture made it
    control_plane = bool(_options(request).get("control_plane", False))
    slot.current = ServerApp(loyalty_fake, control_plane=control_plane)
    try:
        yield loyalty_fake_live_server
    finally:
        slot.current = None


@pytest.fixture
def loyalty_fake_webhooks(loyalty_fake: LoyaltyFake) -> list[WebhookEvent]:
    """Every webhook event the test's ``loyalty_fake`` sends from now on, in order.

    Filled synchronously: an event is in the list when the call that caused it returns
    (docs/webhooks.md).
    """
    return loyalty_fake.webhooks.capture()
