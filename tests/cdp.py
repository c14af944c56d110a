"""Headless Chromium driven over the DevTools protocol on a pipe: no driver, no websocket.

``--remote-debugging-pipe`` makes Chromium read commands on its fd 3 and write answers on
its fd 4, each a JSON message ended by a NUL byte. Enough of the protocol for the
dashboard's browser test: open a page, run JavaScript in it, take a screenshot.
"""

from __future__ import annotations

import base64
import fcntl
import json
import os
import select
import struct
import subprocess
import time
import zlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pathlib import Path
    from types import TracebackType

__all__ = ["CHROMIUM_FLAGS", "Browser", "png_facts"]

# Headless, and quiet: no sandbox (CI runs as root), no GPU, nothing fetched of its own.
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)

_TIMEOUT = 30.0
_HIGH_FD = 10


class Browser:
    """One headless Chromium with one page; a context manager that closes it."""

    def __init__(self, chromium: str, profile: Path, width: int = 1200, height: int = 900) -> None:
        """Start Chromium and open a blank page in it."""
        commands_in, self._commands = os.pipe()
        self._answers, answers_out = os.pipe()
        # Moved above 4 first, so that placing them at 3 and 4 in the child overwrites nothing.
        child_in = fcntl.fcntl(commands_in, fcntl.F_DUPFD, _HIGH_FD)
        child_out = fcntl.fcntl(answers_out, fcntl.F_DUPFD, _HIGH_FD)
        os.close(commands_in)
        os.close(answers_out)

        def place() -> None:
            os.dup2(child_in, 3)
            os.dup2(child_out, 4)

        self._process = subprocess.Popen(  # noqa: S603 - a fixed browser binary
            [
                chromium,
                *CHROMIUM_FLAGS,
                "--hide-scrollbars",
                f"--window-size={width},{height}",
                f"--user-data-dir={profile}",
                "--remote-debugging-pipe",
                "about:blank",
            ],
            pass_fds=(3, 4),
            preexec_fn=place,  # noqa: PLW1509 - only dup2, before exec
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        os.close(child_in)
        os.close(child_out)
        self._buffer = b""
        self._next = 0
        self._session: str | None = None
        target = self.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        attached = self.send("Target.attachToTarget", {"targetId": target, "flatten": True})
        self._session = attached["sessionId"]
        self.send("Page.enable")
        metrics = {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False}
        self.send("Emulation.setDeviceMetricsOverride", metrics)

    def send(self, method: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
        """Run one protocol command (on the page once attached); its result."""
        self._next += 1
        message: dict[str, Any] = {"id": self._next, "method": method, "params": params or {}}
        if self._session is not None:
            message["sessionId"] = self._session
        os.write(self._commands, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + _TIMEOUT
        while True:
            while b"\0" in self._buffer:
                raw, self._buffer = self._buffer.split(b"\0", 1)
                answer = json.loads(raw)
                if answer.get("id") == self._next:
                    if "error" in answer:
                        raise RuntimeError(f"{method}: {answer['error']}")
                    result: dict[str, Any] = answer["result"]
                    return result
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self._answers], [], [], left)[0]:
                raise TimeoutError(f"Chromium did not answer {method}")
            chunk = os.read(self._answers, 1 << 20)
            if not chunk:
                raise RuntimeError("Chromium closed its pipe")
            self._buffer += chunk

    def open(self, url: str) -> None:
        """Go to ``url`` and wait until it has loaded."""
        self.send("Page.navigate", {"url": url})
        self.wait_for("document.readyState === 'complete' && location.href !== 'about:blank'")

    def run(self, expression: str) -> Any:
        """The value of a JavaScript expression in the page (awaited when a promise)."""
        result = self.send(
            "Runtime.evaluate",
            {"expression": expression, "returnByValue": True, "awaitPromise": True},
        )
        if "exceptionDetails" in result:
            raise RuntimeError(f"{expression}: {result['exceptionDetails']}")
        return result["result"].get("value")

    def wait_for(self, condition: str, timeout: float = 15.0) -> None:
        """Wait until a JavaScript condition holds in the page."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                if self.run(f"Boolean({condition})"):
                    return
            except RuntimeError:
                pass  # the page is between documents
            if time.monotonic() > deadline:
                raise TimeoutError(f"never true in the page: {condition}")
            time.sleep(0.1)

    def text(self, selector: str) -> str:
        """The text of the first element ``selector`` picks ('' when there is none)."""
        found = self.run(f"document.querySelector({json.dumps(selector)})?.innerText ?? ''")
        return str(found)

    def screenshot(self, path: Path) -> bytes:
        """A PNG of the page as it is shown, written to ``path`` too."""
        shot = base64.b64decode(self.send("Page.captureScreenshot", {"format": "png"})["data"])
        path.write_bytes(shot)
        return shot

    def __enter__(self) -> Browser:  # noqa: PYI034 - typing.Self needs Python 3.11
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            self._session = None
            self.send("Browser.close")
        except (RuntimeError, TimeoutError, OSError):
            self._process.kill()
        finally:
            self._process.wait(timeout=30)
            os.close(self._commands)
            os.close(self._answers)


def png_facts(png: bytes) -> tuple[int, int, int]:
    """A PNG's width, height and how many distinct byte values its pixel rows hold."""
    assert png.startswith(b"\x89PNG\r\n\x1a\n"), "not a PNG"
    width, height = struct.unpack(">II", png[16:24])
    data, position = b"", 8
    while position < len(png):
        (length,) = struct.unpack(">I", png[position : position + 4])
        kind = png[position + 4 : position + 8]
        if kind == b"IDAT":
            data += png[position + 8 : position + 8 + length]
        position += 12 + length
    return width, height, len(set(zlib.decompress(data)))
