"""The code blocks of the README and every documentation page, for the tests that run them.

A block preceded by the line ``<!-- docs-test: skip -->`` is not run; keep those rare.
A Python block with a title (```` ```python title="shop.py" ````) is a module: the page's later
blocks can import it, as a test file imports the application it tests.
"""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import attrs

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
PAGES = [
    ROOT / "README.md",
    *sorted(page for page in DOCS.rglob("*.md") if page.relative_to(DOCS).parts[0][0] != "_"),
]
SKIP_MARKER = "<!-- docs-test: skip -->"
# Fences start at the beginning of a line; the info string's first word is the language.
_FENCE = re.compile(r"^```([\w-]*)([^\n]*)\n(.*?)^```[ \t]*$", re.MULTILINE | re.DOTALL)
_TITLE = re.compile(r'title="([^"]+)"')
_IMPORT = re.compile(r"^(?:import|from)\s+([A-Za-z_]\w*)", re.MULTILINE)


@attrs.frozen
class Block:
    """One fenced code block of a page."""

    page: Path
    number: int
    language: str
    code: str
    skipped: bool
    title: str | None = None

    @property
    def name(self) -> str:
        """``page-N``, with the page's path under the repository, for test IDs."""
        page = self.page.relative_to(ROOT).with_suffix("").as_posix()
        return f"{page.removeprefix('docs/')}-{self.number}"

    def missing_modules(self) -> list[str]:
        """Top-level modules the block imports that are not installed."""
        return [
            module
            for module in imported_modules(self.code)
            if importlib.util.find_spec(module) is None
        ]


def imported_modules(code: str) -> list[str]:
    """The top-level modules ``code`` imports, in order, each once."""
    return list(dict.fromkeys(_IMPORT.findall(code)))


def blocks(page: Path, *languages: str) -> list[Block]:
    """The blocks of ``page`` in ``languages``, numbered per language in page order."""
    text = page.read_text(encoding="utf-8")
    found: list[Block] = []
    counters: dict[str, int] = {}
    for match in _FENCE.finditer(text):
        language = match.group(1)
        if language not in languages:
            continue
        before = text[: match.start()].rstrip("\n").rsplit("\n", 1)[-1].strip()
        number = counters.get(language, 0)
        counters[language] = number + 1
        title = _TITLE.search(match.group(2))
        found.append(
            Block(
                page,
                number,
                language,
                match.group(3),
                skipped=before == SKIP_MARKER,
                title=title.group(1) if title else None,
            )
        )
    return found


def all_blocks(*languages: str) -> list[Block]:
    """The blocks of every page in ``languages``."""
    return [block for page in PAGES for block in blocks(page, *languages)]


def shell_commands(code: str) -> list[str]:
    """The commands of a shell block: continuation lines joined, comments dropped."""
    joined = re.sub(r"\\\n\s*", " ", code)
    commands = []
    for line in joined.splitlines():
        stripped = line.strip()
        if stripped and not stripped.startswith("#"):
            commands.append(stripped)
    return commands
