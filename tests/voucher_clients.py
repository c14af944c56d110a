"""The generic campaigns and vouchers operations per client.

``tests/conftest.py``'s clients take these mixins: ``RequestsVouchers`` for ``requests``,
httpx and the live server, ``SdkVouchers`` for the official SDK (CampaignsApi, VouchersApi).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import quote

import pytest

if TYPE_CHECKING:
    from collections.abc import Callable

    from tests.conftest import Reply

__all__ = ["RequestsVouchers", "SdkVouchers", "VouchersClient"]

CAMPAIGNS = "/v1/campaigns"
CAMPAIGN = "/v1/campaigns/{campaignId}"
CAMPAIGN_ENABLE = "/v1/campaigns/{campaignId}/enable"
CAMPAIGN_DISABLE = "/v1/campaigns/{campaignId}/disable"
VOUCHERS = "/v1/vouchers"
VOUCHER = "/v1/vouchers/{code}"
VOUCHER_ENABLE = "/v1/vouchers/{code}/enable"
VOUCHER_DISABLE = "/v1/vouchers/{code}/disable"
VOUCHER_BALANCE = "/v1/vouchers/{code}/balance"
VOUCHER_TRANSACTIONS = "/v1/vouchers/{code}/transactions"
CAMPAIGN_TRANSACTIONS = "/v1/campaigns/{campaignId}/transactions"
VOUCHERS_IMPORT = "/v1/vouchers/import"
CAMPAIGN_IMPORT = "/v1/campaigns/{campaignId}/import"
VOUCHERS_BULK = "/v1/vouchers/bulk/async"
VOUCHERS_METADATA = "/v1/vouchers/metadata/async"


def _at(ref: str) -> str:
    return quote(ref, safe="")


def _force(force: bool | None) -> dict[str, str] | None:
    return None if force is None else {"force": str(force).lower()}


class VouchersClient(Protocol):
    """The generic campaigns and vouchers operations, as one client library performs them."""

    def create_campaign(self, body: dict[str, Any]) -> Reply: ...
    def get_campaign(self, ref: str) -> Reply: ...
    def list_campaigns(self, params: dict[str, Any] | None = None) -> Reply: ...
    def update_campaign(self, ref: str, body: dict[str, Any]) -> Reply: ...
    def delete_campaign(self, ref: str, force: bool | None = None) -> Reply: ...
    def enable_campaign(self, ref: str) -> Reply: ...
    def disable_campaign(self, ref: str) -> Reply: ...
    def create_voucher(self, code: str, body: dict[str, Any]) -> Reply: ...
    def generate_voucher(self, body: dict[str, Any]) -> Reply: ...
    def list_vouchers(self, params: dict[str, Any] | None = None) -> Reply: ...
    def update_voucher(self, code: str, body: dict[str, Any]) -> Reply: ...
    def delete_voucher(self, code: str, force: bool | None = None) -> Reply: ...
    def enable_voucher(self, code: str) -> Reply: ...
    def disable_voucher(self, code: str) -> Reply: ...
    def voucher_balance(self, code: str, body: dict[str, Any]) -> Reply: ...
    def voucher_transactions(self, code: str, params: dict[str, Any] | None = None) -> Reply: ...
    def campaign_transactions(self, ref: str, params: dict[str, Any] | None = None) -> Reply: ...
    def import_vouchers(self, items: list[dict[str, Any]]) -> Reply: ...
    def import_to_campaign(self, ref: str, items: list[dict[str, Any]]) -> Reply: ...
    def update_vouchers_in_bulk(self, items: list[dict[str, Any]]) -> Reply: ...
    def update_vouchers_metadata(self, body: dict[str, Any]) -> Reply: ...


class RequestsVouchers:
    """The operations over plain HTTP (``requests``, httpx, the live server)."""

    call: Callable[..., Reply]

    def create_campaign(self, body: dict[str, Any]) -> Reply:
        return self.call("POST", CAMPAIGNS, CAMPAIGNS, json=body)

    def get_campaign(self, ref: str) -> Reply:
        return self.call("GET", f"{CAMPAIGNS}/{_at(ref)}", CAMPAIGN)

    def list_campaigns(self, params: dict[str, Any] | None = None) -> Reply:
        return self.call("GET", CAMPAIGNS, CAMPAIGNS, params=params)

    def update_campaign(self, ref: str, body: dict[str, Any]) -> Reply:
        return self.call("PUT", f"{CAMPAIGNS}/{_at(ref)}", CAMPAIGN, json=body)

    def delete_campaign(self, ref: str, force: bool | None = None) -> Reply:
        return self.call("DELETE", f"{CAMPAIGNS}/{_at(ref)}", CAMPAIGN, params=_force(force))

    def enable_campaign(self, ref: str) -> Reply:
        return self.call("POST", f"{CAMPAIGNS}/{_at(ref)}/enable", CAMPAIGN_ENABLE)

    def disable_campaign(self, ref: str) -> Reply:
        return self.call("POST", f"{CAMPAIGNS}/{_at(ref)}/disable", CAMPAIGN_DISABLE)

    def create_voucher(self, code: str, body: dict[str, Any]) -> Reply:
        return self.call("POST", f"{VOUCHERS}/{_at(code)}", VOUCHER, json=body)

    def generate_voucher(self, body: dict[str, Any]) -> Reply:
        return self.call("POST", VOUCHERS, VOUCHERS, json=body)

    def list_vouchers(self, params: dict[str, Any] | None = None) -> Reply:
        return self.call("GET", VOUCHERS, VOUCHERS, params=params)

    def update_voucher(self, code: str, body: dict[str, Any]) -> Reply:
        return self.call("PUT", f"{VOUCHERS}/{_at(code)}", VOUCHER, json=body)

    def delete_voucher(self, code: str, force: bool | None = None) -> Reply:
        return self.call("DELETE", f"{VOUCHERS}/{_at(code)}", VOUCHER, params=_force(force))

    def enable_voucher(self, code: str) -> Reply:
        return self.call("POST", f"{VOUCHERS}/{_at(code)}/enable", VOUCHER_ENABLE)

    def disable_voucher(self, code: str) -> Reply:
        return self.call("POST", f"{VOUCHERS}/{_at(code)}/disable", VOUCHER_DISABLE)

    def voucher_balance(self, code: str, body: dict[str, Any]) -> Reply:
        return self.call("POST", f"{VOUCHERS}/{_at(code)}/balance", VOUCHER_BALANCE, json=body)

    def voucher_transactions(self, code: str, params: dict[str, Any] | None = None) -> Reply:
        path = f"{VOUCHERS}/{_at(code)}/transactions"
        return self.call("GET", path, VOUCHER_TRANSACTIONS, params=params)

    def campaign_transactions(self, ref: str, params: dict[str, Any] | None = None) -> Reply:
        path = f"{CAMPAIGNS}/{_at(ref)}/transactions"
        return self.call("GET", path, CAMPAIGN_TRANSACTIONS, params=params)

    def import_vouchers(self, items: list[dict[str, Any]]) -> Reply:
        return self.call("POST", VOUCHERS_IMPORT, VOUCHERS_IMPORT, json=items)

    def import_to_campaign(self, ref: str, items: list[dict[str, Any]]) -> Reply:
        path = f"{CAMPAIGNS}/{_at(ref)}/import"
        return self.call("POST", path, CAMPAIGN_IMPORT, json=items)

    def update_vouchers_in_bulk(self, items: list[dict[str, Any]]) -> Reply:
        return self.call("POST", VOUCHERS_BULK, VOUCHERS_BULK, json=items)

    def update_vouchers_metadata(self, body: dict[str, Any]) -> Reply:
        return self.call("POST", VOUCHERS_METADATA, VOUCHERS_METADATA, json=body)


class SdkVouchers:
    """The operations through the official SDK (6.x): CampaignsApi and VouchersApi."""

    campaigns: Any
    vouchers: Any
    _run: Callable[[str, str, Callable[[], Any]], Reply]

    def create_campaign(self, body: dict[str, Any]) -> Reply:
        return self._run(
            "POST", CAMPAIGNS, lambda: self.campaigns.create_campaign_with_http_info(body)
        )

    def get_campaign(self, ref: str) -> Reply:
        return self._run("GET", CAMPAIGN, lambda: self.campaigns.get_campaign_with_http_info(ref))

    def list_campaigns(self, params: dict[str, Any] | None = None) -> Reply:
        keywords = dict(params or {})
        return self._run(
            "GET", CAMPAIGNS, lambda: self.campaigns.list_campaigns_with_http_info(**keywords)
        )

    def update_campaign(self, ref: str, body: dict[str, Any]) -> Reply:
        return self._run(
            "PUT", CAMPAIGN, lambda: self.campaigns.update_campaign_with_http_info(ref, body)
        )

    def delete_campaign(self, ref: str, force: bool | None = None) -> Reply:
        return self._run(
            "DELETE", CAMPAIGN, lambda: self.campaigns.delete_campaign_with_http_info(ref, force)
        )

    def enable_campaign(self, ref: str) -> Reply:
        return self._run(
            "POST", CAMPAIGN_ENABLE, lambda: self.campaigns.enable_campaign_with_http_info(ref)
        )

    def disable_campaign(self, ref: str) -> Reply:
        return self._run(
            "POST", CAMPAIGN_DISABLE, lambda: self.campaigns.disable_campaign_with_http_info(ref)
        )

    def create_voucher(self, code: str, body: dict[str, Any]) -> Reply:
        return self._run(
            "POST", VOUCHER, lambda: self.vouchers.create_voucher_with_http_info(code, body)
        )

    def generate_voucher(self, body: dict[str, Any]) -> Reply:
        return self._run(
            "POST", VOUCHERS, lambda: self.vouchers.generate_random_code_with_http_info(body)
        )

    def list_vouchers(self, params: dict[str, Any] | None = None) -> Reply:
        keywords = dict(params or {})
        if "ids" in keywords:
            pytest.skip("the official SDK sends a list in a query as Python's repr")
        return self._run(
            "GET", VOUCHERS, lambda: self.vouchers.list_vouchers_with_http_info(**keywords)
        )

    def update_voucher(self, code: str, body: dict[str, Any]) -> Reply:
        return self._run(
            "PUT", VOUCHER, lambda: self.vouchers.update_voucher_with_http_info(code, body)
        )

    def delete_voucher(self, code: str, force: bool | None = None) -> Reply:
        return self._run(
            "DELETE", VOUCHER, lambda: self.vouchers.delete_voucher_with_http_info(code, force)
        )

    def enable_voucher(self, code: str) -> Reply:
        return self._run(
            "POST", VOUCHER_ENABLE, lambda: self.vouchers.enable_voucher_with_http_info(code)
        )

    def disable_voucher(self, code: str) -> Reply:
        return self._run(
            "POST", VOUCHER_DISABLE, lambda: self.vouchers.disable_voucher_with_http_info(code)
        )

    def voucher_balance(self, code: str, body: dict[str, Any]) -> Reply:
        return self._run(
            "POST",
            VOUCHER_BALANCE,
            lambda: self.vouchers.update_voucher_balance_with_http_info(code, body),
        )

    def voucher_transactions(self, code: str, params: dict[str, Any] | None = None) -> Reply:
        keywords = dict(params or {})
        return self._run(
            "GET",
            VOUCHER_TRANSACTIONS,
            lambda: self.vouchers.list_voucher_transactions_with_http_info(code, **keywords),
        )

    def campaign_transactions(self, ref: str, params: dict[str, Any] | None = None) -> Reply:
        keywords = dict(params or {})
        return self._run(
            "GET",
            CAMPAIGN_TRANSACTIONS,
            lambda: self.campaigns.list_campaign_transactions_with_http_info(ref, **keywords),
        )

    def import_vouchers(self, items: list[dict[str, Any]]) -> Reply:
        return self._run(
            "POST", VOUCHERS_IMPORT, lambda: self.vouchers.import_vouchers_with_http_info(items)
        )

    def import_to_campaign(self, ref: str, items: list[dict[str, Any]]) -> Reply:
        return self._run(
            "POST",
            CAMPAIGN_IMPORT,
            lambda: self.campaigns.import_vouchers_to_campaign_with_http_info(ref, items),
        )

    def update_vouchers_in_bulk(self, items: list[dict[str, Any]]) -> Reply:
        api = self.vouchers
        return self._run(
            "POST", VOUCHERS_BULK, lambda: api.update_vouchers_in_bulk_with_http_info(items)
        )

    def update_vouchers_metadata(self, body: dict[str, Any]) -> Reply:
        api = self.vouchers
        return self._run(
            "POST",
            VOUCHERS_METADATA,
            lambda: api.update_vouchers_metadata_in_bulk_with_http_info(body),
        )
