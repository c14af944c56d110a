"""Card codes that follow a campaign's ``code_config``."""

from __future__ import annotations

import functools
from collections.abc import Sized
from itertools import product
from typing import TYPE_CHECKING, Any

import attrs

from loyalty_fake import errors
from loyalty_fake.ids import ALPHANUMERIC

if TYPE_CHECKING:
    from collections.abc import Callable, Collection, Container, Iterable, Iterator

__all__ = ["CodeConfig"]

_PLACEHOLDER = "#"
_DEFAULT_LENGTH = 8
# Bounded retries: a code space that is nearly full answers with an error, never hangs.
_MAX_ATTEMPTS = 64
_EXHAUSTIVE_LIMIT = 200_000
# Codes drawn at once by generate_many: a call a batch, and no large short-lived buffers
# (freed, they would keep the process's memory high).
_BATCH = 1024


@functools.lru_cache(maxsize=256)
def _format_of(template: str) -> tuple[str, int]:
    """``template`` as a ``str.format`` string (fast to fill), and its placeholder count."""
    escaped = template.replace("{", "{{").replace("}", "}}")
    return escaped.replace(_PLACEHOLDER, "{}"), template.count(_PLACEHOLDER)


@attrs.frozen
class CodeConfig:
    """How a campaign's codes are shaped (Voucherify's ``code_config``).

    ``pattern`` wins over ``length``: each ``#`` becomes one character of ``charset``.
    """

    length: int = _DEFAULT_LENGTH
    charset: str = ALPHANUMERIC
    prefix: str = ""
    postfix: str = ""
    pattern: str | None = None

    @property
    def template(self) -> str:
        """The pattern with ``#`` placeholders, prefix and postfix included."""
        body = self.pattern if self.pattern is not None else _PLACEHOLDER * self.length
        return f"{self.prefix}{body}{self.postfix}"

    @property
    def capacity(self) -> int:
        """How many distinct codes this configuration can produce."""
        capacity: int = len(set(self.charset)) ** self.template.count(_PLACEHOLDER)
        return capacity

    def to_json(self) -> dict[str, Any]:
        """The ``code_config`` object as Voucherify returns it."""
        config: dict[str, Any] = {"length": self.length, "charset": self.charset}
        if self.prefix:
            config["prefix"] = self.prefix
        if self.postfix:
            config["postfix"] = self.postfix
        config["pattern"] = self.pattern if self.pattern is not None else _PLACEHOLDER * self.length
        return config

    def fits(self, code: str) -> bool:
        """Whether this configuration could have produced ``code``."""
        template = self.template
        if len(code) != len(template):
            return False
        charset = set(self.charset)
        return all(
            char in charset if slot == _PLACEHOLDER else char == slot
            for slot, char in zip(template, code, strict=True)
        )

    def check_room(self, wanted: int, existing: Iterable[str]) -> None:
        """Raise 400 ``invalid_code_config`` when ``wanted`` more codes cannot fit.

        Only the ``existing`` codes this configuration could produce take its room.
        """
        if wanted <= 0:
            return
        if isinstance(existing, Sized) and wanted <= self.capacity - len(existing):
            return  # room even if every existing code were one of ours: nothing to count
        # Counting costs a pass over the project's codes: skip it when no count could help.
        taken = 0 if wanted > self.capacity else sum(1 for code in existing if self.fits(code))
        if wanted > max(self.capacity - taken, 0):
            raise errors.invalid_code_config(
                f"The code config can produce {self.capacity} distinct codes; "
                f"{wanted} requested while {taken} are already taken",
            )

    def generate_many(
        self,
        draw: Callable[[str, int], str],
        draw_many: Callable[[str, int, int], list[str]],
        taken: Collection[str],
        count: int,
    ) -> Iterator[str]:
        """``count`` new codes: what ``count`` calls of ``generate`` in a row would give.

        ``draw_many(charset, slots, n)`` is ``n`` calls of ``draw`` at once. The codes
        are made as they are asked for, each checked against ``taken`` then (the card
        made of the one before is in it); characters are drawn for at most as many codes
        as are still wanted, so a code drawn again is passed over for the next draw, as
        ``generate`` passes it, and nothing is drawn that ``generate`` would not draw.
        Where the space is less than half free ``generate`` itself makes each: only
        there can a code run out of attempts (2^-64 a code here) and search for its slot.
        """
        if self.capacity < 2 * (len(taken) + count):
            yield from (self.generate(draw, taken) for _ in range(count))
            return
        form, slots = _format_of(self.template)
        plain = form == "{}" * slots
        wanted = count
        while wanted:
            for chars in draw_many(self.charset, slots, min(wanted, _BATCH)):
                code = chars if plain else form.format(*chars)
                if code not in taken:
                    wanted -= 1
                    yield code

    def generate(self, draw: Callable[[str, int], str], taken: Container[str]) -> str:
        """A new code not in ``taken``, drawing random characters with ``draw``."""
        template = self.template
        form, slots = _format_of(template)
        plain = form == "{}" * slots  # placeholders alone: the code is what is drawn
        for _ in range(_MAX_ATTEMPTS):
            chars = draw(self.charset, slots)
            code = chars if plain else form.format(*chars)
            if code not in taken:
                return code
        # Random draws keep missing: the space is nearly full. A small space is searched
        # exhaustively (in a seeded order), so the last free code is still found.
        if self.capacity <= _EXHAUSTIVE_LIMIT:

            def fill(chars: str) -> str:
                return form.format(*chars)

            alphabet = "".join(dict.fromkeys(self.charset))
            free = [
                code
                for code in map(fill, map("".join, product(alphabet, repeat=slots)))
                if code not in taken
            ]
            if free:
                return free[int(draw("0123456789", 9)) % len(free)]
        raise errors.invalid_code_config(
            f"Could not find a free code for pattern {template!r}: the code space is exhausted",
        )
