"""What ``LoyaltyFake`` shows of a project's state straight from the ledger, not over HTTP."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from loyalty_fake.http.cards_json import member_json
from loyalty_fake.http.customers_json import customers_json
from loyalty_fake.http.publications_json import publication_json

if TYPE_CHECKING:
    from loyalty_fake.ledger import Ledger

__all__ = ["StateReads"]


class StateReads:
    """Reads of a project's cards, publications and customers (``LoyaltyFake``'s)."""

    __slots__ = ()
    ledger: Ledger
    app_id: str

    def card(self, code: str, *, app_id: str | None = None) -> dict[str, Any]:
        """A card (published or not) as the members endpoints show it."""
        with self.ledger.session(app_id or self.app_id) as session:
            card = session.cards.get(code)
            return member_json(card, session.campaigns.get(card.campaign_id))

    def cards(self, campaign: str, *, app_id: str | None = None) -> list[dict[str, Any]]:
        """Every card of a program, published or not, oldest first."""
        with self.ledger.session(app_id or self.app_id) as session:
            found = session.campaigns.get(campaign)
            return [member_json(card, found) for card in session.cards.of_campaign(campaign)]

    def publications(self, *, app_id: str | None = None) -> list[dict[str, Any]]:
        """Every publication (card assignment), oldest first, with ``metadata`` and ``channel``."""
        with self.ledger.session(app_id or self.app_id) as session:
            return [publication_json(p) for p in session.publications.all()]

    def customers(self, *, app_id: str | None = None) -> list[dict[str, Any]]:
        """Every customer the project knows, oldest first."""
        with self.ledger.session(app_id or self.app_id) as session:
            return customers_json(session, session.customers.all())
