"""A realistic, deterministic loyalty program in one call: the server's demo data."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from faker import Faker

if TYPE_CHECKING:
    from loyalty_fake.fake import LoyaltyFake

__all__ = ["DEMO_PROGRAM", "seed_demo"]

DEMO_PROGRAM = "Demo Coffee Club"
_DRINKS = ("espresso", "flat white", "cortado", "filter", "matcha", "chai")


def _program_name(index: int) -> str:
    return DEMO_PROGRAM if index == 0 else f"Demo Program {index + 1}"


def seed_demo(
    fake: LoyaltyFake,
    *,
    seed: int = 42,
    programs: int = 1,
    members: int = 5,
    app_id: str | None = None,
) -> dict[str, Any]:
    """Create ``programs`` programs of ``members`` members each, with points histories.

    Members get Faker names, emails, phones and addresses; some points expire soon,
    some never, some were spent; two cards per program stay unassigned. The same seed
    (and the same clock) gives the same data. Returns a summary.
    """
    faker = Faker()
    faker.seed_instance(seed)
    today = fake.clock.now().date()
    codes: list[str] = []
    for index in range(programs):
        name = _program_name(index)
        fake.create_loyalty_program(
            name,
            app_id=app_id,
            type="AUTO_UPDATE",
            vouchers_count=members + 2,
            metadata={"demo": True},
            voucher={
                "type": "LOYALTY_CARD",
                "loyalty_card": {
                    "points": 0,
                    "expiration_rules": {
                        "period_type": "MONTH",
                        "period_value": 6,
                        "rounding_type": "END_OF_MONTH",
                    },
                },
                "code_config": {
                    "pattern": "CLUB-####-####",
                    "charset": "0123456789ABCDEFGHJKLMNPQRSTUVWXYZ",
                },
            },
        )
        for _ in range(members):
            email = faker.unique.email()
            customer = {
                "source_id": email,
                "name": faker.name(),
                "email": email,
                "phone": faker.phone_number(),
                "address": {
                    "line_1": faker.street_address(),
                    "city": faker.city(),
                    "postal_code": faker.postcode(),
                    "country": faker.country_code(),
                },
                "metadata": {"favourite_drink": faker.random_element(_DRINKS)},
            }
            code = fake.add_member(name, customer, app_id=app_id)["code"]
            codes.append(code)
            earned = faker.random_int(100, 2000)
            fake.add_points(code, earned, app_id=app_id, reason="Welcome bonus and purchases")
            if faker.boolean(chance_of_getting_true=40):
                soon = today + dt.timedelta(days=faker.random_int(1, 30))
                fake.add_points(
                    code,
                    faker.random_int(10, 300),
                    app_id=app_id,
                    expiration_type="CUSTOM_DATE",
                    expiration_date=soon.isoformat(),
                    reason="Double points week",
                )
            if faker.boolean(chance_of_getting_true=30):
                fake.add_points(
                    code,
                    faker.random_int(10, 200),
                    app_id=app_id,
                    expiration_type="NON_EXPIRING",
                    reason="Apology from the barista",
                )
            if faker.boolean(chance_of_getting_true=50):
                fake.add_points(
                    code, -faker.random_int(1, earned // 2), app_id=app_id, reason="Free coffee"
                )
    return {
        "seed": seed,
        "programs": [_program_name(i) for i in range(programs)],
        "members": len(codes),
    }
