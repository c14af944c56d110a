"""What each kind of export reads: its records as the API shows them, and its CSV fields.

Each ``exported_object`` has a ``Source``: the fields Voucherify lets it export (the spec's
``Export*Fields`` enums), the defaults when none are asked for (POST /v1/exports's
"Defaults" table), the orders it takes (``Export*Order``), the fields it filters on, and
the rows: every record as its API object, read by field (``value``). A field's value is
the API's own (an amount in the smallest currency unit, a timestamp as the API prints it).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import attrs

from loyalty_fake.clock import parse_timestamp
from loyalty_fake.filters import FilterField, Kind
from loyalty_fake.http.customers import customer_body
from loyalty_fake.http.customers_json import REDEMPTION_TOTALS
from loyalty_fake.http.orders_json import synced_order_json
from loyalty_fake.http.points_json import bucket_json, transaction_json
from loyalty_fake.http.publications import publication_body
from loyalty_fake.http.stacking import redemption_entry_json
from loyalty_fake.http.vouchers import voucher_body
from loyalty_fake.http.vouchers_json import gift_transaction_json

if TYPE_CHECKING:
    from collections.abc import Callable

    from loyalty_fake.http.declare import Call

__all__ = ["SOURCES", "Row", "Scope", "Source", "cell"]

# A record as its API object, with what the fields read that the object does not show.
Row = dict[str, Any]
# What a scoped export (a campaign's, a card's) keeps: field -> the only value it may have.
Scope = dict[str, str]

_TIMESTAMPS = frozenset({"created_at", "updated_at", "date", "expires_at", "start_date"})


def _path(*keys: str) -> Callable[[Row], Any]:
    def read(row: Row) -> Any:
        found: Any = row
        for key in keys:
            if not isinstance(found, dict):
                return None
            found = found.get(key)
        return found

    return read


@attrs.frozen
class Source:
    """One ``exported_object``: its fields, defaults, orders, filters and rows."""

    fields: tuple[str, ...]
    defaults: tuple[str, ...]
    orders: tuple[str, ...]
    filters: tuple[str, ...]
    rows: Callable[[Call], list[Row]]
    # Fields whose value is not the API object's key of the same name.
    paths: dict[str, Callable[[Row], Any]] = attrs.field(factory=dict)
    metadata: bool = False

    def value(self, row: Row, field: str) -> Any:
        """``field`` of ``row`` (``metadata.<key>`` one metadata key)."""
        if field.startswith("metadata.") and self.metadata:
            return _path("metadata", field.removeprefix("metadata."))(row)
        read = self.paths.get(field)
        return read(row) if read is not None else row.get(field)

    def filter_fields(self) -> dict[str, FilterField]:
        """The fields a filter may name, each with the kind its values compare as."""
        return {name: FilterField(_kind(name)) for name in self.filters}

    def record(self, row: Row) -> dict[str, Any]:
        """``row``'s filterable fields as typed values (timestamps as moments)."""
        record: dict[str, Any] = {}
        for name in self.filters:
            found = self.value(row, name)
            if name in _TIMESTAMPS and isinstance(found, str):
                found = parse_timestamp(found)
            record[name] = found
        for key, found in (row.get("metadata") or {}).items():
            record[f"metadata.{key}"] = found
        return record


def _kind(name: str) -> Kind:
    if name in _TIMESTAMPS:
        return Kind.DATE_TIME
    if name in {"active", "is_referral_code", "is_winner"}:
        return Kind.BOOLEAN
    if name in {"amount", "points", "balance", "total_amount", "discount_amount"}:
        return Kind.NUMBER
    return Kind.STRING


def cell(value: Any) -> str:
    """A value as its CSV cell: nothing for no value, JSON for objects and booleans."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


# -- the rows of each kind ---------------------------------------------------------------------


def _vouchers(call: Call) -> list[Row]:
    project = call.session.project
    rows = []
    for found in call.session.vouchers.every():
        row = voucher_body(call, found)
        holder = project.customers.get(row.get("holder_id") or "")
        row["customer_source_id"] = holder.source_id if holder is not None else None
        rows.append(row)
    return rows


def _customers(call: Call) -> list[Row]:
    return [customer_body(call, customer) for customer in call.session.customers.all()]


def _orders(call: Call) -> list[Row]:
    return [synced_order_json(order) for order in call.session.project.orders.values()]


def _publications(call: Call) -> list[Row]:
    return [publication_body(call, found) for found in call.session.publications.all()]


def _redemptions(call: Call) -> list[Row]:
    entries = call.session.stacking.entries(
        result=None,
        campaign=None,
        customer=None,
        order="created_at",
        after=None,
        before=None,
        filters=None,
        now=call.session.clock.now(),
    )
    return [redemption_entry_json(call, kind, record) for kind, record in entries]


def _points_expirations(call: Call) -> list[Row]:
    session = call.session
    return [
        bucket_json(bucket, card)
        for campaign in session.project.campaigns.values()
        if campaign.is_loyalty_program and not campaign.in_bin
        for card in session.cards.of_campaign(campaign.id)
        for bucket in card.buckets
    ]


def _transactions(call: Call) -> list[Row]:
    session = call.session
    entries: list[tuple[int, Row]] = []
    for campaign in session.project.campaigns.values():
        if campaign.is_loyalty_program and not campaign.in_bin:
            entries.extend(
                (transaction.seq, transaction_json(transaction, card))
                for card in session.cards.of_campaign(campaign.id)
                for transaction in card.transactions
            )
    for voucher in session.project.vouchers.values():
        if voucher.transactions and not voucher.in_bin:
            gift_campaign = session.vouchers.campaign_of(voucher)
            entries.extend(
                (move.seq, gift_transaction_json(move, voucher, gift_campaign))
                for move in voucher.transactions
            )
    entries.sort(key=lambda entry: entry[0])
    return [row for _, row in entries]


def _balance(key: str) -> Callable[[Row], Any]:
    def read(row: Row) -> Any:
        balance = _path("details", "balance")(row) or {}
        if key == "amount":
            return balance.get("points", balance.get("amount"))
        return balance.get(key)

    return read


def _voucher_value(row: Row) -> Any:
    discount = row.get("discount") or {}
    for key in ("amount_off", "percent_off", "unit_off", "fixed_amount"):
        if discount.get(key) is not None:
            return discount[key]
    gift = row.get("gift") or {}
    if gift.get("amount") is not None:
        return gift["amount"]
    return _path("loyalty_card", "points")(row)


_VOUCHER_PATHS: dict[str, Callable[[Row], Any]] = {
    "voucher_type": _path("type"),
    "value": _voucher_value,
    "formula": _path("discount", "amount_off_formula"),
    "discount_type": _path("discount", "type"),
    "gift_balance": _path("gift", "balance"),
    "loyalty_balance": _path("loyalty_card", "balance"),
    "redemption_quantity": _path("redemption", "quantity"),
    "redemption_count": _path("redemption", "redeemed_quantity"),
    "qr_code": _path("assets", "qr", "url"),
    "bar_code": _path("assets", "barcode", "url"),
    "validity_timeframe_interval": _path("validity_timeframe", "interval"),
    "validity_timeframe_duration": _path("validity_timeframe", "duration"),
    "discount_amount_limit": _path("discount", "amount_limit"),
    "customer_id": _path("holder_id"),
    "discount_effect": _path("discount", "effect"),
    "discount_unit_type": _path("discount", "unit_type"),
    "discount_unit_effect": _path("discount", "effect"),
    "holder_id": _path("holder_id"),
}
_CUSTOMER_PATHS: dict[str, Callable[[Row], Any]] = {
    **{f"address_{key}": _path("address", key) for key in ("city", "state", "country")},
    "address_line_1": _path("address", "line_1"),
    "address_line_2": _path("address", "line_2"),
    "address_postal_code": _path("address", "postal_code"),
    **{f"redemptions_{key}": _path("summary", "redemptions", key) for key in REDEMPTION_TOTALS},
    **{
        f"orders_{key}": _path("summary", "orders", key)
        for key in (
            "total_amount",
            "total_count",
            "average_amount",
            "last_order_amount",
            "last_order_date",
        )
    },
    "loyalty_points": _path("loyalty", "points"),
    "loyalty_referred_customers": _path("loyalty", "referred_customers"),
    "birthday": _path("birthdate"),
}
_PUBLICATION_PATHS: dict[str, Callable[[Row], Any]] = {
    "voucher_code": _path("voucher", "code"),
    "code": _path("voucher", "code"),
    "customer_source_id": _path("customer", "source_id"),
    "date": _path("created_at"),
    "campaign": _path("voucher", "campaign"),
}
_REDEMPTION_PATHS: dict[str, Callable[[Row], Any]] = {
    "voucher_code": _path("voucher", "code"),
    "campaign": _path("voucher", "campaign"),
    "customer_source_id": _path("customer", "source_id"),
    "customer_name": _path("customer", "name"),
    "order_id": _path("order", "id"),
    "order_amount": _path("order", "amount"),
    "gift_amount": _path("gift", "amount"),
    "loyalty_points": _path("loyalty_card", "points"),
    "failure_message": _path("reason"),
    "promotion_tier_id": _path("promotion_tier", "id"),
}
_TRANSACTION_FIELDS = (
    *("id", "campaign_id", "voucher_id", "type", "source_id", "reason", "source", "balance"),
    *("amount", "related_transaction_id", "created_at", "details"),
)

SOURCES: dict[str, Source] = {
    "voucher": Source(
        fields=(
            *("code", "voucher_type", "value", "formula", "discount_type", "campaign"),
            *("category", "start_date", "expiration_date", "gift_balance", "loyalty_balance"),
            *("redemption_quantity", "redemption_count", "active", "qr_code", "bar_code"),
            *("metadata", "id", "is_referral_code", "created_at", "updated_at"),
            *("validity_timeframe_interval", "validity_timeframe_duration"),
            *("validity_day_of_week", "discount_amount_limit", "campaign_id"),
            *("additional_info", "customer_id", "discount_effect", "discount_unit_type"),
            *("discount_unit_effect", "validation_rules_id", "customer_source_id"),
        ),
        defaults=("code", "voucher_type", "value", "discount_type"),
        orders=("-created_at", "created_at", "-updated_at", "updated_at", "-code", "code"),
        filters=(
            *("created_at", "updated_at", "active", "start_date", "expiration_date", "code"),
            *("holder_id", "is_referral_code", "campaign_id", "category", "voucher_type"),
        ),
        rows=_vouchers,
        paths=_VOUCHER_PATHS,
        metadata=True,
    ),
    "redemption": Source(
        fields=(
            *("id", "object", "date", "voucher_code", "campaign", "promotion_tier_id"),
            *("customer_id", "customer_source_id", "customer_name", "tracking_id", "order_id"),
            *("order_amount", "gift_amount", "loyalty_points", "result", "failure_code"),
            *("failure_message", "metadata"),
        ),
        defaults=("id", "object", "voucher_code", "customer_id", "date", "result"),
        orders=(
            *("-id", "id", "-voucher_code", "voucher_code", "-tracking_id", "tracking_id"),
            *("-customer_id", "customer_id", "-created_at", "created_at"),
        ),
        filters=("id", "voucher_code", "customer_id", "date", "result", "campaign"),
        rows=_redemptions,
        paths={**_REDEMPTION_PATHS, "created_at": _path("date")},
        metadata=True,
    ),
    "customer": Source(
        fields=(
            *("name", "id", "description", "email", "source_id", "created_at"),
            *("address_city", "address_state", "address_line_1", "address_line_2"),
            *("address_country", "address_postal_code", "redemptions_total_redeemed"),
            *("redemptions_total_failed", "redemptions_total_succeeded"),
            *("redemptions_total_rolled_back", "redemptions_total_rollback_failed"),
            *("redemptions_total_rollback_succeeded", "orders_total_amount"),
            *("orders_total_count", "orders_average_amount", "orders_last_order_amount"),
            *("orders_last_order_date", "loyalty_points", "loyalty_referred_customers"),
            *("updated_at", "phone", "birthday", "metadata", "birthdate"),
        ),
        defaults=("name", "source_id"),
        orders=(
            *("-name", "name", "-id", "id", "-email", "email", "-source_id", "source_id"),
            *("-created_at", "created_at", "-updated_at", "updated_at"),
        ),
        filters=("id", "name", "email", "source_id", "created_at", "updated_at", "address_city"),
        rows=_customers,
        paths=_CUSTOMER_PATHS,
        metadata=True,
    ),
    "publication": Source(
        fields=(
            *("voucher_code", "customer_id", "customer_source_id", "date", "channel"),
            *("campaign", "is_winner", "metadata"),
        ),
        # The docs' defaults say "code" for the voucher_code field.
        defaults=("voucher_code", "customer_id", "date", "channel"),
        orders=(
            *("-id", "id", "-voucher_code", "voucher_code", "-tracking_id", "tracking_id"),
            *("-customer_id", "customer_id", "-created_at", "created_at", "-channel", "channel"),
        ),
        filters=("voucher_code", "customer_id", "date", "channel", "campaign", "created_at"),
        rows=_publications,
        paths=_PUBLICATION_PATHS,
        metadata=True,
    ),
    "order": Source(
        fields=(
            *("id", "source_id", "created_at", "updated_at", "status", "amount"),
            *("discount_amount", "items_discount_amount", "total_discount_amount"),
            *("total_amount", "customer_id", "referrer_id", "metadata"),
        ),
        defaults=("id", "source_id", "status"),
        orders=("-created_at", "created_at", "-updated_at", "updated_at", "-status", "status"),
        filters=(
            *("id", "source_id", "created_at", "updated_at", "status", "amount"),
            *("total_amount", "discount_amount", "customer_id", "referrer_id"),
        ),
        rows=_orders,
        metadata=True,
    ),
    "points_expiration": Source(
        fields=("id", "campaign_id", "voucher_id", "points", "status", "expires_at"),
        defaults=("id", "campaign_id", "voucher_id", "status", "expires_at", "points"),
        orders=("-expires_at", "expires_at"),
        filters=("campaign_id", "voucher_id"),
        rows=_points_expirations,
        paths={"points": _path("bucket", "total_points")},
    ),
    "voucher_transactions": Source(
        fields=_TRANSACTION_FIELDS,
        defaults=(
            *("id", "type", "source_id", "reason", "source", "balance", "amount"),
            "created_at",
        ),
        orders=("-created_at", "created_at"),
        filters=("created_at", "voucher_id", "campaign_id"),
        rows=_transactions,
        paths={"balance": _balance("balance"), "amount": _balance("amount")},
    ),
}
