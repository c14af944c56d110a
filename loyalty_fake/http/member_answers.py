"""Members as the members endpoints answer them: built once, reused until they change.

A get or a page of members answers the same cards again and again, and building a
card's JSON (``member_json``) costs more than the rest of the request. So the members
endpoints keep the last body built for each card and answer it again while nothing it
shows has changed.

The invalidation rule: a body is reused only for the very card it was built from, and
only while every value ``member_json`` reads of the card, its category and its program
(``_inputs``) equals what it was when the body was built. A change of any of them, by
any request, an undo or the clock, is a different key: the body is built afresh. The
containers the body copies (the card's ``metadata`` and ``overrides``) are compared by
content, against a copy kept with the body; the values the body holds by reference (a
validity timeframe) show their current content either way.

A memo, not state: it never changes an answer, only how fast it comes, and a body is
only ever encoded, never changed (``member_json`` gives the callers that keep one their
own). Two fakes in one process share it without seeing each other: an entry holds its
card weakly and answers for that card object alone.
"""

from __future__ import annotations

import weakref
from typing import TYPE_CHECKING, Any

import orjson

from loyalty_fake.http.cards_json import member_json

if TYPE_CHECKING:
    from collections.abc import Iterable

    from loyalty_fake.ledger.campaigns import Campaign
    from loyalty_fake.ledger.cards import LoyaltyCard

__all__ = ["Answer", "member_answer", "member_answers"]

# A body is some 3 KB: a few pages' worth of cards over and over is what the cache is
# for. When full it is emptied, at once and in one step.
_MAX_ANSWERS = 2048

_Inputs = tuple[Any, ...]
# What a get or a page answers for a card: its JSON already encoded (orjson writes a
# Fragment's bytes as they are), or the body itself when orjson refuses it (a lone
# surrogate: ``encode_json`` then answers for it, as for any body).
Answer = orjson.Fragment | dict[str, Any]
# By id(card): (the card, weakly; what _inputs gave, containers copied; the answer).
_answers: dict[int, tuple[weakref.ref[LoyaltyCard], _Inputs, Answer]] = {}


def member_answer(card: LoyaltyCard, campaign: Campaign) -> Answer:
    """``member_json(card, campaign)`` as an answer to encode: shared, never to be changed."""
    return _answer(card, campaign, _campaign_inputs(campaign))


def member_answers(cards: Iterable[LoyaltyCard], campaign: Campaign) -> list[Answer]:
    """``member_answer`` of each card of one program, in order."""
    of_campaign = _campaign_inputs(campaign)
    return [_answer(card, campaign, of_campaign) for card in cards]


def _answer(card: LoyaltyCard, campaign: Campaign, of_campaign: _Inputs) -> Answer:
    inputs = _inputs(card, of_campaign)
    entry = _answers.get(id(card))
    if entry is not None and entry[0]() is card and entry[1] == inputs:
        return entry[2]
    body = member_json(card, campaign)
    answer: Answer
    try:
        answer = orjson.Fragment(orjson.dumps(body))
    except orjson.JSONEncodeError:
        answer = body
    if len(_answers) >= _MAX_ANSWERS:
        _answers.clear()
    metadata, overrides, *rest = inputs
    kept = (_copy(metadata), _copy(overrides), *rest)
    _answers[id(card)] = (weakref.ref(card), kept, answer)
    return answer


def _inputs(card: LoyaltyCard, of_campaign: _Inputs) -> _Inputs:
    """Every value ``member_json`` reads: the containers it copies first, then the rest."""
    category = card.category
    return (
        card.metadata,
        card.overrides,
        card.code,
        card.campaign_id,
        None
        if category is None
        else (
            category.id,
            category.name,
            category.hierarchy,
            category.created_at,
            category.updated_at,
        ),
        card.active,
        card.created_at,
        card.updated_at,
        card.holder_id,
        card.publish_count,
        card.points,
        card.expired_points,
        card.subtracted_points,
        card.redeemed_points,
        card.redeemed_quantity,
        card.pending_points,
        card.next_expiration(),
        of_campaign,
    )


def _campaign_inputs(campaign: Campaign) -> _Inputs:
    """Every value ``member_json`` reads of the card's program."""
    settings = campaign.settings
    return (
        campaign.id,
        campaign.name,
        campaign.start_date,
        campaign.expiration_date,
        campaign.redemption_quantity,
        settings.get("validity_timeframe"),
        settings.get("validity_day_of_week"),
    )


def _copy(container: dict[str, Any] | None) -> dict[str, Any] | None:
    return dict(container) if container is not None else None
