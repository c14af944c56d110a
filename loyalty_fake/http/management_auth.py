"""The Management API's keys and project IDs (``/management/v1``).

A minimal version for the project webhooks: the Management API's own module replaces it
with the same two names.
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING

from loyalty_fake import errors

if TYPE_CHECKING:
    from loyalty_fake.http.app import FakeVoucherifyApp
    from loyalty_fake.http.messages import Request

__all__ = ["management_app_id", "management_project_id"]


def management_project_id(app_id: str) -> str:
    """The Management API's ID of the project of ``app_id``: ``proj_`` and a stable hash."""
    return "proj_" + hashlib.sha256(app_id.encode("utf-8", "surrogatepass")).hexdigest()[:16]


def management_app_id(app: FakeVoucherifyApp, request: Request, project_id: str) -> str:
    """The app ID of the project ``project_id`` names, for a request with management keys.

    Raises Voucherify's 401 without a non-empty ``X-Management-Id``/``X-Management-Token``
    pair, and 404 ``not_found`` (project) when no project has that ID. A durable server's
    replay (``check_client_tokens`` off) checks no keys: no token is stored in its journal.
    """
    management_id = request.header("x-management-id") or ""
    token = request.header("x-management-token") or ""
    keyless = not management_id.strip() or not token.strip()
    if keyless and app.check_client_tokens:
        raise errors.VoucherifyError(code=401, key="unauthorized", message="Unauthorized")
    known = list(app.credentials) or app.ledger.app_ids()
    for app_id in known:
        if management_project_id(app_id) == project_id:
            return app_id
    raise errors.not_found("project", project_id)
