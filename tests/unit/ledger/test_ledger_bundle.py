"""C2SP tlog-tiles entry bundles: uint16 big-endian length prefixes."""

from __future__ import annotations

import io

import pytest
from hypothesis import given
from hypothesis import strategies as st

from corridor.errors import InputError, VerificationError
from corridor.ledger.bundle import decode_bundle, encode_bundle, iter_bundle, read_bundle_stream


class TestBundle:
    def test_layout(self) -> None:
        """Each entry follows its length as a big-endian uint16."""
        assert encode_bundle([b"ab", b"", b"c"]) == b"\x00\x02ab\x00\x00\x00\x01c"

    @given(st.lists(st.binary(max_size=300), max_size=20))
    def test_round_trip(self, entries: list[bytes]) -> None:
        """Decoding an encoded bundle, at once or streamed, gives the entries back."""
        data = encode_bundle(entries)
        assert decode_bundle(data) == entries
        assert list(iter_bundle(data)) == entries
        assert list(read_bundle_stream(io.BytesIO(data))) == entries

    def test_largest_entry(self) -> None:
        """An entry of 65,535 bytes fits; one byte more does not."""
        assert decode_bundle(encode_bundle([b"x" * 65535])) == [b"x" * 65535]
        with pytest.raises(InputError, match="over 65,535"):
            encode_bundle([b"x" * 65536])

    @pytest.mark.parametrize("data", [b"\x00", b"\x00\x05abc", b"\x00\x01a\x00"])
    def test_truncated(self, data: bytes) -> None:
        """A truncated length or entry is a verification error."""
        with pytest.raises(VerificationError, match="truncated"):
            decode_bundle(data)
        with pytest.raises(VerificationError, match="truncated"):
            list(read_bundle_stream(io.BytesIO(data)))
