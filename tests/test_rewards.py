"""Rewards (/v1/rewards) and offering them in programs (/v1/loyalties/{campaignId}/rewards)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import pytest
import requests

from tests.conftest import BASE_URL, make_program

if TYPE_CHECKING:
    from loyalty_fake import LoyaltyFake
    from tests.conftest import Client, RequestsClient

pytestmark = pytest.mark.loyalty_fake(now="2024-01-25T10:00:00Z")

MATERIAL = {
    "name": "Comic book",
    "type": "MATERIAL",
    "parameters": {"product": {"id": "prod_0b15f6b9f650c16990", "sku_id": "sku_0b1621b319d248b7"}},
    "stock": 2,
    "attributes": {"image_url": "https://example.com/comic.png", "description": "Archie's"},
    "metadata": {"Type": "Material"},
}
COIN = {
    "name": "Pay with points",
    "type": "COIN",
    "parameters": {"coin": {"exchange_ratio": 1, "points_ratio": "10"}},
}


def _reward(client: Client, body: dict[str, Any] = MATERIAL) -> dict[str, Any]:
    reply = client.create_reward(body)
    assert reply.status == 200, reply.body
    created: dict[str, Any] = reply.body
    return created


def _assign(client: Client, reward_id: str, points: int | None = 100) -> dict[str, Any]:
    body: dict[str, Any] = {"reward": reward_id}
    if points is not None:
        body["parameters"] = {"loyalty": {"points": points}}
    reply = client.assign_reward("Coffee Club", body)
    assert reply.status == 200, reply.body
    assigned: dict[str, Any] = reply.body
    return assigned


# -- rewards --------------------------------------------------------------------------------


def test_material_reward_is_created_as_given(client: Client) -> None:
    """A MATERIAL reward answers the reward object with its product, stock and attributes."""
    reward = _reward(client)
    assert reward == {
        "id": reward["id"],
        "name": "Comic book",
        "type": "MATERIAL",
        "parameters": MATERIAL["parameters"],
        "stock": 2,
        "redeemed": None,
        "attributes": MATERIAL["attributes"],
        "created_at": "2024-01-25T10:00:00.000Z",
        "updated_at": None,
        "metadata": {"Type": "Material"},
        "object": "reward",
    }
    assert reward["id"].startswith("rew_")


def test_coin_reward_takes_its_ratios_as_strings(client: Client) -> None:
    """A COIN reward's ratios, which the spec (and SDK) send as strings, come back as numbers."""
    reward = _reward(client, COIN)
    assert reward["type"] == "COIN"
    assert reward["parameters"] == {"coin": {"exchange_ratio": 1, "points_ratio": 10}}


def test_reward_type_follows_its_parameters(http: RequestsClient) -> None:
    """Without a type, the parameters say which reward it is."""
    body = {"name": "Mug", "parameters": {"product": {"id": "prod_1"}}}
    assert _reward(http, body)["type"] == "MATERIAL"


def test_campaign_reward_is_not_implemented(client: Client) -> None:
    """A CAMPAIGN reward (a voucher of another campaign) answers 501, never a fake success."""
    body = {"name": "Gift", "type": "CAMPAIGN", "parameters": {"campaign": {"id": "camp_1"}}}
    reply = client.create_reward(body)
    assert reply.status == 501
    assert reply.error_key == "not_implemented"
    assert client.list_rewards().body["total"] == 0


@pytest.mark.parametrize(
    ("body", "details"),
    [
        ({"type": "MATERIAL", "parameters": {"product": {"id": "p"}}}, "Payload must have"),
        ({"name": "Mug", "type": "MATERIAL"}, "Payload must have required property 'parameters'"),
        (
            {"name": "Mug", "type": "MATERIAL", "parameters": {"coin": {"exchange_ratio": 1}}},
            "Property .parameters must have required property 'product'",
        ),
        (
            {"name": "Pay", "type": "COIN", "parameters": {"coin": {"exchange_ratio": 0}}},
            "Property .parameters.coin.exchange_ratio must be a number > 0",
        ),
        (
            {"name": "Mug", "parameters": {"product": {"id": "p"}}, "stock": -1},
            "Property .stock must be >= 0",
        ),
        ({"name": "Mug", "type": "GADGET"}, "Property .type must be equal to one of"),
    ],
)
def test_invalid_reward_is_400(http: RequestsClient, body: dict[str, Any], details: str) -> None:
    """A reward without a name, parameters of its type or a valid stock is 400, and not created."""
    reply = http.create_reward(body)
    assert reply.status == 400
    assert reply.error_key == "invalid_payload"
    assert reply.body["details"].startswith(details)
    assert http.list_rewards().body["total"] == 0


def test_get_reward(client: Client) -> None:
    """A reward reads back as it was created."""
    reward = _reward(client)
    assert client.get_reward(reward["id"]).body == reward


def test_unknown_reward_is_404(client: Client) -> None:
    """An unknown reward ID is 404 with the spec's message."""
    reply = client.get_reward("rew_C7wS9eHFDN4CIbXI5PpLSkG")
    assert reply.status == 404
    assert reply.body == {
        "code": 404,
        "key": "not_found",
        "message": "Resource not found",
        "details": "Cannot find reward with id rew_C7wS9eHFDN4CIbXI5PpLSkG",
        "request_id": reply.body["request_id"],
        "resource_id": "rew_C7wS9eHFDN4CIbXI5PpLSkG",
        "resource_type": "reward",
    }


def test_list_rewards_pages(client: Client) -> None:
    """Rewards list in creation order, page by page, with the total."""
    ids = [_reward(client, {**MATERIAL, "name": f"R{n}"})["id"] for n in range(3)]
    first = client.list_rewards({"limit": 2})
    second = client.list_rewards({"limit": 2, "page": 2})
    assert [r["id"] for r in first.body["data"] + second.body["data"]] == ids
    assert first.body["total"] == 3
    assert first.body["object"] == "list"


@pytest.mark.parametrize("ratio", ["1e400", "-1e400"])
def test_an_infinite_coin_ratio_is_400(http: RequestsClient, ratio: str) -> None:
    """A coin ratio that parses as infinity is 400: JSON could not carry it back."""
    body = {"name": "Pay", "parameters": {"coin": {"exchange_ratio": ratio}}}
    reply = http.create_reward(body)
    assert reply.status == 400
    assert reply.body["details"] == "Property .parameters.coin.exchange_ratio must be a number > 0"
    assert http.list_rewards().body["total"] == 0


@pytest.mark.parametrize("ratio", [" 5 ", "1_000", "nan", "inf", "Infinity", "0x10", "5.", ""])
def test_a_coin_ratio_string_must_be_a_numeral(http: RequestsClient, ratio: str) -> None:
    """A string ratio must be written as a JSON number is; float() would take these."""
    body = {"name": "Pay", "parameters": {"coin": {"exchange_ratio": ratio}}}
    reply = http.create_reward(body)
    assert reply.status == 400
    assert reply.body["key"] == "invalid_payload"
    assert reply.body["details"] == "Property .parameters.coin.exchange_ratio must be number"
    assert http.list_rewards().body["total"] == 0


@pytest.mark.parametrize("ratio", ["5", "0.5", "2.5e1", "1E2"])
def test_a_numeral_string_is_a_coin_ratio(http: RequestsClient, ratio: str) -> None:
    """Numerals in strings are taken, as the spec types the ratios as strings."""
    body = {"name": "Pay", "parameters": {"coin": {"exchange_ratio": ratio}}}
    reply = http.create_reward(body)
    assert reply.status == 200, reply.body
    assert reply.body["parameters"]["coin"]["exchange_ratio"] == float(ratio)


def test_update_reward(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """PUT changes the name and stock and stamps updated_at."""
    reward = _reward(client)
    loyalty_fake.clock.advance(hours=1)
    reply = client.update_reward(reward["id"], {"name": "Comic book #2", "stock": 5})
    assert reply.status == 200
    assert reply.body == {
        **reward,
        "name": "Comic book #2",
        "stock": 5,
        "updated_at": "2024-01-25T11:00:00.000Z",
    }


def test_update_with_another_types_parameters_is_400(client: Client) -> None:
    """A MATERIAL reward cannot be given coin parameters; nothing changes."""
    reward = _reward(client)
    reply = client.update_reward(reward["id"], {"parameters": {"coin": {"exchange_ratio": 2}}})
    assert reply.status == 400
    assert client.get_reward(reward["id"]).body == reward


def test_delete_reward(client: Client) -> None:
    """DELETE answers 204 without a body; the reward is gone."""
    reward = _reward(client)
    reply = client.delete_reward(reward["id"])
    assert reply.status == 204
    assert client.get_reward(reward["id"]).status == 404


def test_deleting_an_offered_reward_is_400(client: Client) -> None:
    """A reward a program offers is 400 resource_in_use, naming the assignment."""
    make_program(client)
    reward = _reward(client)
    assignment = _assign(client, reward["id"])
    reply = client.delete_reward(reward["id"])
    assert reply.status == 400
    assert reply.error_key == "resource_in_use"
    assert reply.body["related_object_ids"] == [assignment["id"]]
    assert reply.body["related_object_type"] == "reward_assignment"
    assert client.get_reward(reward["id"]).status == 200


# -- assignments ----------------------------------------------------------------------------


def test_assign_reward_answers_the_assignment(client: Client) -> None:
    """Assigning a reward to a program answers the assignment with its price in points."""
    program = make_program(client)
    reward = _reward(client)
    assignment = _assign(client, reward["id"], 250)
    assert assignment == {
        "id": assignment["id"],
        "reward_id": reward["id"],
        "related_object_id": program["id"],
        "related_object_type": "campaign",
        "parameters": {"loyalty": {"points": 250}},
        "created_at": "2024-01-25T10:00:00.000Z",
        "updated_at": None,
        "object": "reward_assignment",
    }
    assert assignment["id"].startswith("rewa_")


def test_assign_an_array_answers_an_array(http: RequestsClient) -> None:
    """An array of rewards (the spec's request) answers an array of assignments."""
    make_program(http)
    first, second = _reward(http)["id"], _reward(http, COIN)["id"]
    body = [{"reward": first, "parameters": {"loyalty": {"points": 2}}}, {"reward": second}]
    reply = http.assign_reward("Coffee Club", body)
    assert reply.status == 200
    assert [a["reward_id"] for a in reply.body] == [first, second]


def test_a_one_item_array_answers_the_assignment(http: RequestsClient) -> None:
    """A one-item array (what the official SDK sends) answers the assignment object."""
    make_program(http)
    reward = _reward(http)["id"]
    reply = http.assign_reward(
        "Coffee Club", [{"reward": reward, "parameters": {"loyalty": {"points": 2}}}]
    )
    assert reply.body["reward_id"] == reward
    assert reply.body["object"] == "reward_assignment"


@pytest.mark.parametrize(
    ("encoding", "as_array", "where"),
    [
        ("utf-8", True, "Property [1]"),
        ("utf-8", False, "Payload"),
        ("utf-8-sig", True, "Property [1]"),
        ("utf-16", True, "Property [1]"),
    ],
)
def test_an_item_without_a_reward_is_named_by_its_place(
    http: RequestsClient, loyalty_fake: LoyaltyFake, encoding: str, as_array: bool, where: str
) -> None:
    """An array's item is named by its index, whatever encoding JSON allows the body."""
    program = make_program(http)["id"]
    reward = _reward(http)["id"]
    items: list[dict[str, Any]] = [{"reward": reward}, {"parameters": {}}]
    body = json.dumps(items if as_array else items[1]).encode(encoding)
    reply = requests.post(
        f"{BASE_URL}/v1/loyalties/{program}/rewards",
        data=body,
        headers={**loyalty_fake.headers, "Content-Type": "application/json"},
        timeout=10,
    )
    assert reply.status_code == 400
    assert reply.json()["details"] == f"{where} must have required property 'reward'"
    assert loyalty_fake.request("GET", f"/v1/loyalties/{program}/rewards").json()["total"] == 0


def test_coin_assignment_has_no_price(client: Client) -> None:
    """A pay-with-points reward is assigned without parameters: members choose the points."""
    make_program(client)
    assignment = _assign(client, _reward(client, COIN)["id"], points=None)
    assert "parameters" not in assignment


def test_assigning_a_reward_twice_is_409(client: Client) -> None:
    """A program offers a reward once: a second assignment is 409 naming the first."""
    make_program(client)
    reward = _reward(client)
    first = _assign(client, reward["id"])
    reply = client.assign_reward(
        "Coffee Club", {"reward": reward["id"], "parameters": {"loyalty": {"points": 5}}}
    )
    assert reply.status == 409
    assert reply.body["details"] == f"Duplicated reward_assignment exists with id {first['id']}"
    assert client.list_assignments("Coffee Club").body["total"] == 1


def test_material_assignment_needs_points(client: Client) -> None:
    """A MATERIAL reward without a price is 400 and not assigned."""
    make_program(client)
    reply = client.assign_reward("Coffee Club", {"reward": _reward(client)["id"]})
    assert reply.status == 400
    assert reply.error_key == "invalid_payload"
    assert client.list_assignments("Coffee Club").body["total"] == 0


def test_rejected_array_assigns_nothing(http: RequestsClient) -> None:
    """When one reward of an array is unknown, none of them is assigned."""
    make_program(http)
    known = _reward(http)["id"]
    body = [
        {"reward": known, "parameters": {"loyalty": {"points": 2}}},
        {"reward": "rew_unknown", "parameters": {"loyalty": {"points": 2}}},
    ]
    assert http.assign_reward("Coffee Club", body).status == 404
    assert http.list_assignments("Coffee Club").body["total"] == 0


@pytest.mark.parametrize("legacy", [False, True])
def test_list_assignments(client: Client, legacy: bool) -> None:
    """Both listings (/rewards and /reward-assignments) show the program's assignments."""
    make_program(client)
    first = _assign(client, _reward(client)["id"])
    second = _assign(client, _reward(client, COIN)["id"], points=None)
    reply = client.list_assignments("Coffee Club", legacy=legacy)
    assert reply.body == {"object": "list", "data_ref": "data", "data": [first, second], "total": 2}


@pytest.mark.parametrize("legacy", [False, True])
def test_list_assignments_pages(client: Client, legacy: bool) -> None:
    """Assignments list page by page (limit, page), with the total."""
    make_program(client)
    ids = [
        _assign(client, _reward(client, {**MATERIAL, "name": f"R{n}"})["id"])["id"]
        for n in range(3)
    ]
    first = client.list_assignments("Coffee Club", {"limit": 2}, legacy=legacy)
    second = client.list_assignments("Coffee Club", {"limit": 2, "page": 2}, legacy=legacy)
    assert [a["id"] for a in first.body["data"] + second.body["data"]] == ids
    assert (first.body["total"], second.body["total"]) == (3, 3)


@pytest.mark.parametrize(
    ("legacy", "name"),
    [(False, "assignment_id"), (True, "assignmentId")],
    ids=["rewards", "reward-assignments"],
)
def test_list_assignments_of_one_id(client: Client, legacy: bool, name: str) -> None:
    """Each listing's documented ID filter (the spec spells them differently) keeps one."""
    make_program(client)
    _assign(client, _reward(client)["id"])
    wanted = _assign(client, _reward(client, COIN)["id"], points=None)
    reply = client.list_assignments("Coffee Club", {name: wanted["id"]}, legacy=legacy)
    assert (reply.body["data"], reply.body["total"]) == ([wanted], 1)


@pytest.mark.parametrize("legacy", [False, True])
def test_get_assignment(client: Client, legacy: bool) -> None:
    """An assignment reads back by ID under its program."""
    make_program(client)
    assignment = _assign(client, _reward(client)["id"])
    assert client.get_assignment("Coffee Club", assignment["id"], legacy=legacy).body == assignment


def test_assignment_of_another_program_is_404(client: Client) -> None:
    """An assignment read under another program is 404 reward_assignment."""
    make_program(client)
    make_program(client, "Tea Club")
    assignment = _assign(client, _reward(client)["id"])
    reply = client.get_assignment("Tea Club", assignment["id"])
    assert reply.status == 404
    assert reply.body["resource_type"] == "reward_assignment"


def test_update_assignment_changes_the_price(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """PUT sets a new price in points and stamps updated_at."""
    make_program(client)
    assignment = _assign(client, _reward(client)["id"], 100)
    loyalty_fake.clock.advance(minutes=5)
    reply = client.update_assignment(
        "Coffee Club", assignment["id"], {"parameters": {"loyalty": {"points": 80}}}
    )
    assert reply.body == {
        **assignment,
        "parameters": {"loyalty": {"points": 80}},
        "updated_at": "2024-01-25T10:05:00.000Z",
    }


def test_delete_assignment(client: Client) -> None:
    """DELETE answers 204; the program no longer offers the reward."""
    make_program(client)
    assignment = _assign(client, _reward(client)["id"])
    assert client.delete_assignment("Coffee Club", assignment["id"]).status == 204
    assert client.get_assignment("Coffee Club", assignment["id"]).status == 404


# -- a member's rewards ---------------------------------------------------------------------


def _member_with(client: Client, loyalty_fake: LoyaltyFake, points: int) -> str:
    make_program(client)
    code: str = client.add_member("Coffee Club", {"customer": {"source_id": "alice"}}).body["code"]
    loyalty_fake.add_points(code, points)
    return code


def test_member_rewards_lists_what_the_program_offers(
    client: Client, loyalty_fake: LoyaltyFake
) -> None:
    """A member sees each reward of their program with its assignment."""
    code = _member_with(client, loyalty_fake, 50)
    reward = _reward(client)
    assignment = _assign(client, reward["id"], 100)
    reply = client.list_member_rewards(code)
    assert reply.body == {
        "object": "list",
        "data_ref": "data",
        "data": [{"reward": reward, "assignment": assignment, "object": "loyalty_reward"}],
        "total": 1,
    }


def test_affordable_only_hides_what_the_balance_cannot_pay(
    client: Client, loyalty_fake: LoyaltyFake
) -> None:
    """affordable_only keeps rewards priced within the balance, and pay-with-points rewards."""
    code = _member_with(client, loyalty_fake, 50)
    cheap = _assign(client, _reward(client, {**MATERIAL, "name": "Sticker"})["id"], 50)
    _assign(client, _reward(client)["id"], 51)
    coin = _assign(client, _reward(client, COIN)["id"], points=None)
    listed = client.list_member_rewards(code, affordable_only=True).body["data"]
    assert [item["assignment"]["id"] for item in listed] == [cheap["id"], coin["id"]]


@pytest.mark.parametrize(
    "raw",
    [b"[]", b"[1, 2]", b"[" * 5000 + b"]" * 5000, b"[{" + b'"a":' * 50 + b"1" + b"}" * 50 + b"]"],
    ids=["empty", "not-objects", "deep", "deep-inside"],
)
def test_odd_assignment_arrays_are_400(http: RequestsClient, raw: bytes) -> None:
    """Empty, non-object or absurdly nested arrays are 400 invalid_payload, never a 500."""
    make_program(http)
    headers = {**http.headers, "Content-Type": "application/json"}
    response = http.session.post(
        f"{http.base_url}/v1/loyalties/Coffee%20Club/rewards", data=raw, headers=headers
    )
    assert response.status_code == 400
    assert response.json()["key"] == "invalid_payload"


def test_list_rewards_of_one_assignment(client: Client) -> None:
    """assignment_id narrows the rewards list to that assignment's reward."""
    make_program(client)
    _reward(client)
    wanted = _reward(client, COIN)
    assignment = _assign(client, wanted["id"], points=None)
    reply = client.list_rewards({"assignment_id": assignment["id"]})
    assert [reward["id"] for reward in reply.body["data"]] == [wanted["id"]]
    assert reply.body["total"] == 1
