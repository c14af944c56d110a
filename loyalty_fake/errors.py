"""Domain errors: each carries the Voucherify error it stands for.

One constructor per Voucherify error key the ledger raises, with its status, message
and details: every refusal the ledger can give is listed here. ``bad_request`` remains
for the HTTP layer's own refusals (a malformed request).
"""

from __future__ import annotations

from typing import Any

import attrs

__all__ = [
    "VoucherifyError",
    "already_rolled_back",
    "bad_request",
    "duplicate_found",
    "duplicate_source_id",
    "invalid_code_config",
    "invalid_customer",
    "invalid_expiration_date",
    "invalid_order",
    "invalid_payload",
    "invalid_query_params",
    "loyalty_card_points_exceeded",
    "missing_order",
    "missing_order_items_amount",
    "missing_reward",
    "missing_vouchers",
    "no_such_path",
    "no_voucher_suitable_for_publication",
    "not_found",
    "not_implemented",
    "resource_in_use",
    "too_many_vouchers_requested",
    "voucher_already_published",
    "voucher_cannot_be_published",
    "voucher_not_published",
]


@attrs.define(eq=False)
class VoucherifyError(Exception):
    """A rule the fake enforces was broken; the fields are Voucherify's error envelope.

    The ledger raises it; the HTTP layer turns it into a response with this status,
    ``code``, ``key``, ``message``, ``details``, ``resource_id`` and ``resource_type``.
    ``recorded``: the refusal left a record (a failed redemption or rollback, which
    ``resource_id`` names), so the request changed state although it was refused.
    """

    code: int
    key: str
    message: str
    details: str | None = None
    resource_id: str | None = None
    resource_type: str | None = None
    extra: dict[str, Any] = attrs.field(factory=dict)
    recorded: bool = False

    def __str__(self) -> str:
        return f"{self.code} {self.key}: {self.details or self.message}"


def bad_request(
    key: str, message: str, details: str | None = None, **fields: Any
) -> VoucherifyError:
    """A 400 with Voucherify's ``key``, ``message`` and ``details``."""
    return VoucherifyError(code=400, key=key, message=message, details=details, **fields)


def no_such_path(path: str) -> VoucherifyError:
    """The 404 for a path no Voucherify operation has (a typo, or not Voucherify's API)."""
    return VoucherifyError(
        code=404,
        key="not_found",
        message="Resource not found",
        details=f"Voucherify's API has no path {path}",
    )


def not_implemented(resource_type: str, details: str) -> VoucherifyError:
    """501 ``not_implemented``: part of an operation the fake serves that it does not do yet."""
    return VoucherifyError(
        code=501,
        key="not_implemented",
        message="Operation not implemented by loyalty-fake",
        details=details,
        resource_type=resource_type,
    )


# -- 404 and 409: the object named is missing, or taken ---------------------------------------


def not_found(resource_type: str, resource_id: str, details: str | None = None) -> VoucherifyError:
    """A 404 ``not_found`` for a missing ``resource_type`` named ``resource_id``."""
    return VoucherifyError(
        code=404,
        key="not_found",
        message="Resource not found",
        details=details or f"Cannot find {resource_type} with id {resource_id}",
        resource_id=resource_id,
        resource_type=resource_type,
    )


def duplicate_found(
    resource_type: str, resource_id: str, details: str | None = None
) -> VoucherifyError:
    """A 409 ``duplicate_found``: a ``resource_type`` named ``resource_id`` exists already.

    ``details`` defaults to Voucherify's "Duplicated <type> exists with id <id>".
    """
    return VoucherifyError(
        code=409,
        key="duplicate_found",
        message="Duplicated resource found",
        details=details or f"Duplicated {resource_type} exists with id {resource_id}",
        resource_id=resource_id,
        resource_type=resource_type,
    )


# -- 400: the request's values ----------------------------------------------------------------


def invalid_payload(details: str) -> VoucherifyError:
    """400 ``invalid_payload``: a body property is missing or out of range (``details``)."""
    return bad_request("invalid_payload", "Invalid payload", details)


def invalid_query_params(details: str) -> VoucherifyError:
    """400 ``invalid_query_params``: a query parameter is out of range (``details``)."""
    return bad_request("invalid_query_params", "Invalid query params", details)


def invalid_code_config(details: str) -> VoucherifyError:
    """400 ``invalid_code_config``: the code pattern cannot make the codes asked for."""
    return bad_request("invalid_code_config", "Invalid code config", details)


def invalid_expiration_date() -> VoucherifyError:
    """400 ``invalid_expiration_date``: points cannot expire on a day already past."""
    return bad_request(
        "invalid_expiration_date",
        "Invalid Expiration Date",
        "Expiration date cannot be set in the past",
    )


# -- 400: publishing cards --------------------------------------------------------------------


def missing_vouchers() -> VoucherifyError:
    """400 ``missing_vouchers``: a publication names neither a campaign nor a voucher."""
    return bad_request(
        "missing_vouchers", "Missing vouchers", "Either Campaign or Voucher is required"
    )


def too_many_vouchers_requested(reason: str | None = None) -> VoucherifyError:
    """400 ``too_many_vouchers_requested``: a publication asks for more than one card."""
    return bad_request(
        "too_many_vouchers_requested",
        "Too many vouchers requested",
        "Only up to 1 can be published" + (f": {reason}" if reason else ""),
    )


def voucher_cannot_be_published() -> VoucherifyError:
    """400 ``voucher_cannot_be_published``: the customer holds a card of the program already."""
    return bad_request(
        "voucher_cannot_be_published",
        "Voucher cannot be published",
        "Voucher cannot be published. Customer already joined program.",
    )


def duplicate_source_id(source_id: str) -> VoucherifyError:
    """400 ``duplicate_source_id``: a publication with ``source_id`` exists already."""
    return bad_request(
        "duplicate_source_id",
        "Duplicate source_id",
        f"Publication with source_id: '{source_id}' already exists",
    )


def voucher_already_published(voucher_id: str) -> VoucherifyError:
    """400 ``voucher_already_published``: the card named has a holder already."""
    return bad_request(
        "voucher_already_published",
        "Voucher already published",
        f"Voucher '{voucher_id}' has already been published",
    )


def no_voucher_suitable_for_publication() -> VoucherifyError:
    """400 ``no_voucher_suitable_for_publication``: a STATIC program has no card left."""
    return bad_request(
        "no_voucher_suitable_for_publication",
        "Couldn't find any voucher suitable for publication",
        "Couldn't create new vouchers for publication",
    )


def voucher_not_published(code: str, before: str) -> VoucherifyError:
    """400 ``voucher_not_published``: the card ``code`` has no holder, needed ``before`` ..."""
    return bad_request(
        "voucher_not_published",
        "Voucher not published",
        f"Loyalty card {code} must be assigned to a holder before {before}",
    )


# -- 400: points, rewards and redemptions -----------------------------------------------------


def loyalty_card_points_exceeded(
    code: str, points: int, balance: int, spending: str = "redeem"
) -> VoucherifyError:
    """400 ``loyalty_card_points_exceeded``: ``points`` exceed the card's ``balance``."""
    return bad_request(
        "loyalty_card_points_exceeded",
        "loyalty card points exceeded",
        f"Cannot {spending} {points} points from loyalty card {code}: its balance is {balance}",
    )


def resource_in_use(
    resource_type: str, resource_id: str, used_by_type: str, used_by: list[str]
) -> VoucherifyError:
    """400 ``resource_in_use``: ``used_by`` (``used_by_type`` objects) still refer to it."""
    return VoucherifyError(
        code=400,
        key="resource_in_use",
        message="Resource in use",
        details=f"Resource {resource_type} with id {resource_id} is in use by "
        f"{used_by_type}s with ids [{', '.join(used_by)}]",
        extra={
            "related_object_ids": used_by,
            "related_object_type": used_by_type,
            "related_object_total": len(used_by),
        },
    )


def missing_reward() -> VoucherifyError:
    """400 ``missing_reward``: redeeming a loyalty card names no reward."""
    return bad_request(
        "missing_reward", "Missing reward", "A reward is required when redeeming a LOYALTY_CARD"
    )


def missing_order() -> VoucherifyError:
    """400 ``missing_order``: a pay-with-points reward is redeemed without an order."""
    return bad_request(
        "missing_order",
        "Missing order",
        "An order is required when redeeming a pay with points reward",
    )


def missing_order_items_amount() -> VoucherifyError:
    """400 ``missing_order_items_amount``: paying with points needs the order's amount."""
    return bad_request(
        "missing_order_items_amount",
        "Missing applicable order items",
        "An order amount (or items with amounts) is required to pay with points",
    )


def invalid_customer() -> VoucherifyError:
    """400 ``invalid_customer``: a rollback names a customer the redemption does not."""
    return bad_request(
        "invalid_customer", "Invalid customer", "Customer is not related with redemption."
    )


def invalid_order() -> VoucherifyError:
    """400 ``invalid_order``: a rollback names an order the redemption does not."""
    return bad_request("invalid_order", "Invalid order", "Order is not related with redemption.")


def invalid_redemption_parent() -> VoucherifyError:
    """400 ``invalid_redemption_parent``: a part of a stacked redemption rolled back alone."""
    return bad_request(
        "invalid_redemption_parent",
        "Invalid redemption parent",
        "You can rollback only a redemption that does not have parent redemption.",
    )


def already_rolled_back() -> VoucherifyError:
    """400 ``already_rolled_back``: the redemption was rolled back before."""
    return bad_request(
        "already_rolled_back", "Already rolled back", "Redemption has been already rolled back."
    )
