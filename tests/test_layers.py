"""Only the ledger package locks the ledger or looks a project up; everything else uses sessions."""

from __future__ import annotations

import re
from pathlib import Path

import loyalty_fake

_PACKAGE = Path(loyalty_fake.__file__).parent
_ROOT = _PACKAGE.parent
# The ledger's lock and its projects, reached from outside loyalty_fake/ledger/.
_REACHING_IN = re.compile(
    r"\.locked\(|ledger\._lock|\.project\(|\.projects\(|\._projects|existing_project|new_project"
)


def _callers() -> list[Path]:
    outside = [p for p in _PACKAGE.rglob("*.py") if "ledger" not in p.relative_to(_PACKAGE).parts]
    others = [*(_ROOT / "benchmarks").glob("*.py"), *(_ROOT / "pytest_plugin").rglob("*.py")]
    return outside + others


def test_no_caller_locks_the_ledger_or_looks_a_project_up() -> None:
    """Handlers, seeding, the control plane, the server and benchmarks go through sessions."""
    found = [
        f"{path.relative_to(_ROOT)}:{number}: {line.strip()}"
        for path in _callers()
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if _REACHING_IN.search(line)
    ]
    assert found == []


def test_the_http_app_opens_one_session_per_request() -> None:
    """``http/app.py`` is the only HTTP module that opens a session."""
    opening = [
        path.name
        for path in (_PACKAGE / "http").glob("*.py")
        if ".session(" in path.read_text(encoding="utf-8")
    ]
    assert opening == ["app.py"]
