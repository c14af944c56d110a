"""A WSGI app served for a test, on the server's loop thread or by its worker threads."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from loyalty_fake.server import LiveServer

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator

    from loyalty_fake.server import ServerApp

# The two ways the server runs a request (``http11.Server``): a fixture's params.
SERVED_ON = ["loop thread", "workers"]


def served(app: Callable[..., Iterable[bytes]]) -> Iterator[LiveServer]:
    """``app`` on a started ``LiveServer``, stopped after the test."""
    server = LiveServer(app).start()
    try:
        yield server
    finally:
        server.stop()


def served_on(where: str, app: ServerApp) -> Iterator[LiveServer]:
    """``app`` served on the loop's thread, or (``"workers"``) by worker threads.

    Workers: the app wrapped in a plain function, which does not say it answers at once.
    """
    if where == "loop thread":
        yield from served(app)
        return

    def plain(environ: dict[str, Any], start_response: Callable[..., object]) -> Iterable[bytes]:
        return app(environ, start_response)

    yield from served(plain)
