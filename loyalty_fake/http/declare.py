"""How an area module declares what it serves: a ``Route`` per operation, with its ``Operation``.

Each area module (``campaigns``, ``members``, ``points``, …) lists its ``ROUTES``: method,
Voucherify path template, handler, and the operation's declaration (operationId, summary,
response schema, query parameters, request body, error statuses). ``routes.py`` joins the
areas' tables into the one the app matches requests against; ``openapi.py`` writes the
fake's OpenAPI document from the same declarations. The helpers here write the query
parameters and request schemas those declarations share.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import attrs

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

    from loyalty_fake.http.common_json import Schema
    from loyalty_fake.http.messages import Request
    from loyalty_fake.ledger import Session

__all__ = [
    "NON_EMPTY",
    "Call",
    "Operation",
    "PathPattern",
    "Route",
    "orders",
    "query",
    "split",
]


def _parameters(parameters: Iterable[Schema]) -> tuple[Schema, ...]:
    return tuple(parameters)


@attrs.frozen(eq=False)
class Operation:
    """What the OpenAPI document says about one operation.

    ``response`` names the 200 reply's component schema (``None``: a 204 without a body);
    ``accepted`` the 202 one; ``errors`` adds statuses to the error envelope's description;
    ``not_implemented`` documents a deliberate 501 for part of the operation;
    ``media_type`` is the body's (``multipart/form-data`` for a CSV upload);
    ``client_side`` marks a ``/client/v1`` operation, called with client-side keys;
    ``files``: media types the 200 may also be, a file's text (an export's CSV).
    ``management`` a ``/management/v1`` one, called with management keys.
    """

    operation_id: str
    summary: str
    response: str | None
    query: tuple[Schema, ...] = attrs.field(default=(), converter=_parameters)
    body: Schema | None = None
    accepted: str | None = None
    errors: str = ""
    not_implemented: str | None = None
    media_type: str = "application/json"
    client_side: bool = False
    files: tuple[str, ...] = ()
    management: bool = False


def split(template: str) -> tuple[str, ...]:
    """A path (template) as its segments."""
    return tuple(template.strip("/").split("/"))


@attrs.frozen
class PathPattern:
    """A path template, split once into the literal segments to compare and the named ones.

    Every request is matched against a few of them: comparing the literals by position
    and then taking the named segments is cheaper than walking the template each time.
    """

    length: int
    literals: tuple[tuple[int, str], ...]
    names: tuple[tuple[int, str], ...]

    @classmethod
    def of(cls, template: tuple[str, ...]) -> PathPattern:
        """The pattern of a template's segments (``{name}`` segments are parameters)."""
        return cls(
            len(template),
            tuple((i, part) for i, part in enumerate(template) if not part.startswith("{")),
            tuple((i, part[1:-1]) for i, part in enumerate(template) if part.startswith("{")),
        )

    def bind(self, segments: tuple[str, ...]) -> dict[str, str] | None:
        """Path parameters when ``segments`` fit, else ``None`` (a parameter is never empty)."""
        if len(segments) != self.length:
            return None
        for index, literal in self.literals:
            if segments[index] != literal:
                return None
        params: dict[str, str] = {}
        for index, name in self.names:
            value = segments[index]
            if not value:
                return None
            params[name] = value
        return params


@attrs.frozen
class Call:
    """What a handler gets: the request's session on one project, the request, its parameters.

    ``projects``: the app IDs the Management API knows (its list and create operations).
    """

    session: Session
    request: Request
    params: dict[str, str]
    projects: tuple[str, ...] = ()


@attrs.frozen
class Route:
    """One operation: method, Voucherify path template, handler, and its declaration."""

    method: str
    template: str
    handler: Callable[[Call], tuple[int, Any]]
    # Not part of a route's identity: two routes are the same method on the same path.
    spec: Operation = attrs.field(eq=False, repr=False)
    segments: tuple[str, ...] = attrs.field(init=False)
    pattern: PathPattern = attrs.field(init=False, eq=False, repr=False)

    @segments.default
    def _split(self) -> tuple[str, ...]:
        return split(self.template)

    @pattern.default
    def _pattern(self) -> PathPattern:
        return PathPattern.of(self.segments)

    @property
    def operation(self) -> str:
        """``METHOD /path/{template}``."""
        return f"{self.method} {self.template}"

    def bind(self, segments: tuple[str, ...]) -> dict[str, str] | None:
        """Path parameters when ``segments`` fit this template, else ``None``."""
        return self.pattern.bind(segments)


# -- what requests carry ----------------------------------------------------------------------

# A string the fake refuses when empty or blank.
NON_EMPTY: Schema = {"type": "string", "minLength": 1, "pattern": r"\S"}


def query(name: str, schema: Schema, description: str | None = None) -> Schema:
    """An optional query parameter."""
    parameter: Schema = {"name": name, "in": "query", "required": False, "schema": schema}
    if description:
        parameter["description"] = description
    return parameter


def orders(*fields: str) -> list[str]:
    """The ``order`` values for these fields: each ascending and descending (``-field``)."""
    return [f"{sign}{field}" for field in fields for sign in ("", "-")]
