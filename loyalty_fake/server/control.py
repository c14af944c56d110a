"""The control plane under ``/_fake/``: reset, state, clock, seed, journal, OpenAPI, dashboard.

The dashboard is ``dashboard_page.py``'s: paged views, never the whole state.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import TYPE_CHECKING, Any

from loyalty_fake.clock import format_timestamp
from loyalty_fake.errors import VoucherifyError, bad_request
from loyalty_fake.http.app import Keep, encode_json, printable
from loyalty_fake.http.async_actions_json import async_action_json
from loyalty_fake.http.campaigns_json import campaign_json
from loyalty_fake.http.cards_json import member_json
from loyalty_fake.http.client_side import DEFAULT_CLIENT_TOKEN
from loyalty_fake.http.customers_json import customers_json
from loyalty_fake.http.earning_rules_json import earning_rule_json
from loyalty_fake.http.messages import JSON_HEADERS, Request, Response
from loyalty_fake.http.orders_json import synced_order_json
from loyalty_fake.http.params import Body, parse_json_body
from loyalty_fake.http.points_json import transaction_json
from loyalty_fake.http.publications_json import publication_json
from loyalty_fake.http.redemptions_json import failed_redemption_json, redemption_json
from loyalty_fake.http.rewards_json import assignment_json, reward_json
from loyalty_fake.http.segments_json import segment_json
from loyalty_fake.http.vouchers_json import voucher_record_json
from loyalty_fake.journal import journal_page
from loyalty_fake.seeding import seed_program
from loyalty_fake.server.dashboard_page import dashboard_response
from loyalty_fake.server.fault_bodies import add_fault, fault_json, fault_list
from loyalty_fake.server.served import Served, served

if TYPE_CHECKING:
    from collections.abc import Callable

    from loyalty_fake.fake import LoyaltyFake

__all__ = ["PREFIX", "ControlPlane"]

PREFIX = "/_fake/"
_ADVANCE_UNITS = ("weeks", "days", "hours", "minutes", "seconds", "milliseconds")


def _json(body: Any, status: int = 200) -> Response:
    try:
        encoded = encode_json(body)
    except ValueError:  # UnicodeEncodeError too: see printable()
        encoded = encode_json(printable(body))
    return Response(status, encoded, JSON_HEADERS)


class ControlPlane:
    """Answers ``/_fake/...`` requests for one fake. Mutating calls are journaled by the server."""

    def __init__(self, target: Served | LoyaltyFake) -> None:
        """Serve the control plane of ``target``'s ledger (a ``Served``, or a fake's)."""
        self.served = served(target)
        self._routes: dict[tuple[str, str], Callable[[Request], Response]] = {
            ("GET", ""): self.dashboard,
            ("GET", "state"): self.state,
            ("POST", "reset"): self.reset,
            ("GET", "clock"): self.clock,
            ("POST", "clock"): self.move_clock,
            ("POST", "seed"): self.seed,
            ("GET", "openapi.json"): self.openapi,
            ("GET", "journal"): self.journal,
            ("DELETE", "journal"): self.clear_journal,
            ("GET", "faults"): self.list_faults,
            ("POST", "faults"): self.add_fault,
            ("DELETE", "faults"): self.clear_faults,
        }

    def handle(self, request: Request, keep: Keep | None = None) -> Response:
        """Answer one control-plane request as one unit of work; errors use Voucherify's envelope.

        A bug answers 500 and changes nothing, as on the API; ``keep`` writes the request
        down inside the unit (see ``FakeVoucherifyApp.answer``).
        """
        if request.method == "GET" and not request.path[len(PREFIX) :].strip("/"):
            # Outside the unit of work: the dashboard locks the ledger for its slices only.
            try:
                return self.dashboard(request)
            except VoucherifyError as error:
                return self.served.app.error_response(error)
        return self.served.app.answer(request, self._route, keep)

    def _route(self, request: Request) -> Response:
        name = request.path[len(PREFIX) :].strip("/")
        route = self._routes.get((request.method, name))
        if route is None:
            known = ", ".join(f"{m} {PREFIX}{n}" for m, n in self._routes)
            raise VoucherifyError(
                code=404,
                key="not_found",
                message="Resource not found",
                details=f"No control-plane operation {request.method} {request.path}; "
                f"known: {known}",
                resource_id=request.path,
                resource_type="control_plane_operation",
            )
        return route(request)

    # -- operations -------------------------------------------------------------------------

    def clock(self, _request: Request) -> Response:
        """``GET /_fake/clock``: now, and whether the clock is frozen."""
        return _json(self._clock_json())

    def _clock_json(self) -> dict[str, Any]:
        clock = self.served.clock
        return {"now": format_timestamp(clock.now()), "frozen": clock.frozen}

    def move_clock(self, request: Request) -> Response:
        """``POST /_fake/clock``: ``set`` a moment, ``advance`` by ``{"days": 30}``, or freeze.

        Body: ``{"set": ts}``, ``{"advance": {...}}``, ``{"freeze": true}``, ``{"unfreeze": true}``.
        """
        body = Body(parse_json_body(request))
        clock = self.served.clock
        moment = body.timestamp("set")
        advance = body.obj("advance")
        if moment is not None:
            clock.set(moment)
        elif advance is not None:
            step = {unit: advance.integer(unit, minimum=0) or 0 for unit in _ADVANCE_UNITS}
            try:
                delta = dt.timedelta(**step)
                clock.now() + delta  # within the calendar?
            except OverflowError:
                body.fail("advance", "must not move the clock past 9999-12-31T23:59:59.999Z")
            clock.advance(delta)
        elif body.boolean("freeze"):
            clock.freeze()
        elif body.boolean("unfreeze"):
            clock.unfreeze()
        else:
            raise bad_request(
                "invalid_payload",
                "Invalid payload",
                "Payload must have one of the properties 'set', 'advance', 'freeze', 'unfreeze'",
            )
        return _json(self._clock_json())

    def reset(self, request: Request) -> Response:
        """``POST /_fake/reset``: forget every project; ``{"seed": N}`` also restarts the IDs."""
        body = Body(parse_json_body(request))
        seed = body.integer("seed", minimum=0)
        self.served.ledger.reset()
        self._forget_calls()
        if seed is not None:
            self.served.ledger.ids.reseed(seed)
        return _json({"reset": True, "seed": self.served.ledger.ids.seed})

    def journal(self, request: Request) -> Response:
        """``GET /_fake/journal``: the calls answered, newest last, filtered and paged.

        Query: ``operation``, ``method``, ``path``, ``status`` (as ``Journal.calls``),
        ``limit`` (1-1000, default 100: the newest that many), ``page`` (1: the newest).
        """
        return _json(journal_page(self.served.app.journal, request.query))

    def clear_journal(self, _request: Request) -> Response:
        """``DELETE /_fake/journal``: forget the calls answered so far."""
        self._clear_journal()
        return Response(204, b"", ())

    def list_faults(self, _request: Request) -> Response:
        """``GET /_fake/faults``: the faults in force, oldest first."""
        return _json({"faults": fault_list(self.served.app.faults)})

    def add_fault(self, request: Request) -> Response:
        """``POST /_fake/faults``: add a fault (a status or latency: see docs/faults.md)."""
        faults = self.served.app.faults
        if faults is None:
            raise bad_request("invalid_payload", "Invalid payload", "This server has no faults")
        fault = add_fault(faults, Body(parse_json_body(request)))
        return _json({"faults": fault_list(faults), "added": fault_json(fault)})

    def clear_faults(self, _request: Request) -> Response:
        """``DELETE /_fake/faults``: remove every fault."""
        if self.served.app.faults is not None:
            self.served.app.faults.clear()
        return Response(204, b"", ())

    def _clear_journal(self) -> None:
        if self.served.app.journal is not None:
            self.served.app.journal.clear()

    def _forget_calls(self) -> None:
        """A reset's: the journal's calls, the faults and the rate counts go with the state."""
        self.served.app.forget_calls()

    def seed(self, request: Request) -> Response:
        """``POST /_fake/seed``: reset, then build the demo data from ``seed``.

        Body: ``seed`` (default 42), ``programs`` (1), ``members`` (5), ``app_id``,
        ``earning`` (``false``; ``true`` adds earning rules and members' paid orders).
        """
        body = Body(parse_json_body(request))
        seed = body.integer("seed", minimum=0)
        programs = body.integer("programs", minimum=1, maximum=20) or 1
        members = body.integer("members", minimum=0, maximum=100_000)
        app_id = body.string("app_id", non_empty=True)
        earning = body.boolean("earning") or False
        chosen_seed = 42 if seed is None else seed
        self.served.ledger.reset()
        self._forget_calls()
        self.served.ledger.ids.reseed(chosen_seed)
        summary = seed_program(
            self.served.ledger,
            app_id or self.served.app_id,
            seed=chosen_seed,
            programs=programs,
            members=5 if members is None else members,
            earning=earning,
        )
        return _json(summary)

    def openapi(self, request: Request) -> Response:
        """``GET /_fake/openapi.json``: the document of what the fake implements, served here."""
        from loyalty_fake.openapi import openapi_document  # noqa: PLC0415 - built on demand

        document = openapi_document()
        host = request.header("host")
        if host:
            # Point clients (schemathesis, Postman) at this server, not at Voucherify.
            document["servers"] = [{"url": f"http://{host}"}]
        return _json(document)

    def state(self, _request: Request) -> Response:
        """``GET /_fake/state``: every project's programs, cards, customers, publications, ...

        ... transactions, rewards, redemptions, earning rules, orders and async actions.
        """
        return _json(self.dump())

    def dump(self) -> dict[str, Any]:
        """The whole state as JSON-ready data."""
        ledger = self.served.ledger
        projects: dict[str, Any] = {}
        for app_id in sorted(ledger.app_ids()):
            # A session per project: due points expire before the project is read.
            with ledger.session(app_id) as session:
                project = session.project
                campaigns = {c.id: c for c in project.campaigns.values()}
                projects[app_id] = {
                    "programs": [campaign_json(c) for c in campaigns.values()],
                    "cards": [
                        member_json(card, campaigns[card.campaign_id])
                        for card in project.cards.values()
                    ],
                    "customers": customers_json(session, project.customers.values()),
                    "publications": [publication_json(p) for p in project.publications],
                    "transactions": [
                        transaction_json(t, card)
                        for card in project.cards.values()
                        for t in card.transactions
                    ],
                    "rewards": [reward_json(r) for r in project.rewards.values()],
                    "reward_assignments": [
                        assignment_json(a) for a in project.reward_assignments.values()
                    ],
                    "redemptions": [
                        redemption_json(
                            r,
                            project.cards[r.card_code],
                            campaigns[r.campaign_id],
                            project.customers[r.customer_id],
                        )
                        for r in project.redemptions.values()
                        # A program deleted for good takes its cards' redemptions along.
                        if r.campaign_id in campaigns
                        and project.cards.get(r.card_code) is not None
                        and project.cards[r.card_code].campaign_id == r.campaign_id
                    ],
                    "failed_redemptions": [
                        failed_redemption_json(
                            f,
                            card,
                            campaigns[f.campaign_id],
                            project.customers.get(f.customer_id or ""),
                            project.customers.get(card.holder_id or ""),
                        )
                        for code, failures in project.failures_by_card.items()
                        if (card := project.cards.get(code)) is not None
                        and card.campaign_id in campaigns
                        for f in failures
                    ],
                    "segments": [
                        {**segment_json(s), "customers": list(s.members)}
                        for s in project.segments.values()
                    ],
                    "earning_rules": [earning_rule_json(r) for r in project.earning_rules.values()],
                    "orders": [synced_order_json(o) for o in project.orders.values()],
                    "async_actions": [async_action_json(a) for a in project.async_actions.values()],
                    "vouchers": [
                        voucher_record_json(v, campaigns.get(v.campaign_id or ""))
                        for v in project.vouchers.values()
                    ],
                    "client_side_keys": self._client_side_keys(app_id),
                }
        return {
            "clock": self._clock_json(),
            "seed": ledger.ids.seed,
            "client_origins": list(self.served.app.client_origins),
            "projects": projects,
        }

    def _client_side_keys(self, app_id: str) -> dict[str, str] | None:
        """The client-side keys that open project ``app_id``; ``None`` when none does.

        Its configured pair; while no keys of either kind are configured, its app id with
        the fake's default token (any non-empty token opens it then). A client token is
        public (it ships in a web page): showing it hides nothing.
        """
        app = self.served.app
        for key in app.client_keys.values():
            if key.app_id == app_id:
                return {
                    "client_application_id": key.client_application_id,
                    "client_token": key.client_token,
                }
        if app.client_keys or app.credentials:
            return None
        return {"client_application_id": app_id, "client_token": DEFAULT_CLIENT_TOKEN}

    # -- the dashboard ----------------------------------------------------------------------

    def dashboard(self, request: Request) -> Response:
        """``GET /_fake/``: one paged, searchable view (see ``dashboard_page.py``)."""
        return dashboard_response(self.served, request)


def dump_json(fake: Served | LoyaltyFake) -> str:
    """The full state dump as pretty JSON (for the command line)."""
    return json.dumps(ControlPlane(fake).dump(), indent=2, ensure_ascii=False)
