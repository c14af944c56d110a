"""One owner for a state directory: a lock that a second server (or ``seed``) is refused by.

``DIR/lock`` is held with ``flock`` for the owner's life and says who holds it (process,
host, since when, and the URL once it serves). The operating system lets go of the lock
when the process ends however it ends, ``kill -9`` included, so a restart after a crash
just works; the file's text is only what a refused second owner shows.
"""

from __future__ import annotations

import datetime as dt
import errno
import fcntl
import os
import socket
import stat
from typing import TYPE_CHECKING

import attrs

from loyalty_fake.server.journal import StateError

if TYPE_CHECKING:
    from pathlib import Path

__all__ = ["PRIVATE_FILE", "Owner", "check_own_file"]

PRIVATE_FILE = 0o600
_LOCK = "lock"


def check_own_file(path: Path) -> None:
    """Refuse a state file that is a symbolic link or not a regular file (``StateError``).

    loyalty-fake writes only its own regular files: writing through a link would change
    (or truncate) whatever file it points to.
    """
    try:
        found = path.lstat()
    except FileNotFoundError:
        return
    except OSError as error:
        raise StateError(f"{path}: cannot be read ({error.strerror or error})") from error
    if stat.S_ISLNK(found.st_mode):
        raise StateError(
            f"{path} is a symbolic link; loyalty-fake writes only its own regular files in a "
            "state directory: replace the link with the file, or use another --state"
        )
    if not stat.S_ISREG(found.st_mode):
        raise StateError(f"{path} is not a regular file; use another --state")


@attrs.define
class Owner:
    """The lock on ``directory``: ``claim()`` it, ``say()`` where it serves, ``release()`` it."""

    directory: Path
    _fd: int | None = attrs.field(default=None, init=False)

    @property
    def path(self) -> Path:
        """The lock file."""
        return self.directory / _LOCK

    def claim(self) -> None:
        """Take the lock, or raise ``StateError`` naming the process that holds it."""
        if self._fd is not None:
            return
        check_own_file(self.path)
        flags = os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC
        try:
            fd = os.open(self.path, flags, PRIVATE_FILE)
        except OSError as error:
            raise StateError(
                f"{self.path}: cannot be opened ({error.strerror or error})"
            ) from error
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as error:
            holder = _read(fd)
            os.close(fd)
            if error.errno not in (errno.EAGAIN, errno.EACCES):
                raise StateError(f"{self.path}: cannot be locked ({error.strerror})") from error
            raise StateError(
                f"{self.directory} is in use by another loyalty-fake "
                f"({holder or 'which did not say who it is'}); stop it first, "
                "or use another --state"
            ) from None
        os.fchmod(fd, PRIVATE_FILE)
        self._fd = fd
        started = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        self._write(f"pid {os.getpid()} on {socket.gethostname()}, since {started}")

    def say(self, what: str) -> None:
        """Add ``what`` (where it serves) to what the lock file says of its owner."""
        if self._fd is not None:
            self._write(f"{_read(self._fd)}, {what}")

    def release(self) -> None:
        """Empty the lock file and let go of the lock; safe to call twice."""
        if self._fd is None:
            return
        fd, self._fd = self._fd, None
        try:
            os.ftruncate(fd, 0)
        except OSError:
            pass  # the lock goes with the descriptor; a stale text only misleads a message
        finally:
            os.close(fd)

    def _write(self, text: str) -> None:
        assert self._fd is not None  # noqa: S101 - only called while held
        try:
            os.ftruncate(self._fd, 0)
            os.pwrite(self._fd, text.encode("utf-8", "replace"), 0)
        except OSError:
            pass  # who holds the lock is a courtesy; a full disk must not stop the owner


def _read(fd: int) -> str:
    try:
        text = os.pread(fd, 1000, 0).decode("utf-8", "replace")
    except OSError:
        return ""
    return text.strip().splitlines()[0] if text.strip() else ""
