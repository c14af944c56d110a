"""The one request handler every transport calls."""

from __future__ import annotations

import json
import logging
import math
import threading
from collections.abc import Callable
from http import HTTPStatus
from typing import TYPE_CHECKING, Any, NoReturn

import attrs
import orjson

from loyalty_fake.errors import VoucherifyError, no_such_path
from loyalty_fake.http.client_side import (
    ClientKey,
    cors_headers,
    is_client_path,
    origin_allowed,
    preflight,
)
from loyalty_fake.http.declare import Call
from loyalty_fake.http.management_auth import (
    check_management_keys,
    created_client_key,
    is_management_path,
    known_app_ids,
    management_app_id,
)
from loyalty_fake.http.messages import JSON_HEADERS, Request, Response, is_json_media_type
from loyalty_fake.http.params import check_text
from loyalty_fake.http.routes import (
    ROUTES,
    VoucherifyOperation,
    allowed_methods,
    match,
    voucherify_operation,
)
from loyalty_fake.rate_limit import project_of, too_many_requests
from loyalty_fake.webhooks import WebhookHub

if TYPE_CHECKING:
    from collections.abc import Mapping

    from loyalty_fake.faults import Faults
    from loyalty_fake.journal import Journal
    from loyalty_fake.ledger import Ledger
    from loyalty_fake.rate_limit import RateLimiter, Verdict

__all__ = [
    "MAX_BODY_BYTES",
    "OPERATIONS_PAGE",
    "FakeVoucherifyApp",
    "Keep",
    "encode_json",
    "payload_too_large",
    "printable",
]

_LOG = logging.getLogger("loyalty_fake")
# Called with a request's answer inside its unit of work (see FakeVoucherifyApp.answer).
Keep = Callable[[Response], None]
# No Voucherify request comes near 1 MiB (10,000 metadata keys are ~150 KB); the cap keeps
# a runaway client from making the fake parse, store and journal megabytes.
MAX_BODY_BYTES = 1 << 20
_UNAUTHORIZED = {"code": 401, "message": "Unauthorized", "key": "unauthorized"}
# An enum member's lookup costs more than the comparison (every answer asks).
_NO_CONTENT = int(HTTPStatus.NO_CONTENT)
# Methods whose body, if any, no operation reads.
_BODILESS = frozenset({"GET", "HEAD", "OPTIONS"})
# Where a 501 sends the reader: the documentation page listing what the fake serves.
OPERATIONS_PAGE = "docs/operations.md"


def payload_too_large(length: int) -> VoucherifyError:
    """The 413 for a request body of ``length`` bytes, over ``MAX_BODY_BYTES``."""
    return VoucherifyError(
        code=413,
        key="payload_too_large",
        message="Payload too large",
        details=f"Request bodies are limited to {MAX_BODY_BYTES} bytes; got {length}",
    )


def encode_json(body: Any) -> bytes:
    """Compact UTF-8 JSON, as Voucherify sends it.

    orjson writes what ``json.dumps(body, separators=(",", ":"), ensure_ascii=False)``
    writes, ten times faster (a 15 KB page: 14 µs against 210), but for numbers below
    1e-4, written as JavaScript writes them (``0.00001``, ``1e-7``; Python: ``1e-05``). What orjson
    refuses (a lone surrogate, an integer beyond 64 bits, a key that is not text) goes to
    the standard library, which writes the last two and raises ``UnicodeEncodeError`` for
    the first, as it would for any text a strict parser refuses. NaN and infinity, which
    only a bug in the fake could put in a reply, are written as ``null`` (docs/choices.md).
    """
    try:
        return orjson.dumps(body)
    except orjson.JSONEncodeError:
        return json.dumps(body, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode(
            "utf-8"
        )


def _too_large(request: Request) -> NoReturn:
    raise payload_too_large(len(request.body))


def printable(value: Any) -> Any:
    """``value`` as JSON can carry it: lone surrogates as U+FFFD, NaN and infinities as null.

    For what must show whatever is stored (error envelopes, the state dump, the
    dashboard), never for Voucherify's replies, which show what was stored or fail.
    """
    if isinstance(value, str):
        return value.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {printable(key): printable(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [printable(item) for item in value]
    return value


@attrs.define
class FakeVoucherifyApp:
    """Voucherify's HTTP surface over a ledger: ``handle(Request) -> Response``.

    ``credentials`` maps the only accepted ``X-App-Id`` values to their tokens; when
    empty, any non-empty pair is accepted and each ``X-App-Id`` is its own project.
    ``client_keys`` (by client application id) are the only client-side keys the
    ``/client/v1`` operations accept; when empty and ``credentials`` too, any non-empty
    ``X-Client-Application-Id``/``X-Client-Token`` pair is accepted and the id names the
    project. ``client_origins``: the only ``Origin`` values those accept (empty: any).
    A body sent as anything but JSON is 415, as Voucherify documents; a body without a
    ``Content-Type`` is read as JSON, unless ``strict_content_type`` (then 415 too).
    """

    ledger: Ledger
    credentials: Mapping[str, str] = attrs.field(factory=dict)
    strict_content_type: bool = False
    client_keys: Mapping[str, ClientKey] = attrs.field(factory=dict)
    client_origins: tuple[str, ...] = ()
    # Off only to replay a journal, whose rows were authorized when accepted.
    check_client_tokens: bool = True
    # The only X-Management-Id/X-Management-Token pairs the Management API accepts; when
    # empty, any non-empty pair (http/management_auth.py).
    management_credentials: Mapping[str, str] = attrs.field(factory=dict)
    # The call journal: each call a client sent (``handle(..., client=...)``) is recorded.
    journal: Journal | None = attrs.field(default=None, repr=False)
    # Faults on purpose (loyalty_fake.faults), for calls a client sent only.
    faults: Faults | None = attrs.field(default=None, repr=False)
    # Voucherify's API limits (loyalty_fake.rate_limit), for calls a client sent only.
    rate_limiter: RateLimiter | None = attrs.field(default=None, repr=False)
    # Unexpected exceptions are answered with a 500 envelope and kept here, so that
    # the pytest plugin can fail the test that triggered a bug in the fake.
    internal_errors: list[BaseException] = attrs.field(factory=list, init=False, repr=False)
    # Where each committed unit's events go (loyalty_fake.webhooks; docs/webhooks.md).
    webhooks: WebhookHub = attrs.field(init=False, repr=False)
    _errors_lock: threading.Lock = attrs.field(factory=threading.Lock, init=False, repr=False)

    def __attrs_post_init__(self) -> None:
        self.webhooks = WebhookHub(self.ledger, lambda: self.journal)

    def handle(
        self, request: Request, keep: Keep | None = None, client: str | None = None
    ) -> Response:
        """Answer one request exactly as Voucherify would, never with a traceback.

        ``keep``: see ``answer``. ``client`` names who sent it (``requests``, ``httpx``,
        ...: see ``loyalty_fake.journal.CLIENTS``); the call journal records the calls
        that name one, and only those (the Python API's and a replay's are not calls);
        only those meet ``faults`` too (a faulted call never reaches the ledger).
        """
        limited = None if client is None else self._rate_limited(request)
        response = None
        if limited is not None and not limited.allowed:
            response = self.error_response(too_many_requests(limited.retry_after))
        elif client is not None and self.faults:
            response = self.faults.answer(request, client, self.error_response)
        if response is None:
            response = self.answer(request, self._dispatch, keep)
        if limited is not None:
            response = attrs.evolve(response, headers=(*response.headers, *limited.headers))
        journal = self.journal
        if client is not None and journal is not None and journal.size:
            journal.record(request, response, self.ledger.clock.now(), client)
        return response

    def _rate_limited(self, request: Request) -> Verdict | None:
        """The rate limiter's verdict on a client's call; ``None`` when it does not count."""
        project = project_of(request) if self.rate_limiter is not None else None
        if self.rate_limiter is None or project is None:
            return None
        return self.rate_limiter.take(project, self.ledger.clock.now())

    def forget_calls(self) -> None:
        """A reset's: the journal's calls, the faults and the rate limiter's counts go."""
        for kept in (self.journal, self.faults, self.rate_limiter):
            if kept is not None:
                kept.clear()

    def answer(
        self, request: Request, respond: Callable[[Request], Response], keep: Keep | None = None
    ) -> Response:
        """``respond(request)`` as one unit of work, any error as Voucherify's envelope.

        Whatever ``respond`` changed is undone when it raises: a refused request changes
        nothing, and neither does one that hit a bug in the fake (a 500, whose error is
        kept in ``internal_errors``). ``keep(response)`` runs inside the unit once the
        answer is known (a refusal that left a record included), so that a server can
        write the request down: when it raises, the request is undone after all and the
        error answered instead. A client-side answer, refusals included, carries the
        ``Access-Control-*`` headers a browser needs to read it.
        """
        cors: tuple[tuple[str, str], ...] = ()
        try:
            with self.ledger.unit_of_work():
                cors = self._cors(request)
                if len(request.body) > MAX_BODY_BYTES:
                    _too_large(request)
                check_text(request)
                if keep is None:
                    return _with_headers(respond(request), cors)
                return _with_headers(self._kept(request, respond, keep), cors)
        except VoucherifyError as error:
            return _with_headers(self.error_response(error), cors)
        except Exception as error:  # noqa: BLE001 - a bug in the fake must not become a traceback
            _LOG.exception("loyalty-fake failed on %s %s", request.method, printable(request.path))
            with self._errors_lock:
                self.internal_errors.append(error)
            internal = VoucherifyError(
                code=500,
                key="internal_error",
                message="Internal error in loyalty-fake",
                details=f"{type(error).__name__}: {error}",
            )
            return _with_headers(self.error_response(internal), cors)

    def _cors(self, request: Request) -> tuple[tuple[str, str], ...]:
        """The CORS headers of a client-side answer (a preflight writes its own)."""
        if request.method == "OPTIONS" or not is_client_path(request.segments):
            return ()
        return cors_headers(request, self.client_origins)

    def _kept(
        self, request: Request, respond: Callable[[Request], Response], keep: Keep
    ) -> Response:
        """``respond(request)``, then ``keep`` its answer, both inside the caller's unit."""
        try:
            response = respond(request)
        except VoucherifyError as error:
            if not error.recorded:
                raise
            # A refusal that left a record keeps it (see UnitOfWork): it is kept here too.
            response = self.error_response(error)
        keep(response)
        return response

    def _dispatch(self, request: Request) -> Response:
        segments = request.segments
        if is_client_path(segments):
            return self._client_side(request)
        app_id = request.header("x-app-id") or ""
        token = request.header("x-app-token") or ""
        if segments[:1] == ("v1",) and not self._authorized(app_id, token):
            return Response(401, encode_json(_UNAUTHORIZED), JSON_HEADERS)
        if is_management_path(segments):
            return self._management(request)
        return self._route(request, app_id)

    def _management(self, request: Request) -> Response:
        """A ``/management/v1`` request, in the project its ``projectId`` names.

        Management keys open it (401 without); a project the fake does not know is 404.
        Those naming no project (list and create) run in no project's session.
        """
        check_management_keys(self, request)
        found = match(request.method, request.segments)
        project_id = found[1].get("projectId") if found is not None else None
        if project_id is None:
            return self._route(request, "", tuple(known_app_ids(self)))
        return self._route(request, management_app_id(self, request, project_id))

    def _client_side(self, request: Request) -> Response:
        """A ``/client/v1`` request: a preflight, or client keys and the project they open.

        Server keys open nothing here, as client keys open nothing under ``/v1``.
        """
        methods = allowed_methods(request.segments)
        if request.method == "OPTIONS" and methods:
            return preflight(request, self.client_origins, methods)
        app_id = self._client_project(request)
        if app_id is None:
            return Response(401, encode_json(_UNAUTHORIZED), JSON_HEADERS)
        if not origin_allowed(request.header("origin"), self.client_origins):
            raise VoucherifyError(
                code=401,
                key="unauthorized",
                message="Unauthorized",
                details=f"Origin {request.header('origin')!r} is not allowed for client-side "
                "requests to this project",
            )
        return self._route(request, app_id)

    def _client_project(self, request: Request) -> str | None:
        """The project the request's client-side keys open, or ``None``."""
        client_id = request.header("x-client-application-id") or ""
        token = request.header("x-client-token") or ""
        if not client_id.strip() or not token.strip():
            return None
        key = self.client_keys.get(client_id)
        if key is None:
            created = created_client_key(self.ledger, client_id)
            if created is not None:
                app_id, created_token = created
                return app_id if created_token == token or not self.check_client_tokens else None
        if not self.check_client_tokens:
            return client_id if key is None else key.app_id
        if key is not None:
            return key.app_id if key.client_token == token else None
        # Open like the server keys only while no key of either kind is configured.
        return None if self.client_keys or self.credentials else client_id

    def _route(self, request: Request, app_id: str, projects: tuple[str, ...] = ()) -> Response:
        """Match the request to an operation and answer it in ``app_id``'s project.

        ``projects``: the app IDs the Management API knows, for those that list them.
        """
        segments = request.segments
        found = match(request.method, segments)
        if found is None:
            # Voucherify has this operation and the fake does not (yet): 501. A path it has,
            # without this method: 405. A path it has not at all (a typo): 404, as Voucherify.
            operation = voucherify_operation(request.method, segments)
            if operation is not None:
                raise _not_implemented(operation)
            allowed = allowed_methods(segments)
            if allowed:
                return self._method_not_allowed(request, allowed)
            raise no_such_path(request.path)
        route, params = found
        self._check_content_type(request, route.spec.media_type)
        # Inside answer's unit of work, on this thread: the session joins it.
        with self.ledger.session(app_id, joined=True) as session:
            status, body = route.handler(Call(session, request, params, projects))
        if status == _NO_CONTENT:
            return Response(status, b"", ())
        if isinstance(body, Response):  # not JSON: a file (an export's CSV)
            return body
        return Response(status, encode_json(body), JSON_HEADERS)

    def _check_content_type(self, request: Request, media_type: str) -> None:
        """Raise 415 for a body not of the operation's media type (see the class's docstring).

        JSON for all but uploads, which take ``multipart/form-data`` and nothing else.
        """
        if not request.body or request.method in _BODILESS:
            return
        declared = request.header("content-type")
        if media_type != "application/json":
            if declared is not None and declared.lower().startswith(media_type):
                return
        elif declared is None:
            if not self.strict_content_type:
                return
        elif is_json_media_type(declared):
            return
        # Voucherify's errors page: "415 Unsupported Media Type: The API is unable to
        # consume a request in a format specified by the Content-Type header."
        sent = "no Content-Type" if declared is None else f"Content-Type {declared!r}"
        raise VoucherifyError(
            code=415,
            key="unsupported_media_type",
            message="Unsupported Media Type",
            details=f"The request body was sent with {sent}; send it as {media_type}",
        )

    def _method_not_allowed(self, request: Request, allowed: list[str]) -> Response:
        """405 for a method that names no Voucherify operation on this path."""
        # Voucherify's errors page: "PUT is not supported by this endpoint. Did you mean
        # GET or POST?"
        *others, last = allowed
        hint = f"{', '.join(others)} or {last}" if others else last
        response = self.error_response(
            VoucherifyError(
                code=405,
                key="method_not_allowed",
                message="HTTP Method Not Allowed",
                details=f"{request.method} is not supported by this endpoint. Did you mean {hint}?",
            )
        )
        return attrs.evolve(response, headers=(*response.headers, ("Allow", ", ".join(allowed))))

    def _authorized(self, app_id: str, token: str) -> bool:
        if not app_id.strip() or not token.strip():
            return False
        if not self.credentials or self.credentials.get(app_id) == token:
            return True
        # A project the Management API created has keys of its own.
        return bool(self.ledger.setting(app_id, "app_token") == token)

    def error_response(self, error: VoucherifyError) -> Response:
        """Voucherify's error envelope for ``error``, with a fresh ``request_id``."""
        envelope: dict[str, Any] = {"code": error.code, "key": error.key, "message": error.message}
        if error.details is not None:
            envelope["details"] = error.details
        envelope["request_id"] = self.ledger.ids.request_id()
        if error.resource_id is not None:
            envelope["resource_id"] = error.resource_id
        if error.resource_type is not None:
            envelope["resource_type"] = error.resource_type
        envelope.update(error.extra)
        try:
            body = encode_json(envelope)
        except ValueError:  # UnicodeEncodeError too: a bug's message may quote bad input
            body = encode_json(printable(envelope))
        return Response(error.code, body, JSON_HEADERS, recorded=error.recorded)

    @staticmethod
    def operations() -> list[str]:
        """Every implemented operation, as ``METHOD /path``."""
        return [route.operation for route in ROUTES]


def _with_headers(response: Response, headers: tuple[tuple[str, str], ...]) -> Response:
    """``response`` with ``headers`` added."""
    if not headers:
        return response
    return attrs.evolve(response, headers=(*response.headers, *headers))


def _not_implemented(operation: VoucherifyOperation) -> VoucherifyError:
    """501 for an operation Voucherify has and the fake does not implement yet."""
    return VoucherifyError(
        code=501,
        key="not_implemented",
        message="Operation not implemented by loyalty-fake",
        details=f"{operation.operation} ({operation.summary}) is not implemented by "
        f"loyalty-fake yet; the operations it supports are listed in {OPERATIONS_PAGE}",
        resource_id=operation.operation_id,
        resource_type="operation",
    )
