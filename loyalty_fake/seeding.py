"""Realistic, deterministic loyalty data in one call: programs, members and points histories.

Everything comes from the seed: Faker (seeded) draws pools of names, streets and cities
once, the fake's own seeded random source picks from them and shapes the histories, and
the fake's clock dates them. The same seed, options and clock give byte-identical state
in any process, whatever ``PYTHONHASHSEED`` is.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import TYPE_CHECKING, Any

import attrs
from faker import Faker

from loyalty_fake.ids import product_id
from loyalty_fake.ledger import MAX_VOUCHERS_PER_REQUEST
from loyalty_fake.ledger.bulk import no_gc
from loyalty_fake.ledger.bulk_seed import BulkWriter, bulk_ready
from loyalty_fake.ledger.codes import CodeConfig
from loyalty_fake.ledger.customers import CustomerRef
from loyalty_fake.ledger.earning_rules import RuleSpec
from loyalty_fake.ledger.expiry import ExpirationRules
from loyalty_fake.ledger.orders import OrderInput, OrderItem
from loyalty_fake.ledger.seed_writers import RequestWriter, SeedProfile, SeedWriter

if TYPE_CHECKING:
    from collections.abc import Callable

    from loyalty_fake.fake import LoyaltyFake
    from loyalty_fake.ledger import Ledger, Session
    from loyalty_fake.ledger.campaigns import Campaign
    from loyalty_fake.ledger.rewards import Reward

__all__ = ["DEMO_PROGRAM", "Pools", "create_program_with_cards", "seed_demo", "seed_program"]

DEMO_PROGRAM = "Demo Coffee Club"
_DRINKS = ("espresso", "flat white", "cortado", "filter", "matcha", "chai")
# A member's metadata (``SeedProfile``'s items): their favourite drink.
_FAVOURITES = tuple((("favourite_drink", drink),) for drink in _DRINKS)
_POOL_SIZE = 400
# Members seeded between two progress reports.
_BATCH = 1000
_HISTORY_DAYS = 270
# Moments are minutes back from now: ``day`` days and ``minute`` minutes back is that
# day's moment (worked out once a batch) less the minutes, a timedelta made once: the
# instant ``now - _MINUTE * (day * _DAY_MINUTES + minute)``, with one subtraction.
_MINUTE = dt.timedelta(minutes=1)
_DAY_MINUTES = 1440
_MINUTES_BACK = tuple(_MINUTE * minute for minute in range(_DAY_MINUTES))
# About one card in ten stays unassigned, as in a real program's stock of cards.
_SPARE_CARDS_PER_TEN = 1
_RULES = ExpirationRules("MONTH", period_value=6, rounding_type="END_OF_MONTH")
_CODES = CodeConfig(pattern="CLUB-####-####", charset="0123456789ABCDEFGHJKLMNPQRSTUVWXYZ")
# The MATERIAL rewards every seeded program offers: name, product, price in points. The
# first is what members redeem in their histories.
_REWARDS = (("Free coffee", "coffee", 150), ("Club tote bag", "tote-bag", 900))
# Of the spends a member can afford a free coffee with, the share that redeem one; the
# others remove points by hand. A redemption is a few hundred bytes more than a removal.
_REDEEMING = 0.2
# With earning: the rules every seeded program has, and the drinks members order (name,
# price in cents). Purchases are then paid orders the rules reward, not points by hand.
_EARNING_RULES = (
    RuleSpec(
        event="order.paid",
        loyalty={
            "type": "PROPORTIONAL",
            "calculation_type": "ORDER_AMOUNT",
            "order": {"amount": {"every": 100, "points": 1}},
        },
        banner="1 point for every dollar spent",
    ),
    RuleSpec(
        event="order.paid",
        loyalty={"type": "FIXED", "points": 5},
        banner="5 points a visit",
    ),
)
_MENU = (("espresso", 300), ("flat white", 450), ("cortado", 400), ("matcha", 550), ("cake", 500))


def _program_name(index: int) -> str:
    return DEMO_PROGRAM if index == 0 else f"Demo Program {index + 1}"


def _demo_rewards(session: Session, seed: int) -> list[tuple[Reward, int]]:
    """The project's demo rewards (``_REWARDS``) and their prices, created unless there.

    A project seeded before keeps its rewards: a seeding that is then refused (its
    program names are taken) leaves no copies behind.
    """
    known = {reward.name: reward for reward in session.rewards.all()}
    rewards = []
    for name, product, price in _REWARDS:
        reward = known.get(name)
        if reward is None or reward.type != "MATERIAL":
            parameters = {"product": {"id": product_id(seed, product), "sku_id": None}}
            reward = session.rewards.create(name=name, type="MATERIAL", parameters=parameters)
        rewards.append((reward, price))
    return rewards


@attrs.frozen
class Pools:
    """Faker-made values to pick from: Faker once per seed, not once per member."""

    first_names: tuple[str, ...]
    last_names: tuple[str, ...]
    streets: tuple[str, ...]
    cities: tuple[str, ...]
    postcodes: tuple[str, ...]
    countries: tuple[str, ...]
    domains: tuple[str, ...]

    @classmethod
    def from_seed(cls, seed: int) -> Pools:
        """Pools drawn by a Faker seeded with ``seed``."""
        faker = Faker()
        faker.seed_instance(seed)

        def pool(make: Callable[[], str]) -> tuple[str, ...]:
            return tuple(dict.fromkeys(make() for _ in range(_POOL_SIZE)))

        return cls(
            first_names=pool(faker.first_name),
            last_names=pool(faker.last_name),
            streets=pool(faker.street_address),
            cities=pool(faker.city),
            postcodes=pool(faker.postcode),
            countries=pool(faker.country_code),
            domains=pool(faker.free_email_domain),
        )


def create_program_with_cards(session: Session, cards: int, **fields: Any) -> Campaign:
    """Create a loyalty program with ``cards`` cards, however many.

    One request creates at most 100,000 cards, as Voucherify's does: the program is
    created with the first batch and the rest are added batch by batch. ``fields`` are
    ``Campaigns.create``'s other arguments.
    """
    campaigns = session.campaigns
    program = campaigns.create(vouchers_count=min(cards, MAX_VOUCHERS_PER_REQUEST), **fields)
    for made in range(MAX_VOUCHERS_PER_REQUEST, cards, MAX_VOUCHERS_PER_REQUEST):
        campaigns.add_vouchers(program.id, count=min(cards - made, MAX_VOUCHERS_PER_REQUEST))
    return program


def seed_demo(  # noqa: PLR0913 - the seeding options
    fake: LoyaltyFake,
    *,
    seed: int = 42,
    programs: int = 1,
    members: int = 5,
    app_id: str | None = None,
    progress: Callable[[int, int], None] | None = None,
    earning: bool = False,
) -> dict[str, Any]:
    """Build ``programs`` programs of ``members`` members each, with points histories.

    Members get names, emails, phones, addresses and metadata; histories of additions,
    removals, reward redemptions and expiries are spread over the past nine months on the
    fake's clock (the program's points expire six months on, at the month's end, so some
    have expired and some expire soon); about one card in ten stays unassigned. Each
    program offers the project's two demo rewards. ``progress(done, total)`` is called as
    members are added. ``app_id`` defaults to the fake's. ``earning``: each program also
    has two ``order.paid`` earning rules, and members' purchases are paid orders that the
    rules reward (instead of points added by hand). Returns a summary.
    """
    return seed_program(
        fake.ledger,
        app_id or fake.app_id,
        seed=seed,
        programs=programs,
        members=members,
        progress=progress,
        earning=earning,
    )


def seed_program(  # noqa: PLR0913 - the seeding options
    ledger: Ledger,
    app_id: str,
    *,
    seed: int = 42,
    programs: int = 1,
    members: int = 5,
    progress: Callable[[int, int], None] | None = None,
    earning: bool = False,
) -> dict[str, Any]:
    """Seed the project of ``app_id`` in ``ledger``: ``seed_demo``'s data, on the ledger itself.

    For whatever holds a ledger without a ``LoyaltyFake`` (the server's control plane).
    Refused (``VoucherifyError``) when a program name is taken. Returns a summary.
    """
    pools = Pools.from_seed(seed)
    pick = random.Random(seed)  # noqa: S311 - test data
    clock = ledger.clock
    held_at = clock.frozen_at
    now = clock.now()
    total = programs * members
    done = 0
    transactions = 0
    rules = 0
    spare = max(2, members * _SPARE_CARDS_PER_TEN // 10) if members else 2
    # Millions of long-lived objects: the cyclic collector's passes over them would
    # cost more than the seeding itself, and nothing seeded forms a cycle to collect.
    start = now - dt.timedelta(days=_HISTORY_DAYS + 1)
    try:
        clock.set(start)
        # One session for the whole load, not undone piece by piece should it fail (a
        # request that seeds is its own unit of work): seeding a million members notes
        # nothing. The clock is frozen throughout, so the session's pin plays no part.
        with no_gc(), ledger.session(app_id, undoable=False) as session:
            rewards = _demo_rewards(session, seed)
            for index in range(programs):
                clock.set(start)
                cards = members + spare
                program = create_program_with_cards(
                    session,
                    cards,
                    name=_program_name(index),
                    type="AUTO_UPDATE",
                    code_config=_CODES,
                    metadata={"demo": True},
                    expiration_rules=_RULES,
                )
                session.rewards.assign(
                    program.id,
                    [(reward.id, price, None) for reward, price in rewards],
                )
                if earning:
                    rules += len(session.earning_rules.create(program.id, list(_EARNING_RULES)))
                draw = _Draw(pick.random)
                with session.campaigns.bulk_load(program.id) as campaign:
                    writer: SeedWriter = (
                        BulkWriter(session, campaign)
                        if bulk_ready(session)
                        else RequestWriter(session, program.id)
                    )
                    left = members
                    while left:
                        # Up to the next report: every thousandth member of all programs.
                        count = min(left, _BATCH - done % _BATCH)
                        transactions += _members_with_histories(
                            writer,
                            count,
                            pools=pools,
                            now=now,
                            draw=draw,
                            coffee=rewards[0][0].id,
                            earning=earning,
                        )
                        left -= count
                        done += count
                        if progress is not None and (done % _BATCH == 0 or done == total):
                            progress(done, total)
                    # Points due by the end of the histories expire while the program is
                    # still loading: expiring them after it re-sorts each card in the
                    # member indexes (about 5 s at a million members). The writer expires
                    # them as it did during the histories; the schedule then has nothing
                    # left to expire (1 s a million through its own path).
                    clock.set(now)
                    writer.settle(now)
                    session.settle()
    finally:
        if held_at is None:
            clock.unfreeze()
        else:
            clock.set(held_at)
    with ledger.session(app_id, undoable=False):
        pass  # opening a session expires any points that fell due while seeding ran
    summary: dict[str, Any] = {
        "seed": seed,
        "programs": [_program_name(i) for i in range(programs)],
        "members": done,
        "transactions": transactions,
    }
    if earning:
        with ledger.session(app_id, undoable=False) as session:
            summary["earning_rules"] = rules
            summary["orders"] = len(session.project.orders)
    return summary


@attrs.frozen
class _Draw:
    """Seeded picks: ``random()`` and ``int()`` instead of ``choice()`` and ``randrange()``.

    A third of the seeding's time went to the random module's pure-Python helpers.
    """

    random: Callable[[], float]
    # The emails (members' source_ids) drawn for this program so far: one drawn again is
    # redrawn, or its member would get the card its customer already holds and the program
    # would have fewer members than asked (99,999 for 100,000). Redrawing only on such a
    # collision leaves every seeding where none arose byte-identical to before.
    taken: set[str] = attrs.field(factory=set)

    def one(self, values: tuple[str, ...]) -> str:
        """One of ``values``."""
        return values[int(self.random() * len(values))]

    def below(self, stop: int, start: int = 0) -> int:
        """An integer from ``start`` up to, not including, ``stop``."""
        return start + int(self.random() * (stop - start))


def _members_with_histories(  # noqa: PLR0913
    writer: SeedWriter,
    count: int,
    *,
    pools: Pools,
    draw: _Draw,
    now: dt.datetime,
    coffee: str,
    earning: bool = False,
) -> int:
    """``count`` members, one after another, each with their history; the movements made.

    Each pick is ``draw.one`` and ``draw.below`` written out (``values[int(rnd() *
    len(values))]``, ``start + int(rnd() * (stop - start))``), the same draws in the
    same order: twenty calls a member to them were a sixth of seeding's time. What every
    member reads (the pools, the writer's methods) is looked up once per batch.
    """
    rnd, taken = draw.random, draw.taken
    first_names, last_names, domains = pools.first_names, pools.last_names, pools.domains
    streets, cities, postcodes, countries = (
        pools.streets,
        pools.cities,
        pools.postcodes,
        pools.countries,
    )
    # The pools' sizes, once per batch: nine len() calls a member were about 1% of seeding.
    n_first, n_last, n_domains = len(first_names), len(last_names), len(domains)
    n_streets, n_cities, n_postcodes, n_countries = (
        len(streets),
        len(cities),
        len(postcodes),
        len(countries),
    )
    n_favourites = len(_FAVOURITES)
    settle, join, add, remove = writer.settle, writer.join, writer.add, writer.remove
    days_back = tuple(now - _MINUTE * (day * _DAY_MINUTES) for day in range(_HISTORY_DAYS))
    movements = 0
    for _ in range(count):
        first = first_names[int(rnd() * n_first)]
        last = last_names[int(rnd() * n_last)]
        while True:  # drawn again while another member has it
            email = f"{first}.{last}{int(rnd() * 10_000)}@{domains[int(rnd() * n_domains)]}"
            email = email.lower()
            if email not in taken:
                break
        taken.add(email)
        phone = f"+1-{200 + int(rnd() * 799)}-{100 + int(rnd() * 899)}-{int(rnd() * 10_000)}"
        profile: SeedProfile = (
            f"{first} {last}",
            email,
            phone,
            (  # SEED_ADDRESS: line_1, city, postal_code, country
                streets[int(rnd() * n_streets)],
                cities[int(rnd() * n_cities)],
                postcodes[int(rnd() * n_postcodes)],
                countries[int(rnd() * n_countries)],
            ),
            _FAVOURITES[int(rnd() * n_favourites)],
        )
        # Days back, oldest first: one to four distinct days of the past nine months.
        days = sorted(
            {1 + int(rnd() * (_HISTORY_DAYS - 1)) for _ in range(1 + int(rnd() * 4))},
            reverse=True,
        )
        joined = days_back[days[0]] - _MINUTES_BACK[int(rnd() * _DAY_MINUTES)]
        settle(joined)
        card = join(email, profile, joined)
        for day in days:
            at = days_back[day] - _MINUTES_BACK[int(rnd() * _DAY_MINUTES)]
            settle(at)  # points due by now expire before the balance is read
            balance = card.balance
            if balance > 0 and rnd() < 0.3:  # noqa: PLR2004 - one movement in three spends
                if balance >= _REWARDS[0][2] and rnd() < _REDEEMING:
                    writer.request(at).redemptions.redeem(card.code, reward_id=coffee)
                else:
                    remove(card, 1 + int(rnd() * balance), at, "Gift to a friend")
            elif rnd() < 0.1:  # noqa: PLR2004 - now and then a gift that never expires
                add(card, 10 + int(rnd() * 191), at, "Apology from the barista", expiring=False)
            elif earning:
                _paid_order(writer.request(at), draw, email, f"{card.code}-{day}")
            else:
                add(card, 20 + int(rnd() * 581), at, "Purchases")
        movements += len(days)
    return movements


def _paid_order(session: Session, draw: _Draw, source_id: str, order_id: str) -> None:
    """A paid order of one to three items off the menu; the earning rules reward it now."""
    items = []
    for _ in range(draw.below(4, 1)):
        name, price = _MENU[draw.below(len(_MENU))]
        quantity = draw.below(3, 1)
        items.append(
            OrderItem(
                source_id=name,
                related_object="product",
                quantity=quantity,
                price=price,
                amount=price * quantity,
                product={"name": name, "price": price},
            )
        )
    session.orders.upsert(
        OrderInput(
            source_id=order_id,
            status="PAID",
            amount=sum(item.amount or 0 for item in items),
            items=tuple(items),
            customer=CustomerRef(source_id=source_id),
        )
    )
    session.react()  # points dated when the order is paid, not when seeding ends
