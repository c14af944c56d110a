"""The same seed and the same calls give byte-identical responses, IDs and timestamps."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

from loyalty_fake import LoyaltyFake

SCRIPT = textwrap.dedent(
    """
    from loyalty_fake import LoyaltyFake

    fake = LoyaltyFake(seed={seed}, now="2024-01-01T00:00:00Z")
    bodies = [
        fake.request("POST", "/v1/loyalties", json_body={{"name": "P", "vouchers_count": 3}}).body,
        fake.request("POST", "/v1/loyalties/P/members", json_body={{"customer": "alice"}}).body,
        fake.request(
            "POST", "/v1/loyalties/P/members", json_body={{"customer": {{"id": "cust_x"}}}}
        ).body,
        fake.request("GET", "/v1/loyalties/P/members").body,
    ]
    print(b"\\n".join(bodies).decode())
    """
)


def _transcript(seed: int) -> bytes:
    fake = LoyaltyFake(seed=seed, now="2024-01-01T00:00:00Z")
    steps = [
        ("POST", "/v1/loyalties", {"name": "P", "vouchers_count": 3}),
        ("POST", "/v1/loyalties/P/members", {"customer": "alice"}),
        ("POST", "/v1/loyalties/P/members", {"customer": {"id": "cust_unknown"}}),
        ("GET", "/v1/loyalties/P/members", None),
    ]
    out = []
    for method, path, body in steps:
        fake.clock.advance(seconds=1)
        out.append(fake.request(method, path, json_body=body).body)
    return b"\n".join(out)


def test_same_seed_same_bytes() -> None:
    """Two fakes with one seed answer the same calls byte for byte, error request_ids included."""
    assert _transcript(42) == _transcript(42)


def test_different_seeds_differ() -> None:
    """Another seed gives other IDs and codes."""
    assert _transcript(1) != _transcript(2)


def test_same_bytes_across_processes_and_hash_seeds() -> None:
    """Separate interpreters with different PYTHONHASHSEED give the same bytes."""
    outputs = set()
    for hash_seed in ("0", "12345"):
        env = {**os.environ, "PYTHONHASHSEED": hash_seed}
        result = subprocess.run(  # noqa: S603 - our own interpreter and script
            [sys.executable, "-c", SCRIPT.format(seed=9)],
            env=env,
            capture_output=True,
            check=True,
        )
        outputs.add(result.stdout)
    assert len(outputs) == 1
    assert b'"code":' in next(iter(outputs))
