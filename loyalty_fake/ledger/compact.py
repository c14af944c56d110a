"""The small memory tricks, each worth 50 to 180 bytes a member: shared keys, packed flat dicts.

Records keep Voucherify's field names; what they store may be packed here (a customer's
address is ``pack_flat``'s tuple, read back through a property).
"""

from __future__ import annotations

import copy
import functools
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Mapping

__all__ = ["is_flat", "own_copy", "pack_flat", "packed_keys", "unpack_flat"]


@functools.lru_cache(maxsize=1024)
def packed_keys(keys: tuple[str, ...]) -> tuple[str, ...]:
    """The keys ``pack_flat`` puts first for a dict of these keys (in this order).

    One tuple object for every equal tuple of keys (the cache is the store), also for
    what packs values known to be flat itself (bulk seeding).
    """
    return keys


_NESTED = (dict, list)


def is_flat(value: Mapping[str, Any]) -> bool:
    """Whether ``value`` holds no dict or list: a shallow copy of it is a full copy."""
    # A plain loop: any() over a generator, testing against ``dict | list``, took twice
    # as long, and seeding asks twice a member (address and metadata).
    for item in value.values():  # noqa: SIM110 - a generator costs what is saved
        if isinstance(item, _NESTED):
            return False
    return True


def own_copy(value: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of a record's dict that shares nothing mutable with ``value``.

    The caller's dict stays the caller's: changing it later changes no record.
    """
    return dict(value) if is_flat(value) else copy.deepcopy(dict(value))


def pack_flat(value: dict[str, Any] | None) -> tuple[Any, ...] | dict[str, Any] | None:
    """A flat dict as ``(keys, *values)`` with ``keys`` shared, others as a deep copy.

    A four-key address dict is 184 bytes; its values in a tuple beside a shared tuple
    of keys are 96. A copy either way: the caller's dict stays the caller's.
    """
    if value is None:
        return None
    if not is_flat(value):
        return own_copy(value)
    return (packed_keys(tuple(value)), *value.values())


def unpack_flat(packed: tuple[Any, ...] | dict[str, Any] | None) -> dict[str, Any] | None:
    """The dict ``pack_flat`` packed, as a new dict."""
    if packed is None:
        return None
    if isinstance(packed, dict):
        return own_copy(packed)
    return dict(zip(packed[0], packed[1:], strict=True))
