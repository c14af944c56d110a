"""Bulk work: customers imported from CSV or updated in bulk, orders imported, async actions."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

from loyalty_fake import LoyaltyFake
from tests.conftest import RequestsClient, make_program
from tests.spec import SPEC_AVAILABLE, validate_schema

if TYPE_CHECKING:
    from tests.conftest import Client

pytestmark = pytest.mark.loyalty_fake(now="2024-01-25T10:00:00Z")

CSV = (
    b"Source_id,Name,Email,Address_City,Address_Country,tier\r\n"
    b"ada,Ada Lovelace,ada@example.com,London,GB,gold\r\n"
    b"bob,Bob,,,,\r\n"
)
TEN = {"event": "order.paid", "loyalty": {"type": "FIXED", "points": 10}}
# The full spec's schema of each type's result (validated beside the SDK's looser one).
_RESULT_SCHEMAS = {
    "CUSTOMERS.IMPORT_CSV": "17_res_obj_get_async_action_result_customers_import_csv",
    "CUSTOMERS.BULK_UPDATE": "AsyncActionResultCustomersBulkUpdateResponseBody",
    "CUSTOMERS.METADATA_UPDATE": "AsyncActionResultCustomersMetadataUpdateResponseBody",
    "PRODUCTS.BULK_UPDATE": "AsyncActionResultProductsBulkUpdateResponseBody",
    "PRODUCTS.METADATA_UPDATE": "AsyncActionResultProductsMetadataUpdateResponseBody",
    "PRODUCTS.IMPORT_CSV": "AsyncActionResultProductsImportCSV",
    "CAMPAIGN.VOUCHERS_GENERATE": "17_res_obj_get_async_action_result_campaign_vouchers_generate",
    "CAMPAIGN.VOUCHERS_DELETE": "17_res_obj_get_async_action_result_campaign_vouchers_delete",
}


def _accepted(reply: Any, status: int = 202) -> str:
    assert reply.status == status, reply.body
    action_id: str = reply.body["async_action_id"]
    assert action_id.startswith("aa_")
    return action_id


def _action(client: Client, action_id: str) -> dict[str, Any]:
    reply = client.get_async_action(action_id)
    assert reply.status == 200, reply.body
    action: dict[str, Any] = reply.body
    schema = _RESULT_SCHEMAS.get(action["type"])
    if schema is not None and SPEC_AVAILABLE:
        validate_schema(schema, action["result"], spec="full")
    return action


def _customer(client: Client, ref: str) -> dict[str, Any]:
    reply = client.get_customer(ref)
    assert reply.status == 200, reply.body
    found: dict[str, Any] = reply.body
    return found


def test_import_csv_creates_customers(client: Client) -> None:
    """Each CSV row makes a customer: known columns are fields, the others metadata."""
    action = _action(client, _accepted(client.import_customers_csv(CSV)))
    assert action["type"] == "CUSTOMERS.IMPORT_CSV"
    assert (action["status"], action["operation_status"], action["progress"]) == (
        "DONE",
        "SUCCESS",
        100,
    )
    assert action["result"] == {
        "message": "2 customer(s) imported successfully, 0 failed.",
        "failed": [],
        "done_count": 2,
        "failed_count": 0,
    }
    assert action["created_at"] == "2024-01-25T10:00:00.000Z"
    ada = _customer(client, "ada")
    assert (ada["name"], ada["email"]) == ("Ada Lovelace", "ada@example.com")
    assert ada["address"]["city"] == "London"
    assert ada["metadata"] == {"tier": "gold"}
    assert _customer(client, "bob")["name"] == "Bob"


def test_import_csv_updates_by_source_id(client: Client) -> None:
    """A row whose source_id exists updates that customer; a row with an unknown Id fails."""
    client.create_customer({"source_id": "ada", "name": "Ada", "phone": "+44 1"})
    data = CSV + b"nobody,Nobody,,,,\r\n"
    data = b"Id," + data.replace(b"\r\n", b"\r\n,", 3)[:-1]
    data = data.replace(b",nobody,", b"cust_missing,nobody,")
    action = _action(client, _accepted(client.import_customers_csv(data)))
    assert action["result"]["done_count"] == 2
    assert action["result"]["failed"] == [
        {"source_id": "nobody", "row": 3, "reason": "Cannot find customer with id cust_missing"}
    ]
    ada = _customer(client, "ada")
    assert (ada["name"], ada["phone"]) == ("Ada Lovelace", "+44 1")


def test_bulk_update_upserts_by_source_id(client: Client) -> None:
    """Each customer named by source_id is updated, or created when there is none."""
    client.create_customer({"source_id": "ada", "name": "Ada", "email": "ada@example.com"})
    body: list[dict[str, Any]] = [
        {"source_id": "ada", "name": "Ada L."},
        {"source_id": "cy", "metadata": {"a": 1}},
    ]
    action = _action(client, _accepted(client.update_customers_in_bulk(body)))
    assert action["type"] == "CUSTOMERS.BULK_UPDATE"
    result = action["result"]
    assert (result["done_count"], result["failed_count"], result["errors"]) == (2, 0, [])
    assert result["reports_available_till"] == "2024-02-01T10:00:00.000Z"
    ada = _customer(client, "ada")
    assert (ada["name"], ada["email"]) == ("Ada L.", "ada@example.com")
    assert _customer(client, "cy")["metadata"] == {"a": 1}


def test_metadata_update_merges_keys(client: Client) -> None:
    """Every customer listed gets the metadata's keys; their other keys stay."""
    client.create_customer({"source_id": "ada", "metadata": {"tier": "gold", "lang": "pl"}})
    body = {"source_ids": ["ada", "bob"], "metadata": {"lang": "en"}}
    action = _action(client, _accepted(client.update_customers_metadata(body)))
    assert action["type"] == "CUSTOMERS.METADATA_UPDATE"
    assert action["result"]["done_count"] == 2
    assert _customer(client, "ada")["metadata"] == {"tier": "gold", "lang": "en"}
    assert _customer(client, "bob")["metadata"] == {"lang": "en"}


def test_import_orders(client: Client) -> None:
    """Imported orders keep their created_at; one naming an unknown id fails alone."""
    body = [
        {
            "source_id": "old-1",
            "status": "PAID",
            "amount": 2500,
            "customer": {"source_id": "ada"},
            "created_at": "2023-06-01T12:00:00.000Z",
        },
        {"id": "ord_missing", "status": "PAID", "amount": 100},
    ]
    action = _action(client, _accepted(client.import_orders(body), status=200))
    assert action["type"] == "ORDERS.IMPORT"
    assert action["result"] == {
        "message": "1 order(s) imported successfully, 1 failed.",
        "failed": [{"source_id": None, "reason": "Cannot find order with id ord_missing"}],
        "done_count": 1,
        "failed_count": 1,
    }
    order = client.get_order("old-1").body
    assert (order["status"], order["created_at"]) == ("PAID", "2023-06-01T12:00:00.000Z")
    assert _customer(client, "ada")["summary"]["orders"]["total_amount"] == 2500


def _member(client: Client, fake: LoyaltyFake) -> str:
    make_program(client)
    assert client.create_earning_rules("Coffee Club", [TEN]).status == 200
    code: str = fake.add_member("Coffee Club", {"source_id": "ada"})["code"]
    return code


_PAID = [{"source_id": "old-1", "status": "PAID", "amount": 2500, "customer": {"source_id": "ada"}}]


def test_imported_paid_orders_earn_nothing(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """An order imported PAID triggers no order.paid earning rule, as Voucherify documents."""
    code = _member(client, loyalty_fake)
    _accepted(client.import_orders(_PAID), status=200)
    assert client.get_member(code).body["loyalty_card"]["balance"] == 0
    client.update_order("old-1", {"status": "PAID"})
    assert client.get_member(code).body["loyalty_card"]["balance"] == 0


@pytest.mark.loyalty_fake(imported_orders_earn=True)
def test_imported_orders_earn_when_switched_on(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """With imported_orders_earn, an order imported PAID earns as a synced one does."""
    code = _member(client, loyalty_fake)
    _accepted(client.import_orders(_PAID), status=200)
    assert client.get_member(code).body["loyalty_card"]["balance"] == 10


def test_list_async_actions_newest_first(client: Client, loyalty_fake: LoyaltyFake) -> None:
    """The list is newest first, without results; limit and end_date narrow it."""
    first = _accepted(client.update_customers_in_bulk([{"source_id": "ada"}]))
    loyalty_fake.clock.advance(hours=1)
    second = _accepted(client.update_customers_metadata({"source_ids": ["ada"], "metadata": {}}))
    listed = client.list_async_actions().body
    assert (listed["object"], listed["data_ref"]) == ("list", "async_actions")
    assert [a["id"] for a in listed["async_actions"]] == [second, first]
    assert "result" not in listed["async_actions"][0]
    assert [a["id"] for a in client.list_async_actions({"limit": 1}).body["async_actions"]] == [
        second
    ]
    before = {"end_date": "2024-01-25T10:30:00+00:00"}
    assert [a["id"] for a in client.list_async_actions(before).body["async_actions"]] == [first]


def test_an_unknown_async_action_is_not_found(client: Client) -> None:
    """An ID no action has is 404 not_found."""
    reply = client.get_async_action("aa_0123456789abcdef01")
    assert (reply.status, reply.error_key) == (404, "not_found")


@pytest.mark.parametrize(
    ("operation", "body"),
    [
        ("update_customers_in_bulk", [{"name": "no source_id"}]),
        ("update_customers_in_bulk", [{"source_id": "ada", "metadata": "x"}]),
        ("update_customers_metadata", {"source_ids": ["ada"]}),
        ("update_customers_metadata", {"source_ids": [], "metadata": {}}),
        ("update_customers_metadata", {"source_ids": [7], "metadata": {}}),
        ("import_orders", [{"source_id": "o", "amount": 1.5}]),
        ("import_orders", [{"source_id": "o", "created_at": "yesterday"}]),
    ],
)
def test_bad_bulk_requests_change_nothing(http: RequestsClient, operation: str, body: Any) -> None:
    """A request the spec refuses is 400 invalid_payload, and nothing is done."""
    reply = getattr(http, operation)(body)
    assert (reply.status, reply.error_key) == (400, "invalid_payload")
    assert http.list_async_actions().body["async_actions"] == []
    assert http.list_customers().body["customers"] == []


def test_import_csv_takes_only_multipart(http: RequestsClient) -> None:
    """A CSV upload sent as JSON is 415; one without a file field is 400."""
    reply = http.request("POST", "/v1/customers/importCSV", {"file": "x"})
    assert (reply.status, reply.body["key"]) == (415, "unsupported_media_type")
    reply = http.call(
        "POST",
        "/v1/customers/importCSV",
        "/v1/customers/importCSV",
        files={"other": ("a.csv", b"Name\nA\n", "text/csv")},
    )
    assert (reply.status, reply.error_key) == (400, "invalid_payload")


def test_async_action_ids_follow_the_seed() -> None:
    """Two fakes with the same seed and clock give the same async action IDs."""

    def ids() -> list[str]:
        with LoyaltyFake(seed=7, now="2024-01-25T10:00:00Z") as fake:
            client = RequestsClient(fake.headers)
            return [_accepted(client.update_customers_in_bulk([{"source_id": "a"}]))]

    assert ids() == ids()


def test_products_bulk_update_upserts_by_source_id(client: Client) -> None:
    """Each item updates the product its source_id names, or makes one; the action says so."""
    assert client.create_product({"source_id": "mug", "name": "Mug", "price": 500}).status == 200
    body: list[dict[str, Any]] = [
        {"source_id": "mug", "price": 700},
        {"source_id": "cup", "name": "Cup"},
    ]
    action = _action(client, _accepted(client.update_products_in_bulk(body)))
    assert action["type"] == "PRODUCTS.BULK_UPDATE"
    assert action["status"] == "DONE"
    assert (action["result"]["done_count"], action["result"]["failed_count"]) == (2, 0)
    mug = client.get_product("mug").body
    assert (mug["name"], mug["price"]) == ("Mug", 700)
    assert client.get_product("cup").body["name"] == "Cup"


def test_products_metadata_update_merges(client: Client) -> None:
    """The metadata is merged into each product listed; an unknown source_id makes a product."""
    made = client.create_product({"source_id": "mug", "metadata": {"a": 1}})
    assert made.status == 200
    body = {"source_ids": ["mug", "bowl"], "metadata": {"b": 2}}
    action = _action(client, _accepted(client.update_products_metadata(body)))
    assert action["type"] == "PRODUCTS.METADATA_UPDATE"
    assert action["result"]["done_count"] == 2
    assert client.get_product("mug").body["metadata"] == {"a": 1, "b": 2}
    assert client.get_product("bowl").body["metadata"] == {"b": 2}


def test_products_bulk_bad_input_changes_nothing(client: Client) -> None:
    """An item without a source_id is 400 and no item is done."""
    reply = client.update_products_in_bulk([{"source_id": "mug"}, {"name": "x"}])
    assert reply.status == 400
    assert reply.body["key"] == "invalid_payload"
    assert client.get_product("mug").status == 404


PRODUCTS_CSV = (
    b"name,source_id,price,attributes,image_url,colour\r\n"
    b'Mug,mug,500,"size,colour",https://example.com/mug.png,blue\r\n'
    b"Cup,cup,,,,\r\n"
)


def test_products_import_csv_creates_products(client: Client) -> None:
    """Each row makes a product: the documented columns are fields, the others metadata."""
    action = _action(client, _accepted(client.import_products_csv(PRODUCTS_CSV), 200))
    assert action["type"] == "PRODUCTS.IMPORT_CSV"
    assert action["result"] == {
        "message": "2 product(s) imported successfully, 0 failed.",
        "failed": [],
        "done_count": 2,
        "failed_count": 0,
    }
    mug = client.get_product("mug").body
    assert (mug["name"], mug["price"], mug["attributes"]) == ("Mug", 500, ["size", "colour"])
    assert (mug["image_url"], mug["metadata"]) == (
        "https://example.com/mug.png",
        {"colour": "blue"},
    )
    cup = client.get_product("cup").body
    assert (cup["name"], cup["price"], cup["metadata"]) == ("Cup", None, {})


def test_products_import_csv_renames_only_and_reports_bad_rows(client: Client) -> None:
    """A known source_id gets the row's name and nothing else; a bad row fails alone."""
    assert client.create_product({"source_id": "mug", "name": "Mug", "price": 500}).status == 200
    data = (
        b"Name,Source_id,Price\r\nBig mug,mug,900\r\n,nameless,100\r\nBowl,bowl,1.5\r\n"
        b"Pot,pot,7\r\n"
    )
    action = _action(client, _accepted(client.import_products_csv(data), 200))
    result = action["result"]
    assert (result["done_count"], result["failed_count"]) == (2, 2)
    assert [(f["row"], f["source_id"]) for f in result["failed"]] == [(2, "nameless"), (3, "bowl")]
    mug = client.get_product("mug").body
    assert (mug["name"], mug["price"]) == ("Big mug", 500)
    assert client.get_product("bowl").status == 404
    assert client.get_product("pot").body["price"] == 7


def test_skus_import_csv_adds_skus_to_products(client: Client) -> None:
    """Each row makes a SKU of the product its product_id names (an ID or a source_id)."""
    mug = client.create_product({"source_id": "mug", "name": "Mug", "attributes": ["colour"]})
    data = (
        b"product_id,sku,source_id,price,attributes,batch\r\n"
        + f"{mug.body['id']},Blue mug,mug-blue,550,\"{{'colour':'blue'}}\",b1\r\n".encode()
        + b"mug,Red mug,mug-red,,,\r\n"
        + b"nothing,Green mug,mug-green,,,\r\n"
        + b"mug,No source,,,,\r\n"
    )
    action = _action(client, _accepted(client.import_skus_csv(data), 200))
    assert action["type"] == "SKUS.IMPORT_CSV"
    result = action["result"]
    assert (result["done_count"], result["failed_count"]) == (2, 2)
    assert [(f["row"], f["source_id"]) for f in result["failed"]] == [(3, "mug-green"), (4, "")]
    blue = client.get_sku("mug-blue").body
    assert (blue["sku"], blue["price"], blue["product_id"]) == ("Blue mug", 550, mug.body["id"])
    assert (blue["attributes"], blue["metadata"]) == ({"colour": "blue"}, {"batch": "b1"})
    assert client.get_sku("mug-red").body["sku"] == "Red mug"
    assert client.get_sku("mug-green").status == 404


def test_skus_import_csv_updates_only_sku_and_price(client: Client) -> None:
    """A SKU the row's source_id names gets the row's sku and price; its metadata stays."""
    assert client.create_product({"source_id": "mug", "name": "Mug"}).status == 200
    made = client.create_sku("mug", {"source_id": "m1", "sku": "M", "metadata": {"a": "1"}})
    assert made.status == 200
    data = b"product_id,sku,source_id,price,batch\r\nmug,Mug one,m1,300,b2\r\n"
    action = _action(client, _accepted(client.import_skus_csv(data), 200))
    assert action["result"]["done_count"] == 1
    sku = client.get_sku("m1").body
    assert (sku["sku"], sku["price"], sku["metadata"]) == ("Mug one", 300, {"a": "1"})


@pytest.mark.parametrize("operation", ["import_products_csv", "import_skus_csv"])
@pytest.mark.parametrize(
    "data", [b"", b"\xff\xfe\x00", b"name,source_id,meta data\r\nMug,mug,x\r\n"]
)
def test_bad_product_csv_files_change_nothing(
    http: RequestsClient, operation: str, data: bytes
) -> None:
    """A file that is not CSV text with usable headers is 400 and records no action."""
    reply = getattr(http, operation)(data)
    assert (reply.status, reply.error_key) == (400, "invalid_payload")
    assert http.list_async_actions().body["async_actions"] == []
    assert http.get_product("mug").status == 404


def test_adding_vouchers_in_bulk_records_its_async_action(client: Client) -> None:
    """``POST /v1/campaigns/{id}/vouchers?vouchers_count=3`` answers an action that can be read."""
    campaign = client.create_campaign(
        {
            "name": "Spring Sale",
            "campaign_type": "DISCOUNT_COUPONS",
            "voucher": {
                "type": "DISCOUNT_VOUCHER",
                "discount": {"type": "AMOUNT", "amount_off": 500},
            },
        }
    ).body
    action_id = _accepted(client.add_vouchers(campaign["id"], count=3))
    action = _action(client, action_id)
    assert (action["type"], action["status"]) == ("CAMPAIGN.VOUCHERS_GENERATE", "DONE")
    assert action["result"] == {"message": "Generated 3 vouchers.", "done_count": 3}


@pytest.mark.parametrize("force", [False, True])
def test_deleting_a_campaign_records_its_async_action(client: Client, force: bool) -> None:
    """A deleted campaign's ``async_action_id`` names a finished ``CAMPAIGN.VOUCHERS_DELETE``."""
    campaign = client.create_campaign(
        {
            "name": "Gift Cards",
            "campaign_type": "GIFT_VOUCHERS",
            "vouchers_count": 2,
            "voucher": {"type": "GIFT_VOUCHER", "gift": {"amount": 5000}},
        }
    ).body
    action_id = _accepted(client.delete_campaign(campaign["id"], force=force))
    action = _action(client, action_id)
    assert action["type"] == "CAMPAIGN.VOUCHERS_DELETE"
    assert action["result"] == {"message": "Deleted 2 vouchers.", "done_count": 2}
    listed = client.list_async_actions().body["async_actions"]
    assert [found["id"] for found in listed][:1] == [action_id]
