"""Derived IDs are the plain hashes they were defined as (``ids.py`` copies fresh hashers)."""

from __future__ import annotations

import base64
import hashlib

import pytest

from loyalty_fake.ids import ALPHANUMERIC, asset_id, derived_id

_TABLE = bytes(ALPHANUMERIC.encode()[i % len(ALPHANUMERIC)] for i in range(256))


def _plain_derived_id(prefix: str, seed: str, length: int) -> str:
    digest = hashlib.blake2b(
        seed.encode("utf-8", "surrogatepass"), digest_size=max(length, 16)
    ).digest()
    return prefix + digest[:length].translate(_TABLE).decode("ascii")


def _plain_asset_id(voucher_id: str, kind: str) -> str:
    seed = f"{voucher_id}/{kind}".encode()
    blob = (
        b"Salted__"
        + hashlib.blake2b(seed, digest_size=64).digest()
        + hashlib.blake2b(seed, digest_size=24, person=b"loyalty-fake").digest()
    )
    return base64.b64encode(blob).decode("ascii")


@pytest.mark.parametrize("length", [8, 16, 18, 24, 32, 40])
@pytest.mark.parametrize("seed", ["", "camp_1/CODE-1", "s\udc80rrogate", "ü/" * 200])
def test_derived_id_is_the_plain_hash(seed: str, length: int) -> None:
    """Every length, cached hasher or not, twice in a row (a copy never carries state)."""
    assert derived_id("v_", seed, length) == _plain_derived_id("v_", seed, length)
    assert derived_id("v_", seed, length) == _plain_derived_id("v_", seed, length)


@pytest.mark.parametrize("kind", ["qr", "barcode"])
def test_asset_id_is_the_plain_hash(kind: str) -> None:
    """Two cards in a row: each asset ID is its own voucher's, from a fresh hasher."""
    for voucher_id in ("v_abc", "v_def", "v_abc"):
        assert asset_id(voucher_id, kind) == _plain_asset_id(voucher_id, kind)
