"""One session per unit of work: due work first, reactions last, nothing left by a failure."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import pytest

from loyalty_fake import LoyaltyFake
from loyalty_fake.ledger import Activity, Ledger, Session
from loyalty_fake.ledger.customers import CustomerRef
from loyalty_fake.ledger.schedule import SCHEDULE

if TYPE_CHECKING:
    from collections.abc import Callable

    Reaction = Callable[[Session, Activity], None]

NOW = "2024-01-15T10:00:00Z"


def test_reactions_run_in_order_before_the_session_closes() -> None:
    """An activity's reactions run at the session's end, those they add too, in order."""
    ledger = Ledger()
    seen: list[str] = []

    def award(session: Session, activity: Activity) -> None:
        seen.append(f"award {activity.data['order']}")
        session.happened(Activity("customer.rewarded", {"order": activity.data["order"]}))

    def note(_session: Session, activity: Activity) -> None:
        seen.append(f"note {activity.type}")

    table = {"customer.order.paid": (award, note), "customer.rewarded": (note,)}
    with ledger.session("app") as session:
        session.reactions = table
        session.happened(Activity("customer.order.paid", {"order": "o1"}))
        session.happened(Activity("customer.custom_event"))
        assert seen == []
    assert seen == ["award o1", "note customer.order.paid", "note customer.rewarded"]


def test_a_failing_reaction_undoes_the_whole_session() -> None:
    """A reaction that raises takes the session's changes with it: nothing is left."""
    ledger = Ledger()

    def fail(_session: Session, _activity: Activity) -> None:
        raise RuntimeError("earning rule broke")

    def paid_order(reactions: dict[str, tuple[Reaction, ...]]) -> None:
        with ledger.session("app") as session:
            session.reactions = reactions
            session.campaigns.create(name="P", vouchers_count=1)
            session.happened(Activity("customer.order.paid"))

    with pytest.raises(RuntimeError):
        paid_order({"customer.order.paid": (fail,)})
    with ledger.session("app") as session:
        assert session.campaigns.page(limit=10, page=1, order="created_at") == ([], 0)


def test_a_session_expires_due_points_when_it_opens() -> None:
    """Points whose last day has passed expire as a session opens, not before."""
    fake = LoyaltyFake(now=NOW)
    program = fake.create_loyalty_program("P")
    code = fake.add_member(program["id"], {"source_id": "ann"})["code"]
    fake.add_points(code, 10, expiration_date="2024-01-16T00:00:00Z")
    fake.clock.advance(days=3)
    ledger = fake.ledger
    with ledger.session(fake.app_id) as session:
        card = session.cards.get(code)
        assert (card.balance, card.expired_points) == (0, 10)


def test_the_schedule_names_due_work_in_voucherifys_nightly_order() -> None:
    """Only expiry has work today; its slot sits where Voucherify runs it."""
    names = [slot.name for slot in SCHEDULE.slots]
    assert names == [
        "pending_points_activation",
        "rewards_auto_redeem",
        "tiers_recalculation",
        "points_expiration",
        "balance_tiers",
    ]
    ledger = Ledger()
    ledger.clock.freeze(NOW)
    with ledger.session("app") as session:
        program = session.campaigns.create(name="P")
        card = session.members.add(program.id, customer=CustomerRef(source_id="ann"))
        session.points.change_balance(
            card.code, 5, expiration_date=ledger.clock.now() + dt.timedelta(days=1)
        )
        assert SCHEDULE.due(session.project, ledger.clock.now()) == []
        later = ledger.clock.now() + dt.timedelta(days=3)
        assert SCHEDULE.due(session.project, later) == ["points_expiration"]


def test_a_read_of_nothing_makes_no_project() -> None:
    """A session that touches no area leaves no project behind."""
    ledger = Ledger()
    with ledger.session("nobody"):
        pass
    assert ledger.app_ids() == []
