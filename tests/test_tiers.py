"""Loyalty tiers (issue 20): a program's tiers, a member's tier, mappings and tier events."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest
import requests

from tests.conftest import Client, make_program

if TYPE_CHECKING:
    from loyalty_fake import LoyaltyFake

pytestmark = pytest.mark.loyalty_fake(now="2024-01-25T10:00:00Z")

TIERS = [
    {"name": "Silver", "points": {"from": 100, "to": 499}},
    {"name": "Gold", "points": {"from": 500, "to": 100000}},
]


def _program(client: Client, name: str = "Coffee Club", **fields: Any) -> dict[str, Any]:
    return make_program(
        client,
        name,
        vouchers_count=0,
        voucher={"type": "LOYALTY_CARD", "loyalty_card": {"points": 0}},
        **fields,
    )


def _program_with(client: Client, expiration: dict[str, Any]) -> dict[str, Any]:
    """A program whose loyalty_tiers_expiration is set by an update, as the spec has it."""
    program = _program(client)
    reply = client.update_program(program["id"], {"loyalty_tiers_expiration": expiration})
    assert reply.status == 200, reply.body
    assert reply.body["loyalty_tiers_expiration"] == expiration
    updated: dict[str, Any] = reply.body
    return updated


def _monthly(start: str, expiration: str) -> dict[str, Any]:
    """POINTS_IN_PERIOD settings over calendar months, starting and ending as given."""
    return {
        "qualification_type": "POINTS_IN_PERIOD",
        "qualification_period": "MONTH",
        "start_date": {"type": start},
        "expiration_date": {"type": expiration, "extend": "P0D"},
    }


def _member(client: Client, program: str, customer: str, points: int = 0) -> str:
    reply = client.add_member(program, {"customer": {"source_id": customer}})
    assert reply.status == 200, reply.body
    code: str = reply.body["code"]
    if points:
        assert client.change_balance(code, {"points": points}).status == 200
    return code


def _tiers(client: Client, program: str, body: list[dict[str, Any]] | None = None) -> list[Any]:
    reply = client.create_tiers(program, body or TIERS)
    assert reply.status == 200, reply.body
    made: list[Any] = reply.body
    return made


def _tier_names(client: Client, code: str) -> list[str]:
    reply = client.list_member_tiers(code)
    assert reply.status == 200, reply.body
    return [tier["name"] for tier in reply.body["data"]]


def test_tiers_are_created_in_bulk_listed_and_read(client: Client) -> None:
    """POST .../tiers takes an array; the list and the get show the tiers as created."""
    program = _program(client)
    made = _tiers(client, program["id"])
    assert [t["name"] for t in made] == ["Silver", "Gold"]
    assert made[0]["id"].startswith("ltr_")
    assert made[0]["config"] == {"points": {"from": 100, "to": 499}}
    listed = client.list_tiers(program["id"])
    assert listed.status == 200
    assert [t["id"] for t in listed.body["data"]] == [t["id"] for t in made]
    assert listed.body["total"] == 2
    got = client.get_tier(program["id"], made[1]["id"])
    assert got.status == 200
    assert got.body == made[1]


def test_a_member_joins_upgrades_and_downgrades_with_the_balance(client: Client) -> None:
    """A BALANCE program's tiers follow the balance both ways, at once."""
    program = _program(client)
    _tiers(client, program["id"])
    code = _member(client, program["id"], "ada")
    assert _tier_names(client, code) == []
    client.change_balance(code, {"points": 150})
    assert _tier_names(client, code) == ["Silver"]
    client.change_balance(code, {"points": 400})
    assert _tier_names(client, code) == ["Gold"]
    client.change_balance(code, {"points": -300})
    assert _tier_names(client, code) == ["Silver"]
    client.change_balance(code, {"points": -250})
    assert _tier_names(client, code) == []


def test_member_tier_shows_its_expiration(client: Client) -> None:
    """A member's tier carries the customer, program, tier and start date."""
    program = _program(client)
    made = _tiers(client, program["id"])
    code = _member(client, program["id"], "ada", 600)
    reply = client.list_member_tiers(code)
    expiration = reply.body["data"][0]["expiration"]
    assert expiration["tier_id"] == made[1]["id"]
    assert expiration["campaign_id"] == program["id"]
    assert expiration["start_date"] == "2024-01-25"
    assert "expiration_date" not in expiration


def _paid_order(client: Client, customer: str, amount: int = 1000) -> None:
    reply = client.create_order(
        {"status": "PAID", "amount": amount, "customer": {"source_id": customer}}
    )
    assert reply.status == 200, reply.body


def test_a_tier_multiplies_what_an_earning_rule_gives(client: Client) -> None:
    """A Gold member earns an order.paid rule's points times the tier's multiplier."""
    program = _program(client)
    rule = client.create_earning_rules(
        program["id"], [{"event": "order.paid", "loyalty": {"type": "FIXED", "points": 10}}]
    ).body[0]
    _tiers(
        client,
        program["id"],
        [
            {"name": "Silver", "points": {"from": 100, "to": 499}},
            {
                "name": "Gold",
                "points": {"from": 500},
                "earning_rules": {rule["id"]: {"type": "MULTIPLY", "multiplier": 2.5}},
            },
        ],
    )
    code = _member(client, program["id"], "ada", 600)
    _paid_order(client, "ada")
    card = client.get_member(code).body["loyalty_card"]
    assert card["balance"] == 625
    accrual = client.list_transactions(code).body["data"][0]
    assert accrual["type"] == "POINTS_ACCRUAL"
    assert accrual["details"]["loyalty_tier"]["name"] == "Gold"
    listed = client.list_tier_earning_rules(
        program["id"], client.list_member_tiers(code).body["data"][0]["id"]
    )
    assert listed.body["data"][0]["loyalty"]["points"] == 25


def test_a_tier_prices_a_reward_for_its_members(client: Client) -> None:
    """A CUSTOM reward mapping is what a member of the tier pays, and what they can afford."""
    program = _program(client)
    reward = client.create_reward(
        {"name": "Mug", "type": "MATERIAL", "parameters": {"product": {"id": "prod_1"}}}
    ).body
    assert (
        client.assign_reward(
            program["id"], {"reward": reward["id"], "parameters": {"loyalty": {"points": 700}}}
        ).status
        == 200
    )
    made = _tiers(
        client,
        program["id"],
        [
            {
                "name": "Gold",
                "points": {"from": 500},
                "rewards": {reward["id"]: {"type": "CUSTOM", "points": 100}},
            }
        ],
    )
    rewards = client.list_tier_rewards(program["id"], made[0]["id"])
    assert rewards.body["data"][0]["assignment"]["parameters"]["loyalty"]["points"] == 100
    code = _member(client, program["id"], "ada", 600)
    # Beyond the balance at its price, within it at the tier's: affordable, and redeemed.
    affordable = client.list_member_rewards(code, affordable_only=True)
    assert [r["reward"]["id"] for r in affordable.body["data"]] == [reward["id"]]
    reply = client.redeem(code, {"reward": {"id": reward["id"]}})
    assert reply.status == 200, reply.body
    assert client.get_member(code).body["loyalty_card"]["balance"] == 500


def test_tier_events_pay_their_earning_rules_and_show_in_the_activity(client: Client) -> None:
    """Joining Gold pays a customer.loyalty.tier.joined rule and is in the customer's activity."""
    program = _program(client)
    made = _tiers(client, program["id"])
    assert (
        client.create_earning_rules(
            program["id"],
            [
                {
                    "event": "customer.loyalty.tier.joined",
                    "loyalty_tier": {"id": made[1]["id"]},
                    "loyalty": {"type": "FIXED", "points": 50},
                },
                {
                    "event": "customer.loyalty.tier.upgraded",
                    "loyalty_tier": {"id": "__ANY__"},
                    "loyalty": {"type": "FIXED", "points": 5},
                },
            ],
        ).status
        == 200
    )
    code = _member(client, program["id"], "ada", 200)
    assert client.get_member(code).body["loyalty_card"]["balance"] == 200
    client.change_balance(code, {"points": 300})
    assert client.get_member(code).body["loyalty_card"]["balance"] == 555
    customer = client.get_customer("ada").body["id"]
    types = [
        e["type"] for e in client.list_customer_activity(customer, {"limit": 100}).body["data"]
    ]
    for kind in ("joined", "left", "upgraded"):
        assert f"customer.loyalty.tier.{kind}" in types


def test_a_custom_balance_tier_is_kept_until_it_expires_at_night(
    loyalty_fake: LoyaltyFake, client: Client
) -> None:
    """CUSTOM expiry keeps a tier after the balance drops, until extend passes; then down."""
    program = _program_with(
        client,
        {
            "qualification_type": "BALANCE",
            "start_date": {"type": "IMMEDIATE"},
            "expiration_date": {"type": "CUSTOM", "extend": "P1M"},
        },
    )
    _tiers(client, program["id"])
    code = _member(client, program["id"], "ada", 600)
    assert (
        client.list_member_tiers(code).body["data"][0]["expiration"]["expiration_date"]
        == "2024-02-25"
    )
    client.change_balance(code, {"points": -400})
    assert _tier_names(client, code) == ["Gold"]
    loyalty_fake.clock.advance(days=32)
    assert _tier_names(client, code) == ["Silver"]


def test_points_in_period_tiers_count_the_points_collected_in_the_period(
    loyalty_fake: LoyaltyFake, client: Client
) -> None:
    """POINTS_IN_PERIOD: spending does not drop the tier; it ends with its period."""
    program = _program_with(client, _monthly("IMMEDIATE", "END_OF_NEXT_PERIOD"))
    _tiers(client, program["id"])
    code = _member(client, program["id"], "ada", 550)
    client.change_balance(code, {"points": -500})
    assert _tier_names(client, code) == ["Gold"]
    tier = client.list_member_tiers(code).body["data"][0]
    assert tier["expiration"]["expiration_date"] == "2024-02-29"
    loyalty_fake.clock.advance(days=20)
    assert _tier_names(client, code) == ["Gold"]
    loyalty_fake.clock.advance(days=30)
    assert _tier_names(client, code) == []


def test_tier_lists_take_limit_order_and_page(client: Client) -> None:
    """The tiers list takes limit and order (-created_at newest first); a tier's rules, page."""
    program = _program(client)
    made = _tiers(client, program["id"])
    newest = client.list_tiers(program["id"], {"limit": 1, "order": "-created_at"})
    assert [t["id"] for t in newest.body["data"]] == [made[1]["id"]]
    assert newest.body["total"] == 2
    client.create_earning_rules(
        program["id"], [{"event": "order.paid", "loyalty": {"type": "FIXED", "points": 1}}] * 2
    )
    second = client.list_tier_earning_rules(program["id"], made[0]["id"], {"limit": 1, "page": 2})
    assert len(second.body["data"]) == 1
    assert second.body["total"] == 2


def test_next_period_tiers_start_with_the_next_period(
    loyalty_fake: LoyaltyFake, client: Client
) -> None:
    """NEXT_PERIOD: a tier reached in January starts on 1 February, as a joined event then."""
    program = _program_with(client, _monthly("NEXT_PERIOD", "END_OF_PERIOD"))
    _tiers(client, program["id"])
    code = _member(client, program["id"], "ada", 150)
    assert _tier_names(client, code) == []
    loyalty_fake.clock.advance(days=7)  # 1 February
    tier = client.list_member_tiers(code).body["data"][0]
    assert (tier["name"], tier["expiration"]["start_date"]) == ("Silver", "2024-02-01")
    assert tier["expiration"]["expiration_date"] == "2024-02-29"
    loyalty_fake.clock.advance(days=29)  # 1 March: nothing collected in February
    assert _tier_names(client, code) == []


@pytest.mark.parametrize(
    ("body", "status", "key"),
    [
        ({"name": "Gold"}, 400, "invalid_payload"),
        ({"name": "Gold", "points": {"from": 10, "to": 5}}, 400, "invalid_payload"),
        (
            {
                "name": "Gold",
                "points": {"from": 100},
                "earning_rules": {"ern_x": {"type": "MULTIPLY", "multiplier": 2}},
            },
            404,
            "not_found",
        ),
        (
            {
                "name": "Gold",
                "points": {"from": 100},
                "rewards": {"rew_x": {"type": "CUSTOM", "points": 2}},
            },
            404,
            "not_found",
        ),
        (
            {"name": "Gold", "points": {"from": 100}, "rewards": {"rew_x": {"type": "DOUBLE"}}},
            400,
            "invalid_payload",
        ),
        ({"name": "Gold", "points": {"from": 400, "to": 600}}, 400, "invalid_payload"),
    ],
)
def test_a_refused_tier_changes_nothing(
    http: Any, body: dict[str, Any], status: int, key: str
) -> None:
    """No range, a reversed or overlapping one, an unknown mapping: refused, none made."""
    program = _program(http)
    _tiers(http, program["id"])
    reply = http.create_tiers(
        program["id"], [{"name": "Bronze", "points": {"from": 1, "to": 99}}, body]
    )
    assert (reply.status, reply.error_key) == (status, key), reply.body
    assert http.list_tiers(program["id"]).body["total"] == 2


def test_unknown_tier_and_program_are_404(client: Client) -> None:
    """A tier of another program, or of no program, is 404."""
    program = _program(client)
    made = _tiers(client, program["id"])
    other = _program(client, "Tea Club")
    assert client.get_tier(other["id"], made[0]["id"]).error_key == "not_found"
    assert client.list_tiers("nope").status == 404


def test_tiers_survive_a_snapshot(loyalty_fake: LoyaltyFake) -> None:
    """A snapshot keeps the tiers and every member's tier."""
    loyalty_fake.create_loyalty_program("Club")
    loyalty_fake.request("POST", "/v1/loyalties/Club/tiers", json_body=TIERS)
    code = loyalty_fake.add_member("Club", {"source_id": "ada"})["code"]
    loyalty_fake.add_points(code, 600)
    written = loyalty_fake.ledger.snapshot()
    loyalty_fake.ledger.reset()
    loyalty_fake.ledger.restore(written)
    tiers = loyalty_fake.request("GET", f"/v1/loyalties/members/{code}/tiers").json()
    assert [t["name"] for t in tiers["data"]] == ["Gold"]


@pytest.mark.loyalty_fake(now="2024-01-25T10:00:00Z", control_plane=True)
def test_the_control_planes_clock_moves_tiers(
    loyalty_fake: LoyaltyFake, loyalty_fake_server: Any
) -> None:
    """Over HTTP: POST /_fake/clock past a tier's end, and the next read shows it gone."""
    url = loyalty_fake_server.url
    headers = loyalty_fake.headers
    requests.post(f"{url}/v1/loyalties", json={"name": "Club"}, headers=headers, timeout=5)
    expiration = {
        "qualification_type": "POINTS_IN_PERIOD",
        "qualification_period": "MONTH",
        "expiration_date": {"type": "END_OF_PERIOD", "extend": "P0D"},
    }
    requests.put(
        f"{url}/v1/loyalties/Club",
        json={"loyalty_tiers_expiration": expiration},
        headers=headers,
        timeout=5,
    )
    requests.post(f"{url}/v1/loyalties/Club/tiers", json=TIERS, headers=headers, timeout=5)
    joined = requests.post(
        f"{url}/v1/loyalties/Club/members",
        json={"customer": {"source_id": "ada"}},
        headers=headers,
        timeout=5,
    )
    code = joined.json()["code"]
    requests.post(
        f"{url}/v1/loyalties/members/{code}/balance",
        json={"points": 200},
        headers=headers,
        timeout=5,
    )
    tiers = f"{url}/v1/loyalties/members/{code}/tiers"
    assert requests.get(tiers, headers=headers, timeout=5).json()["total"] == 1
    requests.post(f"{url}/_fake/clock", json={"advance": {"days": 40}}, timeout=5)
    assert requests.get(tiers, headers=headers, timeout=5).json()["total"] == 0


def test_a_large_night_goes_in_chunks_in_order(
    loyalty_fake: LoyaltyFake, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A night of more members than a chunk: each session does a chunk, catch_up the rest."""
    monkeypatch.setattr("loyalty_fake.ledger.tier_nights.TIER_CHUNK", 2)
    rules = {"period_type": "MONTH", "period_value": 0, "rounding_type": "END_OF_MONTH"}
    loyalty_fake.create_loyalty_program(
        "Club", voucher={"loyalty_card": {"points": 0, "expiration_rules": rules}}
    )
    expiration = {
        "qualification_type": "POINTS_IN_PERIOD",
        "qualification_period": "MONTH",
        "expiration_date": {"type": "END_OF_PERIOD", "extend": "P0D"},
    }
    loyalty_fake.request(
        "PUT", "/v1/loyalties/Club", json_body={"loyalty_tiers_expiration": expiration}
    )
    loyalty_fake.request("POST", "/v1/loyalties/Club/tiers", json_body=TIERS)
    codes = [loyalty_fake.add_member("Club", {"source_id": f"c{n}"})["code"] for n in range(5)]
    for code in codes:
        loyalty_fake.add_points(code, 200)
    loyalty_fake.clock.advance(days=10)  # 4 February: tiers end and points expire on 1 February
    project = loyalty_fake.ledger.projects()[loyalty_fake.app_id]
    with loyalty_fake.ledger.session(loyalty_fake.app_id):
        pass
    # One chunk: two members done; the night's expiry waits for the others.
    assert (
        sum(
            code in project.member_tiers and project.member_tiers[code].current is None
            for code in codes
        )
        == 2
    )
    assert all(project.cards[code].balance == 200 for code in codes)
    loyalty_fake.ledger.catch_up(loyalty_fake.app_id)
    assert all(project.member_tiers[code].current is None for code in codes)
    assert all(project.cards[code].balance == 0 for code in codes)


def test_pending_points_name_the_tier_that_mapped_them(client: Client) -> None:
    """A pending rule's points are mapped too; the entry's details name the tier."""
    program = _program(client)
    body = {
        "event": "order.paid",
        "loyalty": {"type": "FIXED", "points": 10},
        "pending_points": {"period_type": "DAY", "period_value": 3},
    }
    rule = client.create_earning_rules(program["id"], [body]).body[0]
    mapping = {rule["id"]: {"type": "CUSTOM", "points": 40}}
    _tiers(
        client, program["id"], [{"name": "Gold", "points": {"from": 500}, "earning_rules": mapping}]
    )
    code = _member(client, program["id"], "ada", 600)
    _paid_order(client, "ada")
    entry = client.list_member_pending(code).body["data"][0]
    assert entry["points"] == 40
    assert entry["details"]["loyalty_tier"]["name"] == "Gold"
    assert entry["details"]["holder_loyalty_tier"]["name"] == "Gold"
