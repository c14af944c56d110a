"""Durable state in one SQLite database, ``DIR/state.sqlite``: a snapshot and a journal after it.

A write is acknowledged only once its journal row is committed; a compaction writes the
new snapshot and deletes the rows it covers in one transaction, so a crash leaves the old
state or the new, never both. The database runs in WAL mode: with ``synchronous=NORMAL``
(the default) a committed row survives ``kill -9`` of the process, with ``FULL``
(``fsync=True``) a power cut too. One process owns the directory at a time (``owner.py``);
everything is checked at start (``database.py``).
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from pathlib import Path

import attrs

from loyalty_fake.server import database
from loyalty_fake.server.database import DATABASE, SIDE_FILES, Settings
from loyalty_fake.server.journal import NotWrittenError, Record, StateError, interrupts_deferred
from loyalty_fake.server.owner import Owner, check_own_file

__all__ = ["Loaded", "Store"]

_LOG = logging.getLogger("loyalty_fake.store")
_PRIVATE_DIRECTORY = 0o700
# What earlier versions kept: a pickle that was loaded unchecked, and a JSON journal.
_OLD_FILES = ("snapshot.bin", "journal.jsonl")


@attrs.frozen
class Loaded:
    """What a state directory holds: its seed, the snapshot (if any), the journal rows after it."""

    seed: int
    snapshot: bytes | None
    records: list[tuple[int, Record]]


@attrs.define
class Store:
    """The state directory: ``open()`` and load it, ``append()``, ``compact()``, ``close()``.

    ``seed``: the seed the server was started with; a directory made with another is
    refused (``None``: take the directory's). ``fsync``: ``synchronous=FULL``, committed
    rows survive a power cut (each write then waits for the disk).
    """

    directory: Path = attrs.field(converter=Path)
    seed: int | None = None
    fsync: bool = False
    _owner: Owner = attrs.field(init=False)
    _db: sqlite3.Connection | None = attrs.field(default=None, init=False)
    _settings: Settings = attrs.field(factory=lambda: Settings({}, 0, 0), init=False)
    _last_seq: int = attrs.field(default=0, init=False)
    _lock: threading.Lock = attrs.field(factory=threading.Lock, init=False)

    @_owner.default
    def _make_owner(self) -> Owner:
        return Owner(self.directory)

    @property
    def path(self) -> Path:
        """The database file."""
        return self.directory / DATABASE

    @property
    def owner(self) -> Owner:
        """The lock on the directory (``say()`` where the server serves)."""
        return self._owner

    def size(self) -> int:
        """Bytes of the database and its write-ahead log: what a start has to read."""
        return sum(
            path.stat().st_size
            for path in (self.path, Path(f"{self.path}-wal"))
            if path.is_file() and not path.is_symlink()
        )

    @property
    def rows_since_snapshot(self) -> int:
        """Journal rows after the snapshot: what a restart would replay."""
        return self._last_seq - self._settings.covered

    # -- opening ----------------------------------------------------------------------------

    def claim(self) -> None:
        """Make the directory (private to its user) and take it, or raise ``StateError``."""
        if self.directory.exists() and not self.directory.is_dir():
            raise StateError(f"{self.directory} is a file, not a directory")
        if not self.directory.exists():
            try:
                self.directory.mkdir(mode=_PRIVATE_DIRECTORY, parents=True)
                self.directory.chmod(_PRIVATE_DIRECTORY)
            except OSError as error:
                raise StateError(f"{self.directory}: cannot be made ({error})") from error
        old = [name for name in _OLD_FILES if (self.directory / name).exists()]
        if old and not self.path.exists():
            raise StateError(
                f"{self.directory} holds the state of an earlier loyalty-fake "
                f"({', '.join(old)}), which this version does not read (it never loads a "
                "pickle it cannot check); start with another --state, or delete them"
            )
        for name in ("", *SIDE_FILES):
            check_own_file(Path(f"{self.path}{name}"))
        self._owner.claim()

    def open(self, fresh_seed: int) -> Loaded:
        """Take the directory, check it whole and return what it holds (``StateError`` if not).

        A new directory is made with the seed ``self.seed``, else ``fresh_seed``. Refused,
        the directory is let go at once.
        """
        try:
            self.claim()
            if not self.path.exists():
                seed = self.seed if self.seed is not None else fresh_seed
                database.create(self.path, database.new_meta(seed), None)
            db = self._connect()
            try:
                settings = self._read_settings(db)
                if self.seed is not None and self.seed != settings.seed:
                    raise StateError(
                        f"{self.directory} was made with --seed {settings.seed}, not --seed "
                        f"{self.seed}: start with --seed {settings.seed}, or use another --state"
                    )
                snapshot = database.read_snapshot(db, self.path, settings)
                records = database.read_records(db, self.path, settings.covered)
            except (sqlite3.Error, UnicodeDecodeError) as error:
                raise StateError(f"{self.path}: {error}; refusing to start") from error
            self._last_seq = settings.covered + len(records)
            return Loaded(settings.seed, snapshot, records)
        except BaseException:
            self.close()
            raise

    def _connect(self) -> sqlite3.Connection:
        if self._db is None:
            self._db = database.connect(self.path, fsync=self.fsync)
        return self._db

    def _read_settings(self, db: sqlite3.Connection) -> Settings:
        self._settings = database.read_settings(db, self.path)
        self._last_seq = self._settings.last_seq
        return self._settings

    # -- writing ----------------------------------------------------------------------------

    def append(self, record: Record) -> None:
        """Commit ``record`` as the next journal row; ``NotWrittenError`` when it could not be."""
        with self._lock:
            db = self._require()
            seq = self._last_seq + 1
            try:
                database.insert_row(db, seq, record)
            except (sqlite3.Error, OSError) as error:
                database.rollback(db)
                raise NotWrittenError(str(self.directory), error) from error
            self._last_seq = seq

    def compact(self, snapshot: bytes) -> None:
        """Store ``snapshot`` and delete the journal rows it covers, in one transaction.

        ``NotWrittenError`` when it could not be written: then nothing changed, and the
        journal still holds every write. Ctrl-C while it commits is held until it has
        (``CompactedThenInterrupted``).
        """
        with self._lock:
            meta = database.new_meta(self._settings.seed)
            self._transaction(snapshot, meta if meta != self._settings.meta else None)

    def replace(self, snapshot: bytes, seed: int) -> None:
        """Make ``snapshot`` the whole state, made with ``seed`` (``seed`` command), at once.

        The directory's earlier state, if any, is replaced in one transaction, whatever
        its seed or layout; a damaged one is refused (``StateError``).
        """
        self.claim()
        created = not self.path.exists()
        if created:
            database.create(self.path, database.new_meta(seed), snapshot)
        db = self._connect()
        with self._lock:
            try:
                self._read_settings(db)
            except (sqlite3.Error, UnicodeDecodeError) as error:
                raise StateError(f"{self.path}: {error}; refusing to use it") from error
            if not created:
                self._transaction(snapshot, database.new_meta(seed))

    def _transaction(self, snapshot: bytes, meta: dict[str, str] | None) -> None:
        db = self._require()
        covers = self._last_seq
        try:
            db.execute("BEGIN IMMEDIATE")
            if meta is not None:
                database.put_meta(db, meta)
            database.put_snapshot(db, covers, snapshot)
            db.execute("DELETE FROM journal WHERE seq <= ?", (covers,))
            with interrupts_deferred():
                database.commit(db)
                self._settings = Settings(meta or self._settings.meta, covers, covers)
        except (sqlite3.Error, OSError) as error:
            database.rollback(db)
            raise NotWrittenError(str(self.directory), error) from error
        except BaseException:
            database.rollback(db)
            raise
        try:
            # The snapshot's pages go into the database file, and the log back to nothing.
            db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        except sqlite3.Error as error:
            _LOG.warning("could not checkpoint %s (%s); it will be later", self.path, error)

    def _require(self) -> sqlite3.Connection:
        if self._db is None:
            raise RuntimeError(f"{self.path} is not open")
        return self._db

    def close(self) -> None:
        """Close the database (its log folded into the file) and let go of the directory."""
        db, self._db = self._db, None
        try:
            if db is not None:
                db.close()
        finally:
            self._owner.release()
