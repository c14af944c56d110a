"""A state machine over points: publish, add, remove, redeem, roll back, pend, advance, read.

An independent model keeps each card's buckets (last valid day and points), counters,
transactions and redemptions; after every step each card's member, transactions and
points-expiration answers must agree with it and with the balance rule
``balance = points - expired_points - subtracted_points - redeemed_points``.

Every program has an ``order.paid`` rule whose points pend ``_PENDING_DAYS`` days: paid
orders make entries that activate night by night, each night before points expire, their
expiry counted from the activation; or by hand, or never once cancelled. Each card's
``pending_points`` and pending list agree with the model's entries still pending.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any, Literal
from urllib.parse import quote

import attrs
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
)

from loyalty_fake import LoyaltyFake

_UTC = dt.timezone.utc
_START = dt.datetime(2024, 1, 1, tzinfo=_UTC)
_SOURCE_IDS = ("holder-0", "holder-1", "holder-2", "holder-3")
_NEVER = dt.date.max
# Guards against a cursor that never ends: far more pages than any run can fill.
_MAX_PAGES = 1000
_PENDING_DAYS = 3
_PENDING_POINTS = 9

Json = dict[str, Any]
Rounding = Literal["END_OF_MONTH", "END_OF_QUARTER", "END_OF_YEAR"]
Expiration = Literal["omitted", "PROGRAM_RULES"]
PathForm = Literal["campaign_id", "campaign_name", "no_campaign"]


_points = st.integers(min_value=1, max_value=500)
_path_forms = st.sampled_from(["campaign_id", "campaign_name", "no_campaign"])
_reasons = st.sampled_from([None, "welcome bonus"])


# -- the model ---------------------------------------------------------------------------------


def _month_last_day(year: int, month: int) -> dt.date:
    following = dt.date(year + month // 12, month % 12 + 1, 1)
    return following - dt.timedelta(days=1)


def _timestamp(moment: dt.datetime) -> str:
    return moment.astimezone(_UTC).strftime("%Y-%m-%dT%H:%M:%S.") + (
        f"{moment.microsecond // 1000:03d}Z"
    )


@attrs.frozen
class ModelProgram:
    """A program as the model sees it: its ID, name, initial points and expiry rule."""

    id: str
    name: str
    initial_points: int
    months: int | None
    rounding: Rounding | None

    def last_day(self, earned: dt.datetime) -> dt.date | None:
        """The last day points earned at ``earned`` can be spent; ``None``: never expire."""
        if self.months is None:
            return None
        day = earned.astimezone(_UTC).date()
        months_since_zero = day.year * 12 + (day.month - 1) + self.months
        year, month = months_since_zero // 12, months_since_zero % 12 + 1
        target = min(
            dt.date(year, month, 1) + dt.timedelta(days=day.day - 1), _month_last_day(year, month)
        )
        if self.rounding == "END_OF_MONTH":
            return _month_last_day(target.year, target.month)
        if self.rounding == "END_OF_QUARTER":
            return _month_last_day(target.year, -(-target.month // 3) * 3)
        if self.rounding == "END_OF_YEAR":
            return dt.date(target.year, 12, 31)
        return target


@attrs.frozen
class ModelTransaction:
    """What a transaction must show: its type, change, totals, origin and time."""

    type: str
    points: int
    total: int
    balance: int
    reason: str | None
    created_at: str
    # API and MANUAL for a request's change; None and AUTOMATIC for the fake's own.
    source: str | None = "API"
    operation_type: str = "MANUAL"


@attrs.define
class ModelCard:
    """One card: buckets keyed by last valid day (``_NEVER``: never expires), and counters."""

    code: str
    program: int
    holder: str | None = None
    points: int = 0
    expired: int = 0
    subtracted: int = 0
    redeemed: int = 0
    buckets: dict[dt.date, int] = attrs.field(factory=dict)
    transactions: list[ModelTransaction] = attrs.field(factory=list)

    @property
    def balance(self) -> int:
        """What is left, from the counters."""
        return self.points - self.expired - self.subtracted - self.redeemed

    @property
    def total(self) -> int:
        """A transaction's ``balance.total``: points added less points removed."""
        return self.points - self.subtracted

    def ordered_buckets(self) -> list[tuple[dt.date, int]]:
        """Active buckets, soonest expiry first, never-expiring last."""
        return sorted(self.buckets.items())

    def add(self, points: int, last_day: dt.date | None) -> None:
        """Points with the same last day share a bucket."""
        key = _NEVER if last_day is None else last_day
        self.buckets[key] = self.buckets.get(key, 0) + points
        self.points += points

    def take(self, points: int) -> list[tuple[dt.date, int]]:
        """Consume the soonest-expiring points first; what each bucket gave."""
        remaining = points
        given: list[tuple[dt.date, int]] = []
        for key, held in self.ordered_buckets():
            if not remaining:
                break
            taken = min(held, remaining)
            remaining -= taken
            given.append((key, taken))
            if taken == held:
                del self.buckets[key]
            else:
                self.buckets[key] = held - taken
        assert not remaining, "the model took more than the card held"
        return given

    def remove(self, points: int) -> None:
        """A removal: the soonest-expiring points go first."""
        self.take(points)
        self.subtracted += points

    def redeem(self, points: int) -> list[tuple[dt.date, int]]:
        """A redemption spends like a removal but counts in redeemed points."""
        given = self.take(points)
        self.redeemed += points
        return given

    def refund(self, given: list[tuple[dt.date, int]], now: dt.datetime) -> int:
        """A rollback: each bucket's points come back, expired if its last day has passed."""
        expired = 0
        for key, points in given:
            if key != _NEVER and key < now.astimezone(_UTC).date():
                expired += points
            else:
                self.buckets[key] = self.buckets.get(key, 0) + points
        self.redeemed -= sum(points for _, points in given)
        return expired

    def record(
        self,
        kind: str,
        points: int,
        at: dt.datetime,
        reason: str | None = None,
        *,
        automatic: bool = False,
    ) -> None:
        """Write the transaction a change just made."""
        origin = (None, "AUTOMATIC") if automatic else ("API", "MANUAL")
        self.transactions.append(
            ModelTransaction(
                kind, points, self.total, self.balance, reason, _timestamp(at), *origin
            )
        )

    def expire(self, now: dt.datetime) -> None:
        """Expire every bucket whose last day is over: at the midnight (UTC) after that day."""
        for key, held in self.ordered_buckets():
            if key == _NEVER or key >= now.astimezone(_UTC).date():
                break
            del self.buckets[key]
            self.expired += held
            midnight = dt.datetime.combine(key, dt.time(), tzinfo=_UTC) + dt.timedelta(days=1)
            self.record("POINTS_EXPIRATION", -held, midnight, automatic=True)


@attrs.define
class ModelPending:
    """A pending points entry the model expects: its card, order, day and status."""

    code: str
    order: str
    activates_at: dt.date
    status: str = "PENDING"

    @property
    def instant(self) -> dt.datetime:
        """When it activates: 00:00 UTC of its day."""
        return dt.datetime.combine(self.activates_at, dt.time(), tzinfo=_UTC)


@attrs.define
class ModelRedemption:
    """A redemption the model expects the fake to know: the card, its points and their buckets."""

    id: str
    code: str
    points: int
    given: list[tuple[dt.date, int]]
    rolled_back: bool = False


# Pay with points: 1 unit (100 cents) per 10 points, so a point is worth 10 cents.
_CENTS_PER_POINT = 10


# -- reading the fake --------------------------------------------------------------------------


def _ok(response: Any) -> Json:
    body: Json = response.json()
    assert response.status == 200, body
    return body


@attrs.frozen
class Setup:
    """A run's fake and programs: the first expires points by its rules, the second never."""

    seed: int
    months: int
    rounding: Rounding | None
    initial_points: tuple[int, int]
    vouchers_count: tuple[int, int]
    two_programs: bool
    # Page size of the transaction and bucket walks in the checks.
    page_limit: int
    # The price in points of the material reward every program offers.
    reward_price: int


_setups = st.builds(
    Setup,
    seed=st.integers(min_value=0, max_value=2**16),
    months=st.integers(min_value=1, max_value=3),
    rounding=st.sampled_from([None, "END_OF_MONTH", "END_OF_QUARTER", "END_OF_YEAR"]),
    initial_points=st.tuples(st.sampled_from([0, 0, 40, 75]), st.sampled_from([0, 0, 40, 75])),
    vouchers_count=st.tuples(
        st.integers(min_value=0, max_value=2), st.integers(min_value=0, max_value=2)
    ),
    two_programs=st.booleans(),
    page_limit=st.sampled_from([2, 5, 100]),
    reward_price=st.integers(min_value=1, max_value=300),
)


@st.composite
def _custom_dates(draw: st.DrawFn, now: dt.datetime) -> tuple[str, dt.date]:
    """A CUSTOM_DATE ``expiration_date`` (date or date-time with an offset) and its UTC day."""
    day = now.date() + dt.timedelta(days=draw(st.integers(min_value=-20, max_value=150)))
    if draw(st.booleans()):
        return day.isoformat(), day
    hour = draw(st.integers(min_value=0, max_value=23))
    offset = dt.timezone(dt.timedelta(hours=draw(st.sampled_from([-7, 0, 5]))))
    moment = dt.datetime.combine(day, dt.time(hour, 30), tzinfo=offset)
    text = moment.isoformat().replace("+00:00", "Z")
    return text, moment.astimezone(_UTC).date()


@attrs.frozen
class Snapshot:
    """Everything the API shows about one card."""

    member: Json
    transactions: list[Json]
    buckets: list[Json]


class PointsMachine(RuleBasedStateMachine):
    """Points move, expire and read back through HTTP exactly as an independent model says."""

    def __init__(self) -> None:
        """An empty fake; ``create_programs`` makes the run's own."""
        super().__init__()
        self.fake = LoyaltyFake(now=_START)
        self.now = _START
        self.programs: list[ModelProgram] = []
        self.cards: dict[str, ModelCard] = {}
        self.unpublished: list[list[str]] = []
        self.page_limit = 100
        self.reward_price = 1
        self.rewards: dict[str, str] = {}
        self.redemptions: list[ModelRedemption] = []
        self.pending: list[ModelPending] = []

    # -- setup ---------------------------------------------------------------------------------

    @initialize(setup=_setups)
    def create_programs(self, setup: Setup) -> None:
        self.fake = LoyaltyFake(now="2024-01-01T00:00:00Z", seed=setup.seed)
        self.page_limit = setup.page_limit
        rules: Json = {"period_type": "MONTH", "period_value": setup.months}
        if setup.rounding is not None:
            rules["rounding_type"] = setup.rounding
        specs: list[tuple[str, Json, int | None, Rounding | None]] = [
            ("Expiring Points", rules, setup.months, setup.rounding)
        ]
        if setup.two_programs:
            specs.append(("Lasting Points", {}, None, None))
        for index, (name, expiration_rules, period, round_to) in enumerate(specs):
            initial_points = setup.initial_points[index]
            loyalty_card: Json = {"points": initial_points}
            if expiration_rules:
                loyalty_card["expiration_rules"] = expiration_rules
            body = {
                "name": name,
                "vouchers_count": setup.vouchers_count[index],
                "voucher": {"type": "LOYALTY_CARD", "loyalty_card": loyalty_card},
            }
            created = _ok(self.fake.request("POST", "/v1/loyalties", json_body=body))
            program = ModelProgram(created["id"], name, initial_points, period, round_to)
            self.programs.append(program)
            # The Python API lists unpublished cards, which no HTTP listing shows.
            codes = [card["code"] for card in self.fake.cards(program.id)]
            assert len(codes) == setup.vouchers_count[index]
            self.unpublished.append(codes)
            for code in codes:
                self._new_model_card(code, index)
        # Every program offers a material reward at the run's price and pay-with-points.
        self.reward_price = setup.reward_price
        material = self.fake.create_reward("Mug", parameters={"product": {"id": "prod_mug"}})
        coin = self.fake.create_reward(
            "Coin", parameters={"coin": {"exchange_ratio": 1, "points_ratio": 10}}
        )
        self.rewards = {"MATERIAL": material["id"], "COIN": coin["id"]}
        pending_rule = {
            "event": "order.paid",
            "loyalty": {"type": "FIXED", "points": _PENDING_POINTS},
            "pending_points": {"period_type": "DAY", "period_value": _PENDING_DAYS},
        }
        for program in self.programs:
            self.fake.assign_reward(program.id, material["id"], setup.reward_price)
            self.fake.assign_reward(program.id, coin["id"])
            path = f"/v1/loyalties/{program.id}/earning-rules"
            _ok(self.fake.request("POST", path, json_body=[pending_rule]))
        # A first member, so that points can move from the first step on.
        self._publish(0, _SOURCE_IDS[0])

    def _new_model_card(self, code: str, program_index: int) -> ModelCard:
        program = self.programs[program_index]
        card = ModelCard(code=code, program=program_index)
        if program.initial_points:
            # docs/choices.md: initial points are a bucket and an AUTOMATIC addition.
            card.add(program.initial_points, program.last_day(self.now))
            card.record(
                "POINTS_ADDITION",
                program.initial_points,
                self.now,
                "Initial points of the loyalty program",
                automatic=True,
            )
        self.cards[code] = card
        return card

    # -- paths and reads -----------------------------------------------------------------------

    def _member_path(self, code: str, form: PathForm = "campaign_id") -> str:
        program = self.programs[self.cards[code].program]
        if form == "no_campaign":
            return f"/v1/loyalties/members/{quote(code, safe='')}"
        ref = program.id if form == "campaign_id" else program.name
        return f"/v1/loyalties/{quote(ref, safe='')}/members/{quote(code, safe='')}"

    def _transactions(self, code: str, limit: int, order: str = "-id") -> list[Json]:
        """Every transaction of the card, walking every cursor page, in ``order``."""
        path = self._member_path(code) + "/transactions"
        params: dict[str, Any] = {"limit": limit, "order": order}
        found: list[Json] = []
        for _ in range(_MAX_PAGES):
            page = _ok(self.fake.request("GET", path, params=params))
            assert len(page["data"]) <= limit
            if "starting_after_id" in params:
                assert page["data"], "has_more promised a page that is empty"
            found.extend(page["data"])
            if not page["has_more"]:
                assert "more_starting_after" not in page
                return found
            assert page["data"], "has_more with an empty page"
            assert page["more_starting_after"] == page["data"][-1]["id"]
            params["starting_after_id"] = page["more_starting_after"]
        raise AssertionError("the transactions cursor never ended")

    def _buckets(self, code: str, limit: int) -> list[Json]:
        """Every active points bucket of the card, walking every page."""
        path = self._member_path(code) + "/points-expiration"
        found: list[Json] = []
        for number in range(1, _MAX_PAGES):
            page = _ok(self.fake.request("GET", path, params={"limit": limit, "page": number}))
            found.extend(page["data"])
            if len(found) >= page["total"] or not page["data"]:
                assert len(found) == page["total"]
                return found
        raise AssertionError("the points-expiration pages never ended")

    def _snapshot(self, code: str) -> Snapshot:
        return Snapshot(
            member=_ok(self.fake.request("GET", self._member_path(code))),
            transactions=self._transactions(code, 100),
            buckets=self._buckets(code, 100),
        )

    def _rejected(
        self,
        code: str,
        body: Json,
        form: PathForm,
        key: str | None = None,
        operation: str = "/balance",
    ) -> None:
        """Send a balance change (or redemption) that must fail with 400; nothing changes."""
        before = self._snapshot(code)
        response = self.fake.request(
            "POST", self._member_path(code, form) + operation, json_body=body
        )
        payload = response.json()
        assert response.status == 400, payload
        if key is not None:
            assert payload["key"] == key, payload
        assert self._snapshot(code) == before

    def _published(self) -> list[str]:
        return sorted(code for code, card in self.cards.items() if card.holder is not None)

    def _unpublished_codes(self) -> list[str]:
        return sorted(code for code, card in self.cards.items() if card.holder is None)

    def _has_published(self) -> bool:
        return bool(self._published())

    def _has_unpublished(self) -> bool:
        return bool(self._unpublished_codes())

    # -- rules ---------------------------------------------------------------------------------

    @rule(data=st.data(), who=st.sampled_from(_SOURCE_IDS))
    def publish(self, data: st.DataObject, who: str) -> None:
        program = data.draw(st.integers(min_value=0, max_value=len(self.programs) - 1))
        self._publish(program, who)

    def _publish(self, program_index: int, who: str) -> None:
        """Publish a card of the program to the customer ``who`` (a source_id)."""
        program = self.programs[program_index]
        held = next(
            (
                card.code
                for card in self.cards.values()
                if card.holder == who and card.program == program_index
            ),
            None,
        )
        response = self.fake.request(
            "POST",
            f"/v1/loyalties/{program.id}/members",
            json_body={"customer": {"source_id": who}},
        )
        code = _ok(response)["code"]
        if held is not None:
            # A customer already in the program gets their card back, unchanged.
            assert code == held
            return
        waiting = self.unpublished[program_index]
        if waiting:
            # The oldest unpublished card goes first.
            assert code == waiting.pop(0)
            card = self.cards[code]
        else:
            assert code not in self.cards, "a new card reused a known code"
            card = self._new_model_card(code, program_index)
        card.holder = who

    @precondition(_has_published)
    @rule(
        data=st.data(),
        points=_points,
        expiration=st.sampled_from(["omitted", "PROGRAM_RULES"]),
        form=_path_forms,
        reason=_reasons,
    )
    def add_points(
        self,
        data: st.DataObject,
        points: int,
        expiration: Expiration,
        form: PathForm,
        reason: str | None,
    ) -> None:
        code = data.draw(st.sampled_from(self._published()), label="code")
        body: Json = {"points": points}
        if expiration != "omitted":
            body["expiration_type"] = expiration
        program = self.programs[self.cards[code].program]
        self._add(code, body, form, reason, program.last_day(self.now))

    @precondition(_has_published)
    @rule(data=st.data(), points=_points, form=_path_forms, reason=_reasons)
    def add_non_expiring_points(
        self, data: st.DataObject, points: int, form: PathForm, reason: str | None
    ) -> None:
        code = data.draw(st.sampled_from(self._published()), label="code")
        body: Json = {"points": points, "expiration_type": "NON_EXPIRING"}
        self._add(code, body, form, reason, None)

    @precondition(_has_published)
    @rule(data=st.data(), points=_points, form=_path_forms, reason=_reasons)
    def add_points_until(
        self, data: st.DataObject, points: int, form: PathForm, reason: str | None
    ) -> None:
        code = data.draw(st.sampled_from(self._published()), label="code")
        text, last_day = data.draw(_custom_dates(self.now), label="expiration_date")
        body: Json = {"points": points, "expiration_type": "CUSTOM_DATE", "expiration_date": text}
        if last_day < self.now.date():
            if reason is not None:
                body["reason"] = reason
            self._rejected(code, body, form, "invalid_expiration_date")
            return
        self._add(code, body, form, reason, last_day)

    def _add(
        self, code: str, body: Json, form: PathForm, reason: str | None, last_day: dt.date | None
    ) -> None:
        """Add points that the model expects to last through ``last_day``."""
        if reason is not None:
            body["reason"] = reason
        response = self.fake.request(
            "POST", self._member_path(code, form) + "/balance", json_body=body
        )
        result = _ok(response)
        card = self.cards[code]
        card.add(body["points"], last_day)
        card.record("POINTS_ADDITION", body["points"], self.now, reason)
        self._check_balance_object(result, card, body["points"])

    def _has_points(self) -> bool:
        return any(self.cards[code].balance for code in self._published())

    @precondition(_has_points)
    @rule(data=st.data(), form=_path_forms)
    def remove_points(self, data: st.DataObject, form: PathForm) -> None:
        with_points = [code for code in self._published() if self.cards[code].balance]
        code = data.draw(st.sampled_from(with_points), label="code")
        card = self.cards[code]
        amount = data.draw(
            st.one_of(st.integers(min_value=1, max_value=card.balance), st.just(card.balance)),
            label="amount",
        )
        response = self.fake.request(
            "POST",
            self._member_path(code, form) + "/balance",
            json_body={"points": -amount, "reason": "correction"},
        )
        result = _ok(response)
        card.remove(amount)
        card.record("POINTS_REMOVAL", -amount, self.now, "correction")
        self._check_balance_object(result, card, -amount)

    @precondition(_has_published)
    @rule(data=st.data(), form=_path_forms)
    def remove_more_than_balance(self, data: st.DataObject, form: PathForm) -> None:
        code = data.draw(st.sampled_from(self._published()), label="code")
        balance = self.cards[code].balance
        amount = data.draw(
            st.one_of(
                st.just(balance + 1), st.integers(min_value=balance + 1, max_value=balance + 500)
            ),
            label="amount",
        )
        self._rejected(code, {"points": -amount}, form)

    @precondition(_has_unpublished)
    @rule(
        data=st.data(),
        points=st.one_of(
            st.integers(min_value=-100, max_value=-1), st.integers(min_value=1, max_value=100)
        ),
        form=_path_forms,
    )
    def change_unpublished(self, data: st.DataObject, points: int, form: PathForm) -> None:
        code = data.draw(st.sampled_from(self._unpublished_codes()), label="code")
        self._rejected(code, {"points": points}, form)

    @rule(
        data=st.data(),
        body=st.sampled_from(
            [
                {"points": 0},
                {"points": 0, "expiration_type": "NON_EXPIRING"},
                {"points": 10, "expiration_type": "CUSTOM_DATE"},
                {"points": 10, "expiration_type": "CUSTOM_DATE", "expiration_date": "soon"},
            ]
        ),
        form=_path_forms,
    )
    def invalid_change(self, data: st.DataObject, body: Json, form: PathForm) -> None:
        code = data.draw(st.sampled_from(sorted(self.cards)), label="code")
        self._rejected(code, body, form)

    @precondition(_has_published)
    @rule(data=st.data(), form=_path_forms)
    def redeem_material(self, data: st.DataObject, form: PathForm) -> None:
        code = data.draw(st.sampled_from(self._published()), label="code")
        card = self.cards[code]
        body: Json = {"reward": {"id": self.rewards["MATERIAL"]}}
        if card.balance < self.reward_price:
            self._rejected(
                code, body, form, "loyalty_card_points_exceeded", operation="/redemption"
            )
            return
        self._redeem(code, body, form, self.reward_price)

    @precondition(_has_published)
    @rule(
        data=st.data(),
        form=_path_forms,
        amount=st.integers(min_value=1, max_value=8000),
        ask=st.one_of(st.none(), st.integers(min_value=1, max_value=600)),
    )
    def redeem_coin(
        self, data: st.DataObject, form: PathForm, amount: int, ask: int | None
    ) -> None:
        code = data.draw(st.sampled_from(self._published()), label="code")
        card = self.cards[code]
        reward: Json = {"id": self.rewards["COIN"]}
        if ask is not None:
            reward["points"] = ask
        body: Json = {"reward": reward, "order": {"amount": amount}}
        needed = math.ceil(amount / _CENTS_PER_POINT)
        spent = min(needed, card.balance) if ask is None else min(ask, needed)
        if (ask is not None and ask > card.balance) or spent == 0:
            self._rejected(
                code, body, form, "loyalty_card_points_exceeded", operation="/redemption"
            )
            return
        result = self._redeem(code, body, form, spent)
        discount = min(amount, spent * _CENTS_PER_POINT)
        assert result["order"]["discount_amount"] == discount
        assert result["order"]["total_amount"] == amount - discount

    def _redeem(self, code: str, body: Json, form: PathForm, points: int) -> Json:
        """Redeem, expecting ``points`` spent from the soonest-expiring buckets."""
        response = self.fake.request(
            "POST", self._member_path(code, form) + "/redemption", json_body=body
        )
        result = _ok(response)
        card = self.cards[code]
        given = card.redeem(points)
        card.record("POINTS_REDEMPTION", -points, self.now, automatic=True)
        assert result["amount"] == points
        assert result["status"] == "SUCCEEDED"
        assert result["voucher"]["loyalty_card"]["balance"] == card.balance
        self.redemptions.append(ModelRedemption(result["id"], code, points, given))
        return result

    def _has_redemptions(self) -> bool:
        return any(not r.rolled_back for r in self.redemptions)

    @precondition(_has_redemptions)
    @rule(data=st.data())
    def rollback(self, data: st.DataObject) -> None:
        redemption = data.draw(
            st.sampled_from([r for r in self.redemptions if not r.rolled_back]), label="redemption"
        )
        response = self.fake.request("POST", f"/v1/redemptions/{redemption.id}/rollback")
        result = _ok(response)
        assert result["amount"] == -redemption.points
        redemption.rolled_back = True
        card = self.cards[redemption.code]
        expired = card.refund(redemption.given, self.now)
        card.record("POINTS_REFUND", redemption.points, self.now, automatic=True)
        if expired:
            card.expired += expired
            card.record("POINTS_EXPIRATION", -expired, self.now, automatic=True)

    def _has_rolled_back(self) -> bool:
        return any(r.rolled_back for r in self.redemptions)

    @precondition(_has_rolled_back)
    @rule(data=st.data())
    def rollback_twice(self, data: st.DataObject) -> None:
        redemption = data.draw(
            st.sampled_from([r for r in self.redemptions if r.rolled_back]), label="redemption"
        )
        before = self._snapshot(redemption.code)
        response = self.fake.request("POST", f"/v1/redemptions/{redemption.id}/rollback")
        assert response.status == 400
        assert response.json()["key"] == "already_rolled_back"
        assert self._snapshot(redemption.code) == before

    @rule(minutes=st.integers(min_value=1, max_value=3 * 24 * 60))
    def advance_minutes(self, minutes: int) -> None:
        self._advance(dt.timedelta(minutes=minutes))

    @rule(days=st.integers(min_value=1, max_value=120))
    def advance_days(self, days: int) -> None:
        self._advance(dt.timedelta(days=days))

    def _advance(self, step: dt.timedelta) -> None:
        self.fake.clock.advance(step)
        self.now += step
        # Night by night: the points due before the night expire, then the night's pending
        # points activate, then (in the night's turn or a later one) points expire.
        for entry in sorted(self._still_pending(), key=lambda entry: entry.instant):
            if entry.instant > self.now:
                break
            for card in self.cards.values():
                card.expire(entry.instant - dt.timedelta(milliseconds=1))
            self._activate(entry, entry.instant, automatic=True)
        for card in self.cards.values():
            card.expire(self.now)

    # -- pending points ------------------------------------------------------------------------

    def _still_pending(self) -> list[ModelPending]:
        return [entry for entry in self.pending if entry.status == "PENDING"]

    def _activate(self, entry: ModelPending, at: dt.datetime, *, automatic: bool) -> None:
        """The model's activation: a bucket dated from ``at``, and its transaction."""
        card = self.cards[entry.code]
        card.add(_PENDING_POINTS, self.programs[card.program].last_day(at))
        entry.status = "ACTIVATED"
        origin = ("Automation", "AUTOMATIC") if automatic else ("API", "MANUAL")
        card.transactions.append(
            ModelTransaction(
                "PENDING_POINTS_ACTIVATION",
                _PENDING_POINTS,
                card.total,
                card.balance,
                None,
                _timestamp(at),
                *origin,
            )
        )

    @precondition(_has_published)
    @rule(data=st.data())
    def pay_an_order(self, data: st.DataObject) -> None:
        """A holder's paid order: one pending entry on each card they hold."""
        holders = sorted({str(card.holder) for card in self.cards.values() if card.holder})
        who = data.draw(st.sampled_from(holders), label="who")
        source_id = f"order-{len(self.pending)}-{who}"
        body = {"source_id": source_id, "status": "PAID", "customer": {"source_id": who}}
        _ok(self.fake.request("POST", "/v1/orders", json_body=body))
        day = self.now.astimezone(_UTC).date() + dt.timedelta(days=_PENDING_DAYS)
        for code, card in sorted(self.cards.items()):
            if card.holder == who:
                self.pending.append(ModelPending(code, source_id, day))

    def _has_pending(self) -> bool:
        return bool(self._still_pending())

    @precondition(_has_pending)
    @rule(data=st.data(), action=st.sampled_from(["activate", "cancel"]))
    def settle_pending_by_hand(self, data: st.DataObject, action: str) -> None:
        """Activate (MANUAL, now) or cancel an entry still pending."""
        entry = data.draw(st.sampled_from(self._still_pending()), label="entry")
        path = f"/v1/loyalties/members/{quote(entry.code, safe='')}/pending-points"
        listed = _ok(self.fake.request("GET", path, params={"limit": 100}))["data"]
        (found,) = [e for e in listed if e["details"]["order"]["source_id"] == entry.order]
        response = self.fake.request("POST", f"{path}/{found['id']}/{action}")
        if action == "cancel":
            assert response.status == 204
            entry.status = "CANCELED"
            return
        self._activate(entry, self.now, automatic=False)
        self._check_balance_object(_ok(response), self.cards[entry.code], _PENDING_POINTS)

    @rule(data=st.data())
    def read(self, data: st.DataObject) -> None:
        code = data.draw(st.sampled_from(sorted(self.cards)), label="code")
        by_campaign = _ok(self.fake.request("GET", self._member_path(code)))
        for form in ("campaign_name", "no_campaign"):
            assert _ok(self.fake.request("GET", self._member_path(code, form))) == by_campaign
        limit = data.draw(st.integers(min_value=1, max_value=4), label="limit")
        oldest_first = self._transactions(code, limit, order="id")
        assert oldest_first == self._transactions(code, 100)[::-1]
        assert self._buckets(code, limit) == self._buckets(code, 100)

    # -- checks --------------------------------------------------------------------------------

    def _check_balance_object(self, result: Json, card: ModelCard, points: int) -> None:
        assert result == {
            "points": points,
            "total": card.total,
            "balance": card.balance,
            "type": "loyalty_card",
            "object": "balance",
            "operation_type": "MANUAL",
            "related_object": {"type": "voucher", "id": result["related_object"]["id"]},
        }
        member = _ok(self.fake.request("GET", self._member_path(card.code)))
        assert result["related_object"]["id"] == member["id"]

    @invariant()
    def every_card_agrees(self) -> None:
        for code, card in self.cards.items():
            self._check_card(code, card)

    def _check_card(self, code: str, card: ModelCard) -> None:
        member = _ok(self.fake.request("GET", self._member_path(code)))
        loyalty = member["loyalty_card"]
        points = loyalty["points"]
        balance = loyalty["balance"]
        expired = loyalty.get("expired_points", 0)
        subtracted = loyalty.get("subtracted_points", 0)
        redeemed = member["redemption"].get("redeemed_points") or 0
        assert balance == points - expired - subtracted - redeemed, loyalty
        assert balance >= 0
        assert (member.get("holder_id") is not None) == (card.holder is not None)
        waiting = sorted(e.order for e in self._still_pending() if e.code == code)
        assert loyalty.get("pending_points", 0) == _PENDING_POINTS * len(waiting)
        if card.holder is not None:
            path = self._member_path(code) + "/pending-points"
            listed = _ok(self.fake.request("GET", path, params={"limit": 100}))["data"]
            assert sorted(e["details"]["order"]["source_id"] for e in listed) == waiting

        transactions = self._transactions(code, self.page_limit)
        ids = [transaction["id"] for transaction in transactions]
        assert ids == sorted(ids, reverse=True), "transactions are not newest first"
        assert len(set(ids)) == len(ids), "a transaction appears twice"
        changes = [t["details"]["balance"]["points"] for t in transactions]
        # Initial points are a transaction too, so the transactions sum to the balance.
        assert sum(changes) == balance
        if transactions:
            assert transactions[0]["details"]["balance"]["balance"] == balance
            assert transactions[0]["details"]["balance"]["total"] == points - subtracted

        buckets = self._buckets(code, self.page_limit)
        assert sum(bucket["bucket"]["total_points"] for bucket in buckets) == balance
        assert all(bucket["status"] == "ACTIVE" for bucket in buckets)
        assert all(bucket["bucket"]["total_points"] > 0 for bucket in buckets)
        expiring = [bucket for bucket in buckets if "expires_at" in bucket]
        if expiring:
            soonest = min(expiring, key=lambda bucket: str(bucket["expires_at"]))
            assert loyalty["next_expiration_date"] == soonest["expires_at"]
            assert loyalty["next_expiration_points"] == soonest["bucket"]["total_points"]
        else:
            assert "next_expiration_date" not in loyalty
            assert "next_expiration_points" not in loyalty

        assert (points, balance, expired, subtracted, redeemed) == (
            card.points,
            card.balance,
            card.expired,
            card.subtracted,
            card.redeemed,
        )
        assert [
            (bucket.get("expires_at"), bucket["bucket"]["total_points"]) for bucket in buckets
        ] == [
            (None if day == _NEVER else day.isoformat(), held)
            for day, held in card.ordered_buckets()
        ]
        assert [
            ModelTransaction(
                t["type"],
                t["details"]["balance"]["points"],
                t["details"]["balance"]["total"],
                t["details"]["balance"]["balance"],
                t["reason"],
                t["created_at"],
                t["source"],
                t["details"]["balance"]["operation_type"],
            )
            for t in reversed(transactions)
        ] == card.transactions

    @invariant()
    def customers_see_their_balances(self) -> None:
        holders = {card.holder for card in self.cards.values() if card.holder is not None}
        for who in sorted(holders):
            customer = _ok(self.fake.request("GET", f"/v1/customers/{who}"))
            held = [card for card in self.cards.values() if card.holder == who]
            assert customer["loyalty"]["points"] == sum(card.balance for card in held)
            assert customer["loyalty"]["campaigns"] == {
                self.programs[card.program].name: {
                    "points": card.balance,
                    "referred_customers": 0,
                }
                for card in held
            }


PointsMachine.TestCase.settings = settings(max_examples=100, stateful_step_count=50, deadline=None)


# TestCase is a class-valued property, which mypy cannot take as a base class.
class TestPointsStateMachine(PointsMachine.TestCase):  # type: ignore[valid-type,misc]
    """Any sequence of publish, add, remove, redeem, roll back, advance and read is consistent."""
