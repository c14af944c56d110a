"""Publications as Voucherify's JSON, with their schemas."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from loyalty_fake.http.cards_json import loyalty_card_json
from loyalty_fake.http.common_json import (
    FREE_OBJECT,
    STRING,
    TIMESTAMP,
    Schema,
    const,
    format_timestamp,
    nullable,
    obj,
    page_list,
    ref,
)
from loyalty_fake.http.customers_json import customer_json

if TYPE_CHECKING:
    from collections.abc import Sequence

    from loyalty_fake.ledger.campaigns import Campaign
    from loyalty_fake.ledger.cards import LoyaltyCard
    from loyalty_fake.ledger.customers import Customer
    from loyalty_fake.ledger.publications import Publication
    from loyalty_fake.ledger.redemptions import FailedRedemption

__all__ = [
    "SCHEMAS",
    "publication_api_json",
    "publication_json",
    "publication_voucher_json",
]


def publication_json(publication: Publication) -> dict[str, Any]:
    """A publication record, as the Python API and later the publications list show it."""
    return {
        "id": publication.id,
        "object": "publication",
        "created_at": format_timestamp(publication.created_at),
        "customer_id": publication.customer_id,
        "campaign": publication.campaign_name,
        "campaign_id": publication.campaign_id,
        "voucher_code": publication.voucher_code,
        "vouchers_id": [publication.voucher_id],
        "source_id": publication.source_id,
        "channel": publication.channel,
        "metadata": dict(publication.metadata or {}),
        "result": publication.result,
    }


def publication_api_json(
    publication: Publication,
    customer: Customer,
    held: list[tuple[Campaign, LoyaltyCard]],
    failures: Sequence[FailedRedemption],
    voucher: dict[str, Any],
) -> dict[str, Any]:
    """A publication as ``POST /v1/publications`` and ``GET /v1/publications`` return it.

    ``held`` and ``failures`` are the customer's (see ``customer_json``); ``voucher`` is
    the full voucher (create) or the short list form (list).
    """
    return {
        "id": publication.id,
        "object": "publication",
        "created_at": format_timestamp(publication.created_at),
        "customer_id": publication.customer_id,
        "tracking_id": customer.source_id,
        "metadata": dict(publication.metadata or {}),
        "channel": publication.channel,
        "source_id": publication.source_id,
        "result": publication.result,
        "customer": customer_json(customer, held, failures),
        "voucher": voucher,
        "vouchers_id": [publication.voucher_id],
    }


def publication_voucher_json(card: LoyaltyCard, campaign: Campaign) -> dict[str, Any]:
    """The short voucher a publications list shows."""
    return {
        "code": card.code,
        "object": "voucher",
        "campaign": campaign.name,
        "loyalty_card": loyalty_card_json(card),
        "is_referral_code": False,
    }


def _publication(voucher: str) -> Schema:
    return obj(
        {
            "id": STRING,
            "object": const("publication"),
            "created_at": TIMESTAMP,
            "customer_id": STRING,
            "tracking_id": nullable(STRING),
            "metadata": FREE_OBJECT,
            "channel": nullable(STRING),
            "source_id": nullable(STRING),
            "result": const("SUCCESS"),
            "customer": ref("Customer"),
            "voucher": ref(voucher),
            "vouchers_id": {"type": "array", "items": STRING, "minItems": 1, "maxItems": 1},
        }
    )


SCHEMAS: dict[str, Schema] = {
    "PublicationRecord": obj(
        {
            "id": STRING,
            "object": const("publication"),
            "created_at": TIMESTAMP,
            "customer_id": STRING,
            "campaign": STRING,
            "campaign_id": STRING,
            "voucher_code": STRING,
            "vouchers_id": {"type": "array", "items": STRING, "minItems": 1, "maxItems": 1},
            "source_id": nullable(STRING),
            "channel": nullable(STRING),
            "metadata": FREE_OBJECT,
            "result": const("SUCCESS"),
        }
    ),
    "ShortVoucher": obj(
        {
            "code": STRING,
            "object": const("voucher"),
            "campaign": STRING,
            "loyalty_card": ref("LoyaltyCardPoints"),
            "is_referral_code": const(value=False),
        }
    ),
    "Publication": _publication("Voucher"),
    "ListedPublication": _publication("ShortVoucher"),
    "PublicationsList": page_list("publications", ref("ListedPublication")),
}
