"""Kept for ``loyalty_fake.openapi.openapi_document``; the document is assembled in ``http``.

``loyalty_fake.http.openapi`` builds it from the declarations beside the routes and the
serializers.
"""

from __future__ import annotations

from loyalty_fake.http.openapi import openapi_document

__all__ = ["openapi_document"]
