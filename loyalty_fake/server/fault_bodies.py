"""``/_fake/faults``'s bodies: a fault read from JSON, and faults written as JSON."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from loyalty_fake.errors import bad_request

if TYPE_CHECKING:
    from loyalty_fake.faults import Fault, Faults
    from loyalty_fake.http.params import Body

__all__ = ["add_fault", "fault_json", "fault_list"]

_KNOWN = frozenset(
    {
        "operation", "method", "path", "status", "latency_ms", "timeout", "drop", "times",
        "probability", "retry_after",
    }
)  # fmt: skip
# Milliseconds: a served fault holds a server thread, so an hour at most.
_MAX_LATENCY_MS = 3_600_000


def add_fault(faults: Faults, body: Body) -> Fault:
    """Add the fault ``body`` describes to ``faults``; a 400 for a body that describes none.

    As ``Faults.add``'s, with ``latency_ms`` for ``latency`` and no predicate. The HTTP
    server leaves a timeout's or a drop's request unanswered (``server/http11.py``).
    """
    unknown = sorted(set(body.data) - _KNOWN)
    if unknown:
        body.fail(unknown[0], f"is not a fault's property; known: {', '.join(sorted(_KNOWN))}")
    latency_ms = body.integer("latency_ms", minimum=0, maximum=_MAX_LATENCY_MS) or 0
    probability = body.data.get("probability", 1.0)
    if isinstance(probability, bool) or not isinstance(probability, int | float):
        body.fail("probability", "must be number")
    try:
        return faults.add(
            body.string("operation", non_empty=True),
            method=body.string("method", non_empty=True),
            path=body.string("path", non_empty=True),
            status=body.integer("status", minimum=400, maximum=599),
            latency=latency_ms / 1000,
            timeout=body.boolean("timeout") or False,
            drop=body.boolean("drop") or False,
            times=body.integer("times", minimum=1),
            probability=float(probability),
            retry_after=body.integer("retry_after", minimum=0) or 1,
        )
    except ValueError as error:
        raise bad_request("invalid_payload", "Invalid payload", str(error)) from error


def fault_json(fault: Fault) -> dict[str, Any]:
    """One fault as ``/_fake/faults`` shows it."""
    return {
        "operation": fault.operation,
        "method": fault.method,
        "path": fault.path,
        "status": fault.status,
        "latency_ms": round(fault.latency * 1000),
        "timeout": fault.timeout,
        "drop": fault.drop,
        "times": fault.times,
        "probability": fault.probability,
        "retry_after": fault.retry_after,
        "predicate": fault.predicate is not None,
        "fired": fault.fired,
    }


def fault_list(faults: Faults | None) -> list[dict[str, Any]]:
    """The faults in force, oldest first."""
    return [] if faults is None else [fault_json(fault) for fault in faults.all()]
