"""Rewards redeemed automatically: the flag on an assignment, and the nightly run."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

from tests.conftest import make_program
from tests.test_rewards import COIN

if TYPE_CHECKING:
    from loyalty_fake import LoyaltyFake
    from tests.conftest import Client

# 10:00 UTC on 25 Jan 2024.
pytestmark = pytest.mark.loyalty_fake(now="2024-01-25T10:00:00Z")

BOOK = {"name": "Book", "type": "MATERIAL", "parameters": {"product": {"id": "prod_1"}}}


def _ok(reply: Any) -> Any:
    assert reply.status == 200, reply.body
    return reply.body


def _auto(points: int, *, flag: bool | None = True) -> dict[str, Any]:
    return {"parameters": {"loyalty": {"points": points, "auto_redeem": flag}}}


def _setup(client: Client, fake: LoyaltyFake, points: int = 100) -> tuple[str, str, str]:
    """Coffee Club offering a book for ``points`` automatically; ada's code, the IDs."""
    program: str = make_program(client)["id"]
    reward: str = _ok(client.create_reward(BOOK))["id"]
    body = {"campaign": program, **_auto(points)}
    assignment: str = _ok(client.create_assignment_of_reward(reward, body))["id"]
    code: str = fake.add_member("Coffee Club", {"source_id": "ada"})["code"]
    return code, reward, assignment


def _balance(client: Client, code: str) -> int:
    balance: int = _ok(client.get_member(code))["loyalty_card"]["balance"]
    return balance


def test_the_flag_is_kept_and_shown(client: Client) -> None:
    """auto_redeem shows in parameters.loyalty both ways; an update changes it."""
    program = make_program(client)["id"]
    reward = _ok(client.create_reward(BOOK))["id"]
    made = _ok(client.create_assignment_of_reward(reward, {"campaign": program, **_auto(5)}))
    assert made["parameters"] == {"loyalty": {"points": 5, "auto_redeem": True}}
    seen = _ok(client.get_assignment("Coffee Club", made["id"]))
    assert seen["parameters"] == made["parameters"]
    off = _ok(client.update_assignment_of_reward(reward, made["id"], _auto(7, flag=False)))
    assert off["parameters"] == {"loyalty": {"points": 7, "auto_redeem": False}}
    # Left out (or null), the flag stays as it was.
    kept = _ok(client.update_assignment_of_reward(reward, made["id"], _auto(8, flag=None)))
    assert kept["parameters"] == {"loyalty": {"points": 8, "auto_redeem": False}}


def test_a_second_automatic_reward_is_400_and_changes_nothing(client: Client) -> None:
    """Only one reward of a program is redeemed automatically; a COIN one never is."""
    program = make_program(client)["id"]
    first = _ok(client.create_reward(BOOK))["id"]
    second = _ok(client.create_reward({**BOOK, "name": "Mug"}))["id"]
    coin = _ok(client.create_reward(COIN))["id"]
    made = _ok(client.create_assignment_of_reward(first, {"campaign": program, **_auto(5)}))
    refused = client.create_assignment_of_reward(second, {"campaign": program, **_auto(9)})
    assert refused.status == 400, refused.body
    assert refused.body["key"] == "invalid_payload"
    assert "Only one reward can be set to be redeemed automatically" in refused.body["details"]
    assert made["id"] in refused.body["details"]
    refused = client.create_assignment_of_reward(coin, {"campaign": program, **_auto(9)})
    assert refused.status == 400, refused.body
    assert _ok(client.list_assignments("Coffee Club"))["total"] == 1
    body = {"campaign": program, **_auto(9, flag=False)}
    plain = _ok(client.create_assignment_of_reward(second, body))
    refused = client.update_assignment_of_reward(second, plain["id"], _auto(10))
    assert refused.status == 400, refused.body
    after = _ok(client.get_assignment("Coffee Club", plain["id"]))
    assert after["parameters"] == {"loyalty": {"points": 9, "auto_redeem": False}}
    # Once the first is off, the second may be on.
    _ok(client.update_assignment_of_reward(first, made["id"], _auto(5, flag=False)))
    _ok(client.update_assignment_of_reward(second, plain["id"], _auto(9)))


def test_it_redeems_at_midnight(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """At midnight a member who can afford it gets it: a real redemption, AUTO_REDEEM."""
    code, reward, assignment = _setup(client, loyalty_fake)
    _ok(client.change_balance(code, {"points": 250}))
    loyalty_fake.clock.set("2024-01-25T23:59:59Z")
    assert _balance(client, code) == 250
    loyalty_fake.clock.set("2024-01-26T08:00:00Z")
    assert _balance(client, code) == 50
    redemptions = _ok(client.list_card_redemptions(code))["redemption_entries"]
    assert len(redemptions) == 2
    for redemption in redemptions:
        assert redemption["channel"] == {"channel_id": assignment, "channel_type": "AUTO_REDEEM"}
        assert redemption["date"] == "2024-01-26T00:00:00.000Z"
        assert redemption["reward"]["id"] == reward
        assert redemption["result"] == "SUCCESS"
        assert _ok(client.get_redemption(redemption["id"]))["id"] == redemption["id"]
    listed = _ok(client.list_redemptions())["redemptions"]
    assert {r["id"] for r in redemptions} <= {r["id"] for r in listed}
    types = [t["type"] for t in _ok(client.list_transactions(code))["data"]]
    assert types.count("POINTS_REDEMPTION") == 2
    activity = [a["type"] for a in _ok(client.list_activity(code))["data"]]
    assert activity.count("customer.reward_redemptions.created") == 2
    card = _ok(client.get_member(code))["loyalty_card"]
    assert card["points"] == 250
    assert card["balance"] == 50
    # The next night there is nothing to afford.
    loyalty_fake.clock.set("2024-01-27T08:00:00Z")
    assert len(_ok(client.list_card_redemptions(code))["redemption_entries"]) == 2


def test_at_most_ten_a_customer_a_day(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """Ten a night, then ten more the next night, whatever the balance."""
    code, _, _ = _setup(client, loyalty_fake, points=10)
    _ok(client.change_balance(code, {"points": 235}))
    loyalty_fake.clock.set("2024-01-26T00:00:00Z")
    assert _balance(client, code) == 135
    loyalty_fake.clock.set("2024-01-29T00:00:00Z")
    # The 27th: ten more; the 28th: the last three; the 29th: 5 points are too few.
    assert _balance(client, code) == 5
    dates = [r["date"][:10] for r in _ok(client.list_card_redemptions(code))["redemption_entries"]]
    assert sorted(dates) == ["2024-01-26"] * 10 + ["2024-01-27"] * 10 + ["2024-01-28"] * 3


def test_rollback_of_an_automatic_redemption(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """An automatic redemption rolls back as any other: the points come back."""
    code, reward, _ = _setup(client, loyalty_fake)
    _ok(client.change_balance(code, {"points": 100}))
    loyalty_fake.clock.set("2024-01-26T00:00:00Z")
    (made,) = _ok(client.list_card_redemptions(code))["redemption_entries"]
    off = _auto(100, flag=False)
    _ok(client.update_assignment_of_reward(reward, made["channel"]["channel_id"], off))
    undone = _ok(client.rollback(made["id"]))
    # The rollback is the API's (the spec's rollback channel has no AUTO_REDEEM).
    assert undone["channel"]["channel_type"] == "API"
    assert undone["channel"]["channel_id"] != made["channel"]["channel_id"]
    assert _balance(client, code) == 100
    loyalty_fake.clock.set("2024-01-28T00:00:00Z")
    # Switched off: nothing more is redeemed.
    assert _balance(client, code) == 100


def test_nothing_before_the_flag_is_on(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """Turning the flag on does not redeem for nights gone by; the next midnight does."""
    code, reward, assignment = _setup(client, loyalty_fake)
    _ok(client.update_assignment_of_reward(reward, assignment, _auto(100, flag=False)))
    _ok(client.change_balance(code, {"points": 100}))
    loyalty_fake.clock.set("2024-01-28T12:00:00Z")
    _ok(client.update_assignment_of_reward(reward, assignment, _auto(100)))
    assert _balance(client, code) == 100
    loyalty_fake.clock.set("2024-01-29T00:00:00Z")
    assert _balance(client, code) == 0


def test_the_ten_count_across_programs(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """A customer in two programs gets ten a night in all, the older program's first."""
    code, _, _ = _setup(client, loyalty_fake, points=10)
    tea: str = make_program(client, "Tea Club")["id"]
    mug: str = _ok(client.create_reward({**BOOK, "name": "Mug"}))["id"]
    _ok(client.create_assignment_of_reward(mug, {"campaign": tea, **_auto(10)}))
    other: str = loyalty_fake.add_member("Tea Club", {"source_id": "ada"})["code"]
    _ok(client.change_balance(code, {"points": 80}))
    _ok(client.change_balance(other, {"points": 50}))
    loyalty_fake.clock.set("2024-01-26T00:00:00Z")
    assert (_balance(client, code), _balance(client, other)) == (0, 30)
    loyalty_fake.clock.set("2024-01-27T00:00:00Z")
    assert (_balance(client, code), _balance(client, other)) == (0, 0)


def test_points_activated_that_night_pay_for_it(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """Pending points activate first, then the reward is redeemed, at the same midnight."""
    code, _, _ = _setup(client, loyalty_fake, points=10)
    rule = {
        "event": "order.paid",
        "loyalty": {"type": "FIXED", "points": 10},
        "source": {"banner": "Ten later"},
        "pending_points": {"period_type": "DAY", "period_value": 3},
    }
    _ok(client.create_earning_rules("Coffee Club", [rule]))
    body = {"source_id": "o-1", "status": "PAID", "customer": {"source_id": "ada"}}
    _ok(client.create_order(body))
    loyalty_fake.clock.set("2024-01-28T00:00:00Z")
    assert _balance(client, code) == 0
    types = [t["type"] for t in _ok(client.list_transactions(code, {"order": "id"}))["data"]]
    assert types == ["PENDING_POINTS_ACTIVATION", "POINTS_REDEMPTION"]
