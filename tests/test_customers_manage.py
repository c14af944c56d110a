"""Managing customers: create (an upsert by source_id), update, delete, forget, list."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

from tests.conftest import make_program

if TYPE_CHECKING:
    from loyalty_fake import LoyaltyFake
    from tests.conftest import Client, RequestsClient

pytestmark = pytest.mark.loyalty_fake(now="2024-01-25T10:00:00Z")

ADA = {
    "source_id": "ada",
    "name": "Ada Lovelace",
    "email": "ada@example.com",
    "phone": "+44 20 0000 0000",
    "birthdate": "1815-12-10",
    "address": {"city": "London", "country": "GB"},
    "metadata": {"tier": "gold", "visits": 3},
}


def _ok(reply: Any) -> dict[str, Any]:
    assert reply.status == 200, reply.body
    body: dict[str, Any] = reply.body
    return body


def _created(client: Client, body: dict[str, Any] = ADA) -> dict[str, Any]:
    return _ok(client.create_customer(body))


# -- create: an upsert ------------------------------------------------------------------------


def test_create_answers_the_customer(client: Client) -> None:
    """A new customer answers with its profile, an empty summary and no loyalty yet."""
    customer = _created(client)
    assert customer["id"].startswith("cust_")
    assert len(customer["id"]) == len("cust_") + 24
    assert customer["source_id"] == "ada"
    assert (customer["name"], customer["email"]) == ("Ada Lovelace", "ada@example.com")
    assert customer["address"]["city"] == "London"
    assert customer["metadata"] == {"tier": "gold", "visits": 3}
    assert customer["created_at"] == "2024-01-25T10:00:00.000Z"
    assert "updated_at" not in customer
    assert customer["loyalty"] == {"points": 0, "referred_customers": 0, "campaigns": {}}
    assert customer["object"] == "customer"


def test_create_again_updates_the_same_customer(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """Creating with a known source_id updates that customer and answers the same ID."""
    first = _created(client)
    loyalty_fake.clock.advance(minutes=5)
    again = _created(client, {"source_id": "ada", "email": "ada@lovelace.org"})
    assert again["id"] == first["id"]
    assert again["email"] == "ada@lovelace.org"
    assert again["name"] == "Ada Lovelace"
    assert again["created_at"] == first["created_at"]
    assert again["updated_at"] == "2024-01-25T10:05:00.000Z"
    assert _ok(client.list_customers())["total"] == 1


def test_create_by_id_updates_that_customer(client: Client) -> None:
    """An id names the customer to update; the source_id beside it is ignored."""
    first = _created(client)
    again = _created(client, {"id": first["id"], "source_id": "other", "name": "A. L."})
    assert (again["id"], again["source_id"], again["name"]) == (first["id"], "ada", "A. L.")


def test_create_with_an_unknown_id_is_404(client: Client) -> None:
    """An id no customer has is 404, and creates nothing."""
    reply = client.create_customer({"id": "cust_NoSuchCustomer0000000000", "name": "X"})
    assert (reply.status, reply.error_key) == (404, "not_found")
    assert reply.body["resource_type"] == "customer"
    assert _ok(client.list_customers())["total"] == 0


def test_create_without_source_id_makes_a_new_customer_each_time(client: Client) -> None:
    """Without id or source_id, each call creates another customer, with no source_id."""
    first = _created(client, {"name": "Anonymous"})
    second = _created(client, {"name": "Anonymous"})
    assert "source_id" not in first
    assert first["id"] != second["id"]
    assert _ok(client.list_customers())["total"] == 2


def test_the_id_is_the_one_a_join_would_give(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """A customer created first is the one a later join with its source_id holds the card of."""
    customer = _created(client)
    make_program(client)
    card = loyalty_fake.add_member("Coffee Club", {"source_id": "ada"})
    assert card["holder_id"] == customer["id"]


@pytest.mark.parametrize(
    ("body", "details"),
    [
        ({"source_id": "ada", "name": 5}, "Property .name must be string"),
        ({"source_id": ""}, "Property .source_id must NOT have fewer than 1 characters"),
        ({"source_id": "ada", "metadata": []}, "Property .metadata must be object"),
        ({"source_id": "ada", "address": "London"}, "Property .address must be object"),
    ],
)
def test_bad_input_is_refused_and_changes_nothing(
    http: RequestsClient, body: dict[str, Any], details: str
) -> None:
    """A malformed customer is 400 invalid_payload naming the property; nothing is created."""
    reply = http.create_customer(body)
    assert (reply.status, reply.error_key, reply.body["details"]) == (
        400,
        "invalid_payload",
        details,
    )
    assert _ok(http.list_customers())["total"] == 0


# -- update -------------------------------------------------------------------------------------


@pytest.mark.parametrize("by", ["id", "source_id"])
def test_update_changes_only_what_it_gives(
    client: Client, loyalty_fake: LoyaltyFake, by: str
) -> None:
    """PUT changes the fields it gives, by ID or source_id; metadata is replaced whole."""
    created = _created(client)
    loyalty_fake.clock.advance(hours=1)
    updated = _ok(client.update_customer(created[by], {"phone": "+1 555", "metadata": {"a": 1}}))
    assert updated["id"] == created["id"]
    assert updated["phone"] == "+1 555"
    assert updated["name"] == "Ada Lovelace"
    assert updated["metadata"] == {"a": 1}
    assert updated["updated_at"] == "2024-01-25T11:00:00.000Z"
    assert _ok(client.get_customer("ada")) == updated


def test_update_of_an_unknown_customer_is_404(client: Client) -> None:
    """Updating a customer nobody created is 404 not_found (customer)."""
    reply = client.update_customer("nobody", {"name": "X"})
    assert (reply.status, reply.error_key, reply.body["resource_id"]) == (
        404,
        "not_found",
        "nobody",
    )


# -- delete and forget ---------------------------------------------------------------------------


def test_delete_then_get_is_404(client: Client) -> None:
    """A deleted customer is found neither by ID nor by source_id, nor listed."""
    created = _created(client)
    reply = client.delete_customer("ada")
    assert (reply.status, reply.body) == (204, None)
    for ref in (created["id"], "ada"):
        assert client.get_customer(ref).status == 404
    assert _ok(client.list_customers())["customers"] == []
    assert client.delete_customer("ada").status == 404


def test_created_again_after_deletion_is_a_new_customer(
    client: Client, loyalty_fake: LoyaltyFake
) -> None:
    """The same source_id after a deletion is a new customer, with a new ID and no loyalty."""
    make_program(client)
    old_card = loyalty_fake.add_member("Coffee Club", {"source_id": "ada"})
    loyalty_fake.add_points(old_card["code"], 100)
    assert client.delete_customer("ada").status == 204
    again = _created(client, {"source_id": "ada"})
    assert again["id"] != old_card["holder_id"]
    assert again["loyalty"]["points"] == 0
    assert client.get_customer(old_card["holder_id"]).status == 404
    new_card = loyalty_fake.add_member("Coffee Club", {"source_id": "ada"})
    assert new_card["code"] != old_card["code"]
    assert new_card["holder_id"] == again["id"]


def test_deleted_three_times_gives_three_ids(client: Client) -> None:
    """Each re-creation after a deletion has an ID of its own."""
    seen = set()
    for _ in range(3):
        seen.add(_created(client, {"source_id": "ada"})["id"])
        assert client.delete_customer("ada").status == 204
    assert len(seen) == 3


def test_a_deleted_holders_card_keeps_its_holder(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """The card of a deleted customer still names them as its holder, with its points."""
    make_program(client)
    card = loyalty_fake.add_member("Coffee Club", {"source_id": "ada"})
    loyalty_fake.add_points(card["code"], 40)
    assert client.delete_customer("ada").status == 204
    member = _ok(client.get_member(card["code"]))
    assert (member["holder_id"], member["loyalty_card"]["balance"]) == (card["holder_id"], 40)


def test_permanent_deletion_answers_what_went(client: Client) -> None:
    """Permanent deletion answers a DONE deletion of one customer; the customer is gone."""
    created = _created(client)
    deletion = _ok(client.forget_customer("ada"))
    assert deletion["id"].startswith("del_")
    assert deletion["related_object_id"] == created["id"]
    assert (deletion["related_object"], deletion["status"]) == ("customer", "DONE")
    assert deletion["data_json"]["customer"] == 1
    assert deletion["object"] == "pernament_deletion"
    assert client.get_customer("ada").status == 404
    assert client.forget_customer("ada").status == 404


# -- list ---------------------------------------------------------------------------------------


def _three(client: Client, fake: LoyaltyFake) -> list[dict[str, Any]]:
    """ada, bob and carol, a minute apart; bob updated an hour later."""
    made = []
    for name, city in (("ada", "London"), ("bob", "Paris"), ("carol", "London")):
        made.append(_created(client, {"source_id": name, "name": name, "address": {"city": city}}))
        fake.clock.advance(minutes=1)
    fake.clock.advance(hours=1)
    _ok(client.update_customer("bob", {"email": "bob@example.com"}))
    return made


def _ids(reply: Any) -> list[str]:
    return [customer["source_id"] for customer in _ok(reply)["customers"]]


def test_list_is_newest_first(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """By default the newest customer comes first; total counts them all."""
    _three(client, loyalty_fake)
    listed = _ok(client.list_customers())
    assert [c["source_id"] for c in listed["customers"]] == ["carol", "bob", "ada"]
    assert (listed["object"], listed["data_ref"], listed["total"]) == ("list", "customers", 3)
    assert listed["has_more"] is False


@pytest.mark.parametrize(
    ("order", "expected"),
    [
        ("created_at", ["ada", "bob", "carol"]),
        ("-updated_at", ["bob", "carol", "ada"]),
        ("updated_at", ["ada", "carol", "bob"]),
        ("-source_id", ["carol", "bob", "ada"]),
    ],
)
def test_list_in_order(
    client: Client, loyalty_fake: LoyaltyFake, order: str, expected: list[str]
) -> None:
    """Each order the spec names sorts the list; a customer never updated counts its creation."""
    _three(client, loyalty_fake)
    assert _ids(client.list_customers({"order": order})) == expected


def test_ties_keep_creation_order(client: Client) -> None:
    """Customers created at the same instant list newest created first, oldest in created_at."""
    for name in ("a", "b", "c"):
        _created(client, {"source_id": name})
    assert _ids(client.list_customers()) == ["c", "b", "a"]
    assert _ids(client.list_customers({"order": "created_at"})) == ["a", "b", "c"]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"city": "London"}, ["carol", "ada"]),
        ({"name": "bob"}, ["bob"]),
        ({"email": "bob@example.com"}, ["bob"]),
        ({"email": "nobody@example.com"}, []),
        ({"created_at[after]": "2024-01-25T10:00:30Z"}, ["carol", "bob"]),
        ({"created_at[before]": "2024-01-25T10:01:00Z"}, ["ada"]),
        ({"updated_at[after]": "2024-01-25T10:30:00Z"}, ["bob"]),
        ({"segment_id": "seg_1"}, []),
        ({"starting_after": "2024-01-25T10:02:00Z"}, ["bob", "ada"]),
        ({"starting_after": "2024-01-25T10:00:00Z", "order": "created_at"}, ["bob", "carol"]),
    ],
)
def test_list_filters(
    client: Client, loyalty_fake: LoyaltyFake, params: dict[str, Any], expected: list[str]
) -> None:
    """The spec's filters and the date cursor keep only the customers they name."""
    _three(client, loyalty_fake)
    listed = _ok(client.list_customers(params))
    assert [c["source_id"] for c in listed["customers"]] == expected
    assert listed["total"] == len(expected)


def test_list_pages(client: Client) -> None:
    """The limit and page slice the list; has_more says whether another page follows."""
    for number in range(5):
        _created(client, {"source_id": f"c{number}"})
    first = _ok(client.list_customers({"limit": 2, "page": 1}))
    last = _ok(client.list_customers({"limit": 2, "page": 3}))
    assert ([c["source_id"] for c in first["customers"]], first["has_more"]) == (["c4", "c3"], True)
    assert ([c["source_id"] for c in last["customers"]], last["has_more"]) == (["c0"], False)
    assert first["total"] == last["total"] == 5


@pytest.mark.parametrize(
    ("params", "details"),
    [
        ({"page": 100}, "Property .page must be <= 99"),
        ({"order": "name"}, None),
        ({"created_at[before]": "yesterday"}, None),
        (
            {"starting_after": "soon"},
            "Property .starting_after cannot be recognized as a ISO-8601 compliant date",
        ),
    ],
)
def test_list_refuses_bad_parameters(
    http: RequestsClient, params: dict[str, Any], details: str | None
) -> None:
    """A parameter off the spec is 400 invalid_query_params."""
    reply = http.list_customers(params)
    assert (reply.status, reply.error_key) == (400, "invalid_query_params")
    if details is not None:
        assert reply.body["details"] == details


def test_ids_are_deterministic() -> None:
    """The same seed and calls give the same customer IDs, deleted and created again."""
    from loyalty_fake import LoyaltyFake  # noqa: PLC0415

    answers = []
    for _ in range(2):
        fake = LoyaltyFake(seed=7, now="2024-01-25T10:00:00Z")
        first = fake.request("POST", "/v1/customers", json_body={"source_id": "ada"}).json()
        fake.request("DELETE", "/v1/customers/ada")
        second = fake.request("POST", "/v1/customers", json_body={"source_id": "ada"}).json()
        anonymous = fake.request("POST", "/v1/customers", json_body={}).json()
        answers.append((first["id"], second["id"], anonymous["id"]))
    assert answers[0] == answers[1]
