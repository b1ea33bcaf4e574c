"""RFC 8785 canonical JSON: byte-identical to the reference rfc8785 package."""

from __future__ import annotations

from typing import Any

import pytest
import rfc8785
from hypothesis import given, settings
from hypothesis import strategies as st

from corridor.errors import CorridorError, InputError
from corridor.ledger.canonical import CanonicalizationError, canonical

SAFE = 2**53 - 1

scalars = (
    st.none()
    | st.booleans()
    | st.integers(-SAFE, SAFE)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text()
)
json_values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.text(), inner, max_size=5),
    max_leaves=30,
)


class TestCanonical:
    @settings(max_examples=500)
    @given(json_values)
    def test_matches_reference(self, value: Any) -> None:
        """canonical() gives the same bytes as the rfc8785 package for any JSON value."""
        assert canonical(value) == rfc8785.dumps(value)

    @pytest.mark.parametrize(
        "x",
        [360.5, 100.0, 1e-5, 1e-7, 1e16, 1e21, 1e-4, -0.0, 0.1, 5e-324, 1.7976931348623157e308,
         9007199254740993.0, 123456789.125, 1 / 3],
    )  # fmt: skip
    def test_floats(self, x: float) -> None:
        """Floats print as ECMAScript does: fixed or exponent form, shortest digits."""
        assert canonical({"x": x}) == rfc8785.dumps({"x": x})

    def test_non_bmp_keys_sort_by_utf16(self) -> None:
        """Keys sort by UTF-16 code units: U+1F600 (a surrogate pair) before U+FF01."""
        value = {"\uff01": 1, "\U0001f600": 2}
        assert canonical(value) == rfc8785.dumps(value)
        assert canonical(value).index("\U0001f600".encode()) < canonical(value).index(
            "\uff01".encode()
        )

    @pytest.mark.parametrize("bad", [float("nan"), float("inf"), 2**53, {1: "x"}, b"bytes"])
    def test_outside_the_model(self, bad: Any) -> None:
        """NaN, infinities, unsafe integers, non-string keys and bytes are refused."""
        with pytest.raises(CanonicalizationError):
            canonical(bad)

    def test_refusal_is_an_input_error(self) -> None:
        """The refusal is a CorridorError (InputError), still a ValueError for old callers."""
        with pytest.raises(InputError) as exc:
            canonical({"count": 2**53 + 1})
        assert isinstance(exc.value, CorridorError) and isinstance(exc.value, ValueError)

    @pytest.mark.parametrize("bad", ["\ud800", {"k": ["\udfff"]}])
    def test_lone_surrogate_is_refused(self, bad: Any) -> None:
        """A string with a lone surrogate is refused, not a UnicodeEncodeError."""
        with pytest.raises(CanonicalizationError, match="surrogate"):
            canonical(bad)

class TestHostileValues:
    def test_lone_surrogate(self) -> None:
        """A string with a lone surrogate (no UTF-8 form) is a CanonicalizationError naming it."""
        with pytest.raises(CanonicalizationError, match="U\\+D800"):
            canonical({"note": "a\ud800b"})

    def test_lone_surrogate_key(self) -> None:
        """A lone surrogate in a key, on the exact path (a float forces it), too."""
        with pytest.raises(CanonicalizationError, match="U\\+DFFF"):
            canonical({"\udfff": 1e300})

    def test_deep_nesting(self) -> None:
        """A value nested beyond the recursion limit is a CanonicalizationError."""
        deep: Any = 1
        for _ in range(100_000):
            deep = [deep]
        with pytest.raises(CanonicalizationError, match="nested too deeply"):
            canonical(deep)

    def test_is_an_input_error(self) -> None:
        """CanonicalizationError is corridor's InputError (and still a ValueError)."""
        from corridor.errors import InputError

        assert issubclass(CanonicalizationError, InputError)
        assert issubclass(CanonicalizationError, ValueError)
