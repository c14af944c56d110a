"""A loyalty redemption's ``channel``: API, or AUTO_REDEEM for a reward redeemed automatically."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from loyalty_fake.http.common_json import STRING, Schema, const, enum, obj

if TYPE_CHECKING:
    from loyalty_fake.ledger.redemptions import Redemption, Rollback

__all__ = ["channel_json", "channel_schema"]


def channel_json(redemption: Redemption, rollback: Rollback | None) -> dict[str, Any]:
    """The redemption's channel; a rollback's is the API of the app that made it.

    An automatic redemption's ``channel_id`` is its reward assignment (the spec).
    """
    if rollback is None:
        return {"channel_id": redemption.channel_id, "channel_type": redemption.channel_type}
    return {"channel_id": rollback.channel_id or redemption.channel_id, "channel_type": "API"}


def channel_schema(*, rollback: bool) -> Schema:
    """What ``channel_json`` answers: a rollback's type is API only (the spec's enum)."""
    kind = const("API") if rollback else enum("API", "AUTO_REDEEM")
    return obj({"channel_id": STRING, "channel_type": kind})
