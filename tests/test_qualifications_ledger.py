"""Qualifications in the ledger: the redeemable kinds decide, the fallback check otherwise."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from loyalty_fake import LoyaltyFake, errors
from loyalty_fake.ledger.qualifications import QualificationRequest, Qualifications
from loyalty_fake.ledger.redeemables import REDEEMABLE_KINDS, Application, LoyaltyCards

if TYPE_CHECKING:
    from loyalty_fake.ledger.redeemables import Checkout, RedeemableRequest
    from loyalty_fake.ledger.session import Session


class _Vouchers:
    """A stand-in for a discount and gift kind: holds every voucher.

    It refuses ``REFUSED`` and accepts everything else, disabled or not.
    """

    name = "discount_voucher"

    def find(self, session: Session, request: RedeemableRequest) -> Any | None:
        return session.project.vouchers.get(request.id)

    def check(
        self, session: Session, found: Any, request: RedeemableRequest, checkout: Checkout
    ) -> Application:
        del session, checkout
        if found.code == "REFUSED":
            raise errors.bad_request("voucher_disabled", "voucher is disabled", found.code)
        return Application(request=request, kind=self.name, record=found, campaign_id="")

    def apply(self, *args: Any) -> Any:
        raise NotImplementedError


def _codes(fake: LoyaltyFake, kinds: Any = REDEEMABLE_KINDS) -> list[str]:
    with fake.ledger.session(fake.app_id) as session:
        found = Qualifications(session).qualify(QualificationRequest(limit=50), kinds)
    return [each.record.code for each in found.redeemables]


def test_a_registered_kind_decides_and_the_fallback_check_otherwise() -> None:
    """With a kind for vouchers its check decides; without one, the module's own check."""
    fake = LoyaltyFake(seed=1, now="2024-01-25T10:00:00Z").start()
    try:
        gift = {"type": "GIFT_VOUCHER", "gift": {"amount": 100}}
        for code in ("REFUSED", "OFF", "OK"):
            assert fake.request("POST", f"/v1/vouchers/{code}", json_body=gift).status == 200
            fake.clock.advance(minutes=1)
        assert fake.request("POST", "/v1/vouchers/OFF/disable").status == 200
        cards_only = tuple(k for k in REDEEMABLE_KINDS if isinstance(k, LoyaltyCards))
        assert _codes(fake, cards_only) == ["OK", "REFUSED"]
        assert _codes(fake, (*cards_only, _Vouchers())) == ["OK", "OFF"]
        # The registered discount and gift kinds decide as the stand-in would: OFF is disabled.
        assert _codes(fake) == ["OK", "REFUSED"]
    finally:
        fake.stop()
