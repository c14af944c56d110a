"""MkDocs hook: fill docs/operations.md from the route table at build time."""
# ruff: noqa: INP001 - MkDocs loads hooks by path; this is not a package

from __future__ import annotations

import re
from typing import Any

from loyalty_fake.http.operations import counts, implemented_table, missing_table
from loyalty_fake.http.routes import VOUCHERIFY_OPERATIONS


def on_page_markdown(markdown: str, **_: Any) -> str:
    """Replace the operations placeholders with tables rendered from ``ROUTES``."""
    if "<!-- operations:" not in markdown:
        return markdown
    markdown = re.sub(
        r"<!-- source-only -->.*?<!-- /source-only -->\n?", "", markdown, flags=re.DOTALL
    )
    spec = VOUCHERIFY_OPERATIONS
    numbers = counts(spec)
    return (
        markdown.replace("<!-- operations:implemented -->", implemented_table(spec))
        .replace("<!-- operations:missing -->", missing_table(spec))
        .replace("<!-- operations:routes -->", str(numbers["routes"]))
        .replace("<!-- operations:spec -->", str(numbers["spec"]))
        .replace("<!-- operations:served -->", str(numbers["implemented"]))
    )
