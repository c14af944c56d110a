"""Vouchers imported from CSV files, per client.

``tests/conftest.py``'s clients take these mixins: ``RequestsVoucherCsv`` for ``requests``,
httpx and the live server, ``SdkVoucherCsv`` for the official SDK
(``VouchersApi.import_vouchers_using_csv``, ``CampaignsApi.import_vouchers_to_campaign_using_csv``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import quote

if TYPE_CHECKING:
    from collections.abc import Callable

    from tests.conftest import Reply

__all__ = ["RequestsVoucherCsv", "SdkVoucherCsv", "VoucherCsvClient"]

VOUCHERS_IMPORT_CSV = "/v1/vouchers/importCSV"
CAMPAIGN_IMPORT_CSV = "/v1/campaigns/{campaignId}/importCSV"


class VoucherCsvClient(Protocol):
    """The CSV imports of vouchers, as one client library performs them."""

    def import_vouchers_csv(self, data: bytes) -> Reply: ...
    def import_to_campaign_csv(self, ref: str, data: bytes) -> Reply: ...


class RequestsVoucherCsv:
    """The operations over plain HTTP (``requests``, httpx, the live server)."""

    call: Callable[..., Reply]

    def import_vouchers_csv(self, data: bytes) -> Reply:
        files = {"file": ("vouchers.csv", data, "text/csv")}
        return self.call("POST", VOUCHERS_IMPORT_CSV, VOUCHERS_IMPORT_CSV, files=files)

    def import_to_campaign_csv(self, ref: str, data: bytes) -> Reply:
        files = {"file": ("codes.csv", data, "text/csv")}
        path = f"/v1/campaigns/{quote(ref, safe='')}/importCSV"
        return self.call("POST", path, CAMPAIGN_IMPORT_CSV, files=files)


class SdkVoucherCsv:
    """The operations through the official SDK (6.x)."""

    vouchers: Any
    campaigns: Any
    _run: Callable[[str, str, Callable[[], Any]], Reply]

    def import_vouchers_csv(self, data: bytes) -> Reply:
        return self._run(
            "POST",
            VOUCHERS_IMPORT_CSV,
            lambda: self.vouchers.import_vouchers_using_csv_with_http_info(file=data),
        )

    def import_to_campaign_csv(self, ref: str, data: bytes) -> Reply:
        return self._run(
            "POST",
            CAMPAIGN_IMPORT_CSV,
            lambda: self.campaigns.import_vouchers_to_campaign_using_csv_with_http_info(
                ref, file=data
            ),
        )
