"""A state machine over the HTTP API: programs, members, points, lists and the clock.

Beside tests/test_points_state_machine.py (points on a few cards, in depth), this one
drives whole programs through ``requests`` and the in-process transport: create programs
(including a name taken, refused), publish cards to customers, add points that expire
or not, remove points, list members, programs and publications page by page, and move
the clock. After every step it checks every invariant across the API:

- each program's members list holds exactly the published cards, once each, and
  ``vouchers_count`` counts every card;
- each card's ``balance = points - expired_points - subtracted_points - redeemed_points``,
  never negative, and equal to the model's;
- each customer's ``loyalty.points`` is the sum of their cards' balances;
- the programs and publications lists count what was created and published.

Every program offers one material reward at ``_PRICE`` points: members redeem it and
redemptions are rolled back, the points coming back to their buckets or, when a bucket's
day has passed meanwhile, counting as expired. A redemption refused at the card (the
balance short, no reward named, a card nobody holds) and a second rollback move no points
but leave a failed redemption (``rf_``) or rollback (``rrf_``) that the error names; a
reward the program does not offer is a 404 that records nothing. After every step:

- each card's redemptions list holds its redemptions, rollbacks and failures, and
  ``redeemed_quantity`` counts only the redemptions not rolled back;
- each customer's summary counts succeeded and failed redemptions and rollbacks, the
  totals counting both.

Every program also has an earning rule of ``_EARN`` points on ``order.paid``: orders are
synced (an upsert by ``source_id``) and updated through the statuses, and each time one
becomes ``PAID`` for the first time its customer's cards earn. After every step:

- every paid order was rewarded exactly once on each card its customer held when it was
  first paid (one ``POINTS_ACCRUAL`` naming it), and an order never paid was rewarded never.

Every program also has a ``customer.segment.entered`` rule of ``_ENTER`` points for the
auto-update segment of customers whose metadata ``tier`` is ``gold``; customers are upserted
gold or silver. After every step:

- each customer's first entry was rewarded once on each card they held then, in the
  programs that existed then; leaving and entering again rewarded nothing more.
A second rule awards ``_PENDING_EARN`` points as pending points, ``_PENDING_DAYS`` days
later: each first payment makes one entry per card, which activates at midnight as the
clock passes it, or earlier by hand, unless cancelled. After every step:

- each card's ``loyalty_card.pending_points`` and pending list hold exactly its entries
  still pending, the program's list all of its cards' ones, outside the balance;
- every paid order made exactly one entry per card it credited (pending, activated with
  one ``PENDING_POINTS_ACTIVATION``, or cancelled).
Orders are also imported (``POST /v1/orders/import``): one imported ``PAID`` is paid but
rewarded never, then or later, as Voucherify documents. Each import and bulk customer
update is an async action; after every step the list holds them all, newest first.

Members also check out through stacked redemptions (``POST /v1/redemptions``): their card
redeems the reward with an order (``PAID`` or ``CREATED``, earning as a synced one does),
all or nothing (a stacked redemption naming an unknown code changes nothing), and the
parent is rolled back (``/rollbacks``: every part refunded, the order cancelled; a second
time a failed rollback). A part alone does not roll back. After every step:

- ``GET /v1/redemptions`` lists every redemption, part, parent, rollback and failure;
- each parent is ``ROLLED_BACK`` exactly when rolled back (its order ``CANCELED`` then);
- ``GET /v1/orders`` lists every order synced or paid through a redemption.

The model's cards are the points machine's (``ModelCard``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import quote

import attrs
import requests
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from loyalty_fake import LoyaltyFake
from loyalty_fake.server.control import ControlPlane
from tests.test_points_state_machine import ModelCard, ModelRedemption

BASE_URL = "https://api.voucherify.io"
_UTC = dt.timezone.utc
_START = dt.datetime(2024, 3, 1, tzinfo=_UTC)
_NAMES = ("Coffee Club", "Tea Club", "Cake Club")
_CUSTOMERS = ("alice", "bob", "carol", "dave")
_PAGE = 100
_PRICE = 150
_EARN = 7
_PENDING_EARN = 3
_PENDING_DAYS = 2
_ORDERS = ("order-1", "order-2", "order-3")
_STACKED_ORDERS = ("checkout-1", "checkout-2")
_STATUSES = ("CREATED", "PAID", "FULFILLED", "CANCELED")
_ENTER = 11
_GOLD = {
    "name": "Gold",
    "type": "auto-update",
    "filter": {"metadata.tier": {"conditions": {"$is": "gold"}}},
}
_MOST = 2**53 - 1
# Raw JSON that no reply could carry: refused wherever it is in a body.
_HOSTILE = {
    "lone surrogate": '"cut \\ud83d"',
    "lone low surrogate": '"\\udc00"',
    "NaN": "NaN",
    "Infinity": "Infinity",
    "-Infinity": "-Infinity",
    "1e400": "1e400",
    "a lone surrogate in a key": '{"\\udfff": 1}',
}

Json = dict[str, Any]


# A card of the model: the points machine's buckets, counters and redemptions.
ApiCard = ModelCard


@attrs.frozen
class ApiFailure:
    """A failed redemption or rollback the model expects: its card, holder then, and kind."""

    id: str
    code: str
    holder: str | None
    rollback: bool


@attrs.define
class ApiOrder:
    """An order of the model: its customer, whether it was ever paid, the cards it credited."""

    customer: str
    paid: bool = False
    credited: list[str] = attrs.field(factory=list)


@attrs.define
class ApiPending:
    """A pending points entry of the model: its card, order, activation day and status."""

    code: str
    order: str
    activates_at: dt.date
    status: str = "PENDING"

    @property
    def instant(self) -> dt.datetime:
        """When it activates: 00:00 UTC of its day."""
        return dt.datetime.combine(self.activates_at, dt.time(), tzinfo=_UTC)


@attrs.define
class ApiStacked:
    """A stacked redemption of the model: its parent, parts, order and whether rolled back."""

    id: str
    children: list[str]
    order: str | None
    rolled_back: bool = False


@attrs.define
class ApiProgram:
    """A program of the model: its ID, type and cards by code (publication order kept)."""

    id: str
    name: str
    type: str
    cards: list[str] = attrs.field(factory=list)
    holders: dict[str, str] = attrs.field(factory=dict)  # customer source_id -> code


class ApiMachine(RuleBasedStateMachine):
    """Whole programs through the HTTP API keep every cross-endpoint invariant."""

    def __init__(self) -> None:
        """A started fake at a fixed moment, and an empty model."""
        super().__init__()
        self.fake = LoyaltyFake(now=_START).start()
        self.session = requests.Session()
        self.session.headers.update(self.fake.headers)
        self.now = _START
        self.programs: dict[str, ApiProgram] = {}
        self.cards: dict[str, ApiCard] = {}
        self.redemptions: list[ModelRedemption] = []
        self.failures: list[ApiFailure] = []
        self.orders: dict[str, ApiOrder] = {}
        self.pending: list[ApiPending] = []
        self.async_actions: list[str] = []
        self.stacked: list[ApiStacked] = []
        self.reward_id = self._ok(
            "POST", "/v1/rewards", json={"name": "Mug", "parameters": {"product": {"id": "mug"}}}
        )["id"]
        self.segment_id = self._ok("POST", "/v1/segments", json=_GOLD)["id"]
        # Customer -> the cards their first entry into the segment credited.
        self.entered: dict[str, list[str]] = {}

    def teardown(self) -> None:
        """Stop intercepting: the next run (and test) starts clean."""
        self.session.close()
        self.fake.stop()

    def _call(self, method: str, path: str, **kwargs: Any) -> tuple[int, Json]:
        response = self.session.request(method, BASE_URL + path, timeout=10, **kwargs)
        body: Json = response.json()
        if response.status_code >= 400:
            assert set(body) >= {"code", "key", "message"}, body
            assert body["code"] == response.status_code
        return response.status_code, body

    def _ok(self, method: str, path: str, **kwargs: Any) -> Json:
        status, body = self._call(method, path, **kwargs)
        assert status == 200, body
        return body

    # -- steps ---------------------------------------------------------------------------------

    @rule(
        name=st.sampled_from(_NAMES),
        kind=st.sampled_from(["AUTO_UPDATE", "STATIC"]),
        count=st.integers(min_value=0, max_value=3),
    )
    def create_program(self, name: str, kind: str, count: int) -> None:
        body = {"name": name, "type": kind, "vouchers_count": count}
        status, created = self._call("POST", "/v1/loyalties", json=body)
        if name in self.programs:
            assert (status, created["key"]) == (409, "duplicate_found")
            return
        assert status == 200, created
        assert created["vouchers_count"] == count
        program = ApiProgram(created["id"], name, kind)
        offer = {"reward": self.reward_id, "parameters": {"loyalty": {"points": _PRICE}}}
        self._ok("POST", f"/v1/loyalties/{program.id}/rewards", json=offer)
        earn = {"event": "order.paid", "loyalty": {"type": "FIXED", "points": _EARN}}
        enter = {
            "event": "customer.segment.entered",
            "segment": {"id": self.segment_id},
            "loyalty": {"type": "FIXED", "points": _ENTER},
        }
        self._ok("POST", f"/v1/loyalties/{program.id}/earning-rules", json=[enter])
        later = {
            "event": "order.paid",
            "loyalty": {"type": "FIXED", "points": _PENDING_EARN},
            "pending_points": {"period_type": "DAY", "period_value": _PENDING_DAYS},
        }
        self._ok("POST", f"/v1/loyalties/{program.id}/earning-rules", json=[earn, later])
        for card in self.fake.cards(program.id):
            program.cards.append(card["code"])
            self.cards[card["code"]] = ApiCard(code=card["code"], program=0)
        self.programs[name] = program

    def _has_programs(self) -> bool:
        return bool(self.programs)

    @precondition(_has_programs)
    @rule(data=st.data(), who=st.sampled_from(_CUSTOMERS))
    def publish(self, data: st.DataObject, who: str) -> None:
        program = self.programs[data.draw(st.sampled_from(sorted(self.programs)))]
        path = f"/v1/loyalties/{quote(program.name, safe='')}/members"
        status, body = self._call("POST", path, json={"customer": {"source_id": who}})
        held = program.holders.get(who)
        if held is not None:
            assert (status, body["code"]) == (200, held)
            return
        waiting = [code for code in program.cards if self.cards[code].holder is None]
        if not waiting and program.type == "STATIC":
            assert (status, body["key"]) == (400, "no_voucher_suitable_for_publication")
            return
        assert status == 200, body
        code = body["code"]
        if waiting:
            assert code == waiting[0], "the oldest unpublished card goes first"
        else:
            assert code not in self.cards
            program.cards.append(code)
            self.cards[code] = ApiCard(code=code, program=0)
        self.cards[code].holder = who
        program.holders[who] = code

    def _published(self) -> list[str]:
        return sorted(code for code, card in self.cards.items() if card.holder is not None)

    def _has_published(self) -> bool:
        return bool(self._published())

    def _move_points(self, code: str, body: Json, last_day: dt.date | None) -> None:
        """Send a balance change the model accepts, and apply it to the model."""
        result = self._ok(
            "POST", f"/v1/loyalties/members/{quote(code, safe='')}/balance", json=body
        )
        card = self.cards[code]
        if body["points"] > 0:
            card.add(body["points"], last_day)
        else:
            card.remove(-body["points"])
        assert (result["points"], result["balance"]) == (body["points"], card.balance)

    @precondition(_has_published)
    @rule(
        data=st.data(),
        points=st.integers(min_value=1, max_value=1000),
        days=st.one_of(st.none(), st.integers(min_value=0, max_value=90)),
    )
    def add_points(self, data: st.DataObject, points: int, days: int | None) -> None:
        code = data.draw(st.sampled_from(self._published()))
        if days is None:
            self._move_points(code, {"points": points, "expiration_type": "NON_EXPIRING"}, None)
            return
        last_day = self.now.date() + dt.timedelta(days=days)
        body = {
            "points": points,
            "expiration_type": "CUSTOM_DATE",
            "expiration_date": last_day.isoformat(),
        }
        self._move_points(code, body, last_day)

    def _has_points(self) -> bool:
        return any(self.cards[code].balance for code in self._published())

    @precondition(_has_points)
    @rule(data=st.data())
    def remove_points(self, data: st.DataObject) -> None:
        code = data.draw(st.sampled_from([c for c in self._published() if self.cards[c].balance]))
        amount = data.draw(st.integers(min_value=1, max_value=self.cards[code].balance))
        self._move_points(code, {"points": -amount}, None)

    @precondition(_has_published)
    @rule(data=st.data())
    def remove_too_much(self, data: st.DataObject) -> None:
        code = data.draw(st.sampled_from(self._published()))
        path = f"/v1/loyalties/members/{quote(code, safe='')}/balance"
        before = self.fake.get_member(code)
        status, _ = self._call("POST", path, json={"points": -(self.cards[code].balance + 1)})
        assert status == 400
        assert self.fake.get_member(code) == before

    def _refused(self, code: str, path: str, body: Json | None, key: str, kind: str) -> None:
        """Send a request the fake must refuse with ``key`` while recording a failure."""
        card = self.cards[code]
        before = self.fake.get_member(code)
        status, refused = self._call("POST", path, json=body)
        assert (status, refused["key"]) == (400, key), refused
        assert refused["resource_type"] == kind
        prefix = "rrf_" if kind == "redemption_rollback" else "rf_"
        assert refused["resource_id"].startswith(prefix), refused
        assert self.fake.get_member(code) == before, "a failure moved points"
        failed = self._ok("GET", f"/v1/redemptions/{refused['resource_id']}")
        assert (failed["result"], failed["status"]) == ("FAILURE", "FAILED")
        assert failed["failure_code"] == key
        self.failures.append(
            ApiFailure(refused["resource_id"], code, card.holder, kind == "redemption_rollback")
        )

    @precondition(_has_published)
    @rule(data=st.data(), token=st.sampled_from(sorted(_HOSTILE)))
    def send_hostile_json(self, data: st.DataObject, token: str) -> None:
        """A lone surrogate, NaN or an infinity anywhere in a body: 400, nothing changes."""
        code = quote(data.draw(st.sampled_from(self._published())), safe="")
        program = quote(data.draw(st.sampled_from(sorted(self.programs))), safe="")
        path, body = data.draw(
            st.sampled_from(
                [
                    ("/v1/loyalties", '{"name": "Hostile", "metadata": {"x": TOKEN}}'),
                    (f"/v1/loyalties/{program}/members", '{"customer": {"source_id": TOKEN}}'),
                    (f"/v1/loyalties/members/{code}/balance", '{"points": TOKEN}'),
                    (f"/v1/loyalties/members/{code}/balance", '{"points": 5, "reason": TOKEN}'),
                    (
                        f"/v1/loyalties/members/{code}/redemption",
                        '{"reward": {"id": "REWARD"}, "metadata": {"m": TOKEN}}',
                    ),
                ]
            )
        )
        before = ControlPlane(self.fake).dump()
        status, reply = self._call(
            "POST",
            path,
            data=body.replace("REWARD", self.reward_id).replace("TOKEN", _HOSTILE[token]).encode(),
            headers={"Content-Type": "application/json"},
        )
        assert (status, reply["key"]) == (400, "invalid_payload"), reply
        assert ControlPlane(self.fake).dump() == before

    @precondition(_has_published)
    @rule(data=st.data())
    def overfill_a_card(self, data: st.DataObject) -> None:
        """Points that would take a card past 2^53 - 1 are 400; the card is as it was."""
        code = data.draw(st.sampled_from(self._published()))
        path = f"/v1/loyalties/members/{quote(code, safe='')}/balance"
        earned = self.fake.get_member(code)["loyalty_card"]["points"]
        before = self.fake.get_member(code)
        status, reply = self._call("POST", path, json={"points": _MOST - earned + 1})
        assert (status, reply["key"]) == (400, "invalid_payload")
        assert self.fake.get_member(code) == before

    @precondition(_has_published)
    @rule(data=st.data())
    def redeem(self, data: st.DataObject) -> None:
        code = data.draw(st.sampled_from(self._published()))
        card = self.cards[code]
        path = f"/v1/loyalties/members/{quote(code, safe='')}/redemption"
        body = {"reward": {"id": self.reward_id}}
        if card.balance < _PRICE:
            self._refused(code, path, body, "loyalty_card_points_exceeded", "redemption")
            return
        redeemed = self._ok("POST", path, json=body)
        given = card.redeem(_PRICE)
        assert redeemed["voucher"]["loyalty_card"]["balance"] == card.balance
        self.redemptions.append(ModelRedemption(redeemed["id"], code, _PRICE, given))

    @precondition(_has_published)
    @rule(data=st.data())
    def redeem_without_a_reward(self, data: st.DataObject) -> None:
        code = data.draw(st.sampled_from(self._published()))
        path = f"/v1/loyalties/members/{quote(code, safe='')}/redemption"
        self._refused(code, path, {"metadata": {"till": 1}}, "missing_reward", "redemption")

    def _has_unpublished(self) -> bool:
        return any(card.holder is None for card in self.cards.values())

    @precondition(_has_unpublished)
    @rule(data=st.data())
    def redeem_unpublished(self, data: st.DataObject) -> None:
        unpublished = sorted(code for code, card in self.cards.items() if card.holder is None)
        code = data.draw(st.sampled_from(unpublished))
        path = f"/v1/loyalties/members/{quote(code, safe='')}/redemption"
        body = {"reward": {"id": self.reward_id}}
        self._refused(code, path, body, "voucher_not_published", "redemption")

    @precondition(_has_published)
    @rule(data=st.data())
    def redeem_a_reward_not_offered(self, data: st.DataObject) -> None:
        code = data.draw(st.sampled_from(self._published()))
        path = f"/v1/loyalties/members/{quote(code, safe='')}/redemption"
        before = self.fake.get_member(code)
        status, refused = self._call("POST", path, json={"reward": {"id": "rew_not_offered"}})
        assert (status, refused["resource_type"]) == (404, "reward")
        assert refused["resource_id"] == "rew_not_offered"
        assert self.fake.get_member(code) == before

    def _parts(self) -> set[str]:
        return {child for stacked in self.stacked for child in stacked.children}

    def _singles(self) -> list[ModelRedemption]:
        parts = self._parts()
        return [r for r in self.redemptions if r.id not in parts]

    def _has_redemptions(self) -> bool:
        return any(not redemption.rolled_back for redemption in self._singles())

    @precondition(_has_redemptions)
    @rule(data=st.data())
    def roll_back(self, data: st.DataObject) -> None:
        redemption = data.draw(st.sampled_from([r for r in self._singles() if not r.rolled_back]))
        rollback = self._ok("POST", f"/v1/redemptions/{redemption.id}/rollback")
        assert rollback["amount"] == -redemption.points
        redemption.rolled_back = True
        card = self.cards[redemption.code]
        card.expired += card.refund(redemption.given, self.now)

    def _has_rolled_back(self) -> bool:
        return any(redemption.rolled_back for redemption in self._singles())

    @precondition(_has_rolled_back)
    @rule(data=st.data())
    def roll_back_again(self, data: st.DataObject) -> None:
        redemption = data.draw(st.sampled_from([r for r in self._singles() if r.rolled_back]))
        path = f"/v1/redemptions/{redemption.id}/rollback"
        self._refused(redemption.code, path, None, "already_rolled_back", "redemption_rollback")

    def _pays(self, source_id: str, status: str) -> None:
        """The model's side of an order now in ``status``: its first payment credits cards."""
        order = self.orders[source_id]
        if status != "PAID" or order.paid:
            return
        order.paid = True
        for program in self.programs.values():
            code = program.holders.get(order.customer)
            if code is not None:
                self.cards[code].add(_EARN, None)
                order.credited.append(code)
                day = self.now.date() + dt.timedelta(days=_PENDING_DAYS)
                self.pending.append(ApiPending(code, source_id, day))

    @rule(
        source_id=st.sampled_from(_ORDERS),
        who=st.sampled_from(_CUSTOMERS),
        status=st.sampled_from(_STATUSES),
    )
    def sync_order(self, source_id: str, who: str, status: str) -> None:
        """POST /v1/orders: an upsert by source_id, naming its customer and status."""
        body = {"source_id": source_id, "status": status, "amount": 1000, "customer": who}
        order = self._ok("POST", "/v1/orders", json=body)
        assert order["status"] == status
        self.orders.setdefault(source_id, ApiOrder(who)).customer = who
        self._pays(source_id, status)

    @precondition(_has_published)
    @rule(data=st.data(), source_id=st.sampled_from(_ORDERS))
    def members_order_paid(self, data: st.DataObject, source_id: str) -> None:
        """A member's order synced as PAID: the case earning is about, drawn often."""
        holders = {str(self.cards[code].holder) for code in self._published()}
        self.sync_order(source_id, data.draw(st.sampled_from(sorted(holders))), "PAID")

    def _has_orders(self) -> bool:
        return bool(self.orders)

    @precondition(_has_orders)
    @rule(data=st.data(), status=st.sampled_from(_STATUSES))
    def update_order(self, data: st.DataObject, status: str) -> None:
        """PUT /v1/orders/{source_id}: a status change."""
        source_id = data.draw(st.sampled_from(sorted(self.orders)))
        updated = self._ok("PUT", f"/v1/orders/{source_id}", json={"status": status})
        assert updated["status"] == status
        self._pays(source_id, status)

    @rule(who=st.sampled_from(_CUSTOMERS), tier=st.sampled_from(["gold", "silver"]))
    def set_tier(self, who: str, tier: str) -> None:
        """POST /v1/customers: upserted into (gold) or out of the segment; a first entry earns."""
        self._ok("POST", "/v1/customers", json={"source_id": who, "metadata": {"tier": tier}})
        if tier != "gold" or who in self.entered:
            return
        credited = self.entered[who] = []
        for program in self.programs.values():
            code = program.holders.get(who)
            if code is not None:
                self.cards[code].add(_ENTER, None)
                credited.append(code)

    def _async_action(self, action_id: str, kind: str) -> Json:
        """The finished action ``action_id``, recorded in the model."""
        self.async_actions.append(action_id)
        action = self._ok("GET", f"/v1/async-actions/{action_id}")
        assert (action["type"], action["status"]) == (kind, "DONE")
        result: Json = action["result"]
        return result

    @rule(
        source_id=st.sampled_from(_ORDERS),
        who=st.sampled_from(_CUSTOMERS),
        status=st.sampled_from(_STATUSES),
    )
    def import_order(self, source_id: str, who: str, status: str) -> None:
        """POST /v1/orders/import: an upsert as a sync is, but a PAID one earns nothing."""
        body = [{"source_id": source_id, "status": status, "amount": 1000, "customer": who}]
        accepted = self._ok("POST", "/v1/orders/import", json=body)
        result = self._async_action(accepted["async_action_id"], "ORDERS.IMPORT")
        assert (result["done_count"], result["failed_count"]) == (1, 0)
        order = self.orders.setdefault(source_id, ApiOrder(who))
        order.customer = who
        order.paid = order.paid or status == "PAID"

    @rule(who=st.lists(st.sampled_from(_CUSTOMERS), min_size=1, max_size=3, unique=True))
    def update_customers_in_bulk(self, who: list[str]) -> None:
        """POST /v1/customers/bulk/async: upserts by source_id, balances untouched."""
        body = [{"source_id": name, "metadata": {"bulk": True}} for name in who]
        status, accepted = self._call("POST", "/v1/customers/bulk/async", json=body)
        assert status == 202, accepted
        result = self._async_action(accepted["async_action_id"], "CUSTOMERS.BULK_UPDATE")
        assert (result["done_count"], result["errors"]) == (len(who), [])

    @rule(days=st.integers(min_value=1, max_value=60), hours=st.integers(0, 23))
    def advance_clock(self, days: int, hours: int) -> None:
        step = dt.timedelta(days=days, hours=hours)
        self.fake.clock.advance(step)
        self.now += step
        # Pending points activate first, then points expire (the nightly job's order);
        # these never expire, so the model need not interleave the nights.
        for entry in self._still_pending():
            if entry.instant <= self.now:
                entry.status = "ACTIVATED"
                self.cards[entry.code].add(_PENDING_EARN, None)
        for card in self.cards.values():
            card.expire(self.now)

    def _still_pending(self) -> list[ApiPending]:
        return [entry for entry in self.pending if entry.status == "PENDING"]

    def _has_pending(self) -> bool:
        return bool(self._still_pending())

    @precondition(_has_pending)
    @rule(data=st.data(), action=st.sampled_from(["activate", "cancel"]))
    def settle_pending_by_hand(self, data: st.DataObject, action: str) -> None:
        """Activate or cancel a pending entry by hand; a second time is 400."""
        entry = data.draw(st.sampled_from(self._still_pending()))
        member = f"/v1/loyalties/members/{quote(entry.code, safe='')}/pending-points"
        listed = self._ok("GET", member, params={"limit": _PAGE})["data"]
        (found,) = [e for e in listed if e["details"]["order"]["source_id"] == entry.order]
        path = f"{member}/{found['id']}/{action}"
        reply = self.session.post(BASE_URL + path, timeout=10)
        status, body = reply.status_code, reply.json() if reply.content else {}
        assert status == (200 if action == "activate" else 204), body
        card = self.cards[entry.code]
        if action == "activate":
            card.add(_PENDING_EARN, None)
            assert (body["points"], body["balance"]) == (_PENDING_EARN, card.balance)
        entry.status = "ACTIVATED" if action == "activate" else "CANCELED"
        status, body = self._call("POST", path)
        assert (status, body["key"]) == (400, "invalid_pending_points_state")

    @precondition(_has_programs)
    @rule(
        data=st.data(),
        limit=st.integers(min_value=1, max_value=4),
        order=st.sampled_from(["created_at", "-created_at", "code", "-code"]),
    )
    def list_members_page_by_page(self, data: st.DataObject, limit: int, order: str) -> None:
        program = self.programs[data.draw(st.sampled_from(sorted(self.programs)))]
        codes = self._member_codes(program, limit, order)
        everything = self._member_codes(program, _PAGE, order)
        assert codes == everything
        if order.endswith("code"):
            assert codes == sorted(codes, reverse=order.startswith("-"))

    def _member_codes(self, program: ApiProgram, limit: int, order: str) -> list[str]:
        path = f"/v1/loyalties/{program.id}/members"
        codes: list[str] = []
        for page in range(1, 101):
            listed = self._ok("GET", path, params={"limit": limit, "page": page, "order": order})
            codes.extend(member["code"] for member in listed["vouchers"])
            if len(codes) >= listed["total"] or not listed["vouchers"]:
                assert len(codes) == listed["total"]
                return codes
        raise AssertionError("the members pages never ended")

    @precondition(_has_published)
    @rule(
        data=st.data(),
        source_id=st.sampled_from((*_STACKED_ORDERS, None)),
        status=st.sampled_from(("PAID", "CREATED")),
        unknown=st.booleans(),
    )
    def redeem_stacked(
        self, data: st.DataObject, source_id: str | None, status: str, unknown: bool
    ) -> None:
        """POST /v1/redemptions: the card redeems the reward with an order, or nothing moves."""
        code = data.draw(st.sampled_from(self._published()))
        card = self.cards[code]
        redeemables: list[Json] = [
            {"object": "voucher", "id": code, "reward": {"id": self.reward_id}}
        ]
        if unknown:
            redeemables.append({"object": "voucher", "id": "NOPE"})
        body: Json = {"redeemables": redeemables}
        if source_id is not None:
            body["order"] = {"source_id": source_id, "amount": 2000, "status": status}
        if unknown or card.balance < _PRICE:
            before = (self.fake.get_member(code), self._ok("GET", "/v1/orders"))
            status_code, refused = self._call("POST", "/v1/redemptions", json=body)
            expected = (
                (400, "loyalty_card_points_exceeded")
                if card.balance < _PRICE
                else (404, "not_found")
            )
            assert (status_code, refused["key"]) == expected, refused
            assert (self.fake.get_member(code), self._ok("GET", "/v1/orders")) == before
            return
        made = self._ok("POST", "/v1/redemptions", json=body)
        (child,) = made["redemptions"]
        given = card.redeem(_PRICE)
        self.redemptions.append(ModelRedemption(child["id"], code, _PRICE, given))
        parent = made["parent_redemption"]["id"]
        self.stacked.append(ApiStacked(parent, [child["id"]], source_id))
        if source_id is not None:
            holder = str(card.holder)
            self.orders.setdefault(source_id, ApiOrder(holder)).customer = holder
            assert made["order"]["status"] == status
            self._pays(source_id, status)

    def _has_stacked(self) -> bool:
        return any(not stacked.rolled_back for stacked in self.stacked)

    @precondition(_has_stacked)
    @rule(data=st.data())
    def roll_back_stacked(self, data: st.DataObject) -> None:
        """POST /v1/redemptions/{parent}/rollbacks: every part refunded, the order cancelled."""
        stacked = data.draw(st.sampled_from([s for s in self.stacked if not s.rolled_back]))
        rolled = self._ok("POST", f"/v1/redemptions/{stacked.id}/rollbacks", json={})
        assert [r["redemption"] for r in rolled["rollbacks"]] == stacked.children
        if stacked.order is not None:
            assert rolled["order"]["status"] == "CANCELED"
        stacked.rolled_back = True
        for redemption in self.redemptions:
            if redemption.id in stacked.children:
                redemption.rolled_back = True
                card = self.cards[redemption.code]
                card.expired += card.refund(redemption.given, self.now)

    @precondition(_has_stacked)
    @rule(data=st.data())
    def roll_back_a_part(self, data: st.DataObject) -> None:
        """A part alone does not roll back: 400 invalid_redemption_parent, nothing moves."""
        stacked = data.draw(st.sampled_from([s for s in self.stacked if not s.rolled_back]))
        part = stacked.children[0]
        code = next(r.code for r in self.redemptions if r.id == part)
        before = self.fake.get_member(code)
        status, refused = self._call("POST", f"/v1/redemptions/{part}/rollback")
        assert (status, refused["key"]) == (400, "invalid_redemption_parent")
        assert self.fake.get_member(code) == before

    def _has_stacked_rolled_back(self) -> bool:
        return any(stacked.rolled_back for stacked in self.stacked)

    @precondition(_has_stacked_rolled_back)
    @rule(data=st.data())
    def roll_back_stacked_again(self, data: st.DataObject) -> None:
        """A second rollback of a parent is a failed rollback (rrf_) on its first part's card."""
        stacked = data.draw(st.sampled_from([s for s in self.stacked if s.rolled_back]))
        code = next(r.code for r in self.redemptions if r.id == stacked.children[0])
        path = f"/v1/redemptions/{stacked.id}/rollbacks"
        self._refused(code, path, {}, "already_rolled_back", "redemption_rollback")

    # -- invariants ----------------------------------------------------------------------------

    @invariant()
    def redemptions_and_orders_add_up(self) -> None:
        """The redemptions list holds every record; parents and orders as the model says."""
        listed = self._ok("GET", "/v1/redemptions", params={"limit": 1})
        rolled_back = sum(r.rolled_back for r in self.redemptions)
        parents = len(self.stacked) + sum(s.rolled_back for s in self.stacked)
        assert listed["total"] == (
            len(self.redemptions) + rolled_back + len(self.failures) + parents
        )
        for stacked in self.stacked:
            parent = self._ok("GET", f"/v1/redemptions/{stacked.id}")
            assert parent["status"] == ("ROLLED_BACK" if stacked.rolled_back else "SUCCEEDED")
            assert parent["redemptions"] == stacked.children
        orders = self._ok("GET", "/v1/orders", params={"limit": _PAGE})
        assert orders["total"] == len(self.orders)

    @invariant()
    def programs_and_members_agree(self) -> None:
        listed = self._ok("GET", "/v1/loyalties", params={"limit": _PAGE})
        assert listed["total"] == len(self.programs)
        assert sorted(p["name"] for p in listed["campaigns"]) == sorted(self.programs)
        for program in self.programs.values():
            got = self._ok("GET", f"/v1/loyalties/{program.id}")
            assert got["vouchers_count"] == len(program.cards)
            codes = self._member_codes(program, _PAGE, "-created_at")
            assert len(codes) == len(set(codes)), "a member listed twice"
            published = {code for code in program.cards if self.cards[code].holder is not None}
            assert set(codes) == published

    @invariant()
    def balances_follow_the_rule(self) -> None:
        for code in self._published():
            member = self._ok("GET", f"/v1/loyalties/members/{quote(code, safe='')}")
            loyalty = member["loyalty_card"]
            redeemed = member["redemption"].get("redeemed_points") or 0
            expired = loyalty.get("expired_points", 0)
            subtracted = loyalty.get("subtracted_points", 0)
            assert loyalty["balance"] == loyalty["points"] - expired - subtracted - redeemed
            assert loyalty["balance"] >= 0
            card = self.cards[code]
            assert (loyalty["points"], expired, subtracted, redeemed, loyalty["balance"]) == (
                card.points,
                card.expired,
                card.subtracted,
                card.redeemed,
                card.balance,
            )

    @invariant()
    def customers_hold_their_cards_points(self) -> None:
        for who in sorted({card.holder for card in self.cards.values() if card.holder}):
            customer = self._ok("GET", f"/v1/customers/{who}")
            held = [card for card in self.cards.values() if card.holder == who]
            assert customer["loyalty"]["points"] == sum(card.balance for card in held)

    @invariant()
    def customers_count_their_redemptions(self) -> None:
        for who in sorted({card.holder for card in self.cards.values() if card.holder}):
            summary = self._ok("GET", f"/v1/customers/{who}")["summary"]["redemptions"]
            held = {code for code, card in self.cards.items() if card.holder == who}
            made = [r for r in self.redemptions if r.code in held]
            rolled_back = sum(r.rolled_back for r in made)
            failed = [f for f in self.failures if f.holder == who and not f.rollback]
            failed_rollbacks = [f for f in self.failures if f.holder == who and f.rollback]
            assert summary["total_succeeded"] == len(made)
            assert summary["total_failed"] == len(failed)
            assert summary["total_redeemed"] == len(made) + len(failed)
            assert summary["total_rollback_succeeded"] == rolled_back
            assert summary["total_rollback_failed"] == len(failed_rollbacks)
            assert summary["total_rolled_back"] == rolled_back + len(failed_rollbacks)

    @invariant()
    def cards_list_their_redemptions_and_failures(self) -> None:
        for code in sorted({r.code for r in self.redemptions} | {f.code for f in self.failures}):
            listed = self._ok("GET", f"/v1/vouchers/{quote(code, safe='')}/redemption")
            made = [r for r in self.redemptions if r.code == code]
            rolled_back = [r for r in made if r.rolled_back]
            failed = [f.id for f in self.failures if f.code == code]
            ids = [entry["id"] for entry in listed["redemption_entries"]]
            assert listed["total"] == len(ids) == len(made) + len(rolled_back) + len(failed)
            assert set(failed) <= set(ids)
            assert {r.id for r in made} <= set(ids)
            assert listed["redeemed_quantity"] == len(made) - len(rolled_back)
            dates = [entry["date"] for entry in listed["redemption_entries"]]
            assert dates == sorted(dates, reverse=True), "not newest first"

    @invariant()
    def paid_orders_are_rewarded_exactly_once(self) -> None:
        """Each order's accruals: one per card it credited when first paid; none if never paid."""
        found: dict[str, list[str]] = {}
        entries: list[str] = []
        for code in self._published():
            path = f"/v1/loyalties/members/{quote(code, safe='')}/transactions"
            listed = self._ok("GET", path, params={"limit": _PAGE})
            assert not listed["has_more"]
            for transaction in listed["data"]:
                if transaction["type"] != "POINTS_ACCRUAL":
                    continue
                details = transaction["details"]
                if details["event"]["type"] == "customer.segment.entered":
                    assert details["balance"]["points"] == _ENTER
                    entries.append(code)
                    continue
                assert details["balance"]["points"] == _EARN
                order = details["order"]["source_id"]
                found.setdefault(order, []).append(code)
        expected = {source_id: order.credited for source_id, order in self.orders.items()}
        for source_id in sorted(set(found) | set(expected)):
            assert sorted(found.get(source_id, [])) == sorted(expected.get(source_id, []))
        # Each first entry into the segment, once on each card it credited; no more.
        assert sorted(entries) == sorted(code for codes in self.entered.values() for code in codes)

    @invariant()
    def pending_points_are_listed_and_outside_the_balance(self) -> None:
        """Each card's pending entries: on the card, in its list and its program's."""
        for program in self.programs.values():
            path = f"/v1/loyalties/{program.id}/pending-points"
            listed = self._ok("GET", path, params={"limit": _PAGE})
            assert not listed["has_more"]
            got = sorted(
                (e["voucher_id"], e["details"]["order"]["source_id"]) for e in listed["data"]
            )
            ids = {self.fake.get_member(code)["id"]: code for code in program.cards}
            expected = sorted(
                (voucher_id, entry.order)
                for voucher_id, code in ids.items()
                for entry in self._still_pending()
                if entry.code == code
            )
            assert got == expected
        for code in self._published():
            member = self._ok("GET", f"/v1/loyalties/members/{quote(code, safe='')}")
            waiting = [entry for entry in self._still_pending() if entry.code == code]
            assert member["loyalty_card"].get("pending_points", 0) == _PENDING_EARN * len(waiting)

    @invariant()
    def paid_orders_made_one_pending_entry_per_card(self) -> None:
        """Each order's entries: one per card it credited, activated at most once."""
        for code in self._published():
            path = f"/v1/loyalties/members/{quote(code, safe='')}/transactions"
            listed = self._ok("GET", path, params={"limit": _PAGE})["data"]
            activated = sorted(
                t["details"]["order"]["source_id"]
                for t in listed
                if t["type"] == "PENDING_POINTS_ACTIVATION"
            )
            model = sorted(
                e.order for e in self.pending if e.code == code and e.status == "ACTIVATED"
            )
            assert activated == model
        for source_id, order in self.orders.items():
            made = sorted(entry.code for entry in self.pending if entry.order == source_id)
            assert made == sorted(order.credited)

    @invariant()
    def async_actions_are_listed_newest_first(self) -> None:
        listed = self._ok("GET", "/v1/async-actions", params={"limit": _PAGE})
        assert [action["id"] for action in listed["async_actions"]] == self.async_actions[::-1]

    @invariant()
    def publications_count_the_published_cards(self) -> None:
        listed = self._ok("GET", "/v1/publications", params={"limit": 1})
        assert listed["total"] == len(self._published())


ApiMachine.TestCase.settings = settings(max_examples=40, stateful_step_count=25, deadline=None)


# TestCase is a class-valued property, which mypy cannot take as a base class.
class TestApiStateMachine(ApiMachine.TestCase):  # type: ignore[valid-type,misc]
    """Any sequence of create, publish, balance, redeem, fail, roll back, order, list and clock."""
