"""Durable state for the server: a snapshot plus a journal of accepted requests.

Every mutating request that succeeded, or was refused but left a record (a failed
redemption), is appended (and flushed to the operating system) before its response is
sent, so it survives ``kill -9``. Restart loads the
snapshot, then replays the journal with the clock pinned at each record's instant;
the fake is deterministic, so the replay rebuilds the same state, IDs included. A
torn last record (the process died mid-write) is dropped with a warning; damage
anywhere else stops the start with an error rather than silently losing data.
"""

from __future__ import annotations

import base64
import contextlib
import json
import logging
import os
import signal
import threading
import zlib
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any
from urllib.parse import urlencode

import attrs

from loyalty_fake.clock import format_timestamp, parse_timestamp

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Iterator

    from loyalty_fake.http.messages import Request

__all__ = ["CompactedThenInterrupted", "Journal", "JournalError", "Record"]

_LOG = logging.getLogger("loyalty_fake.journal")
_JOURNAL = "journal.jsonl"
_SNAPSHOT = "snapshot.bin"
_HEADER_KEYS = ("x-app-id", "x-app-token", "content-type")


class JournalError(RuntimeError):
    """The state directory is damaged somewhere a crash cannot explain."""


class CompactedThenInterrupted(KeyboardInterrupt):
    """Ctrl-C arrived while a new snapshot replaced the old: held until it was whole."""


@attrs.frozen
class Record:
    """One accepted request: when it ran, and enough of it to run it again.

    ``status`` is the error status of a refusal that left a record (a failed redemption),
    which replay must answer again; ``None`` for a request that succeeded.
    """

    at: dt.datetime
    method: str
    url: str
    headers: dict[str, str]
    body: bytes
    status: int | None = None

    def to_line(self) -> bytes:
        """The record as one checksummed line."""
        try:
            body: dict[str, str] = {"text": self.body.decode("utf-8")}
        except UnicodeDecodeError:
            body = {"base64": base64.b64encode(self.body).decode("ascii")}
        payload = json.dumps(
            {
                "at": format_timestamp(self.at),
                "method": self.method,
                "url": self.url,
                "headers": self.headers,
                **body,
                **({"status": self.status} if self.status is not None else {}),
            },
            separators=(",", ":"),
            ensure_ascii=True,
        ).encode("ascii")
        return b"%08x %s\n" % (zlib.crc32(payload), payload)

    @classmethod
    def from_line(cls, line: bytes) -> Record:
        """Parse a line; raises ``ValueError`` for a torn or damaged one."""
        if not line.endswith(b"\n"):
            raise ValueError("record is not terminated")
        checksum, _, payload = line.rstrip(b"\n").partition(b" ")
        if int(checksum, 16) != zlib.crc32(payload):
            raise ValueError("checksum mismatch")
        data: dict[str, Any] = json.loads(payload)
        body = (
            base64.b64decode(data["base64"]) if "base64" in data else data["text"].encode("utf-8")
        )
        return cls(
            at=parse_timestamp(data["at"]),
            method=data["method"],
            url=data["url"],
            headers=dict(data["headers"]),
            body=body,
            status=data.get("status"),
        )

    @classmethod
    def of(cls, at: dt.datetime, request: Request, status: int | None = None) -> Record:
        """The record of ``request``, accepted at ``at`` (or refused with ``status``)."""
        query = urlencode(request.query)
        headers = {k: v for k, v in request.headers.items() if k in _HEADER_KEYS}
        url = request.path + (f"?{query}" if query else "")
        return cls(
            at=at,
            method=request.method,
            url=url,
            headers=headers,
            body=request.body,
            status=status,
        )


@contextlib.contextmanager
def _interrupts_deferred() -> Iterator[None]:
    """Hold a Ctrl-C that arrives inside the block until the block is done.

    Only the main thread receives ``KeyboardInterrupt``; elsewhere there is nothing to hold.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    arrived: list[int] = []
    previous = signal.signal(signal.SIGINT, lambda signum, _frame: arrived.append(signum))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
    if arrived:
        raise CompactedThenInterrupted


@attrs.define
class Journal:
    """The state directory: ``snapshot.bin`` and ``journal.jsonl`` beside it."""

    directory: Path = attrs.field(converter=Path)
    _file: IO[bytes] | None = attrs.field(default=None, init=False)

    @property
    def journal_path(self) -> Path:
        """Where accepted requests are appended."""
        return self.directory / _JOURNAL

    @property
    def snapshot_path(self) -> Path:
        """Where the last snapshot lies."""
        return self.directory / _SNAPSHOT

    def load(self) -> tuple[bytes | None, list[Record]]:
        """The snapshot (if any) and the records after it; drops a torn last record."""
        self.directory.mkdir(parents=True, exist_ok=True)
        snapshot = self.snapshot_path.read_bytes() if self.snapshot_path.exists() else None
        records: list[Record] = []
        if not self.journal_path.exists():
            return snapshot, records
        raw = self.journal_path.read_bytes()
        lines = raw.splitlines(keepends=True)
        good_bytes = 0
        for number, line in enumerate(lines, start=1):
            try:
                records.append(Record.from_line(line))
            except (ValueError, KeyError, json.JSONDecodeError) as error:
                if number == len(lines):
                    _LOG.warning(
                        "dropping a torn last record in %s (line %d: %s)",
                        self.journal_path,
                        number,
                        error,
                    )
                    with self.journal_path.open("r+b") as handle:
                        handle.truncate(good_bytes)
                    break
                msg = f"{self.journal_path} line {number} is damaged ({error}); refusing to start"
                raise JournalError(msg) from error
            good_bytes += len(line)
        return snapshot, records

    def open(self) -> None:
        """Start appending."""
        self.directory.mkdir(parents=True, exist_ok=True)
        self._file = self.journal_path.open("ab")

    def append(self, record: Record) -> None:
        """Write one record through to the operating system (it survives ``kill -9``)."""
        if self._file is None:
            self.open()
        assert self._file is not None  # noqa: S101 - open() set it
        self._file.write(record.to_line())
        self._file.flush()

    def compact(self, snapshot: bytes) -> None:
        """Write ``snapshot`` atomically and start an empty journal after it.

        Interrupted (Ctrl-C) or failed while writing, it leaves the old snapshot and
        journal as they were; Ctrl-C during the swap that follows waits for the swap, then
        raises ``CompactedThenInterrupted``.
        """
        self.directory.mkdir(parents=True, exist_ok=True)
        temporary = self.snapshot_path.with_suffix(".tmp")
        try:
            with temporary.open("wb") as handle:
                handle.write(snapshot)
                handle.flush()
                os.fsync(handle.fileno())
        except BaseException:
            temporary.unlink(missing_ok=True)
            raise
        # The new snapshot and the emptied journal are one state: between the two a
        # restart would replay records the snapshot already holds.
        with _interrupts_deferred():
            if self._file is not None:
                self._file.close()
                self._file = None
            temporary.replace(self.snapshot_path)
            self.journal_path.write_bytes(b"")
            self.open()

    def close(self) -> None:
        """Stop appending."""
        if self._file is not None:
            self._file.close()
            self._file = None
