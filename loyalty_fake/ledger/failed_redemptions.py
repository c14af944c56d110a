"""A refused redemption or rollback, as Voucherify records it (``rf_``, ``rrf_``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import attrs

if TYPE_CHECKING:
    import datetime as dt

__all__ = ["FailedRedemption"]


@attrs.frozen
class FailedRedemption:
    """A refused redemption (``rf_``) or rollback (``rrf_``), as Voucherify records it.

    The refusal's error ``key`` and ``message`` are its ``failure_code`` and
    ``failure_message``. ``redemption_id`` is the redemption a failed rollback tried to
    undo (``None`` for a failed redemption). ``customer_id`` is the card's holder then
    (``None`` for a card nobody held).
    """

    id: str
    seq: int
    created_at: dt.datetime
    card_code: str
    campaign_id: str
    customer_id: str | None
    failure_code: str
    failure_message: str
    channel_id: str
    metadata: dict[str, Any] | None = None
    redemption_id: str | None = None
    reason: str | None = None

    @property
    def is_rollback(self) -> bool:
        """Whether this is a failed rollback (``rrf_``) rather than a failed redemption."""
        return self.redemption_id is not None
