"""The serve command's options about the connection: address, port, hosts, timeouts, limits."""

from __future__ import annotations

import argparse

from loyalty_fake.journal import DEFAULT_JOURNAL_SIZE
from loyalty_fake.rate_limit import RateLimit, rate_limit

__all__ = ["add_server_options"]

_MAX_PORT = 65535


def _calls(text: str) -> int:
    """``--journal-size``: a whole number of calls, 0 (no call journal) or more."""
    if not text.isdigit():
        msg = f"{text!r} is not a number of calls: give 0 or more"
        raise argparse.ArgumentTypeError(msg)
    return int(text)


def _port(text: str) -> int:
    """``--port``: a TCP port, 0-65535 (argparse turns the error into its usage message)."""
    try:
        port = int(text)
    except ValueError:
        port = -1
    if not 0 <= port <= _MAX_PORT:
        msg = f"{text!r} is not a port: give 0-{_MAX_PORT} (0 picks a free one)"
        raise argparse.ArgumentTypeError(msg)
    return port


def _seconds(text: str) -> float:
    """``--idle-timeout``, ``--request-timeout``: a positive number of seconds."""
    try:
        seconds = float(text)
    except ValueError:
        seconds = -1.0
    if not 0 < seconds < float("inf"):
        msg = f"{text!r} is not a number of seconds: give a positive number"
        raise argparse.ArgumentTypeError(msg)
    return seconds


def _rate_limit(text: str) -> RateLimit | None:
    """``--rate-limit``: calls per period, as ``10/s,1000/h``."""
    try:
        return rate_limit(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from error


def add_server_options(parser: argparse.ArgumentParser) -> None:
    """Add where the server listens, which hosts it answers, its timeouts and limits."""
    parser.add_argument(
        "--host", default="127.0.0.1", help="address to bind (default: 127.0.0.1, loopback only)"
    )
    parser.add_argument(
        "--port",
        type=_port,
        default=8080,
        help="port to listen on, 0-65535; 0 picks a free one (default: 8080)",
    )
    parser.add_argument(
        "--journal-size",
        type=_calls,
        default=DEFAULT_JOURNAL_SIZE,
        metavar="N",
        help="keep the last N calls for GET /_fake/journal and the dashboard (with "
        f"--control-plane; none without); 0 keeps none (default: {DEFAULT_JOURNAL_SIZE})",
    )
    parser.add_argument(
        "--allow-host",
        metavar="NAME",
        action="append",
        default=[],
        help="answer requests for the Host NAME too, repeatable; '*' answers any "
        "(default: localhost, IP addresses and the --host name; bound to 0.0.0.0 or ::, "
        "single-label names such as Docker service names too)",
    )
    parser.add_argument(
        "--strict-content-type",
        action="store_true",
        help="answer 415 to a request body sent without a Content-Type "
        "(default: read it as JSON; a Content-Type other than JSON is 415 either way)",
    )
    parser.add_argument(
        "--no-access-log",
        action="store_true",
        help="print no line per request (default: method, path, status and time of each)",
    )
    parser.add_argument(
        "--idle-timeout",
        type=_seconds,
        default=60.0,
        metavar="SECONDS",
        help="close a kept-alive connection idle this long (default: 60)",
    )
    parser.add_argument(
        "--request-timeout",
        type=_seconds,
        default=30.0,
        metavar="SECONDS",
        help="answer 408 to a request that has not arrived whole this long after it began "
        "(default: 30)",
    )
    parser.add_argument(
        "--rate-limit",
        type=_rate_limit,
        metavar="CALLS/PERIOD",
        help="answer like Voucherify's API limits: at most CALLS per s, min or h per project "
        "(X-App-Id), comma-separated (10/s,1000/h); every answer carries X-Rate-Limit-* "
        "headers, a call over it 429 with Retry-After (default: no limit)",
    )
