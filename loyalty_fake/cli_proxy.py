"""``loyalty-fake serve --upstream URL`` (the differential proxy) and ``loyalty-fake compare``."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from loyalty_fake.fake import LoyaltyFake

if TYPE_CHECKING:
    import argparse

__all__ = ["DEFAULT_REPORT", "add_proxy_commands", "run_proxy_command"]

DEFAULT_REPORT = "loyalty-fake-differences.jsonl"
_DEFAULT_SEED = 42


def add_proxy_commands(commands: Any, server: argparse.ArgumentParser) -> None:
    """``serve``'s ``--upstream``, ``--report`` and ``--record``; the ``compare`` command."""
    server.add_argument(
        "--upstream",
        metavar="URL",
        help="the differential proxy: forward each call to URL (https://api.voucherify.io, "
        "or your cluster's), answer with its response, replay the call on the fake and "
        "report the differences (default: off, the fake answers)",
    )
    for parser in (server, compare := commands.add_parser("compare", help=_COMPARE_HELP)):
        parser.add_argument(
            "--report",
            metavar="FILE",
            default=DEFAULT_REPORT,
            help=f"with --upstream: append each call's differences to FILE, JSON lines "
            f"(default: {DEFAULT_REPORT})",
        )
    server.add_argument(
        "--record",
        metavar="FILE",
        help="with --upstream: append each call and the upstream's answer to FILE, for "
        "`loyalty-fake compare FILE` to compare offline later; no header is written "
        "(default: no recording)",
    )
    compare.add_argument("recording", metavar="RECORDING", help="a file made by --record")
    compare.add_argument(
        "--seed", type=int, default=_DEFAULT_SEED, help="the fake's seed (default: 42)"
    )


_COMPARE_HELP = (
    "replay a --record file on a fresh fake and report where its answers differ; "
    "exit 1 when any does"
)


def run_proxy_command(args: argparse.Namespace) -> int | None:
    """Run ``compare``, or ``serve --upstream``; ``None`` for any other command."""
    if args.command == "compare":
        return _compare(args)
    if args.command == "serve" and args.upstream:
        return _serve_proxy(args)
    return None


def _compare(args: argparse.Namespace) -> int:
    from loyalty_fake.server.proxy import DifferentialApp, RecordedUpstream  # noqa: PLC0415

    try:
        upstream = RecordedUpstream(args.recording)
        requests = upstream.requests()
    except (OSError, ValueError, KeyError) as error:
        print(f"loyalty-fake: error: {args.recording}: cannot read it ({error})", file=sys.stderr)
        return 2
    fake = LoyaltyFake(seed=args.seed)
    app = DifferentialApp(fake, upstream=upstream, report=args.report, fake_headers=fake.headers)
    differing = 0
    for request in requests:
        request.headers.update({k.lower(): v for k, v in fake.headers.items()})
        app.handle(request)
        last = fake.journal.last
        differing += bool(last is not None and last.differences)
    print(f"{len(requests)} calls compared, {differing} differ; report: {args.report}")
    return 1 if differing else 0


def _serve_proxy(args: argparse.Namespace) -> int:
    from loyalty_fake.server.live import AccessLog, CannotServeError, LiveServer  # noqa: PLC0415
    from loyalty_fake.server.proxy import DifferentialApp, HttpUpstream  # noqa: PLC0415
    from loyalty_fake.server.serving import serve_until_stopped  # noqa: PLC0415

    if args.state is not None:
        print(
            "loyalty-fake: error: --upstream keeps the fake in memory: drop --state",
            file=sys.stderr,
        )
        return 2
    fake = LoyaltyFake(
        seed=_DEFAULT_SEED if args.seed is None else args.seed, journal_size=args.journal_size
    )
    app = DifferentialApp(
        fake,
        control_plane=args.control_plane,
        upstream=HttpUpstream(args.upstream),
        report=Path(args.report),
        record=None if args.record is None else Path(args.record),
        fake_headers=fake.headers,
        fake_client_headers=fake.client_headers,
    )
    log = None if args.no_access_log else AccessLog(lambda line: print(line, flush=True))
    live = LiveServer(
        app,
        host=args.host,
        port=args.port,
        allow_hosts=tuple(args.allow_host),
        access_log=log,
        idle_timeout=args.idle_timeout,
        request_timeout=args.request_timeout,
    )
    try:
        server = live.start()
    except CannotServeError as error:
        print(f"loyalty-fake: {error}", file=sys.stderr)
        return 1

    def banner() -> None:
        print(f"loyalty-fake serving {server.url}  (Ctrl-C to stop)", flush=True)
        print(f"  proxy to {args.upstream}; differences: {args.report}", flush=True)

    serve_until_stopped(server, log, banner, lambda: print("loyalty-fake stopped", flush=True))
    return 0
