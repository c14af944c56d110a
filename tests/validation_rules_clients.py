"""Validation rules and their assignments, per client.

``tests/conftest.py``'s clients take these mixins, as they take ``tests/earning_clients.py``'s:
``RequestsValidationRules`` for ``requests``, httpx and the live server,
``SdkValidationRules`` for the official SDK's ``ValidationRulesApi``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import quote

if TYPE_CHECKING:
    from collections.abc import Callable

    from tests.conftest import Reply

__all__ = [
    "ALL_RULE_ASSIGNMENTS",
    "RULE_ASSIGNMENT",
    "RULE_ASSIGNMENTS",
    "VALIDATION_RULE",
    "VALIDATION_RULES",
    "RequestsValidationRules",
    "SdkValidationRules",
    "ValidationRulesClient",
]

VALIDATION_RULES = "/v1/validation-rules"
VALIDATION_RULE = "/v1/validation-rules/{validationRuleId}"
RULE_ASSIGNMENTS = "/v1/validation-rules/{validationRuleId}/assignments"
RULE_ASSIGNMENT = "/v1/validation-rules/{validationRuleId}/assignments/{assignmentId}"
ALL_RULE_ASSIGNMENTS = "/v1/validation-rules-assignments"


def _at(ref: str) -> str:
    return quote(ref, safe="")


def _flag(value: bool | None) -> str | None:
    return None if value is None else str(value).lower()


class ValidationRulesClient(Protocol):
    """Validation rules and assignments, as one client library calls them."""

    def create_validation_rule(self, body: dict[str, Any]) -> Reply: ...
    def get_validation_rule(self, rule_id: str) -> Reply: ...
    def list_validation_rules(self, params: dict[str, Any] | None = None) -> Reply: ...
    def update_validation_rule(self, rule_id: str, body: dict[str, Any]) -> Reply: ...
    def delete_validation_rule(self, rule_id: str) -> Reply: ...
    def assign_validation_rule(
        self, rule_id: str, body: dict[str, Any], force: bool | None = None
    ) -> Reply: ...
    def list_rule_assignments(
        self, rule_id: str, params: dict[str, Any] | None = None
    ) -> Reply: ...
    def list_all_rule_assignments(self, params: dict[str, Any] | None = None) -> Reply: ...
    def unassign_validation_rule(self, rule_id: str, assignment_id: str) -> Reply: ...


class RequestsValidationRules:
    """Over plain HTTP (``requests``, httpx, the live server)."""

    call: Callable[..., Reply]

    def create_validation_rule(self, body: dict[str, Any]) -> Reply:
        return self.call("POST", VALIDATION_RULES, VALIDATION_RULES, json=body)

    def get_validation_rule(self, rule_id: str) -> Reply:
        return self.call("GET", f"{VALIDATION_RULES}/{_at(rule_id)}", VALIDATION_RULE)

    def list_validation_rules(self, params: dict[str, Any] | None = None) -> Reply:
        return self.call("GET", VALIDATION_RULES, VALIDATION_RULES, params=params)

    def update_validation_rule(self, rule_id: str, body: dict[str, Any]) -> Reply:
        return self.call("PUT", f"{VALIDATION_RULES}/{_at(rule_id)}", VALIDATION_RULE, json=body)

    def delete_validation_rule(self, rule_id: str) -> Reply:
        return self.call("DELETE", f"{VALIDATION_RULES}/{_at(rule_id)}", VALIDATION_RULE)

    def assign_validation_rule(
        self, rule_id: str, body: dict[str, Any], force: bool | None = None
    ) -> Reply:
        path = f"{VALIDATION_RULES}/{_at(rule_id)}/assignments"
        return self.call("POST", path, RULE_ASSIGNMENTS, json=body, params={"force": _flag(force)})

    def list_rule_assignments(self, rule_id: str, params: dict[str, Any] | None = None) -> Reply:
        path = f"{VALIDATION_RULES}/{_at(rule_id)}/assignments"
        return self.call("GET", path, RULE_ASSIGNMENTS, params=params)

    def list_all_rule_assignments(self, params: dict[str, Any] | None = None) -> Reply:
        return self.call("GET", ALL_RULE_ASSIGNMENTS, ALL_RULE_ASSIGNMENTS, params=params)

    def unassign_validation_rule(self, rule_id: str, assignment_id: str) -> Reply:
        path = f"{VALIDATION_RULES}/{_at(rule_id)}/assignments/{_at(assignment_id)}"
        return self.call("DELETE", path, RULE_ASSIGNMENT)


class SdkValidationRules:
    """Through the official SDK's ``ValidationRulesApi`` (6.x)."""

    api: Any
    _run: Callable[[str, str, Callable[[], Any]], Reply]

    @property
    def validation_rules_api(self) -> Any:
        """The SDK's ValidationRulesApi over the same API client."""
        import voucherify  # noqa: PLC0415 - a test dependency only this client needs

        return voucherify.ValidationRulesApi(self.api.api_client)

    def create_validation_rule(self, body: dict[str, Any]) -> Reply:
        api = self.validation_rules_api
        return self._run(
            "POST", VALIDATION_RULES, lambda: api.create_validation_rules_with_http_info(body)
        )

    def get_validation_rule(self, rule_id: str) -> Reply:
        api = self.validation_rules_api
        return self._run(
            "GET", VALIDATION_RULE, lambda: api.get_validation_rule_with_http_info(rule_id)
        )

    def list_validation_rules(self, params: dict[str, Any] | None = None) -> Reply:
        api = self.validation_rules_api
        keywords = dict(params or {})
        return self._run(
            "GET", VALIDATION_RULES, lambda: api.list_validation_rules_with_http_info(**keywords)
        )

    def update_validation_rule(self, rule_id: str, body: dict[str, Any]) -> Reply:
        api = self.validation_rules_api
        return self._run(
            "PUT",
            VALIDATION_RULE,
            lambda: api.update_validation_rule_with_http_info(rule_id, body),
        )

    def delete_validation_rule(self, rule_id: str) -> Reply:
        api = self.validation_rules_api
        return self._run(
            "DELETE", VALIDATION_RULE, lambda: api.delete_validation_rules_with_http_info(rule_id)
        )

    def assign_validation_rule(
        self, rule_id: str, body: dict[str, Any], force: bool | None = None
    ) -> Reply:
        api = self.validation_rules_api
        return self._run(
            "POST",
            RULE_ASSIGNMENTS,
            lambda: api.create_validation_rule_assignment_with_http_info(
                rule_id, force=force, validation_rules_assignments_create_request_body=body
            ),
        )

    def list_rule_assignments(self, rule_id: str, params: dict[str, Any] | None = None) -> Reply:
        api = self.validation_rules_api
        keywords = dict(params or {})
        return self._run(
            "GET",
            RULE_ASSIGNMENTS,
            lambda: api.list_validation_rule_assignments_with_http_info(rule_id, **keywords),
        )

    def list_all_rule_assignments(self, params: dict[str, Any] | None = None) -> Reply:
        api = self.validation_rules_api
        keywords = dict(params or {})
        return self._run(
            "GET",
            ALL_RULE_ASSIGNMENTS,
            lambda: api.list_validation_rules_assignments_with_http_info(**keywords),
        )

    def unassign_validation_rule(self, rule_id: str, assignment_id: str) -> Reply:
        api = self.validation_rules_api
        return self._run(
            "DELETE",
            RULE_ASSIGNMENT,
            lambda: api.delete_validation_rule_assignment_with_http_info(rule_id, assignment_id),
        )
