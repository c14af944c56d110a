"""``Served``: what a server serves, the ledger and Voucherify's HTTP app over it."""

from __future__ import annotations

from typing import TYPE_CHECKING

import attrs

if TYPE_CHECKING:
    from loyalty_fake.clock import Clock
    from loyalty_fake.fake import LoyaltyFake
    from loyalty_fake.http.app import FakeVoucherifyApp
    from loyalty_fake.ledger import Ledger

__all__ = ["Served", "served"]


@attrs.frozen
class Served:
    """The ledger, the HTTP app that answers Voucherify's API over it, and one setting.

    ``app_id`` is the project ``/_fake/seed`` fills when its body names none.
    """

    ledger: Ledger
    app: FakeVoucherifyApp
    app_id: str

    @property
    def clock(self) -> Clock:
        """The ledger's clock (what the control plane reads and moves)."""
        return self.ledger.clock


def served(value: Served | LoyaltyFake) -> Served:
    """``value`` itself, or the parts of a ``LoyaltyFake`` that a server serves.

    Lets ``ServerApp(fake)`` keep working while the server depends on no ``LoyaltyFake``.
    """
    if isinstance(value, Served):
        return value
    return Served(value.ledger, value.app, value.app_id)
