"""``loyalty-fake demo``: a program and members through the official SDK, in-process."""

from __future__ import annotations

import sys
import warnings

from loyalty_fake.fake import LoyaltyFake

__all__ = ["demo_command"]


def demo_command(seed: int, members: int) -> int:
    """Create a program, add members and list them through the official SDK, in-process."""
    try:
        import voucherify  # noqa: PLC0415 - the SDK is an optional (test) dependency
    except ImportError:
        print(
            "the demo talks through the official SDK: pip install 'loyalty-fake[test]'",
            file=sys.stderr,
        )
        return 2
    from faker import Faker  # noqa: PLC0415 - only the demo needs fake people

    faker = Faker()
    faker.seed_instance(seed)
    # The SDK marks every legacy /v1/loyalties method deprecated; the demo is about the fake.
    warnings.simplefilter("ignore", DeprecationWarning)
    with LoyaltyFake(seed=seed, now="2026-01-15T09:30:00Z") as fake:
        api = voucherify.LoyaltiesApi(
            voucherify.ApiClient(voucherify.Configuration(api_key=fake.headers))
        )
        program = api.create_loyalty_program(
            voucherify.LoyaltiesCreateCampaignRequestBody(
                name="Demo Coffee Club",
                type="AUTO_UPDATE",
                vouchers_count=members,
                voucher=voucherify.CampaignLoyaltyVoucher(
                    loyalty_card=voucherify.CampaignLoyaltyCard(points=100),
                    code_config=voucherify.CodeConfig(pattern="CLUB-####"),
                ),
            )
        )
        program_id = str(program.id)
        print(f"created {program.name} ({program_id}) with {program.vouchers_count} cards")
        for _ in range(members):
            fake.clock.advance(minutes=5)
            customer = voucherify.Customer(
                source_id=faker.unique.email(), name=faker.name(), phone=faker.phone_number()
            )
            api.add_member(
                program_id, voucherify.LoyaltiesMembersCreateRequestBody(customer=customer)
            )
        listed = api.list_members(program_id, limit=100)
        print(f"{listed.total} members:")
        customers = {c["id"]: c for c in fake.customers()}
        for card in listed.vouchers or []:
            holder = customers[card.holder_id]
            balance = card.loyalty_card.balance if card.loyalty_card else 0
            print(f"  {card.code}  {balance:>4} points  {holder['name']} <{holder['source_id']}>")
    return 0
