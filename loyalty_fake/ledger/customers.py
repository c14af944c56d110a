"""Customers: found by ID or ``source_id``, created or updated by the requests that name one."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import attrs

from loyalty_fake import errors
from loyalty_fake.ledger.activities import Activity
from loyalty_fake.ledger.compact import own_copy, pack_flat, unpack_flat
from loyalty_fake.ledger.customer_list import CustomerQuery, list_customers
from loyalty_fake.ledger.project import Area

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Iterator, Mapping

    from loyalty_fake.ledger.campaigns import Campaign
    from loyalty_fake.ledger.cards import LoyaltyCard
    from loyalty_fake.ledger.project import Project

__all__ = [
    "ADDRESS_FIELDS",
    "CUSTOMER_CREATED",
    "CUSTOMER_STRINGS",
    "Customer",
    "CustomerPlan",
    "CustomerRef",
    "Customers",
    "PermanentDeletion",
    "card_held_in",
    "held_cards",
]

# A customer's profile fields that are plain strings, and the fields of an address.
# A customer made by any route (created, or on first use by an order, a join, ...).
CUSTOMER_CREATED = "customer.created"
CUSTOMER_STRINGS = ("name", "email", "phone", "description", "birthdate", "birthday")
ADDRESS_FIELDS = ("city", "state", "line_1", "line_2", "country", "postal_code")


@attrs.define
class Customer:
    """A customer profile; ``source_id`` is the merchant's own identifier."""

    id: str
    source_id: str | None
    created_at: dt.datetime
    updated_at: dt.datetime | None = None
    name: str | None = None
    email: str | None = None
    phone: str | None = None
    description: str | None = None
    birthdate: str | None = None
    birthday: str | None = None
    # The codes of the cards published to this customer: one code (most customers are in
    # one program), a tuple of several, or None. One card per customer per program is
    # kept by looking here; a dict per program of customer -> code cost ~50 B a member.
    held: str | tuple[str, ...] | None = None
    # The address packed (see pack_flat): ``address`` reads and writes it as a dict.
    packed_address: tuple[Any, ...] | dict[str, Any] | None = None
    # None while empty: an empty dict per record costs 64 bytes at scale.
    metadata: dict[str, Any] | None = None
    # When the customer was deleted: the record stays as a tombstone, for the cards,
    # publications and redemptions that name it, but no lookup finds it any more.
    deleted_at: dt.datetime | None = None

    def held_codes(self) -> tuple[str, ...]:
        """The codes of the cards published to this customer, oldest first."""
        if self.held is None:
            return ()
        return (self.held,) if isinstance(self.held, str) else self.held

    def hold(self, code: str) -> None:
        """Note that the card ``code`` was published to this customer."""
        self.held = code if self.held is None else (*self.held_codes(), code)

    @property
    def address(self) -> dict[str, Any] | None:
        """The customer's address: a new dict on every read."""
        return unpack_flat(self.packed_address)

    @address.setter
    def address(self, value: dict[str, Any] | None) -> None:
        self.packed_address = pack_flat(value)


@attrs.frozen
class CustomerRef:
    """Who a request names as the customer: an ID, a ``source_id``, or both, plus profile fields.

    ``id`` wins over ``source_id``; a string customer is ``as_string``, resolved as an
    ID when one exists and as a ``source_id`` otherwise.
    """

    id: str | None = None
    source_id: str | None = None
    as_string: str | None = None
    profile: dict[str, Any] = attrs.field(factory=dict)


_CUSTOMER_PROFILE_FIELDS = frozenset((*CUSTOMER_STRINGS, "address", "metadata"))


@attrs.define
class CustomerPlan:
    """A customer resolved for a request: an existing one, or one to create on commit."""

    existing: Customer | None
    source_id: str | None
    profile: dict[str, Any]
    # The ID a new customer gets, when finding the source_id already derived it.
    new_id: str | None = None


@attrs.frozen
class PermanentDeletion:
    """What ``POST /v1/customers/{id}/permanent-deletion`` answers: what was deleted (``del_``)."""

    id: str
    created_at: dt.datetime
    customer_id: str
    orders: int = 0


def _apply_profile(project: Project, customer: Customer, profile: Mapping[str, Any]) -> None:
    """Set the profile fields a request gave on ``customer``; metadata shared when flat."""
    for field, given in profile.items():
        if field not in _CUSTOMER_PROFILE_FIELDS:
            continue
        value = given
        if field == "metadata":
            value = project.shared(given) if given else None
        elif isinstance(given, dict) and field != "address":  # address: packed copy
            value = own_copy(given)
        setattr(customer, field, value)


def held_cards(project: Project, customer: Customer) -> Iterator[LoyaltyCard]:
    """The cards ``customer`` holds now, oldest first.

    A code the customer was given may name another card since: a forced delete frees
    codes, which a card of another program may take later.
    """
    for code in customer.held_codes():
        card = project.cards.get(code)
        if card is not None and card.holder_id == customer.id:
            yield card


def card_held_in(project: Project, campaign: Campaign, customer: Customer) -> LoyaltyCard | None:
    """The card of ``campaign`` published to ``customer``, if any (one at most, by the rules)."""
    return next(
        (card for card in held_cards(project, customer) if card.campaign_id == campaign.id),
        None,
    )


class Customers(Area):
    """A project's customers."""

    __slots__ = ()

    def get(self, ref: str) -> Customer:
        """The customer with ID or ``source_id`` ``ref``; 404 ``not_found`` (customer) otherwise."""
        found = self._session.customers.find(self._project, ref)
        if found is None:
            raise errors.not_found("customer", ref)
        return found

    def all(self) -> list[Customer]:
        """Every customer of the project, oldest first (deleted ones left out)."""
        return [c for c in self._project.customers.values() if c.deleted_at is None]

    @staticmethod
    def find(project: Project, ref: str) -> Customer | None:
        """The customer with ID or ``source_id`` ``ref``, if any (a deleted one is none)."""
        found = project.live_customer(ref)
        return found if found is not None else project.customer_by_source_id(ref)

    def page(self, query: CustomerQuery) -> tuple[list[Customer], int, bool]:
        """One page of the project's customers as ``query`` asks; the total; whether more follow."""
        segment = (
            self._session.segments.members_of(query.segment_id)
            if query.segment_id is not None
            else None
        )
        return list_customers(
            self._project.customers.values(), query, self._session.clock.now(), segment
        )

    def upsert(self, ref: CustomerRef) -> Customer:
        """Create the customer ``ref`` names, or update it if it exists (Voucherify's upsert).

        An ``id`` must name an existing customer (404 otherwise); a ``source_id`` names
        the customer to update or create; neither makes a customer without a source_id.
        """
        project = self._project
        if ref.id is None and ref.source_id is None and ref.as_string is None:
            plan = CustomerPlan(None, None, dict(ref.profile))
        else:
            plan = self.plan(project, ref)
        return self.commit(project, plan, self._session.clock.now())

    def update(self, ref: str, profile: Mapping[str, Any]) -> Customer:
        """Change the given profile fields of customer ``ref`` (ID or source_id); 404 if none."""
        customer = self.get(ref)
        plan = CustomerPlan(customer, customer.source_id, dict(profile))
        return self.commit(self._project, plan, self._session.clock.now(), touch=True)

    def delete(self, ref: str) -> Customer:
        """Delete the customer ``ref`` (ID or source_id); 404 if none.

        The record stays as a tombstone: the cards it holds keep their holder, and a
        customer created later with its source_id is a new customer with a new ID.
        """
        customer = self.get(ref)
        if self._session.undo is not None:
            self._session.undo.touch(customer)
        customer.deleted_at = self._session.clock.now()
        return customer

    def forget(self, ref: str) -> PermanentDeletion:
        """Delete the customer ``ref`` and everything kept of their profile; 404 if none.

        The customer's orders go too (``forget_customer`` of each area that keeps some).
        """
        customer = self.delete(ref)
        for field in (*CUSTOMER_STRINGS, "packed_address", "metadata"):
            setattr(customer, field, None)
        orders = self._session.orders.forget_customer(customer.id)
        return PermanentDeletion(
            id=self._session.ids.deletion_id(),
            created_at=customer.deleted_at or self._session.clock.now(),
            customer_id=customer.id,
            orders=orders,
        )

    def plan(self, project: Project, ref: CustomerRef) -> CustomerPlan:
        """Resolve the customer a request names, changing nothing; 404 or 400 when it cannot."""
        if ref.as_string is not None:
            found = self._session.customers.find(project, ref.as_string)
            if found is not None:
                return CustomerPlan(found, found.source_id, {})
            if ref.as_string.startswith("cust_"):
                raise errors.not_found("customer", ref.as_string)
            return CustomerPlan(None, ref.as_string, {})
        if ref.id is not None:
            by_id = project.live_customer(ref.id)
            if by_id is None:
                raise errors.not_found("customer", ref.id)
            return CustomerPlan(by_id, by_id.source_id, dict(ref.profile))
        if ref.source_id is not None:
            by_source, derived = project.find_source_id(ref.source_id)
            return CustomerPlan(by_source, ref.source_id, dict(ref.profile), derived)
        # A customer object with neither id nor source_id is rejected by the HTTP layer;
        # the Python API gets the same answer.
        raise errors.invalid_payload(
            "Property .customer must have required property 'id' or 'source_id'"
        )

    def commit(
        self, project: Project, plan: CustomerPlan, now: dt.datetime, *, touch: bool = False
    ) -> Customer:
        """Create or update the planned customer, now that the request commits.

        ``touch``: an existing customer counts as updated even when no field changes (a
        request to the customers API updates it, whatever it sends).
        """
        customer = plan.existing
        undo = self._session.undo
        if undo is not None:
            # What this adds to the project: a new customer, a new shared metadata value.
            if customer is None:
                undo.mark(project.customers)
            else:
                undo.touch(customer)
            if "metadata" in plan.profile:
                undo.mark(project.shared_values)
        if customer is None:
            source_id = plan.source_id
            customer = Customer(
                id=self._session.ids.customer_id()
                if source_id is None
                else plan.new_id or project.customer_id_for(source_id),
                source_id=source_id,
                created_at=now,
            )
            if undo is not None:
                undo.first(customer)  # new: nothing of it to put back
            project.customers[customer.id] = customer
            if self._session.keeps(CUSTOMER_CREATED):
                self._session.happened(Activity(CUSTOMER_CREATED, {"customer_id": customer.id}))
        if plan.profile:
            _apply_profile(project, customer, plan.profile)
        if plan.existing is not None and (plan.profile or touch):
            customer.updated_at = now
        if project.segments and (plan.existing is None or plan.profile or touch):
            # The auto-update segments react (segments.py): only when there are any, so
            # that a project without segments pays nothing for them.
            self._session.happened(
                Activity("customer.updated", {"customer_id": customer.id}, internal=True)
            )
        return customer

    def cards_of(self, customer_id: str) -> list[tuple[Campaign, LoyaltyCard]]:
        """Every (program, card) the customer holds, programs oldest first."""
        project = self._project
        customer = project.customers.get(customer_id)
        if customer is None:
            return []
        by_campaign = {card.campaign_id: card for card in held_cards(project, customer)}
        return [
            (campaign, by_campaign[campaign.id])
            for campaign in project.campaigns.values()
            if campaign.id in by_campaign and not campaign.in_bin
        ]
