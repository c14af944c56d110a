"""``serve``: the fake in the foreground (``loyalty-fake serve``) until Ctrl-C or SIGTERM."""

from __future__ import annotations

import json
import signal
import sys
import threading
import time
from http import HTTPStatus
from typing import TYPE_CHECKING

from loyalty_fake.http.messages import Request
from loyalty_fake.server.app import ServerApp
from loyalty_fake.server.control import PREFIX
from loyalty_fake.server.journal import NotWrittenError, StateError
from loyalty_fake.server.live import AccessLog, LiveServer

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence
    from types import FrameType

    from loyalty_fake.fake import LoyaltyFake

__all__ = ["Interrupted", "serve", "serve_until_stopped"]

_TENTH_MB = 100_000


class Interrupted(KeyboardInterrupt):
    """Ctrl-C before the server was up; says what it interrupted and what became of the state."""


def _size(size: int) -> str:
    """``53.3 MB``, or ``41 kB`` for what would show as 0.0 MB."""
    return f"{size / 1e6:.1f} MB" if size >= _TENTH_MB else f"{size / 1e3:.0f} kB"


def _silent(_line: str) -> None:
    pass


def _start_state(
    app: ServerApp,
    *,
    demo: bool,
    out: Callable[[str], None],
    say: Callable[[str], None],
    earning: bool = False,
) -> None:
    """Load the state directory (saying so when there is much), or seed the demo data.

    The demo is seeded from the ledger's seed (the directory's, once it is open) when the
    state holds no project; with ``earning``, with earning rules and paid orders too.
    """
    store = app.store
    started = time.perf_counter()
    if store is not None:
        store.claim()  # a directory another server has is refused before any work
    try:
        # Inside: a Ctrl-C that comes as soon as this line shows (before print has ended
        # it) stops the loading too.
        if store is not None and store.path.is_file() and store.size():
            say(f"loading {store.directory} ({_size(store.size())}) ...")
        replayed = app.recover()
        seed = app.served.ledger.ids.seed
        had_state = bool(app.served.ledger.app_ids()) or replayed
        if store is not None and had_state:
            took = time.perf_counter() - started
            out(
                f"recovered {store.directory} ({replayed} journal records, seed {seed}) "
                f"in {took:.2f} s"
            )
        if demo and not had_state:
            body = {"seed": seed, **({"earning": True} if earning else {})}
            seeded = app.apply(
                Request.from_url("POST", f"{PREFIX}seed", {}, json.dumps(body).encode())
            )
            if seeded.status != HTTPStatus.OK:
                raise StateError(f"the demo data could not be seeded: {seeded.json()['details']}")
            out(f"seeded the demo data: {seeded.json()}")
            _compact_or_say(app, say)
        # A replayed journal is not compacted here: it is as long as compact_every allows
        # at most, and a snapshot of a large state would hold the start up for a second.
    except KeyboardInterrupt:
        if store is None:
            raise Interrupted("while starting") from None
        store.close()
        # Loading writes nothing, and seeding the demo is one transaction: whole, either way.
        raise Interrupted(
            f"while loading {store.directory}; it is whole: the next start loads it"
        ) from None


def _compact_or_say(app: ServerApp, say: Callable[[str], None]) -> None:
    try:
        app.compact()
    except NotWrittenError as failure:
        # The journal holds every write: only the next start is slower.
        say(f"loyalty-fake: {failure}; no snapshot written, the journal keeps every write")


def _stop_state(app: ServerApp, say: Callable[[str], None]) -> None:
    """Snapshot what the last snapshot lacks (saying so), then close the state directory."""
    store = app.store
    if store is None:
        return
    try:
        if app.records_since_snapshot:
            # The journal already holds every write: the snapshot only makes the next
            # start quick, so a second Ctrl-C may skip it and lose nothing.
            say(
                f"stopping: writing a snapshot of {store.directory} "
                f"({app.records_since_snapshot} writes since the last) ..."
            )
            _compact_or_say(app, say)
    except KeyboardInterrupt:
        raise Interrupted(
            f"while writing the snapshot; {store.directory}'s journal keeps every write"
        ) from None
    finally:
        store.close()


def serve_until_stopped(
    server: LiveServer,
    log: AccessLog | None,
    banner: Callable[[], None],
    finish: Callable[[], None],
) -> None:
    """Say ``banner`` once SIGTERM stops us, wait for Ctrl-C or SIGTERM, then stop it all.

    The server stops, the access log closes, and ``finish`` runs, however the wait ended.
    """
    stop = threading.Event()

    def _stop(_signum: int, _frame: FrameType | None) -> None:
        stop.set()

    previous = signal.signal(signal.SIGTERM, _stop)
    try:
        banner()
        while not stop.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)
        server.stop()
        if log is not None:
            log.close()
        finish()


def serve(  # noqa: PLR0913 - the command line's options
    fake: LoyaltyFake,
    *,
    host: str = "127.0.0.1",
    port: int = 8080,
    state: str | None = None,
    demo: bool = True,
    control_plane: bool = False,
    out: Callable[[str], None] = print,
    progress: Callable[[str], None] | None = None,
    seed: int | None = None,
    fsync: bool = False,
    compact_every: int = 10_000,
    allow_hosts: Sequence[str] = (),
    access_log: bool = True,
    idle_timeout: float = 60.0,
    request_timeout: float = 30.0,
    earning: bool = False,
) -> int:
    """Serve ``fake`` until Ctrl-C or SIGTERM; recover and keep ``state`` when given.

    Binds to loopback unless ``host`` says otherwise, and answers only the ``Host`` names
    it serves (``allow_hosts`` adds some); ``/_fake/`` answers only with
    ``control_plane=True``. ``access_log``: a line per request on ``out``. ``progress``
    hears about long work (loading the state, the snapshot on the way out). ``seed``: the
    seed the state directory must have been made with (``None``: its own); ``fsync``:
    commits survive a power cut, not only a crash; a snapshot every ``compact_every``
    writes. Raises ``Interrupted`` for Ctrl-C while the state loads, ``StateError`` for a
    state directory that cannot be used, ``CannotServeError`` when the address cannot be
    listened on. ``earning``: the demo data has earning rules and paid orders too.
    """
    say = progress or _silent
    store = None
    if state is not None:
        # Imported here: the state directory's lock is POSIX's (fcntl); serving needs none.
        from loyalty_fake.server.store import Store  # noqa: PLC0415

        store = Store(state, seed=seed, fsync=fsync)
    app = ServerApp(fake, store=store, control_plane=control_plane, compact_every=compact_every)
    _start_state(app, demo=demo, out=out, say=say, earning=earning)
    log = AccessLog(out) if access_log else None
    live = LiveServer(
        app,
        host=host,
        port=port,
        allow_hosts=tuple(allow_hosts),
        access_log=log,
        idle_timeout=idle_timeout,
        request_timeout=request_timeout,
    )
    try:
        server = live.start()
    except BaseException:
        _stop_state(app, say)
        raise

    def banner() -> None:
        url = server.url
        if store is not None:
            store.owner.say(f"serving {url}")
        out(f"loyalty-fake serving {url}  (Ctrl-C to stop)")
        out(
            f"  try: curl -H 'X-App-Id: {fake.app_id}' -H 'X-App-Token: {fake.app_token}' "
            f"'{url}/v1/loyalties/Demo%20Coffee%20Club/members'"
        )
        client = fake.client_headers
        out(
            f"  client-side keys: X-Client-Application-Id: {client['X-Client-Application-Id']}, "
            f"X-Client-Token: {client['X-Client-Token']}  (/client/v1/...)"
        )
        if control_plane:
            out(f"  control plane and dashboard: {url}{PREFIX}  (no credentials: keep it local)")
        else:
            out("  control plane off: --control-plane serves /_fake/ (dashboard, clock, reset)")
        sys.stdout.flush()

    def finish() -> None:
        _stop_state(app, say)
        out("loyalty-fake stopped")

    serve_until_stopped(server, log, banner, finish)
    return 0
