"""Validation rules and assignments under random sequences of requests: they always add up.

After every step: each rule's ``assignments_count`` is what the assignment lists hold, every
assignment names a rule that exists, an earning rule's ``validation_rule_id`` names a rule
that exists, and the earning gate awards exactly when the assigned rules hold.
"""

from __future__ import annotations

from typing import Any

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from loyalty_fake import LoyaltyFake


def _amount_rule(minimum: int) -> dict[str, Any]:
    condition = {"name": "order.amount", "conditions": {"$more_than": [minimum]}}
    return {"name": f"over {minimum}", "rules": {"1": condition, "logic": "1"}}


class ValidationRulesMachine(RuleBasedStateMachine):
    """Rules created, assigned, unassigned, deleted; earning rules gated; orders paid."""

    def __init__(self) -> None:
        """A fresh fake; the rules made and their minimums."""
        super().__init__()
        self.fake = LoyaltyFake(now="2024-01-25T10:00:00Z")
        self.minimums: dict[str, int] = {}
        self.orders = 0

    def _call(self, method: str, path: str, body: Any = None) -> Any:
        response = self.fake.request(method, path, json_body=body)
        assert response.status < 500, response.body
        return response

    @initialize()
    def program(self) -> None:
        """A program, ada as its member, and two earning rules."""
        self.program_id = self.fake.create_loyalty_program("P")["id"]
        self.code = self.fake.add_member("P", {"source_id": "ada"})["code"]
        made = self._call(
            "POST",
            "/v1/loyalties/P/earning-rules",
            [{"event": "order.paid", "loyalty": {"type": "FIXED", "points": 1}}] * 2,
        ).json()
        self.earning = [rule["id"] for rule in made]

    @rule(minimum=st.integers(0, 3000))
    def create(self, minimum: int) -> None:
        """Create a rule: orders over ``minimum``."""
        made = self._call("POST", "/v1/validation-rules", _amount_rule(minimum)).json()
        self.minimums[made["id"]] = minimum

    @rule(data=st.data(), to_program=st.booleans(), force=st.booleans())
    def assign(self, data: st.DataObject, to_program: bool, force: bool) -> None:
        """Assign a rule (maybe one that is gone) to the program or an earning rule."""
        rule_id = data.draw(st.sampled_from([*self.minimums, "val_gone"]))
        target = self.program_id if to_program else data.draw(st.sampled_from(self.earning))
        kind = "campaign" if to_program else "earning_rule"
        path = f"/v1/validation-rules/{rule_id}/assignments" + ("?force=true" if force else "")
        body = {"related_object_type": kind, "related_object_id": target}
        self._call("POST", path, body)

    @rule(data=st.data())
    def set_on_earning_rule(self, data: st.DataObject) -> None:
        """Name a rule on an earning rule (its validation_rule_id)."""
        if not self.minimums:
            return
        rule_id = data.draw(st.sampled_from(sorted(self.minimums)))
        earning = data.draw(st.sampled_from(self.earning))
        self._call(
            "PUT", f"/v1/loyalties/P/earning-rules/{earning}", {"validation_rule_id": rule_id}
        )

    @rule(data=st.data())
    def unassign(self, data: st.DataObject) -> None:
        """Delete one assignment."""
        listed = self._call("GET", "/v1/validation-rules-assignments?limit=100").json()["data"]
        if listed:
            chosen = data.draw(st.sampled_from(listed))
            self._call(
                "DELETE", f"/v1/validation-rules/{chosen['rule_id']}/assignments/{chosen['id']}"
            )

    @rule(data=st.data())
    def delete(self, data: st.DataObject) -> None:
        """Delete a rule (its assignments go too)."""
        if self.minimums:
            rule_id = data.draw(st.sampled_from(sorted(self.minimums)))
            self._call("DELETE", f"/v1/validation-rules/{rule_id}")
            del self.minimums[rule_id]

    @rule(amount=st.integers(0, 4000))
    def pay(self, amount: int) -> None:
        """Pay an order: each earning rule awards 1 when every rule assigned to it holds."""
        assignments = self._call("GET", "/v1/validation-rules-assignments?limit=100").json()
        expected = 0
        for earning in self.earning:
            gates = [
                self.minimums[a["rule_id"]]
                for a in assignments["data"]
                if a["related_object_id"] == earning
            ]
            expected += all(amount > minimum for minimum in gates)
        before = self.fake.get_member(self.code)["loyalty_card"]["balance"]
        self.orders += 1
        order = {
            "source_id": f"o{self.orders}",
            "status": "PAID",
            "amount": amount,
            "customer": {"source_id": "ada"},
        }
        self._call("POST", "/v1/orders", order)
        after = self.fake.get_member(self.code)["loyalty_card"]["balance"]
        assert after - before == expected

    @invariant()
    def counts_add_up(self) -> None:
        """Each rule counts its assignments; each assignment and earning rule names a live rule."""
        if not hasattr(self, "earning"):
            return
        assignments = self._call("GET", "/v1/validation-rules-assignments?limit=100").json()
        rules = self._call("GET", "/v1/validation-rules?limit=100").json()["data"]
        assert {r["id"] for r in rules} == set(self.minimums)
        for made in rules:
            mine = [a for a in assignments["data"] if a["rule_id"] == made["id"]]
            assert made["assignments_count"] == len(mine)
        assert {a["rule_id"] for a in assignments["data"]} <= set(self.minimums)
        for earning in self.earning:
            got = self._call("GET", f"/v1/loyalties/P/earning-rules/{earning}").json()
            assert got["validation_rule_id"] in {None, *self.minimums}


ValidationRulesMachine.TestCase.settings = settings(
    max_examples=40, stateful_step_count=25, deadline=None
)


# TestCase is a class-valued property, which mypy cannot take as a base class.
class TestValidationRulesStateMachine(ValidationRulesMachine.TestCase):  # type: ignore[valid-type,misc]
    """Run the machine."""
