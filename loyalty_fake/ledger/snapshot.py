"""The ledger's state as bytes and back: compact, fast pickling of large states.

Records declare nothing about pickling: a dispatch table here gives each record class
its reducer (by position), and the layouts of all of them make the fingerprint that a
snapshot's header carries, so that code with other layouts refuses it instead of
misreading it. Loading runs no code a snapshot names: the unpickler finds only the
classes (and the few key functions) that a state holds, by an explicit list.
"""

from __future__ import annotations

import array
import datetime as dt
import functools
import hashlib
import io
import pickle
from operator import attrgetter
from typing import TYPE_CHECKING, Any

import attrs
from sortedcontainers import SortedList

from loyalty_fake.filters import Condition, Filter, Kind
from loyalty_fake.ledger import member_index
from loyalty_fake.ledger.accrual import Accrual
from loyalty_fake.ledger.async_actions import AsyncAction
from loyalty_fake.ledger.bin import BinEntry
from loyalty_fake.ledger.blocks import Blocks
from loyalty_fake.ledger.bulk import no_gc
from loyalty_fake.ledger.campaigns import Campaign, Category
from loyalty_fake.ledger.cards import LoyaltyCard, PointsBucket
from loyalty_fake.ledger.codes import CodeConfig
from loyalty_fake.ledger.customers import Customer
from loyalty_fake.ledger.earning_rules import EarningRule
from loyalty_fake.ledger.expiry import ExpirationRules
from loyalty_fake.ledger.exports import Export
from loyalty_fake.ledger.history import (
    PACKED_LAYOUTS,
    CardPoints,
    TextTable,
    Transaction,
    TransactionLog,
)
from loyalty_fake.ledger.member_index import MemberIndex
from loyalty_fake.ledger.orders import Order, OrderItem
from loyalty_fake.ledger.pending_points import PendingPoints
from loyalty_fake.ledger.products import Product, Sku
from loyalty_fake.ledger.project import Project
from loyalty_fake.ledger.publications import Publication
from loyalty_fake.ledger.redemptions import (
    FailedRedemption,
    Redemption,
    Rollback,
)
from loyalty_fake.ledger.rewards import Reward, RewardAssignment
from loyalty_fake.ledger.segments import CustomerEvent, Segment
from loyalty_fake.ledger.settings import Setting
from loyalty_fake.ledger.stacking import StackedRedemption, StackedRollback
from loyalty_fake.ledger.tier_records import LoyaltyTier, MemberTier, Qualification
from loyalty_fake.ledger.transfer_records import PointsTransfer, TransferSide
from loyalty_fake.ledger.validation_rules import RuleAssignment, ValidationRule
from loyalty_fake.ledger.validation_sessions import ValidationSession
from loyalty_fake.ledger.voucher_kinds import VoucherRedemption
from loyalty_fake.ledger.vouchers import GiftTransaction, Voucher
from loyalty_fake.ledger.webhooks import Webhook

if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = [
    "SNAPSHOT_FORMAT",
    "dispatch_table",
    "dumps",
    "header",
    "layout_fingerprint",
    "loads",
    "register_layout",
]

# Every class pickled by position, with its fields: a snapshot is only readable by
# code whose layouts are the same, and this is how a reader can tell.
_LAYOUTS: dict[str, tuple[str, ...]] = {}


def layout_fingerprint() -> str:
    """A short hash of every positionally pickled class's field layout."""
    dispatch_table()  # the records' layouts count in the fingerprint
    text = "\n".join(f"{name}:{','.join(fields)}" for name, fields in sorted(_LAYOUTS.items()))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def register_layout(cls: type, fields: tuple[str, ...]) -> None:
    """Count a pickled class's layout in the snapshot fingerprint."""
    _LAYOUTS[f"{cls.__module__}.{cls.__qualname__}"] = fields


# /3: records pickled through this module's dispatch table, the ledger a package. Older
# formats (/2, and /1 with its unsendable text) are refused: their layouts are not these.
SNAPSHOT_FORMAT = b"loyalty-fake-snapshot/3"


def _record_classes() -> tuple[type, ...]:
    """Every attrs record a snapshot holds, pickled by position."""
    register_layout(Blocks, ("key", "other", "cards"))
    register_layout(TextTable, PACKED_LAYOUTS["TextTable"])
    register_layout(TransactionLog, PACKED_LAYOUTS["TransactionLog"])
    return (
        Project,
        Campaign,
        Category,
        CodeConfig,
        ExpirationRules,
        MemberIndex,
        Customer,
        LoyaltyCard,
        PointsBucket,
        CardPoints,
        Transaction,
        Publication,
        Reward,
        RewardAssignment,
        OrderItem,
        Order,
        Rollback,
        Redemption,
        FailedRedemption,
        EarningRule,
        Accrual,
        Product,
        Sku,
        Segment,
        CustomerEvent,
        Filter,
        Condition,
        PendingPoints,
        AsyncAction,
        Export,
        StackedRollback,
        StackedRedemption,
        ValidationSession,
        ValidationRule,
        RuleAssignment,
        Voucher,
        GiftTransaction,
        VoucherRedemption,
        TransferSide,
        PointsTransfer,
        Webhook,
        BinEntry,
        LoyaltyTier,
        Qualification,
        MemberTier,
        Setting,
    )


def _positional(cls: type) -> Callable[[Any], tuple[type, tuple[Any, ...]]]:
    """A reducer that pickles an attrs record as ``cls(*field_values)``.

    attrs' own pickling of slotted classes stores every field's name with every
    object and restores through a Python loop; positional arguments halve both the
    size and the time of a 100,000-member snapshot. Every field must be an ``init``
    argument, in order.
    """
    fields = attrs.fields(cls)
    if not all(field.init for field in fields):
        raise TypeError(f"{cls.__name__} has fields its __init__ does not take")
    values = attrgetter(*(field.name for field in fields))
    register_layout(cls, tuple(field.name for field in fields))

    def reduce(record: Any) -> tuple[type, tuple[Any, ...]]:
        found = values(record)
        return cls, found if isinstance(found, tuple) else (found,)

    return reduce


@functools.cache
def dispatch_table() -> dict[type, Callable[[Any], tuple[type, tuple[Any, ...]]]]:
    """The pickler's reducers: one per record class, none declared on the records."""
    return {cls: _positional(cls) for cls in _record_classes()}


def header() -> bytes:
    """The first line of a snapshot: the format and the fingerprint of every layout."""
    dispatch_table()  # the records' layouts count in the fingerprint
    return SNAPSHOT_FORMAT + b" " + layout_fingerprint().encode("ascii") + b"\n"


def dumps(state: object) -> bytes:
    """``state`` as snapshot bytes: the header, then the pickle."""
    with no_gc():
        buffer = io.BytesIO()
        buffer.write(header())
        pickler = pickle.Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL)
        pickler.dispatch_table = dispatch_table()
        pickler.dump(state)
        return buffer.getvalue()


# What a snapshot may name besides the records: the values their fields hold, and the
# key functions a member index sorts by. Found by recording what a rich state's snapshot
# (orders, redemptions, rewards, publications, histories) asks for; nothing here runs
# anything but the constructor or key it is.
_ALSO_ALLOWED: tuple[Any, ...] = (
    array.array,
    array._array_reconstructor,  # type: ignore[attr-defined] # noqa: SLF001 - how arrays pickle
    dt.date,
    dt.datetime,
    dt.timedelta,
    dt.timezone,
    SortedList,
    member_index.created_key,
    member_index.updated_key,
    member_index._created,  # noqa: SLF001 - a key the index's blocks pickle by name
    member_index._updated,  # noqa: SLF001
    Kind,  # a segment filter's conditions name their field's kind
)


@functools.cache
def allowed() -> dict[tuple[str, str], Any]:
    """Every global a snapshot may name, by (module, name): nothing else is loaded."""
    return {
        (found.__module__, found.__qualname__): found
        for found in (*dispatch_table(), Blocks, TextTable, TransactionLog, *_ALSO_ALLOWED)
    }


class _Checked(pickle.Unpickler):
    """An unpickler that finds only what ``allowed()`` lists, refusing anything else."""

    def find_class(self, module: str, name: str) -> Any:
        """The class or key ``module.name`` if a state may hold it; else ``UnpicklingError``."""
        found = allowed().get((module, name))
        if found is None:
            msg = (
                f"the snapshot names {module}.{name}, which no loyalty-fake state holds; "
                "refused without loading it (a snapshot runs no code)"
            )
            raise pickle.UnpicklingError(msg)
        return found


def loads(snapshot: bytes) -> Any:
    """The state ``dumps`` wrote; ``ValueError`` for one another version wrote, or a bad one.

    Never runs code the bytes name: only the classes a state holds are found.
    """
    expected = header()
    if not snapshot.startswith(expected):
        found = snapshot[: len(expected)].decode("ascii", "replace").strip()
        msg = f"snapshot {found!r} was written by another version (this one reads {expected!r})"
        raise ValueError(msg)
    with no_gc():
        try:
            buffer = io.BytesIO(snapshot)
            buffer.seek(len(expected))
            return _Checked(buffer, fix_imports=False).load()
        except pickle.UnpicklingError as error:
            raise ValueError(str(error)) from error
        except Exception as error:
            raise ValueError(f"the snapshot is not one (malformed: {error!r})") from error
