"""The in-memory ledger: Voucherify's loyalty rules over plain Python values.

Nothing here knows about HTTP. ``Ledger`` holds every project by ``X-App-Id``, the clock
and the ID source; all work on a project goes through a session::

    with ledger.session(app_id) as session:
        card = session.members.add(campaign_id, customer=CustomerRef(source_id="ada"))

A session takes the lock, pins the clock, brings due work up to date and, should the
block raise, puts back everything it changed. The areas (``campaigns.py``,
``members.py``, ``points.py``, ...) each own their rules.
"""

from __future__ import annotations

import functools
import threading
import time
from typing import TYPE_CHECKING, Any

import attrs

from loyalty_fake.clock import Clock
from loyalty_fake.ids import IdGenerator, project_salt
from loyalty_fake.ledger import snapshot
from loyalty_fake.ledger.apportion import DISCOUNT_ROUNDINGS
from loyalty_fake.ledger.campaigns import MAX_VOUCHERS_PER_REQUEST
from loyalty_fake.ledger.cards import MAX_POINTS
from loyalty_fake.ledger.earning import EarningChoices
from loyalty_fake.ledger.points import TRANSACTION_FILTERS, transaction_record
from loyalty_fake.ledger.project import Project
from loyalty_fake.ledger.publications import PUBLICATION_FILTERS, publication_record
from loyalty_fake.ledger.schedule import SCHEDULE
from loyalty_fake.ledger.session import REACTIONS, Activity, Session
from loyalty_fake.ledger.session_block import SessionBlock
from loyalty_fake.ledger.unit import UnitOfWork
from loyalty_fake.ledger.validation_rules import ValidationRuleChoices

if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import TypeAlias

    from loyalty_fake.ledger.apportion import DiscountRounding

if TYPE_CHECKING:
    # Given a session and what it reported, what to run once its unit commits.
    Listener: TypeAlias = Callable[[Session, tuple[Activity, ...]], Callable[[], None]]

__all__ = [
    "MAX_POINTS",
    "MAX_VOUCHERS_PER_REQUEST",
    "PUBLICATION_FILTERS",
    "REACTIONS",
    "TRANSACTION_FILTERS",
    "Activity",
    "EarningChoices",
    "Ledger",
    "Project",
    "Session",
    "UnitOfWork",
    "ValidationRuleChoices",
    "publication_record",
    "transaction_record",
]


@attrs.define
class Ledger:
    """All projects' state plus the clock and ID source that stamp it.

    ``strict_joins``: a customer joining a program twice gets 400
    ``voucher_cannot_be_published`` instead of their existing card. ``earning_choices``:
    how earning reads what Voucherify leaves open; the fake's configuration, not state,
    so snapshots do not carry it. ``strict_products``: an order line naming a product or
    SKU the catalogue lacks gets 404 ``not_found`` instead of being kept as given
    (configuration too). ``discount_rounding``: how a percentage discount rounds a
    fraction of a cent at checkout (``apportion.DiscountRounding``; configuration too).
    ``rollback_stacked_parts``: a part of a stacked redemption may
    be rolled back alone (``/rollback``) instead of 400 ``invalid_redemption_parent``
    (configuration too). ``validation_rule_choices``: how validation rules read what
    Voucherify leaves open (configuration too). ``strict_custom_events``: a custom event
    (or earning rule) naming no custom event schema of the project is refused instead of
    taken (configuration too).
    """

    clock: Clock = attrs.field(factory=Clock)
    ids: IdGenerator = attrs.field(factory=IdGenerator)
    strict_joins: bool = False
    earning_choices: EarningChoices = attrs.field(factory=EarningChoices)
    strict_products: bool = False
    discount_rounding: DiscountRounding = attrs.field(
        default="half_up", validator=attrs.validators.in_(DISCOUNT_ROUNDINGS)
    )
    rollback_stacked_parts: bool = False
    strict_custom_events: bool = False
    validation_rule_choices: ValidationRuleChoices = attrs.field(factory=ValidationRuleChoices)
    # What hears each session's activities (the webhooks): called inside the session
    # with what it reported, it returns what to do once the unit of work commits.
    listener: Listener | None = attrs.field(default=None, init=False, repr=False)
    _projects: dict[str, Project] = attrs.field(factory=dict, init=False, repr=False)
    _lock: threading.RLock = attrs.field(factory=threading.RLock, init=False, repr=False)
    _unit: UnitOfWork = attrs.field(init=False, repr=False)

    @_unit.default
    def _make_unit(self) -> UnitOfWork:
        return UnitOfWork(self._lock, self.clock, self.ids)

    def unit_of_work(self) -> UnitOfWork:
        """A unit of work over the ledger (see ``UnitOfWork``): one per request."""
        return self._unit

    def session(self, app_id: str, *, undoable: bool = True, joined: bool = False) -> SessionBlock:
        """One unit of work on the project of ``app_id`` (see ``Session``).

        Holds the ledger's lock and pins the clock for the block; due work is done
        first, and reactions to what the block did run before it ends. When the block
        raises, everything it changed is put back (the ID stream and clock included).
        ``undoable=False`` (bulk seeding) notes nothing to put back, unless the session
        runs inside another unit (a request that seeds), which then notes it all.
        ``joined=True``: the caller is inside ``with ledger.unit_of_work():`` on this thread
        (the HTTP app's answer is), and the block is part of that unit without entering it
        again. ``with ledger.session(app_id) as session:``.
        """
        if joined:
            return SessionBlock(self, app_id, None, self._unit)
        return SessionBlock(self, app_id, self._unit if undoable else self._lock, self._unit)

    def catch_up(self, app_id: str) -> None:
        """Do all the work due by now in ``app_id``'s project, a chunk a session (``schedule.py``).

        Between chunks the lock is free: requests from other threads go on meanwhile.
        """
        while True:
            with self.session(app_id) as session:
                project = session.existing_project
                if project is None or not SCHEDULE.due(project, session.clock.now()):
                    return
            # The lock is not fair: give a thread waiting for it the moment to take it.
            time.sleep(0.0005)

    def existing_project(self, app_id: str) -> Project | None:
        """The project of ``app_id`` if one exists; for sessions, which settle it themselves."""
        return self._projects.get(app_id)

    def setting(self, app_id: str, key: str) -> Any:
        """A Management API setting of ``app_id``'s project (``None``: unset, or no project)."""
        with self._lock:
            found = self._projects.get(app_id)
            return None if found is None else found.settings.get(key)

    def app_with_setting(self, key: str, value: object) -> str | None:
        """The app ID of the project whose Management API setting ``key`` is ``value``."""
        with self._lock:
            for app_id, project in self._projects.items():
                if project.settings.get(key) == value:
                    return app_id
        return None

    def new_project(self, app_id: str) -> Project:
        """Make the empty project of ``app_id`` (a session's first use of a new app ID)."""
        # The salt comes from the seed and app ID, not from a draw: creating a project
        # in a request that is then rejected must not move the IDs.
        salt = project_salt(self.ids.seed, app_id)
        if self._unit.undo is not None:
            self._unit.undo.mark(self._projects)
        found = self._projects[app_id] = Project(app_id=app_id, salt=salt)
        return found

    def forget_project(self, app_id: str) -> None:
        """Forget the project of ``app_id`` and all it holds, if there is one."""
        if app_id not in self._projects:
            return
        if self._unit.undo is not None:
            self._unit.undo.keep(self._projects)
        del self._projects[app_id]

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

    def app_ids(self) -> list[str]:
        """The app ID of every project, oldest first."""
        with self._lock:
            return list(self._projects)

    def projects(self) -> dict[str, Project]:
        """Every project by app ID (a copy of the mapping; the projects are live)."""
        with self._lock:
            return dict(self._projects)

    def snapshot(self) -> bytes:
        """The whole state (projects, ID streams, clock) as bytes ``restore`` takes back."""
        with self._lock:
            state = (
                self._projects,
                self.ids.seed,
                self.ids.state(),
                self.clock.frozen_at,
                self.strict_joins,
            )
            return snapshot.dumps(state)

    def restore(self, written: bytes) -> bool:
        """Replace the whole state with one ``snapshot()`` wrote (this process's own files).

        Returns whether the snapshot is in this version's format (always, since earlier
        formats are refused: kept for callers that rewrite an earlier one). Raises
        ``ValueError`` for a snapshot written by another version (``snapshot.py``).
        """
        projects, seed, streams, frozen_at, strict_joins = snapshot.loads(written)
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
        return True
