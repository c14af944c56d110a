"""``GET /v1/campaigns/{campaignId}/transactions``: every card's or voucher's movements.

A loyalty program's points transactions and a gift campaign's credits transactions, in
one cursor-paged list (a discount campaign has none), which ``filters`` (``id``,
``voucher_id``) can narrow.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from loyalty_fake.http import paging
from loyalty_fake.http.common_json import enum
from loyalty_fake.http.declare import Operation, Route, query
from loyalty_fake.http.filters import filters_parameter, parse_filters
from loyalty_fake.http.params import Query
from loyalty_fake.http.points_json import transaction_json
from loyalty_fake.http.vouchers_json import gift_transaction_json
from loyalty_fake.ledger.campaign_filters import CAMPAIGN_TRANSACTION_FILTERS

if TYPE_CHECKING:
    from loyalty_fake.http.declare import Call

__all__ = ["PATH_PARAMETERS", "ROUTES"]

PATH_PARAMETERS: dict[str, str] = {}


def list_campaign_transactions(call: Call, *, any_type: bool = True) -> tuple[int, Any]:
    """Every transaction of the campaign's cards or gift cards, newest first by ``id`` order."""
    query = Query(call.request.query)
    filters = parse_filters(query.pairs, CAMPAIGN_TRANSACTION_FILTERS)
    cursor = paging.cursor(query)
    order = query.choice("order", ("id", "-id"), "-id")
    session = call.session
    campaign = session.campaigns.get(call.params["campaignId"], any_type=any_type)
    project = session.project
    # (sequence, ID, JSON): the project's sequence orders movements across cards.
    entries: list[tuple[int, str, dict[str, Any]]] = []
    if campaign.is_loyalty_program:
        entries.extend(
            (transaction.seq, transaction.id, transaction_json(transaction, card))
            for card in session.cards.of_campaign(campaign.id)
            for transaction in card.transactions
        )
    else:
        for voucher in project.vouchers.values():
            if voucher.campaign_id == campaign.id and not voucher.in_bin:
                for move in voucher.transactions:
                    shown = gift_transaction_json(move, voucher, campaign)
                    entries.append((move.seq, move.id, shown))
    if filters:
        now = session.clock.now()
        entries = [e for e in entries if filters.matches(e[2], now)]
    entries.sort(key=lambda entry: entry[0], reverse=order == "-id")
    page, has_more = cursor.of(entries, [entry[1] for entry in entries])
    data = [entry[2] for entry in page]
    body: dict[str, Any] = {"object": "list", "data_ref": "data", "data": data}
    body["has_more"] = has_more
    if has_more:
        body["more_starting_after"] = data[-1]["id"]
    return 200, body


def list_loyalty_transactions(call: Call) -> tuple[int, Any]:
    """``GET /v1/loyalties/{campaignId}/transactions``: the same, for a loyalty program only."""
    return list_campaign_transactions(call, any_type=False)


_QUERY = [
    paging.LIMIT,
    query("order", enum("id", "-id"), "Default -id."),
    paging.STARTING_AFTER,
    filters_parameter(CAMPAIGN_TRANSACTION_FILTERS),
]

ROUTES: tuple[Route, ...] = (
    Route(
        "GET",
        "/v1/campaigns/{campaignId}/transactions",
        list_campaign_transactions,
        Operation(
            "list_campaign_transactions",
            "The points or credits transactions of a campaign's cards, newest first",
            "VoucherTransactionsList",
            query=_QUERY,
        ),
    ),
    Route(
        "GET",
        "/v1/loyalties/{campaignId}/transactions",
        list_loyalty_transactions,
        Operation(
            "list_loyalty_campaign_transactions",
            "The points transactions of a program's cards, newest first",
            "TransactionsList",
            query=_QUERY,
        ),
    ),
)
