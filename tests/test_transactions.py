"""A member's points transactions (GET .../members/{memberId}/transactions)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from loyalty_fake import LoyaltyFake
    from tests.conftest import Client, Reply, RequestsClient

pytestmark = pytest.mark.loyalty_fake(now="2024-01-25T10:00:00Z")

# Points earned on 25 January with a one-month rule can be spent through 25 February.
ONE_MONTH = {
    "type": "LOYALTY_CARD",
    "loyalty_card": {"points": 0, "expiration_rules": {"period_type": "MONTH", "period_value": 1}},
}

by_either_path = pytest.mark.parametrize(
    "under_campaign", [True, False], ids=["campaign-path", "code-path"]
)


def _member(fake: LoyaltyFake, program: str = "Coffee Club", **fields: Any) -> tuple[str, str]:
    """A new program with one member; returns the program's ID and the card's code."""
    program_id: str = fake.create_loyalty_program(program, **fields)["id"]
    code: str = fake.add_member(program_id, {"source_id": "alice"})["code"]
    return program_id, code


def _history(fake: LoyaltyFake) -> tuple[str, str]:
    """A member with an addition, a removal and, a month later, an expiration."""
    program, code = _member(fake, voucher=ONE_MONTH)
    fake.add_points(code, 500, reason="Welcome", source_id="welcome-1")
    fake.clock.advance(days=1)
    fake.add_points(code, 100, expiration_type="NON_EXPIRING")
    fake.clock.advance(days=1)
    fake.add_points(code, -200, reason="Tickets", source_id="tickets-1")
    fake.clock.set("2024-03-01T09:00:00Z")
    return program, code


def _listed(reply: Reply) -> list[dict[str, Any]]:
    assert reply.status == 200, reply.body
    data: list[dict[str, Any]] = reply.body["data"]
    return data


def _many(fake: LoyaltyFake, count: int) -> tuple[str, str]:
    """A member with ``count`` additions of 1, 2, ... points."""
    program, code = _member(fake)
    for points in range(1, count + 1):
        fake.add_points(code, points)
    return program, code


def _all_pages(client: Client, code: str, order: str, limit: int) -> list[Reply]:
    pages = [client.list_transactions(code, {"limit": limit, "order": order})]
    while pages[-1].body["has_more"]:
        cursor = pages[-1].body["more_starting_after"]
        params = {"limit": limit, "order": order, "starting_after_id": cursor}
        pages.append(client.list_transactions(code, params))
    return pages


@by_either_path
def test_transactions_list_every_kind(
    client: Client, loyalty_fake: LoyaltyFake, under_campaign: bool
) -> None:
    """Additions, removals and expirations are listed with their own types, newest first."""
    program, code = _history(loyalty_fake)
    data = _listed(client.list_transactions(code, campaign=program if under_campaign else None))
    assert [t["type"] for t in data] == [
        "POINTS_EXPIRATION",
        "POINTS_REMOVAL",
        "POINTS_ADDITION",
        "POINTS_ADDITION",
    ]
    assert [t["details"]["balance"]["points"] for t in data] == [-300, -200, 100, 500]


def test_transaction_ids_are_vtx_hex(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """Transaction IDs are vtx_ and 18 lowercase hex digits, each different."""
    _, code = _history(loyalty_fake)
    ids = [t["id"] for t in _listed(client.list_transactions(code))]
    assert all(re.fullmatch(r"vtx_[0-9a-f]{18}", i) for i in ids)
    assert len(set(ids)) == len(ids)


def test_transactions_name_the_card_and_program(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """Each transaction carries the card's voucher_id and campaign_id."""
    program, code = _history(loyalty_fake)
    card_id = loyalty_fake.get_member(code)["id"]
    for transaction in _listed(client.list_transactions(code)):
        assert transaction["voucher_id"] == card_id
        assert transaction["campaign_id"] == program
        assert transaction["related_transaction_id"] is None


def test_api_changes_have_source_api(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """Changes made through the API have source "API"; an expiration has source null."""
    _, code = _history(loyalty_fake)
    data = _listed(client.list_transactions(code))
    assert [t["source"] for t in data] == [None, "API", "API", "API"]


def test_reason_and_source_id_are_echoed(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """The request's reason and source_id come back on the transaction; null when not given."""
    _, code = _history(loyalty_fake)
    data = _listed(client.list_transactions(code))
    assert [(t["reason"], t["source_id"]) for t in data] == [
        (None, None),
        ("Tickets", "tickets-1"),
        (None, None),
        ("Welcome", "welcome-1"),
    ]


def test_addition_details_balance(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """An addition's details.balance: points added, total and balance after, MANUAL, the card."""
    _, code = _member(loyalty_fake)
    loyalty_fake.add_points(code, 500)
    loyalty_fake.add_points(code, 40)
    card_id = loyalty_fake.get_member(code)["id"]
    [latest, _] = _listed(client.list_transactions(code))
    assert latest["details"] == {
        "balance": {
            "points": 40,
            "total": 540,
            "balance": 540,
            "type": "loyalty_card",
            "object": "balance",
            "operation_type": "MANUAL",
            "related_object": {"type": "voucher", "id": card_id},
        }
    }


def test_removal_details_balance(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """A removal's details.balance has negative points, the balance after it and a lower total."""
    _, code = _member(loyalty_fake)
    loyalty_fake.add_points(code, 500)
    loyalty_fake.add_points(code, -120)
    member = loyalty_fake.get_member(code)
    [removal, _] = _listed(client.list_transactions(code))
    balance = removal["details"]["balance"]
    assert balance["points"] == -120
    assert balance["balance"] == 380
    # "All points accumulated on the card as affected by add or subtract operations": the
    # removal lowers it (the spec's examples: 1298 -> 1297), while the card's points do not.
    assert balance["total"] == 380
    assert member["loyalty_card"]["points"] == 500
    assert balance["operation_type"] == "MANUAL"
    assert balance["related_object"] == {"type": "voucher", "id": member["id"]}


def test_expiration_details_balance(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """An expiration removes what was left of the bucket, AUTOMATIC, leaving the balance after.

    Its total is the points added less those removed: an expiry neither adds nor subtracts.
    """
    _, code = _history(loyalty_fake)
    member = loyalty_fake.get_member(code)
    expiration = _listed(client.list_transactions(code))[0]
    assert expiration["details"]["balance"] == {
        "points": -300,
        "total": 400,
        "balance": 100,
        "type": "loyalty_card",
        "object": "balance",
        "operation_type": "AUTOMATIC",
        "related_object": {"type": "voucher", "id": member["id"]},
    }


def test_created_at_follows_the_fake_clock(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """created_at is the fake's now; an expiration's is midnight UTC after the bucket's last day."""
    _, code = _history(loyalty_fake)
    data = _listed(client.list_transactions(code))
    assert [t["created_at"] for t in data] == [
        "2024-02-26T00:00:00.000Z",
        "2024-01-27T10:00:00.000Z",
        "2024-01-26T10:00:00.000Z",
        "2024-01-25T10:00:00.000Z",
    ]


def test_expiration_is_written_when_any_endpoint_reads(
    client: Client, loyalty_fake: LoyaltyFake
) -> None:
    """The expiration transaction appears without any write after the clock moves."""
    _, code = _member(loyalty_fake, voucher=ONE_MONTH)
    loyalty_fake.add_points(code, 500)
    before = _listed(client.list_transactions(code))
    loyalty_fake.clock.advance(days=60)
    after = _listed(client.list_transactions(code))
    assert [t["type"] for t in before] == ["POINTS_ADDITION"]
    assert [t["type"] for t in after] == ["POINTS_EXPIRATION", "POINTS_ADDITION"]


def test_balances_add_up(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """Each transaction's balance is the previous balance plus its points."""
    _, code = _history(loyalty_fake)
    data = _listed(client.list_transactions(code, {"order": "id"}))
    running = 0
    for transaction in data:
        running += transaction["details"]["balance"]["points"]
        assert transaction["details"]["balance"]["balance"] == running
    assert running == loyalty_fake.get_member(code)["loyalty_card"]["balance"]


def test_initial_points_are_a_transaction(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """A card's initial points are in its transactions: they add up to the balance."""
    welcome = {"type": "LOYALTY_CARD", "loyalty_card": {"points": 100}}
    _, code = _member(loyalty_fake, voucher=welcome)
    loyalty_fake.add_points(code, 5)
    data = _listed(client.list_transactions(code, {"order": "id"}))
    balance = loyalty_fake.get_member(code)["loyalty_card"]["balance"]
    assert balance == 105
    assert sum(t["details"]["balance"]["points"] for t in data) == balance


def test_default_order_is_newest_first(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """Without order, transactions come newest first, the same as order=-id."""
    _, code = _many(loyalty_fake, 4)
    default = _listed(client.list_transactions(code))
    explicit = _listed(client.list_transactions(code, {"order": "-id"}))
    assert [t["details"]["balance"]["points"] for t in default] == [4, 3, 2, 1]
    assert default == explicit
    ids = [t["id"] for t in default]
    assert ids == sorted(ids, reverse=True)


def test_order_id_is_oldest_first(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """order=id lists transactions oldest first."""
    _, code = _many(loyalty_fake, 4)
    data = _listed(client.list_transactions(code, {"order": "id"}))
    assert [t["details"]["balance"]["points"] for t in data] == [1, 2, 3, 4]
    ids = [t["id"] for t in data]
    assert ids == sorted(ids)


def test_default_limit_is_ten(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """Without limit, a page holds ten transactions and says there is more."""
    _, code = _many(loyalty_fake, 12)
    reply = client.list_transactions(code)
    assert len(_listed(reply)) == 10
    assert reply.body["has_more"] is True


@pytest.mark.parametrize("limit", [1, 100])
def test_limit_bounds_are_accepted(client: Client, loyalty_fake: LoyaltyFake, limit: int) -> None:
    """A limit of 1 and a limit of 100 are both valid."""
    _, code = _many(loyalty_fake, 2)
    assert len(_listed(client.list_transactions(code, {"limit": limit}))) == min(limit, 2)


@pytest.mark.parametrize("limit", ["0", "101", "-1", "ten", "1.5"])
def test_bad_limit_is_invalid_query_params(
    http: RequestsClient, loyalty_fake: LoyaltyFake, limit: str
) -> None:
    """A limit outside 1-100 or not an integer is 400 invalid_query_params (SDK: client-side)."""
    _, code = _many(loyalty_fake, 1)
    reply = http.list_transactions(code, {"limit": limit})
    assert reply.status == 400
    assert reply.error_key == "invalid_query_params"


def test_bad_order_is_invalid_query_params(http: RequestsClient, loyalty_fake: LoyaltyFake) -> None:
    """An order other than id or -id is 400 invalid_query_params (the SDK checks first)."""
    _, code = _many(loyalty_fake, 1)
    reply = http.list_transactions(code, {"order": "-created_at"})
    assert reply.status == 400
    assert reply.error_key == "invalid_query_params"


def test_has_more_points_at_the_last_id(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """A full page with more behind it has has_more true and more_starting_after its last ID."""
    _, code = _many(loyalty_fake, 5)
    reply = client.list_transactions(code, {"limit": 2})
    data = _listed(reply)
    assert reply.body["has_more"] is True
    assert reply.body["more_starting_after"] == data[-1]["id"]


def test_starting_after_id_continues_the_list(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """starting_after_id gives the transactions after that one, in the requested order."""
    _, code = _many(loyalty_fake, 5)
    everything = _listed(client.list_transactions(code))
    after_second = _listed(
        client.list_transactions(code, {"starting_after_id": everything[1]["id"]})
    )
    assert after_second == everything[2:]


@pytest.mark.parametrize("order", ["id", "-id"])
@pytest.mark.parametrize("limit", [1, 2, 3, 7])
def test_pages_partition_the_list(
    client: Client, loyalty_fake: LoyaltyFake, order: str, limit: int
) -> None:
    """Following more_starting_after visits every transaction once, in order, then stops."""
    _, code = _many(loyalty_fake, 7)
    everything = _listed(client.list_transactions(code, {"order": order, "limit": 100}))
    pages = _all_pages(client, code, order, limit)
    assert [t for page in pages for t in _listed(page)] == everything
    assert all(len(_listed(page)) == limit for page in pages[:-1])
    assert pages[-1].body["has_more"] is False
    assert "more_starting_after" not in pages[-1].body


def test_card_without_movements_has_no_transactions(
    client: Client, loyalty_fake: LoyaltyFake
) -> None:
    """A member whose points never moved has an empty list and has_more false."""
    _, code = _member(loyalty_fake)
    reply = client.list_transactions(code)
    assert _listed(reply) == []
    assert reply.body["has_more"] is False
    assert reply.body["object"] == "list"
    assert reply.body["data_ref"] == "data"


def test_both_paths_list_the_same_transactions(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """The campaign path and the code-only path list the same transactions."""
    program, code = _history(loyalty_fake)
    assert client.list_transactions(code).body == client.list_transactions(code, None, program).body
    by_name = client.list_transactions(code, None, "Coffee Club")
    assert by_name.body == client.list_transactions(code).body


def test_transactions_are_per_card(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """One member's transactions never show on another member's card."""
    program, alice = _member(loyalty_fake)
    bob = loyalty_fake.add_member(program, {"source_id": "bob"})["code"]
    loyalty_fake.add_points(alice, 500)
    loyalty_fake.add_points(bob, 7)
    data = _listed(client.list_transactions(bob))
    assert [t["details"]["balance"]["points"] for t in data] == [7]


@by_either_path
def test_transactions_of_unknown_code_are_not_found(
    client: Client, loyalty_fake: LoyaltyFake, under_campaign: bool
) -> None:
    """Transactions of an unknown code are 404 not_found, voucher."""
    program, _ = _member(loyalty_fake)
    reply = client.list_transactions("NO-SUCH-CARD", None, program if under_campaign else None)
    assert reply.status == 404
    assert reply.body["resource_type"] == "voucher"


def test_transactions_under_another_program_are_not_found(
    client: Client, loyalty_fake: LoyaltyFake
) -> None:
    """A code under a program it does not belong to is 404 voucher; an unknown program, campaign."""
    _, code = _member(loyalty_fake, "Coffee Club")
    other = loyalty_fake.create_loyalty_program("Tea Club")["id"]
    wrong_program = client.list_transactions(code, None, other)
    assert (wrong_program.status, wrong_program.body["resource_type"]) == (404, "voucher")
    no_program = client.list_transactions(code, None, "camp_NoSuchProgram")
    assert (no_program.status, no_program.body["resource_type"]) == (404, "campaign")


def test_unknown_starting_after_id_is_invalid_query_params(
    client: Client, loyalty_fake: LoyaltyFake
) -> None:
    """A starting_after_id that is no transaction of this card is 400, as on activity."""
    _, code = _many(loyalty_fake, 2)
    reply = client.list_transactions(code, {"starting_after_id": "vtx_0000000000deadbeef"})
    assert reply.status == 400
    assert reply.body["key"] == "invalid_query_params"
