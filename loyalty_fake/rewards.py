"""Transitional: the reward and redemption records at their pre-issue-15 path.

They live in ``loyalty_fake/ledger/rewards.py``, ``orders.py`` and ``redemptions.py`` now.
Nothing in this repository imports this module; delete it once no open branch does.
"""

from loyalty_fake.ledger.orders import Order, OrderItem, OrderRequest
from loyalty_fake.ledger.redemptions import FailedRedemption, Redemption, Rollback
from loyalty_fake.ledger.rewards import PARAMETERS_KEY, Reward, RewardAssignment, RewardType

__all__ = [
    "PARAMETERS_KEY",
    "FailedRedemption",
    "Order",
    "OrderItem",
    "OrderRequest",
    "Redemption",
    "Reward",
    "RewardAssignment",
    "RewardType",
    "Rollback",
]
