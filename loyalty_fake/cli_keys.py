"""The serve command's keys: ``--credentials``, ``--client-credentials``, ``--client-origin``."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import argparse

__all__ = ["add_key_options", "parse_keys"]


def add_key_options(parser: argparse.ArgumentParser) -> None:
    """Add the options that name the keys and origins the server accepts."""
    parser.add_argument(
        "--credentials",
        metavar="APP_ID:TOKEN",
        action="append",
        default=[],
        help="accept only these X-App-Id/X-App-Token pairs, repeatable "
        "(default: any pair; the demo data is in loyalty-fake-app-id's project)",
    )
    parser.add_argument(
        "--client-credentials",
        metavar="APP_ID:CLIENT_APP_ID:CLIENT_TOKEN",
        action="append",
        default=[],
        help="the client-side keys (X-Client-Application-Id/X-Client-Token) of project "
        "APP_ID, the only ones /client/v1/... accepts, repeatable (default: while no "
        "--credentials either, any pair, the client application id naming the project)",
    )
    parser.add_argument(
        "--client-origin",
        metavar="ORIGIN",
        action="append",
        default=[],
        help="accept client-side requests only from this Origin (https://shop.example, or a "
        "host name), repeatable (default: any origin, or none)",
    )


def parse_keys(args: argparse.Namespace) -> tuple[dict[str, str], dict[str, tuple[str, str]]] | str:
    """``--credentials`` and ``--client-credentials`` as ``LoyaltyFake`` takes them.

    Or what is wrong with them, as a line to print.
    """
    credentials = {}
    for pair in args.credentials:
        app_id, sep, token = pair.partition(":")
        if not sep or not app_id or not token:
            return f"--credentials takes APP_ID:TOKEN, got {pair!r}"
        credentials[app_id] = token
    pairs = {}
    for triple in args.client_credentials:
        app_id, client_id, token = [*triple.split(":", 2), "", ""][:3]
        if not app_id or not client_id or not token:
            return f"--client-credentials takes APP_ID:CLIENT_APP_ID:CLIENT_TOKEN, got {triple!r}"
        pairs[app_id] = (client_id, token)
    return credentials, pairs
