"""The bin (``/v1/trash-bin``), per client.

``tests/conftest.py``'s clients take these mixins, as they take ``tests/category_clients.py``'s.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import quote

if TYPE_CHECKING:
    from collections.abc import Callable

    from tests.conftest import Reply

__all__ = ["BIN", "BIN_ENTRY", "BinClient", "RequestsBin", "SdkBin"]

BIN = "/v1/trash-bin"
BIN_ENTRY = "/v1/trash-bin/{binEntryId}"


class BinClient(Protocol):
    """The bin, as one client library calls it."""

    def list_bin_entries(self, params: dict[str, Any] | None = None) -> Reply: ...
    def delete_bin_entry(self, entry_id: str) -> Reply: ...


class RequestsBin:
    """Over plain HTTP (``requests``, httpx, the live server)."""

    call: Callable[..., Reply]

    def list_bin_entries(self, params: dict[str, Any] | None = None) -> Reply:
        return self.call("GET", BIN, BIN, params=params)

    def delete_bin_entry(self, entry_id: str) -> Reply:
        return self.call("DELETE", f"{BIN}/{quote(entry_id, safe='')}", BIN_ENTRY)


class SdkBin:
    """Through the official SDK (6.x): BinApi."""

    bin: Any
    _run: Callable[[str, str, Callable[[], Any]], Reply]

    def list_bin_entries(self, params: dict[str, Any] | None = None) -> Reply:
        keywords = dict(params or {})
        return self._run("GET", BIN, lambda: self.bin.list_bin_entries_with_http_info(**keywords))

    def delete_bin_entry(self, entry_id: str) -> Reply:
        return self._run(
            "DELETE", BIN_ENTRY, lambda: self.bin.delete_bin_entry_with_http_info(entry_id)
        )
