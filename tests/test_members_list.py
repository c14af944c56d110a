"""Listing members (GET /v1/loyalties/{campaignId}/members): filters, order and pages."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

from tests.conftest import BASE_URL, MEMBERS, Client, Reply, RequestsClient, check_reply

if TYPE_CHECKING:
    from loyalty_fake import LoyaltyFake

pytestmark = pytest.mark.loyalty_fake(now="2024-01-01T00:00:00Z")

# Upper-case codes: their order is the same under every collation a real database might use.
UPPER_CASE_CODES = {"code_config": {"charset": "ABCDEFGHIJKLMNOPQRSTUVWXYZ", "length": 8}}
ORDERS = ("created_at", "-created_at", "updated_at", "-updated_at", "code", "-code")


def _codes(reply: Reply) -> list[str]:
    assert reply.status == 200, reply.body
    return [voucher["code"] for voucher in reply.body["vouchers"]]


def _snapshot(fake: LoyaltyFake, program: str) -> tuple[Any, ...]:
    return (fake.cards(program), fake.publications(), fake.customers())


def _program(fake: LoyaltyFake, name: str = "Coffee Club", **fields: Any) -> str:
    program: str = fake.create_loyalty_program(name, voucher=UPPER_CASE_CODES, **fields)["id"]
    return program


def _join(fake: LoyaltyFake, program: str, *names: str, **fields: Any) -> list[str]:
    """Each named customer (a source_id) joins in turn; returns their card codes."""
    return [fake.add_member(program, {"source_id": name}, **fields)["code"] for name in names]


def _join_daily(fake: LoyaltyFake, *, pregenerated: bool) -> tuple[str, list[str]]:
    """Members a, b, c join at noon on 1, 2 and 3 January 2024; returns program and codes.

    With ``pregenerated`` the cards were all generated at program creation (midnight on
    1 January), so only ``updated_at`` tells them apart; without, each card is generated
    at its join, so ``created_at`` and ``updated_at`` are both the join time.
    """
    program = _program(fake, vouchers_count=3 if pregenerated else 0)
    codes: list[str] = []
    for name in ("a", "b", "c"):
        fake.clock.advance(hours=12)
        codes += _join(fake, program, name)
        fake.clock.advance(hours=12)
    return program, codes


def _raw_get(http: RequestsClient, program: str, query: str) -> Reply:
    """GET the members list with a hand-built query string, sent as written."""
    url = f"{BASE_URL}/v1/loyalties/{program}/members?{query}"
    response = http.session.get(url, headers=http.headers)
    reply = Reply(response.status_code, response.json(), dict(response.headers))
    return check_reply("GET", MEMBERS, reply)


def _assert_invalid_query(reply: Reply) -> None:
    assert reply.status == 400, reply.body
    assert reply.error_key == "invalid_query_params"
    assert reply.body["message"] == "Invalid query params"


# -- what is listed ---------------------------------------------------------------------------


def test_response_is_a_list_of_vouchers(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """The reply is {object: list, data_ref: vouchers, vouchers, total}, nothing more."""
    program = _program(loyalty_fake, vouchers_count=1)
    _join(loyalty_fake, program, "alice")
    reply = client.list_members(program)
    assert reply.status == 200
    assert set(reply.body) == {"object", "data_ref", "vouchers", "total"}
    assert reply.body["object"] == "list"
    assert reply.body["data_ref"] == "vouchers"
    assert reply.body["total"] == 1


def test_lists_only_published_cards(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """Of five generated cards, only the two published ones are members."""
    program = _program(loyalty_fake, vouchers_count=5)
    joined = _join(loyalty_fake, program, "alice", "bob")
    reply = client.list_members(program)
    assert sorted(_codes(reply)) == sorted(joined)
    assert reply.body["total"] == 2


def test_program_without_members_lists_nothing(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """A program whose cards are all unpublished has no members."""
    program = _program(loyalty_fake, vouchers_count=3)
    reply = client.list_members(program)
    assert _codes(reply) == []
    assert reply.body["total"] == 0


def test_lists_only_this_programs_members(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """Members of another program are not listed, even when they are the same customers."""
    coffee = _program(loyalty_fake, "Coffee Club")
    tea = _program(loyalty_fake, "Tea Club")
    coffee_codes = _join(loyalty_fake, coffee, "alice", "bob")
    _join(loyalty_fake, tea, "alice", "carol")
    assert sorted(_codes(client.list_members(coffee))) == sorted(coffee_codes)


def test_listed_member_is_the_published_card(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """A listed member is the card exactly as adding the member returned it."""
    program = _program(loyalty_fake, vouchers_count=1)
    added = loyalty_fake.add_member(program, {"source_id": "alice"})
    reply = client.list_members(program)
    assert reply.body["vouchers"] == [added]
    assert added["holder_id"] == loyalty_fake.customers()[0]["id"]


# -- limit and page ---------------------------------------------------------------------------


def test_default_page_is_ten_newest(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """Without limit and page, the ten newest members are returned and total counts all."""
    program = _program(loyalty_fake)
    codes = []
    for index in range(12):
        loyalty_fake.clock.advance(minutes=1)
        codes += _join(loyalty_fake, program, f"customer-{index}")
    reply = client.list_members(program)
    assert _codes(reply) == codes[::-1][:10]
    assert reply.body["total"] == 12


@pytest.mark.parametrize("limit", [1, 7, 100])
def test_limit_caps_the_page(client: Client, loyalty_fake: LoyaltyFake, limit: int) -> None:
    """A page holds at most limit members; total still counts every member."""
    program = _program(loyalty_fake)
    _join(loyalty_fake, program, *(f"customer-{index}" for index in range(8)))
    reply = client.list_members(program, {"limit": limit})
    assert len(_codes(reply)) == min(limit, 8)
    assert reply.body["total"] == 8


def test_second_page_holds_the_rest(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """Page 2 of 12 members with the default limit holds the two oldest."""
    program = _program(loyalty_fake)
    codes = []
    for index in range(12):
        loyalty_fake.clock.advance(minutes=1)
        codes += _join(loyalty_fake, program, f"customer-{index}")
    reply = client.list_members(program, {"page": 2})
    assert _codes(reply) == codes[1::-1]
    assert reply.body["total"] == 12


@pytest.mark.parametrize("page", [3, 100])
def test_page_past_the_end_is_empty(client: Client, loyalty_fake: LoyaltyFake, page: int) -> None:
    """A page beyond the last member is empty, with total still counting every member."""
    program = _program(loyalty_fake)
    _join(loyalty_fake, program, *(f"customer-{index}" for index in range(4)))
    reply = client.list_members(program, {"limit": 2, "page": page})
    assert _codes(reply) == []
    assert reply.body["total"] == 4


@pytest.mark.parametrize("order", [None, "code", "updated_at"])
def test_pages_partition_the_ordered_list(
    client: Client, loyalty_fake: LoyaltyFake, order: str | None
) -> None:
    """Pages of 3, one after another, are the full ordered list cut in pieces."""
    program = _program(loyalty_fake, vouchers_count=2)
    for index in range(7):
        loyalty_fake.clock.advance(minutes=index % 2)
        _join(loyalty_fake, program, f"customer-{index}")
    params: dict[str, Any] = {"order": order} if order else {}
    full = _codes(client.list_members(program, {**params, "limit": 100}))
    pages = [
        _codes(client.list_members(program, {**params, "limit": 3, "page": p})) for p in (1, 2, 3)
    ]
    assert [len(page) for page in pages] == [3, 3, 1]
    assert [code for page in pages for code in page] == full


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("limit", "0"),
        ("limit", "101"),
        ("limit", "-1"),
        ("limit", "ten"),
        ("limit", "2.5"),
        ("limit", "10.0"),
        ("limit", ""),
        ("limit", "1_0"),
        ("limit", "\u0661\u0660"),  # Arabic-Indic digits
        ("page", "0"),
        ("page", "101"),
        ("page", "two"),
        ("page", "1.5"),
        ("page", ""),
        ("page", "1_0"),
    ],
)
def test_out_of_range_or_non_integer_paging_is_rejected(
    http: RequestsClient, loyalty_fake: LoyaltyFake, name: str, value: str
) -> None:
    """A limit or page outside 1..100, or not an integer, answers 400 and changes nothing."""
    program = _program(loyalty_fake, vouchers_count=2)
    _join(loyalty_fake, program, "alice")
    before = _snapshot(loyalty_fake, program)
    _assert_invalid_query(http.list_members(program, {name: value}))
    assert _snapshot(loyalty_fake, program) == before


# -- customer and code filters ----------------------------------------------------------------


def test_customer_filter_by_customer_id(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """customer=cust_... lists only that customer's card."""
    program = _program(loyalty_fake)
    _, bob_code = _join(loyalty_fake, program, "alice", "bob")
    bob = next(c for c in loyalty_fake.customers() if c["source_id"] == "bob")
    reply = client.list_members(program, {"customer": bob["id"]})
    assert _codes(reply) == [bob_code]
    assert reply.body["total"] == 1


@pytest.mark.parametrize("source_id", ["bob", "bob+tag@example.com", "b&o b/?#=%"])
def test_customer_filter_by_source_id(
    client: Client, loyalty_fake: LoyaltyFake, source_id: str
) -> None:
    """customer=<source_id> lists only that customer's card, whatever characters it holds."""
    program = _program(loyalty_fake)
    _, code = _join(loyalty_fake, program, "alice", source_id)
    reply = client.list_members(program, {"customer": source_id})
    assert _codes(reply) == [code]
    assert reply.body["total"] == 1


@pytest.mark.parametrize("customer", ["ghost", "cust_AAAAAAAAAAAAAAAAAAAAAAAA"])
def test_unknown_customer_lists_nothing(
    client: Client, loyalty_fake: LoyaltyFake, customer: str
) -> None:
    """An unknown customer ID or source_id gives an empty list with total 0, not an error."""
    program = _program(loyalty_fake)
    _join(loyalty_fake, program, "alice")
    reply = client.list_members(program, {"customer": customer})
    assert _codes(reply) == []
    assert reply.body["total"] == 0


def test_customer_of_another_program_lists_nothing(
    client: Client, loyalty_fake: LoyaltyFake
) -> None:
    """A customer who holds a card only in another program is not a member of this one."""
    coffee = _program(loyalty_fake, "Coffee Club")
    tea = _program(loyalty_fake, "Tea Club")
    _join(loyalty_fake, coffee, "alice")
    _join(loyalty_fake, tea, "bob")
    reply = client.list_members(coffee, {"customer": "bob"})
    assert _codes(reply) == []
    assert reply.body["total"] == 0


def test_code_filter(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """code=<code> lists only the member with that card."""
    program = _program(loyalty_fake)
    alice_code, _ = _join(loyalty_fake, program, "alice", "bob")
    reply = client.list_members(program, {"code": alice_code})
    assert _codes(reply) == [alice_code]
    assert reply.body["total"] == 1


def test_code_filter_ignores_unpublished_card(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """code= of a card nobody holds lists nothing: unpublished cards are never members."""
    program = _program(loyalty_fake, vouchers_count=2)
    _join(loyalty_fake, program, "alice")
    free = next(c["code"] for c in loyalty_fake.cards(program) if "holder_id" not in c)
    reply = client.list_members(program, {"code": free})
    assert _codes(reply) == []
    assert reply.body["total"] == 0


def test_code_and_customer_filters_combine(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """The code and customer filters together list a member only when both match."""
    program = _program(loyalty_fake)
    alice_code, bob_code = _join(loyalty_fake, program, "alice", "bob")
    assert _codes(client.list_members(program, {"code": alice_code, "customer": "bob"})) == []
    assert _codes(client.list_members(program, {"code": bob_code, "customer": "bob"})) == [bob_code]


# -- created_at and updated_at filters --------------------------------------------------------

# Members a, b, c joined at noon on 1, 2 and 3 January; filters are strict (< and >).
DATE_CASES = [
    ("before", "2024-01-02", "a"),
    ("after", "2024-01-02", "bc"),
    ("before", "2024-01-02T12:00:00Z", "a"),
    ("after", "2024-01-02T12:00:00Z", "c"),
    ("before", "2024-01-02T12:00:00.000Z", "a"),
    ("before", "2024-01-02T12:00:00+00:00", "a"),
    ("after", "2024-01-02T12:00:00+00:00", "c"),
    ("before", "2024-01-02T12:00:00", "a"),
    ("after", "2024-01-02T12:00:00", "c"),
    ("before", "2024-01-02T12:00:00.000001Z", "ab"),
    ("after", "2024-01-02T11:59:59.999999Z", "bc"),
    ("after", "2024-01-02T11:59:59.999999+00:00", "bc"),
    ("before", "2024-01-02T13:00:00+01:00", "a"),
    ("after", "2024-01-03T12:00:00Z", ""),
]


def _expected(codes: list[str], names: str) -> list[str]:
    return sorted(codes[ord(name) - ord("a")] for name in names)


@pytest.mark.parametrize(("part", "value", "names"), DATE_CASES)
def test_created_at_filter(
    client: Client, loyalty_fake: LoyaltyFake, part: str, value: str, names: str
) -> None:
    """created_at[before|after] keeps members whose card was generated strictly before/after."""
    program, codes = _join_daily(loyalty_fake, pregenerated=False)
    reply = client.list_members(program, {"created_at": {part: value}})
    assert sorted(_codes(reply)) == _expected(codes, names)
    assert reply.body["total"] == len(names)


@pytest.mark.parametrize(("part", "value", "names"), DATE_CASES)
def test_updated_at_filter(
    client: Client, loyalty_fake: LoyaltyFake, part: str, value: str, names: str
) -> None:
    """updated_at[before|after] keeps members whose card was published strictly before/after."""
    program, codes = _join_daily(loyalty_fake, pregenerated=True)
    reply = client.list_members(program, {"updated_at": {part: value}})
    assert sorted(_codes(reply)) == _expected(codes, names)
    assert reply.body["total"] == len(names)


def test_created_at_is_when_the_card_was_generated(
    client: Client, loyalty_fake: LoyaltyFake
) -> None:
    """A card generated with the program keeps that created_at, however late it is published."""
    program, codes = _join_daily(loyalty_fake, pregenerated=True)
    before = client.list_members(program, {"created_at": {"before": "2024-01-01T00:00:00.001Z"}})
    assert sorted(_codes(before)) == sorted(codes)
    after = client.list_members(program, {"created_at": {"after": "2024-01-01T00:00:00Z"}})
    assert _codes(after) == []


def test_before_and_after_make_a_window(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """created_at[after] and [before] together keep only the members between them."""
    program, codes = _join_daily(loyalty_fake, pregenerated=False)
    window = {"after": "2024-01-02", "before": "2024-01-03"}
    reply = client.list_members(program, {"created_at": window})
    assert _codes(reply) == [codes[1]]
    assert reply.body["total"] == 1


def test_created_and_updated_filters_combine(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """created_at and updated_at filters apply together: a member must pass both."""
    program = _program(loyalty_fake, vouchers_count=2)
    loyalty_fake.clock.advance(hours=6)
    _join(loyalty_fake, program, "alice")
    loyalty_fake.clock.advance(days=1)
    (bob,) = _join(loyalty_fake, program, "bob")
    _join(loyalty_fake, program, "carol")
    params = {
        "created_at": {"before": "2024-01-01T12:00:00Z"},
        "updated_at": {"after": "2024-01-01T12:00:00Z"},
    }
    reply = client.list_members(program, params)
    assert _codes(reply) == [bob]
    assert reply.body["total"] == 1


@pytest.mark.parametrize(
    "key",
    [
        "created_at[before]",
        "created_at%5Bbefore%5D",
        "updated_at[before]",
        "updated_at%5Bbefore%5D",
    ],
)
@pytest.mark.parametrize(
    "value",
    [
        "2024-01-02T12:00:00Z",
        "2024-01-02T12:00:00+00:00",
        "2024-01-02T12:00:00%2B00:00",
        "2024-01-02T12:00:00.000000+00:00",
        "2024-01-02T12:00:00",
        "2024-01-02T12%3A00%3A00Z",
    ],
)
def test_hand_built_date_filter(
    http: RequestsClient, loyalty_fake: LoyaltyFake, key: str, value: str
) -> None:
    """Brackets raw or percent-encoded, offsets with a raw or encoded "+": the same filter."""
    program, codes = _join_daily(loyalty_fake, pregenerated=key.startswith("updated_at"))
    reply = _raw_get(http, program, f"{key}={value}")
    assert _codes(reply) == [codes[0]]
    assert reply.body["total"] == 1


@pytest.mark.parametrize("field", ["created_at", "updated_at"])
@pytest.mark.parametrize("part", ["before", "after"])
@pytest.mark.parametrize(
    "value",
    [
        "yesterday",
        "",
        "2024-13-01",
        "2024-02-30",
        "2024-01-02T25:00:00Z",
        "02/01/2024",
        "1704067200",
        "2024-1-2",
        "2024-01-02T12:00:00.Z",
    ],
)
def test_unparseable_date_is_rejected(
    http: RequestsClient, loyalty_fake: LoyaltyFake, field: str, part: str, value: str
) -> None:
    """A created_at/updated_at bound that is not an ISO 8601 date answers 400, changing nothing."""
    program = _program(loyalty_fake, vouchers_count=1)
    _join(loyalty_fake, program, "alice")
    before = _snapshot(loyalty_fake, program)
    _assert_invalid_query(http.list_members(program, {field: {part: value}}))
    assert _snapshot(loyalty_fake, program) == before


# -- order ------------------------------------------------------------------------------------


def _staggered_members(fake: LoyaltyFake) -> tuple[str, dict[str, str]]:
    """Cards x and y generated at midnight, z generated at its join; published as y, x, z.

    created_at order: x, y (tie, by generation), z.  updated_at order: y, x, z.
    """
    program = _program(fake, vouchers_count=2)
    x_code, y_code = (card["code"] for card in fake.cards(program))
    fake.clock.advance(minutes=1)
    _join(fake, program, "yuri", voucher=y_code)
    fake.clock.advance(minutes=1)
    assert _join(fake, program, "xena") == [x_code]
    fake.clock.advance(minutes=1)
    (z_code,) = _join(fake, program, "zoe")
    return program, {"x": x_code, "y": y_code, "z": z_code}


@pytest.mark.parametrize(
    ("order", "names"),
    [
        ("created_at", "xyz"),
        ("-created_at", "zyx"),
        ("updated_at", "yxz"),
        ("-updated_at", "zxy"),
    ],
)
def test_order_by_timestamp(
    client: Client, loyalty_fake: LoyaltyFake, order: str, names: str
) -> None:
    """The order sorts by created_at or updated_at, descending with a leading dash."""
    program, codes = _staggered_members(loyalty_fake)
    reply = client.list_members(program, {"order": order})
    assert _codes(reply) == [codes[name] for name in names]


@pytest.mark.parametrize(("order", "descending"), [("code", False), ("-code", True)])
def test_order_by_code(
    client: Client, loyalty_fake: LoyaltyFake, order: str, descending: bool
) -> None:
    """order=code sorts by card code, -code in reverse."""
    program, codes = _staggered_members(loyalty_fake)
    reply = client.list_members(program, {"order": order})
    assert _codes(reply) == sorted(codes.values(), reverse=descending)


def test_default_order_is_newest_first(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """Without order, members come newest card first (-created_at)."""
    program, codes = _staggered_members(loyalty_fake)
    default = _codes(client.list_members(program))
    assert default == [codes["z"], codes["y"], codes["x"]]
    assert default == _codes(client.list_members(program, {"order": "-created_at"}))


@pytest.mark.parametrize(
    ("order", "newest_first"),
    [
        (None, True),
        ("created_at", False),
        ("-created_at", True),
        ("updated_at", False),
        ("-updated_at", True),
    ],
)
def test_equal_timestamps_keep_generation_order(
    client: Client, loyalty_fake: LoyaltyFake, order: str | None, newest_first: bool
) -> None:
    """Cards with equal timestamps are ordered by when they were generated, not published."""
    program = _program(loyalty_fake, vouchers_count=4)
    generated = [card["code"] for card in loyalty_fake.cards(program)]
    for index, code in enumerate([generated[2], generated[0], generated[3], generated[1]]):
        _join(loyalty_fake, program, f"customer-{index}", voucher=code)
    params = {"order": order} if order else {}
    expected = generated[::-1] if newest_first else generated
    assert _codes(client.list_members(program, params)) == expected


@pytest.mark.parametrize("order", ["", "name", "CODE", "+code", "--code", "code,created_at"])
def test_unknown_order_is_rejected(
    http: RequestsClient, loyalty_fake: LoyaltyFake, order: str
) -> None:
    """An order outside the six documented options answers 400 and changes nothing."""
    program = _program(loyalty_fake, vouchers_count=1)
    _join(loyalty_fake, program, "alice")
    before = _snapshot(loyalty_fake, program)
    _assert_invalid_query(http.list_members(program, {"order": order}))
    assert _snapshot(loyalty_fake, program) == before


# -- unknown programs -------------------------------------------------------------------------


def test_unknown_campaign_is_not_found(client: Client) -> None:
    """Listing the members of an unknown campaign answers 404 naming the campaign."""
    reply = client.list_members("camp_doesNotExist000000000000")
    assert reply.status == 404
    assert reply.error_key == "not_found"
    assert reply.body["resource_type"] == "campaign"
    assert reply.body["resource_id"] == "camp_doesNotExist000000000000"


def test_unknown_campaign_wins_over_unknown_customer(client: Client) -> None:
    """An unknown campaign is 404 even when the customer filter would match nothing anyway."""
    reply = client.list_members("camp_doesNotExist000000000000", {"customer": "ghost"})
    assert reply.status == 404
    assert reply.body["resource_type"] == "campaign"


def test_other_projects_campaign_is_not_found(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """A campaign of another project (X-App-Id) is unknown to this one."""
    other = loyalty_fake.create_loyalty_program("Elsewhere", vouchers_count=1, app_id="other-app")
    loyalty_fake.add_member(other["id"], {"source_id": "alice"}, app_id="other-app")
    reply = client.list_members(other["id"])
    assert reply.status == 404
    assert reply.body["resource_type"] == "campaign"
