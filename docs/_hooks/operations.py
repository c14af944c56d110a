"""MkDocs hook: fill docs/operations.md from the route table at build time.

The page is checked in filled (it reads whole on a code host too); the build fills it again,
so the site is current even when the checked-in copy is not, and a test says when it is not.
Refresh the checked-in copy with ``python docs/_hooks/operations.py``.
"""
# ruff: noqa: INP001 - MkDocs loads hooks by path; this is not a package

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

from loyalty_fake.http.operations import fill_page
from loyalty_fake.http.routes import VOUCHERIFY_OPERATIONS

PAGE = Path(__file__).resolve().parents[1] / "operations.md"


def render(markdown: str) -> str:
    """``markdown`` with the operations regions filled from ``ROUTES`` and Voucherify's list."""
    return fill_page(markdown, VOUCHERIFY_OPERATIONS)


def on_page_markdown(markdown: str, *, page: Any, **_: Any) -> str:
    """Fill the operations page's regions; the site keeps no markers."""
    if page.file.src_uri != PAGE.name:
        return markdown
    return re.sub(r"<!-- /?operations:\w+ -->", "", render(markdown))


if __name__ == "__main__":
    PAGE.write_text(render(PAGE.read_text(encoding="utf-8")), encoding="utf-8")
    sys.exit(0)
