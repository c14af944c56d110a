"""A reward's assignments (/v1/rewards/{rewardId}/assignments) and an assignment's reward.

The same store as a program's assignments (/v1/loyalties/{campaignId}/rewards): an assignment
made one way is seen, changed and removed the other way.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

from tests.conftest import make_program
from tests.test_rewards import COIN, MATERIAL

if TYPE_CHECKING:
    from loyalty_fake import LoyaltyFake
    from tests.conftest import Client, RequestsClient

pytestmark = pytest.mark.loyalty_fake(now="2024-01-25T10:00:00Z")


def _reward(client: Client, body: dict[str, Any] = MATERIAL) -> str:
    reply = client.create_reward(body)
    assert reply.status == 200, reply.body
    reward_id: str = reply.body["id"]
    return reward_id


def _program(client: Client, name: str = "Coffee Club") -> str:
    program_id: str = make_program(client, name)["id"]
    return program_id


def _price(points: int) -> dict[str, Any]:
    return {"parameters": {"loyalty": {"points": points}}}


def _assign(client: Client, reward_id: str, campaign: str, points: int = 39) -> dict[str, Any]:
    reply = client.create_assignment_of_reward(reward_id, {"campaign": campaign, **_price(points)})
    assert reply.status == 200, reply.body
    assigned: dict[str, Any] = reply.body
    return assigned


def test_create_answers_the_assignment(client: Client) -> None:
    """The reward is offered in the program named by ``campaign``, at its price."""
    reward_id, program_id = _reward(client), _program(client)
    assigned = _assign(client, reward_id, program_id)
    assert assigned["reward_id"] == reward_id
    assert assigned["related_object_id"] == program_id
    assert assigned["related_object_type"] == "campaign"
    assert assigned["parameters"] == {"loyalty": {"points": 39}}
    assert assigned["object"] == "reward_assignment"


def test_an_assignment_made_one_way_is_seen_the_other(client: Client) -> None:
    """Both paths read the same assignments."""
    reward_id, program_id = _reward(client), _program(client)
    assigned = _assign(client, reward_id, program_id)
    seen = client.get_assignment(program_id, assigned["id"])
    assert seen.status == 200
    assert seen.body == assigned
    other = client.assign_reward(program_id, {"reward": _reward(client), **_price(5)}).body
    got = client.get_assignment_of_reward(other["reward_id"], other["id"])
    assert got.status == 200
    assert got.body == other


def test_coin_reward_assignment_has_no_price(client: Client) -> None:
    """A COIN reward takes no price: members pay what they choose."""
    reward_id, program_id = _reward(client, COIN), _program(client)
    reply = client.create_assignment_of_reward(reward_id, {"campaign": program_id})
    assert reply.status == 200, reply.body
    assert "parameters" not in reply.body


def test_list_pages_a_rewards_assignments(client: Client) -> None:
    """The reward's assignments over every program, page-based."""
    reward_id = _reward(client)
    ids = [_assign(client, reward_id, _program(client, f"Club {n}"))["id"] for n in range(3)]
    reply = client.list_assignments_of_reward(reward_id, {"limit": 2, "page": 2})
    assert reply.status == 200
    assert reply.body["total"] == 3
    assert [a["id"] for a in reply.body["data"]] == ids[2:]


def test_update_changes_the_price(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """PUT sets a new price, seen through the program's path too."""
    reward_id, program_id = _reward(client), _program(client)
    assigned = _assign(client, reward_id, program_id)
    loyalty_fake.clock.advance(minutes=1)
    reply = client.update_assignment_of_reward(reward_id, assigned["id"], _price(35))
    assert reply.status == 200, reply.body
    assert reply.body["parameters"] == {"loyalty": {"points": 35}}
    assert reply.body["updated_at"] == "2024-01-25T10:01:00.000Z"
    assert client.get_assignment(program_id, assigned["id"]).body == reply.body


def test_delete_stops_offering_it(client: Client) -> None:
    """DELETE removes the assignment from both paths."""
    reward_id, program_id = _reward(client), _program(client)
    assigned = _assign(client, reward_id, program_id)
    assert client.delete_assignment_of_reward(reward_id, assigned["id"]).status == 204
    assert client.get_assignment(program_id, assigned["id"]).status == 404
    assert client.list_assignments_of_reward(reward_id).body["total"] == 0


def test_reward_details_of_an_assignment(client: Client) -> None:
    """The assignment's reward, by program ID or name; 404 in another program."""
    reward_id, program_id = _reward(client), _program(client)
    assigned = _assign(client, reward_id, program_id)
    reply = client.get_reward_details(program_id, assigned["id"])
    assert reply.status == 200
    assert reply.body == client.get_reward(reward_id).body
    by_name = client.get_reward_details("Coffee Club", assigned["id"])
    assert by_name.body["id"] == reward_id
    other = _program(client, "Tea Club")
    assert client.get_reward_details(other, assigned["id"]).status == 404


def test_assigning_twice_is_409_and_changes_nothing(client: Client) -> None:
    """A reward the program offers already is 409 duplicate_found."""
    reward_id, program_id = _reward(client), _program(client)
    first = _assign(client, reward_id, program_id)
    reply = client.create_assignment_of_reward(reward_id, {"campaign": program_id, **_price(5)})
    assert reply.status == 409
    assert reply.body["key"] == "duplicate_found"
    assert reply.body["resource_id"] == first["id"]
    assert client.list_assignments_of_reward(reward_id).body["total"] == 1


def test_unknown_reward_is_404(client: Client) -> None:
    """An unknown reward is 404 (reward) on every path."""
    program_id = _program(client)
    created = client.create_assignment_of_reward("rew_nope", {"campaign": program_id, **_price(5)})
    assert created.status == 404
    assert created.body["resource_type"] == "reward"
    assert client.list_assignments_of_reward("rew_nope").status == 404
    assert client.get_assignment_of_reward("rew_nope", "rewa_nope").body["resource_type"] == (
        "reward"
    )


def test_assignment_of_another_reward_is_404(client: Client) -> None:
    """Another reward's assignment is 404 (reward_assignment), untouched."""
    reward_id, program_id = _reward(client), _program(client)
    assigned = _assign(client, reward_id, program_id)
    other = _reward(client)
    for reply in (
        client.get_assignment_of_reward(other, assigned["id"]),
        client.update_assignment_of_reward(other, assigned["id"], _price(1)),
        client.delete_assignment_of_reward(other, assigned["id"]),
    ):
        assert reply.status == 404
        assert reply.body["resource_type"] == "reward_assignment"
    assert client.get_assignment(program_id, assigned["id"]).body == assigned


def test_unknown_or_missing_program_is_404(client: Client) -> None:
    """An unknown program, or none given, is 404 (campaign), as the spec shows."""
    reward_id = _reward(client)
    reply = client.create_assignment_of_reward(reward_id, {"campaign": "camp_nope", **_price(5)})
    assert reply.status == 404
    assert reply.body["resource_type"] == "campaign"
    missing = client.create_assignment_of_reward(reward_id, _price(5))
    assert missing.status == 404
    assert missing.body["details"] == "Cannot find campaign with id null"
    assert client.list_assignments_of_reward(reward_id).body["total"] == 0


def test_material_reward_needs_a_price(client: Client) -> None:
    """A MATERIAL reward without points is 400 and assigns nothing."""
    reward_id, program_id = _reward(client), _program(client)
    reply = client.create_assignment_of_reward(reward_id, {"campaign": program_id})
    assert reply.status == 400
    assert client.list_assignments_of_reward(reward_id).body["total"] == 0


@pytest.mark.parametrize(
    "body",
    [
        {"campaign": 5, "parameters": {"loyalty": {"points": 5}}},
        {"campaign": "Coffee Club", "parameters": {"loyalty": {"points": 0}}},
        {"campaign": "Coffee Club", "parameters": {"loyalty": {"points": "5"}}},
        {"campaign": "Coffee Club", "parameters": "5"},
    ],
)
def test_bad_bodies_are_400(http: RequestsClient, body: dict[str, Any]) -> None:
    """Ill-typed fields are 400 and assign nothing."""
    reward_id = _reward(http)
    _program(http)
    reply = http.create_assignment_of_reward(reward_id, body)
    assert reply.status == 400, reply.body
    assert http.list_assignments_of_reward(reward_id).body["total"] == 0


def test_bad_paging_is_400(http: RequestsClient) -> None:
    """A limit or page out of range is 400."""
    reward_id = _reward(http)
    assert http.list_assignments_of_reward(reward_id, {"limit": 0}).status == 400
    assert http.list_assignments_of_reward(reward_id, {"page": "x"}).status == 400
