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


EARNING_SCRIPT = textwrap.dedent(
    """
    from loyalty_fake import LoyaltyFake

    fake = LoyaltyFake(seed=5, now="2024-01-25T10:00:00Z")
    rules = [
        {"event": "order.paid", "loyalty": {"type": "FIXED", "points": 10}},
        {
            "event": "visit",
            "custom_event": {"schema_id": "ms_1"},
            "loyalty": {"type": "FIXED", "points": 2},
        },
    ]
    steps = [
        ("POST", "/v1/loyalties", {"name": "P", "auto_join": True}),
        ("POST", "/v1/loyalties/P/earning-rules", rules),
        ("POST", "/v1/customers", {"source_id": "ada", "metadata": {"b": 1, "a": 2}}),
        ("POST", "/v1/orders", {"source_id": "o1", "status": "PAID", "customer": "ada"}),
        ("POST", "/v1/events", {"event": "visit", "customer": {"source_id": "bob"}}),
        ("DELETE", "/v1/customers/bob", None),
        ("POST", "/v1/customers", {"source_id": "bob"}),
        ("POST", "/v1/customers/ada/permanent-deletion", None),
        ("GET", "/v1/orders", None),
        ("GET", "/v1/customers", None),
        ("GET", "/v1/loyalties/P/members", None),
    ]
    bodies = []
    for method, path, body in steps:
        fake.clock.advance(seconds=1)
        bodies.append(fake.request(method, path, json_body=body).body)
    for member in fake.request("GET", "/v1/loyalties/P/members").json()["vouchers"]:
        path = f"/v1/loyalties/members/{member['code']}"
        bodies.append(fake.request("GET", path + "/transactions").body)
        bodies.append(fake.request("GET", path + "/activity").body)
    print(b"\\n".join(bodies).decode())
    """
)


def test_the_earning_loop_is_the_same_bytes_everywhere() -> None:
    """Customers, orders, rules and events: the same calls give the same bytes in any process."""
    outputs = set()
    for hash_seed in ("0", "12345", "0"):
        env = {**os.environ, "PYTHONHASHSEED": hash_seed}
        result = subprocess.run(  # noqa: S603 - our own interpreter and script
            [sys.executable, "-c", EARNING_SCRIPT],
            env=env,
            capture_output=True,
            check=True,
        )
        outputs.add(result.stdout)
    (output,) = outputs
    assert b"POINTS_ACCRUAL" in output
    assert b"pernament_deletion" in output
