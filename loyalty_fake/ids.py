"""Seeded identifiers and codes shaped as Voucherify's own."""

from __future__ import annotations

import binascii
import functools
import hashlib
import random
import string
import threading

import attrs

__all__ = [
    "ALPHANUMERIC",
    "IdGenerator",
    "Position",
    "asset_id",
    "bucket_id",
    "card_id",
    "customer_event_id",
    "customer_id",
    "derived_id",
    "product_id",
    "project_salt",
    "publication_event_id",
    "publication_id",
    "redeemable_holder_id",
    "transaction_event_id",
    "transaction_id",
]

# Where the ID stream stands: the point it started from (a seed, or a state that a
# snapshot restored) and how many 32-bit words it has drawn since. Reading it costs
# nothing; going back to it replays the words, which only a failed request does.
Position = tuple[object, int]
_WORDS_AT_ONCE = 1 << 20

ALPHANUMERIC = string.digits + string.ascii_letters
_HEX = "0123456789abcdef"


# Fresh hashers of the digest sizes IDs take, copied for each ID: a copy costs a third of
# what making one with keyword arguments does (a new card takes five digests). Never
# updated themselves, so every copy starts from the same empty state.
_HASHERS = {size: hashlib.blake2b(digest_size=size) for size in (16, 18, 24, 32)}
_ASSET_LONG = hashlib.blake2b(digest_size=64)
_ASSET_SHORT = hashlib.blake2b(digest_size=24, person=b"loyalty-fake")


def derived_id(prefix: str, seed: str, length: int) -> str:
    """``prefix`` and ``length`` alphanumerics computed from ``seed``.

    The same seed gives the same ID, with nothing stored and no random draw.
    """
    size = max(length, 16)
    fresh = _HASHERS.get(size)
    hasher = fresh.copy() if fresh is not None else hashlib.blake2b(digest_size=size)
    # surrogatepass: text the API refuses (a lone surrogate) may still reach a derived ID
    # from the Python API; it must not stop the state from being shown.
    hasher.update(seed.encode("utf-8", "surrogatepass"))
    return prefix + hasher.digest()[:length].translate(_ALPHANUMERIC_TABLE).decode("ascii")


@functools.lru_cache(maxsize=64)
def _byte_table(alphabet: str) -> bytes | None:
    """A 256-entry translation table from random bytes to ``alphabet``, if it is ASCII."""
    if not alphabet.isascii() or len(alphabet) > 256:  # noqa: PLR2004 - one byte per character
        return None
    encoded = alphabet.encode("ascii")
    return bytes(encoded[i % len(encoded)] for i in range(256))


_ALPHANUMERIC_TABLE = _byte_table(ALPHANUMERIC) or b""  # ASCII: always a table


@attrs.define
class IdGenerator:
    """One seeded random source for every ID and code the fake hands out.

    The same seed and the same sequence of calls give the same IDs, on any
    machine and whatever ``PYTHONHASHSEED`` is.
    """

    seed: int = 0
    # Made on first use, from ``seed``: a Random costs ~15 µs, and a fixture's fake that
    # never hands out an ID need not pay it (issue 21).
    _rng: random.Random | None = attrs.field(default=None, init=False, repr=False, eq=False)
    _lock: threading.Lock = attrs.field(factory=threading.Lock, init=False, repr=False, eq=False)

    # Error request_ids come from a stream of their own: a rejected request then draws
    # nothing from the stream that names cards and customers, so replaying only the
    # accepted requests (a journal) gives the same IDs.
    # Made on first use (most fakes never refuse a request): a Random costs a fixture ~10%.
    _errors_made: random.Random | None = attrs.field(default=None, init=False, repr=False, eq=False)
    # See Position: what the ID stream started from, and the words drawn since.
    _start: object = attrs.field(default=0, init=False, repr=False, eq=False)
    _drawn: int = attrs.field(default=0, init=False, repr=False, eq=False)

    def __attrs_post_init__(self) -> None:
        self.reseed(self.seed)

    def reseed(self, seed: int) -> None:
        """Restart the sequence from ``seed``."""
        with self._lock:
            self.seed = seed
            self._rng = None
            self._errors_made = None
            self._start, self._drawn = seed, 0

    @property
    def _random(self) -> random.Random:
        rng = self._rng
        if rng is None:
            rng = self._rng = random.Random(self.seed)  # noqa: S311 - test data, not secrets
        return rng

    def chars(self, alphabet: str, length: int) -> str:
        """``length`` characters drawn from ``alphabet``."""
        table = _byte_table(alphabet)
        with self._lock:
            if table is None:
                # choices() takes one random() a character: two 32-bit words each.
                self._drawn += 2 * length
                return "".join(self._random.choices(alphabet, k=length))
            # One random byte per character, mapped through a table: ~20x faster than
            # choices(). Alphabets that do not divide 256 are very slightly uneven, which
            # is harmless for test data. randbytes(n) is getrandbits(8 n): whole words.
            self._drawn += (8 * length + 31) // 32
            return self._random.randbytes(length).translate(table).decode("ascii")

    def chars_many(self, alphabet: str, length: int, count: int) -> list[str]:
        """What ``count`` calls of ``chars(alphabet, length)`` in a row return, in one go.

        The same draws in the same order (one ``randbytes`` each), mapped and decoded
        together: a program's 100,000 cards cost one call, not 100,000.
        """
        table = _byte_table(alphabet)
        if table is None:
            return [self.chars(alphabet, length) for _ in range(count)]
        with self._lock:
            self._drawn += count * ((8 * length + 31) // 32)
            randbytes = self._random.randbytes
            raw = b"".join([randbytes(length) for _ in range(count)])
        drawn = raw.translate(table).decode("ascii")
        return [drawn[at : at + length] for at in range(0, len(drawn), length)]

    def _alnum(self, prefix: str, length: int) -> str:
        return prefix + self.chars(ALPHANUMERIC, length)

    def campaign_id(self) -> str:
        """``camp_`` and 24 alphanumerics."""
        return self._alnum("camp_", 24)

    def customer_id(self) -> str:
        """``cust_`` and 24 alphanumerics."""
        return self._alnum("cust_", 24)

    def category_id(self) -> str:
        """``cat_`` and 18 lowercase hex digits."""
        return "cat_" + self.chars(_HEX, 18)

    def ordered(self, prefix: str, seq: int) -> str:
        """``prefix`` and 18 lowercase hex digits that sort in ``seq`` order.

        Voucherify's ``r_``/``rr_`` IDs are time-ordered hex; cursors compare them.
        """
        return f"{prefix}{seq:010x}{self.chars(_HEX, 8)}"

    def reward_id(self) -> str:
        """``rew_`` and 24 alphanumerics."""
        return self._alnum("rew_", 24)

    def reward_assignment_id(self) -> str:
        """``rewa_`` and 24 alphanumerics."""
        return self._alnum("rewa_", 24)

    def order_id(self) -> str:
        """``ord_`` and 24 alphanumerics."""
        return self._alnum("ord_", 24)

    def earning_rule_id(self) -> str:
        """An earning rule's ``ern_`` and 24 alphanumerics."""
        return self._alnum("ern_", 24)

    def loyalty_tier_id(self) -> str:
        """A loyalty tier's ``ltr_`` and 24 alphanumerics."""
        return self._alnum("ltr_", 24)

    def deletion_id(self) -> str:
        """A permanent deletion's ``del_`` and 24 alphanumerics."""
        return self._alnum("del_", 24)

    def async_action_id(self) -> str:
        """``aa_`` and 18 lowercase hex digits."""
        return "aa_" + self.chars(_HEX, 18)

    def export_id(self) -> str:
        """An export's ``exp_`` and 24 alphanumerics."""
        return self._alnum("exp_", 24)

    def export_token(self) -> str:
        """The token an export's download URL carries: 32 alphanumerics."""
        return self.chars(ALPHANUMERIC, 32)

    def product_id(self) -> str:
        """A product's ``prod_`` and 18 lowercase hex digits."""
        return "prod_" + self.chars(_HEX, 18)

    def sku_id(self) -> str:
        """A SKU's ``sku_`` and 18 lowercase hex digits."""
        return "sku_" + self.chars(_HEX, 18)

    @property
    def _errors(self) -> random.Random:
        """The error stream, seeded from ``seed`` when first needed (callers hold the lock)."""
        made = self._errors_made
        if made is None:
            made = self._errors_made = random.Random(f"errors-{self.seed}")  # noqa: S311
        return made

    def request_id(self) -> str:
        """An error's ``request_id``: ``v-`` and 18 lowercase hex digits."""
        with self._lock:
            return "v-" + "".join(self._errors.choices(_HEX, k=18))

    def state(self) -> tuple[object, object]:
        """Both streams' positions, to snapshot and restore."""
        with self._lock:
            return self._random.getstate(), self._errors.getstate()

    def position(self) -> Position:
        """Where the ID stream stands now, for ``rewind``; costs nothing to take."""
        return self._start, self._drawn

    def rewind(self, position: Position) -> None:
        """Put the ID stream back at ``position``: what was drawn after it is drawn again.

        Replays every word since the stream's start (a seed or a restored state):
        milliseconds for millions of IDs, paid only by a unit of work that failed.
        """
        start, drawn = position
        with self._lock:
            if isinstance(start, int):
                self._random.seed(start)
            else:
                self._random.setstate(start)  # type: ignore[arg-type]
            left = drawn
            while left:
                step = min(left, _WORDS_AT_ONCE)
                self._random.getrandbits(32 * step)
                left -= step
            self._start, self._drawn = start, drawn

    def restore(self, state: tuple[object, object]) -> None:
        """Put both streams back where ``state()`` found them."""
        with self._lock:
            self._random.setstate(state[0])  # type: ignore[arg-type]
            self._errors.setstate(state[1])  # type: ignore[arg-type]
            self._start, self._drawn = state[0], 0

    @staticmethod
    def asset_id(voucher_id: str, kind: str) -> str:
        """An opaque asset ID derived from the voucher's ID (see the module's ``asset_id``)."""
        return asset_id(voucher_id, kind)

    def segment_id(self) -> str:
        """A customer segment's ``seg_`` and 24 alphanumerics."""
        return self._alnum("seg_", 24)


# -- Derived IDs ----------------------------------------------------------------------------
# Each computed from what it names, the same every time: nothing stored, no random draw.
# An object's ID is then a property of its record, which keeps a million members small.


def project_salt(seed: int, app_id: str) -> str:
    """A project's salt for its customer IDs: from the ledger's seed and the ``X-App-Id``."""
    return derived_id("", f"{seed}/{app_id}", 16)


def customer_id(salt: str, source_id: str, incarnation: int = 0) -> str:
    """A customer's ``cust_`` ID: from their project's salt and their ``source_id``.

    ``incarnation`` counts the customers deleted with this ``source_id`` before: a customer
    created again after a deletion is a new customer, with a new ID. The salt is 16
    alphanumerics, so ``salt#n/`` never begins the seed of a first incarnation (``salt/``).
    """
    if incarnation:
        return derived_id("cust_", f"{salt}#{incarnation}/{source_id}", 24)
    return derived_id("cust_", f"{salt}/{source_id}", 24)


# The cards answered lately: one serialization of a card reads its ID twice (the card's
# ``id`` and its publication's ``voucher_id``), a page reads ten or a hundred, and a
# stored ID would cost 81 bytes a card at a million. Bounded, so nothing grows with them.
@functools.lru_cache(maxsize=1024)
def card_id(campaign_id: str, code: str) -> str:
    """A card's ``v_`` ID: ``v_`` and 32 alphanumerics derived from its program and code."""
    return derived_id("v_", f"{campaign_id}/{code}", 32)


def bucket_id(card_code: str, seq: int) -> str:
    """A points bucket's ``lopb_`` ID: from its card's code and its sequence on the card."""
    return derived_id("lopb_", f"{card_code}/{seq}", 24)


def publication_id(voucher_id: str, seq: int) -> str:
    """A publication's ``pub_`` ID: from its card's ``v_`` ID and its sequence."""
    return derived_id("pub_", f"{voucher_id}/{seq}", 32)


def publication_event_id(publication: str, seq: int) -> str:
    """The ``customer.publication.succeeded`` event's ``evcus_`` ID: from the publication.

    Hex that sorts in ``seq`` order, as Voucherify's event IDs are time-ordered.
    """
    suffix = hashlib.blake2b(publication.encode(), digest_size=4).hexdigest()
    return f"evcus_{seq:010x}{suffix}"


def redeemable_holder_id(voucher_id: str, customer_id: str, seq: int) -> str:
    """A customer's hold of a card or voucher (``rh_``): from both, and the publication's seq.

    ``rh_`` and 18 hex digits that sort in ``seq`` order, as Voucherify's are time-ordered
    (in the spec's example the later holder, ``rh_0e7b8db4…``, sorts after ``rh_0e79fe37…``).
    """
    key = f"{voucher_id}/{customer_id}".encode("utf-8", "surrogatepass")  # see derived_id
    suffix = hashlib.blake2b(key, digest_size=4).hexdigest()
    return f"rh_{seq:010x}{suffix}"


def customer_event_id(subject: str, seq: int) -> str:
    """The ``evcus_`` ID of a customer event (an order paid, a custom event): from its subject.

    Hex that sorts in ``seq`` order, as Voucherify's event IDs are time-ordered.
    """
    suffix = hashlib.blake2b(subject.encode("utf-8", "surrogatepass"), digest_size=4).hexdigest()
    return f"evcus_{seq:010x}{suffix}"


def product_id(seed: int, product: str) -> str:
    """A seeded reward's ``prod_`` product ID: from the seeding's seed and the product's name."""
    return derived_id("prod_", f"{seed}/{product}", 18)


def transaction_id(card_code: str, seq: int) -> str:
    """A points movement's ``vtx_`` ID: from its card's code and its sequence on the card.

    ``vtx_`` and 18 hex digits that sort in ``seq`` order: Voucherify's ``vtx_`` IDs
    are time-ordered hex, and cursors compare them.
    """
    key = f"{card_code}/{seq}".encode("utf-8", "surrogatepass")  # see derived_id
    suffix = hashlib.blake2b(key, digest_size=4).hexdigest()
    return f"vtx_{seq:010x}{suffix}"


def transaction_event_id(transaction: str) -> str:
    """The member activity event a points movement wrote: ``evcus_`` and its ``vtx_`` hex."""
    return "evcus_" + transaction.removeprefix("vtx_")


def asset_id(voucher_id: str, kind: str) -> str:
    """An opaque asset ID (``kind``: qr or barcode) from the voucher's ID.

    Shaped like Voucherify's: an OpenSSL ``Salted__`` blob, in base64.
    """
    seed = f"{voucher_id}/{kind}".encode()
    long, short = _ASSET_LONG.copy(), _ASSET_SHORT.copy()  # see _HASHERS
    long.update(seed)
    short.update(seed)
    blob = b"Salted__" + long.digest() + short.digest()
    return binascii.b2a_base64(blob, newline=False).decode("ascii")
