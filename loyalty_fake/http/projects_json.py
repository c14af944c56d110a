"""The Management API's project object (``ManagementProject``): what was set, else defaults."""

from __future__ import annotations

import copy
import hashlib
from typing import TYPE_CHECKING, Any

from loyalty_fake.http.common_json import (
    BOOLEAN,
    FREE_OBJECT,
    STRING,
    const,
    enum,
    nullable,
    obj,
    ref,
)
from loyalty_fake.http.management_auth import management_project_id

if TYPE_CHECKING:
    from collections.abc import Mapping

    from loyalty_fake.http.common_json import Schema

__all__ = ["KEY_FIELDS", "PROJECT_DEFAULTS", "SCHEMAS", "USAGE_NOTIFICATIONS", "project_json"]

# What a created project's keys are stored as (Project.settings), never shown but on create.
KEY_FIELDS = ("app_id", "app_token", "client_app_id", "client_token")
USAGE_NOTIFICATIONS = (
    "redemptions",
    "messages",
    "api_calls",
    "bulk_api_calls",
    "webhook_calls",
    "cycle_calls",
)
_NOTIFY_OFF = {"enabled": False, "value": 80, "in_app": False, "emails": []}
_CALLOUTS_OFF = {"email": False, "in_app": False, "emails": []}
# A project's fields before the Management API sets them: Voucherify's defaults where the
# reference gives one (api_version, webhook_version, cluster eu1), else off or empty.
PROJECT_DEFAULTS: dict[str, Any] = {
    "description": "",
    "currency": "USD",
    "timezone": "UTC",
    "dial_code": None,
    "cluster_id": "eu1",
    "api_version": "v2018-08-01",
    "case_sensitive_codes": True,
    "client_trusted_domains": [],
    "client_redeem_enabled": False,
    "client_publish_enabled": False,
    "client_list_vouchers_enabled": False,
    "client_create_customer_enabled": False,
    "client_loyalty_events_enabled": False,
    "client_set_voucher_expiration_date_enabled": False,
    "api_usage_notifications": dict.fromkeys(USAGE_NOTIFICATIONS, _NOTIFY_OFF),
    "webhooks_callout_notifications": {
        "distributions": _CALLOUTS_OFF,
        "webhooks": _CALLOUTS_OFF,
    },
    "is_sandbox": False,
    "webhook_version": "v2024-01-01",
    "default_code_config": {
        "charset": "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
    },
    "limits": {"api_calls": [], "bulk_api_calls": []},
}


def project_json(app_id: str, settings: Mapping[str, Any], *, keys: bool = False) -> dict[str, Any]:
    """The project of ``app_id`` with its ``settings`` over the defaults.

    ``keys``: with its ``server_side_key`` and ``client_side_key`` (create's answer).
    """
    body: dict[str, Any] = {"id": management_project_id(app_id), "name": app_id}
    body.update(copy.deepcopy(PROJECT_DEFAULTS))
    for key, value in settings.items():
        if key in KEY_FIELDS:
            continue
        default = body.get(key)
        # A notification group set in part keeps the defaults of the rest.
        merged = {**default, **value} if isinstance(default, dict) else value
        body[key] = copy.deepcopy(merged)
    # A secret Voucherify signs webhooks with: derived, so the same in every run.
    body["webhook_token"] = hashlib.sha256(
        f"webhook:{app_id}".encode("utf-8", "surrogatepass")
    ).hexdigest()[:32]
    if keys and "app_token" in settings:
        body["server_side_key"] = {"app_id": app_id, "app_token": settings["app_token"]}
        body["client_side_key"] = {
            "app_id": settings["client_app_id"],
            "app_token": settings["client_token"],
        }
    return body


_STRINGS: Schema = {"type": "array", "items": STRING}
_KEY = obj({"app_id": STRING, "app_token": STRING})
_PROJECT_FIELDS: dict[str, Schema] = {
    "id": STRING,
    "name": STRING,
    "description": STRING,
    "currency": STRING,
    "timezone": STRING,
    "dial_code": nullable(STRING),
    "cluster_id": STRING,
    "api_version": const("v2018-08-01"),
    "case_sensitive_codes": BOOLEAN,
    "client_trusted_domains": _STRINGS,
    **{
        name: BOOLEAN
        for name in PROJECT_DEFAULTS
        if name.startswith("client_") and name.endswith("_enabled")
    },
    "api_usage_notifications": obj(
        {
            name: obj(
                {
                    "enabled": BOOLEAN,
                    "value": {"type": "integer"},
                    "in_app": BOOLEAN,
                    "emails": _STRINGS,
                }
            )
            for name in USAGE_NOTIFICATIONS
        }
    ),
    "webhooks_callout_notifications": obj(
        {
            name: obj({"email": BOOLEAN, "in_app": BOOLEAN, "emails": _STRINGS})
            for name in ("distributions", "webhooks")
        }
    ),
    "is_sandbox": BOOLEAN,
    "webhook_version": enum("v2024-01-01"),
    "webhook_token": STRING,
    "default_code_config": obj({"charset": STRING}),
    "limits": FREE_OBJECT,
}
SCHEMAS: dict[str, Schema] = {
    "ManagementProject": obj(_PROJECT_FIELDS),
    "ManagementProjectCreated": obj(
        {**_PROJECT_FIELDS, "server_side_key": _KEY, "client_side_key": _KEY}
    ),
    "ManagementProjectsList": obj(
        {
            "object": const("list"),
            "data_ref": const("data"),
            "data": {"type": "array", "items": ref("ManagementProject")},
            "total": {"type": "integer", "minimum": 0},
        }
    ),
}
