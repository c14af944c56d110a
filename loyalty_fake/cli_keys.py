"""The serve command's keys: ``--credentials``, ``--client-credentials``, ``--client-origin``.

And ``--management-credentials``, the Management API's (``/management/v1``), and
``--strict-custom-events``, how the project's custom event schemas are read.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

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
    parser.add_argument(
        "--management-credentials",
        metavar="MANAGEMENT_ID:TOKEN",
        action="append",
        default=[],
        help="accept only these X-Management-Id/X-Management-Token pairs on the Management "
        "API (/management/v1/...), repeatable (default: any non-empty pair)",
    )
    parser.add_argument(
        "--strict-custom-events",
        action="store_true",
        help="refuse a custom event (POST /v1/events) or custom event earning rule that no "
        "custom event schema of the project defines (default: take it, as Voucherify "
        "creates the event on first use)",
    )


def _pairs(option: str, given: list[str], names: str) -> dict[str, str] | str:
    """``ID:TOKEN`` pairs by ID, or what is wrong with one."""
    found = {}
    for pair in given:
        key, sep, token = pair.partition(":")
        if not sep or not key or not token:
            return f"{option} takes {names}, got {pair!r}"
        found[key] = token
    return found


def parse_keys(args: argparse.Namespace) -> dict[str, Any] | str:
    """``--credentials``, ``--client-credentials`` and ``--management-credentials``.

    As ``LoyaltyFake``'s keyword arguments; or what is wrong with them, as a line to print.
    """
    credentials = _pairs("--credentials", args.credentials, "APP_ID:TOKEN")
    if isinstance(credentials, str):
        return credentials
    management = _pairs(
        "--management-credentials", args.management_credentials, "MANAGEMENT_ID:TOKEN"
    )
    if isinstance(management, str):
        return management
    pairs = {}
    for triple in args.client_credentials:
        app_id, client_id, token = [*triple.split(":", 2), "", ""][:3]
        if not app_id or not client_id or not token:
            return f"--client-credentials takes APP_ID:CLIENT_APP_ID:CLIENT_TOKEN, got {triple!r}"
        pairs[app_id] = (client_id, token)
    return {
        "credentials": credentials,
        "client_credentials": pairs,
        "management_credentials": management,
        "strict_custom_events": args.strict_custom_events,
    }
