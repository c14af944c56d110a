"""The campaigns list's and a campaign's transactions' ``filters`` (docs/choices.md)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

from tests.test_campaigns_api import discount_campaign, gift_campaign

if TYPE_CHECKING:
    from tests.conftest import Client

pytestmark = pytest.mark.loyalty_fake(now="2024-01-25T10:00:00Z")


def _ok(reply: Any) -> dict[str, Any]:
    assert reply.status == 200, reply.body
    body: dict[str, Any] = reply.body
    return body


def filter_params(client: Client, filters: dict[str, Any]) -> dict[str, Any]:
    """A list's query for ``filters``: the SDK takes them as its model, the rest as pairs."""
    if client.name == "sdk":
        return {"filters": filters}
    params: dict[str, Any] = {}
    for field, spec in filters.items():
        if field == "junction":
            params["filters[junction]"] = spec
            continue
        for condition, value in spec["conditions"].items():
            key = f"filters[{field}][conditions][{condition}]"
            if isinstance(value, list):
                for index, item in enumerate(value):
                    params[f"{key}[{index}]"] = item
            else:
                params[key] = value
    return params


def _names(client: Client, filters: dict[str, Any]) -> list[str]:
    """The campaigns ``filters`` keeps, newest first."""
    params = filter_params(client, filters)
    return [c["name"] for c in _ok(client.list_campaigns(params))["campaigns"]]


def _three(client: Client) -> None:
    discount_campaign(client, category="Spring")
    gift_campaign(client, type="STATIC")
    _ok(client.create_program({"name": "Points", "type": "AUTO_UPDATE"}))


def test_filter_by_voucher_type_and_category(client: Client) -> None:
    """voucher_type reads the campaign's vouchers' type, categories the category's name."""
    _three(client)
    gifts = _names(client, {"voucher_type": {"conditions": {"$is": "GIFT_VOUCHER"}}})
    assert gifts == ["Gift Cards"]
    cards = _names(client, {"voucher_type": {"conditions": {"$is": "LOYALTY_CARD"}}})
    assert cards == ["Points"]
    spring = _names(client, {"categories": {"conditions": {"$is": "Spring"}}})
    assert spring == ["Spring Sale"]
    category_id = _ok(client.get_campaign("Spring Sale"))["category_id"]
    by_id = _names(client, {"category_ids": {"conditions": {"$is": category_id}}})
    assert by_id == ["Spring Sale"]
    either = {
        "voucher_type": {"conditions": {"$is": "GIFT_VOUCHER"}},
        "categories": {"conditions": {"$is": "Spring"}},
        "junction": "or",
    }
    assert _names(client, either) == ["Gift Cards", "Spring Sale"]


def test_filter_by_type_reads_bulk_as_both(http: Client) -> None:
    """Filtering by type, BULK keeps AUTO_UPDATE and STATIC; no campaign is STANDALONE."""
    _three(http)
    bulk = _names(http, {"type": {"conditions": {"$in": ["BULK"]}}})
    assert bulk == ["Points", "Gift Cards", "Spring Sale"]
    auto = _names(http, {"type": {"conditions": {"$in": ["AUTO_UPDATE"]}}})
    assert auto == ["Points"]
    assert _names(http, {"type": {"conditions": {"$in": ["STANDALONE"]}}}) == []
    done = _names(http, {"campaign_status": {"conditions": {"$in": ["DONE"]}}})
    assert len(done) == 3
    assert _names(http, {"campaign_status": {"conditions": {"$in": ["DRAFT"]}}}) == []
    referral = _names(http, {"is_referral_code": {"conditions": {"$is": "TRUE"}}})
    assert referral == []


def test_an_unknown_filter_field_is_refused(http: Client) -> None:
    """A field the campaigns list does not filter on is Voucherify's 400, not ignored."""
    reply = http.list_campaigns({"filters[colour][conditions][$is]": "red"})
    assert (reply.status, reply.error_key) == (400, "invalid_query_params"), reply.body


def test_campaign_transactions_filter_by_voucher(client: Client) -> None:
    """A campaign's transactions keep those of the voucher voucher_id names."""
    gift_campaign(client)
    ids = {}
    for code in ("GIFT-A", "GIFT-B"):
        ids[code] = _ok(client.create_voucher(code, {"campaign": "Gift Cards"}))["id"]
    _ok(client.voucher_balance("GIFT-A", {"amount": 100}))
    _ok(client.voucher_balance("GIFT-B", {"amount": -200}))
    _ok(client.voucher_balance("GIFT-A", {"amount": 300}))
    if client.name == "sdk":
        # The SDK's model has no [conditions] level (the spec's), and Voucherify's grammar
        # needs one: 400, as for a member's transactions (docs/choices.md).
        refused = client.campaign_transactions(
            "Gift Cards", {"filters": {"voucher_id": {"$is": ids["GIFT-A"]}}}
        )
        assert (refused.status, refused.error_key) == (400, "invalid_query_params")
        return
    params = {"filters[voucher_id][conditions][$is]": ids["GIFT-A"]}
    listed = _ok(client.campaign_transactions("Gift Cards", params))
    assert [t["details"]["balance"]["amount"] for t in listed["data"]] == [300, 100]
    assert {t["voucher_id"] for t in listed["data"]} == {ids["GIFT-A"]}
    first_of_b = _ok(client.voucher_transactions("GIFT-B"))["data"][0]["id"]
    either = {
        "filters[voucher_id][conditions][$is]": ids["GIFT-A"],
        "filters[id][conditions][$is]": first_of_b,
        "filters[junction]": "or",
    }
    listed = _ok(client.campaign_transactions("Gift Cards", either))
    assert [t["details"]["balance"]["amount"] for t in listed["data"]] == [300, -200, 100]


def test_filter_by_name_id_and_dates(http: Client) -> None:
    """Names, IDs, validity timeframes and the four dates filter as the spec documents."""
    _three(http)
    spring = _ok(http.get_campaign("Spring Sale"))
    _ok(http.update_campaign("Gift Cards", {"expiration_date": "2024-06-01T00:00:00Z"}))
    by_name = _names(http, {"campaigns": {"conditions": {"$in": ["Points", "Spring Sale"]}}})
    assert by_name == ["Points", "Spring Sale"]
    assert _names(http, {"campaigns_id": {"conditions": {"$is": spring["id"]}}}) == ["Spring Sale"]
    expiring = _names(
        http, {"expiration_date": {"conditions": {"$before": "2024-07-01T00:00:00Z"}}}
    )
    assert expiring == ["Gift Cards"]
    updated = _names(http, {"updated_at": {"conditions": {"$has_value": ""}}})
    assert updated == ["Gift Cards"]
    assert _names(http, {"start_date": {"conditions": {"$has_value": ""}}}) == []
    created = _names(http, {"created_date": {"conditions": {"$after": "2024-01-01T00:00:00Z"}}})
    assert len(created) == 3
    discount_campaign(
        http, "Happy Hour", validity_timeframe={"duration": "PT1H", "interval": "P1D"}
    )
    timed = _names(http, {"validity_timeframe": {"conditions": {"$has_value": ""}}})
    assert timed == ["Happy Hour"]


@pytest.mark.parametrize(
    "key",
    [
        "filters[status][conditions][$active]",
        "filters[active][conditions][$enabled]",
        "filters[validity_day_of_week][conditions][$is]",
    ],
)
def test_state_filters_are_refused(http: Client, key: str) -> None:
    """The state filters (status, active) and validity_day_of_week are 400, not ignored."""
    reply = http.list_campaigns({key: ""})
    assert (reply.status, reply.error_key) == (400, "invalid_query_params"), reply.body
