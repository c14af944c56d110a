"""Transitional: the record names at their pre-issue-15 path, for branches written before it.

The records live with their areas in ``loyalty_fake.ledger`` now (``ledger/cards.py``,
``ledger/customers.py``, ...). Nothing in this repository imports this module; delete it
once no open branch does.
"""

from loyalty_fake.ledger.campaigns import Campaign, CampaignType, Category
from loyalty_fake.ledger.cards import LoyaltyCard, PointsBucket
from loyalty_fake.ledger.compact import pack_flat, unpack_flat
from loyalty_fake.ledger.customers import ADDRESS_FIELDS, CUSTOMER_STRINGS, Customer, CustomerRef
from loyalty_fake.ledger.history import (
    CardPoints,
    TextTable,
    Transaction,
    TransactionLog,
    TransactionType,
)
from loyalty_fake.ledger.members import MemberOrder, MemberQuery
from loyalty_fake.ledger.publications import Publication

__all__ = [
    "ADDRESS_FIELDS",
    "CUSTOMER_STRINGS",
    "Campaign",
    "CampaignType",
    "CardPoints",
    "Category",
    "Customer",
    "CustomerRef",
    "LoyaltyCard",
    "MemberOrder",
    "MemberQuery",
    "PointsBucket",
    "Publication",
    "TextTable",
    "Transaction",
    "TransactionLog",
    "TransactionType",
    "pack_flat",
    "unpack_flat",
]
