"""A program's earning rules: what earns points (``order.paid``, a custom event, a segment).

The rules are records here; ``earning.py`` applies them when an order is paid or a custom
event is tracked. A rule's ``loyalty`` is kept as Voucherify shows it: ``{type: FIXED,
points}`` or ``{type: PROPORTIONAL, calculation_type, <where>: {<what>: {every, points,
...}}}``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import attrs

from loyalty_fake import errors
from loyalty_fake.ids import derived_id
from loyalty_fake.ledger.activities import Activity
from loyalty_fake.ledger.campaigns import find_campaign
from loyalty_fake.ledger.custom_events import check_rule_schema
from loyalty_fake.ledger.event_names import is_built_in_event
from loyalty_fake.ledger.pages import Page
from loyalty_fake.ledger.project import Area, note_project
from loyalty_fake.ledger.segments import SEGMENT_ENTERED
from loyalty_fake.ledger.validity import Validity

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Mapping

    from loyalty_fake.ledger.campaigns import Campaign
    from loyalty_fake.ledger.expiry import ExpirationRules

__all__ = [
    "ANY_TIER",
    "EARNING_RULE_ORDERS",
    "ORDER_PAID_EVENT",
    "PROPORTIONAL_PLACES",
    "TIER_EVENT_PREFIX",
    "EarningRule",
    "EarningRules",
    "RuleSpec",
]

ORDER_PAID_EVENT = "order.paid"
TIER_EVENT_PREFIX = "customer.loyalty.tier."
ANY_TIER = "__ANY__"
EARNING_RULE_ORDERS = ("created_at", "-created_at", "updated_at", "-updated_at")
# Where each PROPORTIONAL calculation type keeps its ratio: loyalty[<where>][<what>].
PROPORTIONAL_PLACES: dict[str, tuple[str, str]] = {
    "ORDER_AMOUNT": ("order", "amount"),
    "ORDER_TOTAL_AMOUNT": ("order", "total_amount"),
    "ORDER_METADATA": ("order", "metadata"),
    "ORDER_ITEMS_QUANTITY": ("order_items", "quantity"),
    "ORDER_ITEMS_AMOUNT": ("order_items", "amount"),
    "ORDER_ITEMS_SUBTOTAL_AMOUNT": ("order_items", "subtotal_amount"),
    "CUSTOMER_METADATA": ("customer", "metadata"),
    "CUSTOM_EVENT_METADATA": ("custom_event", "metadata"),
}
_VALIDITY_KEYS = ("validity_timeframe", "validity_day_of_week", "validity_hours")


@attrs.frozen
class RuleSpec:
    """What a request sets on an earning rule, already validated; ``None``: not given.

    ``validity`` holds the validity settings given (``validity_timeframe``, ...).
    """

    event: str | None = None
    loyalty: dict[str, Any] | None = None
    banner: str | None = None
    active: bool | None = None
    start_date: dt.datetime | None = None
    expiration_date: dt.datetime | None = None
    validity: dict[str, Any] | None = None
    schema_id: str | None = None
    metadata: dict[str, Any] | None = None
    expiration_rules: ExpirationRules | None = None
    validation_rule_id: str | None = None
    segment_id: str | None = None
    # {period_type: DAY, period_value: 1..90}; remove_pending_points: null was sent.
    pending_points: dict[str, Any] | None = None
    remove_pending_points: bool = False
    # A tier event's tier (loyalty_tier.id): an ltr_ ID or __ANY__.
    loyalty_tier_id: str | None = None


@attrs.define
class EarningRule:
    """One earning rule of one program (``ern_``)."""

    id: str
    campaign_id: str
    created_at: dt.datetime
    seq: int
    event: str
    loyalty: dict[str, Any]
    banner: str | None = None
    active: bool = True
    start_date: dt.datetime | None = None
    expiration_date: dt.datetime | None = None
    # validity_timeframe, validity_day_of_week, validity_hours as given; None while none.
    validity: dict[str, Any] | None = None
    # A custom event rule's event schema (custom_event.schema_id).
    schema_id: str | None = None
    metadata: dict[str, Any] | None = None
    # The rule's own expiry of the points it gives, in place of the program's.
    expiration_rules: ExpirationRules | None = None
    updated_at: dt.datetime | None = None
    # A customer.segment.entered rule's segment (segment.id).
    segment_id: str | None = None
    # An order.paid rule's pending_points ({period_type: DAY, period_value}): its points
    # wait that many days before they reach the card (pending.py).
    pending_points: dict[str, Any] | None = None
    # The validation rule that must hold for the rule to award (validation_rules.py keeps
    # it as the rule's assignment too).
    validation_rule_id: str | None = None
    # A tier event rule's tier (loyalty_tier.id): an ltr_ ID, or __ANY__ for any tier.
    loyalty_tier_id: str | None = None

    @property
    def automation_id(self) -> str:
        """The ``auto_`` ID of the automation that runs the rule, derived: not stored."""
        return derived_id("auto_", self.id, 24)

    def validity_of(self, campaign: Campaign) -> Validity:
        """The rule's time frame: its own, else (none of its own) its program's."""
        own = Validity.of(self.start_date, self.expiration_date, self.validity or {})
        if not own.empty:
            return own
        return Validity.of(campaign.start_date, campaign.expiration_date, campaign.settings)


def _apply(rule: EarningRule, spec: RuleSpec) -> None:
    for field in ("loyalty", "active", "start_date", "expiration_date", "expiration_rules"):
        value = getattr(spec, field)
        if value is not None:
            setattr(rule, field, value)
    if spec.banner is not None:
        rule.banner = spec.banner
    if spec.schema_id is not None:
        rule.schema_id = spec.schema_id
    if spec.validity is not None:
        rule.validity = {**(rule.validity or {}), **spec.validity} or None
    if spec.metadata is not None:
        rule.metadata = dict(spec.metadata) or None
    if spec.remove_pending_points:
        rule.pending_points = None
    elif spec.pending_points is not None:
        rule.pending_points = dict(spec.pending_points)


class EarningRules(Area):
    """The earning rules of a project's programs."""

    __slots__ = ()

    def _check_refs(self, campaign_id: str, spec: RuleSpec) -> None:
        """Refuse a rule whose body, event schema, segment, tier or validation rule fails."""
        _check(spec)
        if spec.event is not None:
            check_rule_schema(self._session, spec.event, spec.schema_id)
        if spec.segment_id is not None:
            self._session.segments.get(spec.segment_id)
        if spec.loyalty_tier_id not in (None, ANY_TIER):
            self._session.tiers.get(campaign_id, str(spec.loyalty_tier_id))
        if spec.validation_rule_id is not None:
            self._session.validation_rules.get(spec.validation_rule_id)

    def create(self, campaign_ref: str, specs: list[RuleSpec]) -> list[EarningRule]:
        """Add earning rules to a program, all or none; 404 for an unknown program.

        A rule naming an unknown validation rule is 404; a known one is assigned to the
        new rule, which then awards only when it holds (``validation_rules.py``). A custom
        event rule needs its event schema (``custom_event.schema_id``); a segment rule,
        an existing segment (404 otherwise). With ``segment_members_earn_at_rule_creation``
        the customers already in a new segment rule's segment earn it now.
        """
        project = self._project
        campaign = find_campaign(project, campaign_ref)
        for spec in specs:
            self._check_refs(campaign.id, spec)
        now = self._session.clock.now()
        undo = self._session.undo
        if undo is not None:
            note_project(undo, project)
        made = []
        for spec in specs:
            assert spec.event is not None  # noqa: S101 - the HTTP layer requires it
            assert spec.loyalty is not None  # noqa: S101
            rule = EarningRule(
                id=self._session.ids.earning_rule_id(),
                campaign_id=campaign.id,
                created_at=now,
                seq=project.take_seq(),
                event=spec.event,
                loyalty=spec.loyalty,
                segment_id=spec.segment_id,
                loyalty_tier_id=spec.loyalty_tier_id,
            )
            _apply(rule, spec)
            project.earning_rules[rule.id] = rule
            made.append(rule)
            if spec.validation_rule_id is not None:
                rule.validation_rule_id = spec.validation_rule_id
                self._session.validation_rules.set_earning_rule(rule.id, spec.validation_rule_id)
        if self._session.earning_choices.segment_members_earn_at_rule_creation:
            for rule in made:
                self._award_members(rule)
        return made

    def _award_members(self, rule: EarningRule) -> None:
        """The customers in a new segment rule's segment earn it, as if they entered now."""
        if rule.segment_id is None:
            return
        segment = self._project.segments[rule.segment_id]
        for customer_id in segment.members:
            data = {
                "customer_id": customer_id,
                "segment_id": segment.id,
                "event_id": derived_id("evcus_", f"{rule.id}/{customer_id}", 18),
                "rule_id": rule.id,
            }
            self._session.happened(Activity(SEGMENT_ENTERED, data, internal=True))

    def get(self, campaign_ref: str, rule_id: str) -> EarningRule:
        """A program's earning rule; 404 ``not_found`` (earning_rule) otherwise."""
        campaign = find_campaign(self._project, campaign_ref)
        found = self._project.earning_rules.get(rule_id)
        if found is None or found.campaign_id != campaign.id:
            raise errors.not_found("earning_rule", rule_id)
        return found

    def of_campaign(self, campaign_id: str) -> list[EarningRule]:
        """Every earning rule of one program, oldest first."""
        return [r for r in self._project.earning_rules.values() if r.campaign_id == campaign_id]

    def page(
        self, campaign_ref: str, *, limit: int, page: int, order: str
    ) -> tuple[list[EarningRule], int]:
        """One page of a program's earning rules in ``order`` (ties in creation order)."""
        campaign = find_campaign(self._project, campaign_ref)
        field = order.lstrip("-")
        rules = sorted(
            self.of_campaign(campaign.id),
            key=lambda rule: (getattr(rule, field) or rule.created_at, rule.seq),
            reverse=order.startswith("-"),
        )
        return Page(limit, page).of(rules), len(rules)

    def update(self, campaign_ref: str, rule_id: str, spec: RuleSpec) -> EarningRule:
        """Change what ``spec`` gives of a program's earning rule; its event stays."""
        rule = self.get(campaign_ref, rule_id)
        _check(spec, rule.start_date)
        check_rule_schema(self._session, rule.event, spec.schema_id)
        if spec.loyalty is not None:
            _fits_event(spec.loyalty, rule.event)
        if spec.pending_points is not None:
            _pending_fits(rule.event)
        if spec.validation_rule_id is not None:
            self._session.validation_rules.get(spec.validation_rule_id)
        if self._session.undo is not None:
            self._session.undo.touch(rule)
        if spec.validation_rule_id is not None:
            rule.validation_rule_id = spec.validation_rule_id
            self._session.validation_rules.set_earning_rule(rule.id, spec.validation_rule_id)
        _apply(rule, spec)
        rule.updated_at = self._session.clock.now()
        return rule

    def set_active(self, campaign_ref: str, rule_id: str, *, active: bool) -> EarningRule:
        """Enable or disable a program's earning rule."""
        rule = self.get(campaign_ref, rule_id)
        if self._session.undo is not None:
            self._session.undo.touch(rule)
        rule.active = active
        rule.updated_at = self._session.clock.now()
        return rule

    def delete(self, campaign_ref: str, rule_id: str) -> None:
        """Delete a program's earning rule; points it gave stay."""
        rule = self.get(campaign_ref, rule_id)
        rules = self._project.earning_rules
        if self._session.undo is not None:
            self._session.undo.keep(rules)
        del rules[rule.id]
        self._session.validation_rules.forget_object(rule.id)

    def forget_campaign(self, campaign: Campaign) -> None:
        """Drop the earning rules of a program removed for good."""
        rules = self._project.earning_rules
        gone = [r.id for r in rules.values() if r.campaign_id == campaign.id]
        for rule_id in gone:
            del rules[rule_id]
        self._session.validation_rules.forget_objects(set(gone))


def _check(spec: RuleSpec, start_date: dt.datetime | None = None) -> None:
    """The rules a rule's fields must keep together; 400 or 404 otherwise.

    ``start_date``: the rule's, when ``spec`` updates a rule that has one.
    """
    if spec.event is not None:
        _check_event(spec, spec.event)
        if spec.loyalty is not None:
            _fits_event(spec.loyalty, spec.event)
        if spec.pending_points is not None:
            _pending_fits(spec.event)
    timeframe = (spec.validity or {}).get("validity_timeframe")
    if timeframe is not None and spec.start_date is None and start_date is None:
        raise errors.invalid_payload(
            "Property .start_date is required when validity_timeframe is given"
        )


def _check_event(spec: RuleSpec, event: str) -> None:
    """What an event needs: a segment, a tier, or (a custom event) its schema; 400 otherwise."""
    if event == SEGMENT_ENTERED:
        if spec.segment_id is None:
            raise errors.invalid_payload(
                f"Property .segment.id is required for the event {SEGMENT_ENTERED}"
            )
    elif event.startswith(TIER_EVENT_PREFIX):
        if spec.loyalty_tier_id is None:
            raise errors.invalid_payload(
                f"Property .loyalty_tier.id is required for the event {event}"
            )
    elif event != ORDER_PAID_EVENT and is_built_in_event(event):
        raise errors.invalid_payload(
            f"Property .event {event} is the name of a Voucherify event, not a custom event"
        )
    elif event != ORDER_PAID_EVENT and spec.schema_id is None:
        raise errors.invalid_payload(
            "Property .custom_event.schema_id is required for a custom event "
            f"({event}): define the event in the event schema first"
        )


def _fits_event(loyalty: Mapping[str, Any], event: str) -> None:
    """An order's calculation needs ``order.paid``; a custom event's, a custom event."""
    kind = loyalty.get("calculation_type")
    if kind is None or kind == "CUSTOMER_METADATA":
        return
    if event == SEGMENT_ENTERED or event.startswith(TIER_EVENT_PREFIX):
        # ...CreateEnteredSegmentRequestBody (and the docs' tier events): FIXED or
        # CUSTOMER_METADATA.
        raise errors.invalid_payload(
            f"Property .loyalty.calculation_type {kind} does not fit the event {SEGMENT_ENTERED}"
        )
    needs_order = kind.startswith("ORDER_")
    if needs_order and event != ORDER_PAID_EVENT:
        raise errors.invalid_payload(
            f"Property .loyalty.calculation_type {kind} needs the event {ORDER_PAID_EVENT}"
        )
    if not needs_order and event == ORDER_PAID_EVENT:
        raise errors.invalid_payload(
            f"Property .loyalty.calculation_type {kind} needs a custom event"
        )


def _pending_fits(event: str) -> None:
    """Pending points "can be used only with the ``order.paid`` event"; 400 otherwise."""
    if event != ORDER_PAID_EVENT:
        raise errors.invalid_payload(
            f"Property .pending_points can be used only with the event {ORDER_PAID_EVENT}"
        )
