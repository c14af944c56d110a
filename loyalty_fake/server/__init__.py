"""The fake at a URL: a threaded HTTP server, durable state, and the control plane.

The names below load on first use, so that ``loyalty_fake.server.journal`` (the
``seed`` command's) does not import waitress. ``serve`` lives in ``serving.py``: a
submodule named ``serve`` would take the function's place in this package once imported.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from loyalty_fake.server.app import MAX_BODY_BYTES, ServerApp
    from loyalty_fake.server.live import LiveServer, SwappableApp
    from loyalty_fake.server.serving import Interrupted, serve

__all__ = [
    "MAX_BODY_BYTES",
    "Interrupted",
    "LiveServer",
    "ServerApp",
    "SwappableApp",
    "serve",
]

_HOMES = {
    "MAX_BODY_BYTES": "loyalty_fake.server.app",
    "Interrupted": "loyalty_fake.server.serving",
    "LiveServer": "loyalty_fake.server.live",
    "ServerApp": "loyalty_fake.server.app",
    "SwappableApp": "loyalty_fake.server.live",
    "serve": "loyalty_fake.server.serving",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(home), name)
