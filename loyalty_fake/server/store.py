"""Durable state: a snapshot in SQLite (``DIR/state.sqlite``) and a journal file after it.

A write is acknowledged only once its frame is in the journal file (``journal_file.py``:
one ``write(2)``, which survives ``kill -9`` of the process; ``fsync=True`` makes it wait
for the disk, surviving a power cut too). A compaction writes the new snapshot in one
SQLite transaction that records which journal entries it covers, then empties the
journal: a crash in between leaves entries the next start skips, never one applied
twice. One process owns the directory at a time (``owner.py``); everything is checked at
start (``database.py``, ``journal_file.py``).

Directories of the first format (``loyalty-fake-state/1``) kept the journal as SQLite
rows: they are read, and moved to the current format before the first write.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from pathlib import Path

import attrs

from loyalty_fake.server import database
from loyalty_fake.server.database import DATABASE, FORMAT, SIDE_FILES, Settings
from loyalty_fake.server.journal import NotWrittenError, Record, StateError, interrupts_deferred
from loyalty_fake.server.journal_file import JOURNAL, JournalFile, damaged, encode
from loyalty_fake.server.owner import Owner, check_own_file

__all__ = ["Loaded", "Store"]

_LOG = logging.getLogger("loyalty_fake.store")
_PRIVATE_DIRECTORY = 0o700
# What earlier versions kept: a pickle that was loaded unchecked, and a JSON journal.
_OLD_FILES = ("snapshot.bin", "journal.jsonl")


@attrs.frozen
class Loaded:
    """What a state directory holds: its seed, the snapshot (if any), the journal after it."""

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
    _journal: JournalFile = attrs.field(init=False)
    _db: sqlite3.Connection | None = attrs.field(default=None, init=False)
    _settings: Settings = attrs.field(factory=lambda: Settings({}, 0, 0), init=False)
    _last_seq: int = attrs.field(default=0, init=False)
    _lock: threading.Lock = attrs.field(factory=threading.Lock, init=False)

    @_owner.default
    def _make_owner(self) -> Owner:
        return Owner(self.directory)

    @_journal.default
    def _make_journal(self) -> JournalFile:
        return JournalFile(self.directory / JOURNAL, fsync=self.fsync)

    @property
    def path(self) -> Path:
        """The database file."""
        return self.directory / DATABASE

    @property
    def owner(self) -> Owner:
        """The lock on the directory (``say()`` where the server serves)."""
        return self._owner

    def size(self) -> int:
        """Bytes of the database, its write-ahead log and the journal: what a start reads."""
        return sum(
            path.stat().st_size
            for path in (self.path, Path(f"{self.path}-wal"), self._journal.path)
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
                self._refuse_an_orphan_journal()
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
                records += self._after(self._load_journal(), settings.covered)
                if settings.meta["format"] != FORMAT:
                    # Entries now go to the journal file, which the first format never reads.
                    self._put_meta({**settings.meta, "format": FORMAT})
            except (sqlite3.Error, UnicodeDecodeError) as error:
                raise StateError(f"{self.path}: {error}; refusing to start") from error
            return Loaded(settings.seed, snapshot, records)
        except BaseException:
            self.close()
            raise

    def _refuse_an_orphan_journal(self) -> None:
        path = self._journal.path
        if path.is_file() and path.stat().st_size:
            raise damaged(path, f"it holds writes, but {DATABASE} is gone")

    def _load_journal(self) -> list[tuple[int, Record]]:
        try:
            return self._journal.load()
        except OSError as error:
            raise StateError(f"{self._journal.path}: cannot be read ({error})") from error

    def _put_meta(self, meta: dict[str, str]) -> None:
        db = self._require()
        try:
            db.execute("BEGIN IMMEDIATE")
            database.put_meta(db, meta)
            database.commit(db)
        except BaseException:
            database.rollback(db)
            raise
        self._settings = attrs.evolve(self._settings, meta=meta)

    def _after(self, frames: list[tuple[int, Record]], covered: int) -> list[tuple[int, Record]]:
        """The journal file's entries after the snapshot and the rows; ``_last_seq`` moves on.

        Entries are written one after the other: any gap or repeat is damage. Those the
        snapshot covers are what a compaction's last step did not get to empty.
        """
        due = self._last_seq + 1
        kept: list[tuple[int, Record]] = []
        for number, (seq, record) in enumerate(frames, start=frames[0][0] if frames else 0):
            if seq != number:
                raise damaged(self._journal.path, f"journal entry {seq} where {number} is due")
            if seq <= covered:
                continue
            if seq != due:
                raise damaged(self._journal.path, f"journal entry {seq} where {due} is due")
            kept.append((seq, record))
            due += 1
        self._last_seq = due - 1
        return kept

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
        """Write ``record`` as the next journal entry; ``NotWrittenError`` when it could not be."""
        with self._lock:
            seq = self._last_seq + 1
            try:
                self._journal.append(encode(seq, record))
            except OSError as error:
                raise NotWrittenError(str(self.directory), error) from error
            self._last_seq = seq

    def compact(self, snapshot: bytes) -> None:
        """Store ``snapshot`` covering every journal entry, then empty the journal.

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
        frames = self._load_journal()
        created = not self.path.exists()
        if created:
            self._journal.clear()  # entries without a database are nobody's
            database.create(self.path, database.new_meta(seed), snapshot)
        db = self._connect()
        with self._lock:
            try:
                self._read_settings(db)
            except (sqlite3.Error, UnicodeDecodeError) as error:
                raise StateError(f"{self.path}: {error}; refusing to use it") from error
            if not created:
                self._after(frames, self._settings.covered)
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
        # Last: until the journal is empty, the entries in it are numbered within the
        # snapshot, and a start skips them.
        self._journal.clear()

    def _require(self) -> sqlite3.Connection:
        if self._db is None:
            raise RuntimeError(f"{self.path} is not open")
        return self._db

    def close(self) -> None:
        """Close the database (its log folded into the file) and let go of the directory."""
        db, self._db = self._db, None
        try:
            self._journal.close()
            if db is not None:
                db.close()
        finally:
            self._owner.release()
