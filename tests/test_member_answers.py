"""A member answered again is never stale: every change shows on the next get and list."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pytest

from loyalty_fake.http import member_answers
from loyalty_fake.http.app import encode_json
from loyalty_fake.http.cards_json import member_json

if TYPE_CHECKING:
    from collections.abc import Callable

    from loyalty_fake import LoyaltyFake

pytestmark = pytest.mark.loyalty_fake(now="2024-01-25T10:00:00Z")

ONE_MONTH = {
    "type": "LOYALTY_CARD",
    "loyalty_card": {"points": 0, "expiration_rules": {"period_type": "MONTH", "period_value": 1}},
}


def _ok(fake: LoyaltyFake, method: str, path: str, body: Any = None) -> Any:
    reply = fake.request(method, path, json_body=body)
    assert reply.status == 200, reply.body
    return json.loads(reply.body)


def _answers(fake: LoyaltyFake, program: str, code: str) -> list[dict[str, Any]]:
    """The member as a get by code, a get in its program and a page of the program show it."""
    page = _ok(fake, "GET", f"/v1/loyalties/{program}/members?limit=10")
    return [
        _ok(fake, "GET", f"/v1/loyalties/members/{code}"),
        _ok(fake, "GET", f"/v1/loyalties/{program}/members/{code}"),
        next(member for member in page["vouchers"] if member["code"] == code),
    ]


@dataclass
class _Member:
    """A member a change is made to: its fake, program and code, and what a step found."""

    fake: LoyaltyFake
    program: str
    code: str
    category: str = ""

    def ok(self, method: str, path: str, body: Any = None) -> Any:
        return _ok(self.fake, method, path, body)


def _new_category(member: _Member) -> None:
    answer = member.ok("PUT", f"/v1/vouchers/{member.code}", {"category": "Gold"})
    member.category = answer["category_id"]


def _nothing(_member: _Member) -> None:
    pass


# Each change to a member (published, so its card keeps its own dates and validity when
# the program's change): what it needs first, then the change itself.
CHANGES: dict[str, tuple[Callable[[_Member], Any], Callable[[_Member], Any]]] = {
    "points added": (_nothing, lambda m: m.fake.add_points(m.code, 50)),
    "points subtracted": (
        lambda m: m.fake.add_points(m.code, 50),
        lambda m: m.ok("POST", f"/v1/loyalties/members/{m.code}/balance", {"points": -20}),
    ),
    "points expired": (
        lambda m: m.fake.add_points(m.code, 50),
        lambda m: m.fake.clock.set("2024-02-26T00:00:00Z"),
    ),
    "metadata updated": (
        _nothing,
        lambda m: m.ok("PUT", f"/v1/vouchers/{m.code}", {"metadata": {"tier": "gold"}}),
    ),
    "card disabled": (_nothing, lambda m: m.ok("POST", f"/v1/vouchers/{m.code}/disable")),
    "card's own dates": (
        _nothing,
        lambda m: m.ok(
            "PUT", f"/v1/vouchers/{m.code}", {"expiration_date": "2030-01-01T00:00:00Z"}
        ),
    ),
    "card's own dates again": (
        lambda m: m.ok(
            "PUT", f"/v1/vouchers/{m.code}", {"expiration_date": "2030-01-01T00:00:00Z"}
        ),
        # The same overrides, changed where they are: compared by content, not identity.
        lambda m: m.ok("PUT", f"/v1/vouchers/{m.code}", {"additional_info": "VIP"}),
    ),
    "category given": (_nothing, _new_category),
    "category renamed": (
        _new_category,
        lambda m: m.ok("PUT", f"/v1/categories/{m.category}", {"name": "Platinum", "hierarchy": 2}),
    ),
}


@pytest.mark.parametrize("name", sorted(CHANGES))
def test_a_change_shows_on_the_next_answer(loyalty_fake: LoyaltyFake, name: str) -> None:
    """After any change to a member or its category, get and list show it."""
    prepare, change = CHANGES[name]
    program = str(loyalty_fake.create_loyalty_program("Coffee Club", voucher=ONE_MONTH)["id"])
    code = str(loyalty_fake.add_member(program, {"source_id": "alice"})["code"])
    loyalty_fake.add_member(program, {"source_id": "bob"})
    member = _Member(loyalty_fake, program, code)
    prepare(member)
    before = _answers(loyalty_fake, program, code)  # answered twice: the second from the cache
    assert _answers(loyalty_fake, program, code) == before
    change(member)
    after = _answers(loyalty_fake, program, code)
    assert after != before
    assert after == [loyalty_fake.card(code)] * 3


def test_a_program_change_shows_on_its_unpublished_cards(loyalty_fake: LoyaltyFake) -> None:
    """A program's new dates show on the next get of a card nobody holds yet."""
    program = str(loyalty_fake.create_loyalty_program("Coffee Club", vouchers_count=1)["id"])
    code = loyalty_fake.cards(program)[0]["code"]
    path = f"/v1/loyalties/members/{code}"
    before = _ok(loyalty_fake, "GET", path)
    assert _ok(loyalty_fake, "GET", path) == before
    _ok(loyalty_fake, "PUT", f"/v1/loyalties/{program}", {"start_date": "2024-01-01T00:00:00Z"})
    after = _ok(loyalty_fake, "GET", path)
    assert after["start_date"] == "2024-01-01T00:00:00.000Z" != before["start_date"]
    assert after == loyalty_fake.card(code)


def test_a_refused_change_leaves_the_answer_as_it_was(loyalty_fake: LoyaltyFake) -> None:
    """A request refused half-way (its changes undone) leaves the member answered as before."""
    program = str(loyalty_fake.create_loyalty_program("Coffee Club")["id"])
    code = str(loyalty_fake.add_member(program, {"source_id": "alice"})["code"])
    before = _answers(loyalty_fake, program, code)
    refused = loyalty_fake.request(
        "POST", f"/v1/loyalties/members/{code}/balance", json_body={"points": -5}
    )
    assert refused.status == 400
    assert _answers(loyalty_fake, program, code) == before == [loyalty_fake.card(code)] * 3


class _Reads:
    """Stands for an object and notes the name of every attribute read of it."""

    def __init__(self, real: Any, noted: set[str], prefix: str) -> None:
        self._real, self._noted, self._prefix = real, noted, prefix

    def __getattr__(self, name: str) -> Any:
        self._noted.add(self._prefix + name)
        value = getattr(self._real, name)
        if name == "category" and value is not None:
            return _Reads(value, self._noted, "category.")
        if name == "settings":
            return _NotedGets(value, self._noted, f"{self._prefix}settings.")
        return value


class _NotedGets(dict[str, Any]):
    """A program's settings that note each key read of them."""

    def __init__(self, real: dict[str, Any], noted: set[str], prefix: str) -> None:
        super().__init__(real)
        self._noted, self._prefix = noted, prefix

    def get(self, key: str, default: Any = None) -> Any:
        self._noted.add(self._prefix + key)
        return super().get(key, default)

    def __getitem__(self, key: str) -> Any:
        self._noted.add(self._prefix + key)
        return super().__getitem__(key)


# What member_json reads through a card's properties and methods, as plain fields.
_DERIVED = {
    "id": {"campaign_id", "code"},
    "balance": {"points", "expired_points", "subtracted_points", "redeemed_points"},
    "next_expiration": {"next_expiration"},
}


def test_the_cache_key_holds_everything_a_member_shows(loyalty_fake: LoyaltyFake) -> None:
    """``member_json`` reads nothing of the card, category or program the cache key leaves out."""
    program = str(loyalty_fake.create_loyalty_program("Coffee Club")["id"])
    code = str(loyalty_fake.add_member(program, {"source_id": "alice"})["code"])
    _new_category(_Member(loyalty_fake, program, code))
    with loyalty_fake.ledger.session(loyalty_fake.app_id) as session:
        card = session.cards.get(code)
        campaign = session.campaigns.get(program)
        shown: set[str] = set()
        member_json(_Reads(card, shown, ""), _Reads(campaign, shown, "campaign."))  # type: ignore[arg-type]
        keyed: set[str] = set()
        of_campaign = member_answers._campaign_inputs(_Reads(campaign, keyed, "campaign."))  # type: ignore[arg-type]
        member_answers._inputs(_Reads(card, keyed, ""), of_campaign)  # type: ignore[arg-type]
    expanded = set().union(*(_DERIVED.get(name, {name}) for name in shown))
    assert expanded <= keyed


def test_a_member_is_built_once_while_nothing_changes(loyalty_fake: LoyaltyFake) -> None:
    """The second get of an unchanged member answers the body the first one built."""
    program = str(loyalty_fake.create_loyalty_program("Coffee Club")["id"])
    code = str(loyalty_fake.add_member(program, {"source_id": "alice"})["code"])
    with loyalty_fake.ledger.session(loyalty_fake.app_id) as session:
        card = session.cards.get(code)
        campaign = session.campaigns.get(program)
        first = member_answers.member_answer(card, campaign)
        assert member_answers.member_answer(card, campaign) is first
        assert member_answers.member_answers([card], campaign)[0] is first
        assert encode_json(first) == encode_json(member_json(card, campaign))
