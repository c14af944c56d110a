"""Adapters that route HTTP clients' requests to the fake's handler."""

from loyalty_fake.transports.hosts import DEFAULT_BASE_URLS, HostMatcher
from loyalty_fake.transports.requests_transport import RequestsTransport
from loyalty_fake.transports.urllib3_transport import Urllib3Transport

__all__ = ["DEFAULT_BASE_URLS", "HostMatcher", "RequestsTransport", "Urllib3Transport"]
