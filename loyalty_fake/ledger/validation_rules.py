"""Validation rules (``val_``), their assignments (``asgm_``), and checking them.

A rule holds a ``rules`` tree (``validation_rule_tree.py``), an ``applicable_to`` for
discounts and an ``error.message``. Assigned to a campaign, voucher, promotion tier,
earning rule, reward assignment or distribution, it must hold for that object to apply:
``check(related_object_type, related_object_id, context)`` answers the ``Violation`` of
the first assigned rule that does not hold, with Voucherify's key
(``customer_rules_violated``, ``order_rules_violated``, ``redemption_rules_violated``).
Earning rules call it before awarding points; stackable validations call it per redeemable.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

import attrs

from loyalty_fake import errors
from loyalty_fake.ids import ALPHANUMERIC
from loyalty_fake.ledger.pages import Page
from loyalty_fake.ledger.project import Area, note_project
from loyalty_fake.ledger.validation_rule_check import RuleContext, first_failure
from loyalty_fake.ledger.validation_rule_objects import (
    MESSAGES,
    RELATED_OBJECTS,
    Violation,
    item_context,
)

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Collection, Mapping

    from loyalty_fake.ledger.customers import Customer
    from loyalty_fake.ledger.orders import Order

__all__ = [
    "ASSIGNMENT_ORDERS",
    "RELATED_OBJECTS",
    "RULE_ORDERS",
    "RuleAssignment",
    "RuleSpec",
    "ValidationRule",
    "ValidationRuleChoices",
    "ValidationRules",
    "Violation",
    "ViolationKeys",
    "item_context",
]

RULE_ORDERS = ("created_at", "-created_at", "updated_at", "-updated_at", "name", "-name")
ASSIGNMENT_ORDERS = ("created_at", "-created_at")
ViolationKeys = Literal["by_area", "redemption"]


@attrs.frozen
class ValidationRuleChoices:
    """Readings of what Voucherify's documentation leaves open (docs/choices.md).

    ``refuse_deleting_assigned``: deleting a rule still assigned is 400 ``resource_in_use``
    (by default its assignments go with it). ``violation_keys``: ``by_area`` (the default)
    answers ``customer_rules_violated`` or ``order_rules_violated`` by the area of the rule
    that failed (``redemption_rules_violated`` for the rest); ``redemption`` answers
    ``redemption_rules_violated`` always, as the stackable validation examples do.
    """

    refuse_deleting_assigned: bool = False
    violation_keys: ViolationKeys = "by_area"


@attrs.define
class ValidationRule:
    """One validation rule (``val_``), kept as Voucherify shows it."""

    id: str
    name: str
    created_at: dt.datetime
    seq: int
    rules: dict[str, Any]
    applicable_to: dict[str, Any]
    type: str = "expression"
    context_type: str = "global"
    error: dict[str, Any] | None = None
    bundle_rules: dict[str, Any] | None = None
    updated_at: dt.datetime | None = None


@attrs.frozen
class RuleAssignment:
    """A rule assigned to one object (``asgm_``)."""

    id: str
    rule_id: str
    related_object_type: str
    related_object_id: str
    created_at: dt.datetime
    seq: int


@attrs.frozen
class RuleSpec:
    """What a request sets on a rule, already checked; ``None``: not given.

    ``drop_bundle_rules``: ``bundle_rules: null`` was sent (an update removes them).
    """

    name: str | None = None
    rules: dict[str, Any] | None = None
    bundle_rules: dict[str, Any] | None = None
    drop_bundle_rules: bool = False
    error: dict[str, Any] | None = None
    applicable_to: dict[str, Any] | None = None
    type: str | None = None
    context_type: str | None = None


def _apply(rule: ValidationRule, spec: RuleSpec) -> None:
    for field in ("name", "rules", "applicable_to", "type", "context_type", "error"):
        value = getattr(spec, field)
        if value is not None:
            setattr(rule, field, value)
    if spec.drop_bundle_rules:
        rule.bundle_rules = None
    elif spec.bundle_rules is not None:
        rule.bundle_rules = spec.bundle_rules


def _ordered(records: list[Any], order: str) -> list[Any]:
    field = order.lstrip("-")
    return sorted(
        records,
        key=lambda r: ((getattr(r, field) or r.created_at) if field != "name" else r.name, r.seq),
        reverse=order.startswith("-"),
    )


class ValidationRules(Area):
    """A project's validation rules and their assignments."""

    __slots__ = ()

    def _note(self) -> None:
        undo = self._session.undo
        if undo is not None:
            note_project(undo, self._project)

    def create(self, spec: RuleSpec) -> ValidationRule:
        """A new rule from ``spec`` (its name required, its tree already checked)."""
        assert spec.name is not None  # noqa: S101 - the HTTP layer requires it
        self._note()
        project = self._project
        rule = ValidationRule(
            id="val_" + self._session.ids.chars(ALPHANUMERIC, 12),
            name=spec.name,
            created_at=self._session.clock.now(),
            seq=project.take_seq(),
            rules={},
            applicable_to={"excluded": [], "included": [], "included_all": False},
        )
        _apply(rule, spec)
        project.validation_rules[rule.id] = rule
        return rule

    def get(self, rule_id: str) -> ValidationRule:
        """The rule with ID ``rule_id``; 404 ``not_found`` (validation_rules) otherwise."""
        found = self._project.validation_rules.get(rule_id)
        if found is None:
            raise errors.not_found("validation_rules", rule_id)
        return found

    def page(
        self,
        *,
        limit: int,
        page: int,
        order: str,
        start: dt.datetime | None = None,
        end: dt.datetime | None = None,
    ) -> tuple[list[ValidationRule], int]:
        """One page of the rules created between ``start`` and ``end``, in ``order``."""
        found = [
            rule
            for rule in self._project.validation_rules.values()
            if (start is None or rule.created_at >= start)
            and (end is None or rule.created_at <= end)
        ]
        return Page(limit, page).of(_ordered(found, order)), len(found)

    def update(self, rule_id: str, spec: RuleSpec) -> ValidationRule:
        """Change what ``spec`` gives of a rule."""
        rule = self.get(rule_id)
        if self._session.undo is not None:
            self._session.undo.touch(rule)
        _apply(rule, spec)
        rule.updated_at = self._session.clock.now()
        return rule

    def delete(self, rule_id: str) -> None:
        """Delete a rule and its assignments (400 ``resource_in_use`` under the choice)."""
        rule = self.get(rule_id)
        project = self._project
        assigned = [a for a in project.validation_rule_assignments.values() if a.rule_id == rule.id]
        if assigned and self._session.validation_rule_choices.refuse_deleting_assigned:
            raise errors.resource_in_use(
                "validation_rules",
                rule.id,
                "validation_rules_assignment",
                [a.id for a in assigned],
            )
        undo = self._session.undo
        if undo is not None:
            undo.keep(project.validation_rules)
            undo.keep(project.validation_rule_assignments)
        del project.validation_rules[rule.id]
        for assignment in assigned:
            del project.validation_rule_assignments[assignment.id]
        for earning_rule in project.earning_rules.values():
            if earning_rule.validation_rule_id == rule.id:
                if undo is not None:
                    undo.touch(earning_rule)
                earning_rule.validation_rule_id = None

    def assignments_count(self, rule_id: str) -> int:
        """How many objects the rule is assigned to."""
        return sum(
            1 for a in self._project.validation_rule_assignments.values() if a.rule_id == rule_id
        )

    # -- assignments ---------------------------------------------------------------------------

    def assign(
        self, rule_id: str, related_type: str, related_id: str, *, force: bool = False
    ) -> RuleAssignment:
        """Assign a rule to an object; 404 for either missing, 409 when assigned already.

        ``force``: an assignment of the same rule to the same object is replaced.
        """
        rule = self.get(rule_id)
        project = self._project
        found = RELATED_OBJECTS[related_type](project, related_id)
        if found is None:
            raise errors.not_found(related_type, related_id)
        same = [
            a
            for a in project.validation_rule_assignments.values()
            if a.rule_id == rule.id and a.related_object_id == found
        ]
        if same and not force:
            raise errors.duplicate_found("validation_rules_assignment", same[0].id)
        self._note()
        undo = self._session.undo
        if same and undo is not None:
            undo.keep(project.validation_rule_assignments)
        for old in same:
            del project.validation_rule_assignments[old.id]
        return self._add(rule.id, related_type, found)

    def _add(self, rule_id: str, related_type: str, related_id: str) -> RuleAssignment:
        project = self._project
        assignment = RuleAssignment(
            id="asgm_" + self._session.ids.chars(ALPHANUMERIC, 16),
            rule_id=rule_id,
            related_object_type=related_type,
            related_object_id=related_id,
            created_at=self._session.clock.now(),
            seq=project.take_seq(),
        )
        project.validation_rule_assignments[assignment.id] = assignment
        return assignment

    def unassign(self, rule_id: str, assignment_id: str) -> None:
        """Delete one of a rule's assignments; 404 for an unknown rule or assignment."""
        rule = self.get(rule_id)
        assignments = self._project.validation_rule_assignments
        found = assignments.get(assignment_id)
        if found is None or found.rule_id != rule.id:
            raise errors.not_found("validation_rules_assignment", assignment_id)
        if self._session.undo is not None:
            self._session.undo.keep(assignments)
        del assignments[assignment_id]

    def assignments(
        self,
        *,
        limit: int,
        page: int,
        order: str,
        rule_id: str | None = None,
        related_object_id: str | None = None,
    ) -> tuple[list[RuleAssignment], int]:
        """One page of the assignments (of one rule, or to one object) in ``order``."""
        found = [
            a
            for a in self._project.validation_rule_assignments.values()
            if (rule_id is None or a.rule_id == rule_id)
            and (related_object_id is None or a.related_object_id == related_object_id)
        ]
        return Page(limit, page).of(_ordered(found, order)), len(found)

    def assignments_of(self, related_id: str) -> list[RuleAssignment]:
        """The assignments to one object (its ``v_``, ``camp_``... ID), oldest first."""
        found = self._project.validation_rule_assignments.values()
        return [a for a in found if a.related_object_id == related_id]

    def assigned_to(self, related_id: str) -> list[ValidationRule]:
        """The rules assigned to the object ``related_id``, oldest assignment first."""
        project = self._project
        return [
            project.validation_rules[a.rule_id]
            for a in project.validation_rule_assignments.values()
            if a.related_object_id == related_id and a.rule_id in project.validation_rules
        ]

    def set_earning_rule(self, earning_rule_id: str, rule_id: str | None) -> None:
        """Make ``rule_id`` the one rule assigned to an earning rule (``None``: no rule).

        An earning rule's ``validation_rule_id`` is this assignment; 404 for an unknown rule.
        """
        if rule_id is not None:
            self.get(rule_id)
        self.forget_object(earning_rule_id)
        if rule_id is not None:
            self._note()
            self._add(rule_id, "earning_rule", earning_rule_id)

    def forget_object(self, related_id: str) -> None:
        """Drop every assignment to an object (it was deleted)."""
        self.forget_objects({related_id})

    def forget_objects(self, related_ids: Collection[str]) -> None:
        """Drop every assignment to these objects (deleted for good, a program's with it)."""
        if not related_ids:
            return
        assignments = self._project.validation_rule_assignments
        gone = [a.id for a in assignments.values() if a.related_object_id in related_ids]
        if gone and self._session.undo is not None:
            self._session.undo.keep(assignments)
        for assignment_id in gone:
            del assignments[assignment_id]

    def context(
        self,
        *,
        customer: Customer | None = None,
        order: Order | None = None,
        custom_event_metadata: Mapping[str, Any] | None = None,
        redemption_metadata: Mapping[str, Any] | None = None,
        counts: Mapping[str, Any] | None = None,
    ) -> RuleContext:
        """What rules read of a customer (their metadata and segments) and an order, now."""
        segments = frozenset(
            segment.id
            for segment in self._project.segments.values()
            if customer is not None and customer.id in segment.members
        )
        return RuleContext(
            now=self._session.clock.now(),
            customer_id=customer.id if customer is not None else None,
            customer_metadata=customer.metadata if customer is not None else None,
            segment_ids=segments,
            order_amount=order.amount if order is not None else None,
            order_metadata=order.metadata if order is not None else None,
            items=tuple(item_context(item) for item in order.items) if order is not None else (),
            redemption_metadata=redemption_metadata,
            custom_event_metadata=custom_event_metadata,
            counts=dict(counts or {}),
        )

    # -- checking ------------------------------------------------------------------------------

    def check(
        self,
        related_object_type: str,
        related_object_id: str,
        context: RuleContext,
        *,
        what: str = "Redeemable",
    ) -> Violation | None:
        """``None`` when every rule assigned to the object holds for ``context``.

        Else the first failing rule's ``Violation``; ``what`` names the object in its
        details ("Discount Coupon cannot be redeemed because of violated validation rules").
        """
        del related_object_type  # IDs are unique across kinds; the type documents the call
        for rule in self.assigned_to(related_object_id):
            violation = self.violation(rule, context, what=what)
            if violation is not None:
                return violation
        return None

    def violation(
        self, rule: ValidationRule, context: RuleContext, *, what: str = "Redeemable"
    ) -> Violation | None:
        """``None`` when ``rule`` holds for ``context``; else why not."""
        failure = first_failure(rule.rules, context)
        if failure is None and rule.bundle_rules:
            failure = first_failure(rule.bundle_rules, context)
        if failure is None:
            return None
        key = f"{failure.area}_rules_violated"
        if self._session.validation_rule_choices.violation_keys == "redemption":
            key = "redemption_rules_violated"
        return Violation(
            key=key,
            message=MESSAGES[key],
            details=f"{what} cannot be redeemed because of violated validation rules: {rule.id}",
            rule_id=rule.id,
            error_message=failure.message or (rule.error or {}).get("message"),
        )

    def applicable_to(self, related_object_id: str) -> dict[str, Any] | None:
        """What the rules assigned to an object make a discount apply to; ``None``: no rule says.

        Included and excluded items of every assigned rule together; ``included_all`` when
        any rule includes all.
        """
        rules = [r for r in self.assigned_to(related_object_id) if _says_items(r.applicable_to)]
        if not rules:
            return None
        return {
            "excluded": [entry for r in rules for entry in r.applicable_to.get("excluded") or []],
            "included": [entry for r in rules for entry in r.applicable_to.get("included") or []],
            "included_all": any(r.applicable_to.get("included_all") for r in rules),
        }


def _says_items(applicable_to: dict[str, Any]) -> bool:
    return bool(
        applicable_to.get("excluded")
        or applicable_to.get("included")
        or applicable_to.get("included_all")
    )
