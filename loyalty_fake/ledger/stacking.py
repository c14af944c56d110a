"""Stackable validations and redemptions (``/v1/validations``, ``/v1/redemptions``).

A validation checks up to 30 redeemables (``redeemables.py``) against an order and spends
nothing. A redemption checks them all first and then applies all or none: it creates or
updates the order (which earns when it becomes ``PAID``, as ``PUT /v1/orders`` does),
applies each redeemable as a redemption of its own and records the parent (``r_``) that
names them. Rolling the parent back rolls back every part and cancels the order. A
validation may take a ``session`` lock: the points it would spend stay reserved for the
session's redemption until it expires or is released.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import attrs

from loyalty_fake import errors
from loyalty_fake.errors import VoucherifyError
from loyalty_fake.ledger import redemption_list
from loyalty_fake.ledger.orders import OrderInput
from loyalty_fake.ledger.project import Area, note_project
from loyalty_fake.ledger.redeemables import (
    REDEEMABLE_KINDS,
    Application,
    Checkout,
    RedeemableRequest,
    find_kind,
)
from loyalty_fake.ledger.redemptions import Redemption
from loyalty_fake.ledger.settings import stacking_rules
from loyalty_fake.ledger.stacked_checkout import (
    MAX_REDEEMABLES,
    Outcome,
    StackedCalculation,
    calculate_stack,
    order_request,
    stored_items,
)
from loyalty_fake.ledger.stacked_checkout import (
    outcome as outcome_of,
)
from loyalty_fake.ledger.validation_sessions import (
    SESSION_KEY_CHARS,
    ValidationSession,
    expiry,
)
from loyalty_fake.ledger.voucher_kinds import VoucherRedemption, checkout_context, roll_back

if TYPE_CHECKING:
    import datetime as dt

    from loyalty_fake.ledger.customers import Customer, CustomerRef
    from loyalty_fake.ledger.orders import Order

__all__ = [
    "MAX_REDEEMABLES",
    "Outcome",
    "StackedRedemption",
    "StackedRequest",
    "StackedRollback",
    "Stacking",
]


@attrs.frozen
class StackedRequest:
    """A validation's or redemption's body, already read.

    ``order``: the order as ``/v1/orders`` takes it (``None``: none given);
    ``customer``: who checks out; ``session``: ``(key or None, ttl, ttl_unit)`` when a
    ``LOCK`` is asked for.
    """

    redeemables: tuple[RedeemableRequest, ...]
    order: OrderInput | None = None
    customer: CustomerRef | None = None
    metadata: dict[str, Any] | None = None
    session: tuple[str | None, float, str] | None = None


@attrs.frozen
class StackedRollback:
    """The rollback of a stacked redemption (``rr_``): its parts' rollbacks, by redemption ID."""

    id: str
    seq: int
    created_at: dt.datetime
    reason: str | None = None
    child_ids: tuple[str, ...] = ()


@attrs.define(eq=False)
class StackedRedemption:
    """A stacked redemption (``r_``): the parent of one redemption per redeemable."""

    id: str
    seq: int
    created_at: dt.datetime
    customer_id: str | None
    child_ids: tuple[str, ...]
    channel_id: str
    order: Order | None = None
    metadata: dict[str, Any] | None = None
    rollback: StackedRollback | None = None


_KINDS_BY_NAME = {kind.name: kind for kind in REDEEMABLE_KINDS}


class Stacking(Area):
    """A project's stacked validations, redemptions, rollbacks and validation sessions."""

    __slots__ = ()

    def check(self, request: StackedRequest) -> Outcome:
        """Check every redeemable in order against the order; changes nothing.

        Refusals are per redeemable (a ``VoucherifyError`` in ``results``). Raises 400
        ``duplicated_redeemables`` for a redeemable named twice, and a 404 for an order ``id``
        that names no order.
        """
        rules = stacking_rules(self._session)
        limit = rules["redeemables_limit"]
        if len(request.redeemables) > limit:
            # The project's limit, refused as the reference's maxItems (30) is.
            raise errors.invalid_payload(
                f"Property .redeemables must NOT have more than {limit} items"
            )
        seen: set[tuple[str, str]] = set()
        for request_item in request.redeemables:
            if (request_item.object, request_item.id) in seen:
                raise errors.bad_request(
                    "duplicated_redeemables",
                    "Duplicated redeemables detected",
                    "Duplicated redeemables detected in one redemption",
                )
            seen.add((request_item.object, request_item.id))
        existing = self._existing(request.order)
        order = order_request(request.order, existing) if request.order is not None else None
        amount = order.total if order is not None else None
        locked = self._locked(exclude=request.session[0] if request.session else None)
        context = checkout_context(
            self._session, request.customer, request.order, request.metadata, amount
        )
        # Each is checked against the whole order; what it takes is calculated below.
        checkout = Checkout(has_order=order is not None, remaining=amount, context=context)
        results = [self._check_one(item, checkout) for item in request.redeemables]
        stacked = None
        partial = rules["redeemables_application_mode"] == "PARTIAL"
        applies = [isinstance(result, Application) for result in results]
        if any(applies) if partial else all(applies):
            applied = [(at, r) for at, r in enumerate(results) if isinstance(r, Application)]
            applied = applied[: rules["applicable_redeemables_limit"]]
            # An order with no amount to work on is not calculated (a gift card spends the
            # credits asked for, as before the checkout calculated).
            priced = order is not None and (
                amount is not None or any(item.price is not None for item in order.items)
            )
            stacked = calculate_stack(
                self._session,
                order if priced else None,
                applied,
                locked=locked,
                products_once=rules["redeemables_products_application_mode"] == "ONCE",
            )
            for at, application in stacked.applications.items():
                results[at] = stacked.refusals.get(at, application)
        return outcome_of(results, amount, stacked, rules)

    def _check_one(
        self, item: RedeemableRequest, checkout: Checkout
    ) -> Application | VoucherifyError:
        """The redeemable's application, or its refusal."""
        try:
            kind, found = find_kind(self._session, item)
            return kind.check(self._session, found, item, checkout)
        except VoucherifyError as refusal:
            return refusal

    def _existing(self, order: OrderInput | None) -> Order | None:
        """The stored order the request's ``id`` or ``source_id`` names, if any."""
        if order is None:
            return None
        if order.id is not None:
            return self._session.orders.get(order.id)
        if order.source_id is not None:
            return self._session.orders.find(self._project, order.source_id)
        return None

    def _locked(self, exclude: str | None) -> dict[str, int]:
        """Points locked by live sessions other than ``exclude``, by card code."""
        now = self._session.clock.now()
        locked: dict[str, int] = {}
        for key, found in self._project.validation_sessions.items():
            if key == exclude or found.expires_at <= now:
                continue
            for code, points in found.locks.items():
                locked[code] = locked.get(code, 0) + points
        return locked

    def validate(self, request: StackedRequest) -> tuple[Outcome, ValidationSession | None]:
        """Check every redeemable; spends nothing. A valid ``LOCK`` request takes a session.

        The session reserves the points each card would spend until its ``ttl`` passes,
        its redemption uses them, or it is released; a key given again replaces it.
        """
        outcome = self.check(request)
        if request.session is None or not outcome.valid:
            return outcome, None
        key, ttl, unit = request.session
        now = self._session.clock.now()
        project = self._project
        if self._session.undo is not None:
            note_project(self._session.undo, project)
            self._session.undo.keep(project.validation_sessions)
        found = ValidationSession(
            key=key or "ssn_" + self._session.ids.chars(SESSION_KEY_CHARS, 32),
            created_at=now,
            expires_at=expiry(now, ttl, unit),
            ttl=ttl,
            ttl_unit=unit,
        )
        for application in outcome.applied:
            if application.points:
                code = getattr(application.record, "code", application.request.id)
                found.locks[code] = found.locks.get(code, 0) + application.points
        project.validation_sessions.pop(found.key, None)
        project.validation_sessions[found.key] = found
        return outcome, found

    def release(self, code: str, key: str) -> None:
        """Release the lock session ``key`` holds on voucher ``code``; 404 if it holds none."""
        project = self._project
        found = project.validation_sessions.get(key)
        card = project.cards.get(code)
        held = code if card is None else card.code
        if found is None or held not in found.locks:
            raise errors.not_found("session", key)
        if self._session.undo is not None:
            self._session.undo.keep(project.validation_sessions)
            self._session.undo.touch(found)
        found.locks = {other: points for other, points in found.locks.items() if other != held}
        if not found.locks:
            del project.validation_sessions[key]

    def redeem(
        self, request: StackedRequest
    ) -> tuple[StackedRedemption, list[Redemption | VoucherRedemption], Outcome]:
        """Check everything, then apply everything: the parent, its parts, and the checks.

        Redeemables past the applicable limit are skipped (``outcome.skipped``).
        Raises the first refused redeemable's error (nothing changes then). The order is
        created or updated (``PAID`` unless the request says), with the discount the
        redeemables give; the customer is the request's, else the first card's holder.
        """
        outcome = self.check(request)
        for result in outcome.results:
            if isinstance(result, VoucherifyError) and not outcome.valid:
                raise result
        session = self._session
        project = self._project
        applied = outcome.applied
        order, customer = self._order_and_customer(request, applied, outcome.stacked)
        if session.undo is not None:
            note_project(session.undo, project)
        seq = project.take_seq()
        parent_id = session.ids.ordered("r_", seq)
        children = [
            _KINDS_BY_NAME[application.kind].apply(
                session, application, order, parent_id, request.metadata
            )
            for application in applied
        ]
        holder = next((child.customer_id for child in children if child.customer_id), None)
        if customer is None and holder is not None:
            customer = project.customers.get(holder)
        parent = StackedRedemption(
            id=parent_id,
            seq=seq,
            created_at=session.clock.now(),
            customer_id=customer.id if customer is not None else None,
            child_ids=tuple(child.id for child in children),
            channel_id=project.app_id,
            order=order,
            metadata=dict(request.metadata) if request.metadata else None,
        )
        project.stacked_redemptions[parent.id] = parent
        key = request.session[0] if request.session is not None else None
        if key is not None and key in project.validation_sessions:
            # The session's lock is used up by its redemption.
            if session.undo is not None:
                session.undo.keep(project.validation_sessions)
            del project.validation_sessions[key]
        return parent, children, outcome

    def _order_and_customer(
        self,
        request: StackedRequest,
        applied: list[Application],
        stacked: StackedCalculation | None,
    ) -> tuple[Order | None, Customer | None]:
        """Create or update the order (``PAID`` unless given) and its customer.

        The order keeps the calculated discounts: order-level ones in ``discount_amount``,
        its lines' in theirs (free units added to them).
        """
        session = self._session
        project = self._project
        customer_ref = request.customer
        if request.order is not None:
            given = request.order
            if given.customer is None:
                given = attrs.evolve(given, customer=customer_ref or self._holder_ref(applied))
            calculated = stacked.order if stacked is not None else None
            if calculated is not None:
                given = attrs.evolve(given, discount_amount=calculated.discount_amount)
                if calculated.items:
                    given = attrs.evolve(given, items=stored_items(calculated))
            given = attrs.evolve(given, status=given.status or "PAID")
            order = session.orders.upsert(given)
            found = project.customers.get(order.customer_id) if order.customer_id else None
            return order, found
        if customer_ref is None:
            return None, None
        plan = session.customers.plan(project, customer_ref)
        if session.undo is not None:
            note_project(session.undo, project)
        return None, session.customers.commit(project, plan, session.clock.now())

    def _holder_ref(self, applied: list[Application]) -> CustomerRef | None:
        from loyalty_fake.ledger.customers import CustomerRef  # noqa: PLC0415 - a cycle

        for application in applied:
            holder = getattr(application.record, "holder_id", None)
            if holder is not None:
                return CustomerRef(id=holder)
        return None

    def get(self, redemption_id: str) -> StackedRedemption | None:
        """The stacked redemption with this ``r_`` or its rollback's ``rr_`` ID, if any."""
        project = self._project
        found = project.stacked_redemptions.get(redemption_id)
        if found is None:
            parent = project.stacked_ids_by_rollback.get(redemption_id)
            found = project.stacked_redemptions.get(parent) if parent is not None else None
        return found

    def rollback(
        self,
        parent_id: str,
        *,
        reason: str | None = None,
        customer: str | None = None,
        order: str | None = None,
    ) -> tuple[StackedRedemption, list[Redemption | VoucherRedemption]]:
        """Roll back every part of a stacked redemption not rolled back yet; cancel its order.

        Raises 404 for an unknown redemption, 400 ``invalid_redemption_parent`` for a
        redemption that is not a stacked one, 400 ``invalid_customer``/``invalid_order``
        for another customer or order, and 400 ``already_rolled_back`` (recording the
        failed rollback, ``rrf_``) for a second rollback.
        """
        session = self._session
        project = self._project
        parent = project.stacked_redemptions.get(parent_id)
        if parent is None:
            if parent_id in project.redemptions:
                raise errors.invalid_redemption_parent()
            raise errors.not_found("redemption", parent_id)
        children = [
            project.redemptions.get(child) or project.voucher_redemptions[child]
            for child in parent.child_ids
        ]
        if parent.rollback is not None:
            refusal = errors.already_rolled_back()
            first = next((c for c in children if isinstance(c, Redemption)), None)
            if first is None or first.card_code not in project.cards:
                raise refusal
            failed = session.redemptions.record_failure(
                project,
                refusal,
                card_code=first.card_code,
                campaign_id=first.campaign_id,
                customer_id=parent.customer_id,
                redemption_id=parent.id,
                reason=reason,
            )
            raise attrs.evolve(
                refusal,
                resource_id=failed.id,
                resource_type="redemption_rollback",
                recorded=True,
            )
        self._check_related(parent, customer, order)
        if session.undo is not None:
            note_project(session.undo, project)
            session.undo.touch(parent)
        made = parent.order
        if made is not None and made.status != "CANCELED":
            session.orders.update(made.id, OrderInput(status="CANCELED"))
        rolled = [
            roll_back(session, child, reason)
            if isinstance(child, VoucherRedemption)
            else session.redemptions.rollback(child.id, reason=reason, with_parent=True)
            for child in children
            if child.rollback is None
        ]
        seq = project.take_seq()
        parent.rollback = StackedRollback(
            id=session.ids.ordered("rr_", seq),
            seq=seq,
            created_at=session.clock.now(),
            reason=reason,
            child_ids=tuple(child.id for child in rolled),
        )
        project.stacked_ids_by_rollback[parent.rollback.id] = parent.id
        return parent, rolled

    def _check_related(
        self, parent: StackedRedemption, customer: str | None, order: str | None
    ) -> None:
        if customer is not None:
            found = (
                self._project.customers.get(parent.customer_id)
                if parent.customer_id is not None
                else None
            )
            if found is None or customer not in (found.id, found.source_id):
                raise errors.invalid_customer()
        if order is not None:
            made = parent.order
            if made is None or order not in (made.id, made.source_id):
                raise errors.invalid_order()

    def entries(self, **filters: Any) -> list[tuple[str, Any]]:
        """``GET /v1/redemptions``' rows, filtered and sorted (``redemption_list.entries``)."""
        return redemption_list.entries(self._project, self._session.customers, **filters)
