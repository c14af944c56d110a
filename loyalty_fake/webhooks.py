"""Webhooks as Voucherify sends them: events to the test's subscribers and to webhook URLs.

Once a unit of work commits, each ``Activity`` it reported is one ``WebhookEvent``
(``http/webhook_events.py``); a refused request reports nothing. In-process, every
event goes to the subscribers a test registered, synchronously, before the call that
caused it returns. Served (``deliver``), each event also goes to every active webhook
configuration of its project that lists its type: POSTed by a background thread per
webhook, in order, signed with the project's ``webhook_token`` in
``X-Voucherify-Signature``, retried after a failure, each attempt in the call journal.
"""

from __future__ import annotations

import collections
import hashlib
import hmac
import threading
import urllib.error
import urllib.request
from typing import TYPE_CHECKING

import attrs

from loyalty_fake.http.messages import Request, Response
from loyalty_fake.http.webhook_events import WebhookEvent, count_events, webhook_events
from loyalty_fake.ledger.webhooks import active_webhooks

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Callable

    from loyalty_fake.journal import Journal
    from loyalty_fake.ledger import Ledger
    from loyalty_fake.ledger.activities import Activity
    from loyalty_fake.ledger.session import Session

__all__ = [
    "DEFAULT_RETRY_DELAYS",
    "SIGNATURE_HEADER",
    "Attempt",
    "WebhookEvent",
    "WebhookHub",
    "sign",
    "verify",
]

SIGNATURE_HEADER = "X-Voucherify-Signature"
# Seconds (real time) before each retry: three retries, doubling (docs/choices.md).
DEFAULT_RETRY_DELAYS = (0.25, 0.5, 1.0)
# Who sent a delivery attempt, in the call journal.
WEBHOOK_CLIENT = "webhook"


def sign(body: bytes, token: str) -> str:
    """The ``X-Voucherify-Signature`` of ``body``: HMAC-SHA256 with the token, in hex."""
    return hmac.new(token.encode("utf-8"), body, hashlib.sha256).hexdigest()


def verify(body: bytes, signature: str, token: str) -> bool:
    """Whether ``signature`` is ``body``'s, compared in constant time."""
    return hmac.compare_digest(sign(body, token), signature)


@attrs.frozen
class _Delivery:
    webhook_id: str
    target_url: str
    event: WebhookEvent
    body: bytes
    signature: str


@attrs.frozen
class Attempt:
    """One attempt to deliver an event to a webhook, and its outcome.

    ``status`` is the receiver's HTTP status, 0 when none came (``error`` says why).
    """

    webhook_id: str
    event_id: str
    number: int
    status: int
    at: dt.datetime
    error: str | None = None

    @property
    def delivered(self) -> bool:
        """Whether the receiver answered 2xx."""
        return 200 <= self.status < 300  # noqa: PLR2004 - the 2xx range


@attrs.define
class WebhookHub:
    """Where committed events go (see the module's docstring); one per fake.

    ``deliver``: POST to webhook URLs (the server turns it on). ``retry_delays``: the
    real-time waits before each retry (their count is the number of retries).
    """

    ledger: Ledger
    # The call journal to record each attempt in (the app's, looked up at each attempt).
    journal: Callable[[], Journal | None] = lambda: None
    _deliver: bool = attrs.field(default=False, alias="deliver")
    retry_delays: tuple[float, ...] = DEFAULT_RETRY_DELAYS
    timeout: float = 5.0
    subscribers: list[Callable[[WebhookEvent], None]] = attrs.field(factory=list)
    # Every delivery attempt, oldest first; what a subscriber raised (it reaches no caller).
    attempts: list[Attempt] = attrs.field(factory=list)
    errors: list[BaseException] = attrs.field(factory=list)
    # Each webhook's deliveries not yet done, oldest first, while its thread runs.
    _waiting: dict[str, collections.deque[_Delivery]] = attrs.field(
        factory=dict, init=False, repr=False
    )
    _busy: int = attrs.field(default=0, init=False, repr=False)
    _done: threading.Condition = attrs.field(factory=threading.Condition, init=False, repr=False)
    _stop: threading.Event = attrs.field(factory=threading.Event, init=False, repr=False)

    def subscribe(self, callback: Callable[[WebhookEvent], None]) -> Callable[[], None]:
        """Call ``callback`` with every event from now on; returns what unsubscribes it."""
        self.subscribers.append(callback)
        self._attach()

        def unsubscribe() -> None:
            self.subscribers.remove(callback)
            self._attach()

        return unsubscribe

    @property
    def deliver(self) -> bool:
        """Whether events are POSTed to webhook URLs (served: see the class's docstring)."""
        return self._deliver

    @deliver.setter
    def deliver(self, value: bool) -> None:
        self._deliver = value
        self._attach()

    def _attach(self) -> None:
        """Hear the ledger's activities only while someone is to be told: else they cost nothing."""
        wanted = bool(self.subscribers) or self._deliver
        self.ledger.listener = self.listen if wanted else None

    def capture(self) -> list[WebhookEvent]:
        """A list that receives every event from now on, in order."""
        received: list[WebhookEvent] = []
        self.subscribe(received.append)
        return received

    def token(self, app_id: str) -> str:
        """The ``webhook_token`` the project of ``app_id`` signs its webhooks with."""
        with self.ledger.session(app_id) as session:
            return session.webhooks.token()

    def set_token(self, app_id: str, token: str) -> None:
        """Sign the webhooks of the project of ``app_id`` with ``token`` from now on."""
        with self.ledger.session(app_id) as session:
            session.webhooks.set_token(token)

    def listen(self, session: Session, activities: tuple[Activity, ...]) -> Callable[[], None]:
        """The ledger's listener: ``session``'s events, published once its unit commits."""
        targets = active_webhooks(session) if self._deliver else []
        if not self.subscribers and not targets:
            return _nothing
        events = webhook_events(session, activities)
        token = session.webhooks.token() if targets else ""
        deliveries = []
        for event in events:
            for webhook in targets:
                if event.type in webhook.events:
                    body = event.body(webhook.id)
                    deliveries.append(
                        _Delivery(webhook.id, webhook.target_url, event, body, sign(body, token))
                    )
        subscribers = tuple(self.subscribers)

        def publish() -> None:
            for event in events:
                for subscriber in subscribers:
                    self._tell(subscriber, event)
            for delivery in deliveries:
                self._enqueue(delivery)

        return publish

    def _tell(self, subscriber: Callable[[WebhookEvent], None], event: WebhookEvent) -> None:
        try:
            subscriber(event)
        except Exception as error:  # noqa: BLE001 - the request has committed: keep, go on
            self.errors.append(error)

    def recount(self, session: Session, activities: tuple[Activity, ...]) -> Callable[[], None]:
        """A restart's replay's listener: number the events served before, send none again.

        A served project numbered an event for each activity while it had an active
        webhook (a durable server has no in-process subscribers): so does the replay, and
        the IDs after a restart go on from where they were.
        """
        if active_webhooks(session):
            count_events(session, activities)
        return _nothing

    def wait(self, timeout: float = 10.0) -> bool:
        """Wait until every queued delivery is done (delivered or given up); whether it is."""
        with self._done:
            return self._done.wait_for(lambda: self._busy == 0, timeout)

    def close(self) -> None:
        """Stop delivering: waits between retries end, what is queued is dropped."""
        self._stop.set()

    def _enqueue(self, delivery: _Delivery) -> None:
        with self._done:
            self._busy += 1
            waiting = self._waiting.get(delivery.webhook_id)
            if waiting is not None:
                waiting.append(delivery)
                return
            self._waiting[delivery.webhook_id] = collections.deque((delivery,))
        threading.Thread(
            target=self._work,
            args=(delivery.webhook_id,),
            name=f"loyalty-fake-webhook-{delivery.webhook_id}",
            daemon=True,
        ).start()

    def _work(self, webhook_id: str) -> None:
        """One webhook's deliveries, one at a time, in order; the thread ends when none wait."""
        while True:
            with self._done:
                waiting = self._waiting[webhook_id]
                if not waiting:
                    del self._waiting[webhook_id]
                    return
                delivery = waiting[0]
            try:
                if not self._stop.is_set():
                    self._send(delivery)
            finally:
                with self._done:
                    waiting.popleft()
                    self._busy -= 1
                    self._done.notify_all()

    def _send(self, delivery: _Delivery) -> None:
        """Attempt a delivery until it is answered 2xx or the retries run out."""
        for number in range(1, len(self.retry_delays) + 2):
            if self._attempt(delivery, number).delivered:
                return
            if number > len(self.retry_delays) or self._stop.wait(self.retry_delays[number - 1]):
                return

    def _attempt(self, delivery: _Delivery, number: int) -> Attempt:
        headers = {
            "Content-Type": "application/json",
            SIGNATURE_HEADER: delivery.signature,
            "User-Agent": "loyalty-fake-webhooks",
        }
        sent = urllib.request.Request(  # noqa: S310 - http(s) only: the API checks target_url
            delivery.target_url, data=delivery.body, headers=headers, method="POST"
        )
        status, reply, error = 0, b"", None
        try:
            with urllib.request.urlopen(sent, timeout=self.timeout) as answer:  # noqa: S310
                status, reply = answer.status, answer.read()
        except urllib.error.HTTPError as refused:
            status, reply = refused.code, refused.read()
        except (OSError, ValueError) as failed:
            error = f"{type(failed).__name__}: {failed}"
        at = self.ledger.clock.now()
        attempt = Attempt(delivery.webhook_id, delivery.event.id, number, status, at, error)
        self.attempts.append(attempt)
        journal = self.journal()
        if journal is not None and journal.size:
            request = Request("POST", delivery.target_url, headers=headers, body=delivery.body)
            body = reply if error is None else error.encode()
            journal.record(request, Response(status, body, ()), at, WEBHOOK_CLIENT)
        return attempt


def _nothing() -> None:
    """What a unit with no one to tell runs once it commits."""
