"""Ledger records as Voucherify's JSON, key for key."""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from loyalty_fake.clock import format_timestamp as _format_timestamp
from loyalty_fake.ids import IdGenerator
from loyalty_fake.ledger.customers import CUSTOMER_STRINGS
from loyalty_fake.ledger.history import CardPoints

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Sequence

    from loyalty_fake.ledger.campaigns import Campaign, Category
    from loyalty_fake.ledger.cards import LoyaltyCard, PointsBucket
    from loyalty_fake.ledger.customers import Customer
    from loyalty_fake.ledger.history import Transaction
    from loyalty_fake.ledger.publications import Publication
    from loyalty_fake.ledger.redemptions import FailedRedemption, Redemption

__all__ = [
    "ASSETS_BASE_URL",
    "activity_json",
    "balance_json",
    "bucket_json",
    "campaign_json",
    "category_json",
    "cursor_list_json",
    "customer_json",
    "loyalty_card_json",
    "member_json",
    "members_list_json",
    "publication_api_json",
    "publication_json",
    "publication_voucher_json",
    "simple_customer_json",
    "timestamp_or_none",
    "transaction_json",
    "voucher_json",
]

ASSETS_BASE_URL = "https://dl.voucherify.io/api/v1/assets"

# A card's code, asset IDs and timestamps rarely change but are printed on every
# listing; quoting and formatting them once keeps a page of members cheap.
_CACHE_SIZE = 1 << 16


@lru_cache(maxsize=_CACHE_SIZE)
def _quoted(text: str) -> str:
    # surrogatepass: a code the API would refuse may come from the Python API (derived_id).
    return quote(text, safe="", errors="surrogatepass")


@lru_cache(maxsize=_CACHE_SIZE)
def _assets(voucher_id: str) -> tuple[str, str, str, str]:
    qr = IdGenerator.asset_id(voucher_id, "qr")
    barcode = IdGenerator.asset_id(voucher_id, "barcode")
    return qr, _asset_in_url(qr), barcode, _asset_in_url(barcode)


def _asset_in_url(asset_id: str) -> str:
    # Asset IDs are base64: only these three characters need escaping in a URL path.
    return asset_id.replace("+", "%2B").replace("/", "%2F").replace("=", "%3D")


@lru_cache(maxsize=_CACHE_SIZE)
def format_timestamp(moment: dt.datetime) -> str:
    """``clock.format_timestamp``, memoized: the same moments are printed again and again."""
    return _format_timestamp(moment)


def timestamp_or_none(moment: dt.datetime | None) -> str | None:
    """``format_timestamp(moment)``, or None for no moment."""
    return format_timestamp(moment) if moment is not None else None


def category_json(category: Category) -> dict[str, Any]:
    """A category as embedded in campaigns and vouchers."""
    return {
        "id": category.id,
        "name": category.name,
        "hierarchy": category.hierarchy,
        "created_at": format_timestamp(category.created_at),
        "object": "category",
    }


def _categories(category: Category | None) -> list[dict[str, Any]]:
    return [category_json(category)] if category is not None else []


def member_json(card: LoyaltyCard, campaign: Campaign) -> dict[str, Any]:
    """A loyalty card as the members endpoints return it: exactly the seed page's keys."""
    code_in_url = _quoted(card.code)
    qr, qr_in_url, barcode, barcode_in_url = _assets(card.id)
    category = card.category
    own = card.overrides or {}
    body: dict[str, Any] = {
        "id": card.id,
        "code": card.code,
        "campaign": campaign.name,
        "campaign_id": campaign.id,
        "category": category.name if category is not None else None,
        "category_id": category.id if category is not None else None,
        "categories": _categories(category),
        "type": "LOYALTY_CARD",
        "discount": None,
        "gift": None,
        "loyalty_card": loyalty_card_json(card),
        "start_date": timestamp_or_none(own.get("start_date", campaign.start_date)),
        "expiration_date": timestamp_or_none(own.get("expiration_date", campaign.expiration_date)),
        "validity_timeframe": own.get(
            "validity_timeframe", campaign.settings.get("validity_timeframe")
        ),
        "validity_day_of_week": own.get(
            "validity_day_of_week", campaign.settings.get("validity_day_of_week")
        ),
        "active": card.active,
        "additional_info": own.get("additional_info"),
        "metadata": dict(card.metadata or {}),
        "assets": {
            "qr": {"id": qr, "url": f"{ASSETS_BASE_URL}/qr/{qr_in_url}"},
            "barcode": {
                "id": barcode,
                "url": f"{ASSETS_BASE_URL}/barcode/{barcode_in_url}",
            },
        },
        "is_referral_code": False,
        "created_at": format_timestamp(card.created_at),
        "updated_at": timestamp_or_none(card.updated_at),
        "holder_id": card.holder_id,
        "redemption": {
            "quantity": own.get("redemption_quantity", campaign.redemption_quantity),
            "redeemed_quantity": card.redeemed_quantity,
            "redeemed_points": card.redeemed_points,
            "object": "list",
            "url": f"/v1/vouchers/{code_in_url}/redemptions?page=1&limit=10",
        },
        "publish": {
            "object": "list",
            "count": card.publish_count,
            "url": f"/v1/vouchers/{code_in_url}/publications?page=1&limit=10",
        },
        "object": "voucher",
    }
    # A card nobody holds has no holder and was never updated: the schema has no null
    # for either, so they are left out (a member always has both, as the seed shows).
    if card.updated_at is None:
        del body["updated_at"]
    if card.holder_id is None:
        del body["holder_id"]
    return body


_NO_RULES = {"object": "list", "data_ref": "data", "data": [], "total": 0}


def voucher_json(card: LoyaltyCard, campaign: Campaign) -> dict[str, Any]:
    """A loyalty card through the vouchers and publications endpoints (the ``Voucher`` schema).

    As a member, minus ``discount`` and ``gift`` (the Voucher schema has no null for them),
    plus ``validation_rules_assignments``.
    """
    body = member_json(card, campaign)
    del body["discount"], body["gift"]
    rest = {key: body.pop(key) for key in ("redemption", "publish", "object")}
    body["validation_rules_assignments"] = dict(_NO_RULES)
    body.update(rest)
    return body


def loyalty_card_json(card: LoyaltyCard | CardPoints) -> dict[str, Any]:
    """A card's points (now, or as a ``CardPoints`` snapshot), shaped as the seed shows them.

    Always ``points`` and ``balance`` (the seed's fresh card has nothing else), the next
    expiry while points are due to expire, and the other counters once non-zero.
    """
    counters = card if isinstance(card, CardPoints) else CardPoints.of(card)
    body: dict[str, Any] = {"points": counters.points, "balance": counters.balance}
    if counters.next_expiration_date is not None:
        body["next_expiration_date"] = counters.next_expiration_date.isoformat()
        body["next_expiration_points"] = counters.next_expiration_points
    if counters.expired_points:
        body["expired_points"] = counters.expired_points
    if counters.subtracted_points:
        body["subtracted_points"] = counters.subtracted_points
    return body


def balance_json(transaction: Transaction, card: LoyaltyCard) -> dict[str, Any]:
    """The balance object a points change answers with, and transactions carry."""
    return {
        "points": transaction.points,
        "total": transaction.total,
        "balance": transaction.balance,
        "type": "loyalty_card",
        "object": "balance",
        "operation_type": transaction.operation_type,
        "related_object": {"type": "voucher", "id": card.id},
    }


def transaction_json(transaction: Transaction, card: LoyaltyCard) -> dict[str, Any]:
    """A loyalty card transaction."""
    balance = balance_json(transaction, card)
    details: dict[str, Any] = {"balance": balance}
    redemption = transaction.redemption
    if redemption is not None:
        # As the spec's examples show a redemption and its refund: the order (its
        # source_id null when it has none, as there), the redemption, the rollback, the reward.
        if redemption.order is not None:
            details["order"] = {"id": redemption.order.id, "source_id": redemption.order.source_id}
        details["redemption"] = {"id": redemption.id}
        if transaction.type == "POINTS_REFUND" and redemption.rollback is not None:
            details["rollback"] = {"id": redemption.rollback.id}
        details["reward"] = {"id": redemption.reward.id, "name": redemption.reward.name}
    # In transactions, Voucherify puts the related object last and the type first.
    return {
        "id": transaction.id,
        "source_id": transaction.source_id,
        "voucher_id": card.id,
        "campaign_id": card.campaign_id,
        "source": transaction.source,
        "reason": transaction.reason,
        "type": transaction.type,
        "details": details,
        "related_transaction_id": None,
        "created_at": format_timestamp(transaction.created_at),
    }


def bucket_json(bucket: PointsBucket, card: LoyaltyCard) -> dict[str, Any]:
    """A points expiration bucket; a bucket that never expires has no ``expires_at``."""
    body: dict[str, Any] = {
        "id": bucket.id,
        "voucher_id": card.id,
        "campaign_id": card.campaign_id,
        "bucket": {"total_points": bucket.points},
        "status": "ACTIVE",
    }
    if bucket.last_day is not None:
        body["expires_at"] = bucket.last_day.isoformat()
    body["created_at"] = format_timestamp(bucket.created_at)
    if bucket.updated_at is not None:
        body["updated_at"] = format_timestamp(bucket.updated_at)
    body["object"] = "loyalty_points_bucket"
    return body


def cursor_list_json(data: list[dict[str, Any]], has_more: bool) -> dict[str, Any]:
    """A cursor-paged list: ``more_starting_after`` is the last item's ID when there is more."""
    body: dict[str, Any] = {
        "object": "list",
        "data_ref": "data",
        "data": data,
        "has_more": has_more,
    }
    if has_more and data:
        body["more_starting_after"] = data[-1]["id"]
    return body


def members_list_json(cards: list[dict[str, Any]], total: int) -> dict[str, Any]:
    """The members list wrapper."""
    return {"object": "list", "data_ref": "vouchers", "vouchers": cards, "total": total}


def campaign_json(campaign: Campaign) -> dict[str, Any]:
    """A loyalty program as create and get return it."""
    category = campaign.category
    voucher: dict[str, Any] = {
        "type": "LOYALTY_CARD",
        "loyalty_card": {"points": campaign.initial_points}
        | (
            {"expiration_rules": campaign.expiration_rules.to_json()}
            if campaign.expiration_rules is not None
            else {}
        ),
        "redemption": {"quantity": campaign.redemption_quantity},
        "code_config": campaign.code_config.to_json(),
        "is_referral_code": False,
    }
    body: dict[str, Any] = {
        "id": campaign.id,
        "name": campaign.name,
        "description": campaign.description,
        "campaign_type": "LOYALTY_PROGRAM",
        "type": campaign.type,
        "voucher": voucher,
        "auto_join": campaign.auto_join,
        "join_once": campaign.join_once,
        "use_voucher_metadata_schema": campaign.settings.get("use_voucher_metadata_schema", False),
        **{
            key: campaign.settings[key]
            for key in (
                "validity_timeframe",
                "validity_day_of_week",
                "validity_hours",
                "activity_duration_after_publishing",
            )
            if key in campaign.settings
        },
        "start_date": timestamp_or_none(campaign.start_date),
        "expiration_date": timestamp_or_none(campaign.expiration_date),
        "vouchers_count": campaign.vouchers_count,
        "active": campaign.active,
        "metadata": dict(campaign.metadata),
        "created_at": format_timestamp(campaign.created_at),
        "updated_at": timestamp_or_none(campaign.updated_at),
        "category": category.name if category is not None else None,
        "category_id": category.id if category is not None else None,
        "categories": _categories(category),
        "creation_status": "DONE",
        "vouchers_generation_status": "DONE",
        "readonly": False,
        "protected": False,
        "validation_rules_assignments": {
            "object": "list",
            "data_ref": "data",
            "data": [],
            "total": 0,
        },
        "object": "campaign",
    }
    # The schema types these as plain strings (not nullable) and Voucherify's own
    # examples leave them out when unset, so an unset one is omitted, not null.
    for key in ("description", "start_date", "expiration_date", "updated_at", "category"):
        if body[key] is None:
            del body[key]
    return body


def customer_json(
    customer: Customer,
    held: list[tuple[Campaign, LoyaltyCard]],
    failures: Sequence[FailedRedemption],
) -> dict[str, Any]:
    """The customer object of ``GET /v1/customers/{id}``, loyalty summary included.

    ``held`` is every (program, card) the customer holds, ``failures`` their failed
    redemptions and rollbacks. ``loyalty.points`` and each program's ``points`` are
    balances ("remaining point balance in campaign"). ``total_redeemed`` counts every
    redemption, succeeded or failed, and ``total_rolled_back`` every rollback.
    """
    body: dict[str, Any] = {"id": customer.id, "source_id": customer.source_id}
    for key in CUSTOMER_STRINGS:
        value = getattr(customer, key)
        if value is not None:
            body[key] = value
    balance = sum(card.balance for _, card in held)
    redeemed = sum(card.redeemed_points for _, card in held)
    redemptions = [made for _, card in held for made in card.redemptions()]
    rolled_back = sum(made.rollback is not None for made in redemptions)
    failed_rollbacks = sum(failed.is_rollback for failed in failures)
    failed = len(failures) - failed_rollbacks
    body.update(
        {
            "address": customer.address,
            "summary": {
                "redemptions": {
                    "total_redeemed": len(redemptions) + failed,
                    "total_failed": failed,
                    "total_succeeded": len(redemptions),
                    "total_rolled_back": rolled_back + failed_rollbacks,
                    "total_rollback_failed": failed_rollbacks,
                    "total_rollback_succeeded": rolled_back,
                    "gift": {"redeemed_amount": 0, "amount_to_go": 0},
                    "loyalty_card": {"redeemed_points": redeemed, "points_to_go": balance},
                },
                "orders": {
                    "total_amount": 0,
                    "total_count": 0,
                    "average_amount": 0,
                    "last_order_amount": 0,
                },
            },
            "loyalty": {
                "points": balance,
                "referred_customers": 0,
                "campaigns": {
                    campaign.name: {"points": card.balance, "referred_customers": 0}
                    for campaign, card in held
                },
            },
            "referrals": {"total": 0, "campaigns": []},
            "metadata": dict(customer.metadata or {}),
            "system_metadata": {},
            "created_at": format_timestamp(customer.created_at),
        }
    )
    if customer.updated_at is not None:
        body["updated_at"] = format_timestamp(customer.updated_at)
    body["object"] = "customer"
    return body


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


def simple_customer_json(customer: Customer) -> dict[str, Any]:
    """A customer as redemptions and events embed it (Voucherify's ``SimpleCustomer``)."""
    body: dict[str, Any] = {"id": customer.id, "source_id": customer.source_id}
    if customer.name is not None:
        body["name"] = customer.name
    if customer.email is not None:
        body["email"] = customer.email
    body["metadata"] = dict(customer.metadata or {})
    body["object"] = "customer"
    return body


def _simple_campaign(campaign: Campaign) -> dict[str, Any]:
    return {
        "id": campaign.id,
        "name": campaign.name,
        "campaign_type": "LOYALTY_PROGRAM",
        "type": campaign.type,
        "is_referral_code": False,
        "auto_join": campaign.auto_join,
        "join_once": campaign.join_once,
        "active": campaign.active,
        "created_at": format_timestamp(campaign.created_at),
        "object": "campaign",
    }


def _simple_voucher(card: LoyaltyCard, campaign: Campaign, counters: CardPoints) -> dict[str, Any]:
    return {
        "id": card.id,
        "code": card.code,
        "campaign": campaign.name,
        "campaign_id": campaign.id,
        "type": "LOYALTY_CARD",
        "loyalty_card": loyalty_card_json(counters),
        "is_referral_code": False,
        "holder_id": card.holder_id,
        "created_at": format_timestamp(card.created_at),
        "object": "voucher",
    }


def _event(
    event_id: str, kind: str, created_at: dt.datetime, payload: dict[str, Any], channel: str
) -> dict[str, Any]:
    # The payload sits at data.data beside data.event_source, as the spec's MemberActivity
    # nests it; the official SDK drops a flat payload without a word.
    return {
        "id": event_id,
        "type": kind,
        "data": {"data": payload, "event_source": {"channel": channel}},
        "created_at": format_timestamp(created_at),
    }


def _counters_before(card: LoyaltyCard, seq: int) -> CardPoints:
    """The card's counters just before the record numbered ``seq``."""
    earlier = [t for t in card.transactions if t.seq < seq]
    return earlier[-1].card_points if earlier else CardPoints()


# Spending points is a reward redemption in the activity feed, and its rollback the same
# redemption rolled back (the spec's MemberActivity types).
_EVENT_TYPES = {
    "POINTS_REDEMPTION": "customer.reward_redemptions.created",
    "POINTS_REFUND": "customer.reward_redemptions.rolledback",
}


def _event_reward(redemption: Redemption) -> dict[str, Any]:
    reward = redemption.reward
    return {
        "assignment_id": redemption.assignment_id,
        "id": reward.id,
        "object": "reward",
        "name": reward.name,
        "created_at": format_timestamp(reward.created_at),
        "updated_at": timestamp_or_none(reward.updated_at),
        "parameters": reward.parameters,
        "type": reward.type,
    }


def activity_json(
    card: LoyaltyCard, campaign: Campaign, holder: Customer | None
) -> list[tuple[tuple[dt.datetime, int], dict[str, Any]]]:
    """A member's events, each with its sort key ``(created_at, seq)``, oldest first.

    Voucherify has no "points removed" event type: a removal is a ``points_added``
    event whose ``balance.points`` is negative, as that type's payload allows.
    """
    base: dict[str, Any] = {}
    if holder is not None:
        base["customer"] = simple_customer_json(holder)
    base["campaign"] = _simple_campaign(campaign)
    events: list[tuple[tuple[dt.datetime, int], dict[str, Any]]] = []
    publication = card.publication
    if publication is not None:
        payload = {
            **base,
            "publication": {
                **publication_json(publication),
                "voucher": _simple_voucher(card, campaign, _counters_before(card, publication.seq)),
            },
        }
        events.append(
            (
                (publication.created_at, publication.seq),
                _event(
                    publication.event_id,
                    "customer.publication.succeeded",
                    publication.created_at,
                    payload,
                    "API",
                ),
            )
        )
    for transaction in card.transactions:
        payload = {**base, "voucher": _simple_voucher(card, campaign, transaction.card_points)}
        if transaction.type == "POINTS_EXPIRATION":
            kind, channel = "customer.voucher.loyalty_card.points_expired", "INTERNAL"
            payload["points"] = -transaction.points
            if transaction.bucket is not None:
                bucket = bucket_json(transaction.bucket, card)
                bucket["bucket"] = {"total_points": -transaction.points}
                bucket["status"] = "EXPIRED"
                payload["buckets"] = [bucket]
        else:
            kind, channel = (
                _EVENT_TYPES.get(transaction.type, "customer.voucher.loyalty_card.points_added"),
                "API",
            )
            payload["balance"] = balance_json(transaction, card)
            if transaction.redemption is not None:
                payload["reward"] = _event_reward(transaction.redemption)
        payload["transaction"] = transaction_json(transaction, card)
        events.append(
            (
                (transaction.created_at, transaction.seq),
                _event(transaction.event_id, kind, transaction.created_at, payload, channel),
            )
        )
    events.sort(key=lambda item: item[0])
    return events


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
