"""Where seeding writes a member's history: the requests' own path, or ``BulkWriter``.

``seeding.py`` draws the members and their histories; a writer records them. The
requests' path (``RequestWriter``) is exact whatever the project holds; ``BulkWriter``
(``bulk_seed.py``) writes the same state faster where ``bulk_ready`` says it may.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

from loyalty_fake.ledger.customers import CustomerRef

if TYPE_CHECKING:
    import datetime as dt

    from loyalty_fake.ledger.cards import LoyaltyCard
    from loyalty_fake.ledger.session import Session

__all__ = ["SEED_ADDRESS", "RequestWriter", "SeedProfile", "SeedWriter", "profile_dict"]

# The fields of a seeded member's address, in the order ``SeedProfile`` gives them.
SEED_ADDRESS = ("line_1", "city", "postal_code", "country")
# A seeded member's profile: name, email, phone, the address's ``SEED_ADDRESS`` values,
# and the metadata's (flat) items. A tuple, not the request's dict of dicts: the bulk
# writer stores the address packed and the metadata shared, and building the dicts only
# to take them apart again cost a million of each.
SeedProfile = tuple[str, str, str, tuple[str, str, str, str], tuple[tuple[str, Any], ...]]


def profile_dict(profile: SeedProfile) -> dict[str, Any]:
    """``profile`` as the profile fields a request gives (``CustomerRef.profile``)."""
    name, email, phone, address, metadata = profile
    return {
        "name": name,
        "email": email,
        "phone": phone,
        "address": dict(zip(SEED_ADDRESS, address, strict=True)),
        "metadata": dict(metadata),
    }


class SeedWriter(Protocol):
    """Where a member's history is written: the requests' own path, or ``BulkWriter``."""

    def request(self, at: dt.datetime) -> Session:
        """The session, its clock at ``at``."""

    def settle(self, at: dt.datetime) -> None:
        """Do what has fallen due by ``at``."""

    def join(self, source_id: str, profile: SeedProfile, at: dt.datetime) -> LoyaltyCard:
        """Make the customer ``source_id`` with ``profile`` a member; their card."""

    def add(
        self, card: LoyaltyCard, points: int, at: dt.datetime, reason: str, *, expiring: bool = True
    ) -> None:
        """Add points, expiring by the program's rules unless not ``expiring``."""

    def remove(self, card: LoyaltyCard, points: int, at: dt.datetime, reason: str) -> None:
        """Remove points."""


class RequestWriter:
    """A member's history written request by request (``bulk_ready`` said bulk is not exact)."""

    def __init__(self, session: Session, program_id: str) -> None:
        """Write into the program ``program_id`` through ``session``'s requests."""
        self._session = session
        self._program_id = program_id

    def request(self, at: dt.datetime) -> Session:
        """The session, its clock at ``at``."""
        self._session.clock.set(at)
        return self._session

    def settle(self, at: dt.datetime) -> None:
        """Do what has fallen due by ``at``, as a session opened then does."""
        self.request(at).settle()

    def join(self, source_id: str, profile: SeedProfile, at: dt.datetime) -> LoyaltyCard:
        """Add the customer ``source_id`` with ``profile`` as a member (``Members.add``)."""
        customer = CustomerRef(source_id=source_id, profile=profile_dict(profile))
        return self.request(at).members.add(self._program_id, customer=customer)

    def add(
        self, card: LoyaltyCard, points: int, at: dt.datetime, reason: str, *, expiring: bool = True
    ) -> None:
        """Add points (``Points.change_balance``)."""
        self.request(at).points.change_balance(
            card.code, points, expiration_type=None if expiring else "NON_EXPIRING", reason=reason
        )

    def remove(self, card: LoyaltyCard, points: int, at: dt.datetime, reason: str) -> None:
        """Remove points (``Points.change_balance``)."""
        self.request(at).points.change_balance(card.code, -points, reason=reason)
