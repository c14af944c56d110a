"""The ``loyalty-fake`` command."""

from __future__ import annotations

import argparse
import logging
import shutil
import sys
import tempfile
import time
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING

from loyalty_fake.cli_demo import demo_command
from loyalty_fake.cli_keys import add_key_options, parse_keys
from loyalty_fake.cli_proxy import add_proxy_commands, run_proxy_command
from loyalty_fake.cli_serve import add_server_options
from loyalty_fake.fake import LoyaltyFake

if TYPE_CHECKING:
    from collections.abc import Sequence

    from loyalty_fake.server.store import Store

__all__ = ["main"]

_DEFAULT_SEED = 42
# What a shell reports for a command stopped by Ctrl-C (128 + SIGINT).
_INTERRUPTED = 130


def _error(message: str) -> int:
    """Print one line of error, the way argparse words its own; the exit code 2."""
    print(f"loyalty-fake: error: {message}", file=sys.stderr)
    return 2


def _progress(message: str) -> None:
    """A line about long work, on stderr: stdout stays the command's own output.

    Written with its newline in one call: print writes them apart, and a Ctrl-C between
    the two would leave the next line (saying what was interrupted) on the end of this one.
    """
    sys.stderr.write(f"{message}\n")
    sys.stderr.flush()


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
        # The call journal is read only through /_fake/ (its journal and the dashboard):
        # without the control plane no one can, and keeping each call costs a served
        # get-member a fifth of its time.
        journal_size=args.journal_size if args.control_plane else 0,
        rate_limit=args.rate_limit,
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
    # The old opt-out, now the default: accepted so existing scripts keep working.
    server.add_argument(
        "--no-control-plane", dest="control_plane", action="store_false", help=argparse.SUPPRESS
    )
    add_key_options(server)
    add_server_options(server)
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
    add_proxy_commands(commands, server)
    args = parser.parse_args(argv)
    try:
        proxied = run_proxy_command(args)
        if proxied is not None:
            return proxied
        if args.command == "seed":
            return _seed(args)
        if args.command == "demo":
            return demo_command(args.seed, args.members)
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
