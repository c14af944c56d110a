"""``POST /v1/loyalties/{campaignId}/members/{memberId}/transfers``: points from other cards."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from loyalty_fake import errors
from loyalty_fake.http.cards_json import member_json
from loyalty_fake.http.common_json import STRING, Schema
from loyalty_fake.http.declare import Operation, Route
from loyalty_fake.http.imports import json_array
from loyalty_fake.http.members import MEMBER
from loyalty_fake.http.params import MAX_INTEGER, Body
from loyalty_fake.ledger.transfers import TransferEntry

if TYPE_CHECKING:
    from loyalty_fake.http.declare import Call

__all__ = ["PATH_PARAMETERS", "ROUTES"]

PATH_PARAMETERS: dict[str, str] = {}

# LoyaltiesMembersTransfersCreateRequestBody: an array of LoyaltiesTransferPoints.
_TRANSFERS: Schema = {
    "type": "array",
    "minItems": 1,
    "items": {
        "type": "object",
        "required": ["code", "points", "source_id"],
        "properties": {
            "code": STRING,
            "points": {"type": "integer", "minimum": 1, "maximum": MAX_INTEGER},
            "reason": STRING,
            "source_id": STRING,
        },
    },
}


def transfer_points(call: Call) -> tuple[int, Any]:
    """Move each entry's points from its card to the member's card; answers that card."""
    entries = []
    items = json_array(call)
    if not items:
        raise errors.invalid_payload("Payload must NOT have fewer than 1 items")
    for index, item in enumerate(items):
        body = Body(item, f"[{index}]")
        for key in ("code", "points", "source_id"):
            body.require(key)
        entries.append(
            TransferEntry(
                code=body.string("code", non_empty=True) or "",
                points=body.integer("points", minimum=1) or 0,
                source_id=body.string("source_id") or "",
                reason=body.string("reason"),
            )
        )
    session = call.session
    card = session.transfers.transfer(call.params["memberId"], call.params["campaignId"], entries)
    return 200, member_json(card, session.campaigns.get(card.campaign_id))


ROUTES: tuple[Route, ...] = (
    Route(
        "POST",
        f"{MEMBER}/transfers",
        transfer_points,
        Operation(
            "transfer_points",
            "Transfer points from other cards to a member's card",
            "LoyaltyMember",
            body=_TRANSFERS,
        ),
    ),
)
