"""``POST /v1/loyalties/{campaignId}/qualifications``: the points an order would earn."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from loyalty_fake.http.common_json import FREE_OBJECT, INTEGER, STRING, const, obj
from loyalty_fake.http.customers import customer_ref
from loyalty_fake.http.declare import Operation, Route
from loyalty_fake.http.orders import order_input
from loyalty_fake.http.params import Body, parse_json_body
from loyalty_fake.ledger.point_estimates import PointEstimates

if TYPE_CHECKING:
    from loyalty_fake.http.common_json import Schema
    from loyalty_fake.http.declare import Call

__all__ = ["PATH_PARAMETERS", "ROUTES", "SCHEMAS"]

PATH_PARAMETERS: dict[str, str] = {}

_BODY: Schema = {
    "type": "object",
    "required": ["customer", "order"],
    "properties": {"customer": FREE_OBJECT, "order": FREE_OBJECT},
}


def estimate_points(call: Call) -> tuple[int, Any]:
    """The campaign, and the points its ``order.paid`` rules would award for the order."""
    session = call.session
    session.campaigns.get(call.params["campaignId"])  # 404 before the body's 400
    body = Body(parse_json_body(call.request))
    for key in ("customer", "order"):
        if not isinstance(body.data.get(key), dict):
            body.fail(key, "must be object")
    order_body = body.obj("order")
    assert order_body is not None  # noqa: S101 - checked above
    order = order_input(order_body, identified=True)
    customer = customer_ref(body)
    campaign, points = PointEstimates(session).estimate(call.params["campaignId"], customer, order)
    return 200, {
        "campaign": {"id": campaign.id, "name": campaign.name, "object": "campaign"},
        "points_estimation": points,
    }


SCHEMAS: dict[str, Schema] = {
    "LoyaltiesQualificationsCheckEligibilityResponseBody": obj(
        {
            "campaign": obj({"id": STRING, "name": STRING, "object": const("campaign")}),
            "points_estimation": INTEGER,
        }
    ),
}

ROUTES: tuple[Route, ...] = (
    Route(
        "POST",
        "/v1/loyalties/{campaignId}/qualifications",
        estimate_points,
        Operation(
            "estimate_points",
            "The points a customer would earn for an order under the program's earning rules:"
            " changes nothing",
            "LoyaltiesQualificationsCheckEligibilityResponseBody",
            body=_BODY,
            errors=(
                " 400 invalid_payload without a customer or order object; campaign_not_active,"
                " campaign_not_allow_auto_join, loyalty_card_not_active."
            ),
        ),
    ),
)
