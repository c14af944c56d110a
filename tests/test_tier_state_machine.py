"""A state machine over the tiers API: members' tiers match their definition after each step.

Two programs with the same three tiers, through ``requests`` and the in-process transport:

- ``Balance`` (``BALANCE``, ``BALANCE_DROP``): a member is in the tier their balance is in;
- ``Period`` (``POINTS_IN_PERIOD``, a calendar month, ``IMMEDIATE``, ``END_OF_PERIOD``): a
  member is in the tier the points they were given this month are in; spending changes
  nothing, and a new month starts from none.

Steps add and remove points and move the clock by days (across months, so that points
expire: the programs' points last to the end of the month they were given in). After
every step each member's tier (``GET /v1/loyalties/members/{memberId}/tiers``) is the
model's: the night's tier changes and expiry ran in order, whatever the days skipped.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import requests
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from loyalty_fake import LoyaltyFake

BASE_URL = "https://api.voucherify.io"
_START = dt.datetime(2024, 1, 20, 10, tzinfo=dt.timezone.utc)
_TIERS: list[dict[str, Any]] = [
    {"name": "Bronze", "points": {"from": 1, "to": 99}},
    {"name": "Silver", "points": {"from": 100, "to": 499}},
    {"name": "Gold", "points": {"from": 500}},
]
_RULES = {"period_type": "MONTH", "period_value": 0, "rounding_type": "END_OF_MONTH"}
_SETTINGS = {
    "Balance": {
        "qualification_type": "BALANCE",
        "expiration_date": {"type": "BALANCE_DROP", "extend": "P0D"},
    },
    "Period": {
        "qualification_type": "POINTS_IN_PERIOD",
        "qualification_period": "MONTH",
        "start_date": {"type": "IMMEDIATE"},
        "expiration_date": {"type": "END_OF_PERIOD", "extend": "P0D"},
    },
}
_MEMBERS = ("ada", "bob")


_FROM = [(500, "Gold"), (100, "Silver"), (1, "Bronze")]


def _tier_of(value: int) -> str | None:
    return next((name for low, name in _FROM if value >= low), None)


class TierMachine(RuleBasedStateMachine):
    """Members' tiers follow the balance, or the month's points, whatever the steps."""

    def __init__(self) -> None:
        """Both programs, two members in each, no points."""
        super().__init__()
        self.fake = LoyaltyFake(now=_START).start()
        self.http = requests.Session()
        self.http.headers.update(self.fake.headers)
        self.now = _START
        # code -> (program, balance, points given this month, the month)
        self.cards: dict[str, tuple[str, int, int, tuple[int, int]]] = {}
        for name, expiration in _SETTINGS.items():
            loyalty_card = {"points": 0, "expiration_rules": _RULES}
            self._ok(
                "POST",
                "/v1/loyalties",
                json={"name": name, "voucher": {"loyalty_card": loyalty_card}},
            )
            self._ok("PUT", f"/v1/loyalties/{name}", json={"loyalty_tiers_expiration": expiration})
            self._ok("POST", f"/v1/loyalties/{name}/tiers", json=_TIERS)
            for who in _MEMBERS:
                body = {"customer": {"source_id": f"{who}-{name}"}}
                code = self._ok("POST", f"/v1/loyalties/{name}/members", json=body)["code"]
                self.cards[code] = (name, 0, 0, (_START.year, _START.month))

    def teardown(self) -> None:
        """Stop intercepting."""
        self.http.close()
        self.fake.stop()

    def _ok(self, method: str, path: str, **kwargs: Any) -> Any:
        reply = self.http.request(method, BASE_URL + path, timeout=10, **kwargs)
        assert reply.status_code == 200, reply.text
        return reply.json()

    @rule(data=st.data(), points=st.integers(min_value=1, max_value=400))
    def add_points(self, data: st.DataObject, points: int) -> None:
        """Points given: the balance and the month's points grow."""
        code = data.draw(st.sampled_from(sorted(self.cards)))
        self._ok("POST", f"/v1/loyalties/members/{code}/balance", json={"points": points})
        program, balance, month_points, month = self.cards[code]
        self.cards[code] = (program, balance + points, month_points + points, month)

    @rule(data=st.data(), share=st.integers(min_value=1, max_value=4))
    def remove_points(self, data: st.DataObject, share: int) -> None:
        """Points taken away: the balance drops; the month's points stay."""
        code = data.draw(st.sampled_from(sorted(self.cards)))
        program, balance, month_points, month = self.cards[code]
        points = balance // share
        if points:
            self._ok("POST", f"/v1/loyalties/members/{code}/balance", json={"points": -points})
            self.cards[code] = (program, balance - points, month_points, month)

    @rule(days=st.integers(min_value=1, max_value=40))
    def move_the_clock(self, days: int) -> None:
        """Days pass: a new month expires every point and starts the month's count again."""
        self.now += dt.timedelta(days=days)
        self.fake.clock.set(self.now)
        month = (self.now.year, self.now.month)
        for code, (program, balance, month_points, was) in list(self.cards.items()):
            if month != was:
                self.cards[code] = (program, 0, 0, month)
            else:
                self.cards[code] = (program, balance, month_points, was)

    @invariant()
    def each_member_is_in_the_tier_their_points_are_in(self) -> None:
        for code, (program, balance, month_points, _) in self.cards.items():
            listed = self._ok("GET", f"/v1/loyalties/members/{code}/tiers")
            names = [tier["name"] for tier in listed["data"]]
            value = balance if program == "Balance" else month_points
            expected = _tier_of(value)
            assert names == ([expected] if expected else []), (code, program, value, names)


TierMachine.TestCase.settings = settings(max_examples=15, stateful_step_count=15, deadline=None)


# TestCase is a class-valued property, which mypy cannot take as a base class.
class TestTierStateMachine(TierMachine.TestCase):  # type: ignore[valid-type,misc]
    """Any sequence of points given, taken and days passing keeps every member's tier right."""
