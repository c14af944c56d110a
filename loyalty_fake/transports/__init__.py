"""Adapters that route HTTP clients' requests to the fake's handler."""

from loyalty_fake.transports.hosts import HostMatcher
from loyalty_fake.transports.httpx_transport import HttpxTransport
from loyalty_fake.transports.requests_transport import RequestsTransport
from loyalty_fake.transports.urllib3_transport import Urllib3Transport

__all__ = ["HostMatcher", "HttpxTransport", "RequestsTransport", "Urllib3Transport"]
