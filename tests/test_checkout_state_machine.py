"""A state machine over stacked checkouts: loyalty points, discount vouchers and gift cards.

Beside tests/test_api_state_machine.py (whole programs, loyalty cards only), this one drives
``POST /v1/redemptions`` with every redeemable kind through ``requests``: members' cards
paying with points, discount vouchers with a ``redemption.quantity`` (or none), and gift
cards spending credits, on orders large enough that nothing is capped. Vouchers are made,
points added and gift cards topped up between checkouts; a checkout naming a used-up
voucher, an empty or short gift card, a short card or an unknown code changes nothing (all
or nothing); parents are rolled back (every part with them), twice (refused), and a part
alone is refused. After every step:

- each voucher's ``redeemed_quantity``, each gift card's balance and each card's points
  balance are the model's;
- each voucher's ``GET /v1/vouchers/{code}/redemption`` lists its parts and their rollbacks;
- ``GET /v1/redemptions`` counts every parent, part and rollback; each part reads as
  ``SUCCEEDED`` or ``ROLLED_BACK`` as the model says, naming its parent;
- each checkout's order took the sum of its parts' discounts, ``CANCELED`` once rolled back.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import quote

import attrs
import requests
from hypothesis import event, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from loyalty_fake import LoyaltyFake

BASE_URL = "https://api.voucherify.io"
_START = dt.datetime(2024, 3, 1, tzinfo=dt.timezone.utc)
_CUSTOMERS = ("alice", "bob", "carol")
_AMOUNT = 1_000_000  # every order: no discount, credit or points payment is ever capped
_POINT = 10  # cents a point pays
_PAGE = 100

Json = dict[str, Any]


@attrs.define
class ModelVoucher:
    """A discount voucher (``amount_off``) or gift card (``balance``) of the model."""

    code: str
    gift: bool
    quantity: int | None = None
    redeemed: int = 0
    amount_off: int = 0
    balance: int = 0
    parts: list[str] = attrs.field(factory=list)
    rolled_back: list[str] = attrs.field(factory=list)


@attrs.define
class ModelPart:
    """One redeemable's part of a checkout: its code, kind and what it took off the order."""

    id: str
    code: str
    kind: str  # "card", "discount", "gift"
    amount: int  # points for a card, cents otherwise
    discount: int


@attrs.define
class ModelCheckout:
    """A stacked redemption of the model: parent, parts, order and whether rolled back."""

    id: str
    parts: list[ModelPart]
    order: str
    rolled_back: bool = False


class CheckoutMachine(RuleBasedStateMachine):
    """Stacked checkouts with every redeemable kind add up across redemptions and rollbacks."""

    def __init__(self) -> None:
        """A started fake with one program, one member per customer and a pay-with-points reward."""
        super().__init__()
        self.fake = LoyaltyFake(now=_START).start()
        self.session = requests.Session()
        self.session.headers.update(self.fake.headers)
        self.fake.create_loyalty_program("Club")
        self.cards: dict[str, str] = {}  # customer -> card code
        self.points: dict[str, int] = {}  # card code -> balance
        for who in _CUSTOMERS:
            code = self.fake.add_member("Club", {"source_id": who})["code"]
            self.cards[who] = code
            self.fake.add_points(code, 500)
            self.points[code] = 500
        coin = self.fake.create_reward(
            "Pay with points", parameters={"coin": {"exchange_ratio": 1, "points_ratio": _POINT}}
        )
        self.coin = coin["id"]
        self.fake.assign_reward("Club", self.coin)
        gift = {"type": "GIFT_VOUCHER", "gift": {"amount": 0}}
        self._ok(
            "POST",
            "/v1/campaigns",
            json={"name": "Gifts", "campaign_type": "GIFT_VOUCHERS", "voucher": gift},
        )
        self.vouchers: dict[str, ModelVoucher] = {}
        self.checkouts: list[ModelCheckout] = []
        # Second rollbacks of a parent with a card's part: each a failed rollback (rrf_).
        self.failed_rollbacks = 0

    def teardown(self) -> None:
        """Stop intercepting: the next run (and test) starts clean."""
        self.session.close()
        self.fake.stop()

    def _call(self, method: str, path: str, **kwargs: Any) -> tuple[int, Json]:
        response = self.session.request(method, BASE_URL + path, timeout=10, **kwargs)
        body: Json = response.json()
        if response.status_code >= 400:
            assert set(body) >= {"code", "key", "message"}, body
        return response.status_code, body

    def _ok(self, method: str, path: str, **kwargs: Any) -> Json:
        status, body = self._call(method, path, **kwargs)
        assert status == 200, body
        return body

    def _state(self) -> Json:
        """What a refused request must leave as it was."""
        return {
            "redemptions": self._ok("GET", "/v1/redemptions", params={"limit": 1})["total"],
            "orders": self._ok("GET", "/v1/orders", params={"limit": 1})["total"],
            "vouchers": [
                self._ok("GET", f"/v1/vouchers/{quote(code, safe='')}") for code in self.vouchers
            ],
            "cards": [self.fake.get_member(code) for code in self.points],
        }

    # -- steps ---------------------------------------------------------------------------------

    @rule(
        amount_off=st.sampled_from([100, 500, 1000]),
        quantity=st.one_of(st.none(), st.integers(min_value=1, max_value=2)),
    )
    def create_discount_voucher(self, amount_off: int, quantity: int | None) -> None:
        code = f"OFF-{len(self.vouchers)}"
        discount = {"type": "AMOUNT", "amount_off": amount_off}
        body: Json = {"type": "DISCOUNT_VOUCHER", "discount": discount}
        if quantity is not None:
            body["redemption"] = {"quantity": quantity}
        made = self._ok("POST", f"/v1/vouchers/{code}", json=body)
        assert made["redemption"]["quantity"] == quantity
        self.vouchers[code] = ModelVoucher(code, gift=False, quantity=quantity)
        self.vouchers[code].amount_off = amount_off

    @rule(amount=st.integers(min_value=0, max_value=3000))
    def create_gift_card(self, amount: int) -> None:
        code = f"GIFT-{len(self.vouchers)}"
        body = {"campaign": "Gifts", "gift": {"amount": amount}}
        made = self._ok("POST", f"/v1/vouchers/{code}", json=body)
        assert made["gift"]["balance"] == amount
        self.vouchers[code] = ModelVoucher(code, gift=True, balance=amount)

    def _gift_cards(self) -> list[str]:
        return [code for code, voucher in self.vouchers.items() if voucher.gift]

    @precondition(lambda self: bool(self._gift_cards()))
    @rule(data=st.data(), amount=st.integers(min_value=1, max_value=2000))
    def top_up_gift_card(self, data: st.DataObject, amount: int) -> None:
        code = data.draw(st.sampled_from(self._gift_cards()))
        moved = self._ok("POST", f"/v1/vouchers/{code}/balance", json={"amount": amount})
        self.vouchers[code].balance += amount
        assert moved["balance"] == self.vouchers[code].balance

    @rule(who=st.sampled_from(_CUSTOMERS), points=st.integers(min_value=1, max_value=300))
    def add_points(self, who: str, points: int) -> None:
        code = self.cards[who]
        path = f"/v1/loyalties/members/{code}/balance"
        self._ok("POST", path, json={"points": points, "expiration_type": "NON_EXPIRING"})
        self.points[code] += points

    def _refusal(self, who: str, items: list[tuple[str, int | None]]) -> str | None:
        """The key the model expects to refuse this checkout with, if any (the first one's)."""
        for code, amount in items:
            if code == "NOPE":
                return "not_found"
            if code == self.cards[who]:
                if amount is None or amount > self.points[code]:
                    return "loyalty_card_points_exceeded"
                continue
            voucher = self.vouchers[code]
            if voucher.quantity is not None and voucher.redeemed >= voucher.quantity:
                return "quantity_exceeded"
            if voucher.gift:
                wanted = voucher.balance if amount is None else amount
                if voucher.balance <= 0 or wanted > voucher.balance:
                    return "not_enough_balance"
        return None

    def _draw_redeemables(
        self, data: st.DataObject, who: str, *, unknown: bool
    ) -> tuple[list[tuple[str, int | None]], list[Json]]:
        """Up to four of the customer's card and the vouchers, and maybe an unknown code.

        The model's ``(code, points or credits)`` and the request's redeemables.
        """
        codes = data.draw(
            st.lists(
                st.sampled_from([self.cards[who], *self.vouchers]),
                unique=True,
                min_size=min(2, len(self.vouchers) + 1),
                max_size=4,
            )
        )
        items: list[tuple[str, int | None]] = []
        redeemables: list[Json] = []
        for code in codes:
            voucher = self.vouchers.get(code)
            # Points or credits asked for (sometimes more than there are), or all there are.
            amount = None
            if voucher is None or voucher.gift:
                amount = data.draw(st.one_of(st.none(), st.integers(1, 1500 if voucher else 400)))
            item: Json = {"object": "voucher", "id": code}
            if voucher is None:
                item["reward"] = {"id": self.coin, **({"points": amount} if amount else {})}
                # All the card has pays, then: none is loyalty_card_points_exceeded.
                amount = amount or self.points[code] or None
            elif amount is not None:
                item["gift"] = {"credits": amount}
            items.append((code, amount))
            redeemables.append(item)
        if unknown:
            where = data.draw(st.integers(0, len(items)))
            items.insert(where, ("NOPE", None))
            redeemables.insert(where, {"object": "voucher", "id": "NOPE"})
        return items, redeemables

    @rule(
        data=st.data(),
        who=st.sampled_from(_CUSTOMERS),
        unknown=st.integers(0, 5).map(lambda n: n == 0),
    )
    def check_out(self, data: st.DataObject, who: str, unknown: bool) -> None:
        """POST /v1/redemptions with up to five redeemables: all of them apply, or none."""
        items, redeemables = self._draw_redeemables(data, who, unknown=unknown)
        source_id = f"checkout-{len(self.checkouts)}"
        body = {
            "redeemables": redeemables,
            "order": {"source_id": source_id, "amount": _AMOUNT},
            "customer": {"source_id": who},
        }
        expected = self._refusal(who, items)
        if expected is not None:
            before = self._state()
            status, refused = self._call("POST", "/v1/redemptions", json=body)
            assert refused["key"] == expected, (refused, items)
            assert status == (404 if expected == "not_found" else 400)
            assert self._state() == before, "a refused checkout changed something"
            event(f"checkout refused: {expected}")
            return
        made = self._ok("POST", "/v1/redemptions", json=body)
        parts: list[ModelPart] = []
        for (code, amount), part in zip(items, made["redemptions"], strict=True):
            assert part["redemption"] == made["parent_redemption"]["id"]
            voucher = self.vouchers.get(code)
            if voucher is None:
                assert amount is not None
                self.points[code] -= amount
                parts.append(ModelPart(part["id"], code, "card", amount, amount * _POINT))
                continue
            voucher.redeemed += 1
            voucher.parts.append(part["id"])
            if voucher.gift:
                spent = voucher.balance if amount is None else amount
                voucher.balance -= spent
                parts.append(ModelPart(part["id"], code, "gift", spent, spent))
            else:
                off = voucher.amount_off
                parts.append(ModelPart(part["id"], code, "discount", off, off))
            assert part["amount"] == parts[-1].amount
        assert made["order"]["discount_amount"] == sum(part.discount for part in parts)
        self.checkouts.append(ModelCheckout(made["parent_redemption"]["id"], parts, source_id))
        event(f"checkout made: {len({part.kind for part in parts})} kinds")

    def _live(self) -> list[ModelCheckout]:
        return [checkout for checkout in self.checkouts if not checkout.rolled_back]

    @precondition(lambda self: bool(self._live()))
    @rule(data=st.data())
    def roll_back(self, data: st.DataObject) -> None:
        """/rollbacks: every part undone, counts down, credits and points back."""
        checkout = data.draw(st.sampled_from(self._live()))
        rolled = self._ok("POST", f"/v1/redemptions/{checkout.id}/rollbacks", json={})
        assert [r["redemption"] for r in rolled["rollbacks"]] == [p.id for p in checkout.parts]
        assert rolled["order"]["status"] == "CANCELED"
        checkout.rolled_back = True
        for part in checkout.parts:
            if part.kind == "card":
                self.points[part.code] += part.amount
                continue
            voucher = self.vouchers[part.code]
            voucher.redeemed -= 1
            voucher.rolled_back.append(part.id)
            if part.kind == "gift":
                voucher.balance += part.amount

    @precondition(lambda self: any(c.rolled_back for c in self.checkouts))
    @rule(data=st.data())
    def roll_back_again(self, data: st.DataObject) -> None:
        """A second rollback of a parent is 400 already_rolled_back; nothing moves."""
        checkout = data.draw(st.sampled_from([c for c in self.checkouts if c.rolled_back]))
        vouchers = [self._ok("GET", f"/v1/vouchers/{code}") for code in self.vouchers]
        status, refused = self._call("POST", f"/v1/redemptions/{checkout.id}/rollbacks", json={})
        assert (status, refused["key"]) == (400, "already_rolled_back")
        if any(part.kind == "card" for part in checkout.parts):
            # Recorded on the first card part's card, as a reward redemption's second rollback.
            assert refused["resource_id"].startswith("rrf_")
            self.failed_rollbacks += 1
        assert [self._ok("GET", f"/v1/vouchers/{code}") for code in self.vouchers] == vouchers

    @precondition(lambda self: bool(self._live()))
    @rule(data=st.data())
    def roll_back_a_part(self, data: st.DataObject) -> None:
        """A part alone, of any kind, is 400 invalid_redemption_parent; nothing changes."""
        checkout = data.draw(st.sampled_from(self._live()))
        part = data.draw(st.sampled_from(checkout.parts))
        before = self._state()
        status, refused = self._call("POST", f"/v1/redemptions/{part.id}/rollback")
        assert (status, refused["key"]) == (400, "invalid_redemption_parent")
        assert self._state() == before

    # -- invariants ----------------------------------------------------------------------------

    @invariant()
    def vouchers_count_their_redemptions(self) -> None:
        for code, voucher in self.vouchers.items():
            got = self._ok("GET", f"/v1/vouchers/{code}")
            assert got["redemption"]["redeemed_quantity"] == voucher.redeemed
            if voucher.gift:
                assert got["gift"]["balance"] == voucher.balance
            listed = self._ok("GET", f"/v1/vouchers/{code}/redemption")
            assert listed["redeemed_quantity"] == voucher.redeemed
            entries = [entry["id"] for entry in listed["redemption_entries"]]
            assert listed["total"] == len(entries) == len(voucher.parts) + len(voucher.rolled_back)
            assert set(voucher.parts) <= set(entries)

    @invariant()
    def cards_hold_the_models_points(self) -> None:
        for code, balance in self.points.items():
            assert self.fake.get_member(code)["loyalty_card"]["balance"] == balance

    @invariant()
    def redemptions_and_orders_add_up(self) -> None:
        listed = self._ok("GET", "/v1/redemptions", params={"limit": 1})
        parts = sum(len(checkout.parts) for checkout in self.checkouts)
        rolled = [checkout for checkout in self.checkouts if checkout.rolled_back]
        rolled_parts = sum(len(checkout.parts) for checkout in rolled)
        made = len(self.checkouts) + parts + len(rolled) + rolled_parts
        assert listed["total"] == made + self.failed_rollbacks
        for checkout in self.checkouts:
            status = "ROLLED_BACK" if checkout.rolled_back else "SUCCEEDED"
            for part in checkout.parts:
                got = self._ok("GET", f"/v1/redemptions/{part.id}")
                assert (got["status"], got["redemption"]) == (status, checkout.id)
            order = self._ok("GET", f"/v1/orders/{checkout.order}")
            assert order["discount_amount"] == sum(part.discount for part in checkout.parts)
            assert order["status"] == ("CANCELED" if checkout.rolled_back else "PAID")
        orders = self._ok("GET", "/v1/orders", params={"limit": 1})
        assert orders["total"] == len(self.checkouts)


CheckoutMachine.TestCase.settings = settings(max_examples=30, stateful_step_count=25, deadline=None)


# TestCase is a class-valued property, which mypy cannot take as a base class.
class TestCheckoutStateMachine(CheckoutMachine.TestCase):  # type: ignore[valid-type,misc]
    """Any sequence of vouchers, gift cards, points, checkouts, rollbacks and refusals."""
