"""Validate replies against the fake's own OpenAPI document (``loyalty_fake.openapi_document``)."""

from __future__ import annotations

import functools
from typing import Any

# jsonschema ships no types; the ignore stays harmless once types-jsonschema is installed.
from jsonschema import Draft202012Validator, FormatChecker  # type: ignore[import-untyped, unused-ignore]
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from loyalty_fake import openapi_document

__all__ = ["response_schema", "validate_own", "validate_own_error"]

_ROOT = "urn:loyalty-fake:openapi"


@functools.cache
def _document() -> dict[str, Any]:
    return openapi_document()


@functools.cache
def _registry() -> Registry[Any]:
    resource = Resource.from_contents(_document(), default_specification=DRAFT202012)
    registry: Registry[Any] = Registry().with_resource(_ROOT, resource)
    return registry


def response_schema(method: str, template: str, status: int) -> dict[str, Any]:
    """The documented schema of ``method template``'s ``status`` reply (or its default)."""
    responses = _document()["paths"][template][method.lower()]["responses"]
    response = responses.get(str(status)) or responses["default"]
    schema: dict[str, Any] = response["content"]["application/json"]["schema"]
    return schema


@functools.cache
def _validator(method: str, template: str, status: int) -> Any:
    return _ref_validator(response_schema(method, template, status)["$ref"])


@functools.cache
def _ref_validator(ref: str) -> Any:
    return Draft202012Validator(
        {"$ref": _ROOT + ref}, registry=_registry(), format_checker=FormatChecker()
    )


def _raise_for(errors: list[Any], what: str) -> None:
    if errors:
        listed = "; ".join(f"{'/'.join(map(str, e.path))}: {e.message[:200]}" for e in errors[:5])
        raise AssertionError(f"{what} breaks the fake's document: {listed}")


def validate_own_error(body: Any) -> None:
    """Raise ``AssertionError`` unless ``body`` is the document's error envelope.

    For answers on paths the document has no operation for (404, 405, 501).
    """
    errors = list(_ref_validator("#/components/schemas/Error").iter_errors(body))
    _raise_for(errors, "the error envelope")


def validate_own(method: str, template: str, status: int, body: Any) -> None:
    """Raise ``AssertionError`` listing every way ``body`` differs from the document."""
    responses = _document()["paths"][template][method.lower()]["responses"]
    if "content" not in responses.get(str(status), {"content": None}):
        # A documented reply without content (a DELETE's 204): there must be no body.
        assert body is None, f"{method} {template} {status} documents no body, got {body!r}"
        return
    errors = sorted(
        _validator(method, template, status).iter_errors(body), key=lambda e: list(e.path)
    )
    _raise_for(errors, f"{method} {template} {status}")
