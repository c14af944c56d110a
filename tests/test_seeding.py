"""Seeded demo data: deterministic, realistic, cheap to give to every test."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import textwrap
from typing import TYPE_CHECKING

import pytest
from faker import Faker

from loyalty_fake import LoyaltyFake
from loyalty_fake.errors import VoucherifyError
from loyalty_fake.faker_provider import VoucherifyProvider
from loyalty_fake.seeding import DEMO_PROGRAM, seed_demo
from loyalty_fake.server import ServerApp
from loyalty_fake.server.control import ControlPlane, dump_json
from loyalty_fake.server.store import Store

if TYPE_CHECKING:
    from pathlib import Path

NOW = "2024-06-01T00:00:00Z"
DUMP = textwrap.dedent(
    """
    from loyalty_fake import LoyaltyFake
    from loyalty_fake.server.control import dump_json
    from loyalty_fake.seeding import seed_demo

    fake = LoyaltyFake(seed=5, now="2024-06-01T00:00:00Z")
    seed_demo(fake, seed=5, programs=2, members=30)
    print(dump_json(fake))
    """
)


def _seeded(seed: int, members: int = 40) -> LoyaltyFake:
    fake = LoyaltyFake(seed=seed, now=NOW)
    seed_demo(fake, seed=seed, members=members)
    return fake


def test_same_seed_same_state_in_any_process() -> None:
    """Two interpreters with different PYTHONHASHSEED seed byte-identical state."""
    outputs = set()
    for hash_seed in ("1", "999"):
        result = subprocess.run(  # noqa: S603 - our own interpreter
            [sys.executable, "-c", DUMP],
            env={**os.environ, "PYTHONHASHSEED": hash_seed},
            capture_output=True,
            check=True,
        )
        outputs.add(result.stdout)
    assert len(outputs) == 1
    assert b'"Demo Program 2"' in next(iter(outputs))


def test_different_seeds_differ() -> None:
    """Another seed gives other people, codes and histories."""
    assert dump_json(_seeded(1)) != dump_json(_seeded(2))


def test_members_are_realistic() -> None:
    """Members have names, emails, phones, addresses and metadata; some cards stay unassigned."""
    fake = _seeded(3)
    customers = fake.customers()
    assert len(customers) == 40
    alice = customers[0]
    assert re.fullmatch(r"\S+ \S+.*", alice["name"])
    assert alice["email"] == alice["source_id"]
    assert "@" in alice["email"]
    assert alice["phone"].startswith("+1-")
    assert alice["address"]["city"]
    assert "favourite_drink" in alice["metadata"]
    cards = fake.cards(DEMO_PROGRAM)
    assert len([c for c in cards if "holder_id" not in c]) >= 2
    assert all(re.fullmatch(r"CLUB-[0-9A-Z]{4}-[0-9A-Z]{4}", c["code"]) for c in cards)


def test_histories_span_past_months_with_expiries() -> None:
    """Histories lie in the past on the fake's clock; some points expired, some expire soon."""
    fake = _seeded(4, members=80)
    members = fake.list_members(DEMO_PROGRAM, limit=100)["vouchers"]
    assert any(m["loyalty_card"].get("expired_points") for m in members)
    assert any(m["loyalty_card"].get("subtracted_points") for m in members)
    soon = [m["loyalty_card"].get("next_expiration_date") for m in members]
    assert any(date is not None and date <= "2024-07-31" for date in soon)
    for member in members[:20]:
        transactions = fake.transactions(member["code"], limit=100)["data"]
        assert all(t["created_at"] <= "2024-06-01T00:00:00.000Z" for t in transactions)
        assert (
            sum(t["details"]["balance"]["points"] for t in transactions)
            == (member["loyalty_card"]["balance"])
        )


def test_programs_offer_rewards_that_histories_redeem() -> None:
    """Seeded programs offer two rewards; some members redeemed the coffee, by the rules."""
    fake = _seeded(7, members=200)
    program = fake.get_loyalty_program(DEMO_PROGRAM)["id"]
    offered = fake.request("GET", f"/v1/loyalties/{program}/rewards").json()["data"]
    prices = {
        fake.request("GET", f"/v1/rewards/{o['reward_id']}").json()["name"]: o["parameters"][
            "loyalty"
        ]["points"]
        for o in offered
    }
    assert prices == {"Free coffee": 150, "Club tote bag": 900}
    members = fake.list_members(DEMO_PROGRAM, limit=100, page=1)["vouchers"]
    members += fake.list_members(DEMO_PROGRAM, limit=100, page=2)["vouchers"]
    redeemers = [m for m in members if m["redemption"]["redeemed_points"]]
    assert redeemers
    for member in redeemers:
        card, redeemed = member["loyalty_card"], member["redemption"]["redeemed_points"]
        assert card["balance"] == (
            card["points"]
            - card.get("expired_points", 0)
            - card.get("subtracted_points", 0)
            - redeemed
        )
        spent = [
            t
            for t in fake.transactions(member["code"], limit=100)["data"]
            if t["type"] == "POINTS_REDEMPTION"
        ]
        assert spent
        assert all(t["details"]["balance"]["points"] == -150 for t in spent)
        assert redeemed == 150 * len(spent) == 150 * member["redemption"]["redeemed_quantity"]
        redemption = fake.request(
            "GET", f"/v1/redemptions/{spent[0]['details']['redemption']['id']}"
        ).json()
        assert redemption["reward"]["name"] == "Free coffee"
        assert redemption["voucher"]["code"] == member["code"]


def test_programs_of_one_seeding_share_the_projects_rewards() -> None:
    """Two seeded programs offer the same two rewards: the project holds no copies."""
    fake = LoyaltyFake(seed=8, now=NOW)
    seed_demo(fake, seed=8, programs=2, members=5)
    rewards = fake.request("GET", "/v1/rewards").json()["data"]
    assert sorted(reward["name"] for reward in rewards) == ["Club tote bag", "Free coffee"]
    for program in (DEMO_PROGRAM, "Demo Program 2"):
        program_id = fake.get_loyalty_program(program)["id"]
        offered = fake.request("GET", f"/v1/loyalties/{program_id}/rewards").json()["data"]
        assert {o["reward_id"] for o in offered} == {reward["id"] for reward in rewards}


def test_a_refused_second_seeding_leaves_no_reward_copies() -> None:
    """Seeding a project again is refused (its program names are taken) and adds no rewards."""
    fake = _seeded(9, members=3)
    with pytest.raises(VoucherifyError) as refused:
        seed_demo(fake, seed=9, members=3)
    assert refused.value.key == "duplicate_found"
    rewards = fake.request("GET", "/v1/rewards").json()["data"]
    assert sorted(reward["name"] for reward in rewards) == ["Club tote bag", "Free coffee"]


def _member_count(fake: LoyaltyFake) -> int:
    return int(fake.list_members(DEMO_PROGRAM, limit=1)["total"])


def test_seeding_gives_exactly_the_members_asked_when_emails_collide(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A drawn email already taken is drawn again: N members asked are N members given.

    With pools of one name each, 400 members draw from 10,000 emails and collide a few times.
    """
    monkeypatch.setattr("loyalty_fake.seeding._POOL_SIZE", 1)
    fake = LoyaltyFake(seed=11, now=NOW)
    summary = seed_demo(fake, seed=11, members=400)
    assert summary["members"] == _member_count(fake) == 400
    customers = fake.request("GET", "/v1/customers", params={"limit": 1}).json()
    assert customers["total"] == 400


def test_seeding_at_scale_is_exact() -> None:
    """100,000 members asked are 100,000 given (generated emails collided: 99,999 before)."""
    fake = LoyaltyFake(seed=3, now=NOW)
    summary = seed_demo(fake, seed=3, members=100_000)
    assert summary["members"] == _member_count(fake) == 100_000


def test_seeding_leaves_the_clock_as_it_was() -> None:
    """After seeding a frozen clock reads the same moment as before."""
    fake = _seeded(6, members=3)
    assert fake.clock.frozen
    assert fake.clock.now().isoformat() == "2024-06-01T00:00:00+00:00"


def test_marker_seeds_and_each_test_gets_its_own_copy(pytester: pytest.Pytester) -> None:
    """@pytest.mark.loyalty_fake(members=...) seeds once; tests cannot see each other's changes."""
    pytester.makepyfile(
        """
        import pytest

        MARK = pytest.mark.loyalty_fake(seed=42, now="2024-06-01T00:00:00Z", members=25)

        @MARK
        def test_first(loyalty_fake):
            assert loyalty_fake.list_members("Demo Coffee Club")["total"] == 25
            code = loyalty_fake.list_members("Demo Coffee Club")["vouchers"][0]["code"]
            loyalty_fake.add_points(code, 1000)

        @MARK
        def test_second(loyalty_fake):
            members = loyalty_fake.list_members("Demo Coffee Club", limit=100)["vouchers"]
            assert len(members) == 25
            assert all(m["loyalty_card"]["balance"] < 3000 for m in members)
        """
    )
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=2)


def test_seed_command_writes_state_the_server_serves(tmp_path: Path) -> None:
    """loyalty-fake seed writes a state directory; its summary names what it built."""
    state = tmp_path / "state"
    result = subprocess.run(  # noqa: S603
        [
            sys.executable,
            "-m",
            "loyalty_fake.cli",
            "seed",
            "--members",
            "50",
            "--state",
            str(state),
            "--now",
            NOW,
        ],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    assert "seeded 50 members in 1 program(s)" in result.stdout
    assert "50/50 members" in result.stderr
    restored = LoyaltyFake()
    store = Store(state)
    ServerApp(restored, store=store).recover()
    store.close()
    assert restored.list_members(DEMO_PROGRAM)["total"] == 50


def test_faker_provider_makes_voucherify_shapes() -> None:
    """The Faker provider gives codes by pattern and IDs shaped as Voucherify's, repeatably."""
    faker = Faker()
    faker.add_provider(VoucherifyProvider)
    faker.seed_instance(7)
    first = [faker.voucher_code(pattern="CLUB-####", charset="0123456789"), faker.customer_id()]
    assert re.fullmatch(r"CLUB-\d{4}", first[0])
    assert re.fullmatch(r"cust_[0-9A-Za-z]{24}", first[1])
    assert re.fullmatch(r"v_[0-9A-Za-z]{32}", faker.voucher_id())
    assert re.fullmatch(r"camp_[0-9A-Za-z]{24}", faker.campaign_id())
    assert re.fullmatch(r"vtx_[0-9a-f]{18}", faker.transaction_id())
    assert re.fullmatch(r"v-[0-9a-f]{18}", faker.request_id())
    faker.seed_instance(7)
    assert [
        faker.voucher_code(pattern="CLUB-####", charset="0123456789"),
        faker.customer_id(),
    ] == first


def _earning(seed: int = 3, members: int = 12) -> LoyaltyFake:
    fake = LoyaltyFake(seed=seed, now=NOW)
    seed_demo(fake, seed=seed, members=members, earning=True)
    return fake


def test_earning_seeds_rules_and_paid_orders_that_earned() -> None:
    """With earning, programs have order.paid rules and members paid orders each rewarded once."""
    fake = _earning()
    with fake.ledger.session(fake.app_id) as session:
        project = session.project
        rules = list(project.earning_rules.values())
        orders = list(project.orders.values())
        accruals = [
            t
            for card in project.cards.values()
            for t in card.transactions
            if t.type == "POINTS_ACCRUAL"
        ]
        additions = [
            t
            for card in project.cards.values()
            for t in card.transactions
            if t.reason == "Purchases"
        ]
    assert [rule.event for rule in rules] == ["order.paid", "order.paid"]
    assert orders
    assert all(order.status == "PAID" and order.customer_id for order in orders)
    # Two rules: every paid order earned twice, dated when it was paid; no points by hand.
    assert len(accruals) == len(orders) * 2
    assert {t.created_at for t in accruals} == {order.paid_at for order in orders}
    assert additions == []


def test_earning_seeding_is_deterministic() -> None:
    """The same seed with earning gives the same state; without it, no rules and no orders."""
    assert dump_json(_earning()) == dump_json(_earning())
    plain = _seeded(3, members=12)
    with plain.ledger.session(plain.app_id) as session:
        assert (session.project.orders, session.project.earning_rules) == ({}, {})


@pytest.mark.loyalty_fake(seed=42, now=NOW, members=6, earning=True)
def test_marker_seeds_earning(loyalty_fake: LoyaltyFake) -> None:
    """@pytest.mark.loyalty_fake(earning=True) seeds rules and orders with the members."""
    state = ControlPlane(loyalty_fake).dump()["projects"][loyalty_fake.app_id]
    assert len(state["earning_rules"]) == 2
    assert state["orders"]
    assert len(state["cards"]) >= 6


def test_seed_command_with_earning(tmp_path: Path) -> None:
    """loyalty-fake seed --earning writes programs with earning rules and paid orders."""
    state = tmp_path / "state"
    arguments = ["seed", "--members", "8", "--earning", "--state", str(state), "--now", NOW]
    subprocess.run(  # noqa: S603
        [sys.executable, "-m", "loyalty_fake.cli", *arguments],
        capture_output=True,
        check=True,
        timeout=60,
    )
    restored = LoyaltyFake()
    store = Store(state)
    ServerApp(restored, store=store).recover()
    store.close()
    dump = ControlPlane(restored).dump()["projects"][restored.app_id]
    assert len(dump["earning_rules"]) == 2
    assert dump["orders"]
