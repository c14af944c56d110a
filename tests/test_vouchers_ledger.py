"""The vouchers ledger's Python API: one lookup for cards and vouchers, codes in one namespace."""

from __future__ import annotations

import pytest

from loyalty_fake import LoyaltyFake, errors
from loyalty_fake.ledger.cards import LoyaltyCard
from loyalty_fake.ledger.codes import CodeConfig
from loyalty_fake.ledger.vouchers import Voucher

NOW = "2024-01-25T10:00:00Z"
TEN_PERCENT = {"type": "PERCENT", "percent_off": 10, "effect": "APPLY_TO_ORDER"}


def test_find_answers_a_card_or_a_voucher() -> None:
    """Vouchers.find returns the card or the voucher a code (or v_ ID) names."""
    fake = LoyaltyFake(seed=1, now=NOW)
    with fake.ledger.session(fake.app_id) as session:
        program = session.campaigns.create(name="Points", vouchers_count=1)
        card_code = session.cards.of_campaign(program.id)[0].code
        voucher = session.vouchers.create(
            campaign=None, code="TEN", type="DISCOUNT_VOUCHER", discount=TEN_PERCENT
        )
        assert isinstance(session.vouchers.find(card_code), LoyaltyCard)
        assert session.vouchers.find("TEN") is voucher
        assert session.vouchers.find(voucher.id) is voucher
        assert isinstance(session.vouchers.get("TEN"), Voucher)
        assert voucher.discount == TEN_PERCENT


def test_an_unknown_code_is_a_voucher_not_found() -> None:
    """An unknown code is 404 not_found with resource_type voucher."""
    fake = LoyaltyFake(seed=1, now=NOW)
    with (
        fake.ledger.session(fake.app_id) as session,
        pytest.raises(errors.VoucherifyError) as raised,
    ):
        session.vouchers.find("NOPE")
    assert (raised.value.code, raised.value.key, raised.value.resource_type) == (
        404,
        "not_found",
        "voucher",
    )


def test_gift_counters_make_the_balance() -> None:
    """A gift card's balance is its amount less what was subtracted and redeemed, in cents."""
    fake = LoyaltyFake(seed=1, now=NOW)
    with fake.ledger.session(fake.app_id) as session:
        gift = session.vouchers.create(
            campaign=None, code="G", type="GIFT_VOUCHER", gift={"amount": 5000}
        )
        session.vouchers.change_gift_balance("G", -1500, source_id=None, reason=None)
        gift.gift_redeemed = 1000
        assert (gift.gift_amount, gift.gift_subtracted, gift.gift_balance) == (5000, 1500, 2500)
        assert [t.type for t in gift.transactions] == ["CREDITS_REMOVAL"]


def test_generated_codes_avoid_every_taken_code() -> None:
    """A campaign's generated codes never repeat a card's or a voucher's code."""
    fake = LoyaltyFake(seed=3, now=NOW)
    with fake.ledger.session(fake.app_id) as session:
        session.campaigns.create(name="Points", vouchers_count=5)
        tiny = CodeConfig(length=2, charset="AB")
        session.campaigns.create(
            name="Coupons",
            vouchers_count=4,
            code_config=tiny,
            campaign_type="DISCOUNT_COUPONS",
            voucher={"type": "DISCOUNT_VOUCHER", "discount": TEN_PERCENT},
        )
        codes = [*session.project.cards, *session.project.vouchers]
        assert len(codes) == len(set(codes)) == 9
        with pytest.raises(errors.VoucherifyError) as raised:
            session.campaigns.add_vouchers("Coupons", count=1)
        assert raised.value.key == "invalid_code_config"
