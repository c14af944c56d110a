"""Earning: a paid order meets a program's earning rules, and the member's points appear, once."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

from tests.conftest import make_program

if TYPE_CHECKING:
    from loyalty_fake import LoyaltyFake
    from tests.conftest import Client

# A Thursday (day 4; 0 is Sunday), 10:00 UTC.
pytestmark = pytest.mark.loyalty_fake(now="2024-01-25T10:00:00Z")

TEN = {
    "event": "order.paid",
    "loyalty": {"type": "FIXED", "points": 10},
    "source": {"banner": "Ten"},
}


def _ok(reply: Any) -> Any:
    assert reply.status == 200, reply.body
    return reply.body


def _proportional(kind: str, where: str, what: str, **ratio: Any) -> dict[str, Any]:
    return {
        "event": "order.paid",
        "loyalty": {
            "type": "PROPORTIONAL",
            "calculation_type": kind,
            where: {what: {"every": 1000, "points": 1, **ratio}},
        },
    }


def _setup(client: Client, fake: LoyaltyFake, *rules: dict[str, Any], **program: Any) -> str:
    """A program with these rules and ada as its member; her card's code."""
    make_program(client, **program)
    if rules:
        _ok(client.create_earning_rules("Coffee Club", list(rules)))
    code: str = fake.add_member("Coffee Club", {"source_id": "ada"})["code"]
    return code


def _pay(client: Client, source_id: str = "order-1", **order: Any) -> dict[str, Any]:
    body = {"source_id": source_id, "status": "PAID", "customer": {"source_id": "ada"}, **order}
    paid: dict[str, Any] = _ok(client.create_order(body))
    return paid


def _balance(client: Client, code: str) -> int:
    balance: int = _ok(client.get_member(code))["loyalty_card"]["balance"]
    return balance


def _accruals(client: Client, code: str) -> list[dict[str, Any]]:
    transactions = _ok(client.list_transactions(code))["data"]
    return [t for t in transactions if t["type"] == "POINTS_ACCRUAL"]


def test_a_paid_order_earns(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """An order created PAID awards the rule's points as a POINTS_ACCRUAL naming order and rule."""
    code = _setup(client, loyalty_fake, TEN)
    order = _pay(client, amount=2500)
    assert _balance(client, code) == 10
    (accrual,) = _accruals(client, code)
    rule = _ok(client.list_earning_rules("Coffee Club"))["data"][0]
    details = accrual["details"]
    assert (accrual["source"], accrual["reason"]) == ("Automation", None)
    assert details["order"] == {"id": order["id"], "source_id": "order-1"}
    assert details["event"]["type"] == "customer.order.paid"
    assert details["event"]["id"].startswith("evcus_")
    assert details["earning_rule"] == {"id": rule["id"], "source": {"banner": "Ten"}}
    assert details["balance"]["points"] == 10
    assert (details["balance"]["balance"], details["balance"]["operation_type"]) == (
        10,
        "AUTOMATIC",
    )


def test_paying_again_earns_nothing_more(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """Re-sending a paid order, or paying it again, awards nothing more."""
    code = _setup(client, loyalty_fake, TEN)
    _pay(client)
    _pay(client)
    _ok(client.update_order("order-1", {"status": "PAID"}))
    _ok(client.update_order("order-1", {"status": "FULFILLED"}))
    _ok(client.update_order("order-1", {"status": "PAID"}))
    assert _balance(client, code) == 10
    assert len(_accruals(client, code)) == 1


def test_an_order_updated_to_paid_earns_then(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """A CREATED order earns nothing until it is updated to PAID."""
    code = _setup(client, loyalty_fake, TEN)
    _pay(client, status="CREATED")
    assert _balance(client, code) == 0
    _ok(client.update_order("order-1", {"status": "PAID"}))
    assert _balance(client, code) == 10


@pytest.mark.parametrize("status", ["CREATED", "FULFILLED", "CANCELED"])
def test_other_statuses_earn_nothing(
    client: Client, loyalty_fake: LoyaltyFake, status: str
) -> None:
    """CREATED, FULFILLED and CANCELED orders award nothing."""
    code = _setup(client, loyalty_fake, TEN)
    _pay(client, status=status)
    assert _balance(client, code) == 0
    assert _accruals(client, code) == []


def test_cancelling_keeps_the_points(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """Cancelling a paid order takes nothing back (integrations reverse by hand)."""
    code = _setup(client, loyalty_fake, TEN)
    _pay(client)
    _ok(client.update_order("order-1", {"status": "CANCELED"}))
    assert _balance(client, code) == 10


def test_every_matching_rule_awards(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """Two matching rules award two accruals, one per rule."""
    code = _setup(client, loyalty_fake, TEN, _proportional("ORDER_AMOUNT", "order", "amount"))
    _pay(client, amount=2599)
    assert _balance(client, code) == 12
    assert sorted(t["details"]["balance"]["points"] for t in _accruals(client, code)) == [2, 10]


@pytest.mark.parametrize(
    ("rule", "order", "points"),
    [
        (_proportional("ORDER_AMOUNT", "order", "amount"), {"amount": 2599}, 2),
        (
            _proportional("ORDER_TOTAL_AMOUNT", "order", "total_amount"),
            {"amount": 2599, "discount_amount": 1000},
            1,
        ),
        (
            _proportional("ORDER_METADATA", "order", "metadata", every=2, property="visits"),
            {"metadata": {"visits": 7}},
            3,
        ),
        (
            _proportional("ORDER_METADATA", "order", "metadata", property="visits"),
            {"metadata": {"visits": "many"}},
            0,
        ),
        (
            _proportional(
                "ORDER_ITEMS_QUANTITY",
                "order_items",
                "quantity",
                every=1,
                object="product",
                id="p1",
            ),
            {
                "items": [
                    {"product_id": "p1", "quantity": 3, "price": 100},
                    {"product_id": "p1", "quantity": 5, "price": 100, "discount_amount": 500},
                    {"product_id": "p2", "quantity": 4, "price": 100},
                ]
            },
            3,
        ),
        (
            _proportional(
                "ORDER_ITEMS_AMOUNT",
                "order_items",
                "amount",
                applicable_to=[{"object": "sku", "id": "sku_1"}],
            ),
            {
                "items": [
                    {"sku_id": "sku_1", "quantity": 2, "price": 1500, "discount_amount": 1000},
                    {"product_id": "p2", "quantity": 1, "price": 9000},
                ]
            },
            3,
        ),
        (
            _proportional(
                "ORDER_ITEMS_SUBTOTAL_AMOUNT",
                "order_items",
                "subtotal_amount",
                object="sku",
                id="sku_1",
            ),
            {"items": [{"sku_id": "sku_1", "quantity": 2, "price": 1500, "discount_amount": 1000}]},
            2,
        ),
        (
            _proportional("CUSTOMER_METADATA", "customer", "metadata", every=1, property="ltv"),
            {"customer": {"source_id": "ada", "metadata": {"ltv": 4}}},
            4,
        ),
    ],
    ids=[
        "amount",
        "total",
        "metadata",
        "not-a-number",
        "quantity",
        "items",
        "subtotal",
        "customer",
    ],
)
def test_proportional_points(
    client: Client,
    loyalty_fake: LoyaltyFake,
    rule: dict[str, Any],
    order: dict[str, Any],
    points: int,
) -> None:
    """Each calculation type counts its value, in whole steps of every (rounded down)."""
    code = _setup(client, loyalty_fake, rule)
    _pay(client, **order)
    assert _balance(client, code) == points


@pytest.mark.loyalty_fake(proportional_points="pro_rata")
def test_pro_rata_rounding_is_a_switch(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """With proportional_points="pro_rata", 1500 at 5 points every 1000 is 7, not 5."""
    rule = _proportional("ORDER_AMOUNT", "order", "amount", points=5)
    code = _setup(client, loyalty_fake, rule)
    _pay(client, amount=1500)
    assert _balance(client, code) == 7


@pytest.mark.loyalty_fake(one_earning_rule_per_event=True)
def test_one_rule_per_event_is_a_switch(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """With one_earning_rule_per_event, only the rule awarding most (10 > 2) awards."""
    code = _setup(client, loyalty_fake, TEN, _proportional("ORDER_AMOUNT", "order", "amount"))
    _pay(client, amount=2599)
    assert _balance(client, code) == 10
    assert len(_accruals(client, code)) == 1


@pytest.mark.parametrize(
    "gate",
    [
        {"active": False},
        {"start_date": "2024-01-26T00:00:00Z"},
        {"expiration_date": "2024-01-25T09:59:59Z"},
        {"validity_day_of_week": [0, 6]},
        {"validity_hours": {"daily": [{"start_time": "12:00", "expiration_time": "14:00"}]}},
        {
            "start_date": "2024-01-24T00:00:00Z",
            "validity_timeframe": {"duration": "PT2H", "interval": "P1D"},
        },
    ],
    ids=["inactive", "not-started", "expired", "weekend", "lunch", "timeframe"],
)
def test_gates_keep_a_rule_out(
    client: Client, loyalty_fake: LoyaltyFake, gate: dict[str, Any]
) -> None:
    """An inactive rule, or one outside its dates, days, hours or time frame, awards nothing."""
    code = _setup(client, loyalty_fake, {**TEN, **gate})
    _pay(client)
    assert _balance(client, code) == 0


@pytest.mark.parametrize(
    "gate",
    [
        {"start_date": "2024-01-25T09:00:00Z", "expiration_date": "2024-01-25T10:00:00Z"},
        {"validity_day_of_week": [4]},
        {
            "validity_hours": {
                "daily": [{"start_time": "09:30", "expiration_time": "10:00", "days_of_week": [4]}]
            }
        },
        {
            "start_date": "2024-01-20T09:00:00Z",
            "validity_timeframe": {"duration": "PT2H", "interval": "P1D"},
        },
    ],
    ids=["dates", "thursday", "morning", "timeframe"],
)
def test_within_its_gates_a_rule_awards(
    client: Client, loyalty_fake: LoyaltyFake, gate: dict[str, Any]
) -> None:
    """Inside its dates, days, hours and time frame (bounds included) a rule awards."""
    code = _setup(client, loyalty_fake, {**TEN, **gate})
    _pay(client)
    assert _balance(client, code) == 10


def test_a_disabled_rule_awards_again_once_enabled(
    client: Client, loyalty_fake: LoyaltyFake
) -> None:
    """Disable stops a rule; enable brings it back for the next orders."""
    code = _setup(client, loyalty_fake, TEN)
    rule = _ok(client.list_earning_rules("Coffee Club"))["data"][0]["id"]
    _ok(client.switch_earning_rule("Coffee Club", rule, enable=False))
    _pay(client, "o1")
    _ok(client.switch_earning_rule("Coffee Club", rule, enable=True))
    _pay(client, "o2")
    assert _balance(client, code) == 10


@pytest.mark.parametrize(
    "program",
    [
        {"start_date": "2024-02-01T00:00:00Z"},
        {"expiration_date": "2024-01-01T00:00:00Z"},
        {"validity_day_of_week": [1]},
    ],
    ids=["program-not-started", "program-expired", "program-mondays"],
)
def test_the_programs_time_frame_bounds_its_rules(
    client: Client, loyalty_fake: LoyaltyFake, program: dict[str, Any]
) -> None:
    """A rule without a time frame of its own follows its program's."""
    code = _setup(client, loyalty_fake, TEN, **program)
    _pay(client)
    assert _balance(client, code) == 0


def test_a_non_member_earns_nothing(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """Without auto_join, a customer who holds no card earns nothing and joins nothing."""
    _setup(client, loyalty_fake, TEN)
    _pay(client, customer={"source_id": "bob"})
    assert _ok(client.list_members("Coffee Club"))["total"] == 1


def test_auto_join_makes_a_member_who_earns(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """With auto_join, a customer's paid order makes them a member and earns."""
    _setup(client, loyalty_fake, TEN, auto_join=True)
    _pay(client, customer={"source_id": "bob"})
    bob = _ok(client.get_customer("bob"))
    assert bob["loyalty"]["points"] == 10
    assert _ok(client.list_members("Coffee Club"))["total"] == 2


def test_only_the_customers_programs_earn(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """Each program's rules award its own card; a program ada is not in awards nothing."""
    code = _setup(client, loyalty_fake, TEN)
    make_program(client, "Tea Club")
    _ok(
        client.create_earning_rules(
            "Tea Club", [{**TEN, "loyalty": {"type": "FIXED", "points": 3}}]
        )
    )
    tea = loyalty_fake.add_member("Tea Club", {"source_id": "ada"})["code"]
    _pay(client)
    assert (_balance(client, code), _balance(client, tea)) == (10, 3)
    assert _ok(client.get_customer("ada"))["loyalty"]["points"] == 13


def test_the_rules_own_expiry(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """A rule's expiration_rules date its points, in place of the program's."""
    rule = {**TEN, "expiration_rules": {"period_type": "MONTH", "period_value": 1}}
    code = _setup(client, loyalty_fake, rule)
    _pay(client)
    (bucket,) = _ok(client.list_points_expiration("Coffee Club", code))["data"]
    assert (bucket["expires_at"], bucket["bucket"]["total_points"]) == ("2024-02-25", 10)


def test_the_activity_records_the_award(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """The member's activity shows the points added, with the accrual transaction."""
    code = _setup(client, loyalty_fake, TEN)
    _pay(client)
    newest = _ok(client.list_activity(code))["data"][0]
    assert newest["type"] == "customer.voucher.loyalty_card.points_added"
    payload = newest["data"]["data"]
    assert payload["balance"]["points"] == 10
    assert payload["transaction"]["type"] == "POINTS_ACCRUAL"


def test_an_order_without_customer_earns_nothing(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """A paid order naming no customer has no one to award."""
    code = _setup(client, loyalty_fake, TEN)
    _ok(client.create_order({"status": "PAID", "amount": 100}))
    assert _balance(client, code) == 0


def test_a_deleted_rule_awards_nothing_but_its_points_stay(
    client: Client, loyalty_fake: LoyaltyFake
) -> None:
    """Points a rule gave stay after it is deleted; later orders earn nothing from it."""
    code = _setup(client, loyalty_fake, TEN)
    _pay(client, "o1")
    rule = _ok(client.list_earning_rules("Coffee Club"))["data"][0]["id"]
    assert client.delete_earning_rule("Coffee Club", rule).status == 204
    _pay(client, "o2")
    assert _balance(client, code) == 10
