"""Lists apply what they document: ``filters`` and the other list parameters (issue 14).

GET /v1/publications (``filters``, ``voucher_type``, ``is_referral_code``), a member's
transactions (``filters``), members (``ids``) and programs (``expand``). Each is applied
or refused with 400 ``invalid_query_params``; none is silently ignored.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

from tests.conftest import PUBLICATIONS, SdkClient

if TYPE_CHECKING:
    from loyalty_fake import LoyaltyFake
    from tests.conftest import Client, Reply, RequestsClient

pytestmark = pytest.mark.loyalty_fake(now="2024-03-01T10:00:00Z")

# Every publication, newest first.
EVERYONE = ["carol-tea", "alice-tea", "bob-coffee", "alice-coffee"]
FORMAT = (
    "Property .filters should match either "
    "`filters[${field}][conditions][${condition}][${index}]` or "
    "`filters[${field}][conditions][${condition}]` format and condition must be one of: $in, "
)


def _publications(fake: LoyaltyFake) -> dict[str, str]:
    """Alice and Bob in the Coffee Club, Alice and Carol in the Tea Club; names to codes.

    Publications, oldest first: alice-coffee (source_id s1, metadata tier gold, visits 3),
    bob-coffee (no source_id, metadata tier silver, visits 12), alice-tea (source_id s2),
    carol-tea (nothing more).
    """
    fake.create_loyalty_program("Coffee Club")
    fake.create_loyalty_program("Tea Club")
    alice, bob = {"source_id": "alice"}, {"source_id": "bob"}
    gold = {"tier": "gold", "visits": 3}
    return {
        "alice-coffee": fake.add_member("Coffee Club", alice, source_id="s1", metadata=gold)[
            "code"
        ],
        "bob-coffee": fake.add_member(
            "Coffee Club", bob, metadata={"tier": "silver", "visits": 12}
        )["code"],
        "alice-tea": fake.add_member("Tea Club", alice, source_id="s2")["code"],
        "carol-tea": fake.add_member("Tea Club", {"source_id": "carol"})["code"],
    }


def _listed(reply: Reply, cards: dict[str, str]) -> list[str]:
    """The names of the listed publications' cards, in the list's order (newest first)."""
    assert reply.status == 200, reply.body
    names = {code: name for name, code in cards.items()}
    listed = [names[item["voucher"]["code"]] for item in reply.body["publications"]]
    assert reply.body["total"] == len(listed)
    return listed


def _assert_invalid(reply: Reply, details: str) -> None:
    assert reply.status == 400, reply.body
    assert (reply.body["key"], reply.body["message"]) == (
        "invalid_query_params",
        "Invalid query params",
    )
    assert reply.body["details"].startswith(details), reply.body["details"]


def _ids(fake: LoyaltyFake) -> dict[str, str]:
    return {
        "alice": fake.customer("alice")["id"],
        "bob": fake.customer("bob")["id"],
        "coffee": fake.get_loyalty_program("Coffee Club")["id"],
        "tea": fake.get_loyalty_program("Tea Club")["id"],
    }


# -- GET /v1/publications: filters ---------------------------------------------------------


def test_filter_by_customer_is(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """filters[customer_id][conditions][$is]: that customer's publications only."""
    cards = _publications(loyalty_fake)
    bob = _ids(loyalty_fake)["bob"]
    filters = {"customer_id": {"conditions": {"$is": bob}}}
    assert _listed(client.list_publications({"filters": filters}), cards) == ["bob-coffee"]


def test_spec_example_one_customer(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """The spec's example 1: filters[customer_id][conditions][$is][0]=<customer>."""
    cards = _publications(loyalty_fake)
    alice = _ids(loyalty_fake)["alice"]
    filters = {"customer_id": {"conditions": {"$is": [alice]}}}
    assert _listed(client.list_publications({"filters": filters}), cards) == [
        "alice-tea",
        "alice-coffee",
    ]


def test_spec_example_two_customers_in(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """The spec's example 2: $in[0] and $in[1] list the publications of either customer."""
    cards = _publications(loyalty_fake)
    ids = _ids(loyalty_fake)
    filters = {"customer_id": {"conditions": {"$in": [ids["bob"], ids["alice"]]}}}
    assert _listed(client.list_publications({"filters": filters}), cards) == [
        "alice-tea",
        "bob-coffee",
        "alice-coffee",
    ]


@pytest.mark.parametrize("junction", ["OR", "or"])
def test_spec_example_two_customers_junction(
    client: Client, loyalty_fake: LoyaltyFake, junction: str
) -> None:
    """The spec's example 3: $is[0], $is[1] and junction=OR (the spec's enum says "or")."""
    cards = _publications(loyalty_fake)
    ids = _ids(loyalty_fake)
    filters = {
        "customer_id": {"conditions": {"$is": [ids["alice"], ids["bob"]]}},
        "junction": junction,
    }
    assert _listed(client.list_publications({"filters": filters}), cards) == [
        "alice-tea",
        "bob-coffee",
        "alice-coffee",
    ]


def test_default_junction_is_and(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """Without a junction every condition must hold: one customer cannot be two."""
    cards = _publications(loyalty_fake)
    ids = _ids(loyalty_fake)
    filters = {"customer_id": {"conditions": {"$is": [ids["alice"], ids["bob"]]}}}
    assert _listed(client.list_publications({"filters": filters}), cards) == []


def test_junction_joins_conditions_of_several_fields(
    client: Client, loyalty_fake: LoyaltyFake
) -> None:
    """and: Alice in the Coffee Club; or: Alice anywhere, or anyone in the Coffee Club."""
    cards = _publications(loyalty_fake)
    alice = _ids(loyalty_fake)["alice"]
    filters: dict[str, Any] = {
        "customer_id": {"conditions": {"$is": alice}},
        "campaign_name": {"conditions": {"$is": "Coffee Club"}},
    }
    both = client.list_publications({"filters": {**filters, "junction": "and"}})
    either = client.list_publications({"filters": {**filters, "junction": "or"}})
    assert _listed(both, cards) == ["alice-coffee"]
    assert _listed(either, cards) == ["alice-tea", "bob-coffee", "alice-coffee"]


@pytest.mark.parametrize(
    ("field", "conditions", "expected"),
    [
        ("campaign_name", {"$is_not": "Tea Club"}, ["bob-coffee", "alice-coffee"]),
        ("campaign_name", {"$not_in": ["Coffee Club"]}, ["carol-tea", "alice-tea"]),
        ("campaign_name", {"$starts_with": "Coff"}, ["bob-coffee", "alice-coffee"]),
        ("campaign_name", {"$ends_with": "a Club"}, ["carol-tea", "alice-tea"]),
        ("campaign_name", {"$contains": "ee C"}, ["bob-coffee", "alice-coffee"]),
        ("campaign_name", {"$not_contain": "Coffee"}, ["carol-tea", "alice-tea"]),
        ("campaign_name", {"$starts_with": "coff"}, []),
        ("source_id", {"$has_value": ""}, ["alice-tea", "alice-coffee"]),
        ("source_id", {"$is_unknown": ""}, ["carol-tea", "bob-coffee"]),
        ("source_id", {"$is": "s2"}, ["alice-tea"]),
        ("source_id", {"$is_not": "s2"}, ["carol-tea", "bob-coffee", "alice-coffee"]),
        ("failure_code", {"$is_unknown": ""}, EVERYONE),
        ("failure_code", {"$has_value": ""}, []),
        ("result", {"$is": "SUCCESS"}, EVERYONE),
        ("result", {"$is": "FAILURE"}, []),
        ("voucher_type", {"$is": "LOYALTY_CARD"}, EVERYONE),
        ("voucher_type", {"$is_not": "LOYALTY_CARD"}, []),
        ("is_referral_code", {"$is": "false"}, EVERYONE),
        ("is_referral_code", {"$is": "TRUE"}, []),
        ("metadata.tier", {"$is": "gold"}, ["alice-coffee"]),
        ("metadata.tier", {"$is_unknown": ""}, ["carol-tea", "alice-tea"]),
        ("metadata.visits", {"$more_than": "5"}, ["bob-coffee"]),
        ("metadata.visits", {"$less_than_equal": "3"}, ["alice-coffee"]),
        ("metadata.visits", {"$is": "12"}, ["bob-coffee"]),
    ],
    ids=lambda value: str(value).replace(" ", "_") if not isinstance(value, list) else "",
)
def test_filter_conditions(
    client: Client,
    loyalty_fake: LoyaltyFake,
    field: str,
    conditions: dict[str, Any],
    expected: list[str],
) -> None:
    """Each condition of the grammar on the publication fields the spec documents."""
    cards = _publications(loyalty_fake)
    reply = client.list_publications({"filters": {field: {"conditions": conditions}}})
    assert _listed(reply, cards) == expected


def test_filter_by_object_ids(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """parent_object_id is the card's program, related_object_id the card (its v_ ID)."""
    cards = _publications(loyalty_fake)
    tea = _ids(loyalty_fake)["tea"]
    bob_card = loyalty_fake.get_member(cards["bob-coffee"])["id"]
    by_program = {"parent_object_id": {"conditions": {"$is": tea}}}
    by_card = {"related_object_id": {"conditions": {"$is": bob_card}}}
    by_code = {"voucher_code": {"conditions": {"$is": cards["alice-coffee"]}}}
    assert _listed(client.list_publications({"filters": by_program}), cards) == [
        "carol-tea",
        "alice-tea",
    ]
    assert _listed(client.list_publications({"filters": by_card}), cards) == ["bob-coffee"]
    assert _listed(client.list_publications({"filters": by_code}), cards) == ["alice-coffee"]


def test_filters_and_other_parameters_all_apply(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """A filter with junction=or still meets the other parameters: they all apply."""
    cards = _publications(loyalty_fake)
    ids = _ids(loyalty_fake)
    filters = {
        "customer_id": {"conditions": {"$is": ids["alice"]}},
        "source_id": {"conditions": {"$is_unknown": ""}},
        "junction": "or",
    }
    reply = client.list_publications({"filters": filters, "campaign": "Tea Club"})
    assert _listed(reply, cards) == ["carol-tea", "alice-tea"]
    reply = client.list_publications({"filters": filters, "campaign": "Coffee Club"})
    assert _listed(reply, cards) == ["bob-coffee", "alice-coffee"]
    reply = client.list_publications({"filters": filters, "voucher_type": "discount"})
    assert _listed(reply, cards) == []


def test_filtered_pages_count_the_matches(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """The total counts the filtered publications; limit and page cut them."""
    cards = _publications(loyalty_fake)
    filters = {"campaign_name": {"conditions": {"$is": "Coffee Club"}}}
    reply = client.list_publications({"filters": filters, "limit": 1, "page": 2})
    assert reply.status == 200, reply.body
    assert [item["voucher"]["code"] for item in reply.body["publications"]] == [
        cards["alice-coffee"]
    ]
    assert reply.body["total"] == 2


def test_card_publications_take_filters(http: RequestsClient, loyalty_fake: LoyaltyFake) -> None:
    """A card's publish.url takes the list's filters too (requests: in no spec file)."""
    cards = _publications(loyalty_fake)
    path = f"/v1/vouchers/{cards['alice-coffee']}/publications"
    kept = http.call(
        "GET", path, PUBLICATIONS, params={"filters[source_id][conditions][$is]": "s1"}
    )
    gone = http.call(
        "GET", path, PUBLICATIONS, params={"filters[source_id][conditions][$is]": "s2"}
    )
    assert (kept.body["total"], gone.body["total"]) == (1, 0)


# -- GET /v1/publications: voucher_type and is_referral_code --------------------------------


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"voucher_type": "loyalty"}, EVERYONE),
        ({"voucher_type": "discount"}, []),
        ({"is_referral_code": True}, []),
        ({"is_referral_code": False}, EVERYONE),
        ({"voucher_type": "loyalty", "customer": "bob"}, ["bob-coffee"]),
    ],
    ids=["loyalty", "discount", "referral", "not-only-referral", "with-customer"],
)
def test_voucher_type_and_referral_codes(
    client: Client, loyalty_fake: LoyaltyFake, params: dict[str, Any], expected: list[str]
) -> None:
    """voucher_type keeps loyalty cards or discount codes; is_referral_code=true referral codes.

    Every card of the fake is a loyalty card and none a referral code; "This filter works
    only for the true option", so is_referral_code=false lists everything.
    """
    cards = _publications(loyalty_fake)
    if "customer" in params:
        params = {**params, "customer": _ids(loyalty_fake)["bob"]}
    assert _listed(client.list_publications(params), cards) == expected


@pytest.mark.parametrize(
    ("params", "details"),
    [
        (
            {"voucher_type": "LOYALTY_CARD"},
            (
                "Property .voucher_type must be equal to one of the allowed values "
                "[ discount, loyalty ]"
            ),
        ),
        (
            {"is_referral_code": "yes"},
            "Property .is_referral_code must be equal to one of the allowed values [ true, false ]",
        ),
    ],
    ids=["voucher_type", "is_referral_code"],
)
def test_bad_voucher_type_or_referral_flag_is_400(
    http: RequestsClient, params: dict[str, str], details: str
) -> None:
    """Values off the spec's enum and type are 400 (requests: the SDK's types refuse them)."""
    _assert_invalid(http.list_publications(params), details)


# -- malformed filters ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "details"),
    [
        ("filters[customer_id][$is]=x", FORMAT),
        ("filters[customer_id]=x", FORMAT),
        ("filters=x", FORMAT),
        ("filters[customer_id][conditions][$equals]=x", FORMAT),
        ("filters[customer_id][conditions][$is][first]=x", FORMAT),
        ("filters[customer_id][conditions][$is][0][1]=x", FORMAT),
        ("filters[][conditions][$is]=x", FORMAT),
        (
            "filters[junction]=xor",
            "Property .filters.junction must be equal to one of the allowed values [ and, or ]",
        ),
        ("filters[created_at][conditions][$after]=2024-01-01", "Property .filters.created_at is"),
        (
            "filters[customer_id][conditions][$after]=2024-01-01",
            "Property .filters.customer_id.conditions.$after is not supported",
        ),
        (
            "filters[customer_id][conditions][$today]=",
            "Property .filters.customer_id.conditions.$today is not supported",
        ),
        (
            "filters[is_referral_code][conditions][$is]=yes",
            "Property .filters.is_referral_code.conditions.$is must be boolean",
        ),
        (
            "filters[metadata.visits][conditions][$more_than]=many",
            "Property .filters.metadata.visits.conditions.$more_than must be number",
        ),
        ("filters[metadata.][conditions][$is]=x", "Property .filters.metadata. is"),
    ],
    ids=[
        "no-conditions",
        "no-condition",
        "bare",
        "unknown-condition",
        "word-index",
        "too-deep",
        "no-field",
        "junction",
        "undocumented-field",
        "date-condition-on-text",
        "condition-the-fake-lacks",
        "boolean",
        "number",
        "empty-metadata-key",
    ],
)
def test_malformed_filters_are_invalid_query_params(
    http: RequestsClient, loyalty_fake: LoyaltyFake, query: str, details: str
) -> None:
    """Off the grammar, an undocumented field, a wrong condition or value: 400, not ignored.

    requests, with the URL as written: the SDK's model refuses or drops these itself.
    """
    _publications(loyalty_fake)
    before = loyalty_fake.publications()
    reply = http.call("GET", f"{PUBLICATIONS}?{query}", PUBLICATIONS)
    _assert_invalid(reply, details)
    assert loyalty_fake.publications() == before


def test_unfiltered_keys_beside_filters_are_ignored(
    http: RequestsClient, loyalty_fake: LoyaltyFake
) -> None:
    """A parameter no spec documents (here filtersx) is ignored, as every list does."""
    cards = _publications(loyalty_fake)
    reply = http.call("GET", f"{PUBLICATIONS}?filtersx[a]=b&colour=red", PUBLICATIONS)
    assert _listed(reply, cards) == EVERYONE


@pytest.mark.parametrize(
    "key",
    [
        "filters[customer_id][conditions][$is]",
        "filters%5Bcustomer_id%5D%5Bconditions%5D%5B%24is%5D",
        "filters%5Bcustomer_id%5D%5Bconditions%5D%5B$is%5D%5B0%5D",
        "filters[customer_id][conditions][$is][]",
    ],
    ids=["raw", "percent-encoded", "encoded-indexed", "empty-index"],
)
def test_filter_keys_raw_or_encoded(
    http: RequestsClient, loyalty_fake: LoyaltyFake, key: str
) -> None:
    """Brackets and $ may come raw or percent-encoded (the official SDK encodes them)."""
    cards = _publications(loyalty_fake)
    bob = _ids(loyalty_fake)["bob"]
    reply = http.call("GET", f"{PUBLICATIONS}?{key}={bob}", PUBLICATIONS)
    assert _listed(reply, cards) == ["bob-coffee"]


def test_sdk_sends_a_list_as_one_value(loyalty_fake: LoyaltyFake) -> None:
    """The official SDK writes $in's list as Python's repr: one value, which matches nothing.

    What a server reading the query string sees (docs/choices.md); $is works over the SDK.
    """
    cards = _publications(loyalty_fake)
    ids = _ids(loyalty_fake)
    sdk = SdkClient(loyalty_fake.headers)
    listed = sdk._run(
        "GET",
        PUBLICATIONS,
        lambda: sdk.publications.list_publications_with_http_info(
            filters={"customer_id": {"conditions": {"$in": [ids["alice"], ids["bob"]]}}}
        ),
    )
    assert _listed(listed, cards) == []


# -- a member's transactions ----------------------------------------------------------------


def _history(fake: LoyaltyFake) -> tuple[str, list[str]]:
    """A member with three additions a day apart (1 to 3 February); its transaction IDs."""
    fake.create_loyalty_program("Coffee Club")
    code: str = fake.add_member("Coffee Club", {"source_id": "alice"})["code"]
    fake.clock.set("2024-02-01T12:00:00Z")
    for points in (10, 20, 30):
        fake.add_points(code, points)
        fake.clock.advance(days=1)
    fake.clock.set("2024-02-10T12:00:00Z")
    ids = [t["id"] for t in fake.transactions(code, order="id")["data"]]
    return code, ids


def _points(reply: Reply) -> list[int]:
    assert reply.status == 200, reply.body
    return [t["details"]["balance"]["points"] for t in reply.body["data"]]


by_either_path = pytest.mark.parametrize("under_campaign", [True, False], ids=["campaign", "code"])


@by_either_path
@pytest.mark.parametrize(
    ("conditions", "expected"),
    [
        ({"id": {"$is": "<1>"}}, [20]),
        ({"id": {"$in": ["<0>", "<2>"]}}, [30, 10]),
        ({"id": {"$not_in": ["<0>", "<2>"]}}, [20]),
        ({"id": {"$is_not": "<0>"}}, [30, 20]),
        ({"created_at": {"$after": "2024-02-01T12:00:00Z"}}, [30, 20]),
        ({"created_at": {"$before": "2024-02-03"}}, [20, 10]),
        ({"created_at": {"$after": "2024-02-01", "$before": "2024-02-03"}}, [20, 10]),
        ({"created_at": {"$more_than": "7"}}, [20, 10]),
        ({"created_at": {"$less_than": "8"}}, [30]),
        ({"created_at": {"$has_value": ""}}, [30, 20, 10]),
    ],
    ids=[
        "is",
        "in",
        "not_in",
        "is_not",
        "after",
        "before",
        "between",
        "more_days",
        "less_days",
        "has_value",
    ],
)
def test_transaction_filters(
    client: Client,
    loyalty_fake: LoyaltyFake,
    under_campaign: bool,
    conditions: dict[str, dict[str, Any]],
    expected: list[int],
) -> None:
    """Filters on id and created_at ($more_than 7: more than seven days ago, on 10 Feb)."""
    code, ids = _history(loyalty_fake)

    def concrete(value: Any) -> Any:
        if isinstance(value, list):
            return [concrete(item) for item in value]
        return ids[int(value[1:-1])] if value.startswith("<") else value

    filters = {
        field: {"conditions": {op: concrete(v) for op, v in ops.items()}}
        for field, ops in conditions.items()
    }
    campaign = "Coffee Club" if under_campaign else None
    reply = client.list_transactions(code, {"filters": filters}, campaign=campaign)
    assert _points(reply) == expected


def test_transaction_filters_junction_or(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """junction=or keeps a transaction that meets either condition."""
    code, ids = _history(loyalty_fake)
    filters = {
        "id": {"conditions": {"$is": ids[0]}},
        "created_at": {"conditions": {"$after": "2024-02-03T00:00:00Z"}},
        "junction": "or",
    }
    assert _points(client.list_transactions(code, {"filters": filters})) == [30, 10]


def test_filtered_transactions_page_by_cursor(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """has_more and starting_after_id walk the filtered transactions."""
    code, ids = _history(loyalty_fake)
    filters = {"id": {"conditions": {"$in": [ids[0], ids[2]]}}}
    first = client.list_transactions(code, {"filters": filters, "limit": 1})
    assert (_points(first), first.body["has_more"]) == ([30], True)
    params = {
        "filters": filters,
        "limit": 1,
        "starting_after_id": first.body["more_starting_after"],
    }
    second = client.list_transactions(code, params)
    assert (_points(second), second.body["has_more"]) == ([10], False)


@pytest.mark.parametrize(
    ("query", "details"),
    [
        (
            "filters[created_at][conditions][$after]=yesterday",
            (
                "Property .filters.created_at.conditions.$after cannot be recognized as a "
                "ISO-8601 compliant date"
            ),
        ),
        (
            "filters[created_at][conditions][$more_than]=1.5",
            "Property .filters.created_at.conditions.$more_than must be integer",
        ),
        (
            "filters[created_at][conditions][$less_than]=-1",
            "Property .filters.created_at.conditions.$less_than must be >= 0",
        ),
        (
            "filters[created_at][conditions][$is]=2024-02-01",
            "Property .filters.created_at.conditions.$is is not supported",
        ),
        ("filters[type][conditions][$is]=CREDITS_ADDITION", "Property .filters.type is not"),
        ("filters[metadata.x][conditions][$is]=1", "Property .filters.metadata.x is not"),
        ("filters[created_at][$after]=2024-02-01", FORMAT),
    ],
    ids=["date", "days", "negative-days", "date-is", "field", "metadata", "no-conditions"],
)
def test_malformed_transaction_filters_are_400(
    http: RequestsClient, loyalty_fake: LoyaltyFake, query: str, details: str
) -> None:
    """A bad date, count, condition or field in a transactions filter is 400 (requests)."""
    code, _ = _history(loyalty_fake)
    path = f"/v1/loyalties/members/{code}/transactions"
    template = "/v1/loyalties/members/{memberId}/transactions"
    _assert_invalid(http.call("GET", f"{path}?{query}", template), details)


def test_sdk_transaction_filters_are_refused(loyalty_fake: LoyaltyFake) -> None:
    """The official SDK's transactions filter model has no [conditions] level: refused.

    It follows OpenAPI.json (filters[created_at][$after]); Voucherify's grammar and the
    newer docs need filters[created_at][conditions][$after] (docs/spec-errata.md).
    """
    code, ids = _history(loyalty_fake)
    sdk = SdkClient(loyalty_fake.headers)
    reply = sdk.list_transactions(code, {"limit": 5})
    assert reply.status == 200
    refused = sdk._run(
        "GET",
        "/v1/loyalties/members/{memberId}/transactions",
        lambda: sdk.api.list_loyalty_card_transactions_with_http_info(
            code, filters={"id": {"$is": ids[0]}}
        ),
    )
    _assert_invalid(refused, FORMAT)


# -- members: ids -------------------------------------------------------------------------


def _members(fake: LoyaltyFake) -> dict[str, str]:
    """Three members of the Coffee Club, one of the Tea Club; names to v_ IDs."""
    fake.create_loyalty_program("Coffee Club", vouchers_count=4)
    fake.create_loyalty_program("Tea Club")
    found = {
        name: fake.add_member("Coffee Club", {"source_id": name})["id"]
        for name in ("alice", "bob", "carol")
    }
    found["dave-tea"] = fake.add_member("Tea Club", {"source_id": "dave"})["id"]
    free = [c for c in fake.cards("Coffee Club") if not c.get("holder_id")]
    found["unpublished"] = free[0]["id"]
    return found


def _member_names(reply: Reply, ids: dict[str, str]) -> list[str]:
    assert reply.status == 200, reply.body
    names = {value: name for name, value in ids.items()}
    listed = [names[v["id"]] for v in reply.body["vouchers"]]
    assert reply.body["total"] == len(listed)
    return listed


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"ids": ["alice", "carol"]}, ["carol", "alice"]),
        ({"ids": ["alice", "carol"], "order": "created_at"}, ["alice", "carol"]),
        ({"ids": ["alice", "dave-tea", "unpublished"]}, ["alice"]),
        ({"ids": ["alice", "bob"], "customer": "bob"}, ["bob"]),
        ({"ids": ["alice"], "customer": "bob"}, []),
        ({"ids": ["v_nothing"]}, []),
    ],
    ids=["two", "ordered", "only-this-programs-members", "and-customer", "disjoint", "unknown"],
)
def test_members_by_ids(
    client: Client, loyalty_fake: LoyaltyFake, params: dict[str, Any], expected: list[str]
) -> None:
    """The ids parameter lists the program's members with those v_ IDs, in the list's order."""
    ids = _members(loyalty_fake)
    concrete = {**params, "ids": [ids.get(name, name) for name in params["ids"]]}
    assert _member_names(client.list_members("Coffee Club", concrete), ids) == expected


@pytest.mark.parametrize("form", ["ids[]", "ids[0]"])
def test_members_ids_with_brackets(
    http: RequestsClient, loyalty_fake: LoyaltyFake, form: str
) -> None:
    """The ids written as qs writes arrays (ids[]=, ids[0]=) list the same members."""
    ids = _members(loyalty_fake)
    reply = http.list_members("Coffee Club", {form: ids["bob"]})
    assert _member_names(reply, ids) == ["bob"]


def test_sdk_sends_ids_as_one_value(loyalty_fake: LoyaltyFake) -> None:
    """The official SDK writes ids as Python's repr, one value: no member has that ID."""
    ids = _members(loyalty_fake)
    sdk = SdkClient(loyalty_fake.headers)
    reply = sdk._run(
        "GET",
        "/v1/loyalties/{campaignId}/members",
        lambda: sdk.api.list_members_with_http_info("Coffee Club", ids=[ids["alice"]]),
    )
    assert _member_names(reply, ids) == []


# -- programs: expand -----------------------------------------------------------------------


@pytest.mark.parametrize("expand", ["category", "access_settings_assignments"])
def test_programs_expand(client: Client, loyalty_fake: LoyaltyFake, expand: str) -> None:
    """expand=category: categories (always expanded); access_settings_assignments: nothing.

    Areas and Stores is an enterprise feature a fake project does not have, and the spec
    returns the assignments "only if the Areas and Stores enterprise feature is enabled".
    """
    loyalty_fake.create_loyalty_program("Coffee Club", category="Drinks")
    reply = client.list_programs({"expand": expand})
    assert reply.status == 200, reply.body
    [program] = reply.body["campaigns"]
    assert [c["name"] for c in program["categories"]] == ["Drinks"]
    assert "access_settings_assignments" not in program


def test_programs_bad_expand_is_400(http: RequestsClient) -> None:
    """An expand off the spec's enum is 400 (requests: the SDK's enum refuses it)."""
    _assert_invalid(
        http.list_programs({"expand": "vouchers"}),
        "Property .expand must be equal to one of the allowed values "
        "[ category, access_settings_assignments ]",
    )
