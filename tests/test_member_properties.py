"""Properties of members that must hold for any sequence of joins and any listing query."""

from __future__ import annotations

import datetime as dt
import string
from collections import defaultdict
from typing import Any, Literal, TypeVar

import attrs
from hypothesis import example, given, settings
from hypothesis import strategies as st

from loyalty_fake import LoyaltyFake, VoucherifyError

_SETTINGS = settings(max_examples=40, deadline=None)
_START = dt.datetime(2024, 1, 1, tzinfo=dt.timezone.utc)
_SOURCE_IDS = tuple(f"customer-{index}" for index in range(12))
_PUBLICATION_SOURCE_IDS = ("pub-1", "pub-2", "pub-3")
ORDERS = ("created_at", "-created_at", "updated_at", "-updated_at", "code", "-code")

_T = TypeVar("_T")
CustomerForm = Literal["source_id", "string", "id", "id_and_source_id", "unknown_id"]


# -- scenarios --------------------------------------------------------------------------------


@attrs.frozen
class Program:
    """A program to create: its type and how many cards it generates up front."""

    type: Literal["STATIC", "AUTO_UPDATE"]
    vouchers_count: int


@attrs.frozen
class Join:
    """One add-member call; indexes pick among what exists when the call is made."""

    program: int
    form: CustomerForm
    who: int
    voucher: int | None
    source_id: str | None
    minutes: int


@attrs.frozen
class Scenario:
    """A fake's options, its programs and the joins to make, in order."""

    seed: int
    strict_joins: bool
    programs: tuple[Program, ...]
    joins: tuple[Join, ...]
    # Minutes to wait before each of a run of new customers joins the first program.
    newcomers: tuple[int, ...] = ()


programs = st.builds(
    Program,
    type=st.sampled_from(["STATIC", "AUTO_UPDATE"]),
    vouchers_count=st.integers(min_value=0, max_value=4),
)


def _sometimes(strategy: st.SearchStrategy[_T], nones: int = 2) -> st.SearchStrategy[_T | None]:
    """``strategy`` about one time in ``nones + 1``, else ``None``."""
    return st.tuples(st.integers(min_value=0, max_value=nones), strategy).map(
        lambda drawn: drawn[1] if drawn[0] == 0 else None
    )


def _joins(customers: int) -> st.SearchStrategy[Join]:
    """Joins among the first ``customers`` source_ids, mostly to the first program."""
    return st.builds(
        Join,
        program=st.sampled_from([0, 0, 1]),
        form=st.sampled_from(["source_id", "string", "id", "id_and_source_id", "unknown_id"]),
        who=st.integers(min_value=0, max_value=customers - 1),
        voucher=_sometimes(st.integers(min_value=0, max_value=7)),
        source_id=_sometimes(st.sampled_from(_PUBLICATION_SOURCE_IDS)),
        minutes=st.integers(min_value=0, max_value=2),
    )


scenarios = st.builds(
    Scenario,
    seed=st.integers(min_value=0, max_value=2**16),
    strict_joins=st.booleans(),
    programs=st.lists(programs, min_size=1, max_size=2).map(tuple),
    joins=st.lists(_joins(customers=4), max_size=20).map(tuple),
)


def _customer(fake: LoyaltyFake, join: Join) -> str | dict[str, Any]:
    source_id = _SOURCE_IDS[join.who]
    if join.form == "string":
        return source_id
    if join.form == "unknown_id":
        return {"id": "cust_" + "0" * 24}
    known = [c["id"] for c in fake.customers()]
    if join.form == "id" and known:
        return {"id": known[join.who % len(known)]}
    if join.form == "id_and_source_id" and known:
        # The ID wins over a source_id that may belong to someone else.
        return {"id": known[join.who % len(known)], "source_id": source_id}
    return {"source_id": source_id, "name": source_id.title()}


def _state(fake: LoyaltyFake, program_ids: list[str]) -> tuple[Any, ...]:
    return (
        [fake.cards(program) for program in program_ids],
        fake.publications(),
        fake.customers(),
    )


@attrs.define
class Outcome:
    """What running a scenario showed: the programs, and every rejected call's before/after."""

    fake: LoyaltyFake
    program_ids: list[str]
    rejected: list[tuple[VoucherifyError, tuple[Any, ...], tuple[Any, ...]]]


def _run(scenario: Scenario) -> Outcome:
    """Create the scenario's programs and make its joins through the fake's Python API."""
    fake = LoyaltyFake(
        seed=scenario.seed, now="2024-01-01T00:00:00Z", strict_joins=scenario.strict_joins
    )
    program_ids = [
        fake.create_loyalty_program(
            f"Program {index}", type=program.type, vouchers_count=program.vouchers_count
        )["id"]
        for index, program in enumerate(scenario.programs)
    ]
    outcome = Outcome(fake, program_ids, [])
    for index, minutes in enumerate(scenario.newcomers):
        fake.clock.advance(minutes=minutes)
        fake.add_member(program_ids[0], {"source_id": f"newcomer-{index}"})
    for join in scenario.joins:
        fake.clock.advance(minutes=join.minutes)
        program = program_ids[join.program % len(program_ids)]
        fields: dict[str, Any] = {}
        if join.voucher is not None:
            codes = [card["code"] for card in fake.cards(program)]
            if codes:
                fields["voucher"] = codes[join.voucher % len(codes)]
        if join.source_id is not None:
            fields["source_id"] = join.source_id
        before = _state(fake, program_ids)
        try:
            fake.add_member(program, _customer(fake, join), **fields)
        except VoucherifyError as error:
            outcome.rejected.append((error, before, _state(fake, program_ids)))
    return outcome


# -- one card, one holder ---------------------------------------------------------------------


@_SETTINGS
@given(scenarios)
def test_no_card_is_held_by_two_customers(scenario: Scenario) -> None:
    """Whatever the joins, every publication of a card names the card's one holder."""
    outcome = _run(scenario)
    holders: dict[str, set[str]] = defaultdict(set)
    for publication in outcome.fake.publications():
        holders[publication["voucher_code"]].add(publication["customer_id"])
    for program in outcome.program_ids:
        for card in outcome.fake.cards(program):
            expected = {card["holder_id"]} if card.get("holder_id") is not None else set()
            assert holders.pop(card["code"], set()) == expected, card["code"]
    assert holders == {}


@_SETTINGS
@given(scenarios)
def test_no_customer_holds_two_cards_in_one_program(scenario: Scenario) -> None:
    """Whatever the joins, a customer holds at most one card of each program."""
    outcome = _run(scenario)
    fake = outcome.fake
    for program in outcome.program_ids:
        holder_ids = [c["holder_id"] for c in fake.cards(program) if c.get("holder_id") is not None]
        assert len(holder_ids) == len(set(holder_ids))
        for customer in fake.customers():
            assert fake.list_members(program, customer=customer["id"])["total"] <= 1
    cards_per_membership: dict[tuple[str, str], set[str]] = defaultdict(set)
    for publication in fake.publications():
        membership = (publication["customer_id"], publication["campaign_id"])
        cards_per_membership[membership].add(publication["voucher_code"])
    assert all(len(codes) == 1 for codes in cards_per_membership.values())


@_SETTINGS
@given(scenarios)
def test_rejected_join_changes_nothing(scenario: Scenario) -> None:
    """A join the fake rejects leaves cards, publications and customers as they were."""
    outcome = _run(scenario)
    for error, before, after in outcome.rejected:
        assert after == before, error


@settings(max_examples=10, deadline=None)
@given(seed=st.integers(min_value=0, max_value=2**16))
@example(seed=3)
def test_join_that_cannot_generate_a_code_changes_nothing(seed: int) -> None:
    """Filling a small AUTO_UPDATE code space, each join either succeeds or changes nothing."""
    fake = LoyaltyFake(seed=seed, now="2024-01-01T00:00:00Z")
    letters = {"pattern": "#", "charset": string.ascii_uppercase}
    program = fake.create_loyalty_program("Letters", voucher={"code_config": letters})["id"]
    rejected: list[tuple[str, tuple[Any, ...], tuple[Any, ...]]] = []
    for index in range(len(string.ascii_uppercase) + 1):
        before = _state(fake, [program])
        try:
            fake.add_member(program, {"source_id": f"customer-{index}"})
        except VoucherifyError as error:
            rejected.append((str(error), before, _state(fake, [program])))
    assert rejected, "27 customers cannot all get one of 26 codes"
    for details, before, after in rejected:
        assert after == before, details


# -- listing ----------------------------------------------------------------------------------


@attrs.frozen
class Bound:
    """A created_at/updated_at bound near a member's timestamp, and how to spell it."""

    near: int
    millis: int
    style: Literal["date", "micro", "offset", "naive"]

    def resolve(self, moments: list[dt.datetime]) -> tuple[dt.datetime, str]:
        """The bound's moment, near one of ``moments``, and its ISO 8601 spelling."""
        moment = moments[self.near % len(moments)] + dt.timedelta(milliseconds=self.millis)
        if self.style == "date":
            midnight = moment.replace(hour=0, minute=0, second=0, microsecond=0)
            return midnight, midnight.strftime("%Y-%m-%d")
        if self.style == "micro":
            return moment, moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        if self.style == "offset":
            return moment, moment.isoformat()
        return moment, moment.replace(tzinfo=None).isoformat(timespec="milliseconds")


bounds = st.builds(
    Bound,
    near=st.integers(min_value=0, max_value=30),
    millis=st.sampled_from([-1, 0, 0, 1]),
    style=st.sampled_from(["date", "micro", "offset", "naive"]),
)


@attrs.frozen
class Filters:
    """A members query's filters; customer and code pick among what exists, or miss."""

    customer: int | None
    customer_by_source_id: bool
    code: int | None
    created_before: Bound | None
    created_after: Bound | None
    updated_before: Bound | None
    updated_after: Bound | None


filters = st.builds(
    Filters,
    customer=_sometimes(st.integers(min_value=-1, max_value=len(_SOURCE_IDS) - 1), nones=3),
    customer_by_source_id=st.booleans(),
    code=_sometimes(st.integers(min_value=-1, max_value=20), nones=3),
    created_before=_sometimes(bounds, nones=3),
    created_after=_sometimes(bounds, nones=3),
    updated_before=_sometimes(bounds, nones=3),
    updated_after=_sometimes(bounds, nones=3),
)
busy_programs = st.builds(
    Scenario,
    seed=st.integers(min_value=0, max_value=2**16),
    strict_joins=st.just(value=False),
    programs=st.tuples(
        st.builds(Program, type=st.just("AUTO_UPDATE"), vouchers_count=st.integers(0, 4)),
        st.builds(Program, type=st.just("AUTO_UPDATE"), vouchers_count=st.just(1)),
    ),
    joins=st.lists(_joins(customers=len(_SOURCE_IDS)), max_size=20).map(tuple),
    newcomers=st.lists(st.integers(min_value=0, max_value=2), min_size=2, max_size=15).map(tuple),
)


def _parse(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


def _query(fake: LoyaltyFake, program: str, chosen: Filters) -> tuple[dict[str, Any], set[str]]:
    """The query parameters for ``chosen`` and the codes of the members that match them."""
    params: dict[str, Any] = {}
    cards = fake.cards(program)
    customers = fake.customers()
    members = [card for card in cards if card.get("holder_id") is not None]
    if chosen.customer is not None:
        if chosen.customer >= 0 and customers:
            customer = customers[chosen.customer % len(customers)]
            by_source_id = chosen.customer_by_source_id and customer["source_id"] is not None
            params["customer"] = customer["source_id"] if by_source_id else customer["id"]
            members = [card for card in members if card["holder_id"] == customer["id"]]
        else:
            params["customer"] = "ghost"
            members = []
    if chosen.code is not None:
        code = cards[chosen.code % len(cards)]["code"] if chosen.code >= 0 else "NOSUCHCODE"
        params["code"] = code
        members = [card for card in members if card["code"] == code]
    for field, part, bound in (
        ("created_at", "before", chosen.created_before),
        ("created_at", "after", chosen.created_after),
        ("updated_at", "before", chosen.updated_before),
        ("updated_at", "after", chosen.updated_after),
    ):
        if bound is None:
            continue
        moments = sorted({_START} | {_parse(c[field]) for c in cards if c.get(field) is not None})
        moment, params.setdefault(field, {})[part] = bound.resolve(moments)
        if part == "before":
            members = [card for card in members if _parse(card[field]) < moment]
        else:
            members = [card for card in members if _parse(card[field]) > moment]
    return params, {card["code"] for card in members}


def _in_order(fake: LoyaltyFake, program: str, order: str | None) -> list[str]:
    """The program's members sorted by ``order``, ties by generation (the cards' list order)."""
    cards = fake.cards(program)
    order = order or "-created_at"
    keys = {
        "created_at": lambda index: (cards[index]["created_at"], index),
        "updated_at": lambda index: (cards[index]["updated_at"], index),
        "code": lambda index: (cards[index]["code"], index),
    }
    members = [index for index, card in enumerate(cards) if card.get("holder_id") is not None]
    members.sort(key=keys[order.lstrip("-")], reverse=order.startswith("-"))
    return [cards[index]["code"] for index in members]


orders = st.none() | st.sampled_from(ORDERS)


@_SETTINGS
@given(busy_programs, filters, orders)
def test_total_counts_every_matching_member(
    scenario: Scenario, chosen: Filters, order: str | None
) -> None:
    """For any filters and order, total is the number of members matching the filters."""
    outcome = _run(scenario)
    fake, program = outcome.fake, outcome.program_ids[0]
    params, expected = _query(fake, program, chosen)
    if order is not None:
        params["order"] = order
    for limit in (1, 3, 100):
        assert fake.list_members(program, limit=limit, **params)["total"] == len(expected)


@_SETTINGS
@given(busy_programs, filters, orders)
def test_list_follows_the_requested_order(
    scenario: Scenario, chosen: Filters, order: str | None
) -> None:
    """For any filters and order (default -created_at), matches come sorted, ties by generation."""
    outcome = _run(scenario)
    fake, program = outcome.fake, outcome.program_ids[0]
    params, expected = _query(fake, program, chosen)
    if order is not None:
        params["order"] = order
    listed = [m["code"] for m in fake.list_members(program, limit=100, **params)["vouchers"]]
    assert listed == [code for code in _in_order(fake, program, order) if code in expected]


@_SETTINGS
@given(busy_programs, filters, orders, st.integers(min_value=1, max_value=7))
def test_pages_concatenate_to_the_full_list(
    scenario: Scenario, chosen: Filters, order: str | None, limit: int
) -> None:
    """Pages of any limit, read in turn, are exactly the full list for the same query."""
    outcome = _run(scenario)
    fake, program = outcome.fake, outcome.program_ids[0]
    params, _ = _query(fake, program, chosen)
    if order is not None:
        params["order"] = order
    full = [m["code"] for m in fake.list_members(program, limit=100, **params)["vouchers"]]
    read: list[str] = []
    for page in range(1, len(full) // limit + 3):
        reply = fake.list_members(program, limit=limit, page=page, **params)
        assert reply["total"] == len(full)
        assert len(reply["vouchers"]) <= limit
        read += [member["code"] for member in reply["vouchers"]]
    assert read == full
