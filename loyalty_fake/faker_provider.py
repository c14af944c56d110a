"""A Faker provider for Voucherify-shaped codes and IDs, for users' own fixtures.

    from faker import Faker
    from loyalty_fake.faker_provider import VoucherifyProvider

    fake = Faker()
    fake.add_provider(VoucherifyProvider)
    fake.voucher_code(pattern="CLUB-####")  # 'CLUB-x7Qa'
    fake.customer_id()                      # 'cust_...' (24 alphanumerics)

Values come from Faker's own random source, so ``Faker.seed(...)`` makes them repeatable.
"""

from __future__ import annotations

from faker.providers import BaseProvider

from loyalty_fake.ids import ALPHANUMERIC

__all__ = ["VoucherifyProvider"]

_HEX = "0123456789abcdef"


class VoucherifyProvider(BaseProvider):
    """Codes and IDs shaped as Voucherify's own."""

    def _chars(self, alphabet: str, length: int) -> str:
        return "".join(self.generator.random.choices(alphabet, k=length))

    def voucher_code(
        self,
        pattern: str | None = None,
        charset: str = ALPHANUMERIC,
        prefix: str = "",
        postfix: str = "",
        length: int = 8,
    ) -> str:
        """A code as a ``code_config`` makes it: each ``#`` of ``pattern`` from ``charset``."""
        template = pattern if pattern is not None else "#" * length
        return (
            prefix
            + "".join(self._chars(charset, 1) if slot == "#" else slot for slot in template)
            + postfix
        )

    def voucher_id(self) -> str:
        """``v_`` and 32 alphanumerics."""
        return "v_" + self._chars(ALPHANUMERIC, 32)

    def campaign_id(self) -> str:
        """``camp_`` and 24 alphanumerics."""
        return "camp_" + self._chars(ALPHANUMERIC, 24)

    def customer_id(self) -> str:
        """``cust_`` and 24 alphanumerics."""
        return "cust_" + self._chars(ALPHANUMERIC, 24)

    def publication_id(self) -> str:
        """``pub_`` and 32 alphanumerics."""
        return "pub_" + self._chars(ALPHANUMERIC, 32)

    def category_id(self) -> str:
        """``cat_`` and 18 lowercase hex digits."""
        return "cat_" + self._chars(_HEX, 18)

    def transaction_id(self) -> str:
        """``vtx_`` and 18 lowercase hex digits."""
        return "vtx_" + self._chars(_HEX, 18)

    def points_bucket_id(self) -> str:
        """``lopb_`` and 24 alphanumerics."""
        return "lopb_" + self._chars(ALPHANUMERIC, 24)

    def async_action_id(self) -> str:
        """``aa_`` and 18 lowercase hex digits."""
        return "aa_" + self._chars(_HEX, 18)

    def request_id(self) -> str:
        """An error's ``request_id``: ``v-`` and 18 lowercase hex digits."""
        return "v-" + self._chars(_HEX, 18)
