"""Compact, fast pickling for the ledger's records (snapshots of large states)."""

from __future__ import annotations

import gc
import hashlib
import math
import pickletools
import re
from contextlib import contextmanager
from operator import attrgetter
from typing import TYPE_CHECKING, Any, TypeVar

import attrs

if TYPE_CHECKING:
    from collections.abc import Iterator

__all__ = ["layout_fingerprint", "no_gc", "positional_pickle", "register_layout", "unsendable"]

_T = TypeVar("_T")
# Every class pickled by position, with its fields: a snapshot is only readable by
# code whose layouts are the same, and this is how a reader can tell.
_LAYOUTS: dict[str, tuple[str, ...]] = {}
_SURROGATE = re.compile("[\ud800-\udfff]")


def layout_fingerprint() -> str:
    """A short hash of every positionally pickled class's field layout."""
    text = "\n".join(f"{name}:{','.join(fields)}" for name, fields in sorted(_LAYOUTS.items()))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def register_layout(cls: type, fields: tuple[str, ...]) -> None:
    """Count a hand-pickled class's layout in the fingerprint (see ``positional_pickle``)."""
    _LAYOUTS[f"{cls.__module__}.{cls.__qualname__}"] = fields


@contextmanager
def no_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector for the length of the block.

    (Un)pickling a large state creates hundreds of thousands of objects, and the
    collections that triggers cost more than the work itself.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def positional_pickle(cls: type[_T]) -> type[_T]:
    """Pickle instances of an attrs class as ``cls(*field_values)``.

    attrs' own pickling of slotted classes stores every field's name with every
    object and restores through a Python loop; positional arguments halve both the
    size and the time of a 100,000-member snapshot. Every field must be an ``init``
    argument, in order.
    """
    fields = attrs.fields(cls)  # type: ignore[arg-type]
    if not all(field.init for field in fields):
        raise TypeError(f"{cls.__name__} has fields its __init__ does not take")
    values = attrgetter(*(field.name for field in fields))
    register_layout(cls, tuple(field.name for field in fields))

    def __reduce__(self: Any) -> tuple[type[_T], tuple[Any, ...]]:  # noqa: N807
        found = values(self)
        return cls, found if isinstance(found, tuple) else (found,)

    cls.__reduce__ = __reduce__  # type: ignore[method-assign]
    return cls


def unsendable(pickled: bytes) -> str | None:
    """The first value in ``pickled`` that no JSON reply can carry, described; else ``None``.

    Text with a lone UTF-16 surrogate, and NaN or infinite numbers: what releases that
    took them from requests may have stored. Reads every opcode: seconds for a large
    state, so only for snapshots written by such a release.
    """
    for _opcode, value, _position in pickletools.genops(pickled):
        if isinstance(value, str) and _SURROGATE.search(value):
            return f"the text {ascii(value)[:80]}, which holds a lone UTF-16 surrogate"
        if isinstance(value, float) and not math.isfinite(value):
            return f"the number {value}"
    return None
