"""Voucherify's list of operations, and the supported-operations page rendered from it.

``VOUCHERIFY_OPERATIONS`` (``loyalty_fake/http/voucherify_operations.json``) is generated
from Voucherify's official OpenAPI files (https://github.com/voucherifyio/voucherify-openapi)
by :func:`read_spec`; regenerate it when they change::

    python -m loyalty_fake.http.operations --regenerate ../shared/voucherify-openapi

The documentation build fills ``docs/operations.md`` with :func:`fill_page` (the tables of
:func:`implemented_table` and :func:`missing_table`), so the lists cannot drift from what the
fake serves; the page is checked in filled, so it also reads whole on a code host
(``python docs/_hooks/operations.py`` refreshes it).
"""

from __future__ import annotations

import json
import os
import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from loyalty_fake.http.routes import ROUTES, VOUCHERIFY_OPERATIONS_FILE, VoucherifyOperation

if TYPE_CHECKING:
    from collections.abc import Sequence

__all__ = [
    "DATA_FILE",
    "FULL_SPEC",
    "counts",
    "fill_page",
    "implemented_table",
    "missing_table",
    "read_spec",
    "render",
]

DATA_FILE = Path(__file__).with_name(VOUCHERIFY_OPERATIONS_FILE)
# The complete reference, and the newer per-section files of Voucherify's current docs
# (which list a few operations the complete one does not have yet).
FULL_SPEC = "OpenAPI.json"
_NEWER_SPECS = "current-docs-split-*/*.json"
_METHODS = ("get", "post", "put", "patch", "delete")
_PARAMETER = re.compile(r"\{[^}]*\}")
_ENV_VAR = "LOYALTY_FAKE_OPENAPI_DIR"


def _shape(operation: str) -> str:
    # Parameter names differ between files ({code} vs {voucherId}); the shape identifies.
    return _PARAMETER.sub("{}", operation)


def _served(operation: str) -> bool:
    """Whether the fake serves ``operation`` (``METHOD /path``, any parameter names)."""
    return _shape(operation) in _SERVED


_SERVED = frozenset(_shape(route.operation) for route in ROUTES)


def _operations(path: Path, source: str) -> list[dict[str, str]]:
    spec = json.loads(path.read_text(encoding="utf-8"))
    found: list[dict[str, str]] = []
    for template, item in spec.get("paths", {}).items():
        for method in _METHODS:
            if method not in item:
                continue
            operation = item[method]
            found.append(
                {
                    "method": method.upper(),
                    "path": template,
                    "operation_id": str(operation.get("operationId", "")),
                    "summary": str(operation.get("summary", "")).strip(),
                    "group": str((operation.get("tags") or [""])[0]),
                    "source": source,
                }
            )
    return found


def read_spec(directory: Path) -> list[dict[str, str]]:
    """Every operation of Voucherify's OpenAPI files in ``directory``, as JSON-ready dicts.

    ``OpenAPI.json``'s operations in its order, then those only the newer per-section files
    (``current-docs-split-*/``) list. Raises ``FileNotFoundError`` without ``OpenAPI.json``.
    """
    found = _operations(directory / FULL_SPEC, FULL_SPEC)
    known = {_shape(f"{entry['method']} {entry['path']}") for entry in found}
    for path in sorted(directory.glob(_NEWER_SPECS)):
        for entry in _operations(path, path.relative_to(directory).as_posix()):
            shape = _shape(f"{entry['method']} {entry['path']}")
            if shape not in known:
                known.add(shape)
                found.append(entry)
    return found


def render(operations: Sequence[dict[str, str]]) -> str:
    """The data file's text: a JSON array, one operation per line."""
    lines = ",\n".join(json.dumps(entry, ensure_ascii=False) for entry in operations)
    return f"[\n{lines}\n]\n"


def _summary(doc: str | None) -> str:
    lines = (doc or "").strip().splitlines()
    first = lines[0] if lines else ""
    # Handler docstrings read "``METHOD /path`` (...): what it does."; keep what it does.
    _, sep, rest = first.partition(": ") if first.startswith("``") else ("", "", first)
    text = (rest if sep else first).replace("``", "`")
    return text[:1].upper() + text[1:]


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def implemented_table(spec: Sequence[VoucherifyOperation] = ()) -> str:
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


def missing_table(spec: Sequence[VoucherifyOperation]) -> str:
    """A Markdown table of the operations in ``spec`` the fake does not serve, by group."""
    lines = ["| group | Voucherify operation | method and path |", "| --- | --- | --- |"]
    lines.extend(
        f"| {op.group} | {_cell(op.summary)} | `{op.operation}` |"
        for op in spec
        if not _served(op.operation)
    )
    return "\n".join(lines) + "\n"


def counts(spec: Sequence[VoucherifyOperation]) -> dict[str, Any]:
    """How many of ``spec``'s operations the fake serves, and how many routes it has."""
    implemented = sum(1 for op in spec if _served(op.operation))
    return {"routes": len(ROUTES), "spec": len(spec), "implemented": implemented}


_USAGE = """usage: python -m loyalty_fake.http.operations [--regenerate] [SPEC_DIR]

Read Voucherify's OpenAPI files in SPEC_DIR (default: $LOYALTY_FAKE_OPENAPI_DIR) and print
their operations as JSON, or with --regenerate write them to the package's data file.
"""


_REGION = re.compile(r"(<!-- operations:(\w+) -->)(.*?)(<!-- /operations:\2 -->)", re.DOTALL)
_TABLES = frozenset({"implemented", "missing"})


def fill_page(markdown: str, spec: Sequence[VoucherifyOperation]) -> str:
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
    """Print (or with ``--regenerate`` write) the operations of the OpenAPI files."""
    args = list(sys.argv[1:] if argv is None else argv)
    regenerate = "--regenerate" in args
    rest = [arg for arg in args if arg != "--regenerate"]
    directory = rest[0] if len(rest) == 1 else os.environ.get(_ENV_VAR) if not rest else None
    if directory is None or not (Path(directory) / FULL_SPEC).is_file():
        sys.stderr.write(_USAGE)
        if directory is not None:
            sys.stderr.write(f"no {FULL_SPEC} in {directory}\n")
        return 2
    text = render(read_spec(Path(directory)))
    if regenerate:
        DATA_FILE.write_text(text, encoding="utf-8")
        sys.stderr.write(f"wrote {DATA_FILE}\n")
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
