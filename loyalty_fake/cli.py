"""The ``loyalty-fake`` command."""

from __future__ import annotations

import argparse
import logging
import shutil
import sys
import tempfile
import time
import warnings
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING

from loyalty_fake.cli_keys import add_key_options, parse_keys
from loyalty_fake.fake import LoyaltyFake
from loyalty_fake.journal import DEFAULT_JOURNAL_SIZE

if TYPE_CHECKING:
    from collections.abc import Sequence

    from loyalty_fake.server.store import Store

__all__ = ["main"]

_MAX_PORT = 65535
_DEFAULT_SEED = 42
# What a shell reports for a command stopped by Ctrl-C (128 + SIGINT).
_INTERRUPTED = 130


def _error(message: str) -> int:
    """Print one line of error, the way argparse words its own; the exit code 2."""
    print(f"loyalty-fake: error: {message}", file=sys.stderr)
    return 2


def _progress(message: str) -> None:
    """A line about long work, on stderr: stdout stays the command's own output."""
    print(message, file=sys.stderr, flush=True)


def _positive(text: str) -> int:
    """``--compact-every``: a whole number of writes, at least 1."""
    try:
        number = int(text)
    except ValueError:
        number = 0
    if number < 1:
        msg = f"{text!r} is not a number of writes: give 1 or more"
        raise argparse.ArgumentTypeError(msg)
    return number


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


def _state_directory(path: str) -> tuple[str | None, bool]:
    """Make sure ``path`` is a directory we can write in; (why not, or None; created it).

    Checked before any long work, so a wrong ``--state`` costs nothing but one line. A
    directory made here is private to its user (state files are too: ``store.py``).
    """
    directory = Path(path)
    if directory.exists() and not directory.is_dir():
        return f"--state {path}: is a file, not a directory", False
    created = not directory.exists()
    try:
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        if created:
            directory.chmod(0o700)
        with tempfile.TemporaryFile(dir=directory):
            pass
    except OSError as error:
        return f"--state {path}: cannot write there ({error.strerror or error})", False
    return None, created


def _version() -> str:
    try:
        return metadata.version("loyalty-fake")
    except metadata.PackageNotFoundError:  # pragma: no cover - run from a bare checkout
        return "unknown (not installed)"


def _demo(seed: int, members: int) -> int:
    """Create a program, add members and list them through the official SDK, in-process."""
    try:
        import voucherify  # noqa: PLC0415 - the SDK is an optional (test) dependency
    except ImportError:
        print(
            "the demo talks through the official SDK: pip install 'loyalty-fake[test]'",
            file=sys.stderr,
        )
        return 2
    from faker import Faker  # noqa: PLC0415 - only the demo needs fake people

    faker = Faker()
    faker.seed_instance(seed)
    # The SDK marks every legacy /v1/loyalties method deprecated; the demo is about the fake.
    warnings.simplefilter("ignore", DeprecationWarning)
    with LoyaltyFake(seed=seed, now="2026-01-15T09:30:00Z") as fake:
        api = voucherify.LoyaltiesApi(
            voucherify.ApiClient(voucherify.Configuration(api_key=fake.headers))
        )
        program = api.create_loyalty_program(
            voucherify.LoyaltiesCreateCampaignRequestBody(
                name="Demo Coffee Club",
                type="AUTO_UPDATE",
                vouchers_count=members,
                voucher=voucherify.CampaignLoyaltyVoucher(
                    loyalty_card=voucherify.CampaignLoyaltyCard(points=100),
                    code_config=voucherify.CodeConfig(pattern="CLUB-####"),
                ),
            )
        )
        program_id = str(program.id)
        print(f"created {program.name} ({program_id}) with {program.vouchers_count} cards")
        for _ in range(members):
            fake.clock.advance(minutes=5)
            customer = voucherify.Customer(
                source_id=faker.unique.email(), name=faker.name(), phone=faker.phone_number()
            )
            api.add_member(
                program_id, voucherify.LoyaltiesMembersCreateRequestBody(customer=customer)
            )
        listed = api.list_members(program_id, limit=100)
        print(f"{listed.total} members:")
        customers = {c["id"]: c for c in fake.customers()}
        for card in listed.vouchers or []:
            holder = customers[card.holder_id]
            balance = card.loyalty_card.balance if card.loyalty_card else 0
            print(f"  {card.code}  {balance:>4} points  {holder['name']} <{holder['source_id']}>")
    return 0


def _seed(args: argparse.Namespace) -> int:
    """Run ``loyalty-fake seed``: seed, show progress, write the state, summarize.

    Ctrl-C stops it with exit 130 and the state directory as it was: the directory is
    taken first (a server on it refuses the command), nothing is written until the
    seeding is done, and the new state replaces the old in one transaction.
    """
    from loyalty_fake.server.journal import (  # noqa: PLC0415
        CompactedThenInterrupted,
        NotWrittenError,
        StateError,
    )
    from loyalty_fake.server.store import Store  # noqa: PLC0415

    problem, created = _state_directory(args.state)
    if problem:
        return _error(problem)
    store = Store(args.state)
    try:
        store.claim()
        return _seed_into(args, store)
    except (StateError, NotWrittenError) as error:
        print(f"loyalty-fake: {error}", file=sys.stderr)
        return 1
    except CompactedThenInterrupted:
        print(
            f"loyalty-fake: interrupted; {args.state} holds the new state, written whole",
            file=sys.stderr,
        )
        return _INTERRUPTED
    except KeyboardInterrupt:
        store.close()
        if created:
            # Nothing was written but the lock: leave no directory behind either.
            shutil.rmtree(args.state, ignore_errors=True)
        print(f"loyalty-fake: interrupted; {args.state} is as it was", file=sys.stderr)
        return _INTERRUPTED
    finally:
        store.close()


def _seed_into(args: argparse.Namespace, store: Store) -> int:
    from loyalty_fake.seeding import seed_demo  # noqa: PLC0415

    started = time.perf_counter()
    fake = LoyaltyFake(seed=args.seed, now=args.now)

    def progress(done: int, total: int) -> None:
        width = 30
        filled = width * done // max(total, 1)
        rate = done / max(time.perf_counter() - started, 1e-9)
        bar = "#" * filled + "." * (width - filled)
        print(f"\rseeding [{bar}] {done}/{total} members ({rate:,.0f}/s)", end="", file=sys.stderr)

    try:
        summary = seed_demo(
            fake,
            seed=args.seed,
            programs=args.programs,
            members=args.members,
            progress=progress,
            earning=args.earning,
        )
    finally:
        print(file=sys.stderr)  # ends the progress bar's line, done or interrupted
    _progress(f"writing the state to {args.state} ...")
    # The new state replaces whatever was there, journal included, in one transaction.
    store.replace(fake.ledger.snapshot(), args.seed)
    took = time.perf_counter() - started
    size = store.size()
    print(
        f"seeded {summary['members']} members in {len(summary['programs'])} program(s), "
        f"{summary['transactions']} points movements, seed {args.seed}, in {took:.1f} s; "
        f"state {args.state} ({size / 1e6:.1f} MB)."
    )
    print(f"serve it: loyalty-fake serve --state {args.state}")
    return 0


def _serve(args: argparse.Namespace) -> int:
    """Run ``loyalty-fake serve``."""
    from loyalty_fake.server import serve  # noqa: PLC0415 - waitress only for the server

    keys = parse_keys(args)
    if isinstance(keys, str):
        print(keys, file=sys.stderr)
        return 2
    from loyalty_fake.server import Interrupted  # noqa: PLC0415
    from loyalty_fake.server.journal import NotWrittenError, StateError  # noqa: PLC0415
    from loyalty_fake.server.live import CannotServeError  # noqa: PLC0415

    if args.state is not None:
        problem, _ = _state_directory(args.state)
        if problem:
            return _error(problem)
    logging.basicConfig(level=logging.WARNING, format="loyalty-fake: %(message)s")
    fake = LoyaltyFake(
        seed=_DEFAULT_SEED if args.seed is None else args.seed,
        strict_content_type=args.strict_content_type,
        **keys,
        client_origins=args.client_origin,
        journal_size=args.journal_size,
    )
    try:
        return serve(
            fake,
            host=args.host,
            port=args.port,
            state=args.state,
            demo=not args.no_demo,
            control_plane=args.control_plane,
            out=lambda line: print(line, flush=True),
            progress=_progress,
            seed=args.seed,
            fsync=args.fsync,
            compact_every=args.compact_every,
            allow_hosts=args.allow_host,
            access_log=not args.no_access_log,
            idle_timeout=args.idle_timeout,
            request_timeout=args.request_timeout,
            earning=args.earning,
        )
    except CannotServeError as error:
        print(f"loyalty-fake: {error}", file=sys.stderr)
        return 1
    except (StateError, NotWrittenError) as error:
        print(f"loyalty-fake: {error}", file=sys.stderr)
        return 1
    except Interrupted as interrupted:
        print(f"loyalty-fake: interrupted {interrupted}", file=sys.stderr)
        return _INTERRUPTED


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``loyalty-fake`` command line."""
    parser = argparse.ArgumentParser(prog="loyalty-fake", description=__doc__)
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    commands = parser.add_subparsers(dest="command", required=True)
    demo = commands.add_parser(
        "demo", help="create a program and members through the official SDK, in-process"
    )
    demo.add_argument(
        "--seed", type=int, default=42, help="seed for IDs, codes and fake people (default: 42)"
    )
    demo.add_argument("--members", type=int, default=5, help="how many members to add (default: 5)")
    server = commands.add_parser(
        "serve", help="serve the fake over HTTP, with a seeded demo program"
    )
    server.add_argument(
        "--host", default="127.0.0.1", help="address to bind (default: 127.0.0.1, loopback only)"
    )
    server.add_argument(
        "--port",
        type=_port,
        default=8080,
        help="port to listen on, 0-65535; 0 picks a free one (default: 8080)",
    )
    server.add_argument(
        "--state",
        metavar="DIR",
        help="keep state in DIR across restarts, created if missing (default: in memory only)",
    )
    server.add_argument(
        "--seed",
        type=int,
        help="seed for IDs, codes and demo data (default: the one the --state directory was "
        f"made with, else {_DEFAULT_SEED}); a --state made with another is refused",
    )
    server.add_argument(
        "--no-demo", action="store_true", help="start empty (default: a demo program, 5 members)"
    )
    server.add_argument(
        "--control-plane",
        action="store_true",
        help="serve /_fake/ (reset, state, clock, seed, the OpenAPI document, the dashboard) "
        "to anyone who can reach the port, without credentials (default: off)",
    )
    server.add_argument(
        "--fsync",
        action="store_true",
        help="with --state: make every write survive a power cut, not only a crash of the "
        "server, at the price of a disk flush per write (default: off)",
    )
    server.add_argument(
        "--compact-every",
        type=_positive,
        default=10_000,
        metavar="N",
        help="with --state: write a snapshot every N writes, which bounds what a restart "
        "after a crash replays (default: 10000)",
    )
    server.add_argument(
        "--journal-size",
        type=_calls,
        default=DEFAULT_JOURNAL_SIZE,
        metavar="N",
        help="keep the last N calls for GET /_fake/journal and the dashboard; 0 keeps none "
        f"(default: {DEFAULT_JOURNAL_SIZE})",
    )
    # The old opt-out, now the default: accepted so existing scripts keep working.
    server.add_argument(
        "--no-control-plane", dest="control_plane", action="store_false", help=argparse.SUPPRESS
    )
    add_key_options(server)
    server.add_argument(
        "--allow-host",
        metavar="NAME",
        action="append",
        default=[],
        help="answer requests for the Host NAME too, repeatable; '*' answers any "
        "(default: localhost, IP addresses and the --host name; bound to 0.0.0.0 or ::, "
        "single-label names such as Docker service names too)",
    )
    server.add_argument(
        "--strict-content-type",
        action="store_true",
        help="answer 415 to a request body sent without a Content-Type "
        "(default: read it as JSON; a Content-Type other than JSON is 415 either way)",
    )
    server.add_argument(
        "--no-access-log",
        action="store_true",
        help="print no line per request (default: method, path, status and time of each)",
    )
    server.add_argument(
        "--idle-timeout",
        type=_seconds,
        default=60.0,
        metavar="SECONDS",
        help="close a kept-alive connection idle this long (default: 60)",
    )
    server.add_argument(
        "--request-timeout",
        type=_seconds,
        default=30.0,
        metavar="SECONDS",
        help="answer 408 to a request that has not arrived whole this long after it began "
        "(default: 30)",
    )
    seeder = commands.add_parser(
        "seed", help="build a seeded loyalty program into a state directory for `serve --state`"
    )
    seeder.add_argument(
        "--seed", type=int, default=42, help="seed for every ID, name and history (default: 42)"
    )
    seeder.add_argument("--programs", type=int, default=1, help="how many programs (default: 1)")
    seeder.add_argument(
        "--members", type=int, default=1000, help="members per program (default: 1000)"
    )
    seeder.add_argument(
        "--state",
        metavar="DIR",
        required=True,
        help="the state directory to write, created if missing; its old state is replaced",
    )
    seeder.add_argument("--now", help="the fake's clock while seeding (default: real time)")
    for command in (server, seeder):
        command.add_argument(
            "--earning",
            action="store_true",
            help="give each program order.paid earning rules and its members paid orders "
            "that earn (default: points added by hand, no orders)",
        )
    args = parser.parse_args(argv)
    try:
        if args.command == "seed":
            return _seed(args)
        if args.command == "demo":
            return _demo(args.seed, args.members)
        if args.command == "serve":
            return _serve(args)
    except KeyboardInterrupt:
        # Anywhere the commands do not say more themselves.
        print("loyalty-fake: interrupted", file=sys.stderr)
        return _INTERRUPTED
    parser.error(f"unknown command {args.command}")  # pragma: no cover - argparse rejects it first
    return 2  # pragma: no cover


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
