"""Codes drawn in one go are the codes drawn one by one (issue 21: seeding's cards).

A program's cards take their codes from ``CodeConfig.generate_many``, which draws the
characters of many codes at once (``IdGenerator.chars_many``): the codes, and the random
stream after them, must be exactly what one ``generate`` a card gave.
"""

from __future__ import annotations

import pytest

from loyalty_fake.ids import IdGenerator
from loyalty_fake.ledger.codes import CodeConfig


@pytest.mark.parametrize("alphabet", ["0123456789ABCDEF", "ABC", "αβγδ"])
@pytest.mark.parametrize("length", [1, 3, 8])
def test_chars_many_draws_what_chars_draws_one_by_one(alphabet: str, length: int) -> None:
    """The same characters, and the stream left where fifty ``chars`` leave it."""
    one_by_one, at_once = IdGenerator(seed=11), IdGenerator(seed=11)

    expected = [one_by_one.chars(alphabet, length) for _ in range(50)]

    assert at_once.chars_many(alphabet, length, 50) == expected
    assert at_once.position() == one_by_one.position()
    assert at_once.chars(alphabet, 5) == one_by_one.chars(alphabet, 5)


def _codes(
    config: CodeConfig, ids: IdGenerator, taken: set[str], count: int, *, many: bool
) -> list[str]:
    """``count`` codes, each taken (as the card made of it) before the next is drawn."""
    made = []
    codes = (
        config.generate_many(ids.chars, ids.chars_many, taken, count)
        if many
        else (config.generate(ids.chars, taken) for _ in range(count))
    )
    for code in codes:
        taken.add(code)
        made.append(code)
    return made


@pytest.mark.parametrize(
    ("count", "pattern"),
    [
        (20, "C-##"),  # 100 codes, 40 taken at the end: drawn in one go, codes drawn again
        (45, "C-##"),  # 90 of 100 taken at the end: made one by one, searching the last
        (3_000, "CLUB-####-####"),  # more than one batch
    ],
)
def test_generate_many_gives_what_generate_gives_one_by_one(count: int, pattern: str) -> None:
    """The same codes, none taken twice, and the stream left where ``generate`` leaves it."""
    config = CodeConfig(pattern=pattern, charset="0123456789")
    taken = {f"C-{number:02}" for number in range(0, 100, 5)}
    one_by_one, at_once = IdGenerator(seed=3), IdGenerator(seed=3)

    expected = _codes(config, one_by_one, set(taken), count, many=False)
    made = _codes(config, at_once, set(taken), count, many=True)

    assert made == expected
    assert len(set(made) | taken) == len(made) + len(taken)
    assert at_once.position() == one_by_one.position()
