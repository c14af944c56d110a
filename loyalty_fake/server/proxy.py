"""The differential proxy: Voucherify answers the client, the fake answers the same call too.

``DifferentialApp`` forwards each request to the upstream (Voucherify, or a recording of
it), replays it on the fake with the fake's own credentials and the fake's IDs in place of
Voucherify's, answers the client with the upstream's response, and writes each call's
differences (status, missing or extra keys, types, values after normalisation: see
``loyalty_fake/compare.py``) to a JSON-lines report and to the fake's call journal.

Credentials go to the upstream only: the report and the recording hold no header.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
import urllib.error
import urllib.request
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import urlencode

import attrs

from loyalty_fake.compare import Difference, IdPairs, Normaliser, differences
from loyalty_fake.errors import VoucherifyError
from loyalty_fake.http.messages import Request, Response
from loyalty_fake.http.routes import voucherify_operation
from loyalty_fake.server.app import ServerApp, _is_control

if TYPE_CHECKING:
    from collections.abc import Iterator

__all__ = [
    "DifferentialApp",
    "HttpUpstream",
    "RecordedUpstream",
    "Upstream",
    "compare_call",
    "target",
]

# Hop-by-hop headers and what the transport itself sets: never forwarded either way.
_NOT_FORWARDED = frozenset(
    {
        "host",
        "content-length",
        "connection",
        "keep-alive",
        "transfer-encoding",
        "accept-encoding",
        "content-encoding",
        "te",
        "upgrade",
        "proxy-authorization",
    }
)
# The headers that carry a project's credentials: the fake's own replace the client's.
_SERVER_KEYS = ("x-app-id", "x-app-token")
_CLIENT_KEYS = ("x-client-application-id", "x-client-token")


class Upstream(Protocol):
    """Where the real answers come from: Voucherify over HTTP, or a recording of it."""

    def send(self, request: Request) -> Response:
        """Voucherify's response to ``request``."""
        ...


def target(request: Request) -> str:
    """The request's path and query, as sent (``/v1/loyalties?limit=10``)."""
    query = urlencode(request.query)
    return f"{request.path}?{query}" if query else request.path


@attrs.frozen
class HttpUpstream:
    """Voucherify (or anything that speaks like it) at ``base_url``, over HTTP(S)."""

    base_url: str
    timeout: float = 30.0

    def send(self, request: Request) -> Response:
        """Forward ``request`` with its own headers (credentials included) and body."""
        headers = {k: v for k, v in request.headers.items() if k not in _NOT_FORWARDED}
        headers["accept-encoding"] = "identity"
        outgoing = urllib.request.Request(  # noqa: S310 - the URL is the operator's --upstream
            self.base_url.rstrip("/") + target(request),
            data=request.body or None,
            headers=headers,
            method=request.method,
        )
        try:
            with urllib.request.urlopen(outgoing, timeout=self.timeout) as answer:  # noqa: S310
                return _response(answer.status, answer.headers.items(), answer.read())
        except urllib.error.HTTPError as error:
            return _response(error.code, error.headers.items(), error.read())


def _response(status: int, headers: Any, body: bytes) -> Response:
    kept = tuple((k, v) for k, v in headers if k.lower() not in _NOT_FORWARDED)
    return Response(status, body, kept)


@attrs.define
class RecordedUpstream:
    """The answers of a ``--record`` file, in the order they were recorded.

    Raises ``LookupError`` for a request the recording does not hold next.
    """

    path: Path = attrs.field(converter=Path)
    _calls: Iterator[dict[str, Any]] = attrs.field(init=False)

    def __attrs_post_init__(self) -> None:
        lines = self.path.read_text(encoding="utf-8").splitlines()
        self._calls = iter([json.loads(line) for line in lines if line.strip()])

    def requests(self) -> list[Request]:
        """Every recorded request, in order (for ``loyalty-fake compare`` to replay)."""
        lines = self.path.read_text(encoding="utf-8").splitlines()
        return [_recorded_request(json.loads(line)) for line in lines if line.strip()]

    def send(self, request: Request) -> Response:
        """The recorded answer to ``request``, the next one in the file."""
        recorded = next(self._calls, None)
        if recorded is None or recorded["method"] != request.method:
            msg = f"{request.method} {target(request)} is not the recording's next call"
            raise LookupError(msg)
        body = recorded["response"].encode("utf-8")
        return Response(recorded["status"], body, (("Content-Type", "application/json"),))


def _recorded_request(recorded: dict[str, Any]) -> Request:
    headers = {"content-type": "application/json"} if recorded["body"] else {}
    return Request.from_url(recorded["method"], recorded["target"], headers, recorded["body"])


def _unreachable(error: OSError) -> VoucherifyError:
    reason = getattr(error, "reason", None) or error
    return VoucherifyError(
        code=502,
        key="upstream_unreachable",
        message="Bad Gateway",
        details=f"The upstream could not be reached ({reason}); the fake was not asked either",
    )


def _json(body: bytes) -> Any:
    try:
        return json.loads(body) if body else None
    except ValueError:
        return body.decode("utf-8", "replace")


def compare_call(upstream: Response, fake: Response) -> list[Difference]:
    """How the fake's answer differs from Voucherify's, after normalising both.

    A status is compared always; the bodies when both succeeded or both failed (a success
    against an error would differ everywhere and say nothing more than the status).
    """
    found: list[Difference] = []
    if upstream.status != fake.status:
        found.append(Difference("status", "status", upstream.status, fake.status))
    if (upstream.status < 400) != (fake.status < 400):  # noqa: PLR2004 - HTTP's error classes
        return found
    bodies = []
    for body in (_json(upstream.body), _json(fake.body)):
        normaliser = Normaliser()
        normaliser.learn_codes(body)
        bodies.append(normaliser(body))
    found.extend(differences(*bodies))
    return found


@attrs.define
class DifferentialApp(ServerApp):
    """Answers each call with the upstream's response; the fake answers it too, and differs.

    ``report``: the JSON-lines file each call's differences are appended to; ``record``: a
    file each upstream answer is appended to, for ``loyalty-fake compare`` to use offline.
    ``fake_headers``/``fake_client_headers``: the fake's own credentials. Calls are
    answered one at a time, so that the fake sees them in the upstream's order.
    """

    upstream: Upstream | None = None
    report: Path | None = attrs.field(default=None, converter=attrs.converters.optional(Path))
    record: Path | None = attrs.field(default=None, converter=attrs.converters.optional(Path))
    fake_headers: dict[str, str] = attrs.field(factory=dict)
    fake_client_headers: dict[str, str] = attrs.field(factory=dict)
    ids: IdPairs = attrs.field(factory=IdPairs)
    # Written into each report line as ``test`` when set (the live run's test node ID).
    label: str | None = None
    _exchange: threading.Lock = attrs.field(factory=threading.Lock, init=False)

    def handle(self, request: Request) -> Response:
        """Forward ``request`` upstream, replay it on the fake, report, answer the upstream's."""
        if _is_control(request) or self.upstream is None:
            return super().handle(request)
        with self._exchange:
            try:
                real = self.upstream.send(request)
            except OSError as error:  # unreachable, refused, timed out: nothing to compare
                return self.served.app.error_response(_unreachable(error))
            fake = super().handle(self._for_fake(request))
            found = [d.as_json() for d in compare_call(real, fake)]
            if real.status < 400 and fake.status < 400:  # noqa: PLR2004
                self.ids.learn(_json(real.body), _json(fake.body))
            journal = self.served.app.journal
            if journal is not None:
                journal.note_differences(found)
            self._write(request, real, fake, found)
        return real

    def _for_fake(self, request: Request) -> Request:
        headers = dict(request.headers)
        for names, values in (
            (_SERVER_KEYS, self.fake_headers),
            (_CLIENT_KEYS, self.fake_client_headers),
        ):
            own = {k.lower(): v for k, v in values.items()}
            for name in names:
                if name in headers and name in own:
                    headers[name] = own[name]
        body = request.body
        parsed = _json(body)
        if isinstance(parsed, dict | list):
            body = json.dumps(self.ids.swap(parsed)).encode("utf-8")
        query = tuple((k, self.ids.swap(v)) for k, v in request.query)
        return Request(request.method, self.ids.swap_path(request.path), query, headers, body)

    def _write(
        self, request: Request, real: Response, fake: Response, found: list[dict[str, Any]]
    ) -> None:
        operation = voucherify_operation(request.method, request.segments)
        line = {
            "at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
            "method": request.method,
            "target": target(request),
            "operation": None if operation is None else operation.operation_id,
            "status": {"upstream": real.status, "fake": fake.status},
            "differences": found,
            **({} if self.label is None else {"test": self.label}),
        }
        if self.report is not None:
            _append(self.report, line)
        if self.record is not None:
            recorded = {
                "method": request.method,
                "target": target(request),
                "body": request.body.decode("utf-8", "replace"),
                "status": real.status,
                "response": real.body.decode("utf-8", "replace"),
            }
            _append(self.record, recorded)


def _append(path: Path, line: dict[str, Any]) -> None:
    with path.open("a", encoding="utf-8") as file:
        file.write(json.dumps(line, sort_keys=False) + "\n")
