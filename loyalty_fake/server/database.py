"""The SQLite database of a state directory: its tables, checksums, and checked reading.

Three tables: ``meta`` (the format, the seed the directory was made with, the layout of
the records a snapshot pickles, and a SHA-256 over them), ``snapshot`` (at most one row:
the pickled state, the journal entries it covers, and a SHA-256 over both) and
``journal``, where the first format kept one row per accepted request (``seq`` its key,
each with a SHA-256 of its own). The current format appends them to ``journal.log``
instead (``journal_file.py``): the rows of a directory of the first format are read, and
deleted by its next snapshot. Reading checks everything before anything is used, and
says what is wrong in one line (``StateError``). ``store.py`` writes through it.
"""

from __future__ import annotations

import hashlib
import logging
import os
import sqlite3
from pathlib import Path
from typing import Any

import attrs

from loyalty_fake.clock import parse_timestamp
from loyalty_fake.ledger.snapshot import layout_fingerprint
from loyalty_fake.server.journal import (
    NotWrittenError,
    Record,
    StateError,
    interrupts_deferred,
)
from loyalty_fake.server.owner import PRIVATE_FILE, check_own_file

__all__ = [
    "DATABASE",
    "FORMAT",
    "SIDE_FILES",
    "Settings",
    "commit",
    "connect",
    "create",
    "put_meta",
    "put_snapshot",
    "read_records",
    "read_settings",
    "read_snapshot",
    "rollback",
]

_LOG = logging.getLogger("loyalty_fake.store")
DATABASE = "state.sqlite"
FORMAT = "loyalty-fake-state/2"
# The first format: the journal in the database's rows (read, and moved to FORMAT).
_FORMATS = ("loyalty-fake-state/1", FORMAT)
# SQLite's own files beside the database.
SIDE_FILES = ("-wal", "-shm", "-journal")
_TABLES = {
    "meta": "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    "snapshot": "CREATE TABLE snapshot (id INTEGER PRIMARY KEY CHECK (id = 1), "
    "covers INTEGER NOT NULL, sha256 TEXT NOT NULL, state BLOB NOT NULL)",
    "journal": "CREATE TABLE journal (seq INTEGER PRIMARY KEY, at TEXT NOT NULL, "
    "method TEXT NOT NULL, url TEXT NOT NULL, app_id TEXT, content_type TEXT, "
    "status INTEGER, body BLOB NOT NULL, sha256 TEXT NOT NULL)",
}
_COLUMNS = "seq, at, method, url, app_id, content_type, status, body"
_DAMAGED = "refusing to start: restore it from a copy, or use another --state"


def _row_sha256(values: tuple[Any, ...]) -> str:
    """A journal row's checksum: its key and fields (their types told apart), then its body."""
    *fields, body = values
    head = repr(tuple(fields)).encode("utf-8", "backslashreplace")
    return hashlib.sha256(head + b"\n" + body).hexdigest()


def _snapshot_sha256(covers: int, state: bytes) -> str:
    return hashlib.sha256(b"%d\n" % covers + state).hexdigest()


def _meta_sha256(meta: dict[str, str]) -> str:
    text = "\n".join(f"{key}={meta[key]}" for key in sorted(meta))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def new_meta(seed: int) -> dict[str, str]:
    """The settings of a state made now with ``seed``."""
    return {"format": FORMAT, "seed": str(seed), "layout": layout_fingerprint()}


# -- making and opening -----------------------------------------------------------------------


def create(path: Path, meta: dict[str, str], snapshot: bytes | None) -> None:
    """Write a whole new database beside ``path``, then rename it into place.

    A crash leaves no database, or a whole one. ``NotWrittenError`` when it cannot be
    written.
    """
    new = path.with_name(f"{path.name}.new")
    for name in ("", *SIDE_FILES):
        check_own_file(Path(f"{new}{name}"))
        Path(f"{new}{name}").unlink(missing_ok=True)
    try:
        fd = os.open(new, os.O_CREAT | os.O_EXCL | os.O_WRONLY | os.O_NOFOLLOW, PRIVATE_FILE)
        os.close(fd)
        db = sqlite3.connect(new, isolation_level=None)
        try:
            db.execute("PRAGMA journal_mode = WAL")
            db.execute("BEGIN IMMEDIATE")
            for table in _TABLES.values():
                db.execute(table)
            put_meta(db, meta)
            if snapshot is not None:
                put_snapshot(db, 0, snapshot)
            db.execute("COMMIT")
        finally:
            db.close()  # the last connection: its log goes into the file, and away
        _fsync(new, os.O_RDONLY)
        with interrupts_deferred():  # renamed, the new state is there: say so
            new.replace(path)
            _fsync(path.parent, os.O_RDONLY | os.O_DIRECTORY)
    except (OSError, sqlite3.Error) as error:
        new.unlink(missing_ok=True)
        raise NotWrittenError(str(path.parent), error) from error
    except BaseException:
        new.unlink(missing_ok=True)
        raise


def _fsync(path: Path, flags: int) -> None:
    fd = os.open(path, flags)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def connect(path: Path, *, fsync: bool) -> sqlite3.Connection:
    """Open the database in WAL mode, check its integrity, make its files private.

    ``fsync``: ``synchronous=FULL`` (a commit survives a power cut), else ``NORMAL``
    (it survives the process being killed). ``StateError`` when it cannot be used.
    """
    try:
        db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    except sqlite3.Error as error:
        raise StateError(f"{path}: {error}; {_DAMAGED}") from error
    try:
        _prepare(db, path, fsync=fsync)
    except (sqlite3.Error, UnicodeDecodeError) as error:
        # A damaged schema can make even SQLite's error message undecodable.
        db.close()
        raise StateError(f"{path}: {error}; {_DAMAGED}") from error
    except BaseException:
        db.close()
        raise
    return db


def _prepare(db: sqlite3.Connection, path: Path, *, fsync: bool) -> None:
    db.execute("PRAGMA trusted_schema = OFF")
    db.execute("PRAGMA cell_size_check = ON")
    # Held by this connection alone (owner.py already keeps every other process out): a
    # commit then takes no file locks, and the log's index lives in memory, not in a -shm
    # file (set before the first access in WAL mode), a quarter of a write's system calls.
    db.execute("PRAGMA locking_mode = EXCLUSIVE")
    mode = db.execute("PRAGMA journal_mode = WAL").fetchone()
    if mode is None or str(mode[0]).lower() != "wal":
        raise StateError(f"{path} cannot be written in WAL mode; {_DAMAGED}")
    db.execute(f"PRAGMA synchronous = {'FULL' if fsync else 'NORMAL'}")
    # Folded into the file every 10,000 pages rather than 1,000: a compaction folds it
    # anyway (only a compaction writes here since format 2, the journal being a file).
    db.execute("PRAGMA wal_autocheckpoint = 10000")
    problems = [" ".join(str(row[0]).split()) for row in db.execute("PRAGMA integrity_check(5)")]
    if problems != ["ok"]:
        raise StateError(f"{path} is damaged ({'; '.join(problems)}); {_DAMAGED}")
    for name in ("", *SIDE_FILES):
        # SQLite makes its files as private as the database; checked all the same.
        side = Path(f"{path}{name}")
        check_own_file(side)
        if side.exists():
            side.chmod(PRIVATE_FILE)


# -- reading, checked -------------------------------------------------------------------------


@attrs.frozen
class Settings:
    """What ``meta`` says (checksum verified), and where the journal stands."""

    meta: dict[str, str]
    covered: int
    last_seq: int

    @property
    def seed(self) -> int:
        """The seed the directory was made with."""
        return int(self.meta["seed"])


def read_settings(db: sqlite3.Connection, path: Path) -> Settings:
    """Check that the database is a state of this format and read its settings."""
    schema = {
        str(name): str(sql)
        for kind, name, sql in db.execute("SELECT type, name, sql FROM sqlite_schema")
        if kind != "index" or sql is not None
    }
    if schema != _TABLES:
        raise StateError(
            f"{path} is not a loyalty-fake state (its tables are "
            f"{', '.join(sorted(schema)) or 'none'}); {_DAMAGED}"
        )
    meta = {str(key): str(value) for key, value in db.execute("SELECT key, value FROM meta")}
    if meta.pop("sha256", None) != _meta_sha256(meta):
        raise StateError(f"{path} is damaged (its settings fail their checksum); {_DAMAGED}")
    if meta.get("format") not in _FORMATS:
        raise StateError(
            f"{path} was written by another version of loyalty-fake (format "
            f"{meta.get('format')!r}; this one reads {FORMAT!r}); use that version, "
            "or another --state"
        )
    seed = meta.get("seed", "")
    if not (seed.isascii() and seed.isdigit()):
        raise StateError(f"{path} is damaged (it names no seed); {_DAMAGED}")
    covers = db.execute("SELECT covers FROM snapshot").fetchall()
    covered = covers[0][0] if covers else 0
    if len(covers) > 1 or not isinstance(covered, int) or covered < 0:
        raise StateError(f"{path} is damaged (its snapshot row is not one); {_DAMAGED}")
    found = db.execute("SELECT max(seq) FROM journal").fetchone()
    last = found[0] if found and isinstance(found[0], int) else 0
    return Settings(meta, covered, max(covered, last))


def read_snapshot(db: sqlite3.Connection, path: Path, settings: Settings) -> bytes | None:
    """The snapshot's bytes (checksum and layout verified), or ``None`` when there is none."""
    rows = db.execute("SELECT id, covers, sha256, state FROM snapshot").fetchall()
    if not rows:
        return None
    key, covers, sha256, state = rows[0]
    if not (
        key == 1
        and covers == settings.covered
        and isinstance(state, bytes)
        and sha256 == _snapshot_sha256(covers, state)
    ):
        raise StateError(f"{path} is damaged (the snapshot fails its checksum); {_DAMAGED}")
    layout = layout_fingerprint()
    if settings.meta.get("layout") != layout:
        raise StateError(
            f"{path} holds a snapshot of records laid out by another version of "
            f"loyalty-fake (layout {settings.meta.get('layout')}; this one has {layout}); "
            "use that version, or another --state"
        )
    return state


def read_records(db: sqlite3.Connection, path: Path, covered: int) -> list[tuple[int, Record]]:
    """The journal rows after the snapshot, each checked, in strict order from ``covered + 1``."""
    records: list[tuple[int, Record]] = []
    rows = db.execute(f"SELECT {_COLUMNS}, sha256 FROM journal ORDER BY seq")  # noqa: S608
    for number, (*values, sha256) in enumerate(rows, start=covered + 1):
        if values[0] != number:
            # Rows are written one after the other, and a compaction deletes exactly
            # those its snapshot covers: any other order is damage.
            raise StateError(
                f"{path} is damaged (journal row {values[0]!r} where row {number} is due); "
                f"{_DAMAGED}"
            )
        try:
            good = sha256 == _row_sha256(tuple(values))
            at, method, url, app_id, content_type, status, body = values[1:]
            record = Record(parse_timestamp(at), method, url, app_id, content_type, body, status)
        except (TypeError, ValueError, AttributeError):
            good = False
        if not good:
            raise StateError(
                f"{path} is damaged (journal row {number} fails its checksum); {_DAMAGED}"
            )
        records.append((number, record))
    return records


# -- writing ----------------------------------------------------------------------------------


def put_meta(db: sqlite3.Connection, meta: dict[str, str]) -> None:
    """Replace the settings with ``meta`` and its checksum."""
    db.execute("DELETE FROM meta")
    db.executemany(
        "INSERT INTO meta (key, value) VALUES (?, ?)",
        [*meta.items(), ("sha256", _meta_sha256(meta))],
    )


def put_snapshot(db: sqlite3.Connection, covers: int, snapshot: bytes) -> None:
    """Make ``snapshot`` the snapshot, covering the journal rows up to ``covers``."""
    db.execute(
        "INSERT OR REPLACE INTO snapshot (id, covers, sha256, state) VALUES (1, ?, ?, ?)",
        (covers, _snapshot_sha256(covers, snapshot), snapshot),
    )


def commit(db: sqlite3.Connection) -> None:
    """Commit the transaction."""
    db.execute("COMMIT")


def rollback(db: sqlite3.Connection) -> None:
    """Abandon a transaction that failed, if SQLite has not already."""
    try:
        if db.in_transaction:
            db.execute("ROLLBACK")
    except sqlite3.Error as error:
        _LOG.warning("could not roll back a failed write (%s)", error)
