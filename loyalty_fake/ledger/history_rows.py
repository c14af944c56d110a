"""A card's transactions as rows of integers, packed: their byte layout (see ``TransactionLog``).

What a row holds is ``history.py``'s to say; how rows are kept in bytes, as narrow as
their values allow, and appended to, is here.
"""

from __future__ import annotations

import datetime as dt
import functools
import struct
from array import array

__all__ = [
    "DAY_MS",
    "EPOCH",
    "MS",
    "NO_ROWS",
    "PACKED_ROWS",
    "PACKINGS",
    "ROW",
    "ROW_STRUCTS",
    "day_and_ms",
    "with_row",
]

EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)
MS = dt.timedelta(milliseconds=1)
DAY_MS = 86_400_000
# One row of integers per transaction: seq, created_at as days since the epoch and
# milliseconds into that day, points, total, balance, expired_points, subtracted_points,
# next_expiration_date (ordinal, 0 for none), next_expiration_points, the type (4 bits)
# with the position plus one (0 for none) in the card's transaction_refs of the bucket
# that expired, the redemption or the accrual, and the texts' position in the project's
# TextTable.
# A card keeps its rows as bytes in a narrow form (see TransactionLog).
ROW = 12
# The packed forms of a card's rows, narrowest first: a card's rows take the first
# whose every column holds them, and keep the form's number as their first byte.
PACKINGS = ("<IHIhhhhhIhHH", "<IHIiiiiiIiIH", "<" + "q" * ROW)
ROW_STRUCTS = tuple(struct.Struct(packing) for packing in PACKINGS)
# A card's rows stay bytes up to this many; past it, a growable array (appending to
# bytes copies them).
PACKED_ROWS = 64
NO_ROWS = bytes(1)


@functools.lru_cache(maxsize=256)
def _rows_struct(form: int, count: int) -> struct.Struct:
    return struct.Struct(PACKINGS[form][0] + PACKINGS[form][1:] * count)


def _pack_rows(rows: array[int]) -> bytes:
    """``rows`` in the narrowest form whose every column holds them."""
    count = len(rows) // ROW
    for form in range(len(PACKINGS) - 1):
        try:
            return bytes((form,)) + _rows_struct(form, count).pack(*rows)
        except struct.error:  # noqa: PERF203 - a wider form is rare
            continue
    return bytes((len(PACKINGS) - 1,)) + _rows_struct(len(PACKINGS) - 1, count).pack(*rows)


def _unpack_rows(rows: bytes) -> array[int]:
    form = rows[0]
    count = (len(rows) - 1) // ROW_STRUCTS[form].size
    return array("q", _rows_struct(form, count).unpack_from(rows, 1))


def day_and_ms(moment: dt.datetime) -> tuple[int, int]:
    """``moment`` as days since the epoch and milliseconds into that day (a row's two columns).

    What ``divmod((moment - EPOCH) // MS, DAY_MS)`` gives: a timedelta keeps its
    seconds and microseconds within the day it counts, so they are the remainder.
    Read off the difference, it costs half of dividing timedeltas.
    """
    since = moment - EPOCH
    return since.days, since.seconds * 1000 + since.microseconds // 1000


def with_row(rows: array[int] | bytes, row: tuple[int, ...]) -> array[int] | bytes:
    """``rows`` with ``row`` appended: bytes in place of short rows, the array grown."""
    if isinstance(rows, array):
        rows.extend(row)
        return rows
    packing = ROW_STRUCTS[rows[0]]
    short = (len(rows) - 1) // packing.size < PACKED_ROWS
    if short:
        try:
            return rows + packing.pack(*row)
        except struct.error:  # a column outgrew the form: repack all, wider
            pass
    unpacked = _unpack_rows(rows)
    unpacked.extend(row)
    return _pack_rows(unpacked) if short else unpacked
