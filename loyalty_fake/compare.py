"""Compare a response of Voucherify's with the fake's: by shape and rule, not by ID or time.

``normalise`` replaces what differs between any two projects by nature (IDs, codes,
timestamps, request IDs) with placeholders numbered by first appearance, so that the same
structure normalises the same way in both; ``differences`` then walks two bodies side by
side and names each place they differ: a key one lacks, a type, a value.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote, unquote

import attrs

__all__ = ["Difference", "IdPairs", "Normaliser", "differences", "json_type", "normalise"]

# Voucherify's IDs: a short lowercase prefix, an underscore, then letters and digits with
# at least one digit or capital (``camp_wGlq...``, ``r_0a1b...``); enum values such as
# ``redemption_entries`` have neither, and stay as they are. Some carry a suffix:
# ``val_5h0wc453_2``.
_ID = r"[a-z][a-z0-9]{0,7}_(?=[0-9a-zA-Z]*[0-9A-Z])[0-9a-zA-Z]{8,}(?:_[0-9a-zA-Z]+)*"
_WHOLE_ID = re.compile(rf"^{_ID}$")
_EMBEDDED_ID = re.compile(rf"(?<![0-9A-Za-z_]){_ID}(?![0-9A-Za-z_])")
_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# Keys whose string values are codes (generated, so different in every project).
_CODE_KEYS = frozenset({"code", "voucher_code", "referral_code", "tracking_id"})
# An asset's ID (a QR code's, a barcode's): OpenSSL's salted base64, "Salted__...".
_ASSET = "U2FsdGVkX1"
# Shorter known values are not looked for inside other strings: "10" is not a code there.
_EMBEDDED_MIN = 6
# Keys whose values are per call by nature.
_VOLATILE_KEYS = frozenset({"request_id"})


def json_type(value: Any) -> str:
    """The JSON type of a parsed value: null, boolean, number, string, array or object."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def _id_prefix(value: str) -> str:
    return value.partition("_")[0]


@attrs.define
class Normaliser:
    """Replaces IDs, codes and times with placeholders, the same value the same way.

    One normaliser per side of a comparison: ``camp_...`` becomes ``<camp_1>`` the first
    time it is met and every time after; a code ``<code_1>``; a timestamp ``<time>``.
    """

    _seen: dict[str, str] = attrs.field(factory=dict)
    _counts: dict[str, int] = attrs.field(factory=dict)

    def _placeholder(self, kind: str, value: str) -> str:
        found = self._seen.get(value)
        if found is None:
            self._counts[kind] = self._counts.get(kind, 0) + 1
            found = self._seen[value] = f"<{kind}_{self._counts[kind]}>"
        return found

    def learn_codes(self, value: Any) -> None:
        """Number the codes and IDs in ``value`` in document order, before replacing any.

        A code (a string under ``code``...) and an ``id`` that is no prefixed ID (a
        redeemable's code, an asset's encrypted ID) are known by their key; once known,
        they are replaced inside URLs and sentences too.
        """
        if isinstance(value, dict):
            for key, item in value.items():
                if isinstance(item, str) and item and key in _CODE_KEYS:
                    self._placeholder("code", item)
                elif isinstance(item, str) and item and key == "id":
                    self._placeholder(self._kind(item), item)
                else:
                    self.learn_codes(item)
        elif isinstance(value, list):
            for item in value:
                self.learn_codes(item)

    @staticmethod
    def _kind(value: str) -> str:
        if _WHOLE_ID.match(value):
            return _id_prefix(value)
        return "asset" if value.startswith(_ASSET) else "id"

    def __call__(self, value: Any, key: str | None = None) -> Any:
        """``value`` with its IDs, codes and times replaced (a new value; ``value`` is kept)."""
        if isinstance(value, dict):
            # A map keyed by ID (an order's ``redemptions``) has its keys replaced too.
            return {self._key(k): self(v, k) for k, v in value.items()}
        if isinstance(value, list):
            return [self(item, key) for item in value]
        if not isinstance(value, str):
            return value
        return self._string(value, key)

    def _key(self, key: str) -> str:
        return self._placeholder(_id_prefix(key), key) if _WHOLE_ID.match(key) else key

    def _string(self, value: str, key: str | None) -> str:
        if key in _VOLATILE_KEYS:
            return f"<{key}>"
        if value in self._seen or (key in _CODE_KEYS and value):
            return self._placeholder("code", value)
        if _WHOLE_ID.match(value) or value.startswith(_ASSET):
            return self._placeholder(self._kind(value), value)
        stamp = "<time>" if _TIME.match(value) else "<date>" if _DATE.match(value) else None
        if stamp is not None:
            return stamp
        # An ID or code inside a URL or a sentence: ``/v1/loyalties/camp_.../members``.
        value = _EMBEDDED_ID.sub(lambda m: self._placeholder(_id_prefix(m[0]), m[0]), value)
        for known, placeholder in self._seen.items():
            if len(known) >= _EMBEDDED_MIN:
                for spelling in {known, quote(known, safe="")}:
                    value = value.replace(spelling, placeholder)
        return value


def normalise(value: Any) -> Any:
    """``value`` with IDs, codes and times replaced by a fresh ``Normaliser``."""
    normaliser = Normaliser()
    normaliser.learn_codes(value)
    return normaliser(value)


@attrs.frozen
class Difference:
    """One place where Voucherify's answer and the fake's differ.

    ``kind``: ``status``, ``missing`` (Voucherify has the key, the fake not), ``extra``
    (the fake has it, Voucherify not), ``type``, ``length`` (of an array) or ``value``.
    ``path``: where, as ``$.voucher.loyalty_card.points`` (``$`` for the body).
    """

    kind: str
    path: str
    upstream: Any = None
    fake: Any = None

    def as_json(self) -> dict[str, Any]:
        """The difference as one JSON object of a report."""
        found: dict[str, Any] = {"kind": self.kind, "path": self.path}
        if self.kind in {"missing", "value", "status", "length"}:
            found["upstream"] = self.upstream
        if self.kind in {"extra", "value", "status", "length"}:
            found["fake"] = self.fake
        if self.kind == "type":
            found["upstream"], found["fake"] = json_type(self.upstream), json_type(self.fake)
        return found


def differences(upstream: Any, fake: Any, path: str = "$") -> list[Difference]:
    """Every place where two (normalised) JSON values differ, in document order."""
    if json_type(upstream) != json_type(fake):
        return [Difference("type", path, upstream, fake)]
    if isinstance(upstream, dict):
        found: list[Difference] = []
        for key, value in upstream.items():
            if key not in fake:
                found.append(Difference("missing", f"{path}.{key}", value))
            else:
                found.extend(differences(value, fake[key], f"{path}.{key}"))
        found.extend(
            Difference("extra", f"{path}.{key}", fake=value)
            for key, value in fake.items()
            if key not in upstream
        )
        return found
    if isinstance(upstream, list):
        found = [
            d
            for index, (a, b) in enumerate(zip(upstream, fake, strict=False))
            for d in differences(a, b, f"{path}[{index}]")
        ]
        if len(upstream) != len(fake):
            found.append(Difference("length", path, len(upstream), len(fake)))
        return found
    if upstream != fake:
        return [Difference("value", path, upstream, fake)]
    return []


@attrs.define
class IdPairs:
    """Which of Voucherify's IDs and codes is which of the fake's, learnt from answer pairs.

    A client holds Voucherify's IDs and sends them back; the fake knows its own: each pair
    of answers names both at the same places, and ``translate`` rewrites a request for the
    fake with them.
    """

    pairs: dict[str, str] = attrs.field(factory=dict)

    def learn(self, upstream: Any, fake: Any, key: str | None = None) -> None:
        """Pair the IDs and codes found at the same places of two answers."""
        if isinstance(upstream, dict) and isinstance(fake, dict):
            for name, value in upstream.items():
                if name in fake:
                    self.learn(value, fake[name], name)
        elif isinstance(upstream, list) and isinstance(fake, list):
            for a, b in zip(upstream, fake, strict=False):
                self.learn(a, b, key)
        elif isinstance(upstream, str) and isinstance(fake, str) and upstream != fake:
            paired = key in _CODE_KEYS or (
                _WHOLE_ID.match(upstream) and _id_prefix(upstream) == _id_prefix(fake)
            )
            if paired and upstream:
                self.pairs[upstream] = fake

    def swap(self, value: Any) -> Any:
        """A JSON value with Voucherify's IDs and codes swapped for the fake's (a new value)."""
        if isinstance(value, dict):
            return {key: self.swap(item) for key, item in value.items()}
        if isinstance(value, list):
            return [self.swap(item) for item in value]
        if not isinstance(value, str) or not self.pairs:
            return value
        if value in self.pairs:
            return self.pairs[value]
        return _EMBEDDED_ID.sub(lambda m: self.pairs.get(m[0], m[0]), value)

    def swap_path(self, path: str) -> str:
        """A percent-encoded path with each segment that is a known ID or code swapped."""
        return "/".join(
            quote(self.pairs[unquote(part)], safe="") if unquote(part) in self.pairs else part
            for part in path.split("/")
        )
