"""The Management API's keys (``X-Management-Id``/``X-Management-Token``) and project IDs.

Voucherify's Management API (``/management/v1/...``) names a project by its ``proj_`` ID;
the fake's projects are named by their ``X-App-Id``. A project's Management API ID is
derived from its app ID (``management_project_id``), so that it is the same in every run,
in every process and after a restart, and needs no state of its own.

Management keys mirror the app keys (``FakeVoucherifyApp.credentials``): when the app has
no ``management_credentials``, any non-empty pair is accepted; otherwise only those.
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING

from loyalty_fake import errors
from loyalty_fake.errors import VoucherifyError

if TYPE_CHECKING:
    from loyalty_fake.http.app import FakeVoucherifyApp
    from loyalty_fake.http.messages import Request
    from loyalty_fake.ledger import Ledger

__all__ = [
    "check_management_keys",
    "created_client_key",
    "is_management_path",
    "known_app_ids",
    "management_app_id",
    "management_authorized",
    "management_project_id",
]

# proj_ and the first 8 hex digits of the app ID's SHA-256: short like Voucherify's own
# (proj_V0uCh3RiFy), stable across runs and seeds. 32 bits make a clash between two of
# a test's projects negligible; should one happen, the first project known wins.
_PROJECT_ID_DIGITS = 8


def management_project_id(app_id: str) -> str:
    """The Management API ID of the project whose ``X-App-Id`` is ``app_id``.

    ``proj_`` and the first 8 lowercase hex digits of the SHA-256 of ``app_id`` (UTF-8):
    deterministic, the same for every fake.
    """
    digest = hashlib.sha256(app_id.encode("utf-8", "surrogatepass")).hexdigest()
    return "proj_" + digest[:_PROJECT_ID_DIGITS]


def is_management_path(segments: tuple[str, ...]) -> bool:
    """Whether a request's path is the Management API's (``/management/v1/...``)."""
    return segments[:2] == ("management", "v1")


def management_authorized(app: FakeVoucherifyApp, request: Request) -> bool:
    """Whether the request carries management keys the app accepts (see the module)."""
    management_id = request.header("x-management-id") or ""
    token = request.header("x-management-token") or ""
    if not management_id.strip() or not token.strip():
        return False
    if not app.management_credentials:
        return True
    return app.management_credentials.get(management_id) == token


def _unauthorized() -> VoucherifyError:
    return VoucherifyError(
        code=401,
        key="unauthorized",
        message="Unauthorized",
        details="The Management API takes the X-Management-Id and X-Management-Token "
        "headers of a management key",
    )


def known_app_ids(app: FakeVoucherifyApp) -> list[str]:
    """The app ID of every project the Management API shows, in order.

    The projects of the configured app keys first, then every other project the ledger
    holds (one a request used, or the Management API created), oldest first.
    """
    found = dict.fromkeys(app.credentials)
    found.update(dict.fromkeys(app.ledger.app_ids()))
    return list(found)


def management_app_id(app: FakeVoucherifyApp, request: Request, project_id: str) -> str:
    """The ``X-App-Id`` of the project ``project_id`` names, once the management keys pass.

    Raises 401 ``unauthorized`` (Voucherify's envelope) when the request's management
    keys are missing or not accepted, and 404 ``not_found`` when no project known to the
    fake (``known_app_ids``) has this Management API ID.
    """
    if not management_authorized(app, request):
        raise _unauthorized()
    for app_id in known_app_ids(app):
        if management_project_id(app_id) == project_id:
            return app_id
    raise errors.not_found("project", project_id)


def created_client_key(ledger: Ledger, client_app_id: str) -> tuple[str, str] | None:
    """The app ID and client token of the project the Management API gave this client key."""
    app_id = ledger.app_with_setting("client_app_id", client_app_id)
    return None if app_id is None else (app_id, str(ledger.setting(app_id, "client_token")))


def check_management_keys(app: FakeVoucherifyApp, request: Request) -> None:
    """Raise 401 ``unauthorized`` unless the request carries accepted management keys."""
    if not management_authorized(app, request):
        raise _unauthorized()
