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
from loyalty_fake.http.vouchers_json import gift_json
from loyalty_fake.ledger.cards import LoyaltyCard

if TYPE_CHECKING:
    from loyalty_fake.ledger.campaigns import Campaign
    from loyalty_fake.ledger.customers import Customer
    from loyalty_fake.ledger.publications import Publication
    from loyalty_fake.ledger.vouchers import Voucher

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
        "vouchers_id": publication.vouchers_id,
        "source_id": publication.source_id,
        "channel": publication.channel,
        "metadata": dict(publication.metadata or {}),
        "result": publication.result,
        # A publication of several vouchers: every code (voucher_code is the first).
        **({"vouchers": list(publication.codes)} if publication.more_codes else {}),
    }


def publication_api_json(
    publication: Publication,
    customer: Customer,
    customer_body: dict[str, Any],
    voucher: dict[str, Any] | None,
) -> dict[str, Any]:
    """A publication as ``POST /v1/publications`` and ``GET /v1/publications`` return it.

    ``customer_body`` is the customer as ``customer_json`` writes it; ``voucher`` is
    the full voucher (create) or the short list form (list); ``None`` for a publication
    of several vouchers, which names their codes in ``vouchers`` instead.
    """
    body: dict[str, Any] = {
        "id": publication.id,
        "object": "publication",
        "created_at": format_timestamp(publication.created_at),
        "customer_id": publication.customer_id,
        "tracking_id": customer.source_id,
        "metadata": dict(publication.metadata or {}),
        "channel": publication.channel,
        "source_id": publication.source_id,
        "result": publication.result,
        "customer": customer_body,
    }
    if voucher is not None:
        body["voucher"] = voucher
    else:
        body["vouchers"] = list(publication.codes)
    body["vouchers_id"] = publication.vouchers_id
    return body


def publication_voucher_json(
    found: LoyaltyCard | Voucher, campaign: Campaign | None
) -> dict[str, Any]:
    """The short voucher a publications list shows: its code, campaign and value.

    A standalone voucher's ``campaign`` is ``null``, as in the spec's own example.
    """
    body: dict[str, Any] = {
        "code": found.code,
        "object": "voucher",
        "campaign": campaign.name if campaign is not None else None,
    }
    if isinstance(found, LoyaltyCard):
        body["loyalty_card"] = loyalty_card_json(found)
    elif found.type == "DISCOUNT_VOUCHER":
        body["discount"] = dict(found.discount or {})
    else:
        body["gift"] = gift_json(found)
    body["is_referral_code"] = False
    return body


def _publication(voucher: str) -> Schema:
    """A publication with one ``voucher`` (of the schema named), or several codes."""
    schema = obj(
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
            "vouchers_id": _IDS,
        },
        {"voucher": ref(voucher), "vouchers": _CODES},
    )
    schema["oneOf"] = [{"required": ["voucher"]}, {"required": ["vouchers"]}]
    return schema


# At most 50 vouchers a publication (the spec's campaign.count).
_IDS: Schema = {"type": "array", "items": STRING, "minItems": 1, "maxItems": 50}
_CODES: Schema = {"type": "array", "items": STRING, "minItems": 2, "maxItems": 50}


SCHEMAS: dict[str, Schema] = {
    "PublicationRecord": obj(
        {
            "id": STRING,
            "object": const("publication"),
            "created_at": TIMESTAMP,
            "customer_id": STRING,
            "campaign": nullable(STRING),
            "campaign_id": nullable(STRING),
            "voucher_code": STRING,
            "vouchers_id": _IDS,
            "source_id": nullable(STRING),
            "channel": nullable(STRING),
            "metadata": FREE_OBJECT,
            "result": const("SUCCESS"),
        },
        {"vouchers": _CODES},
    ),
    "ShortVoucher": obj(
        {
            "code": STRING,
            "object": const("voucher"),
            "campaign": nullable(STRING),
            "is_referral_code": const(value=False),
        },
        {
            "loyalty_card": ref("LoyaltyCardPoints"),
            "discount": ref("DiscountObject"),
            "gift": ref("GiftObject"),
        },
    ),
    "Publication": _publication("AnyVoucher"),
    "ListedPublication": _publication("ShortVoucher"),
    "PublicationsList": page_list("publications", ref("ListedPublication")),
}
