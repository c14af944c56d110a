"""The vouchers API (/v1/vouchers) over discount vouchers, gift cards and loyalty cards."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

from tests.test_campaigns_api import _error, _ok, discount_campaign, gift_campaign

if TYPE_CHECKING:
    from loyalty_fake import LoyaltyFake
    from tests.conftest import Client

pytestmark = pytest.mark.loyalty_fake(now="2024-01-25T10:00:00Z")

TEN_OFF = {"type": "AMOUNT", "amount_off": 1000}


def test_create_a_voucher_with_a_code_in_a_campaign(client: Client) -> None:
    """POST /v1/vouchers/{code} with a campaign adds a voucher of its discount."""
    campaign = discount_campaign(client)
    voucher = _ok(client.create_voucher("SPRING-VIP", {"campaign": "Spring Sale"}))
    assert voucher["code"] == "SPRING-VIP"
    assert voucher["campaign_id"] == campaign["id"]
    assert voucher["discount"]["percent_off"] == 15
    assert voucher["id"].startswith("v_")
    assert _ok(client.get_campaign(campaign["id"]))["vouchers_count"] == 1


def test_create_a_standalone_discount_voucher(client: Client) -> None:
    """Without a campaign, a voucher carries its own discount and no campaign."""
    body = {"type": "DISCOUNT_VOUCHER", "discount": TEN_OFF, "metadata": {"src": "test"}}
    voucher = _ok(client.create_voucher("WELCOME10", body))
    assert voucher["type"] == "DISCOUNT_VOUCHER"
    assert voucher["discount"] == {**TEN_OFF, "effect": "APPLY_TO_ORDER"}
    assert "campaign" not in voucher
    assert voucher["metadata"] == {"src": "test"}
    assert _ok(client.get_voucher("WELCOME10"))["id"] == voucher["id"]
    assert _ok(client.get_voucher(voucher["id"]))["code"] == "WELCOME10"


def test_generate_a_random_code(client: Client) -> None:
    """POST /v1/vouchers makes a code from the code_config (or the campaign's)."""
    body = {"type": "GIFT_VOUCHER", "gift": {"amount": 2500}, "code_config": {"pattern": "G-###"}}
    voucher = _ok(client.generate_voucher(body))
    assert voucher["code"].startswith("G-")
    assert len(voucher["code"]) == 5
    assert voucher["gift"] == {"amount": 2500, "subtracted_amount": 0, "balance": 2500}
    discount_campaign(client)
    in_campaign = _ok(client.generate_voucher({"campaign": "Spring Sale"}))
    assert in_campaign["code"].startswith("SPRING-")


def test_codes_are_unique_across_cards_and_vouchers(client: Client) -> None:
    """A code a loyalty card has cannot be a voucher's, nor the other way round."""
    _ok(client.create_program({"name": "Points"}))
    _ok(client.add_voucher_code("Points", "SHARED"))
    body = {"type": "DISCOUNT_VOUCHER", "discount": TEN_OFF}
    _error(client.create_voucher("SHARED", body), 409, "duplicate_found")
    _ok(client.create_voucher("MINE", body))
    _error(client.add_voucher_code("Points", "MINE"), 409, "duplicate_found")


def test_add_vouchers_to_a_discount_campaign(client: Client) -> None:
    """/v1/campaigns/{id}/vouchers adds discount vouchers to a discount campaign."""
    discount_campaign(client)
    one = _ok(client.add_voucher_code("Spring Sale", "SPRING-ONE", {"metadata": {"k": 1}}))
    assert (one["type"], one["metadata"]) == ("DISCOUNT_VOUCHER", {"k": 1})
    reply = client.add_vouchers("Spring Sale", count=3)
    assert reply.status == 202
    assert _ok(client.list_vouchers({"campaign": "Spring Sale"}))["total"] == 4


def test_update_a_voucher(client: Client) -> None:
    """PUT changes a voucher's discount, metadata, category and dates."""
    _ok(client.create_voucher("UPD", {"type": "DISCOUNT_VOUCHER", "discount": TEN_OFF}))
    updated = _ok(
        client.update_voucher(
            "UPD",
            {
                "discount": {"type": "PERCENT", "percent_off": 5},
                "metadata": {"a": 1},
                "category": "Promo",
                "expiration_date": "2024-12-31T23:59:59Z",
                "additional_info": "note",
            },
        )
    )
    assert updated["discount"] == {"type": "PERCENT", "percent_off": 5, "effect": "APPLY_TO_ORDER"}
    assert updated["metadata"] == {"a": 1}
    assert updated["category"] == "Promo"
    assert updated["expiration_date"] == "2024-12-31T23:59:59.000Z"
    assert updated["additional_info"] == "note"
    assert "updated_at" in updated


def test_a_gift_change_on_a_discount_voucher_is_refused(client: Client) -> None:
    """A gift on a discount voucher is 400 invalid_payload, and the voucher is unchanged."""
    if client.name == "sdk":
        pytest.skip("the official SDK's update model drops a gift it does not expect")
    _ok(client.create_voucher("D", {"type": "DISCOUNT_VOUCHER", "discount": TEN_OFF}))
    _error(
        client.update_voucher("D", {"gift": {"amount": 5}, "metadata": {"x": 1}}),
        400,
        "invalid_payload",
    )
    assert _ok(client.get_voucher("D"))["metadata"] == {}


def test_disable_and_enable_a_voucher(client: Client) -> None:
    """Disable and enable answer the voucher with its new active flag."""
    _ok(client.create_voucher("ONOFF", {"type": "DISCOUNT_VOUCHER", "discount": TEN_OFF}))
    assert _ok(client.disable_voucher("ONOFF"))["active"] is False
    assert _ok(client.get_voucher("ONOFF"))["active"] is False
    assert _ok(client.enable_voucher("ONOFF"))["active"] is True


def test_disable_a_loyalty_card_through_the_vouchers_api(client: Client) -> None:
    """A loyalty card is enabled and disabled through the vouchers API too."""
    _ok(client.create_program({"name": "Points"}))
    _ok(client.add_voucher_code("Points", "CARD-1"))
    assert _ok(client.disable_voucher("CARD-1"))["active"] is False
    assert _ok(client.get_member("CARD-1"))["active"] is False


def test_delete_a_voucher(client: Client) -> None:
    """Deleted, a voucher is gone; its code stays taken unless deleted with force."""
    body = {"type": "DISCOUNT_VOUCHER", "discount": TEN_OFF}
    _ok(client.create_voucher("BIN", body))
    assert client.delete_voucher("BIN").status == 204
    _error(client.get_voucher("BIN"), 404, "not_found")
    _error(client.create_voucher("BIN", body), 409, "duplicate_found")
    _ok(client.create_voucher("GONE", body))
    assert client.delete_voucher("GONE", force=True).status == 204
    _ok(client.create_voucher("GONE", body))


def test_a_loyalty_card_is_not_deleted_through_the_vouchers_api(client: Client) -> None:
    """Deleting a loyalty card through /v1/vouchers is refused; the card stays."""
    _ok(client.create_program({"name": "Points"}))
    _ok(client.add_voucher_code("Points", "CARD-1"))
    _error(client.delete_voucher("CARD-1"), 400, "invalid_voucher")
    _ok(client.get_voucher("CARD-1"))


def test_a_missing_voucher_is_not_found(client: Client) -> None:
    """Every voucher operation on an unknown code is 404 not_found, resource_type voucher."""
    error = _error(client.get_voucher("NOPE"), 404, "not_found")
    assert error["resource_type"] == "voucher"
    _error(client.update_voucher("NOPE", {"metadata": {}}), 404, "not_found")
    _error(client.disable_voucher("NOPE"), 404, "not_found")
    _error(client.voucher_balance("NOPE", {"amount": 100}), 404, "not_found")


def test_gift_card_balance_and_transactions(client: Client) -> None:
    """Adding and removing credits moves the balance and records CREDITS_* transactions."""
    gift_campaign(client)
    _ok(client.create_voucher("GIFT-1", {"campaign": "Gift Cards"}))
    added = _ok(client.voucher_balance("GIFT-1", {"amount": 1000, "reason": "top up"}))
    assert (added["amount"], added["total"], added["balance"]) == (1000, 6000, 6000)
    assert added["type"] == "gift_voucher"
    removed = _ok(client.voucher_balance("GIFT-1", {"amount": -2500, "source_id": "r-1"}))
    assert (removed["total"], removed["balance"]) == (6000, 3500)
    gift = _ok(client.get_voucher("GIFT-1"))["gift"]
    assert gift == {
        "amount": 6000,
        "subtracted_amount": 2500,
        "balance": 3500,
        "effect": "APPLY_TO_ORDER",
    }
    listed = _ok(client.voucher_transactions("GIFT-1"))
    assert [t["type"] for t in listed["data"]] == ["CREDITS_REMOVAL", "CREDITS_ADDITION"]
    assert [t["details"]["balance"]["balance"] for t in listed["data"]] == [3500, 6000]
    assert listed["data"][0]["source_id"] == "r-1"
    assert listed["has_more"] is False


def test_removing_more_credits_than_the_balance_is_refused(client: Client) -> None:
    """Removing more than the balance is 400, and the balance is unchanged."""
    gift_campaign(client)
    _ok(client.create_voucher("GIFT-2", {"campaign": "Gift Cards"}))
    _error(client.voucher_balance("GIFT-2", {"amount": -5001}), 400, "invalid_balance")
    assert _ok(client.get_voucher("GIFT-2"))["gift"]["balance"] == 5000
    assert _ok(client.voucher_transactions("GIFT-2"))["data"] == []


def test_a_discount_voucher_has_no_balance(client: Client) -> None:
    """A balance change on a discount voucher is 400 invalid_voucher."""
    _ok(client.create_voucher("D", {"type": "DISCOUNT_VOUCHER", "discount": TEN_OFF}))
    _error(client.voucher_balance("D", {"amount": 100}), 400, "invalid_voucher")


def test_loyalty_card_points_through_the_vouchers_balance(client: Client) -> None:
    """For a loyalty card, the vouchers balance adds points, and its transactions show them."""
    _ok(client.create_program({"name": "Points"}))
    member = _ok(client.add_member("Points", {"customer": {"source_id": "alice"}}))
    reply = _ok(client.voucher_balance(member["code"], {"amount": 40, "reason": "bonus"}))
    assert (reply["type"], reply["balance"]) == ("loyalty_card", 40)
    transactions = _ok(client.voucher_transactions(member["code"]))
    assert transactions["data"][0]["type"] == "POINTS_ADDITION"


def test_list_vouchers_filters(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """The list filters by campaign, category, customer, code and dates, in the asked order."""
    discount_campaign(client, vouchers_count=2)
    loyalty_fake.clock.advance(seconds=60)
    gift = {"type": "GIFT_VOUCHER", "gift": {"amount": 100}, "category": "Gifts"}
    _ok(client.create_voucher("AAA", gift))
    _ok(client.create_program({"name": "Points"}))
    member = _ok(client.add_member("Points", {"customer": {"source_id": "alice"}}))
    everything = _ok(client.list_vouchers())
    assert everything["total"] == 4
    assert everything["vouchers"][0]["code"] == member["code"]
    assert [v["code"] for v in _ok(client.list_vouchers({"category": "Gifts"}))["vouchers"]] == [
        "AAA"
    ]
    by_customer = _ok(client.list_vouchers({"customer": "alice"}))
    assert [v["code"] for v in by_customer["vouchers"]] == [member["code"]]
    by_code = _ok(client.list_vouchers({"order": "code", "limit": 1}))
    assert by_code["vouchers"][0]["code"] == "AAA"
    assert _ok(client.list_vouchers({"campaign": "Spring Sale", "limit": 1}))["total"] == 2
    _error(client.list_vouchers({"campaign": "Nope"}), 404, "not_found")


def test_list_vouchers_by_creation_date(http: Client, loyalty_fake: LoyaltyFake) -> None:
    """created_at[after] keeps the vouchers created after that moment."""
    _ok(http.create_voucher("OLD", {"type": "DISCOUNT_VOUCHER", "discount": TEN_OFF}))
    loyalty_fake.clock.advance(seconds=60)
    _ok(http.create_voucher("NEW", {"type": "DISCOUNT_VOUCHER", "discount": TEN_OFF}))
    found = _ok(http.list_vouchers({"created_at[after]": "2024-01-25T10:00:30Z"}))
    assert [v["code"] for v in found["vouchers"]] == ["NEW"]


def test_a_refused_voucher_changes_nothing(client: Client) -> None:
    """A voucher refused for a bad discount leaves no voucher and no code taken."""
    body = {"type": "DISCOUNT_VOUCHER", "discount": {"type": "AMOUNT", "amount_off": -5}}
    _error(client.create_voucher("BAD", body), 400, "invalid_payload")
    _error(client.get_voucher("BAD"), 404, "not_found")
    assert _ok(client.list_vouchers())["total"] == 0


def test_import_csv_is_not_a_voucher_code(http: Client) -> None:
    """POST /v1/vouchers/importCSV is Voucherify's CSV import (a JSON body: 415), not a code."""
    reply = http.request("POST", "/v1/vouchers/importCSV", {})
    assert (reply.status, reply.body["key"]) == (415, "unsupported_media_type")
    _error(http.get_voucher("importCSV"), 404, "not_found")


def test_list_vouchers_pages(client: Client) -> None:
    """Limit and page walk the list; campaign_id and ids narrow it."""
    campaign = discount_campaign(client, vouchers_count=3)
    first = _ok(client.list_vouchers({"campaign_id": campaign["id"], "limit": 2, "page": 1}))
    second = _ok(client.list_vouchers({"campaign_id": campaign["id"], "limit": 2, "page": 2}))
    assert (len(first["vouchers"]), len(second["vouchers"]), first["total"]) == (2, 1, 3)
    wanted = first["vouchers"][0]["id"]
    by_ids = _ok(client.list_vouchers({"ids": [wanted]}))
    assert [v["id"] for v in by_ids["vouchers"]] == [wanted]


def test_list_vouchers_by_update_date(http: Client, loyalty_fake: LoyaltyFake) -> None:
    """updated_at[after] and updated_at[before] bound the last update; never updated is out."""
    body = {"type": "DISCOUNT_VOUCHER", "discount": TEN_OFF}
    _ok(http.create_voucher("KEPT", body))
    _ok(http.create_voucher("TOUCHED", body))
    loyalty_fake.clock.advance(seconds=60)
    _ok(http.update_voucher("TOUCHED", {"metadata": {"a": 1}}))
    after = _ok(http.list_vouchers({"updated_at[after]": "2024-01-25T10:00:30Z"}))
    assert [v["code"] for v in after["vouchers"]] == ["TOUCHED"]
    before = _ok(http.list_vouchers({"updated_at[before]": "2024-01-25T10:00:30Z"}))
    assert before["vouchers"] == []
    created_before = _ok(http.list_vouchers({"created_at[before]": "2024-01-25T10:00:30Z"}))
    assert created_before["total"] == 2


def test_gift_transactions_pages(client: Client) -> None:
    """limit, order and starting_after_id page a gift card's transactions."""
    gift_campaign(client)
    _ok(client.create_voucher("GIFT-P", {"campaign": "Gift Cards"}))
    for amount in (100, 200, 300):
        _ok(client.voucher_balance("GIFT-P", {"amount": amount}))
    oldest = _ok(client.voucher_transactions("GIFT-P", {"order": "id", "limit": 2}))
    assert [t["details"]["balance"]["amount"] for t in oldest["data"]] == [100, 200]
    assert oldest["has_more"] is True
    rest = _ok(
        client.voucher_transactions(
            "GIFT-P", {"order": "id", "starting_after_id": oldest["more_starting_after"]}
        )
    )
    assert [t["details"]["balance"]["amount"] for t in rest["data"]] == [300]


def test_campaign_transactions(client: Client) -> None:
    """A gift campaign's transactions gather its cards' moves (limit, order, starting_after_id)."""
    gift_campaign(client)
    for code in ("GIFT-A", "GIFT-B"):
        _ok(client.create_voucher(code, {"campaign": "Gift Cards"}))
    _ok(client.voucher_balance("GIFT-A", {"amount": 100}))
    _ok(client.voucher_balance("GIFT-B", {"amount": -200}))
    _ok(client.voucher_balance("GIFT-A", {"amount": 300}))
    newest = _ok(client.campaign_transactions("Gift Cards"))
    assert [t["details"]["balance"]["amount"] for t in newest["data"]] == [300, -200, 100]
    first = _ok(client.campaign_transactions("Gift Cards", {"order": "id", "limit": 2}))
    assert [t["details"]["balance"]["amount"] for t in first["data"]] == [100, -200]
    after = first["more_starting_after"]
    rest = _ok(
        client.campaign_transactions("Gift Cards", {"order": "id", "starting_after_id": after})
    )
    assert [t["details"]["balance"]["amount"] for t in rest["data"]] == [300]


def test_a_loyalty_programs_transactions(client: Client) -> None:
    """A loyalty program's transactions are its cards' points movements."""
    _ok(client.create_program({"name": "Points"}))
    member = _ok(client.add_member("Points", {"customer": {"source_id": "alice"}}))
    _ok(client.voucher_balance(member["code"], {"amount": 25}))
    listed = _ok(client.campaign_transactions("Points"))
    assert [t["type"] for t in listed["data"]] == ["POINTS_ADDITION"]


def test_import_vouchers(client: Client) -> None:
    """POST /v1/vouchers/import makes each voucher; a taken code fails alone, in the result."""
    _ok(client.create_voucher("TAKEN", {"type": "DISCOUNT_VOUCHER", "discount": TEN_OFF}))
    items: list[dict[str, Any]] = [
        {"code": "IMP-1", "type": "DISCOUNT_VOUCHER", "discount": TEN_OFF, "category": "Imp"},
        {"code": "IMP-2", "type": "GIFT_VOUCHER", "gift": {"amount": 300}, "active": False},
        {"code": "TAKEN", "type": "GIFT_VOUCHER", "gift": {"amount": 300}},
    ]
    reply = client.import_vouchers(items)
    assert reply.status == 202, reply.body
    action = _ok(client.get_async_action(reply.body["async_action_id"]))
    assert action["type"] == "VOUCHERS.IMPORT"
    assert (action["result"]["done_count"], action["result"]["failed_count"]) == (2, 1)
    assert _ok(client.get_voucher("IMP-1"))["category"] == "Imp"
    assert _ok(client.get_voucher("IMP-2"))["active"] is False


def test_a_bad_import_imports_nothing(http: Client) -> None:
    """An item the spec refuses makes the whole import 400; no voucher is made."""
    items = [
        {"code": "OK-1", "type": "DISCOUNT_VOUCHER", "discount": TEN_OFF},
        {"type": "DISCOUNT_VOUCHER", "discount": TEN_OFF},
    ]
    error = _error(http.import_vouchers(items), 400, "invalid_payload")
    assert error["details"] == "Property [1] must have required property 'code'"
    _error(http.get_voucher("OK-1"), 404, "not_found")


def test_import_vouchers_to_a_campaign(client: Client) -> None:
    """POST /v1/campaigns/{id}/import adds vouchers with their codes and the campaign's discount."""
    discount_campaign(client)
    reply = client.import_to_campaign("Spring Sale", [{"code": "C-1"}, {"code": "C-2"}])
    assert reply.status == 202, reply.body
    listed = _ok(client.list_vouchers({"campaign": "Spring Sale"}))
    assert sorted(v["code"] for v in listed["vouchers"]) == ["C-1", "C-2"]
    assert listed["vouchers"][0]["discount"]["percent_off"] == 15


def test_update_vouchers_metadata_in_bulk(client: Client) -> None:
    """Bulk and metadata updates merge metadata into each voucher; an unknown code fails alone."""
    body = {"type": "DISCOUNT_VOUCHER", "discount": TEN_OFF, "metadata": {"keep": 1}}
    _ok(client.create_voucher("M-1", body))
    _ok(client.create_voucher("M-2", body))
    reply = client.update_vouchers_in_bulk(
        [{"code": "M-1", "metadata": {"lang": "en"}}, {"code": "NOPE", "metadata": {"x": 1}}]
    )
    assert reply.status == 202, reply.body
    action = _ok(client.get_async_action(reply.body["async_action_id"]))
    assert action["type"] == "VOUCHERS.BULK_UPDATE"
    assert (action["result"]["done_count"], action["result"]["failed_count"]) == (1, 1)
    assert action["result"]["errors"][0]["code"] == "NOPE"
    assert _ok(client.get_voucher("M-1"))["metadata"] == {"keep": 1, "lang": "en"}
    reply = client.update_vouchers_metadata({"codes": ["M-1", "M-2"], "metadata": {"tier": "a"}})
    assert reply.status == 202, reply.body
    assert _ok(client.get_voucher("M-2"))["metadata"] == {"keep": 1, "tier": "a"}
    assert _ok(client.get_voucher("M-1"))["metadata"] == {"keep": 1, "lang": "en", "tier": "a"}
