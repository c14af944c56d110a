"""``serve``: the fake in the foreground (``loyalty-fake serve``) until Ctrl-C or SIGTERM."""

from __future__ import annotations

import signal
import sys
import threading
import time
from typing import TYPE_CHECKING

from loyalty_fake.http.messages import Request
from loyalty_fake.server.app import ServerApp
from loyalty_fake.server.control import PREFIX
from loyalty_fake.server.journal import Journal
from loyalty_fake.server.live import AccessLog, LiveServer

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence
    from types import FrameType

    from loyalty_fake.fake import LoyaltyFake

__all__ = ["Interrupted", "serve"]


class Interrupted(KeyboardInterrupt):
    """Ctrl-C before the server was up; says what it interrupted and what became of the state."""


def _state_size(journal: Journal) -> str | None:
    """``snapshot 53.3 MB, journal 0.1 MB`` for what is there to load, or None when empty."""
    parts = [
        f"{name} {path.stat().st_size / 1e6:.1f} MB"
        for name, path in (("snapshot", journal.snapshot_path), ("journal", journal.journal_path))
        if path.is_file() and path.stat().st_size
    ]
    return ", ".join(parts) or None


def _silent(_line: str) -> None:
    pass


def _start_state(
    app: ServerApp,
    *,
    demo: int | None,
    out: Callable[[str], None],
    say: Callable[[str], None],
) -> None:
    """Load the state directory (saying so when there is much), or seed the demo from ``demo``."""
    journal = app.journal
    started = time.perf_counter()
    size = _state_size(journal) if journal is not None else None
    if journal is not None and size is not None:
        say(f"loading {journal.directory} ({size}) ...")
    try:
        replayed = app.recover()
        had_state = bool(app.served.ledger.app_ids()) or replayed
        if journal is not None and had_state:
            took = time.perf_counter() - started
            out(f"recovered {journal.directory} ({replayed} journal records) in {took:.2f} s")
        if demo is not None and not had_state:
            seeded = app.apply(
                Request.from_url("POST", f"{PREFIX}seed", {}, b'{"seed": %d}' % demo)
            )
            out(f"seeded the demo data: {seeded.json()}")
        if replayed or (demo is not None and not had_state):
            app.compact()
    except KeyboardInterrupt:
        if journal is None:
            raise Interrupted("while starting") from None
        # A replayed journal is compacted into a snapshot of the same state, whole or not
        # at all (Journal.compact): either way the next start finds a whole state.
        raise Interrupted(
            f"while loading {journal.directory}; it is whole: the next start loads it"
        ) from None


def _stop_state(app: ServerApp, say: Callable[[str], None]) -> None:
    """Snapshot what the last snapshot lacks (saying so), then close the journal."""
    journal = app.journal
    if journal is None:
        return
    try:
        if app.records_since_snapshot:
            # The journal already holds every write: the snapshot only makes the next
            # start quick, so a second Ctrl-C may skip it and lose nothing.
            say(
                f"stopping: writing a snapshot of {journal.directory} "
                f"({app.records_since_snapshot} writes since the last) ..."
            )
            app.compact()
    except KeyboardInterrupt:
        raise Interrupted(
            f"while writing the snapshot; {journal.directory}'s journal keeps every write"
        ) from None
    finally:
        journal.close()


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
    allow_hosts: Sequence[str] = (),
    access_log: bool = True,
    idle_timeout: float = 60.0,
    request_timeout: float = 30.0,
) -> int:
    """Serve ``fake`` until Ctrl-C or SIGTERM; recover and keep ``state`` when given.

    Binds to loopback unless ``host`` says otherwise, and answers only the ``Host`` names
    it serves (``allow_hosts`` adds some); ``/_fake/`` answers only with
    ``control_plane=True``. ``access_log``: a line per request on ``out``. ``progress``
    hears about long work (loading the state, the snapshot on the way out). Raises
    ``Interrupted`` for Ctrl-C while the state loads, ``JournalError`` for a damaged state
    directory, ``CannotServeError`` when the address cannot be listened on.
    """
    say = progress or _silent
    journal = Journal(state) if state is not None else None
    app = ServerApp(fake, journal=journal, control_plane=control_plane)
    _start_state(app, demo=fake.seed if demo else None, out=out, say=say)
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
    stop = threading.Event()

    def _stop(_signum: int, _frame: FrameType | None) -> None:
        stop.set()

    previous = signal.signal(signal.SIGTERM, _stop)
    url = server.url
    out(f"loyalty-fake serving {url}  (Ctrl-C to stop)")
    out(
        f"  try: curl -H 'X-App-Id: {fake.app_id}' -H 'X-App-Token: {fake.app_token}' "
        f"'{url}/v1/loyalties/Demo%20Coffee%20Club/members'"
    )
    if control_plane:
        out(f"  control plane and dashboard: {url}{PREFIX}  (no credentials: keep it local)")
    else:
        out("  control plane off: --control-plane serves /_fake/ (dashboard, clock, reset)")
    sys.stdout.flush()
    try:
        while not stop.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)
        server.stop()
        if log is not None:
            log.close()
        _stop_state(app, say)
        out("loyalty-fake stopped")
    return 0
