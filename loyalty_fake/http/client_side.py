"""Voucherify's client-side API (``/client/v1/...``): client keys, their twins, and CORS.

A storefront's browser code or a mobile app calls these with the project's client-side keys
(``X-Client-Application-Id``/``X-Client-Token``), never with its server keys. Each client
operation answers as its server-side twin does (``POST /client/v1/events`` as
``POST /v1/events``): ``CLIENT_TWINS`` maps one to the other, and ``client_routes`` declares
a route for every twin the fake serves, so a client operation whose twin lands later needs
one line in the table (or none, when it is already there). The others answer Voucherify's
501 ``not_implemented``, as every operation the fake does not serve.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import attrs

from loyalty_fake.http.declare import Route
from loyalty_fake.http.messages import Request, Response

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

__all__ = [
    "CLIENT_PREFIX",
    "CLIENT_TWINS",
    "DEFAULT_CLIENT_TOKEN",
    "ClientKey",
    "ClientTwin",
    "Pairs",
    "client_headers",
    "client_keys",
    "client_routes",
    "cors_headers",
    "is_client_path",
    "origin_allowed",
    "origins",
    "pairs",
    "preflight",
]

CLIENT_PREFIX = ("client", "v1")
DEFAULT_CLIENT_TOKEN = "loyalty-fake-client-token"  # noqa: S105 - a fake's well-known key


@attrs.frozen
class ClientTwin:
    """A client-side operation and the server-side operation that answers it."""

    method: str
    path: str
    operation_id: str
    summary: str
    twin_method: str
    twin_path: str


# Client path -> server twin. A client operation is served exactly when its twin is (see
# client_routes): the stackable validations, redemptions and qualifications light up when
# their server operations join the route table; a newly twinned operation adds one line.
CLIENT_TWINS: tuple[ClientTwin, ...] = (
    ClientTwin(
        "POST",
        "/client/v1/events",
        "track_custom_event_client_side",
        "Track a custom event with client-side keys, as POST /v1/events",
        "POST",
        "/v1/events",
    ),
    ClientTwin(
        "POST",
        "/client/v1/publish",
        "create_publication_client_side",
        "Publish a card with client-side keys, as POST /v1/publications",
        "POST",
        "/v1/publications",
    ),
    ClientTwin(
        "POST",
        "/client/v1/validations",
        "validate_stacked_discounts_client_side",
        "Validate redeemables with client-side keys, as POST /v1/validations",
        "POST",
        "/v1/validations",
    ),
    ClientTwin(
        "POST",
        "/client/v1/redemptions",
        "redeem_stacked_discounts_client_side",
        "Redeem redeemables with client-side keys, as POST /v1/redemptions",
        "POST",
        "/v1/redemptions",
    ),
    ClientTwin(
        "POST",
        "/client/v1/qualifications",
        "check_eligibility_client_side",
        "Check eligibility with client-side keys, as POST /v1/qualifications",
        "POST",
        "/v1/qualifications",
    ),
    ClientTwin(
        "GET",
        "/client/v1/promotions/tiers",
        "list_promotion_tiers_client_side",
        "List promotion tiers with client-side keys, as GET /v1/promotions/tiers",
        "GET",
        "/v1/promotions/tiers",
    ),
)


def client_routes(server_routes: Iterable[Route]) -> tuple[Route, ...]:
    """A route per ``CLIENT_TWINS`` entry whose twin is among ``server_routes``.

    The twin's handler and declaration, under the client path and operation id, and
    declared with the client-side security scheme.
    """
    served = {(route.method, route.template): route for route in server_routes}
    routes = []
    for twin in CLIENT_TWINS:
        server = served.get((twin.twin_method, twin.twin_path))
        if server is None:
            continue
        spec = attrs.evolve(
            server.spec, operation_id=twin.operation_id, summary=twin.summary, client_side=True
        )
        routes.append(Route(twin.method, twin.path, server.handler, spec))
    return tuple(routes)


def is_client_path(segments: tuple[str, ...]) -> bool:
    """Whether the decoded path ``segments`` are under ``/client/v1``."""
    return segments[: len(CLIENT_PREFIX)] == CLIENT_PREFIX


@attrs.frozen
class ClientKey:
    """A project's client-side key pair: the project (``app_id``) it opens, and the pair."""

    app_id: str
    client_application_id: str
    client_token: str


# Each project's client-side keys: {app_id: (client_application_id, client_token)}.
Pairs = dict[str, tuple[str, str]]


def pairs(value: Mapping[str, Iterable[str]] | None) -> Pairs:
    """``{app_id: (client_application_id, client_token)}`` from any pair of strings."""
    converted = {}
    for app_id, pair in (value or {}).items():
        client_id, token = pair
        converted[app_id] = (client_id, token)
    return converted


def origins(value: str | Iterable[str]) -> tuple[str, ...]:
    """Allowed origins as a tuple; one string is one origin."""
    return (value,) if isinstance(value, str) else tuple(value)


def client_headers(configured: Mapping[str, tuple[str, str]], app_id: str) -> dict[str, str]:
    """The client-side keys of project ``app_id``: its pair, else its id and the default token.

    The default is accepted while no keys of either kind are configured.
    """
    client_id, token = configured.get(app_id, (app_id, DEFAULT_CLIENT_TOKEN))
    return {"X-Client-Application-Id": client_id, "X-Client-Token": token}


def client_keys(value: Mapping[str, tuple[str, str]] | None) -> dict[str, ClientKey]:
    """``{app_id: (client_application_id, client_token)}`` by client application id.

    Raises ``ValueError`` for an empty id or token, or one client application id given to
    two projects (a key opens one project).
    """
    keys: dict[str, ClientKey] = {}
    for app_id, pair in (value or {}).items():
        client_id, token = pair
        if not app_id.strip() or not client_id.strip() or not token.strip():
            msg = f"client credentials of {app_id!r} need an app id, a client id and a token"
            raise ValueError(msg)
        if client_id in keys:
            msg = f"client application id {client_id!r} is given to two projects"
            raise ValueError(msg)
        keys[client_id] = ClientKey(app_id, client_id, token)
    return keys


def _normal(origin: str) -> str:
    return origin.strip().rstrip("/").lower()


def origin_allowed(origin: str | None, allowed: tuple[str, ...]) -> bool:
    """Whether a request from ``origin`` may use the client API.

    No ``allowed`` origins: any, or none (a mobile app sends none). Otherwise the
    ``Origin`` header must be one of them, by whole origin (``https://shop.example``) or
    by host name (``shop.example``, the spec's ``format: hostname``); ``*`` allows any.
    """
    if not allowed:
        return True
    if origin is None or not origin.strip():
        return False
    sent = _normal(origin)
    host = sent.partition("://")[2].partition(":")[0] if "://" in sent else sent
    return any(each == "*" or _normal(each) in (sent, host) for each in allowed)


_ALLOWED_HEADERS = "Content-Type, X-Client-Application-Id, X-Client-Token, Origin"
# Browsers cache a preflight for at most this long (Chrome caps it at two hours).
_MAX_AGE = "7200"


def cors_headers(request: Request, allowed: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    """The ``Access-Control-*`` headers of a client-side answer to ``request``.

    The sender's ``Origin`` echoed when it may call (no credentials travel as cookies, so
    ``*`` would do; echoing serves a configured list too); nothing for no ``Origin``.
    """
    origin = request.header("origin")
    if origin is None or not origin_allowed(origin, allowed):
        return (("Vary", "Origin"),)
    return (
        ("Access-Control-Allow-Origin", origin),
        ("Access-Control-Expose-Headers", "Content-Type"),
        ("Vary", "Origin"),
    )


def preflight(request: Request, allowed: tuple[str, ...], methods: list[str]) -> Response:
    """204 to a browser's ``OPTIONS`` preflight on a client-side path, no key needed.

    Allows ``methods`` (the path's) and the headers the browser asks for; from an origin
    not allowed, no ``Access-Control-Allow-*``, so the browser sends nothing.
    """
    headers = list(cors_headers(request, allowed))
    if any(name == "Access-Control-Allow-Origin" for name, _ in headers):
        asked = request.header("access-control-request-headers")
        headers += [
            ("Access-Control-Allow-Methods", ", ".join([*methods, "OPTIONS"])),
            ("Access-Control-Allow-Headers", asked or _ALLOWED_HEADERS),
            ("Access-Control-Max-Age", _MAX_AGE),
        ]
    return Response(204, b"", tuple(headers))
