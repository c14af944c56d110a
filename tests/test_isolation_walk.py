"""Two projects never see each other's data, on every implemented endpoint."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import pytest
import requests

from loyalty_fake.http.management_auth import management_project_id
from loyalty_fake.http.routes import ROUTES
from loyalty_fake.server.control import ControlPlane
from tests.conftest import BASE_URL

if TYPE_CHECKING:
    from loyalty_fake import LoyaltyFake

# The Management API's routes name their project in the path and take management keys,
# not an X-App-Id: tests/test_webhooks_api.py walks a stranger's keys and project there.
OWNER = {"X-App-Id": "owner", "X-App-Token": "t"}
# With the stranger's client-side keys too, which open only the stranger's project.
STRANGER = {
    "X-App-Id": "stranger",
    "X-App-Token": "t",
    "X-Client-Application-Id": "stranger",
    "X-Client-Token": "t",
}
COLLECTIONS = {
    "/v1/loyalties",
    "/v1/publications",
    "/v1/rewards",
    "/v1/customers",
    "/v1/orders",
    "/v1/products",
    "/v1/redemptions",
    # Someone not a customer of the project gets the segments they would be in: none.
    "/v1/customers/{customerId}/segments",
    "/v1/validation-rules",
    "/v1/validation-rules-assignments",
    # An unknown rule's assignments are an empty list (documented).
    "/v1/validation-rules/{validationRuleId}/assignments",
    "/v1/campaigns",
    "/v1/vouchers",
    "/v1/categories",
    "/v1/trash-bin",
    "/v1/exports",
    "/v1/metadata-schemas",
}
# Creating these makes a record in the stranger's own project (or is refused there).
CREATORS = {
    "POST /v1/loyalties",
    "POST /v1/rewards",
    "POST /v1/customers",
    "POST /v1/orders",
    "POST /v1/events",
    "POST /v1/products",
    "POST /v1/segments",
    "POST /v1/customers/importCSV",
    "POST /v1/customers/bulk/async",
    "POST /v1/customers/metadata/async",
    "POST /v1/orders/import",
    "POST /v1/products/bulk/async",
    "POST /v1/products/metadata/async",
    "POST /v1/products/importCSV",
    "POST /v1/skus/importCSV",
    "POST /v1/validation-rules",
    "POST /client/v1/events",
    "POST /v1/campaigns",
    "POST /v1/vouchers",
    "POST /v1/vouchers/{code}",
    "POST /v1/vouchers/import",
    "POST /v1/vouchers/bulk/async",
    "POST /v1/vouchers/metadata/async",
    "POST /v1/vouchers/importCSV",
    "POST /v1/categories",
    # An export of the stranger's own (empty) project.
    "POST /v1/exports",
    "POST /v1/orders/export",
}
CSV = {"file": ("customers.csv", b"Source_id,Name\nalice,Taken Over\n", "text/csv")}
# The owner's product "shirt" and SKU "shirt-red", renamed and repriced by a stranger's upload.
CSV_UPLOADS = {
    "POST /v1/customers/importCSV": CSV,
    "POST /v1/products/importCSV": {"file": ("p.csv", b"name,source_id\nMine,shirt\n", "text/csv")},
    "POST /v1/skus/importCSV": {
        "file": ("s.csv", b"product_id,source_id,sku,price\nshirt,shirt-red,Mine,1\n", "text/csv")
    },
    # The owner's card's code ({code}), taken in the stranger's own project or refused there.
    "POST /v1/vouchers/importCSV": {
        "file": ("v.csv", b"Code,Voucher Type,Value\n{code},GIFT_VOUCHER,1\n", "text/csv")
    },
    "POST /v1/campaigns/{campaignId}/importCSV": {
        "file": ("c.csv", b"Code,Loyalty Points,Active\n{code},5,false\n", "text/csv")
    },
}
BODIES: dict[str, Any] = {
    "POST /v1/loyalties/{campaignId}/members": {"customer": {"source_id": "alice"}},
    "POST /v1/publications": {"voucher": "{code}", "customer": {"source_id": "alice"}},
    "POST /v1/loyalties/{campaignId}/members/{memberId}/balance": {"points": 5},
    "POST /v1/loyalties/members/{memberId}/balance": {"points": 5},
    "POST /v1/loyalties/{campaignId}/members/{memberId}/transfers": [
        {"code": "{code}", "points": 1, "source_id": "t"}
    ],
    "PUT /v1/loyalties/{campaignId}": {"description": "taken over"},
    "POST /v1/rewards": {"name": "Mine", "parameters": {"product": {"id": "prod_1"}}},
    "PUT /v1/rewards/{rewardId}": {"name": "taken over"},
    "POST /v1/loyalties/{campaignId}/rewards": {
        "reward": "{reward}",
        "parameters": {"loyalty": {"points": 1}},
    },
    "PUT /v1/loyalties/{campaignId}/rewards/{assignmentId}": {
        "parameters": {"loyalty": {"points": 1}}
    },
    "POST /v1/rewards/{rewardId}/assignments": {
        "campaign": "{program}",
        "parameters": {"loyalty": {"points": 1}},
    },
    "PUT /v1/rewards/{rewardId}/assignments/{assignmentId}": {
        "parameters": {"loyalty": {"points": 1}}
    },
    "POST /v1/loyalties/{campaignId}/members/{memberId}/redemption": {"reward": {"id": "{reward}"}},
    "POST /v1/loyalties/members/{memberId}/redemption": {"reward": {"id": "{reward}"}},
    "POST /v1/loyalties/{campaignId}/earning-rules": [
        {"event": "order.paid", "loyalty": {"type": "FIXED", "points": 1}}
    ],
    "POST /v1/events": {"event": "visit", "customer": {"source_id": "alice"}},
    "POST /v1/products": {"source_id": "shirt", "name": "taken over"},
    "PUT /v1/products/{productId}": {"name": "taken over"},
    "POST /v1/products/{productId}/skus": {"source_id": "shirt-red", "sku": "taken over"},
    "PUT /v1/products/{productId}/skus/{skuId}": {"sku": "taken over"},
    "POST /v1/segments": {"name": "Mine", "type": "static", "customers": []},
    "POST /v1/loyalties/members/{memberId}/pending-points/{pendingPointsId}/balance": {"points": 5},
    "POST /v1/customers/bulk/async": [{"source_id": "alice", "name": "Taken Over"}],
    "POST /v1/customers/metadata/async": {"source_ids": ["alice"], "metadata": {"x": 1}},
    "POST /v1/orders/import": [{"source_id": "order-1", "status": "CANCELED"}],
    "POST /v1/products/bulk/async": [{"source_id": "shirt", "name": "Taken Over"}],
    "POST /v1/products/metadata/async": {"source_ids": ["shirt"], "metadata": {"x": 1}},
    "POST /v1/validations": {"redeemables": [{"object": "voucher", "id": "{code}"}]},
    "POST /v1/redemptions": {
        "redeemables": [{"object": "voucher", "id": "{code}", "reward": {"id": "{reward}"}}]
    },
    "POST /v1/validation-rules": {"name": "Mine"},
    "POST /v1/categories": {"name": "Owner's", "hierarchy": 1},
    "POST /v1/loyalties/{campaignId}/tiers": [{"name": "Mine", "points": {"from": 1}}],
    "POST /v1/exports": {"exported_object": "order"},
    "PUT /v1/categories/{categoryId}": {"name": "taken over", "hierarchy": 1},
    "PUT /v1/validation-rules/{validationRuleId}": {"name": "taken over"},
    "POST /v1/validation-rules/{validationRuleId}/assignments": {
        "related_object_type": "campaign",
        "related_object_id": "{program}",
    },
    "POST /client/v1/events": {"event": "visit", "customer": {"source_id": "alice"}},
    "POST /client/v1/validations": {"redeemables": [{"object": "voucher", "id": "{code}"}]},
    "POST /client/v1/redemptions": {
        "redeemables": [{"object": "voucher", "id": "{code}", "reward": {"id": "{reward}"}}]
    },
    "POST /client/v1/publish": {"voucher": "{code}", "customer": {"source_id": "alice"}},
    "POST /v1/campaigns": {
        "name": "P",
        "campaign_type": "DISCOUNT_COUPONS",
        "voucher": {"type": "DISCOUNT_VOUCHER", "discount": {"type": "AMOUNT", "amount_off": 1}},
    },
    "PUT /v1/campaigns/{campaignId}": {"description": "taken over"},
    "POST /v1/vouchers/{code}": {"type": "GIFT_VOUCHER", "gift": {"amount": 1}},
    "PUT /v1/vouchers/{code}": {"metadata": {"taken": "over"}},
    "POST /v1/vouchers/{code}/balance": {"amount": 5},
    "POST /v1/vouchers/import": [{"code": "{code}", "type": "GIFT_VOUCHER", "gift": {"amount": 1}}],
    "POST /v1/campaigns/{campaignId}/import": [{"code": "taken-over"}],
    "POST /v1/vouchers/bulk/async": [{"code": "{code}", "metadata": {"taken": "over"}}],
    "POST /v1/vouchers/metadata/async": {"codes": ["{code}"], "metadata": {"taken": "over"}},
    "POST /v1/loyalties/{campaignId}/qualifications": {
        "customer": {"source_id": "alice"},
        "order": {"amount": 100},
    },
    "POST /v1/qualifications": {"customer": {"source_id": "alice"}, "order": {"amount": 100}},
    "POST /client/v1/qualifications": {
        "customer": {"source_id": "alice"},
        "order": {"amount": 100},
    },
}
# Operations asked in the query string: the owner's code, to the stranger's customer.
QUERIES: dict[str, dict[str, str]] = {
    "GET /v1/publications/create": {"voucher": "{code}", "customer[source_id]": "alice"},
}
# Answers 200 in the stranger's project, the owner's code inapplicable there: not found.
VALIDATIONS = {"POST /v1/validations", "POST /client/v1/validations"}
# Answer 200 in the stranger's project: nothing there qualifies.
QUALIFICATIONS = {"POST /v1/qualifications", "POST /client/v1/qualifications"}


def _send(  # noqa: PLR0913, PLR0917 - every ID a route's path or body may name
    route: Any,
    headers: dict[str, str],
    program: str,
    code: str,
    reward: str,
    assignment: str,
    redemption: str,
    rule: str = "ern_unknown",
    segment: str = "seg_unknown",
    pending: str = "lopp_unknown",
    action: str = "aa_unknown",
    parent: str = "r_unknown",
    validation_rule: str = "val_unknown",
    category: str = "cat_unknown",
    bin_entry: str = "tbe_unknown",
    tier: str = "ltr_unknown",
    export: str = "exp_unknown",
) -> requests.Response:
    """Call ``route`` on the owner's records, with ``headers`` and the operation's body."""
    values = {
        "campaignId": program,
        "memberId": code,
        "code": code,
        "customerId": "alice",
        "rewardId": reward,
        "assignmentId": assignment,
        "redemptionId": redemption,
        "orderId": "order-1",
        "earningRuleId": rule,
        "productId": "shirt",
        "skuId": "shirt-red",
        "segmentId": segment,
        "pendingPointsId": pending,
        "asyncActionId": action,
        "parentRedemptionId": parent,
        "sessionKey": "held",
        "validationRuleId": validation_rule,
        "categoryId": category,
        "binEntryId": bin_entry,
        "loyaltyTierId": tier,
        "exportId": export,
        "projectId": management_project_id("owner"),
        "stackingRulesId": "stk_unknown",
        "metadataSchemaId": "ms_unknown",
        "customEventSchemaId": "ms_unknown",
        "webhookId": "wh_unknown",
        "resource": "campaign",
    }
    text = json.dumps(BODIES.get(route.operation, {}))
    text = text.replace("{program}", program)
    body = json.loads(text.replace("{code}", code).replace("{reward}", reward))
    upload = {
        field: (name, data.replace(b"{code}", code.encode()), kind)
        for field, (name, data, kind) in CSV_UPLOADS.get(route.operation, {}).items()
    }
    params = {k: v.replace("{code}", code) for k, v in QUERIES.get(route.operation, {}).items()}
    return requests.request(
        route.method,
        BASE_URL + route.template.format(**values),
        params=params,
        json=None if upload else body,
        files=upload,
        headers=headers,
        timeout=10,
    )


def _owner_state(fake: LoyaltyFake) -> str:
    state = ControlPlane(fake).dump()["projects"]["owner"]
    # The dump leaves the catalogue out: its records, every field, are compared as well.
    project = fake.ledger.projects()["owner"]
    state["catalogue"] = [repr(r) for r in (*project.products.values(), *project.skus.values())]
    state["stacked"] = [
        repr(r)
        for r in (*project.stacked_redemptions.values(), *project.validation_sessions.values())
    ]
    state["validation_rules"] = [
        repr(r)
        for r in (*project.validation_rules.values(), *project.validation_rule_assignments.values())
    ]
    state["categories"] = [repr(r) for r in project.categories_by_name.values()]
    state["bin"] = [repr(r) for r in project.bin_entries.values()]
    state["tiers"] = [
        repr(r) for r in (*project.loyalty_tiers.values(), *project.member_tiers.items())
    ]
    state["exports"] = [repr(r) for r in project.exports.values()]
    state["settings"] = [
        repr(project.settings),
        *(
            repr(r)
            for r in (
                *project.stacking_rules.values(),
                *project.metadata_schemas.values(),
                *project.custom_event_schemas.values(),
            )
        ),
    ]
    return json.dumps(state, sort_keys=True)


def _owner_settings(fake: LoyaltyFake) -> str:
    """The owner's category, and a campaign metadata schema (Management API); the category's ID."""
    schema = {"related_object": "campaign", "properties": {}}
    management = f"{BASE_URL}/management/v1/projects/{management_project_id('owner')}"
    requests.post(
        f"{management}/metadata-schemas",
        json=schema,
        headers=fake.management_headers,
        timeout=10,
    ).raise_for_status()
    category = {"name": "Owner's", "hierarchy": 1}
    made = fake.request("POST", "/v1/categories", json_body=category, app_id="owner")
    return str(made.json()["id"])


def _validation_rule(fake: LoyaltyFake, program_id: str) -> str:
    """The ID of the owner's validation rule, assigned to the program."""
    made = fake.request(
        "POST", "/v1/validation-rules", json_body={"name": "Owner's"}, app_id="owner"
    )
    rule: str = made.json()["id"]
    assignment = {"related_object_type": "campaign", "related_object_id": program_id}
    fake.request(
        "POST", f"/v1/validation-rules/{rule}/assignments", json_body=assignment, app_id="owner"
    )
    return rule


def _export(fake: LoyaltyFake) -> str:
    """The ID of an export of the owner's."""
    made = fake.request(
        "POST", "/v1/exports", json_body={"exported_object": "order"}, app_id="owner"
    )
    export: str = made.json()["id"]
    return export


def _tier(fake: LoyaltyFake) -> str:
    """The ID of a tier of the owner's program P."""
    tiers = [{"name": "Any", "points": {"from": 1}}]
    made = fake.request("POST", "/v1/loyalties/P/tiers", json_body=tiers, app_id="owner")
    tier: str = made.json()[0]["id"]
    return tier


def _bin_entry(fake: LoyaltyFake) -> str:
    """The ID of the owner's bin entry: a voucher deleted without force."""
    binned = {"type": "DISCOUNT_VOUCHER", "discount": {"type": "AMOUNT", "amount_off": 1}}
    fake.request("POST", "/v1/vouchers/BINNED", json_body=binned, app_id="owner")
    fake.request("DELETE", "/v1/vouchers/BINNED", app_id="owner")
    entry: str = fake.request("GET", "/v1/trash-bin", app_id="owner").json()["data"][0]["id"]
    return entry


@pytest.mark.parametrize("route", ROUTES, ids=[route.operation for route in ROUTES])
def test_a_stranger_cannot_reach_another_projects_data(
    loyalty_fake: LoyaltyFake, route: Any
) -> None:
    """With another X-App-Id, every endpoint answers 404 or an empty list, and changes nothing."""
    program = loyalty_fake.create_loyalty_program("P", vouchers_count=2, app_id="owner")
    code = loyalty_fake.add_member("P", {"source_id": "alice"}, app_id="owner")["code"]
    loyalty_fake.add_points(code, 10, app_id="owner")
    reward = loyalty_fake.create_reward(
        "Mug", parameters={"product": {"id": "prod_1"}}, app_id="owner"
    )["id"]
    assignment = loyalty_fake.assign_reward("P", reward, 1, app_id="owner")["id"]
    redemption = loyalty_fake.redeem_reward(code, reward, app_id="owner")["id"]
    order = {"source_id": "order-1", "status": "PAID", "amount": 100, "customer": "alice"}
    loyalty_fake.request("POST", "/v1/orders", json_body=order, app_id="owner")
    rules = [
        {"event": "order.paid", "loyalty": {"type": "FIXED", "points": 1}},
        {
            "event": "order.paid",
            "loyalty": {"type": "FIXED", "points": 2},
            "pending_points": {"period_type": "DAY", "period_value": 1},
        },
    ]
    made = loyalty_fake.request(
        "POST", "/v1/loyalties/P/earning-rules", json_body=rules, app_id="owner"
    )
    loyalty_fake.request("POST", "/v1/products", json_body={"source_id": "shirt"}, app_id="owner")
    sku = {"source_id": "shirt-red"}
    loyalty_fake.request("POST", "/v1/products/shirt/skus", json_body=sku, app_id="owner")
    segment = {
        "name": "Gold",
        "type": "auto-update",
        "filter": {"source_id": {"conditions": {"$is": "alice"}}},
    }
    made_segment = loyalty_fake.request("POST", "/v1/segments", json_body=segment, app_id="owner")
    paid = {"source_id": "order-2", "status": "PAID", "amount": 100, "customer": "alice"}
    loyalty_fake.request("POST", "/v1/orders", json_body=paid, app_id="owner")
    listed = loyalty_fake.request("GET", "/v1/loyalties/P/pending-points", app_id="owner")
    pending = listed.json()["data"][0]["id"]
    action = loyalty_fake.request(
        "POST", "/v1/customers/bulk/async", json_body=[{"source_id": "bob"}], app_id="owner"
    ).json()["async_action_id"]
    paying = {"object": "voucher", "id": code, "reward": {"id": reward}}
    stacked = loyalty_fake.request(
        "POST", "/v1/redemptions", json_body={"redeemables": [paying]}, app_id="owner"
    ).json()["parent_redemption"]["id"]
    locked = {"redeemables": [paying], "session": {"type": "LOCK", "key": "held"}}
    loyalty_fake.request("POST", "/v1/validations", json_body=locked, app_id="owner")
    # The owner's records of the newer areas, by the keyword _send names them with.
    more = {"category": _owner_settings(loyalty_fake), "bin_entry": _bin_entry(loyalty_fake)}
    more |= {"tier": _tier(loyalty_fake), "export": _export(loyalty_fake)}
    more["validation_rule"] = _validation_rule(loyalty_fake, program["id"])
    before = _owner_state(loyalty_fake)
    response = _send(
        route,
        STRANGER,
        program["id"],
        code,
        reward,
        assignment,
        redemption,
        rule=made.json()[0]["id"],
        segment=made_segment.json()["id"],
        pending=pending,
        action=action,
        parent=stacked,
        **more,
    )
    if route.template.startswith("/management/"):
        # Management keys open every project of the account; app keys open none of them.
        assert (response.status_code, response.json()["key"]) == (401, "unauthorized")
    elif route.template in COLLECTIONS and route.method == "GET":
        listed = response.json()
        assert response.status_code == 200
        assert listed["total"] == 0
    elif route.operation == "GET /v1/async-actions":
        assert (response.status_code, response.json()["async_actions"]) == (200, [])
    elif route.operation in VALIDATIONS:
        validated = response.json()
        assert (response.status_code, validated["valid"]) == (200, False)
        assert validated["redeemables"][0]["result"]["error"]["key"] == "not_found"
    elif route.operation in QUALIFICATIONS:
        assert response.status_code == 200, response.text[:200]
        assert response.json()["redeemables"]["total"] == 0
    elif route.operation in CREATORS:
        # Creates in the stranger's own project (bulk work: an async action there).
        assert response.status_code in (200, 202, 400), response.text[:200]
    else:
        assert response.status_code == 404, (route.operation, response.text[:200])
    assert _owner_state(loyalty_fake) == before


@pytest.mark.loyalty_fake(credentials={"owner": "right-token"})
@pytest.mark.parametrize("route", ROUTES, ids=[route.operation for route in ROUTES])
@pytest.mark.parametrize(
    "headers",
    [
        {"X-App-Id": "owner", "X-App-Token": "wrong-token"},
        {"X-App-Id": "owner"},
        {},
        {"X-Client-Application-Id": "owner", "X-Client-Token": "right-token"},
    ],
    ids=["wrong-token", "no-token", "no-credentials", "client-keys"],
)
def test_wrong_or_missing_token_is_401_everywhere(
    loyalty_fake: LoyaltyFake, route: Any, headers: dict[str, str]
) -> None:
    """With configured credentials, every endpoint answers 401 to a wrong or missing token.

    Client-side keys open no server endpoint, and none at all while no client keys are
    configured beside the server's.
    """
    program = loyalty_fake.create_loyalty_program("P", vouchers_count=2, app_id="owner")
    code = loyalty_fake.add_member("P", {"source_id": "alice"}, app_id="owner")["code"]
    before = _owner_state(loyalty_fake)
    # Credentials are checked before any lookup: the reward IDs need not exist.
    response = _send(
        route, headers, program["id"], code, "rew_unknown", "rewa_unknown", "r_unknown"
    )
    assert response.status_code == 401
    if route.template.startswith("/management/"):
        # The Management API's 401 is the error envelope, with its request_id.
        assert response.json()["key"] == "unauthorized"
    else:
        assert response.json() == {"code": 401, "message": "Unauthorized", "key": "unauthorized"}
    assert _owner_state(loyalty_fake) == before
