"""Domain errors: each carries the Voucherify error it stands for."""

from __future__ import annotations

from typing import Any

import attrs

__all__ = [
    "VoucherifyError",
    "bad_request",
    "duplicate_found",
    "no_such_path",
    "not_found",
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


def no_such_path(path: str) -> VoucherifyError:
    """The 404 for a path no Voucherify operation has (a typo, or not Voucherify's API)."""
    return VoucherifyError(
        code=404,
        key="not_found",
        message="Resource not found",
        details=f"Voucherify's API has no path {path}",
    )


def bad_request(
    key: str, message: str, details: str | None = None, **fields: Any
) -> VoucherifyError:
    """A 400 with Voucherify's ``key``, ``message`` and ``details``."""
    return VoucherifyError(code=400, key=key, message=message, details=details, **fields)


def duplicate_found(resource_type: str, resource_id: str, details: str) -> VoucherifyError:
    """A 409 ``duplicate_found``."""
    return VoucherifyError(
        code=409,
        key="duplicate_found",
        message="Duplicated resource found",
        details=details,
        resource_id=resource_id,
        resource_type=resource_type,
    )
