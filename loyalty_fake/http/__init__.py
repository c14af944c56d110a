"""The transport-agnostic HTTP layer: Voucherify requests in, Voucherify JSON out."""

from loyalty_fake.http.app import FakeVoucherifyApp
from loyalty_fake.http.messages import Request, Response

__all__ = ["FakeVoucherifyApp", "Request", "Response"]
