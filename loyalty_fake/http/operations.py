"""The supported-operations pages, rendered from the route table (``ROUTES``).

The documentation build fills ``docs/operations.md`` with :func:`fill_page` (the tables of
:func:`implemented_table` and :func:`missing_table`), so the lists cannot drift from what the
fake serves; the page is checked in filled, so it also reads whole on a code host. The
operations of Voucherify's reference are a checked-in list
(``docs/_data/voucherify-operations.json``) that :func:`read_spec` regenerates from the
official OpenAPI files:
``python -m loyalty_fake.http.operations SPEC_DIR > docs/_data/voucherify-operations.json``.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs

from loyalty_fake.http.routes import ROUTES

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

__all__ = [
    "SpecOperation",
    "counts",
    "fill_page",
    "implemented_table",
    "missing_table",
    "read_spec",
    "spec_operations",
]

_METHODS = ("get", "post", "put", "patch", "delete")
_PARAMETER = re.compile(r"\{[^}]*\}")


@attrs.frozen
class SpecOperation:
    """One operation of Voucherify's OpenAPI reference."""

    group: str
    method: str
    path: str
    summary: str

    @property
    def operation(self) -> str:
        """``METHOD /path/{template}``."""
        return f"{self.method} {self.path}"


def _shape(operation: str) -> str:
    # Parameter names differ between files ({code} vs {voucherId}); the shape identifies.
    return _PARAMETER.sub("{}", operation)


def _served(operation: str) -> bool:
    """Whether the fake serves ``operation`` (``METHOD /path``, any parameter names)."""
    return _shape(operation) in _SERVED


_SERVED = frozenset(_shape(route.operation) for route in ROUTES)


def read_spec(directory: Path) -> list[dict[str, str]]:
    """Every operation in the OpenAPI files of ``directory``, as JSON-ready dicts.

    The group is the file's name (``loyalties.json`` is ``loyalties``); operations keep
    the files' order.
    """
    found: list[dict[str, str]] = []
    for path in sorted(directory.glob("*.json")):
        spec = json.loads(path.read_text(encoding="utf-8"))
        for template, item in spec.get("paths", {}).items():
            found.extend(
                {
                    "group": path.stem,
                    "method": method.upper(),
                    "path": template,
                    "summary": str(item[method].get("summary", "")).strip(),
                }
                for method in _METHODS
                if method in item
            )
    return found


def spec_operations(data: Iterable[dict[str, str]]) -> list[SpecOperation]:
    """``SpecOperation`` records from the dicts :func:`read_spec` wrote."""
    return [SpecOperation(**entry) for entry in data]


def _summary(doc: str | None) -> str:
    lines = (doc or "").strip().splitlines()
    first = lines[0] if lines else ""
    # Handler docstrings read "``METHOD /path`` (...): what it does."; keep what it does.
    _, sep, rest = first.partition(": ") if first.startswith("``") else ("", "", first)
    text = (rest if sep else first).replace("``", "`")
    return text[:1].upper() + text[1:]


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def implemented_table(spec: Sequence[SpecOperation] = ()) -> str:
    """A Markdown table of the implemented operations, one row per handler.

    Operations that share a handler (a member with or without its program) share a row.
    With ``spec``, each row names the operations as Voucherify's reference does.
    """
    names = {_shape(op.operation): op.summary for op in spec}
    rows: dict[object, list[str]] = {}
    for route in ROUTES:
        rows.setdefault(route.handler, []).append(route.operation)
    lines = [
        "| Voucherify operation | method and path | what the fake does |",
        "| --- | --- | --- |",
    ]
    for handler, operations in rows.items():
        known = [names[_shape(op)] for op in operations if _shape(op) in names]
        name = ", ".join(dict.fromkeys(known)) if known else "—"
        paths = "<br>".join(f"`{op}`" for op in operations)
        lines.append(f"| {_cell(name)} | {paths} | {_cell(_summary(handler.__doc__))} |")
    return "\n".join(lines) + "\n"


def missing_table(spec: Sequence[SpecOperation]) -> str:
    """A Markdown table of the operations in ``spec`` the fake does not serve, by group."""
    lines = ["| group | Voucherify operation | method and path |", "| --- | --- | --- |"]
    lines.extend(
        f"| {op.group} | {_cell(op.summary)} | `{op.operation}` |"
        for op in spec
        if not _served(op.operation)
    )
    return "\n".join(lines) + "\n"


def counts(spec: Sequence[SpecOperation]) -> dict[str, Any]:
    """How many of ``spec``'s operations the fake serves, and how many routes it has."""
    implemented = sum(1 for op in spec if _served(op.operation))
    return {"routes": len(ROUTES), "spec": len(spec), "implemented": implemented}


_REGION = re.compile(r"(<!-- operations:(\w+) -->)(.*?)(<!-- /operations:\2 -->)", re.DOTALL)
_TABLES = frozenset({"implemented", "missing"})


def fill_page(markdown: str, spec: Sequence[SpecOperation]) -> str:
    """``markdown`` with each ``<!-- operations:NAME -->...<!-- /operations:NAME -->`` filled in.

    ``implemented`` and ``missing`` are the tables, ``routes``, ``spec`` and ``served`` the
    counts. The markers stay, so the page reads whole where it is not built (on a code
    host) and fills in again the same way; an unknown name raises ``KeyError``.
    """
    numbers = counts(spec)
    values = {
        "implemented": implemented_table(spec),
        "missing": missing_table(spec),
        "routes": str(numbers["routes"]),
        "spec": str(numbers["spec"]),
        "served": str(numbers["implemented"]),
    }

    def fill(match: re.Match[str]) -> str:
        opening, name, _, closing = match.groups()
        value = values[name]
        # A table is a block of its own: blank lines keep Markdown from reading it as HTML.
        body = f"\n\n{value}\n" if name in _TABLES else value
        return f"{opening}{body}{closing}"

    return _REGION.sub(fill, markdown)


def main(argv: Sequence[str] | None = None) -> int:
    """Print the operations of the OpenAPI files in ``argv[0]`` as JSON."""
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) != 1:
        sys.stderr.write("usage: python -m loyalty_fake.http.operations SPEC_DIR\n")
        return 2
    sys.stdout.write(json.dumps(read_spec(Path(args[0])), indent=1) + "\n")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
