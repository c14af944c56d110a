"""What changing a loyalty program does to its cards: published ones keep what they had.

Split from ``campaigns.py`` (module length): the cards' side of ``Campaigns.update``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from loyalty_fake.ledger.cards import note_card
from loyalty_fake.ledger.project import note_project

if TYPE_CHECKING:
    from collections.abc import Mapping

    from loyalty_fake.ledger.campaigns import Campaign, Category
    from loyalty_fake.ledger.project import Project
    from loyalty_fake.ledger.undo import UndoLog

__all__ = ["PROGRAM_SETTINGS", "keep_published_cards_as_they_are", "recategorize"]

# Program settings kept as given and echoed back; PUT may change them.
PROGRAM_SETTINGS = (
    "validity_timeframe",
    "validity_day_of_week",
    "validity_hours",
    "activity_duration_after_publishing",
    "loyalty_tiers_expiration",
)


def keep_published_cards_as_they_are(
    project: Project, campaign: Campaign, changes: Mapping[str, Any], undo: UndoLog | None
) -> None:
    """Before a program's dates or validity change, its published cards keep the old ones."""
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
                note_card(undo, card)
                if card.overrides is not None:
                    undo.keep(card.overrides)
            own = card.overrides if card.overrides is not None else {}
            for key in moving:
                own.setdefault(key, current[key])
            card.overrides = own


def recategorize(
    project: Project, campaign: Campaign, category: Category, undo: UndoLog | None
) -> None:
    """Move a program, and its unpublished cards, to ``category``."""
    # "This method will update the loyalty cards which have not been published".
    if undo is not None:
        note_project(undo, project)
    project.categories_by_name.setdefault(category.name, category)
    campaign.category = category
    for card in project.cards.values():
        if card.campaign_id == campaign.id and card.holder_id is None:
            if undo is not None:
                note_card(undo, card)
            card.category = category
