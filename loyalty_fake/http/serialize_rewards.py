"""Kept for the modules that still import it: see ``rewards_json`` and ``redemptions_json``.

``handlers.py``, ``reward_handlers.py`` and ``control.py`` import from here until the
handlers move into their area modules; then this module goes.
"""

from __future__ import annotations

from loyalty_fake.http.redemptions_json import (
    failed_redemption_json,
    redemption_json,
    rollback_json,
)
from loyalty_fake.http.rewards_json import assignment_json, reward_json

__all__ = [
    "assignment_json",
    "failed_redemption_json",
    "redemption_json",
    "reward_json",
    "rollback_json",
]
