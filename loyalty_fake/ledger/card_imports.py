"""A loyalty card imported with its score: the CSV import's ``Loyalty Points`` column.

"The number of points to be added to the loyalty card. If you leave this undefined, then the
initial number of points will be set according to the campaign settings" (the spec's
``POST /v1/campaigns/{campaignId}/importCSV``): a card imported with ``Loyalty Points`` holds
that many points instead of its program's initial points.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from loyalty_fake import errors
from loyalty_fake.ledger.cards import MAX_POINTS, note_card
from loyalty_fake.ledger.project import note_sequence

if TYPE_CHECKING:
    from loyalty_fake.ledger.history import TransactionType
    from loyalty_fake.ledger.session import Session

__all__ = ["check_imported_points", "set_imported_points"]

_REASON = "Loyalty Points of a CSV import"


def check_imported_points(points: int) -> None:
    """400 ``invalid_payload`` unless ``0 <= points <= MAX_POINTS``."""
    if not 0 <= points <= MAX_POINTS:
        bound = f"<= {MAX_POINTS}" if points > 0 else ">= 0"
        raise errors.invalid_payload(f"Loyalty Points must be {bound}")


def set_imported_points(session: Session, code: str, points: int) -> None:
    """Bring the card ``code``, just made, to ``points``; 400 past ``MAX_POINTS``.

    Its program's initial points stay recorded, then the difference is added
    (``POINTS_ADDITION``) or removed (``POINTS_REMOVAL``), so that its transactions still sum
    to its balance.
    """
    check_imported_points(points)
    project = session.project
    card = session.cards.get(code)
    campaign = project.campaigns[card.campaign_id]
    difference = points - card.balance
    if not difference:
        return
    now = session.clock.now()
    undo = session.undo
    if undo is not None:
        note_card(undo, card)
        note_sequence(undo, project)
    ledger = session.points
    if difference > 0:
        ledger.earn(project, card, difference, ledger.last_day(campaign, now), now)
        card.points += difference
        kind: TransactionType = "POINTS_ADDITION"
    else:
        ledger.spend(card, -difference, now)
        card.subtracted_points -= difference
        kind = "POINTS_REMOVAL"
    ledger.record(
        project,
        card,
        kind,
        difference,
        now,
        reason=_REASON,
        source=None,
        operation_type="AUTOMATIC",
    )
