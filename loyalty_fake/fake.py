"""``LoyaltyFake``: one fake Voucherify, its transports, and a Python API over its state."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlencode

import attrs

from loyalty_fake.clock import Clock
from loyalty_fake.errors import VoucherifyError
from loyalty_fake.fake_reads import StateReads
from loyalty_fake.faults import Faults
from loyalty_fake.http import client_side
from loyalty_fake.http.app import FakeVoucherifyApp
from loyalty_fake.http.messages import Request, Response, query_pairs
from loyalty_fake.ids import IdGenerator
from loyalty_fake.journal import DEFAULT_JOURNAL_SIZE, Journal
from loyalty_fake.ledger import EarningChoices, Ledger, ValidationRuleChoices
from loyalty_fake.rate_limit import RateLimit, RateLimiter, rate_limit
from loyalty_fake.transports.hosts import HostMatcher, base_urls
from loyalty_fake.transports.httpx_transport import HttpxTransport
from loyalty_fake.transports.requests_transport import RequestsTransport
from loyalty_fake.transports.urllib3_transport import Urllib3Transport

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Mapping
    from types import TracebackType

    from loyalty_fake.ledger.apportion import DiscountRounding
    from loyalty_fake.ledger.earning import ProportionalRounding
    from loyalty_fake.ledger.validation_rules import ViolationKeys
    from loyalty_fake.webhooks import WebhookHub

__all__ = ["DEFAULT_APP_ID", "DEFAULT_APP_TOKEN", "LoyaltyFake"]

DEFAULT_APP_ID = "loyalty-fake-app-id"
DEFAULT_APP_TOKEN = "loyalty-fake-app-token"  # noqa: S105 - a fake's well-known test credential
DEFAULT_KEYS = ("loyalty-fake-management-id", "loyalty-fake-management-token")


def _credentials(value: Mapping[str, str] | None) -> dict[str, str]:
    return dict(value or {})


@attrs.define
class LoyaltyFake(StateReads):
    """A stateful, in-memory Voucherify loyalty API.

    ``start()`` (or ``with``) makes every ``requests``, ``urllib3`` and ``httpx`` call to
    ``*.api.voucherify.io`` and ``base_urls`` land here (other hosts pass through). The
    methods arrange and inspect project ``app_id`` through the rules clients get.

    Options: ``seed`` for IDs and codes, ``now`` to freeze the clock, ``credentials``
    (``{app_id: app_token}``) to accept only those, ``base_urls`` to answer more URLs,
    ``app_id``/``app_token`` for the project the methods act in (default: the first
    ``credentials`` pair, else ``DEFAULT_APP_ID``/``DEFAULT_APP_TOKEN``),
    ``client_credentials`` (``{app_id: (client_app_id, client_token)}``) and
    ``client_origins`` for ``/client/v1``, ``management_credentials`` (``{id: token}``)
    for ``/management/v1``, ``journal_size`` for how many calls ``journal`` keeps (0:
    none), ``rate_limit`` (``"10/s,1000/h"``, docs/faults.md; default off). The others
    pick a reading where Voucherify's documentation is silent (the
    documented or lenient one by default; docs/pytest.md gives each one's values and
    docs/choices.md why): ``strict_joins``, ``strict_content_type``, ``strict_products``,
    ``proportional_points``, ``one_earning_rule_per_event``,
    ``cancel_pending_points_with_order``, ``segment_reentry_earns``,
    ``segment_members_earn_at_rule_creation``, ``imported_orders_earn``,
    ``discount_rounding``, ``rollback_stacked_parts``, ``strict_custom_events``,
    ``refuse_deleting_assigned_validation_rules``, ``validation_rule_violation_keys``.
    """

    seed: int = 0
    now: dt.datetime | str | None = None
    credentials: dict[str, str] = attrs.field(factory=dict, converter=_credentials)
    strict_joins: bool = False
    proportional_points: ProportionalRounding = "steps"
    one_earning_rule_per_event: bool = False
    cancel_pending_points_with_order: bool = False
    base_urls: tuple[str, ...] = attrs.field(default=(), converter=base_urls)
    app_id: str = attrs.field()
    app_token: str = attrs.field()
    strict_content_type: bool = False
    strict_products: bool = False
    segment_reentry_earns: bool = False
    segment_members_earn_at_rule_creation: bool = False
    imported_orders_earn: bool = False
    discount_rounding: DiscountRounding = "half_up"
    rollback_stacked_parts: bool = False
    strict_custom_events: bool = False
    refuse_deleting_assigned_validation_rules: bool = False
    validation_rule_violation_keys: ViolationKeys = "by_area"
    client_credentials: client_side.Pairs = attrs.field(factory=dict, converter=client_side.pairs)
    client_origins: tuple[str, ...] = attrs.field(default=(), converter=client_side.origins)
    journal_size: int = DEFAULT_JOURNAL_SIZE
    rate_limit: RateLimit | None = attrs.field(default=None, converter=rate_limit)
    management_credentials: dict[str, str] = attrs.field(factory=dict, converter=_credentials)
    # The calls clients sent, newest last (docs/journal.md); the Python API's are not calls.
    journal: Journal = attrs.field(init=False)
    # Calls made to fail on purpose (docs/faults.md).
    faults: Faults = attrs.field(init=False)
    ledger: Ledger = attrs.field(init=False)
    app: FakeVoucherifyApp = attrs.field(init=False)
    _hosts: HostMatcher = attrs.field(init=False, repr=False)
    _transports: tuple[Urllib3Transport, HttpxTransport, RequestsTransport] = attrs.field(
        init=False, repr=False
    )

    @app_id.default
    def _default_app_id(self) -> str:
        return next(iter(self.credentials), DEFAULT_APP_ID)

    @app_token.default
    def _default_app_token(self) -> str:
        return self.credentials.get(self.app_id, DEFAULT_APP_TOKEN)

    def __attrs_post_init__(self) -> None:
        clock = Clock(self.now) if self.now is not None else Clock()
        self.ledger = Ledger(
            clock=clock,
            ids=IdGenerator(self.seed),
            strict_joins=self.strict_joins,
            earning_choices=EarningChoices(
                proportional=self.proportional_points,
                one_rule_per_event=self.one_earning_rule_per_event,
                segment_reentry_earns=self.segment_reentry_earns,
                segment_members_earn_at_rule_creation=self.segment_members_earn_at_rule_creation,
                cancel_pending_with_order=self.cancel_pending_points_with_order,
                imported_orders_earn=self.imported_orders_earn,
            ),
            strict_products=self.strict_products,
            discount_rounding=self.discount_rounding,
            rollback_stacked_parts=self.rollback_stacked_parts,
            strict_custom_events=self.strict_custom_events,
            validation_rule_choices=ValidationRuleChoices(
                refuse_deleting_assigned=self.refuse_deleting_assigned_validation_rules,
                violation_keys=self.validation_rule_violation_keys,
            ),
        )
        keys = client_side.client_keys(self.client_credentials)
        self.journal = Journal(size=self.journal_size)
        self.app = FakeVoucherifyApp(
            self.ledger, self.credentials, self.strict_content_type, keys, self.client_origins
        )
        self.faults = Faults(self.seed)
        self.app.journal, self.app.faults = self.journal, self.faults
        self.app.rate_limiter = RateLimiter(self.rate_limit) if self.rate_limit else None
        self.app.management_credentials = self.management_credentials
        self._hosts = HostMatcher(self.base_urls)
        self._transports = (
            Urllib3Transport(self.serve, self.claims, self._hosts.claims_origin),
            HttpxTransport(
                self.serve,
                self.claims,
                self._hosts.claims_origin,
                self._hosts.claims_whole_origin,
            ),
            RequestsTransport(self.claims),
        )

    # -- transports -----------------------------------------------------------------------

    def start(self) -> LoyaltyFake:
        """Start intercepting ``requests``, ``urllib3`` and ``httpx``; returns ``self``."""
        for transport in self._transports:
            transport.start()
        return self

    def stop(self) -> None:
        """Stop intercepting; state is kept. Safe to call twice."""
        for transport in reversed(self._transports):
            transport.stop()

    def __enter__(self) -> LoyaltyFake:  # noqa: PYI034 - typing.Self needs Python 3.11
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def claims(self, url: str) -> bool:
        """Whether ``url`` is one the fake answers."""
        return self._hosts.route_url(url) is not None

    def serve(
        self,
        method: str,
        url: str,
        headers: Mapping[str, str],
        body: bytes,
        client: str | None = None,
    ) -> Response | None:
        """Answer a client's request when ``url`` is the fake's, else ``None``.

        ``client`` (the library that sent it) has the call journaled.
        """
        found = self._hosts.split_url(url)
        if found is None:
            return None
        request = Request.from_url(method, found[1], headers, body, base=found[0])
        return self.app.handle(request, client=client)

    # -- the clock ------------------------------------------------------------------------

    @property
    def clock(self) -> Clock:
        """The fake's clock: ``freeze()``, ``set(...)``, ``advance(days=30)``, ``now()``."""
        return self.ledger.clock

    @property
    def webhooks(self) -> WebhookHub:
        """Webhook events: ``subscribe(callback)``, ``capture()`` (docs/webhooks.md)."""
        return self.app.webhooks

    @property
    def base_url(self) -> str:
        """The URL to configure clients with (Voucherify's own default)."""
        return self.base_urls[0] if self.base_urls else "https://api.voucherify.io"

    @property
    def headers(self) -> dict[str, str]:
        """The authentication headers of the fake's default project."""
        return {"X-App-Id": self.app_id, "X-App-Token": self.app_token}

    @property
    def management_headers(self) -> dict[str, str]:
        """Management API keys the fake accepts (the first configured pair, else any)."""
        management_id, token = next(iter(self.management_credentials.items()), DEFAULT_KEYS)
        return {"X-Management-Id": management_id, "X-Management-Token": token}

    @property
    def client_headers(self) -> dict[str, str]:
        """The default project's client-side keys, for ``/client/v1/...`` (``client_headers``)."""
        return client_side.client_headers(self.client_credentials, self.app_id)

    # -- the Python API -------------------------------------------------------------------

    def request(
        self,
        method: str,
        path: str,
        *,
        json_body: Any = None,
        params: Mapping[str, Any] | None = None,
        app_id: str | None = None,
    ) -> Response:
        """Send one request straight to the handler, as the default project (or ``app_id``).

        The path's own keys go with it: client-side ones to ``/client/v1``, management ones
        (``management_headers``) to ``/management/v1``.
        """
        query = f"?{urlencode(query_pairs(params))}" if params else ""
        headers = dict(self.headers)
        if app_id is not None:
            headers["X-App-Id"] = app_id
            headers["X-App-Token"] = self.credentials.get(app_id, self.app_token)
        if path.startswith("/client/"):
            headers = client_side.client_headers(self.client_credentials, app_id or self.app_id)
        elif path.startswith("/management/"):
            headers = self.management_headers
        body = b""
        if json_body is not None:
            body = json.dumps(json_body).encode()
            headers["Content-Type"] = "application/json"
        request = Request.from_url(method, path + query, headers, body, base=self.base_url)
        return self.app.handle(request)

    def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        response = self.request(method, path, **kwargs)
        payload = response.json()
        if response.status >= 400:  # noqa: PLR2004
            raise VoucherifyError(
                code=response.status,
                key=str(payload.get("key", "")),
                message=str(payload.get("message", "")),
                details=payload.get("details"),
                resource_id=payload.get("resource_id"),
                resource_type=payload.get("resource_type"),
            )
        return payload

    def create_loyalty_program(
        self, name: str, *, app_id: str | None = None, **fields: Any
    ) -> dict[str, Any]:
        """Create a loyalty program (``POST /v1/loyalties``) and return the campaign object.

        ``fields`` are the request body's other fields (``vouchers_count``, ``type``,
        ``voucher``, ``metadata``, ...). Raises ``VoucherifyError`` as the API would answer.
        """
        body = {"name": name, **fields}
        result: dict[str, Any] = self._call("POST", "/v1/loyalties", json_body=body, app_id=app_id)
        return result

    def get_loyalty_program(self, campaign: str, *, app_id: str | None = None) -> dict[str, Any]:
        """A loyalty program by ID or name."""
        result: dict[str, Any] = self._call(
            "GET", f"/v1/loyalties/{quote(campaign, safe='')}", app_id=app_id
        )
        return result

    def add_member(
        self,
        campaign: str,
        customer: str | Mapping[str, Any],
        *,
        app_id: str | None = None,
        **fields: Any,
    ) -> dict[str, Any]:
        """Publish a card of ``campaign`` to ``customer`` and return the card."""
        body = {"customer": customer, **fields}
        path = f"/v1/loyalties/{quote(campaign, safe='')}/members"
        result: dict[str, Any] = self._call("POST", path, json_body=body, app_id=app_id)
        return result

    def list_members(
        self, campaign: str, *, app_id: str | None = None, **params: Any
    ) -> dict[str, Any]:
        """A page of members; ``params`` are query parameters (``created_at={"before": ...}``)."""
        path = f"/v1/loyalties/{quote(campaign, safe='')}/members"
        result: dict[str, Any] = self._call("GET", path, params=params, app_id=app_id)
        return result

    def _member_path(self, code: str, campaign: str | None) -> str:
        prefix = f"/v1/loyalties/{quote(campaign, safe='')}" if campaign else "/v1/loyalties"
        return f"{prefix}/members/{quote(code, safe='')}"

    def get_member(
        self, code: str, *, campaign: str | None = None, app_id: str | None = None
    ) -> dict[str, Any]:
        """A member (card) by code, optionally under its program."""
        result: dict[str, Any] = self._call("GET", self._member_path(code, campaign), app_id=app_id)
        return result

    def add_points(
        self,
        code: str,
        points: int,
        *,
        campaign: str | None = None,
        app_id: str | None = None,
        **fields: Any,
    ) -> dict[str, Any]:
        """Add (or, with negative ``points``, remove) points; returns the balance object.

        ``fields`` are the request's other fields: ``expiration_type``,
        ``expiration_date``, ``reason``, ``source_id``.
        """
        path = self._member_path(code, campaign) + "/balance"
        body = {"points": points, **fields}
        result: dict[str, Any] = self._call("POST", path, json_body=body, app_id=app_id)
        return result

    def transactions(
        self, code: str, *, campaign: str | None = None, app_id: str | None = None, **params: Any
    ) -> dict[str, Any]:
        """A page of the card's transactions.

        ``params``: ``limit``, ``order``, ``starting_after_id``, and ``filters`` as a dict
        (``filters={"id": {"conditions": {"$in": [...]}}}``).
        """
        path = self._member_path(code, campaign) + "/transactions"
        result: dict[str, Any] = self._call("GET", path, params=params, app_id=app_id)
        return result

    def customer(self, ref: str, *, app_id: str | None = None) -> dict[str, Any]:
        """A customer by ID or source_id, with their loyalty summary."""
        path = f"/v1/customers/{quote(ref, safe='')}"
        result: dict[str, Any] = self._call("GET", path, app_id=app_id)
        return result

    def create_reward(
        self, name: str, *, app_id: str | None = None, **fields: Any
    ) -> dict[str, Any]:
        """Create a reward (``POST /v1/rewards``); ``fields`` are the rest of the body.

        ``parameters={"product": {"id": "prod_1"}}`` makes a MATERIAL reward,
        ``parameters={"coin": {"exchange_ratio": 1, "points_ratio": 10}}`` a COIN one.
        """
        result: dict[str, Any] = self._call(
            "POST", "/v1/rewards", json_body={"name": name, **fields}, app_id=app_id
        )
        return result

    def assign_reward(
        self,
        campaign: str,
        reward_id: str,
        points: int | None = None,
        *,
        app_id: str | None = None,
    ) -> dict[str, Any]:
        """Offer a reward in a program at ``points`` (none for a COIN reward); the assignment."""
        body: dict[str, Any] = {"reward": reward_id}
        if points is not None:
            body["parameters"] = {"loyalty": {"points": points}}
        path = f"/v1/loyalties/{quote(campaign, safe='')}/rewards"
        result: dict[str, Any] = self._call("POST", path, json_body=body, app_id=app_id)
        return result

    def redeem_reward(
        self,
        code: str,
        reward_id: str,
        *,
        campaign: str | None = None,
        app_id: str | None = None,
        **fields: Any,
    ) -> dict[str, Any]:
        """Spend a member's points on a reward; ``fields``: ``points``, ``order``, ``metadata``.

        Returns the redemption object.
        """
        reward: dict[str, Any] = {"id": reward_id}
        if "points" in fields:
            reward["points"] = fields.pop("points")
        path = self._member_path(code, campaign) + "/redemption"
        body = {"reward": reward, **fields}
        result: dict[str, Any] = self._call("POST", path, json_body=body, app_id=app_id)
        return result

    def rollback_redemption(
        self, redemption_id: str, *, reason: str | None = None, app_id: str | None = None
    ) -> dict[str, Any]:
        """Roll a redemption back (its points return); returns the rollback object."""
        path = f"/v1/redemptions/{quote(redemption_id, safe='')}/rollback"
        params = {"reason": reason} if reason is not None else None
        result: dict[str, Any] = self._call("POST", path, params=params, app_id=app_id)
        return result

    def reset(self) -> None:
        """Forget every project's data, the journal, faults and rate counts; clock and IDs go on."""
        self.ledger.reset()
        self.app.forget_calls()
