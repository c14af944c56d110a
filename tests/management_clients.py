"""The Management API (``/management/v1``), per client: plain HTTP and the official SDK.

One ``op(name, *path_params, body=...)`` per client: ``name`` is the SDK's method
(``list_projects``, ``create_stacking_rules``, ...); plain HTTP sends the same operation.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import attrs

from tests.conftest import (
    AsyncHttpxClient,
    HttpxClient,
    Reply,
    RequestsClient,
    SdkClient,
    check_reply,
)

if TYPE_CHECKING:
    import pytest

    from loyalty_fake import LoyaltyFake

__all__ = ["MANAGEMENT_CLIENTS", "OPERATIONS", "ManagementClient", "management_client"]

_PROJECTS = "/management/v1/projects"
_PROJECT = f"{_PROJECTS}/{{projectId}}"
# SDK method name: (HTTP method, path template).
OPERATIONS: dict[str, tuple[str, str]] = {
    "list_projects": ("GET", _PROJECTS),
    "create_project": ("POST", _PROJECTS),
    "get_project": ("GET", _PROJECT),
    "update_project": ("PUT", _PROJECT),
    "delete_project": ("DELETE", _PROJECT),
}
for _sdk, _path, _id in (
    ("stacking_rules", "stacking-rules", "stackingRulesId"),
    ("metadata_schema", "metadata-schemas", "metadataSchemaId"),
    ("custom_event_schema", "custom-event-schemas", "customEventSchemaId"),
):
    _many = f"{_PROJECT}/{_path}"
    _one = f"{_many}/{{{_id}}}"
    _list = {
        "stacking_rules": "list_stacking_rules",
        "metadata_schema": "list_metadata_schemas1",
        "custom_event_schema": "list_custom_event_schemas",
    }[_sdk]
    _get = "get_metadata_schema1" if _sdk == "metadata_schema" else f"get_{_sdk}"
    OPERATIONS.update(
        {
            _list: ("GET", _many),
            f"create_{_sdk}": ("POST", _many),
            _get: ("GET", _one),
            f"update_{_sdk}": ("PUT", _one),
            f"delete_{_sdk}": ("DELETE", _one),
        }
    )


# /v1's reads of the same schemas, through the SDK's MetadataSchemasApi.
_V1 = {"list_metadata_schemas", "get_metadata_schema"}
OPERATIONS["list_metadata_schemas"] = ("GET", "/v1/metadata-schemas")
OPERATIONS["get_metadata_schema"] = ("GET", "/v1/metadata-schemas/{resource}")


def _fill(template: str, params: tuple[str, ...]) -> str:
    parts = iter(params)
    return "/".join(
        quote(next(parts), safe="") if part.startswith("{") else part
        for part in template.split("/")
    )


class ManagementClient:
    """The Management API over one client."""

    name: str

    def op(self, name: str, *params: str, body: Any = None) -> Reply:
        """Call the operation the SDK names ``name`` with its path ``params`` and ``body``."""
        raise NotImplementedError


@attrs.define
class ManagementHttp(ManagementClient):
    """Plain HTTP: requests, httpx (sync, async), or requests to the live server."""

    http: RequestsClient

    @property
    def name(self) -> str:  # type: ignore[override]
        return self.http.name

    def op(self, name: str, *params: str, body: Any = None) -> Reply:
        method, template = OPERATIONS[name]
        kwargs = {} if body is None else {"json": body}
        return self.http.call(method, _fill(template, params), template, **kwargs)


@attrs.define
class ManagementSdk(ManagementClient):
    """The official SDK's ``ManagementApi`` (6.x)."""

    sdk: SdkClient
    api: Any = attrs.field(init=False)
    schemas: Any = attrs.field(init=False)
    name: str = "sdk"

    def __attrs_post_init__(self) -> None:
        import voucherify  # noqa: PLC0415 - a test dependency only this client needs

        configuration = voucherify.Configuration(
            host=self.sdk.base_url, api_key=dict(self.sdk.headers)
        )
        self.api = voucherify.ManagementApi(voucherify.ApiClient(configuration))
        self.schemas = voucherify.MetadataSchemasApi(voucherify.ApiClient(configuration))

    def op(self, name: str, *params: str, body: Any = None) -> Reply:
        method, template = OPERATIONS[name]
        call = getattr(self.schemas if name in _V1 else self.api, f"{name}_with_http_info")
        arguments: tuple[Any, ...] = (*params, body) if body is not None else params
        return check_reply(method, template, self.sdk._reply(lambda: call(*arguments)))


MANAGEMENT_CLIENTS = ["requests", "sdk", "httpx", "httpx-async", "live"]


def management_client(
    request: pytest.FixtureRequest, fake: LoyaltyFake, kind: str
) -> ManagementClient:
    """A client of ``kind`` sending the fake's app and management keys."""
    headers = {**fake.headers, **fake.management_headers}
    if kind == "sdk":
        return ManagementSdk(SdkClient(headers))
    if kind == "httpx":
        return ManagementHttp(HttpxClient(headers))
    if kind == "httpx-async":
        return ManagementHttp(AsyncHttpxClient(headers))
    if kind == "live":
        server = request.getfixturevalue("loyalty_fake_server")
        return ManagementHttp(RequestsClient(headers, base_url=server.url))
    return ManagementHttp(RequestsClient(headers))
