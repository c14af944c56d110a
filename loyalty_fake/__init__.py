"""loyalty-fake: a verified, stateful, in-memory fake of Voucherify's loyalty API."""

from loyalty_fake.clock import Clock
from loyalty_fake.errors import VoucherifyError
from loyalty_fake.fake import DEFAULT_APP_ID, DEFAULT_APP_TOKEN, LoyaltyFake
from loyalty_fake.http.app import FakeVoucherifyApp
from loyalty_fake.http.messages import Request, Response
from loyalty_fake.ids import IdGenerator
from loyalty_fake.journal import Journal, JournalEntry
from loyalty_fake.ledger import Ledger
from loyalty_fake.ledger.codes import CodeConfig
from loyalty_fake.openapi import openapi_document

__all__ = [
    "DEFAULT_APP_ID",
    "DEFAULT_APP_TOKEN",
    "Clock",
    "CodeConfig",
    "FakeVoucherifyApp",
    "IdGenerator",
    "Journal",
    "JournalEntry",
    "Ledger",
    "LoyaltyFake",
    "Request",
    "Response",
    "VoucherifyError",
    "openapi_document",
]
