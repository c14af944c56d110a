"""The fake at a URL: a threaded HTTP server, durable state, and the control plane.

The names below load on first use, so that ``loyalty_fake.server.journal`` (the
``seed`` command's) does not import werkzeug.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from loyalty_fake.server.app import (
        MAX_BODY_BYTES,
        Interrupted,
        LiveServer,
        ServerApp,
        SwappableApp,
        serve,
    )

__all__ = [
    "MAX_BODY_BYTES",
    "Interrupted",
    "LiveServer",
    "ServerApp",
    "SwappableApp",
    "serve",
]

_HOMES = dict.fromkeys(__all__, "loyalty_fake.server.app")


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(home), name)
