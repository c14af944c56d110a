"""Reading request bodies and query strings with Voucherify's validation errors."""

from __future__ import annotations

import json
import math
import re
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar

from loyalty_fake import errors
from loyalty_fake.clock import parse_timestamp
from loyalty_fake.errors import VoucherifyError, bad_request

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Collection, Iterable

    from loyalty_fake.http.messages import Request

__all__ = [
    "MAX_INTEGER",
    "Body",
    "Query",
    "check_text",
    "deep_objects",
    "invalid_query",
    "parse_json_body",
    "parse_json_objects",
    "restore_plus",
]

_T = TypeVar("_T")
_JSON_TYPE_NAMES: dict[type, str] = {
    str: "string",
    bool: "boolean",
    int: "integer",
    float: "number",
    dict: "object",
    list: "array",
}
# Nesting deeper than this is rejected before it reaches any rule: no recursion bombs.
_MAX_DEPTH = 32
# The largest integer the API takes where the request gives no other bound:
# Number.MAX_SAFE_INTEGER. Voucherify's backend is JavaScript, where a larger integer
# is not the integer that was sent.
MAX_INTEGER = 2**53 - 1
_INTEGER = re.compile(r"-?[0-9]+")
_INDEX = re.compile(r"[0-9]*")
# One deepObject key: a name and its bracketed parts, ``customer[address][city]``.
_DEEP_KEY = re.compile(r"([^\[\]]+)((?:\[[^\[\]]*\])*)")
_DEEP_PART = re.compile(r"\[([^\[\]]*)\]")
# A lone UTF-16 surrogate is half a character (a client that cut an emoji in two): no
# UTF-8 text holds one. In a body it can only come from a \uD800-\uDFFF escape.
_SURROGATE = re.compile("[\ud800-\udfff]")
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
# A percent-escape of a byte past ASCII: only then can a path decode to what is not UTF-8.
_HIGH_ESCAPE = re.compile(r"%[89a-fA-F]")


def _invalid_payload(details: str) -> VoucherifyError:
    return errors.invalid_payload(details)


def _not_a_constant(name: str) -> Any:
    # Python's json takes NaN, Infinity and -Infinity; JSON (and JSON.parse) does not.
    msg = f"{name} is not a JSON value"
    raise ValueError(msg)


def _finite(text: str) -> float:
    value = float(text)
    if math.isinf(value):
        # 1e400 is Infinity to JSON.parse, which no JSON reply can carry back.
        msg = f"number {text} is out of range"
        raise ValueError(msg)
    return value


# One decoder for every body: json.loads(text, parse_...=...) builds a new one per call.
_DECODER = json.JSONDecoder(parse_constant=_not_a_constant, parse_float=_finite)


def _inspect(value: Any, limit: int, *, strings: bool) -> int:
    """How deeply ``value`` nests, stopping past ``limit``.

    With ``strings``, raises ``invalid_payload`` for a lone surrogate in a key or string.
    """
    stack: list[tuple[Any, int]] = [(value, 1)]
    deepest = 0
    while stack:
        item, level = stack.pop()
        deepest = max(deepest, level)
        if deepest > limit:
            return deepest
        if isinstance(item, dict):
            if strings:
                for key in item:
                    _check_string(key)
            stack.extend((child, level + 1) for child in item.values())
        elif isinstance(item, list):
            stack.extend((child, level + 1) for child in item)
        elif strings and isinstance(item, str):
            _check_string(item)
    return deepest


def _check_string(text: str) -> None:
    if not text.isascii() and _SURROGATE.search(text):
        raise _invalid_payload(
            f"Payload is not valid JSON: {ascii(text)[:80]} holds a lone UTF-16 surrogate"
        )


def _parse_json(request: Request) -> Any:
    raw = request.body
    # UTF-8 (a byte order mark ignored), or UTF-16 or UTF-32 as RFC 7159 allowed, told
    # apart as Python's json does; decoded strictly, unlike json.loads(bytes), which
    # lets encoded lone surrogates through.
    # An object whose second byte is not NUL is UTF-8 by that rule: the usual body, told
    # without detect_encoding's checks for byte order marks.
    encoding = "utf-8" if raw[:1] == b"{" and raw[1:2] != b"\x00" else json.detect_encoding(raw)
    try:
        text = raw.decode(encoding)
    except UnicodeDecodeError as error:
        raise _invalid_payload(
            f"Payload is not valid {encoding.upper()}: {error.reason} at byte {error.start}"
        ) from None
    if not text.strip():
        return {}
    try:
        parsed = _DECODER.decode(text)
    except (ValueError, RecursionError) as error:
        raise _invalid_payload(f"Payload is not valid JSON: {error}") from None
    strings = _SURROGATE_ESCAPE.search(text) is not None
    # Nesting n levels deep takes n - 1 brackets: a body with fewer has no walk to make.
    deep = text.count("{") + text.count("[") >= _MAX_DEPTH
    if (strings or deep) and _inspect(parsed, _MAX_DEPTH, strings=strings) > _MAX_DEPTH:
        raise _invalid_payload(f"Payload must not be nested deeper than {_MAX_DEPTH} levels")
    return parsed


def check_text(request: Request) -> None:
    """Refuse a request whose path, query or headers hold what is not text.

    A lone UTF-16 surrogate, or percent-encoded bytes that are not UTF-8 (which decode
    to lone surrogates), would be stored and then break every JSON reply that shows
    them. Raises 400 ``invalid_query_params`` for the query, ``invalid_request`` for
    the path or a header.
    """
    path = request.path
    if not path.isascii() or ("%" in path and _HIGH_ESCAPE.search(path)):
        for position, segment in enumerate(request.segments, start=1):
            if _SURROGATE.search(segment):
                raise bad_request(
                    "invalid_request",
                    "Invalid request",
                    f"Path segment {position} is not UTF-8 text once percent-decoded",
                )
    for name, value in request.query:
        if not (name.isascii() and value.isascii()) and _SURROGATE.search(name + value):
            raise invalid_query(
                f"Query parameter {ascii(name)[1:-1]} is not UTF-8 text once percent-decoded"
            )
    headers = request.headers
    if "".join(headers.values()).isascii() and "".join(headers).isascii():
        return
    for name, value in headers.items():
        if not (name.isascii() and value.isascii()) and _SURROGATE.search(name + value):
            raise bad_request(
                "invalid_request", "Invalid request", f"Header {ascii(name)[1:-1]} is not text"
            )


def parse_json_body(request: Request) -> dict[str, Any]:
    """The request's JSON object; an empty body is ``{}`` (the SDK sends empty POSTs).

    Raises 400 ``invalid_payload`` for malformed JSON, a non-object, or absurd nesting.
    """
    parsed = _parse_json(request)
    if not isinstance(parsed, dict):
        raise _invalid_payload("Payload must be object")
    return parsed


def parse_json_objects(request: Request) -> tuple[list[dict[str, Any]], bool]:
    """The request's JSON object or non-empty array of objects, listed; and if an array.

    An array's items are named by their index in error messages. Raises 400
    ``invalid_payload`` as ``parse_json_body`` does, and for anything else.
    """
    parsed = _parse_json(request)
    if isinstance(parsed, dict):
        return [parsed], False
    if not isinstance(parsed, list) or not parsed or not all(isinstance(i, dict) for i in parsed):
        raise _invalid_payload("Payload must be object or array of objects")
    return parsed, True


def _type_name(expected: type | tuple[type, ...]) -> str:
    kinds = expected if isinstance(expected, tuple) else (expected,)
    return ",".join(_JSON_TYPE_NAMES.get(kind, kind.__name__) for kind in kinds)


class Body:
    """Typed access to a JSON object; each getter raises Voucherify's ``invalid_payload``.

    ``path`` is the property path Voucherify prints in ``details`` (``.voucher.code_config``).
    ``None`` (JSON ``null``) counts as absent, since the SDK sends nulls for unset fields.
    """

    def __init__(self, data: dict[str, Any], path: str = "") -> None:
        """Wrap ``data``, found at ``path`` in the payload."""
        self.data = data
        self.path = path

    def _where(self, key: str) -> str:
        return f"{self.path}.{key}"

    def fail(self, key: str, problem: str) -> NoReturn:
        """Raise ``invalid_payload`` about property ``key``."""
        raise _invalid_payload(f"Property {self._where(key)} {problem}")

    def require(self, key: str) -> None:
        """Raise ``invalid_payload`` when ``key`` is absent or null."""
        if self.data.get(key) is None:
            where = f"Property {self.path}" if self.path else "Payload"
            raise _invalid_payload(f"{where} must have required property '{key}'")

    def _typed(self, key: str, expected: type[_T] | tuple[type, ...]) -> _T | None:
        value = self.data.get(key)
        if value is None or value.__class__ is expected:
            return value  # exactly the type: nothing to check
        kinds = expected if isinstance(expected, tuple) else (expected,)
        # JSON true/false must not pass for an integer (bool is an int in Python).
        if isinstance(value, bool) and bool not in kinds:
            self.fail(key, f"must be {_type_name(expected)}")
        if not isinstance(value, kinds):
            self.fail(key, f"must be {_type_name(expected)}")
        return value  # type: ignore[return-value]

    def string(self, key: str, *, non_empty: bool = False) -> str | None:
        """A string property, or ``None``."""
        value = self._typed(key, str)
        if non_empty and value is not None and not value.strip():
            self.fail(key, "must NOT have fewer than 1 characters")
        return value

    def boolean(self, key: str) -> bool | None:
        """A boolean property, or ``None``."""
        return self._typed(key, bool)

    def integer(
        self, key: str, *, minimum: int | None = None, maximum: int | None = None
    ) -> int | None:
        """An integer property within bounds, or ``None``; ``2.0`` counts as an integer.

        Without a bound, ``-MAX_INTEGER`` and ``MAX_INTEGER`` are the bounds.
        """
        value = self.data.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.fail(key, "must be integer")
        if isinstance(value, float):
            if not value.is_integer() or math.isinf(value):
                self.fail(key, "must be integer")
            value = int(value)
        low = -MAX_INTEGER if minimum is None else minimum
        high = MAX_INTEGER if maximum is None else maximum
        if value < low:
            self.fail(key, f"must be >= {low}")
        if value > high:
            self.fail(key, f"must be <= {high}")
        return int(value)

    def obj(self, key: str) -> Body | None:
        """A nested object property, or ``None``."""
        value = self._typed(key, dict)
        return Body(value, self._where(key)) if value is not None else None

    def mapping(self, key: str) -> dict[str, Any] | None:
        """A free-form object property (``metadata``), or ``None``."""
        return self._typed(key, dict)

    def choice(self, key: str, allowed: Collection[str]) -> str | None:
        """A string property from ``allowed``, or ``None``."""
        value = self.string(key)
        if value is not None and value not in allowed:
            self.fail(key, f"must be equal to one of the allowed values [ {', '.join(allowed)} ]")
        return value

    def timestamp(self, key: str) -> dt.datetime | None:
        """An ISO 8601 date-time property, or ``None``."""
        value = self.string(key)
        if value is None:
            return None
        try:
            return parse_timestamp(value)
        except ValueError:
            self.fail(key, "cannot be recognized as a ISO-8601 compliant date")


def invalid_query(details: str) -> VoucherifyError:
    """Voucherify's ``400 invalid_query_params`` with ``details``."""
    return errors.invalid_query_params(details)


def restore_plus(raw: str) -> str:
    """A timestamp whose ``+`` offset a query string decoded to a space, put back."""
    head, space, offset = raw.rpartition(" ")
    if space and "T" in head and len(offset) == len("00:00") and offset[2] == ":":
        return f"{head}+{offset}"
    return raw


class Query:
    """Typed access to query parameters; each getter raises ``invalid_query_params``.

    Accepts deepObject keys raw (``created_at[before]``) or percent-encoded, as the
    official SDK sends them; a repeated parameter takes its last value.
    """

    def __init__(self, pairs: Iterable[tuple[str, str]]) -> None:
        """Index the decoded ``(name, value)`` pairs."""
        self.pairs = tuple(pairs)
        # A repeated name keeps its last value, as dict() keeps it.
        self.values: dict[str, str] = dict(self.pairs)
        # Whether any name is a deepObject key (``created_at[before]``): most are not.
        self._brackets = "[" in "".join(self.values)

    def strings(self, key: str) -> list[str] | None:
        """An array parameter's values, ``None`` when absent.

        Repeated (``ids=a&ids=b``, the spec's form), or with brackets as qs writes
        arrays (``ids[]=a``, ``ids[0]=a``).
        """
        found = [
            value
            for name, value in self.pairs
            if name == key
            or (
                name.startswith(f"{key}[")
                and name.endswith("]")
                and _INDEX.fullmatch(name[len(key) + 1 : -1])
            )
        ]
        return found or None

    def string(self, key: str) -> str | None:
        """A parameter's value, or ``None`` when absent."""
        return self.values.get(key)

    def integer(self, key: str, *, minimum: int, maximum: int, default: int) -> int:
        """An integer parameter within bounds."""
        raw = self.values.get(key)
        if raw is None:
            return default
        # int() would also take " 7", "1_0" and non-ASCII digits; Voucherify takes digits.
        if not _INTEGER.fullmatch(raw):
            raise invalid_query(f"Property .{key} must be integer")
        value = int(raw)
        if value < minimum:
            raise invalid_query(f"Property .{key} must be >= {minimum}")
        if value > maximum:
            raise invalid_query(f"Property .{key} must be <= {maximum}")
        return value

    def choice(self, key: str, allowed: Collection[_T], default: _T) -> _T:
        """A parameter from ``allowed``."""
        raw = self.values.get(key)
        if raw is None:
            return default
        if raw not in allowed:
            listed = ", ".join(str(option) for option in allowed)
            raise invalid_query(
                f"Property .{key} must be equal to one of the allowed values [ {listed} ]"
            )
        return raw  # type: ignore[return-value]

    def timestamp(self, key: str, part: str) -> dt.datetime | None:
        """``key[part]`` (e.g. ``created_at[before]``) as a moment, or ``None``."""
        if not self._brackets:
            return None  # no name to build and look up
        return self._moment(f"{key}[{part}]", f"{key}.{part}")

    def moment(self, key: str) -> dt.datetime | None:
        """A date-time parameter (``starting_after``) as a moment, or ``None``."""
        return self._moment(key, key)

    def _moment(self, key: str, path: str) -> dt.datetime | None:
        raw = self.values.get(key)
        if raw is None:
            return None
        # A hand-built URL with a raw "+00:00" offset arrives with the "+" decoded to a space.
        raw = restore_plus(raw)
        try:
            return parse_timestamp(raw)
        except ValueError:
            raise invalid_query(
                f"Property .{path} cannot be recognized as a ISO-8601 compliant date"
            ) from None


def deep_objects(pairs: Iterable[tuple[str, str]]) -> dict[str, Any]:
    """Query parameters as objects: ``customer[address][city]=X`` is ``{customer: {address: …}}``.

    The values stay text; a key that is not a name with bracketed parts is kept as it
    came, and a later parameter replaces an earlier one at the same place. Nesting
    deeper than a body may is refused (400 ``invalid_query_params``).
    """
    found: dict[str, Any] = {}
    for name, value in pairs:
        matched = _DEEP_KEY.fullmatch(name)
        keys = [matched[1], *_DEEP_PART.findall(matched[2])] if matched else [name]
        if len(keys) > _MAX_DEPTH:
            raise invalid_query(f"Property {name} must not be nested deeper than {_MAX_DEPTH}")
        target = found
        for key in keys[:-1]:
            inner = target.get(key)
            if not isinstance(inner, dict):
                inner = target[key] = {}
            target = inner
        target[keys[-1]] = value
    return found
