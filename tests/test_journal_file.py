"""The journal file: frames that round-trip exactly, a crash's cut-off write, a refused one.

The end-to-end checks (kill -9, full disk, bit flips, compaction crashes) are in
``test_store.py`` and ``test_durability.py``; these pin the file itself.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import sqlite3
import subprocess
import sys
from typing import TYPE_CHECKING

import pytest

from loyalty_fake import LoyaltyFake
from loyalty_fake.http.messages import Request
from loyalty_fake.server import ServerApp, database
from loyalty_fake.server.control import ControlPlane
from loyalty_fake.server.journal import Record, StateError
from loyalty_fake.server.journal_file import HEADER_SIZE, JournalFile, decode, encode
from loyalty_fake.server.store import Store
from tests.test_server import DEMO_MEMBERS, HEADERS

if TYPE_CHECKING:
    from pathlib import Path

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="O_DSYNC, rlimits")

_AT = dt.datetime(2024, 2, 29, 23, 59, 59, 123456, tzinfo=dt.timezone.utc)
RECORDS = [
    Record(_AT, "POST", "/v1/loyalties", "app", "application/json", b'{"name": "Club"}'),
    Record(_AT, "DELETE", "/v1/loyalties/x?force=true", None, None, b""),
    Record(_AT, "PUT", "/v1/customers/caf\u00e9%20\u2603", "", "", b"\x00\xff" * 40_000, 400),
    Record(dt.datetime(1969, 7, 20, 20, 17, tzinfo=dt.timezone.utc), "POST", "/", "a", None, b"{}"),
]


def test_every_field_round_trips_exactly() -> None:
    """None and "" kept apart, statuses, non-ASCII URLs, binary bodies, microseconds, 1969."""
    data = b"".join(encode(seq, record) for seq, record in enumerate(RECORDS, start=7))
    frames, whole = decode(data, _path())
    assert frames == list(enumerate(RECORDS, start=7))
    assert whole == len(data)


@pytest.mark.parametrize("keep", [1, HEADER_SIZE - 1, HEADER_SIZE, HEADER_SIZE + 3, -1])
def test_a_write_cut_short_is_cut_off_with_a_warning_and_the_next_one_is_whole(
    tmp_path: Path, keep: int, caplog: pytest.LogCaptureFixture
) -> None:
    """What a crash in the middle of a write leaves was never acknowledged: it goes."""
    path = tmp_path / "journal.log"
    first, second = encode(1, RECORDS[0]), encode(2, RECORDS[1])
    path.write_bytes(first + second[: keep % len(second)])
    journal = JournalFile(path)
    with caplog.at_level(logging.WARNING, "loyalty_fake.store"):
        assert journal.load() == [(1, RECORDS[0])]
    assert "a crash interrupted before it was acknowledged" in caplog.text
    journal.append(encode(2, RECORDS[3]))
    journal.close()
    assert path.read_bytes() == first + encode(2, RECORDS[3])


def test_a_flipped_length_is_damage_not_a_cut_off_write(tmp_path: Path) -> None:
    """A length made too long by a bit flip fails the header's checksum: refused, not cut."""
    path = tmp_path / "journal.log"
    data = bytearray(encode(1, RECORDS[0]) + encode(2, RECORDS[1]))
    data[len(encode(1, RECORDS[0])) + HEADER_SIZE - 8] ^= 0x40  # the second body's length
    path.write_bytes(bytes(data))
    with pytest.raises(StateError, match=r"the journal frame at byte \d+ fails its checksum"):
        JournalFile(path).load()
    assert path.read_bytes() == bytes(data)


_FULL = """
import resource, sys
from pathlib import Path
from loyalty_fake.server.journal_file import JournalFile, encode
from tests.test_journal_file import RECORDS

path = Path(sys.argv[1])
journal = JournalFile(path)
journal.load()
resource.setrlimit(resource.RLIMIT_FSIZE, (100_000, resource.RLIM_INFINITY))
written = 0
for seq in range(1, 100):
    try:
        journal.append(encode(seq, RECORDS[seq % 3]))
    except OSError as error:
        print(written, path.stat().st_size, error, flush=True)
        break
    written += 1
"""


def test_a_write_the_disk_refuses_leaves_nothing(tmp_path: Path) -> None:
    """Past a file size limit a write is refused part-way; the part written is cut off."""
    path = tmp_path / "journal.log"
    ran = subprocess.run(  # noqa: S603 - our own interpreter
        [sys.executable, "-c", _FULL, str(path)],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    written, size, error = ran.stdout.split(" ", 2)
    expected = b"".join(encode(seq, RECORDS[seq % 3]) for seq in range(1, int(written) + 1))
    assert int(written) > 0
    assert "of" in error or "too large" in error, error
    assert path.read_bytes() == expected
    assert int(size) == len(expected)


def test_a_journal_without_its_database_is_refused(tmp_path: Path) -> None:
    """Writes whose snapshot is gone cannot be replayed onto a new state: refused, kept."""
    (tmp_path / "journal.log").write_bytes(encode(1, RECORDS[0]))
    store = Store(tmp_path)
    with pytest.raises(StateError, match=r"journal.log is damaged \(it holds writes, but "):
        store.open(fresh_seed=1)
    assert (tmp_path / "journal.log").read_bytes() == encode(1, RECORDS[0])


def test_a_directory_of_the_first_format_is_read_and_moved_to_the_journal_file(
    tmp_path: Path,
) -> None:
    """Rows of the first format replay; the directory is marked so no old version reads it."""
    old = {**database.new_meta(3), "format": "loyalty-fake-state/1"}
    database.create(tmp_path / "state.sqlite", old, None)
    joins = [
        Request.from_url("POST", "/v1/loyalties", HEADERS, b'{"name": "Demo Coffee Club"}'),
        *(
            Request.from_url(
                "POST", DEMO_MEMBERS, HEADERS, b'{"customer": {"source_id": "%d"}}' % n
            )
            for n in range(3)
        ),
    ]
    with contextlib.closing(sqlite3.connect(tmp_path / "state.sqlite")) as db, db:
        for seq, request in enumerate(joins[:3], start=1):
            record = Record.of(_AT, request)
            values = (seq, "2024-02-29T23:59:59.123Z", *_fields(record))
            db.execute(
                "INSERT INTO journal (seq, at, method, url, app_id, content_type, status, body,"
                " sha256) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (*values, database._row_sha256(values)),
            )
    expected = LoyaltyFake(seed=3)
    served = ServerApp(expected)
    for request in joins:
        served.apply(request)

    fake = LoyaltyFake(seed=3)
    app = ServerApp(fake, store=Store(tmp_path))
    assert app.recover() == 3
    assert app.apply(joins[3]).status == 200
    app.store.close()  # type: ignore[union-attr]
    with contextlib.closing(sqlite3.connect(tmp_path / "state.sqlite")) as db:
        meta = dict(db.execute("SELECT key, value FROM meta").fetchall())
    assert meta["format"] == database.FORMAT
    assert [seq for seq, _ in decode((tmp_path / "journal.log").read_bytes(), _path())[0]] == [4]

    again = LoyaltyFake(seed=3)
    reopened = ServerApp(again, store=Store(tmp_path))
    assert reopened.recover() == 4
    reopened.compact()
    reopened.store.close()  # type: ignore[union-attr]
    assert (tmp_path / "journal.log").read_bytes() == b""
    assert _members(again) == _members(expected) == _members(fake)


def _fields(record: Record) -> tuple[object, ...]:
    return (
        record.method,
        record.url,
        record.app_id,
        record.content_type,
        record.status,
        record.body,
    )


def _members(fake: LoyaltyFake) -> object:
    state = ControlPlane(fake).dump()
    return sorted(c["code"] for c in state["projects"]["loyalty-fake-app-id"]["cards"])


def _path() -> Path:
    from pathlib import Path  # noqa: PLC0415

    return Path("journal.log")
