"""The in-memory ledger: Voucherify's loyalty rules over plain Python values.

Nothing here knows about HTTP. Every public method validates first and mutates
last, under one lock, so a rejected call changes nothing and concurrent calls
never lose or double a write. Inside a unit of work (``unit_of_work()``, one per
request) every change is noted as it is made, so that a failure part-way, a bug
included, leaves nothing of the unit behind.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import pickle
import threading
from array import array
from bisect import bisect_right
from contextlib import contextmanager
from heapq import heapify, heappop, heappush
from itertools import islice
from operator import attrgetter
from typing import TYPE_CHECKING, Any

import attrs

from loyalty_fake.clock import Clock
from loyalty_fake.codes import CodeConfig
from loyalty_fake.errors import VoucherifyError, bad_request, duplicate_found, not_found
from loyalty_fake.expiry import ExpirationRules, expires_at
from loyalty_fake.filters import STRING_CONDITIONS, Filter, FilterField, Kind
from loyalty_fake.ids import IdGenerator, Position, derived_id
from loyalty_fake.index import in_order, matches_dates
from loyalty_fake.models import (
    CUSTOMER_STRINGS,
    Campaign,
    CampaignType,
    Category,
    Customer,
    CustomerRef,
    LoyaltyCard,
    MemberQuery,
    PointsBucket,
    Publication,
    TextTable,
    Transaction,
    TransactionType,
    is_flat,
    own_copy,
)
from loyalty_fake.pickling import layout_fingerprint, no_gc, positional_pickle, unsendable
from loyalty_fake.rewards import (
    PARAMETERS_KEY,
    FailedRedemption,
    Order,
    OrderRequest,
    Redemption,
    Reward,
    RewardAssignment,
    RewardType,
    Rollback,
)
from loyalty_fake.undo import UndoLog

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Mapping
    from types import TracebackType

__all__ = [
    "MAX_POINTS",
    "PUBLICATION_FILTERS",
    "TRANSACTION_FILTERS",
    "Ledger",
    "Project",
    "UnitOfWork",
    "publication_record",
    "transaction_record",
]

_SHARED_LIMIT = 4096

_CUSTOMER_PROFILE_FIELDS = frozenset((*CUSTOMER_STRINGS, "address", "metadata"))
# Voucherify caps one program-creation batch; the fake keeps the same guard so that a
# typo such as vouchers_count=10**9 answers at once instead of eating the machine.
MAX_VOUCHERS_PER_REQUEST = 100_000
# Program settings kept as given and echoed back; PUT may change them.
_SETTINGS = (
    "validity_timeframe",
    "validity_day_of_week",
    "validity_hours",
    "activity_duration_after_publishing",
)
# The most points a card may ever have earned (its ``points``; its balance and every
# other counter are at most that): Number.MAX_SAFE_INTEGER. Voucherify's backend is
# JavaScript, where larger integers are not exact, and a card's packed transaction rows
# hold 64-bit integers at most.
MAX_POINTS = 2**53 - 1
# /2: written by a release that refuses lone surrogates and NaN in requests. /1 (the
# releases before) may hold them, and is read once it is checked not to.
_SNAPSHOT_FORMAT = b"loyalty-fake-snapshot/2"
_EARLIER_FORMAT = b"loyalty-fake-snapshot/1"
# A redemption or rollback refused with this status is recorded (rf_, rrf_); a 404 names
# the missing resource instead, and records nothing.
_REFUSED = 400


def _snapshot_header(form: bytes = _SNAPSHOT_FORMAT) -> bytes:
    return form + b" " + layout_fingerprint().encode("ascii") + b"\n"


@positional_pickle
@attrs.define
class Project:
    """Everything one Voucherify project (one ``X-App-Id``) holds."""

    app_id: str
    campaigns: dict[str, Campaign] = attrs.field(factory=dict)
    campaign_ids_by_name: dict[str, str] = attrs.field(factory=dict)
    cards: dict[str, LoyaltyCard] = attrs.field(factory=dict)
    # v_ ID -> code, built on the first lookup by v_ ID (rare, and 130 bytes a card).
    card_codes_by_id: dict[str, str] | None = None
    customers: dict[str, Customer] = attrs.field(factory=dict)
    categories_by_name: dict[str, Category] = attrs.field(factory=dict)
    publications: list[Publication] = attrs.field(factory=list)
    publications_by_source_id: dict[str, Publication] = attrs.field(factory=dict)
    # Buckets that expire, by the instant they do (creation order within one), and a
    # heap of those instants: one entry per expiry date, not per bucket.
    expiring: dict[dt.datetime, list[PointsBucket]] = attrs.field(factory=dict)
    expiry_instants: list[dt.datetime] = attrs.field(factory=list)
    next_seq: int = 0
    # What a customer's ID is derived from besides its source_id (see customer_id_for).
    salt: str = ""
    # The distinct texts of every card's transactions (see TransactionLog).
    texts: TextTable = attrs.field(factory=TextTable)
    # Flat metadata many customers share ({"tier": "gold"}), stored once (see shared()).
    shared_values: dict[tuple[tuple[str, str, Any], ...], dict[str, Any]] = attrs.field(
        factory=dict
    )

    rewards: dict[str, Reward] = attrs.field(factory=dict)
    reward_assignments: dict[str, RewardAssignment] = attrs.field(factory=dict)
    redemptions: dict[str, Redemption] = attrs.field(factory=dict)
    redemption_ids_by_rollback: dict[str, str] = attrs.field(factory=dict)
    # Refused redemptions and rollbacks (rf_, rrf_) by ID, and each card's, oldest first:
    # only cards that have had one are keys (a card keeps no field for them).
    failed_redemptions: dict[str, FailedRedemption] = attrs.field(factory=dict)
    failures_by_card: dict[str, list[FailedRedemption]] = attrs.field(factory=dict)

    def customer_id_for(self, source_id: str) -> str:
        """The ID of the customer whose ``source_id`` this is: ``cust_`` and 24 alphanumerics.

        Derived, not drawn: finding a customer by source_id is then one lookup by ID,
        with no map from source_id to ID (50 to 70 bytes a customer at a million).
        """
        return derived_id("cust_", f"{self.salt}/{source_id}", 24)

    def customer_by_source_id(self, source_id: str) -> Customer | None:
        """The customer whose ``source_id`` this is, if there is one."""
        return self.find_source_id(source_id)[0]

    def find_source_id(self, source_id: str) -> tuple[Customer | None, str]:
        """The customer whose ``source_id`` this is, if any, and the ID such a customer has."""
        customer_id = self.customer_id_for(source_id)
        found = self.customers.get(customer_id)
        return (found if found is not None and found.source_id == source_id else None), customer_id

    def code_of_card_id(self, card_id: str) -> str | None:
        """The code of the card whose ``v_`` ID is ``card_id``, if there is one."""
        if self.card_codes_by_id is None:
            self.card_codes_by_id = {card.id: code for code, card in self.cards.items()}
        return self.card_codes_by_id.get(card_id)

    def shared(self, value: Mapping[str, Any]) -> dict[str, Any]:
        """A private copy of ``value``, one object for all equal flat values.

        Records only ever replace their metadata, never change it in place, so equal
        values can share one dict: at a million members that is 184 bytes each. Values
        with nested objects, and any beyond the first ``_SHARED_LIMIT`` distinct ones,
        get a copy of their own.
        """
        if not is_flat(value):
            return own_copy(value)
        key = tuple((k, type(v).__name__, v) for k, v in value.items())
        try:
            found = self.shared_values.get(key)
        except TypeError:  # an unhashable value, from the Python API
            return own_copy(value)
        if found is None:
            found = dict(value)
            if len(self.shared_values) < _SHARED_LIMIT:
                self.shared_values[key] = found
        return found

    def take_seq(self) -> int:
        """A project-wide sequence number that orders records created in the same millisecond."""
        self.next_seq += 1
        return self.next_seq


@attrs.define
class _CustomerPlan:
    """A customer resolved for a request: an existing one, or one to create on commit."""

    existing: Customer | None
    source_id: str | None
    profile: dict[str, Any]
    # The ID a new customer gets, when finding the source_id already derived it.
    new_id: str | None = None


class UnitOfWork:
    """``with ledger.unit_of_work():`` holds the ledger; on any exception, undoes the block.

    The outermost block is the unit: it takes the ledger's lock, has the ledger note
    every change in ``undo`` as it makes it, and, when the block raises, puts all of
    them back (the ID stream and the clock included) before the exception goes on.
    Blocks inside it join it. Outside a unit ``undo`` is ``None`` and nothing is noted.
    """

    __slots__ = ("_clock", "_depth", "_frozen_at", "_ids", "_lock", "_notes", "_position", "undo")

    def __init__(self, lock: threading.RLock, clock: Clock, ids: IdGenerator) -> None:
        """Units over the state that ``lock`` guards, ``clock`` dates and ``ids`` names."""
        self._lock = lock
        self._clock = clock
        self._ids = ids
        # One log for every unit, emptied when each ends; the clock and the ID stream
        # as the unit found them.
        self._notes = UndoLog()
        self._depth = 0
        self._frozen_at: dt.datetime | None = None
        self._position: Position = ids.position()
        self.undo: UndoLog | None = None

    def __enter__(self) -> None:
        self._lock.acquire()
        self._depth += 1
        if self._depth > 1:
            return
        try:
            self.undo = self._notes
            self._frozen_at = self._clock.frozen_at
            self._position = self._ids.position()
        except BaseException:
            self._end()
            raise

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._depth > 1:
            self._depth -= 1
            self._lock.release()
        elif exc_type is None or getattr(exc, "recorded", False):
            # A refusal Voucherify records (a failed redemption) keeps its record: every
            # check ran before it, so the record is all the unit changed.
            self.undo = None
            self._notes.clear()
            self._depth = 0
            self._lock.release()
        else:
            try:
                try:
                    self._notes.rollback()
                finally:
                    _put_clock_back(self._clock, self._frozen_at)
                    if self._ids.position() != self._position:
                        self._ids.rewind(self._position)
            finally:
                self._end()

    def _end(self) -> None:
        """Close the outermost unit, whatever happened: no note outlives it."""
        try:
            self.undo = None
            self._notes.clear()
        finally:
            self._depth -= 1
            self._lock.release()


def _put_clock_back(clock: Clock, frozen_at: dt.datetime | None) -> None:
    if frozen_at is None:
        clock.unfreeze()
    elif clock.frozen_at != frozen_at:
        clock.freeze(frozen_at)


@attrs.define
class Ledger:
    """All projects' state plus the clock and ID source that stamp it.

    ``strict_joins``: a customer joining a program twice gets 400
    ``voucher_cannot_be_published`` instead of their existing card.
    """

    clock: Clock = attrs.field(factory=Clock)
    ids: IdGenerator = attrs.field(factory=IdGenerator)
    strict_joins: bool = False
    _projects: dict[str, Project] = attrs.field(factory=dict, init=False, repr=False)
    _lock: threading.RLock = attrs.field(factory=threading.RLock, init=False, repr=False)
    _unit: UnitOfWork = attrs.field(init=False, repr=False)

    @_unit.default
    def _make_unit(self) -> UnitOfWork:
        return UnitOfWork(self._lock, self.clock, self.ids)

    def unit_of_work(self) -> UnitOfWork:
        """A unit of work over the ledger (see ``UnitOfWork``): one per request."""
        return self._unit

    # -- projects -------------------------------------------------------------------------

    def project(self, app_id: str) -> Project:
        """The project of ``app_id``, created empty on first use, its due points expired."""
        with self._lock:
            found = self._projects.get(app_id)
            if found is None:
                # The salt comes from the seed and app ID, not from a draw: creating a
                # project in a request that is then rejected must not move the IDs.
                salt = derived_id("", f"{self.ids.seed}/{app_id}", 16)
                if self._unit.undo is not None:
                    self._unit.undo.mark(self._projects)
                found = self._projects[app_id] = Project(app_id=app_id, salt=salt)
            elif found.expiry_instants and found.expiry_instants[0] <= self.clock.now():
                self._expire_due(found)
            return found

    def _replacing_everything(self) -> None:
        """Note the whole state, in a unit about to replace it (reset, restore, seeding)."""
        if self._unit.undo is not None:
            self._unit.undo.seal(
                functools.partial(
                    self._put_back,
                    self._projects,
                    self.ids.seed,
                    self.ids.state(),
                    self.strict_joins,
                )
            )

    def _put_back(
        self,
        projects: dict[str, Project],
        seed: int,
        streams: tuple[object, object],
        strict_joins: bool,
    ) -> None:
        self._projects = projects
        self.ids.reseed(seed)
        self.ids.restore(streams)
        self.strict_joins = strict_joins

    def reset(self) -> None:
        """Forget every project."""
        with self._lock:
            self._replacing_everything()
            self._projects = {}

    def projects(self) -> dict[str, Project]:
        """Every project by app ID (a copy of the mapping; the projects are live)."""
        with self._lock:
            return dict(self._projects)

    def snapshot(self) -> bytes:
        """The whole state (projects, ID streams, clock) as bytes ``restore`` takes back."""
        with self._lock, no_gc():
            state = (
                self._projects,
                self.ids.seed,
                self.ids.state(),
                self.clock.frozen_at,
                self.strict_joins,
            )
            return _snapshot_header() + pickle.dumps(state, protocol=pickle.HIGHEST_PROTOCOL)

    def restore(self, snapshot: bytes) -> bool:
        """Replace the whole state with one ``snapshot()`` wrote (this process's own files).

        Returns whether the snapshot is in this version's format (else it is an earlier
        one, worth writing again). Raises ``ValueError`` for a snapshot written by code
        with other record layouts, or by an earlier release that stored text with a lone
        surrogate or a NaN, which no reply could show.
        """
        header = _snapshot_header()
        current = snapshot.startswith(header)
        if not current:
            earlier = _snapshot_header(_EARLIER_FORMAT)
            if not snapshot.startswith(earlier):
                found = snapshot[: len(header)].decode("ascii", "replace").strip()
                msg = (
                    f"snapshot {found!r} was written by another version (this one reads {header!r})"
                )
                raise ValueError(msg)
            header = earlier
            problem = unsendable(snapshot[len(header) :])
            if problem is not None:
                msg = (
                    f"snapshot holds {problem}: an earlier version stored it from a request, "
                    "and no reply can show it (every list and state dump would fail). This "
                    "version refuses such requests; start from a new state directory"
                )
                raise ValueError(msg)
        with no_gc():
            projects, seed, streams, frozen_at, strict_joins = pickle.loads(snapshot[len(header) :])  # noqa: S301
        with self._lock:
            self._replacing_everything()
            self._projects = projects
            self.ids.reseed(seed)
            self.ids.restore(streams)
            if frozen_at is None:
                self.clock.unfreeze()
            else:
                self.clock.freeze(frozen_at)
            self.strict_joins = strict_joins
        return current

    def locked(self) -> threading.RLock:
        """The ledger's lock, for callers that read several records consistently."""
        return self._lock

    def _note_card(self, card: LoyaltyCard) -> None:
        if self._unit.undo is not None:
            _note_card(self._unit.undo, card)

    def _note_members(self, project: Project, campaign: Campaign) -> None:
        if self._unit.undo is not None:
            _note_members(self._unit.undo, project, campaign)

    # -- campaigns ------------------------------------------------------------------------

    def create_loyalty_program(  # noqa: PLR0913 - mirrors the request body's fields
        self,
        app_id: str,
        *,
        name: str,
        type: CampaignType = "AUTO_UPDATE",  # noqa: A002 - Voucherify's field name
        vouchers_count: int = 0,
        initial_points: int = 0,
        code_config: CodeConfig | None = None,
        metadata: Mapping[str, Any] | None = None,
        description: str | None = None,
        category: str | None = None,
        category_id: str | None = None,
        start_date: dt.datetime | None = None,
        expiration_date: dt.datetime | None = None,
        auto_join: bool = False,
        join_once: bool = True,
        redemption_quantity: int | None = None,
        settings: Mapping[str, Any] | None = None,
        expiration_rules: ExpirationRules | None = None,
    ) -> Campaign:
        """Create a loyalty program and generate its ``vouchers_count`` cards.

        Raises 409 ``duplicate_found`` for a taken name, 404 for an unknown
        ``category_id``, and 400 when the code space cannot hold the cards.
        """
        config = code_config or CodeConfig()
        with self._lock:
            project = self.project(app_id)
            if name in project.campaign_ids_by_name:
                raise duplicate_found(
                    "campaign", name, f"Duplicated campaign exists with name {name}"
                )
            if vouchers_count > MAX_VOUCHERS_PER_REQUEST:
                raise bad_request(
                    "invalid_payload",
                    "Invalid payload",
                    f"Property .vouchers_count must be <= {MAX_VOUCHERS_PER_REQUEST}",
                )
            if not 0 <= initial_points <= MAX_POINTS:
                raise bad_request(
                    "invalid_payload",
                    "Invalid payload",
                    "Property .voucher.loyalty_card.points must be "
                    + (f"<= {MAX_POINTS}" if initial_points > 0 else ">= 0"),
                )
            config.check_room(vouchers_count, project.cards)
            resolved_category = self._category_for(project, category, category_id)
            now = self.clock.now()
            undo = self._unit.undo
            if undo is not None:
                _note_project(undo, project)
            if (
                resolved_category is not None
                and resolved_category.name not in project.categories_by_name
            ):
                project.categories_by_name[resolved_category.name] = resolved_category
            campaign = Campaign(
                id=self.ids.campaign_id(),
                name=name,
                type=type,
                created_at=now,
                code_config=config,
                initial_points=initial_points,
                seq=project.take_seq(),
                description=description,
                category=resolved_category,
                metadata=dict(metadata or {}),
                start_date=start_date,
                expiration_date=expiration_date,
                auto_join=auto_join,
                join_once=join_once,
                redemption_quantity=redemption_quantity,
                settings=dict(settings or {}),
                expiration_rules=expiration_rules,
            )
            project.campaigns[campaign.id] = campaign
            project.campaign_ids_by_name[name] = campaign.id
            for _ in range(vouchers_count):
                self._new_card(project, campaign, now)
            return campaign

    @contextmanager
    def bulk_load(self, app_id: str, campaign_ref: str) -> Iterator[Campaign]:
        """Hold the ledger for a bulk load of one program's members (seeding).

        Inside, the program's member indexes are not kept up to date card by card;
        they are rebuilt in one sort on the way out. The ledger's lock is held
        throughout, so no other thread sees the program half-indexed, and the cyclic
        garbage collector pauses: its full passes over a growing heap made seeding a
        million members cost more per member than seeding a thousand.
        """
        with self._lock, no_gc():
            project = self.project(app_id)
            campaign = _campaign(project, campaign_ref)
            self._note_members(project, campaign)
            campaign.members.defer()
            try:
                yield campaign
            finally:
                members = [
                    card
                    for card in project.cards.values()
                    if card.campaign_id == campaign.id and card.holder_id is not None
                ]
                campaign.members.rebuild(members)

    def _category_for(
        self, project: Project, name: str | None, category_id: str | None
    ) -> Category | None:
        if category_id is not None:
            for known in project.categories_by_name.values():
                if known.id == category_id:
                    return known
            raise not_found("category", category_id)
        if name is None:
            return None
        known_by_name = project.categories_by_name.get(name)
        if known_by_name is not None:
            return known_by_name
        return Category(id=self.ids.category_id(), name=name, created_at=self.clock.now())

    def get_campaign(self, app_id: str, campaign_ref: str) -> Campaign:
        """The campaign named by ID or by name; 404 ``not_found`` (campaign) otherwise."""
        with self._lock:
            return _campaign(self.project(app_id), campaign_ref)

    def list_programs(
        self, app_id: str, *, limit: int, page: int, order: str
    ) -> tuple[list[Campaign], int]:
        """One page of the project's programs (none in the bin) and how many there are."""
        with self._lock:
            live = [c for c in self.project(app_id).campaigns.values() if not c.in_bin]
            field = order.lstrip("-")
            live.sort(
                key=lambda c: (
                    (c.updated_at or c.created_at) if field == "updated_at" else c.created_at,
                    c.seq,
                ),
                reverse=order.startswith("-"),
            )
            start = (page - 1) * limit
            return live[start : start + limit], len(live)

    def update_loyalty_program(
        self, app_id: str, campaign_ref: str, changes: Mapping[str, Any]
    ) -> Campaign:
        """Apply the updatable fields in ``changes`` (already validated) to a program.

        Keys: description, start_date, expiration_date, auto_join, type, category,
        category_id, metadata (merged), unset_metadata_fields, and the validity settings.
        """
        with self._lock:
            project = self.project(app_id)
            campaign = _campaign(project, campaign_ref)
            category = None
            if "category" in changes or "category_id" in changes:
                category = self._category_for(
                    project, changes.get("category"), changes.get("category_id")
                )
            now = self.clock.now()
            undo = self._unit.undo
            if undo is not None:
                undo.touch(campaign)
                undo.keep(campaign.settings)
                undo.keep(campaign.metadata)
            self._keep_published_cards_as_they_are(project, campaign, changes, undo)
            for key in ("description", "start_date", "expiration_date", "auto_join", "type"):
                if key in changes:
                    setattr(campaign, key, changes[key])
            for key in _SETTINGS:
                if key in changes:
                    campaign.settings[key] = changes[key]
            if "metadata" in changes:
                campaign.metadata.update(changes["metadata"])
            for key in changes.get("unset_metadata_fields") or ():
                campaign.metadata.pop(key, None)
            if category is not None:
                self._recategorize(project, campaign, category, undo)
            campaign.updated_at = now
            return campaign

    @staticmethod
    def _keep_published_cards_as_they_are(
        project: Project, campaign: Campaign, changes: Mapping[str, Any], undo: UndoLog | None
    ) -> None:
        # "This method will update the loyalty cards which have not been published or
        # redeemed yet": cards already out keep the dates and validity they were given.
        current = {
            "start_date": campaign.start_date,
            "expiration_date": campaign.expiration_date,
            "validity_timeframe": campaign.settings.get("validity_timeframe"),
            "validity_day_of_week": campaign.settings.get("validity_day_of_week"),
        }
        moving = [key for key in current if key in changes]
        if not moving:
            return
        for card in project.cards.values():
            if card.campaign_id == campaign.id and card.holder_id is not None:
                if undo is not None:
                    _note_card(undo, card)
                    if card.overrides is not None:
                        undo.keep(card.overrides)
                own = card.overrides if card.overrides is not None else {}
                for key in moving:
                    own.setdefault(key, current[key])
                card.overrides = own

    @staticmethod
    def _recategorize(
        project: Project, campaign: Campaign, category: Category, undo: UndoLog | None
    ) -> None:
        # "This method will update the loyalty cards which have not been published".
        if undo is not None:
            _note_project(undo, project)
        project.categories_by_name.setdefault(category.name, category)
        campaign.category = category
        for card in project.cards.values():
            if card.campaign_id == campaign.id and card.holder_id is None:
                if undo is not None:
                    _note_card(undo, card)
                card.category = category

    def delete_loyalty_program(self, app_id: str, campaign_ref: str, *, force: bool) -> str:
        """Delete a program; returns the ``aa_`` ID of the (already finished) async action.

        Without ``force`` it goes to the bin: gone from every read, its name and codes
        still taken. With ``force`` it is removed for good with its cards and their
        publications, freeing the name and the codes.
        """
        with self._lock:
            project = self.project(app_id)
            campaign = _campaign(project, campaign_ref)
            action_id = self.ids.async_action_id()
            undo = self._unit.undo
            if force:
                if undo is not None:
                    _note_removal(undo, project)
                _remove_for_good(project, campaign)
            else:
                if undo is not None:
                    undo.touch(campaign)
                campaign.in_bin = True
            return action_id

    def add_vouchers(  # noqa: PLR0913 - mirrors the endpoint's options
        self,
        app_id: str,
        campaign_ref: str,
        *,
        count: int = 1,
        code: str | None = None,
        code_config: CodeConfig | None = None,
        metadata: Mapping[str, Any] | None = None,
        category: str | None = None,
        overrides: Mapping[str, Any] | None = None,
    ) -> list[LoyaltyCard]:
        """Add ``count`` new cards (or one with ``code``) to a program, inheriting its settings.

        Raises 409 ``duplicate_found`` for a code taken anywhere in the project and 400
        when the code space cannot hold the cards.
        """
        with self._lock:
            project = self.project(app_id)
            campaign = _campaign(project, campaign_ref)
            if count > MAX_VOUCHERS_PER_REQUEST:
                raise bad_request(
                    "invalid_query_params",
                    "Invalid query params",
                    f"Property .vouchers_count must be <= {MAX_VOUCHERS_PER_REQUEST}",
                )
            if code is not None and code in project.cards:
                raise duplicate_found("voucher", code, f"Duplicated voucher exists with id {code}")
            config = code_config or campaign.code_config
            if code is None:
                config.check_room(count, project.cards)
            resolved = self._category_for(project, category, None) if category else None
            now = self.clock.now()
            undo = self._unit.undo
            if undo is not None:
                undo.touch(campaign)
                _note_project(undo, project)
            if resolved is not None:
                project.categories_by_name.setdefault(resolved.name, resolved)
            cards = []
            for _ in range(count if code is None else 1):
                card = self._new_card(
                    project,
                    campaign,
                    now,
                    code=code
                    if code is not None
                    else config.generate(self.ids.chars, project.cards),
                )
                card.metadata = dict(metadata) if metadata else None
                if resolved is not None:
                    card.category = resolved
                card.overrides = dict(overrides) if overrides else None
                cards.append(card)
            campaign.updated_at = now
            return cards

    def publish(  # noqa: PLR0913 - mirrors the request body's fields
        self,
        app_id: str,
        *,
        customer: CustomerRef,
        voucher: str | None = None,
        campaign: str | None = None,
        count: int = 1,
        source_id: str | None = None,
        metadata: Mapping[str, Any] | None = None,
        channel: str | None = None,
    ) -> LoyaltyCard:
        """``POST /v1/publications`` for loyalty cards: the members rules, by code or program.

        ``voucher`` wins over ``campaign``. Loyalty programs always join once, so one
        publication publishes one card. Returns the card; its ``publication`` is the
        publication that gave it to the customer.
        """
        with self._lock:
            project = self.project(app_id)
            if voucher is None and campaign is None:
                raise bad_request(
                    "missing_vouchers", "Missing vouchers", "Either Campaign or Voucher is required"
                )
            if count > 1:
                raise bad_request(
                    "too_many_vouchers_requested",
                    "Too many vouchers requested",
                    "Only up to 1 can be published"
                    + (
                        ""
                        if source_id is not None
                        else ": loyalty programs publish one card per customer"
                    ),
                )
            if voucher is not None:
                program_id = self.get_member(app_id, voucher).campaign_id
            else:
                assert campaign is not None  # noqa: S101 - checked above
                program_id = self.get_campaign(app_id, campaign).id
            del project
            return self.add_member(
                app_id,
                program_id,
                customer=customer,
                voucher=voucher,
                source_id=source_id,
                metadata=metadata,
                channel=channel,
            )

    def list_publications(  # noqa: PLR0913 - the endpoint's filters
        self,
        app_id: str,
        *,
        limit: int,
        page: int,
        order: str,
        campaign: str | None = None,
        customer: str | None = None,
        voucher: str | None = None,
        source_id: str | None = None,
        result: str | None = None,
        voucher_type: str | None = None,
        referral_only: bool = False,
        filters: Filter | None = None,
    ) -> tuple[list[Publication], int]:
        """One page of publications matching the filters, and how many match.

        ``voucher_type`` is a ``type`` of card (``LOYALTY_CARD``); ``referral_only``
        keeps the publications of referral codes; ``filters`` (on
        ``PUBLICATION_FILTERS`` and ``metadata.<key>``) is applied after the rest.
        """
        with self._lock:
            project = self.project(app_id)
            now = self.clock.now()
            holder = self._find_customer(project, customer) if customer is not None else None
            matches = [
                p
                for p in project.publications
                if (campaign is None or campaign in (p.campaign_name, p.campaign_id))
                and (customer is None or (holder is not None and p.customer_id == holder.id))
                and (voucher is None or p.voucher_code == voucher)
                and (source_id is None or p.source_id == source_id)
                and (result is None or p.result == result)
                and (voucher_type is None or voucher_type == _CARD_TYPE)
                and not referral_only  # every card here is a loyalty card, none a referral code
                and not self._binned(project, p.campaign_id)
            ]
            if filters:
                matches = [p for p in matches if filters.matches(publication_record(p), now)]
            field = order.lstrip("-")
            key = _PUBLICATION_ORDER[field]
            matches.sort(key=lambda p: (key(project, p), p.seq), reverse=order.startswith("-"))
            start = (page - 1) * limit
            return matches[start : start + limit], len(matches)

    @staticmethod
    def _binned(project: Project, campaign_id: str) -> bool:
        found = project.campaigns.get(campaign_id)
        return found is None or found.in_bin

    def _new_card(
        self, project: Project, campaign: Campaign, now: dt.datetime, code: str | None = None
    ) -> LoyaltyCard:
        if code is None:
            code = campaign.code_config.generate(self.ids.chars, project.cards)
        undo = self._unit.undo
        if undo is not None:
            _note_project(undo, project)
            undo.mark(campaign.stock)
            undo.touch(campaign)
        card = LoyaltyCard(
            code=code,
            campaign_id=campaign.id,
            seq=project.take_seq(),
            created_at=now,
            updated_at=None,
            points=campaign.initial_points,
            category=campaign.category,
            transaction_texts=project.texts,
        )
        if undo is not None:
            undo.first(card)  # new: nothing of it to put back
        project.cards[code] = card
        if project.card_codes_by_id is not None:
            project.card_codes_by_id[card.id] = code
        campaign.stock.append(code)
        campaign.vouchers_count += 1
        if campaign.initial_points:
            self._add_bucket(
                project, card, campaign.initial_points, self._last_day(campaign, now), now
            )
            # Recorded, so that a card's transactions always sum to its balance.
            self._record(
                project,
                card,
                "POINTS_ADDITION",
                campaign.initial_points,
                now,
                reason="Initial points of the loyalty program",
                source=None,
                operation_type="AUTOMATIC",
            )
        return card

    # -- cards ----------------------------------------------------------------------------

    def get_card(self, app_id: str, code: str) -> LoyaltyCard:
        """The card with ``code``; 404 ``not_found`` (voucher) otherwise."""
        with self._lock:
            card = self.project(app_id).cards.get(code)
            if card is None:
                raise not_found("voucher", code)
            return card

    def cards(self, app_id: str, campaign_ref: str) -> list[LoyaltyCard]:
        """Every card of a campaign, published or not, in creation order."""
        with self._lock:
            campaign = self.get_campaign(app_id, campaign_ref)
            project = self.project(app_id)
            return [c for c in project.cards.values() if c.campaign_id == campaign.id]

    # -- customers ------------------------------------------------------------------------

    def get_customer(self, app_id: str, ref: str) -> Customer:
        """The customer with ID or ``source_id`` ``ref``; 404 ``not_found`` (customer) otherwise."""
        with self._lock:
            found = self._find_customer(self.project(app_id), ref)
            if found is None:
                raise not_found("customer", ref)
            return found

    def customers(self, app_id: str) -> list[Customer]:
        """Every customer of the project, oldest first."""
        with self._lock:
            return list(self.project(app_id).customers.values())

    @staticmethod
    def _find_customer(project: Project, ref: str) -> Customer | None:
        found = project.customers.get(ref)
        return found if found is not None else project.customer_by_source_id(ref)

    def _plan_customer(self, project: Project, ref: CustomerRef) -> _CustomerPlan:
        if ref.as_string is not None:
            found = self._find_customer(project, ref.as_string)
            if found is not None:
                return _CustomerPlan(found, found.source_id, {})
            if ref.as_string.startswith("cust_"):
                raise not_found("customer", ref.as_string)
            return _CustomerPlan(None, ref.as_string, {})
        if ref.id is not None:
            by_id = project.customers.get(ref.id)
            if by_id is None:
                raise not_found("customer", ref.id)
            return _CustomerPlan(by_id, by_id.source_id, dict(ref.profile))
        if ref.source_id is not None:
            by_source, derived = project.find_source_id(ref.source_id)
            return _CustomerPlan(by_source, ref.source_id, dict(ref.profile), derived)
        # A customer object with neither id nor source_id is rejected by the HTTP layer;
        # the Python API gets the same answer.
        raise bad_request(
            "invalid_payload",
            "Invalid payload",
            "Property .customer must have required property 'id' or 'source_id'",
        )

    def _commit_customer(self, project: Project, plan: _CustomerPlan, now: dt.datetime) -> Customer:
        customer = plan.existing
        undo = self._unit.undo
        if undo is not None:
            _note_project(undo, project)
            if customer is not None:
                undo.touch(customer)
        if customer is None:
            source_id = plan.source_id
            customer = Customer(
                id=self.ids.customer_id()
                if source_id is None
                else plan.new_id or project.customer_id_for(source_id),
                source_id=source_id,
                created_at=now,
            )
            if undo is not None:
                undo.first(customer)  # new: nothing of it to put back
            project.customers[customer.id] = customer
        if plan.profile:
            _apply_profile(project, customer, plan.profile)
            if plan.existing is not None:
                customer.updated_at = now
        return customer

    # -- members --------------------------------------------------------------------------

    def add_member(  # noqa: PLR0913 - mirrors the request body's fields
        self,
        app_id: str,
        campaign_ref: str,
        *,
        customer: CustomerRef,
        voucher: str | None = None,
        source_id: str | None = None,
        metadata: Mapping[str, Any] | None = None,
        channel: str | None = None,
    ) -> LoyaltyCard:
        """Publish a card of the campaign to a customer and return the card.

        Follows Voucherify's rules: the named ``voucher`` or else the next available
        card; one card per customer per program; one card per ``source_id``.
        Raises the Voucherify error of the first rule broken; then nothing changes.
        """
        with self._lock:
            project = self.project(app_id)
            campaign = _campaign(project, campaign_ref)
            plan = self._plan_customer(project, customer)
            if source_id is not None:
                repeated = self._card_of_source_id(project, campaign, plan, source_id)
                if repeated is not None:
                    return repeated
            named = self._named_card(project, campaign, voucher) if voucher is not None else None
            held = self._held_card(project, campaign, plan)
            if held is not None:
                if self.strict_joins:
                    raise bad_request(
                        "voucher_cannot_be_published",
                        "Voucher cannot be published",
                        "Voucher cannot be published. Customer already joined program.",
                    )
                return held
            chosen, new_code = self._card_to_publish(project, campaign, named)
            # Every check passed: from here on the request commits.
            now = self.clock.now()
            holder = self._commit_customer(project, plan, now)
            if chosen is None:
                chosen = self._new_card(project, campaign, now, code=new_code)
            self._publish(project, campaign, chosen, holder, now, source_id, metadata, channel)
            return chosen

    @staticmethod
    def _card_of_source_id(
        project: Project, campaign: Campaign, plan: _CustomerPlan, source_id: str
    ) -> LoyaltyCard | None:
        """The card a repeated ``source_id`` already published, or ``None`` for a new one."""
        earlier = project.publications_by_source_id.get(source_id)
        if earlier is None:
            return None
        if (
            plan.existing is not None
            and earlier.customer_id == plan.existing.id
            and earlier.campaign_id == campaign.id
        ):
            return project.cards[earlier.voucher_code]
        raise bad_request(
            "duplicate_source_id",
            "Duplicate source_id",
            f"Publication with source_id: '{source_id}' already exists",
        )

    def _card_to_publish(
        self, project: Project, campaign: Campaign, named: LoyaltyCard | None
    ) -> tuple[LoyaltyCard | None, str | None]:
        """The card to publish, or ``(None, code)`` for a new card an AUTO_UPDATE program grows."""
        if named is not None:
            if named.holder_id is not None:
                raise bad_request(
                    "voucher_already_published",
                    "Voucher already published",
                    f"Voucher '{named.id}' has already been published",
                )
            return named, None
        available = self._next_available(project, campaign)
        if available is not None:
            return available, None
        if campaign.type == "STATIC":
            raise bad_request(
                "no_voucher_suitable_for_publication",
                "Couldn't find any voucher suitable for publication",
                "Couldn't create new vouchers for publication",
            )
        # The new card's code is found before anything commits, so an exhausted code
        # space leaves no trace.
        return None, campaign.code_config.generate(self.ids.chars, project.cards)

    @staticmethod
    def _named_card(project: Project, campaign: Campaign, code: str) -> LoyaltyCard:
        card = project.cards.get(code)
        if card is None or card.campaign_id != campaign.id:
            raise not_found("voucher", code)
        return card

    @staticmethod
    def _held_card(project: Project, campaign: Campaign, plan: _CustomerPlan) -> LoyaltyCard | None:
        if plan.existing is None:
            return None
        return _card_held_in(project, campaign, plan.existing)

    def _next_available(self, project: Project, campaign: Campaign) -> LoyaltyCard | None:
        # "A voucher is suitable for publication when it's active and hasn't been
        # published yet"; the oldest such card goes first. Published and deleted cards
        # at the front of the stock are passed once and for all: iterating a dict of
        # unpublished codes walked every removed slot, each join costing more than the last.
        stock = campaign.stock
        head = campaign.stock_head
        found = None
        for position in range(head, len(stock)):
            card = project.cards.get(stock[position])
            if card is None or card.campaign_id != campaign.id or card.holder_id is not None:
                if position == head:
                    head += 1  # never available again
                continue
            if card.active:
                found = card
                break
        trim = head > len(stock) // 2
        undo = self._unit.undo
        if undo is not None and (trim or head != campaign.stock_head):
            undo.touch(campaign)
            if trim:
                undo.keep(stock)
        if trim:
            del stock[:head]
            head = 0
        campaign.stock_head = head
        return found

    def _publish(  # noqa: PLR0913, PLR0917 - private, one call site
        self,
        project: Project,
        campaign: Campaign,
        card: LoyaltyCard,
        holder: Customer,
        now: dt.datetime,
        source_id: str | None,
        metadata: Mapping[str, Any] | None,
        channel: str | None,
    ) -> None:
        undo = self._unit.undo
        if undo is not None:
            self._note_card(card)
            undo.touch(holder)
            _note_project(undo, project)
            self._note_members(project, campaign)
        card.holder_id = holder.id
        card.publish_count += 1
        card.updated_at = now
        campaign.members.add(card)
        holder.hold(card.code)
        seq = project.take_seq()
        publication = Publication(
            seq=seq,
            created_at=now,
            customer_id=holder.id,
            campaign_id=campaign.id,
            campaign_name=campaign.name,
            voucher_code=card.code,
            source_id=source_id,
            channel=channel if channel is not None else "API",
            metadata=dict(metadata) if metadata else None,
        )
        project.publications.append(publication)
        card.publication = publication
        if source_id is not None:
            project.publications_by_source_id[source_id] = publication

    def list_members(
        self, app_id: str, campaign_ref: str, query: MemberQuery
    ) -> tuple[list[LoyaltyCard], int]:
        """One page of a campaign's members (its published cards) and the count of all matches."""
        with self._lock:
            project = self.project(app_id)
            campaign = _campaign(project, campaign_ref)
            if query.customer is None and query.code is None and query.ids is None:
                return campaign.members.select(query, project.cards.__getitem__)
            # A customer, a code or IDs name few members of the program: look them up.
            if query.ids is None:
                candidate = self._single_member(project, campaign, query)
                named = [candidate] if candidate is not None else []
            else:
                named = in_order(self._members_by_ids(project, campaign, query), query.order)
            matches = [card for card in named if matches_dates(card, query)]
            start = (query.page - 1) * query.limit
            return matches[start : start + query.limit], len(matches)

    def _single_member(
        self, project: Project, campaign: Campaign, query: MemberQuery
    ) -> LoyaltyCard | None:
        """The one member of the program that ``customer`` and ``code`` name, if any."""
        code = query.code
        if query.customer is not None:
            customer = self._find_customer(project, query.customer)
            card = _card_held_in(project, campaign, customer) if customer is not None else None
            if card is None or (code is not None and card.code != code):
                return None
            code = card.code
        card = project.cards.get(code) if code is not None else None
        if card is None or card.campaign_id != campaign.id or card.holder_id is None:
            return None
        return card

    def _members_by_ids(
        self, project: Project, campaign: Campaign, query: MemberQuery
    ) -> list[LoyaltyCard]:
        """The program's members whose ``v_`` IDs are ``ids`` (and that customer, code name)."""
        ids = set(query.ids or ())
        if query.customer is not None or query.code is not None:
            single = self._single_member(project, campaign, query)
            return [single] if single is not None and single.id in ids else []
        found = (project.cards.get(code) for i in ids if (code := project.code_of_card_id(i)))
        return [
            card
            for card in found
            if card is not None and card.campaign_id == campaign.id and card.holder_id is not None
        ]

    def publications(self, app_id: str) -> list[Publication]:
        """Every publication of the project, oldest first."""
        with self._lock:
            return list(self.project(app_id).publications)

    # -- points ---------------------------------------------------------------------------

    def transactions(
        self,
        app_id: str,
        code: str,
        campaign_ref: str | None = None,
        filters: Filter | None = None,
    ) -> tuple[LoyaltyCard, list[Transaction]]:
        """A card and its transactions, oldest first, those ``filters`` keeps.

        ``filters`` tests ``TRANSACTION_FILTERS``. Raises 404 as ``get_member`` does.
        """
        with self._lock:
            card = self._member(self.project(app_id), code, campaign_ref)
            transactions = list(card.transactions)
            if filters:
                now = self.clock.now()
                transactions = [
                    t for t in transactions if filters.matches(transaction_record(t), now)
                ]
            return card, transactions

    def get_member(self, app_id: str, code: str, campaign_ref: str | None = None) -> LoyaltyCard:
        """The card ``code``, of ``campaign_ref`` when given.

        Raises 404 ``not_found``: campaign for an unknown program, voucher for an
        unknown code or a code of another program.
        """
        with self._lock:
            return self._member(self.project(app_id), code, campaign_ref)

    def _member(self, project: Project, code: str, campaign_ref: str | None) -> LoyaltyCard:
        campaign = _campaign(project, campaign_ref) if campaign_ref is not None else None
        card = project.cards.get(code)
        if card is None and code.startswith("v_"):
            # The vouchers API takes a card's v_ ID as well as its code.
            if self._unit.undo is not None:
                _note_project(self._unit.undo, project)  # the first such lookup builds an index
            by_id = project.code_of_card_id(code)
            card = project.cards.get(by_id) if by_id is not None else None
        if (
            card is None
            or (campaign is not None and card.campaign_id != campaign.id)
            or project.campaigns[card.campaign_id].in_bin
        ):
            raise not_found("voucher", code)
        return card

    def change_balance(  # noqa: PLR0913 - mirrors the request body's fields
        self,
        app_id: str,
        code: str,
        points: int,
        *,
        campaign_ref: str | None = None,
        expiration_type: str | None = None,
        expiration_date: dt.datetime | None = None,
        reason: str | None = None,
        source_id: str | None = None,
    ) -> Transaction:
        """Add (``points`` > 0) or remove (< 0) points on a published card.

        Added points form a bucket expiring by ``expiration_type``: ``CUSTOM_DATE``
        (``expiration_date``), ``NON_EXPIRING``, or the program's rules (the default).
        Removed points come from the soonest-expiring buckets. Raises 400 for an
        unpublished card, a past expiration date, removing more than the balance, or
        ``points`` beyond ``MAX_POINTS`` either way or taking the card's points past it;
        then nothing changes.
        """
        if not -MAX_POINTS <= points <= MAX_POINTS:
            bound = f"<= {MAX_POINTS}" if points > 0 else f">= {-MAX_POINTS}"
            raise bad_request(
                "invalid_payload", "Invalid payload", f"Property .points must be {bound}"
            )
        with self._lock:
            project = self.project(app_id)
            card = self._member(project, code, campaign_ref)
            campaign = project.campaigns[card.campaign_id]
            if card.holder_id is None:
                raise bad_request(
                    "voucher_not_published",
                    "Voucher not published",
                    f"Loyalty card {card.code} must be assigned to a holder before its "
                    "balance can change",
                )
            if card.points + points > MAX_POINTS:
                raise bad_request(
                    "invalid_payload",
                    "Invalid payload",
                    f"Property .points must be <= {MAX_POINTS - card.points}: loyalty card "
                    f"{card.code} has earned {card.points} points, and a card holds at most "
                    f"{MAX_POINTS}",
                )
            now = self.clock.now()
            undo = self._unit.undo
            if undo is not None:
                _note_card(undo, card)
                _note_sequence(undo, project)
            if points > 0:
                last_day = self._requested_last_day(campaign, now, expiration_type, expiration_date)
                self._add_bucket(project, card, points, last_day, now)
                card.points += points
                kind: TransactionType = "POINTS_ADDITION"
            else:
                _check_balance(card, -points, "subtract")
                self._take_from_buckets(card, -points, now)
                card.subtracted_points -= points
                kind = "POINTS_REMOVAL"
            self._touch(project, campaign, card, now)
            return self._record(
                project, card, kind, points, now, reason=reason, source_id=source_id
            )

    def _requested_last_day(
        self,
        campaign: Campaign,
        now: dt.datetime,
        expiration_type: str | None,
        expiration_date: dt.datetime | None,
    ) -> dt.date | None:
        if expiration_type is None and expiration_date is not None:
            expiration_type = "CUSTOM_DATE"
        if expiration_type == "NON_EXPIRING":
            return None
        if expiration_type == "CUSTOM_DATE":
            if expiration_date is None:
                raise bad_request(
                    "invalid_payload",
                    "Invalid payload",
                    "Property .expiration_date is required when expiration_type is CUSTOM_DATE",
                )
            last_day = expiration_date.astimezone(dt.timezone.utc).date()
            if last_day < now.date():
                raise bad_request(
                    "invalid_expiration_date",
                    "Invalid Expiration Date",
                    "Expiration date cannot be set in the past",
                )
            return last_day
        return self._last_day(campaign, now)

    @staticmethod
    def _last_day(campaign: Campaign, earned: dt.datetime) -> dt.date | None:
        rules = campaign.expiration_rules
        return rules.last_day(earned) if rules is not None else None

    def _add_bucket(
        self,
        project: Project,
        card: LoyaltyCard,
        points: int,
        last_day: dt.date | None,
        now: dt.datetime,
    ) -> None:
        # The caller noted the card (a new card needs no note).
        undo = self._unit.undo
        # Points sharing an expiry date share a bucket, as Voucherify's do.
        for bucket in card.buckets:
            if bucket.last_day == last_day:
                bucket.points += points
                bucket.updated_at = now
                return
        # Numbered per card, not from the project's sequence: small numbers are shared
        # objects, a project-wide one was 32 bytes a bucket.
        card.buckets_made += 1
        bucket = PointsBucket(
            seq=card.buckets_made,
            card_code=card.code,
            last_day=last_day,
            points=points,
            created_at=now,
        )
        buckets = card.buckets
        at = bisect_right(buckets, _bucket_order(bucket), key=_bucket_order)
        card.buckets = (*buckets[:at], bucket, *buckets[at:])
        if last_day is not None:
            instant = expires_at(last_day)
            due = project.expiring.get(instant)
            if due is None:
                if undo is not None:
                    _note_project(undo, project)
                    undo.keep(project.expiry_instants)
                due = project.expiring[instant] = []
                heappush(project.expiry_instants, instant)
            elif undo is not None:
                undo.mark(due)
            due.append(bucket)

    def _take_from_buckets(
        self, card: LoyaltyCard, points: int, now: dt.datetime
    ) -> tuple[tuple[dt.date | None, int], ...]:
        """Take ``points``, soonest-expiring first; returns ``(last_day, points)`` per bucket."""
        # "The removal of points will consume the points that expire the soonest."
        # The caller noted the card (its buckets with it).
        remaining = points
        taken_from: list[tuple[dt.date | None, int]] = []
        while remaining:
            bucket = card.buckets[0]
            taken = min(bucket.points, remaining)
            bucket.points -= taken
            bucket.updated_at = now
            remaining -= taken
            taken_from.append((bucket.last_day, taken))
            if not bucket.points:
                card.buckets = card.buckets[1:]
        return tuple(taken_from)

    def _touch(
        self, project: Project, campaign: Campaign, card: LoyaltyCard, now: dt.datetime
    ) -> None:
        # The caller noted the card.
        undo = self._unit.undo
        if undo is not None and card.holder_id is not None:
            _note_members(undo, project, campaign)
        previous = card.updated_at
        card.updated_at = now
        if card.holder_id is not None:
            campaign.members.retouch(card, previous)

    def _record(  # noqa: PLR0913
        self,
        project: Project,
        card: LoyaltyCard,
        kind: TransactionType,
        points: int,
        now: dt.datetime,
        *,
        reason: str | None = None,
        source_id: str | None = None,
        source: str | None = "API",
        operation_type: str = "MANUAL",
        bucket: PointsBucket | None = None,
        redemption: Redemption | None = None,
    ) -> Transaction:
        # The caller noted the card, and the project's sequence and texts (see
        # _note_sequence, which _note_project includes).
        seq = project.take_seq()
        next_date, next_points = card.next_expiration()
        transaction = Transaction(
            bucket=bucket,
            seq=seq,
            type=kind,
            points=points,
            # Voucherify's balance.total: "all points accumulated on the card as affected by
            # add or subtract operations" (a removal lowers it; a redemption does not).
            total=card.points - card.subtracted_points,
            balance=card.balance,
            created_at=now,
            card_code=card.code,
            source=source,
            reason=reason,
            source_id=source_id,
            operation_type="AUTOMATIC" if operation_type == "AUTOMATIC" else "MANUAL",
            expired_points=card.expired_points,
            subtracted_points=card.subtracted_points,
            next_expiration_date=next_date,
            next_expiration_points=next_points,
            redemption=redemption,
        )
        card.transactions.append(transaction)
        return transaction

    def _expire_due(self, project: Project) -> None:
        """Expire every bucket whose last day has passed on the fake's clock."""
        now = self.clock.now()
        instants = project.expiry_instants
        if self._unit.undo is not None:
            _note_sequence(self._unit.undo, project)
            self._unit.undo.keep(instants)
            self._unit.undo.keep(project.expiring)
        while instants and instants[0] <= now:
            instant = heappop(instants)
            for bucket in project.expiring.pop(instant, []):
                self._expire_bucket(project, bucket, instant)

    def _expire_bucket(self, project: Project, bucket: PointsBucket, instant: dt.datetime) -> None:
        card = project.cards.get(bucket.card_code)
        # A card deleted for good (or a new card that reuses its code) is not this
        # bucket's card any more.
        if card is not None and bucket.points and bucket in card.buckets:
            self._note_card(card)
            expired = bucket.points
            bucket.points = 0
            bucket.updated_at = instant
            card.buckets = tuple(kept for kept in card.buckets if kept is not bucket)
            card.expired_points += expired
            self._touch(project, project.campaigns[card.campaign_id], card, instant)
            self._record(
                project,
                card,
                "POINTS_EXPIRATION",
                -expired,
                instant,
                source=None,
                operation_type="AUTOMATIC",
                bucket=bucket,
            )

    # -- rewards --------------------------------------------------------------------------

    def create_reward(  # noqa: PLR0913 - mirrors the request body's fields
        self,
        app_id: str,
        *,
        name: str,
        type: RewardType,  # noqa: A002 - Voucherify's field name
        parameters: Mapping[str, Any],
        stock: int | None = None,
        attributes: Mapping[str, Any] | None = None,
        metadata: Mapping[str, Any] | None = None,
    ) -> Reward:
        """Create a ``MATERIAL`` or ``COIN`` reward; ``parameters`` as Voucherify shows them."""
        with self._lock:
            project = self.project(app_id)
            if self._unit.undo is not None:
                _note_project(self._unit.undo, project)
            reward = Reward(
                id=self.ids.reward_id(),
                name=name,
                type=type,
                parameters=dict(parameters),
                created_at=self.clock.now(),
                seq=project.take_seq(),
                stock=stock,
                attributes=dict(attributes) if attributes else None,
                metadata=dict(metadata) if metadata else None,
            )
            project.rewards[reward.id] = reward
            return reward

    def get_reward(self, app_id: str, reward_id: str) -> Reward:
        """The reward ``reward_id``; 404 ``not_found`` (reward) otherwise."""
        with self._lock:
            found = self.project(app_id).rewards.get(reward_id)
            if found is None:
                raise not_found("reward", reward_id)
            return found

    def list_rewards(
        self, app_id: str, *, limit: int, page: int, assignment_id: str | None = None
    ) -> tuple[list[Reward], int]:
        """One page of the project's rewards in creation order, and how many there are.

        With ``assignment_id``, only the reward of that assignment.
        """
        with self._lock:
            project = self.project(app_id)
            rewards = list(project.rewards.values())
            if assignment_id is not None:
                assignment = project.reward_assignments.get(assignment_id)
                rewards = [r for r in rewards if assignment and r.id == assignment.reward_id]
            start = (page - 1) * limit
            return rewards[start : start + limit], len(rewards)

    def update_reward(self, app_id: str, reward_id: str, changes: Mapping[str, Any]) -> Reward:
        """Change a reward's name, parameters, stock, attributes or metadata.

        Raises 400 ``invalid_payload`` for parameters of another reward type.
        """
        with self._lock:
            reward = self.get_reward(app_id, reward_id)
            parameters = changes.get("parameters")
            if parameters is not None and PARAMETERS_KEY[reward.type] not in parameters:
                raise bad_request(
                    "invalid_payload",
                    "Invalid payload",
                    f"Property .parameters must have required property "
                    f"'{PARAMETERS_KEY[reward.type]}' for a {reward.type} reward",
                )
            if self._unit.undo is not None:
                self._unit.undo.touch(reward)
            if "name" in changes:
                reward.name = changes["name"]
            if parameters is not None:
                reward.parameters = dict(parameters)
            if "stock" in changes:
                reward.stock = changes["stock"]
            if "attributes" in changes:
                reward.attributes = {**(reward.attributes or {}), **changes["attributes"]} or None
            if "metadata" in changes:
                reward.metadata = {**(reward.metadata or {}), **changes["metadata"]} or None
            reward.updated_at = self.clock.now()
            return reward

    def delete_reward(self, app_id: str, reward_id: str) -> None:
        """Delete a reward no program offers; 400 ``resource_in_use`` while one does."""
        with self._lock:
            project = self.project(app_id)
            reward = self.get_reward(app_id, reward_id)
            using = [a.id for a in project.reward_assignments.values() if a.reward_id == reward.id]
            if using:
                raise VoucherifyError(
                    code=400,
                    key="resource_in_use",
                    message="Resource in use",
                    details=f"Resource reward with id {reward.id} is in use by "
                    f"reward_assignments with ids [{', '.join(using)}]",
                    extra={
                        "related_object_ids": using,
                        "related_object_type": "reward_assignment",
                        "related_object_total": len(using),
                    },
                )
            if self._unit.undo is not None:
                self._unit.undo.keep(project.rewards)
            del project.rewards[reward.id]

    # -- reward assignments ---------------------------------------------------------------

    def assign_rewards(
        self, app_id: str, campaign_ref: str, items: list[tuple[str, int | None]]
    ) -> list[RewardAssignment]:
        """Offer rewards in a program: ``(reward_id, points)`` each, ``points`` its price.

        Raises 404 for an unknown reward, 409 ``duplicate_found`` for a reward the program
        already offers, and 400 for a ``MATERIAL`` reward without points; then nothing changes.
        """
        with self._lock:
            project = self.project(app_id)
            campaign = _campaign(project, campaign_ref)
            offered = {a.reward_id: a for a in _assignments_of(project, campaign.id)}
            planned: list[tuple[Reward, int | None]] = []
            for reward_id, points in items:
                reward = self.get_reward(app_id, reward_id)
                existing = offered.get(reward.id)
                if existing is not None:
                    raise duplicate_found(
                        "reward_assignment",
                        existing.id,
                        f"Duplicated reward_assignment exists with id {existing.id}",
                    )
                if reward.type != "COIN" and points is None:
                    raise bad_request(
                        "invalid_payload",
                        "Invalid payload",
                        "Property .parameters.loyalty.points is required for a "
                        f"{reward.type} reward",
                    )
                if any(earlier.id == reward.id for earlier, _ in planned):
                    raise bad_request(
                        "invalid_payload",
                        "Invalid payload",
                        f"Reward {reward.id} is given twice",
                    )
                planned.append((reward, None if reward.type == "COIN" else points))
            now = self.clock.now()
            if self._unit.undo is not None:
                _note_project(self._unit.undo, project)
            assignments = []
            for reward, points in planned:
                assignment = RewardAssignment(
                    id=self.ids.reward_assignment_id(),
                    reward_id=reward.id,
                    campaign_id=campaign.id,
                    created_at=now,
                    seq=project.take_seq(),
                    points=points,
                )
                project.reward_assignments[assignment.id] = assignment
                assignments.append(assignment)
            return assignments

    def reward_assignments(self, app_id: str, campaign_ref: str) -> list[RewardAssignment]:
        """Every reward assignment of a program, oldest first."""
        with self._lock:
            project = self.project(app_id)
            campaign = _campaign(project, campaign_ref)
            return _assignments_of(project, campaign.id)

    def get_reward_assignment(
        self, app_id: str, campaign_ref: str, assignment_id: str
    ) -> RewardAssignment:
        """A program's reward assignment; 404 ``not_found`` (reward_assignment) otherwise."""
        with self._lock:
            campaign = self.get_campaign(app_id, campaign_ref)
            found = self.project(app_id).reward_assignments.get(assignment_id)
            if found is None or found.campaign_id != campaign.id:
                raise not_found("reward_assignment", assignment_id)
            return found

    def update_reward_assignment(
        self, app_id: str, campaign_ref: str, assignment_id: str, points: int | None
    ) -> RewardAssignment:
        """Change the price in points of an assignment (a ``COIN`` reward keeps having none)."""
        with self._lock:
            assignment = self.get_reward_assignment(app_id, campaign_ref, assignment_id)
            reward = self.project(app_id).rewards.get(assignment.reward_id)
            if self._unit.undo is not None:
                self._unit.undo.touch(assignment)
            if points is not None and (reward is None or reward.type != "COIN"):
                assignment.points = points
            assignment.updated_at = self.clock.now()
            return assignment

    def delete_reward_assignment(self, app_id: str, campaign_ref: str, assignment_id: str) -> None:
        """Stop offering a reward in a program; past redemptions keep it."""
        with self._lock:
            assignment = self.get_reward_assignment(app_id, campaign_ref, assignment_id)
            assignments = self.project(app_id).reward_assignments
            if self._unit.undo is not None:
                self._unit.undo.keep(assignments)
            del assignments[assignment.id]

    def member_rewards(
        self,
        app_id: str,
        code: str,
        *,
        campaign_ref: str | None = None,
        affordable_only: bool = False,
    ) -> list[tuple[Reward, RewardAssignment]]:
        """The rewards a member's program offers, oldest assignment first.

        ``affordable_only``: only those whose price is within the card's balance (a ``COIN``
        reward has no price and is always listed).
        """
        with self._lock:
            project = self.project(app_id)
            card = self.get_member(app_id, code, campaign_ref)
            offered = []
            for assignment in _assignments_of(project, card.campaign_id):
                reward = project.rewards.get(assignment.reward_id)
                if reward is None:
                    continue
                if affordable_only and (assignment.points or 0) > card.balance:
                    continue
                offered.append((reward, assignment))
            return offered

    # -- redemptions ----------------------------------------------------------------------

    def redeem_reward(  # noqa: PLR0913 - mirrors the request body's fields
        self,
        app_id: str,
        code: str,
        *,
        reward_id: str | None,
        campaign_ref: str | None = None,
        points: int | None = None,
        order: OrderRequest | None = None,
        metadata: Mapping[str, Any] | None = None,
    ) -> Redemption:
        """Spend a member's points on a reward their program offers.

        A ``MATERIAL`` reward costs its assigned points. A ``COIN`` reward needs an
        ``order`` and spends ``points`` (or what pays the rest of the order, capped by the
        balance). Points come from the soonest-expiring buckets. Raises 404 for an unknown
        member or reward, or a reward the program does not offer; then nothing changes.
        Raises 400 ``missing_reward``, ``voucher_not_published``, ``missing_order``,
        ``missing_order_items_amount`` or ``loyalty_card_points_exceeded`` naming the
        failed redemption (``rf_``) it recorded, as Voucherify does; no points move.
        """
        with self._lock:
            project = self.project(app_id)
            card = self._member(project, code, campaign_ref)
            campaign = project.campaigns[card.campaign_id]
            try:
                reward, assignment, spent, discount = self._plan_redemption(
                    project, card, campaign, reward_id, points, order
                )
            except VoucherifyError as refusal:
                if refusal.code != _REFUSED:
                    raise
                failed = self._record_failure(
                    project,
                    refusal,
                    card_code=card.code,
                    campaign_id=card.campaign_id,
                    customer_id=card.holder_id,
                    metadata=metadata,
                )
                raise attrs.evolve(
                    refusal, resource_id=failed.id, resource_type="redemption", recorded=True
                ) from refusal
            assert card.holder_id is not None  # noqa: S101 - _plan_redemption checked it
            # Every check passed: from here on the request commits.
            now = self.clock.now()
            self._note_card(card)
            if self._unit.undo is not None:
                self._unit.undo.touch(reward)
                _note_project(self._unit.undo, project)
            taken = self._take_from_buckets(card, spent, now)
            card.redeemed_points += spent
            card.redeemed_quantity += 1
            reward.redeemed += 1
            seq = project.take_seq()
            redemption = Redemption(
                id=self.ids.ordered("r_", seq),
                seq=seq,
                created_at=now,
                card_code=card.code,
                campaign_id=campaign.id,
                customer_id=card.holder_id,
                reward=reward,
                assignment_id=assignment.id,
                points=spent,
                taken=taken,
                channel_id=app_id,
                order=self._new_order(order, discount, now) if order is not None else None,
                metadata=dict(metadata) if metadata else None,
            )
            project.redemptions[redemption.id] = redemption
            self._touch(project, campaign, card, now)
            self._record(
                project,
                card,
                "POINTS_REDEMPTION",
                -spent,
                now,
                source=None,
                operation_type="AUTOMATIC",
                redemption=redemption,
            )
            return redemption

    def _plan_redemption(  # noqa: PLR0913, PLR0917 - private, one call site
        self,
        project: Project,
        card: LoyaltyCard,
        campaign: Campaign,
        reward_id: str | None,
        points: int | None,
        order: OrderRequest | None,
    ) -> tuple[Reward, RewardAssignment, int, int]:
        """The reward, its assignment, the points to spend and the discount they buy.

        Raises the redemption's first broken rule: a 400 refuses it at the card, a 404
        names a reward that is missing.
        """
        if reward_id is None:
            raise bad_request(
                "missing_reward",
                "Missing reward",
                "A reward is required when redeeming a LOYALTY_CARD",
            )
        if card.holder_id is None:
            raise bad_request(
                "voucher_not_published",
                "Voucher not published",
                f"Loyalty card {card.code} must be assigned to a holder before it can be redeemed",
            )
        reward = project.rewards.get(reward_id)
        if reward is None:
            raise not_found("reward", reward_id)
        assignment = next(
            (a for a in _assignments_of(project, campaign.id) if a.reward_id == reward.id),
            None,
        )
        if assignment is None:
            raise not_found(
                "reward",
                reward.id,
                f"Cannot find reward with id {reward.id} in campaign {campaign.id}",
            )
        if reward.type != "COIN":
            spent = assignment.points or 0
            _check_balance(card, spent)
            return reward, assignment, spent, 0
        if order is None:
            raise bad_request(
                "missing_order",
                "Missing order",
                "An order is required when redeeming a pay with points reward",
            )
        spent, discount = _coin_payment(card, reward, points, order.total)
        return reward, assignment, spent, discount

    def _record_failure(  # noqa: PLR0913 - the failure's fields
        self,
        project: Project,
        refusal: VoucherifyError,
        *,
        card_code: str,
        campaign_id: str,
        customer_id: str | None,
        metadata: Mapping[str, Any] | None = None,
        redemption_id: str | None = None,
        reason: str | None = None,
    ) -> FailedRedemption:
        """Record a refused redemption (``rf_``), or rollback of ``redemption_id`` (``rrf_``).

        Voucherify keeps these: they are read by ID, listed with the card's redemptions and
        counted in the customer's summary. Nothing else changes.
        """
        undo = self._unit.undo
        if undo is not None:
            _note_project(undo, project)
            earlier = project.failures_by_card.get(card_code)
            if earlier is not None:
                undo.mark(earlier)
        seq = project.take_seq()
        failed = FailedRedemption(
            id=self.ids.ordered("rf_" if redemption_id is None else "rrf_", seq),
            seq=seq,
            created_at=self.clock.now(),
            card_code=card_code,
            campaign_id=campaign_id,
            customer_id=customer_id,
            failure_code=refusal.key,
            failure_message=refusal.message,
            channel_id=project.app_id,
            metadata=dict(metadata) if metadata else None,
            redemption_id=redemption_id,
            reason=reason,
        )
        project.failed_redemptions[failed.id] = failed
        project.failures_by_card.setdefault(card_code, []).append(failed)
        return failed

    def _new_order(self, request: OrderRequest, discount: int, now: dt.datetime) -> Order:
        return Order(
            id=self.ids.order_id(),
            created_at=now,
            source_id=request.source_id,
            status=request.status or "PAID",
            amount=request.total,
            discount_amount=discount,
            items=request.items,
            metadata=dict(request.metadata) if request.metadata else None,
        )

    def get_redemption(self, app_id: str, redemption_id: str) -> Redemption | FailedRedemption:
        """The redemption with ``redemption_id``: ``r_``, its rollback's ``rr_``, or a failure.

        A failed redemption (``rf_``) or rollback (``rrf_``) is its own record. Raises 404
        ``not_found`` (redemption) otherwise.
        """
        with self._lock:
            project = self.project(app_id)
            failed = project.failed_redemptions.get(redemption_id)
            if failed is not None:
                return failed
            found = project.redemptions.get(
                project.redemption_ids_by_rollback.get(redemption_id, redemption_id)
            )
            if found is None:
                raise not_found("redemption", redemption_id)
            return found

    def card_redemptions(self, app_id: str, code: str) -> list[Redemption]:
        """Every redemption of the card ``code``, oldest first; 404 for an unknown card."""
        with self._lock:
            return self.get_member(app_id, code).redemptions()

    def card_failed_redemptions(self, app_id: str, code: str) -> list[FailedRedemption]:
        """The card's failed redemptions and rollbacks, oldest first; 404 for an unknown card."""
        with self._lock:
            card = self.get_member(app_id, code)
            # A forced delete drops its cards' entries, so a code taken again starts clean.
            return list(self.project(app_id).failures_by_card.get(card.code, ()))

    def rollback_redemption(
        self,
        app_id: str,
        redemption_id: str,
        *,
        reason: str | None = None,
        customer: str | None = None,
        order: str | None = None,
    ) -> Redemption:
        """Undo a redemption: its points go back to their buckets as a ``POINTS_REFUND``.

        Points whose bucket's last day has meanwhile passed come back expired (a
        ``POINTS_EXPIRATION`` right after the refund). ``customer`` (an ID or source_id)
        and ``order`` (an ID or source_id), when given, must be the redemption's. Raises
        404 for an unknown redemption (or one whose card was deleted for good), 400
        ``invalid_customer`` or ``invalid_order`` for another customer or order; then
        nothing changes. A second rollback is 400
        ``already_rolled_back`` naming the failed rollback (``rrf_``) it recorded.
        """
        with self._lock:
            project = self.project(app_id)
            redemption = project.redemptions.get(redemption_id)
            if redemption is None:
                raise not_found("redemption", redemption_id)
            card = project.cards.get(redemption.card_code)
            if card is None or card.campaign_id != redemption.campaign_id:
                # Its program was deleted for good, cards and all: nothing to record against.
                raise not_found("voucher", redemption.card_code)
            if redemption.rollback is not None:
                refusal = bad_request(
                    "already_rolled_back",
                    "Already rolled back",
                    "Redemption has been already rolled back.",
                )
                failed = self._record_failure(
                    project,
                    refusal,
                    card_code=card.code,
                    campaign_id=card.campaign_id,
                    customer_id=redemption.customer_id,
                    redemption_id=redemption.id,
                    reason=reason,
                )
                raise attrs.evolve(
                    refusal,
                    resource_id=failed.id,
                    resource_type="redemption_rollback",
                    recorded=True,
                )
            _check_related(project, redemption, customer, order)
            now = self.clock.now()
            undo = self._unit.undo
            self._note_card(card)
            if undo is not None:
                undo.touch(redemption)
                undo.touch(redemption.reward)
                _note_project(undo, project)
                if redemption.order is not None:
                    undo.touch(redemption.order)
            expired = 0
            for last_day, points in redemption.taken:
                if last_day is not None and expires_at(last_day) <= now:
                    expired += points
                else:
                    self._add_bucket(project, card, points, last_day, now)
            card.redeemed_points -= redemption.points
            card.redeemed_quantity -= 1
            redemption.reward.redeemed -= 1
            seq = project.take_seq()
            rollback = Rollback(
                id=self.ids.ordered("rr_", seq),
                created_at=now,
                reason=reason,
                expired_points=expired,
                seq=seq,
            )
            redemption.rollback = rollback
            project.redemption_ids_by_rollback[rollback.id] = redemption.id
            if redemption.order is not None:
                redemption.order.status = "CANCELED"
                redemption.order.updated_at = now
            self._touch(project, project.campaigns[card.campaign_id], card, now)
            self._record(
                project,
                card,
                "POINTS_REFUND",
                redemption.points,
                now,
                source=None,
                operation_type="AUTOMATIC",
                redemption=redemption,
            )
            if expired:
                # Voucherify counts refunded points whose bucket has expired as expired.
                card.expired_points += expired
                self._record(
                    project,
                    card,
                    "POINTS_EXPIRATION",
                    -expired,
                    now,
                    source=None,
                    operation_type="AUTOMATIC",
                )
            return redemption

    def customer_failures(self, app_id: str, customer_id: str) -> list[FailedRedemption]:
        """The customer's failed redemptions and rollbacks on the cards they hold, oldest first.

        A refusal on a card before it was published to them is not theirs.
        """
        with self._lock:
            return [
                failed
                for _, card in self.customer_cards(app_id, customer_id)
                for failed in self.project(app_id).failures_by_card.get(card.code, ())
                if failed.customer_id == customer_id
            ]

    def customer_cards(self, app_id: str, customer_id: str) -> list[tuple[Campaign, LoyaltyCard]]:
        """Every (program, card) the customer holds, programs oldest first."""
        with self._lock:
            project = self.project(app_id)
            customer = project.customers.get(customer_id)
            if customer is None:
                return []
            by_campaign = {card.campaign_id: card for card in _held_cards(project, customer)}
            return [
                (campaign, by_campaign[campaign.id])
                for campaign in project.campaigns.values()
                if campaign.id in by_campaign and not campaign.in_bin
            ]


# What a unit notes of a project, once: its counter and cache, and the length of every
# container that requests only add to (removals keep a copy first).
_GROWING = (
    "campaigns",
    "campaign_ids_by_name",
    "cards",
    "customers",
    "categories_by_name",
    "publications",
    "publications_by_source_id",
    "expiring",
    "shared_values",
    "rewards",
    "reward_assignments",
    "redemptions",
    "redemption_ids_by_rollback",
    "failed_redemptions",
    "failures_by_card",
    "texts",
)
_PROJECT_GROWING = attrgetter(*_GROWING)
_CARD_FIELD_NAMES = tuple(field.name for field in attrs.fields(LoyaltyCard))
_CARD_FIELDS = attrgetter(*_CARD_FIELD_NAMES)
_BUCKET_STATE = attrgetter("points", "updated_at")


def _note_card(undo: UndoLog, card: LoyaltyCard) -> None:
    """Note a card before a change: its fields, its buckets' points, its history's length."""
    if not undo.first(card):
        return
    rows = card.transaction_rows
    refs = card.transaction_refs
    undo.undo(
        _card_back,
        card,
        _CARD_FIELDS(card),
        len(rows) if rows.__class__ is array else None,
        len(refs) if refs is not None else None,
        tuple(map(_BUCKET_STATE, card.buckets)),
    )


def _note_members(undo: UndoLog, project: Project, campaign: Campaign) -> None:
    """Note the members index of ``campaign`` before a change to it.

    Put back by indexing the program's published cards afresh, once they are back as
    they were: the same index, in fewer notes than its blocks would take.
    """
    members = campaign.members
    undo.finally_(id(members), _reindex, project, campaign, members.deferred, members.backdated)


def _note_project(undo: UndoLog, project: Project) -> None:
    if not undo.first(project):
        return
    codes = project.card_codes_by_id
    undo.undo(
        _project_back,
        project,
        project.next_seq,
        codes,
        len(codes) if codes is not None else 0,
        tuple(map(len, _PROJECT_GROWING(project))),
    )


def _note_sequence(undo: UndoLog, project: Project) -> None:
    """Note what every recorded movement changes in a project: its sequence and texts."""
    if undo.first(project.texts):
        undo.undo(_sequence_back, project, project.next_seq, len(project.texts))


def _sequence_back(project: Project, next_seq: int, texts: int) -> None:
    project.texts.truncate(texts)
    project.next_seq = next_seq


def _project_back(
    project: Project,
    next_seq: int,
    codes: dict[str, str] | None,
    codes_length: int,
    lengths: tuple[int, ...],
) -> None:
    for container, length in zip(_PROJECT_GROWING(project), lengths, strict=True):
        _cut(container, length)
    if codes is not None:
        _cut(codes, codes_length)
    project.card_codes_by_id = codes
    project.next_seq = next_seq


def _cut(container: Any, length: int) -> None:
    """Drop what was added to ``container`` after it held ``length`` items."""
    if len(container) > length:
        if isinstance(container, dict):
            for key in list(islice(reversed(container), len(container) - length)):
                del container[key]
        elif isinstance(container, list):
            del container[length:]
        else:
            container.truncate(length)


def _card_back(
    card: LoyaltyCard,
    values: tuple[Any, ...],
    rows_length: int | None,
    refs_length: int | None,
    buckets: tuple[tuple[int, dt.datetime | None], ...],
) -> None:
    for name, value in zip(_CARD_FIELD_NAMES, values, strict=True):
        object.__setattr__(card, name, value)
    rows = card.transaction_rows
    if rows_length is not None and isinstance(rows, array):
        del rows[rows_length:]
    if refs_length is not None and card.transaction_refs is not None:
        del card.transaction_refs[refs_length:]
    for bucket, (points, updated_at) in zip(card.buckets, buckets, strict=True):
        bucket.points = points
        bucket.updated_at = updated_at


def _note_removal(undo: UndoLog, project: Project) -> None:
    """Note what deleting a program for good changes: copies, as large as the work anyway."""
    _note_project(undo, project)
    containers: list[dict[Any, Any] | list[Any]] = [
        project.campaigns,
        project.campaign_ids_by_name,
        project.cards,
        project.expiring,
        *project.expiring.values(),
        project.expiry_instants,
        project.publications,
        project.publications_by_source_id,
        project.reward_assignments,
        project.failures_by_card,
    ]
    for container in containers:
        undo.keep(container)
    if project.card_codes_by_id is not None:
        undo.keep(project.card_codes_by_id)


def _remove_for_good(project: Project, campaign: Campaign) -> None:
    """Remove a program with its cards, their publications and its reward assignments."""
    del project.campaigns[campaign.id]
    del project.campaign_ids_by_name[campaign.name]
    codes = {code for code, card in project.cards.items() if card.campaign_id == campaign.id}
    for code in codes:
        card = project.cards.pop(code)
        if project.card_codes_by_id is not None:
            project.card_codes_by_id.pop(card.id, None)
        project.failures_by_card.pop(code, None)
    for instant, buckets in list(project.expiring.items()):
        buckets[:] = [bucket for bucket in buckets if bucket.card_code not in codes]
        if not buckets:
            del project.expiring[instant]
    project.expiry_instants[:] = list(project.expiring)
    heapify(project.expiry_instants)
    kept = [p for p in project.publications if p.campaign_id != campaign.id]
    project.publications[:] = kept
    for source_id, publication in list(project.publications_by_source_id.items()):
        if publication.campaign_id == campaign.id:
            del project.publications_by_source_id[source_id]
    for assignment in list(project.reward_assignments.values()):
        if assignment.campaign_id == campaign.id:
            del project.reward_assignments[assignment.id]


def _reindex(project: Project, campaign: Campaign, deferred: bool, backdated: bool) -> None:
    """Index the program's published cards afresh (putting back a unit's changes)."""
    members = [
        card
        for card in project.cards.values()
        if card.campaign_id == campaign.id and card.holder_id is not None
    ]
    campaign.members.rebuild(members, backdated=backdated)
    if deferred:
        campaign.members.defer()


def _apply_profile(project: Project, customer: Customer, profile: Mapping[str, Any]) -> None:
    """Set the profile fields a request gave on ``customer``; metadata shared when flat."""
    for field, given in profile.items():
        if field not in _CUSTOMER_PROFILE_FIELDS:
            continue
        value = given
        if field == "metadata":
            value = project.shared(given) if given else None
        elif isinstance(given, dict) and field != "address":  # address: packed copy
            value = own_copy(given)
        setattr(customer, field, value)


def _held_cards(project: Project, customer: Customer) -> Iterator[LoyaltyCard]:
    """The cards ``customer`` holds now, oldest first.

    A code the customer was given may name another card since: a forced delete frees
    codes, which a card of another program may take later.
    """
    for code in customer.held_codes():
        card = project.cards.get(code)
        if card is not None and card.holder_id == customer.id:
            yield card


def _card_held_in(project: Project, campaign: Campaign, customer: Customer) -> LoyaltyCard | None:
    """The card of ``campaign`` published to ``customer``, if any (one at most, by the rules)."""
    return next(
        (card for card in _held_cards(project, customer) if card.campaign_id == campaign.id),
        None,
    )


def _campaign(project: Project, campaign_ref: str) -> Campaign:
    """The project's campaign named by ID or by name; 404 ``not_found`` (campaign) otherwise."""
    found = project.campaigns.get(campaign_ref)
    if found is None:
        campaign_id = project.campaign_ids_by_name.get(campaign_ref)
        found = project.campaigns.get(campaign_id) if campaign_id else None
    if found is None or found.in_bin:
        raise not_found("campaign", campaign_ref)
    return found


def _tracking_id(project: Project, publication: Publication) -> str:
    customer = project.customers.get(publication.customer_id)
    return (customer.source_id or "") if customer is not None else ""


# Every card the fake makes is a loyalty card: a publication's voucher_type.
_CARD_TYPE = "LOYALTY_CARD"

# What GET /v1/publications filters on: ParameterFiltersListPublications's fields, and
# voucher_code, a publication's own column (the list orders by it). See publication_record.
PUBLICATION_FILTERS: dict[str, FilterField] = {
    "campaign_name": FilterField(Kind.STRING),
    "customer_id": FilterField(Kind.STRING),
    "failure_code": FilterField(Kind.STRING),
    # A boolean, which the spec filters with text conditions (FilterConditionsString).
    "is_referral_code": FilterField(Kind.BOOLEAN, STRING_CONDITIONS),
    "parent_object_id": FilterField(Kind.STRING),
    "related_object_id": FilterField(Kind.STRING),
    "result": FilterField(Kind.STRING),
    "source_id": FilterField(Kind.STRING),
    "voucher_code": FilterField(Kind.STRING),
    "voucher_type": FilterField(Kind.STRING),
}
# What a member's transactions filter on (ParameterFiltersListMemberTransactions).
TRANSACTION_FILTERS: dict[str, FilterField] = {
    "created_at": FilterField(Kind.DATE_TIME),
    "id": FilterField(Kind.STRING),
}


def publication_record(publication: Publication) -> dict[str, Any]:
    """A publication's filterable fields (``PUBLICATION_FILTERS``, ``metadata.<key>``).

    A publication's parent object is its card's program, its related object the card;
    the fake records no failed publications, so ``failure_code`` is always unset.
    """
    record: dict[str, Any] = {
        "campaign_name": publication.campaign_name,
        "customer_id": publication.customer_id,
        "failure_code": None,
        "is_referral_code": False,
        "parent_object_id": publication.campaign_id,
        "related_object_id": publication.voucher_id,
        "result": publication.result,
        "source_id": publication.source_id,
        "voucher_code": publication.voucher_code,
        "voucher_type": _CARD_TYPE,
    }
    for key, value in (publication.metadata or {}).items():
        record[f"metadata.{key}"] = value
    return record


def transaction_record(transaction: Transaction) -> dict[str, Any]:
    """A transaction's filterable fields (``TRANSACTION_FILTERS``)."""
    return {"created_at": transaction.created_at, "id": transaction.id}


_PUBLICATION_ORDER: dict[str, Callable[[Project, Publication], Any]] = {
    "id": lambda _project, p: p.id,
    "voucher_code": lambda _project, p: p.voucher_code,
    "tracking_id": _tracking_id,
    "customer_id": lambda _project, p: p.customer_id,
    "created_at": lambda _project, p: p.created_at,
    "channel": lambda _project, p: p.channel,
}


def _bucket_order(bucket: PointsBucket) -> tuple[int, int]:
    return bucket.sort_key


def _assignments_of(project: Project, campaign_id: str) -> list[RewardAssignment]:
    """The reward assignments of one program, oldest first."""
    return [a for a in project.reward_assignments.values() if a.campaign_id == campaign_id]


def _check_related(
    project: Project, redemption: Redemption, customer: str | None, order: str | None
) -> None:
    """A rollback's customer and order must be the redemption's (the spec's 400 examples)."""
    if customer is not None:
        holder = project.customers.get(redemption.customer_id)
        if customer not in (redemption.customer_id, holder.source_id if holder else None):
            raise bad_request(
                "invalid_customer", "Invalid customer", "Customer is not related with redemption."
            )
    if order is not None:
        made = redemption.order
        if made is None or order not in (made.id, made.source_id):
            raise bad_request(
                "invalid_order", "Invalid order", "Order is not related with redemption."
            )


def _check_balance(card: LoyaltyCard, points: int, spending: str = "redeem") -> None:
    """400 ``loyalty_card_points_exceeded`` when ``points`` exceed the card's balance."""
    if points > card.balance:
        raise bad_request(
            "loyalty_card_points_exceeded",
            "loyalty card points exceeded",
            f"Cannot {spending} {points} points from loyalty card {card.code}: "
            f"its balance is {card.balance}",
        )


def _coin_payment(
    card: LoyaltyCard, reward: Reward, points: int | None, amount: int | None
) -> tuple[int, int]:
    """The points a pay-with-points redemption spends and the discount (cents) they buy.

    Never more points than pay the order: ``points`` is capped by what the order needs,
    and without ``points`` the card pays what it can of the order.
    """
    if (amount is not None and amount <= 0) or (amount is None and points is None):
        raise bad_request(
            "missing_order_items_amount",
            "Missing applicable order items",
            "An order amount (or items with amounts) is required to pay with points",
        )
    value = reward.cash_per_point()
    needed = math.ceil(amount / value) if amount is not None else None
    if points is not None:
        _check_balance(card, points)
        spent = points if needed is None else min(points, needed)
    else:
        assert needed is not None  # noqa: S101 - checked above
        spent = min(needed, card.balance)
        if spent <= 0:
            _check_balance(card, needed)
    discount = math.floor(spent * value)
    return spent, discount if amount is None else min(discount, amount)
