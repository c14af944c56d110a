"""Print the README's two commands for a clone, one a line, exactly as written there.

The block is the fenced ``bash`` block right after the line ``<!-- the README's two commands -->``:
the first command installs the project and serves the fake, the second runs the tests.
``.ci/run`` runs what this prints, so CI and the README cannot drift apart. Standard library
only: it runs before anything is installed.
"""
# ruff: noqa: INP001 - a script .ci/run calls by path, not a package

from __future__ import annotations

import re
import sys
from pathlib import Path

MARKER = "<!-- the README's two commands -->"
README = Path(__file__).resolve().parents[1] / "README.md"
_BLOCK = re.compile(re.escape(MARKER) + r"\n```bash\n(.*?)^```$", re.MULTILINE | re.DOTALL)


def readme_commands(text: str) -> list[str]:
    """The commands of the marked block: continuation lines joined, comments dropped."""
    found = _BLOCK.search(text)
    if found is None:
        msg = f"README.md has no ```bash block right after {MARKER}"
        raise ValueError(msg)
    joined = re.sub(r"\\\n\s*", " ", found.group(1))
    commands = [line.strip() for line in joined.splitlines()]
    commands = [line for line in commands if line and not line.startswith("#")]
    if len(commands) != 2:  # noqa: PLR2004 - the README promises two
        msg = f"README.md's marked block has {len(commands)} commands, not 2: {commands}"
        raise ValueError(msg)
    return commands


def main() -> int:
    """Print the two commands, or say why they cannot be found (exit 1)."""
    try:
        commands = readme_commands(README.read_text(encoding="utf-8"))
    except ValueError as error:
        print(f"{README}: {error}", file=sys.stderr)  # noqa: T201 - a command line prints
        return 1
    print("\n".join(commands))  # noqa: T201
    return 0


if __name__ == "__main__":
    sys.exit(main())
