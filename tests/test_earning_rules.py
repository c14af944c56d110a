"""Earning rules (/v1/loyalties/{campaignId}/earning-rules): create, read, list, change, delete."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

from tests.conftest import make_program

if TYPE_CHECKING:
    from loyalty_fake import LoyaltyFake
    from tests.conftest import Client, RequestsClient

pytestmark = pytest.mark.loyalty_fake(now="2024-01-25T10:00:00Z")

FIXED = {
    "event": "order.paid",
    "loyalty": {"type": "FIXED", "points": 5},
    "source": {"banner": "Order paid 5 points."},
    "metadata": {"Type": "Fixed"},
}
# One rule of each calculation type the spec defines.
PROPORTIONAL: dict[str, dict[str, Any]] = {
    "ORDER_AMOUNT": {"order": {"amount": {"every": 1000, "points": 1}}},
    "ORDER_TOTAL_AMOUNT": {"order": {"total_amount": {"every": 1100, "points": 1}}},
    "ORDER_METADATA": {"order": {"metadata": {"every": 10, "points": 2, "property": "visits"}}},
    "ORDER_ITEMS_QUANTITY": {
        "order_items": {"quantity": {"every": 1, "points": 3, "object": "product", "id": "p1"}}
    },
    "ORDER_ITEMS_AMOUNT": {
        "order_items": {
            "amount": {
                "every": 10000,
                "points": 1,
                "applicable_to": [{"object": "sku", "id": "sku_1"}],
            }
        }
    },
    "ORDER_ITEMS_SUBTOTAL_AMOUNT": {
        "order_items": {"subtotal_amount": {"every": 100, "points": 1, "object": "sku", "id": "s"}}
    },
    "CUSTOMER_METADATA": {"customer": {"metadata": {"every": 1, "points": 5, "property": "ltv"}}},
}
CUSTOM = {
    "event": "page_view",
    "custom_event": {"schema_id": "ms_page_view"},
    "loyalty": {
        "type": "PROPORTIONAL",
        "calculation_type": "CUSTOM_EVENT_METADATA",
        "custom_event": {"metadata": {"every": 2, "points": 2, "property": "volume"}},
    },
}


def _proportional(kind: str) -> dict[str, Any]:
    return {
        "event": "order.paid",
        "loyalty": {"type": "PROPORTIONAL", "calculation_type": kind, **PROPORTIONAL[kind]},
    }


def _ok(reply: Any) -> Any:
    assert reply.status == 200, reply.body
    return reply.body


def _rules(client: Client, *bodies: dict[str, Any]) -> list[dict[str, Any]]:
    made: list[dict[str, Any]] = _ok(client.create_earning_rules("Coffee Club", list(bodies)))
    return made


@pytest.fixture
def program(client: Client) -> dict[str, Any]:
    """The program the rules belong to."""
    return make_program(client)


def test_create_answers_the_rules(client: Client, program: dict[str, Any]) -> None:
    """Creating answers an array of rules, as the spec's example shows them."""
    (rule,) = _rules(client, FIXED)
    assert rule["id"].startswith("ern_")
    assert rule["automation_id"].startswith("auto_")
    assert rule == {
        "id": rule["id"],
        "created_at": "2024-01-25T10:00:00.000Z",
        "updated_at": None,
        "validation_rule_id": None,
        "loyalty": {"points": 5, "type": "FIXED"},
        "event": "order.paid",
        "source": {
            "banner": "Order paid 5 points.",
            "object_id": program["id"],
            "object_type": "campaign",
        },
        "active": True,
        "object": "earning_rule",
        "automation_id": rule["automation_id"],
        "metadata": {"Type": "Fixed"},
    }


@pytest.mark.usefixtures("program")
@pytest.mark.parametrize("kind", sorted(PROPORTIONAL))
def test_every_calculation_type(client: Client, kind: str) -> None:
    """Each PROPORTIONAL calculation type is kept as given."""
    (rule,) = _rules(client, _proportional(kind))
    assert rule["loyalty"] == {
        "type": "PROPORTIONAL",
        "calculation_type": kind,
        **PROPORTIONAL[kind],
    }


@pytest.mark.usefixtures("program")
def test_a_custom_event_rule(client: Client) -> None:
    """A custom event rule names its event and its event schema."""
    (rule,) = _rules(client, CUSTOM)
    assert (rule["event"], rule["custom_event"]) == ("page_view", {"schema_id": "ms_page_view"})
    assert rule["loyalty"]["calculation_type"] == "CUSTOM_EVENT_METADATA"


@pytest.mark.usefixtures("program")
def test_time_frame_and_expiry_are_kept(client: Client) -> None:
    """Dates, the recurring time frame, days, hours and the rule's own expiry come back."""
    frame = {
        "start_date": "2024-01-01T00:00:00.000Z",
        "expiration_date": "2024-12-31T23:00:00.000Z",
        "validity_timeframe": {"duration": "PT1H", "interval": "P1D"},
        "validity_day_of_week": [1, 2, 3],
        "validity_hours": {
            "daily": [{"start_time": "12:00", "expiration_time": "14:00", "days_of_week": [1]}]
        },
        "expiration_rules": {"period_type": "MONTH", "period_value": 3},
    }
    (rule,) = _rules(client, {**FIXED, **frame})
    assert {key: rule[key] for key in frame} == frame


def test_get_and_list(client: Client, program: dict[str, Any], loyalty_fake: LoyaltyFake) -> None:
    """A rule reads back by ID; the list holds a program's rules, oldest first by default."""
    first = _rules(client, FIXED)[0]
    loyalty_fake.clock.advance(minutes=1)
    second = _rules(client, _proportional("ORDER_AMOUNT"))[0]
    assert _ok(client.get_earning_rule("Coffee Club", first["id"])) == first
    listed = _ok(client.list_earning_rules("Coffee Club"))
    assert (listed["object"], listed["data_ref"], listed["total"]) == ("list", "data", 2)
    assert [rule["id"] for rule in listed["data"]] == [first["id"], second["id"]]
    newest = _ok(client.list_earning_rules(program["id"], {"order": "-created_at", "limit": 1}))
    assert [rule["id"] for rule in newest["data"]] == [second["id"]]
    paged = _ok(client.list_earning_rules(program["id"], {"limit": 1, "page": 2}))
    assert [rule["id"] for rule in paged["data"]] == [second["id"]]


@pytest.mark.usefixtures("program")
def test_update_changes_what_it_gives(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """PUT changes the points, banner and metadata given; the event stays."""
    (rule,) = _rules(client, FIXED)
    loyalty_fake.clock.advance(hours=1)
    body = {"loyalty": {"type": "FIXED", "points": 9}, "source": {"banner": "Nine"}}
    updated = _ok(client.update_earning_rule("Coffee Club", rule["id"], body))
    assert (updated["loyalty"], updated["source"]["banner"]) == (
        {"points": 9, "type": "FIXED"},
        "Nine",
    )
    assert (updated["event"], updated["metadata"]) == ("order.paid", {"Type": "Fixed"})
    assert updated["updated_at"] == "2024-01-25T11:00:00.000Z"


@pytest.mark.usefixtures("program")
@pytest.mark.parametrize("enable", [False, True])
def test_enable_and_disable(client: Client, enable: bool) -> None:
    """Enable and disable answer the rule, active or not."""
    (rule,) = _rules(client, {**FIXED, "active": not enable})
    switched = _ok(client.switch_earning_rule("Coffee Club", rule["id"], enable=enable))
    assert switched["active"] is enable
    assert _ok(client.get_earning_rule("Coffee Club", rule["id"]))["active"] is enable


@pytest.mark.usefixtures("program")
def test_delete(client: Client) -> None:
    """A deleted rule is 204, then 404."""
    (rule,) = _rules(client, FIXED)
    reply = client.delete_earning_rule("Coffee Club", rule["id"])
    assert (reply.status, reply.body) == (204, None)
    gone = client.get_earning_rule("Coffee Club", rule["id"])
    assert (gone.status, gone.error_key, gone.body["resource_type"]) == (
        404,
        "not_found",
        "earning_rule",
    )
    assert _ok(client.list_earning_rules("Coffee Club"))["total"] == 0


@pytest.mark.usefixtures("program")
def test_another_programs_rule_is_404(client: Client) -> None:
    """A rule is found only under its own program."""
    (rule,) = _rules(client, FIXED)
    make_program(client, "Tea Club")
    assert client.get_earning_rule("Tea Club", rule["id"]).status == 404
    assert client.delete_earning_rule("Tea Club", rule["id"]).status == 404


def test_an_unknown_program_is_404(client: Client) -> None:
    """Rules of a program that does not exist: 404 campaign."""
    reply = client.create_earning_rules("Nope", [FIXED])
    assert (reply.status, reply.body["resource_type"]) == (404, "campaign")


_BAD = [
    ({"loyalty": {"type": "FIXED", "points": 1}}, "Payload must have required property 'event'"),
    ({"event": "order.paid"}, "Payload must have required property 'loyalty'"),
    ({**FIXED, "loyalty": {"type": "BONUS", "points": 1}}, None),
    (
        {**FIXED, "loyalty": {"type": "FIXED"}},
        "Property .loyalty must have required property 'points'",
    ),
    (
        {**FIXED, "loyalty": {"type": "FIXED", "points": 2.5}},
        "Property .loyalty.points must be integer",
    ),
    ({**FIXED, "loyalty": {"type": "FIXED", "points": 0}}, "Property .loyalty.points must be >= 1"),
    (
        {
            "event": "order.paid",
            "loyalty": {
                "type": "PROPORTIONAL",
                "calculation_type": "ORDER_TOTAL_AMOUNT",
                "order": {},
            },
        },
        "Loyalty order rules must contain one of the following properties - 'total_amount'",
    ),
    (
        {
            "event": "order.paid",
            "loyalty": {
                "type": "PROPORTIONAL",
                "calculation_type": "ORDER_AMOUNT",
                "order": {"amount": {"every": 0, "points": 1}},
            },
        },
        "Property .loyalty.order.amount.every must be >= 1",
    ),
    (
        {
            "event": "order.paid",
            "loyalty": {
                "type": "PROPORTIONAL",
                "calculation_type": "ORDER_METADATA",
                "order": {"metadata": {"every": 1, "points": 1}},
            },
        },
        "Property .loyalty.order.metadata must have required property 'property'",
    ),
    ({**CUSTOM, "event": "order.paid"}, None),
    (
        {
            **_proportional("ORDER_AMOUNT"),
            "event": "page_view",
            "custom_event": {"schema_id": "ms_1"},
        },
        None,
    ),
    ({**FIXED, "event": "page_view"}, None),
    (
        {**FIXED, "validity_timeframe": {"duration": "PT1H", "interval": "P1D"}},
        "Property .start_date is required when validity_timeframe is given",
    ),
    (
        {
            **FIXED,
            "start_date": "2024-01-01T00:00:00Z",
            "validity_timeframe": {"duration": "an hour"},
        },
        None,
    ),
    (
        {**FIXED, "validity_day_of_week": [7]},
        "Property .validity_day_of_week must be array of integers from 0 to 6",
    ),
    (
        {
            **FIXED,
            "validity_hours": {"daily": [{"start_time": "25:00", "expiration_time": "26:00"}]},
        },
        None,
    ),
    (
        {**FIXED, "start_date": "soon"},
        "Property .start_date cannot be recognized as a ISO-8601 compliant date",
    ),
]


@pytest.mark.parametrize(("body", "details"), _BAD)
def test_bad_rules_are_refused_and_change_nothing(
    http: RequestsClient, body: dict[str, Any], details: str | None
) -> None:
    """A rule the spec would refuse is 400 invalid_payload; no rule of the batch is created."""
    make_program(http)
    reply = http.create_earning_rules("Coffee Club", [FIXED, body])
    assert (reply.status, reply.error_key) == (400, "invalid_payload"), reply.body
    if details is not None:
        assert reply.body["details"] == details.replace("Property .", "Property [1].").replace(
            "Payload must", "Property [1] must"
        )
    assert _ok(http.list_earning_rules("Coffee Club"))["total"] == 0


@pytest.mark.parametrize(
    ("body", "status", "key"),
    [
        ({**FIXED, "validation_rule_id": "val_7SxpdhPeBngA"}, 404, "not_found"),
        (
            {**FIXED, "event": "customer.segment.entered", "segment": {"id": "seg_1"}},
            404,
            "not_found",
        ),
        # A tier event needs its tier (loyalty_tier.id), one of the program's.
        ({**FIXED, "event": "customer.loyalty.tier.joined"}, 400, "invalid_payload"),
        (
            {**FIXED, "event": "customer.loyalty.tier.joined", "loyalty_tier": {"id": "ltr_x"}},
            404,
            "not_found",
        ),
        (
            {**FIXED, "loyalty": {"type": "FIXED", "points": 1, "points_formula": "1"}},
            501,
            "not_implemented",
        ),
        (
            {
                "event": "order.paid",
                "loyalty": {
                    "type": "PROPORTIONAL",
                    "calculation_type": "ORDER_ITEMS_QUANTITY",
                    "order_items": {
                        "quantity": {
                            "every": 1,
                            "points": 1,
                            "object": "products_collection",
                            "id": "pc_1",
                        }
                    },
                },
            },
            404,
            "not_found",
        ),
    ],
)
def test_what_the_fake_cannot_check_is_said(
    http: RequestsClient, body: dict[str, Any], status: int, key: str
) -> None:
    """A validation rule or collection (none exist) is 404; what the fake lacks is 501."""
    make_program(http)
    reply = http.create_earning_rules("Coffee Club", [body])
    assert (reply.status, reply.error_key) == (status, key), reply.body
    assert _ok(http.list_earning_rules("Coffee Club"))["total"] == 0


def test_one_rule_as_an_object(http: RequestsClient) -> None:
    """One rule sent as an object (not the spec's array) answers the array of one."""
    make_program(http)
    reply = http.call(
        "POST",
        "/v1/loyalties/Coffee%20Club/earning-rules",
        "/v1/loyalties/{campaignId}/earning-rules",
        json=FIXED,
    )
    assert reply.status == 200
    assert [rule["loyalty"] for rule in reply.body] == [FIXED["loyalty"]]


def test_deleting_the_program_for_good_takes_its_rules(http: RequestsClient) -> None:
    """A program deleted with force takes its rules; a new one of the same name has none."""
    make_program(http)
    _rules(http, FIXED)
    assert http.delete_program("Coffee Club", force=True).status == 200
    make_program(http)
    assert _ok(http.list_earning_rules("Coffee Club"))["total"] == 0
