"""The journal file, ``DIR/journal.log``: each accepted request appended as one frame, one write.

A write is acknowledged once its frame is in the file: a single ``write(2)`` to a file
opened ``O_APPEND`` (``O_DSYNC`` too with ``--fsync``), which the operating system keeps
when the process is killed. SQLite's insert and commit of a row made two or three system
calls and a B-tree update a write, and cost a served add-member about a quarter of its
time; the snapshot, which is written rarely and whole, stays in SQLite (``database.py``).

A frame is a fixed header and the record's fields::

    header CRC-32 | seq | instant (µs since the epoch) | status (-1: none)
    | lengths of method, URL, X-App-Id + 1, content type + 1 (0: none), body | payload CRC-32
    method | URL | X-App-Id | content type | body        (UTF-8; the body as sent)

The header's own CRC covers the lengths, so a flipped bit anywhere is damage (a refused
start), while a frame cut short at the end of the file is what a write interrupted by a
crash leaves: it was never acknowledged, and is cut off with a warning. A write that
fails (a full disk, an I/O error) is cut back off at once, so it leaves nothing.
"""

from __future__ import annotations

import datetime as dt
import errno
import logging
import os
import struct
import zlib
from typing import TYPE_CHECKING

import attrs

from loyalty_fake.server.journal import Record, StateError
from loyalty_fake.server.owner import PRIVATE_FILE, check_own_file

if TYPE_CHECKING:
    from pathlib import Path

__all__ = ["JOURNAL", "JournalFile", "decode", "encode"]

_LOG = logging.getLogger("loyalty_fake.store")
JOURNAL = "journal.log"
_CRC = struct.Struct("<I")
# seq, instant, status, lengths (method, URL, app ID + 1, content type + 1, body), payload CRC.
_REST = struct.Struct("<QqiHIIIII")
HEADER_SIZE = _CRC.size + _REST.size
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)
_MICROSECOND = dt.timedelta(microseconds=1)
_DAMAGED = "refusing to start: restore it from a copy, or use another --state"


def encode(seq: int, record: Record) -> bytes:
    """Frame ``record`` as journal entry ``seq``."""
    method = record.method.encode()
    url = record.url.encode()
    app_id = b"" if record.app_id is None else record.app_id.encode()
    content_type = b"" if record.content_type is None else record.content_type.encode()
    payload = b"".join((method, url, app_id, content_type, record.body))
    rest = _REST.pack(
        seq,
        (record.at - _EPOCH) // _MICROSECOND,
        -1 if record.status is None else record.status,
        len(method),
        len(url),
        0 if record.app_id is None else len(app_id) + 1,
        0 if record.content_type is None else len(content_type) + 1,
        len(record.body),
        zlib.crc32(payload),
    )
    return _CRC.pack(zlib.crc32(rest)) + rest + payload


def decode(data: bytes, path: Path) -> tuple[list[tuple[int, Record]], int]:
    """The frames of ``data`` in order, and how many bytes they fill (a cut-off frame after).

    ``StateError`` for a frame that fails a checksum or does not decode.
    """
    frames: list[tuple[int, Record]] = []
    view = memoryview(data)
    offset = 0
    while len(data) - offset >= HEADER_SIZE:
        (crc,) = _CRC.unpack_from(view, offset)
        rest = view[offset + _CRC.size : offset + HEADER_SIZE]
        if zlib.crc32(rest) != crc:
            raise damaged(path, f"the journal frame at byte {offset} fails its checksum")
        seq, micros, status, *lengths, body_length, payload_crc = _REST.unpack(rest)
        method_length, url_length, app_length, type_length = lengths
        start = offset + HEADER_SIZE
        sizes = (method_length, url_length, max(app_length - 1, 0), max(type_length - 1, 0))
        end = start + sum(sizes) + body_length
        if end > len(data):
            break  # cut short by a crash: never acknowledged
        payload = view[start:end]
        if zlib.crc32(payload) != payload_crc:
            raise damaged(path, f"journal entry {seq} fails its checksum")
        fields: list[str] = []
        at = start
        try:
            for size in sizes:
                fields.append(bytes(view[at : at + size]).decode())
                at += size
            moment = _EPOCH + micros * _MICROSECOND
        except (UnicodeDecodeError, OverflowError) as error:
            raise damaged(path, f"journal entry {seq} does not decode: {error}") from error
        method, url, app_id, content_type = fields
        record = Record(
            moment,
            method,
            url,
            app_id if app_length else None,
            content_type if type_length else None,
            bytes(view[at:end]),
            None if status == -1 else status,
        )
        frames.append((seq, record))
        offset = end
    return frames, offset


@attrs.define
class JournalFile:
    """``DIR/journal.log`` open for appending: ``load()``, ``append()``, ``clear()``, ``close()``.

    ``fsync``: each write returns once it is on the disk (``O_DSYNC``).
    """

    path: Path
    fsync: bool = False
    _fd: int | None = attrs.field(default=None, init=False)
    # Bytes of whole frames: a failed write is cut back to it.
    _size: int = attrs.field(default=0, init=False)
    # Why the file cannot be written until the server restarts (a failed write not cut off).
    _broken: OSError | None = attrs.field(default=None, init=False)

    def load(self) -> list[tuple[int, Record]]:
        """Open the file (made private if new) and read its frames; cut off a frame cut short.

        Raises ``StateError`` for a damaged file, ``OSError`` when it cannot be opened.
        """
        check_own_file(self.path)
        created = not self.path.exists()
        flags = os.O_RDWR | os.O_APPEND | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC
        fd = os.open(self.path, flags | (os.O_DSYNC if self.fsync else 0), PRIVATE_FILE)
        try:
            os.fchmod(fd, PRIVATE_FILE)
            data = _read_all(fd)
            frames, whole = decode(data, self.path)
            if whole < len(data):
                _LOG.warning(
                    "%s: cut off %d bytes of a write that a crash interrupted before it was "
                    "acknowledged",
                    self.path,
                    len(data) - whole,
                )
                os.ftruncate(fd, whole)
            if created and self.fsync:
                _fsync_directory(self.path.parent)
        except BaseException:
            os.close(fd)
            raise
        self._fd, self._size = fd, whole
        return frames

    def append(self, frame: bytes) -> None:
        """Write ``frame`` whole, or raise ``OSError`` having left nothing of it."""
        fd = self._require()
        if self._broken is not None:
            raise self._broken
        try:
            written = os.write(fd, frame)
        except OSError:
            self._cut_back(fd)
            raise
        if written != len(frame):
            self._cut_back(fd)
            raise OSError(errno.ENOSPC, f"{written} of {len(frame)} bytes written: {self.path}")
        self._size += written

    def _cut_back(self, fd: int) -> None:
        try:
            os.ftruncate(fd, self._size)
        except OSError as error:
            self._broken = OSError(
                error.errno, f"a failed write could not be cut off ({error}); restart the server"
            )

    def clear(self) -> None:
        """Empty the file (a snapshot now holds every frame); a failure is only logged."""
        fd = self._require()
        try:
            os.ftruncate(fd, 0)
            if self.fsync:
                os.fsync(fd)
        except OSError as error:
            # The frames left are numbered within the snapshot: the next start skips them.
            _LOG.warning("could not empty %s (%s); the next snapshot will", self.path, error)
            return
        self._size = 0
        self._broken = None

    def size(self) -> int:
        """Bytes of whole frames."""
        return self._size

    def _require(self) -> int:
        if self._fd is None:
            raise RuntimeError(f"{self.path} is not open")
        return self._fd

    def close(self) -> None:
        """Close the file; safe twice."""
        fd, self._fd = self._fd, None
        if fd is not None:
            os.close(fd)


def _read_all(fd: int) -> bytes:
    chunks = []
    os.lseek(fd, 0, os.SEEK_SET)
    while chunk := os.read(fd, 1 << 20):
        chunks.append(chunk)
    return b"".join(chunks)


def _fsync_directory(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def damaged(path: Path, what: str) -> StateError:
    """The refusal of a journal whose frames are out of order."""
    return StateError(f"{path} is damaged ({what}); {_DAMAGED}")
