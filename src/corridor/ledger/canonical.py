"""RFC 8785 JSON Canonicalization Scheme (JCS): the bytes an observation is signed and hashed as.

``canonical(obj)`` accepts the JSON data model as Python values (dict with str keys, list, str,
int, float, bool, None). Object members are sorted by their UTF-16 code units, strings are
escaped as ECMAScript's JSON.stringify does, and numbers are written as ECMAScript's
Number.prototype.toString writes them (RFC 8785 §3.2.2.3). Integers must lie within the IEEE 754
double range of exact integers (|n| ≤ 2**53), as I-JSON requires.

The common case (no floats whose repr differs from ES6 formatting, no keys outside the BMP) goes
through the C JSON encoder; everything else takes the exact path. Both give the same bytes
(property-tested against the reference ``rfc8785`` package).
"""

from __future__ import annotations

import json
import math
from typing import Any

from corridor.errors import InputError

__all__ = ["CanonicalizationError", "canonical", "es6_number"]

_MAX_SAFE = 2**53 - 1

_encode_fast = json.JSONEncoder(
    ensure_ascii=False, separators=(",", ":"), sort_keys=True, allow_nan=False
).encode


class CanonicalizationError(InputError):
    """The value is outside the I-JSON data model RFC 8785 canonicalises (an InputError, so a
    ValueError too): an integer beyond 2**53, NaN, a lone surrogate, a non-string key, nesting
    deeper than the interpreter's recursion limit."""


def es6_number(x: float) -> str:
    """Format a float as ECMAScript Number.prototype.toString does (RFC 8785 §3.2.2.3)."""
    if math.isnan(x) or math.isinf(x):
        raise CanonicalizationError("NaN and Infinity have no JSON form")
    if x == 0:
        return "0"
    if x < 0:
        return "-" + es6_number(-x)
    r = repr(x)
    # Split Python's shortest round-trip repr into digits and a decimal exponent.
    mant, _, exp = r.partition("e")
    e = int(exp) if exp else 0
    ip, _, fp = mant.partition(".")
    digits = (ip + fp).lstrip("0")
    # n: position of the decimal point relative to the start of digits
    lead_zeros = len(ip + fp) - len((ip + fp).lstrip("0"))
    n = len(ip) - lead_zeros + e
    digits = digits.rstrip("0") or "0"
    k = len(digits)
    if k <= n <= 21:
        return digits + "0" * (n - k)
    if 0 < n <= 21:
        return digits[:n] + "." + digits[n:]
    if -6 < n <= 0:
        return "0." + "0" * (-n) + digits
    sign = "+" if n - 1 >= 0 else "-"
    frac = "." + digits[1:] if k > 1 else ""
    return f"{digits[0]}{frac}e{sign}{abs(n - 1)}"


def _needs_slow(obj: Any) -> bool:
    """True when the C encoder's output could differ from JCS for this value."""
    t = type(obj)
    if t is str or t is bool or obj is None:
        return False
    if t is int:
        if -_MAX_SAFE <= obj <= _MAX_SAFE:
            return False
        raise CanonicalizationError(f"integer {obj} is outside the exact range of IEEE 754 doubles")
    if t is float:
        # The C encoder writes repr(x). Where repr is plain fixed notation with a fraction
        # ("360.5", "0.0001"), it is also ECMAScript's form: both print the shortest digits that
        # round-trip, and both use fixed notation for 1e-4 <= |x| < 1e16. Integral values
        # ("100.0"), exponents ("1e-05", "1e+16"), -0.0, NaN and Infinity take the exact path.
        r = repr(obj)
        return "e" in r or r.endswith(".0") or "." not in r
    if t is dict:
        for k, v in obj.items():
            if type(k) is not str:
                raise CanonicalizationError(f"object key {k!r} is not a string")
            if not k.isascii() and any(ord(c) > 0xFFFF for c in k):
                return True
            if _needs_slow(v):
                return True
        return False
    if t is list or t is tuple:
        return any(_needs_slow(v) for v in obj)
    raise CanonicalizationError(f"{t.__name__} is not part of the JSON data model")


def _slow(obj: Any, out: list[str]) -> None:
    if obj is None:
        out.append("null")
    elif obj is True:
        out.append("true")
    elif obj is False:
        out.append("false")
    elif isinstance(obj, str):
        out.append(json.dumps(obj, ensure_ascii=False))
    elif isinstance(obj, int):
        if not -_MAX_SAFE <= obj <= _MAX_SAFE:
            raise CanonicalizationError(f"integer {obj} is outside the exact range of doubles")
        out.append(str(obj))
    elif isinstance(obj, float):
        out.append(es6_number(obj))
    elif isinstance(obj, dict):
        out.append("{")
        keys = sorted(obj, key=lambda s: s.encode("utf-16-be"))
        for i, k in enumerate(keys):
            if not isinstance(k, str):
                raise CanonicalizationError(f"object key {k!r} is not a string")
            if i:
                out.append(",")
            out.append(json.dumps(k, ensure_ascii=False))
            out.append(":")
            _slow(obj[k], out)
        out.append("}")
    elif isinstance(obj, list | tuple):
        out.append("[")
        for i, v in enumerate(obj):
            if i:
                out.append(",")
            _slow(v, out)
        out.append("]")
    else:
        raise CanonicalizationError(f"{type(obj).__name__} is not part of the JSON data model")


def canonical(obj: Any) -> bytes:
    """Return the RFC 8785 canonical UTF-8 bytes of ``obj``. Raises CanonicalizationError."""
    try:
        if not _needs_slow(obj):
            return _encode_fast(obj).encode("utf-8")
        out: list[str] = []
        _slow(obj, out)
        return "".join(out).encode("utf-8")
    except UnicodeEncodeError as exc:  # a lone surrogate: I-JSON (RFC 7493 §2.1) forbids it
        char = exc.object[exc.start]
        raise CanonicalizationError(
            f"the string holds the lone surrogate U+{ord(char):04X}, which has no UTF-8 form"
        ) from None
    except RecursionError:
        raise CanonicalizationError("the value is nested too deeply") from None
