"""Log entries: canonical JSON of an observation and its organisations' Ed25519 signatures."""

from __future__ import annotations

import base64
import hashlib
import json
from typing import Any

import nacl.signing
import pytest
import rfc8785
from hypothesis import given, settings
from hypothesis import strategies as st

from corridor.errors import InputError, VerificationError
from corridor.ledger.canonical import canonical
from corridor.ledger.entry import (
    MAX_ENTRY_SIZE,
    EntrySignature,
    check_personal,
    commit_personal,
    frame_entry,
    keyring,
    make_entry,
    new_salt,
    open_entry,
    parse_entry,
    sign_observation,
    verify_entry,
)
from corridor.ledger.note import Signer

ICRC = Signer.from_seed("icrc", bytes(range(32)))
UNHCR = Signer.from_seed("unhcr", bytes(range(1, 33)))
KEYS = keyring([ICRC.verifier, UNHCR.verifier])


def content(**extra: Any) -> dict[str, Any]:
    c: dict[str, Any] = {
        "type": "crossing",
        "observed": {"start": "2023-07-25T10:00:00Z"},
        "reporter": "icrc",
        "sources": [{"title": "ICRC press release, 25 July 2023"}],
        "body": {
            "type": "crossing",
            "checkpoint": "hakari-bridge",
            "direction": "inbound",
            "category": "vehicles",
            "count": 19,
            "tonnes": 360.5,
            "outcome": "denied",
        },
    }
    c.update(extra)
    return c


def entry_of(c: dict[str, Any], *signers: Signer) -> bytes:
    return make_entry(c, [sign_observation(c, s) for s in signers or (ICRC,)])


class TestFormat:
    def test_exact_bytes(self) -> None:
        """The entry is canonical JSON of observation and signatures over canonical(content)."""
        c = content()
        e = entry_of(c)
        sig = ICRC.sign(canonical(c))
        expected = (
            b'{"observation":' + canonical(c) + b',"signatures":[{"keyid":"'
            + base64.b64encode(ICRC.key_id) + b'","sig":"' + base64.b64encode(sig)
            + b'","signer":"icrc"}]}'
        )  # fmt: skip
        assert e == expected
        assert e == rfc8785.dumps(json.loads(e))

    def test_key_id_is_the_note_key_id(self) -> None:
        """keyid is SHA-256(org id ‖ 0x0A ‖ 0x01 ‖ public key)[:4], base64."""
        s = sign_observation(content(), ICRC)
        kid = hashlib.sha256(b"icrc\n\x01" + ICRC.public_key).digest()[:4]
        assert s["keyid"] == base64.b64encode(kid).decode()

    def test_signature_checks_with_plain_ed25519(self) -> None:
        """Any Ed25519 implementation verifies sig over the observation's canonical bytes."""
        c = content()
        s = sign_observation(c, ICRC)
        nacl.signing.VerifyKey(ICRC.public_key).verify(rfc8785.dumps(c), base64.b64decode(s["sig"]))

    def test_parse_round_trip(self) -> None:
        """parse_entry returns the canonical observation bytes, the observation and signatures."""
        c = content(note="Ünïcode ✓ and 🚚")
        m, parsed, sigs = parse_entry(entry_of(c, ICRC, UNHCR))
        assert m == canonical(c)
        assert parsed == c
        assert [s.signer for s in sigs] == ["icrc", "unhcr"]
        assert isinstance(sigs[0], EntrySignature) and len(sigs[0].signature) == 64

    def test_size_limit(self) -> None:
        """An entry of 65,536 bytes or more is refused with a clear error."""
        c = content(note="x" * MAX_ENTRY_SIZE)
        with pytest.raises(InputError, match="must be under 65,536 bytes"):
            entry_of(c)

    def test_malformed_signature_objects_refused(self) -> None:
        """Signature objects must have exactly keyid, sig and signer as strings."""
        with pytest.raises(InputError):
            make_entry(content(), [{"signer": "icrc", "sig": "x"}])
        with pytest.raises(InputError):
            make_entry(content(), [])


class TestVerify:
    def test_valid(self) -> None:
        """An entry signed by its reporter, and co-signed, verifies."""
        verify_entry(entry_of(content()), KEYS)
        verify_entry(entry_of(content(), ICRC, UNHCR), KEYS)

    def test_first_signature_must_be_the_reporter(self) -> None:
        """The first signature must be by the observation's reporter."""
        with pytest.raises(VerificationError, match="not by the reporter icrc"):
            verify_entry(entry_of(content(), UNHCR, ICRC), KEYS)

    def test_signature_by_wrong_key_rejected(self) -> None:
        """A signature claiming to be the reporter's but made by another key does not verify."""
        c = content()
        s = sign_observation(c, ICRC)
        s["sig"] = base64.b64encode(UNHCR.sign(canonical(c))).decode()
        with pytest.raises(VerificationError, match="signature by org icrc does not verify"):
            verify_entry(make_entry(c, [s]), KEYS)

    def test_unknown_key_rejected(self) -> None:
        """A signature by a key the ring does not hold is rejected, naming the org."""
        other = Signer.from_seed("icrc", bytes(32))
        with pytest.raises(VerificationError, match="org icrc: no known key"):
            verify_entry(entry_of(content(), other), KEYS)

    def test_altered_observation_rejected(self) -> None:
        """Changing the observation after signing breaks the signature."""
        e = entry_of(content())
        with pytest.raises(VerificationError, match="does not verify"):
            verify_entry(e.replace(b'"count":19', b'"count":91'), KEYS)

    def test_duplicate_signature_rejected(self) -> None:
        """The same key may not sign twice."""
        c = content()
        s = sign_observation(c, ICRC)
        with pytest.raises(VerificationError, match="signs twice"):
            verify_entry(make_entry(c, [s, s]), KEYS)

    def test_non_ascii_observation(self) -> None:
        """Observation bytes are sliced correctly when the entry holds non-ASCII text."""
        verify_entry(entry_of(content(note="Ստեփանակերտ — 🚚")), KEYS)


class TestCanonicalCheck:
    def test_whitespace_rejected(self) -> None:
        """An entry with whitespace is not canonical."""
        e = entry_of(content())
        spaced = e.replace(b'"type":"crossing"', b'"type": "crossing"', 1)
        with pytest.raises(VerificationError, match="canonical"):
            parse_entry(spaced)

    def test_member_order_rejected(self) -> None:
        """An observation whose members are out of order is not canonical, even if signed so."""
        c = content()
        m = json.dumps(c, separators=(",", ":")).encode()  # insertion order, not sorted
        sig = base64.b64encode(ICRC.sign(m)).decode()
        kid = base64.b64encode(ICRC.key_id).decode()
        e = b'{"observation":' + m + b',"signatures":[{"keyid":"' + kid.encode() + b'","sig":"'
        e += sig.encode() + b'","signer":"icrc"}]}'
        with pytest.raises(VerificationError, match="canonical"):
            parse_entry(e)
        with pytest.raises(VerificationError, match="canonical"):
            verify_entry(e, KEYS)
        verify_entry(e, KEYS, strict=False)  # the signature itself is over those bytes

    @pytest.mark.parametrize(
        "tamper",
        [
            lambda e: e.replace(b',"signatures":', b',"observation":{},"signatures":', 1),
            lambda e: e + b" ",
            lambda e: e[:-1] + b',"x":1}',
            lambda e: e.replace(b',"signatures":', b' ,"signatures":', 1),
            lambda e: e.replace(b'"signer":"icrc"}', b'"signer":"icrc","x":1}', 1),
            lambda e: e.replace(b'{"observation":', b'{"observation": ', 1),
            lambda e: e.replace(b'=","signer', b'=" ,"signer', 1),
            lambda e: b'{"signatures":[],"observation":{}}',
            lambda e: e.replace(b'"type":"crossing"', b'"type":NaN', 1),
        ],
    )
    def test_framing_tricks_rejected_even_when_not_strict(self, tamper: Any) -> None:
        """Extra members, trailing data or odd framing around the signed bytes are rejected."""
        e = tamper(entry_of(content()))
        with pytest.raises(VerificationError):
            verify_entry(e, KEYS, strict=False)

    def test_non_canonical_base64_rejected(self) -> None:
        """A signature in base64 with non-zero pad bits is not canonical."""
        c = content()
        s = sign_observation(c, ICRC)
        alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
        last = alphabet.index(s["keyid"][5])  # its low 4 bits pad the 32-bit key ID
        s["keyid"] = s["keyid"][:5] + alphabet[last | 1] + "=="
        assert base64.b64decode(s["keyid"]) == ICRC.key_id
        with pytest.raises(VerificationError, match="signatures are not in canonical form"):
            verify_entry(make_entry(c, [s]), KEYS, strict=False)


class TestPersonal:
    def test_commitment(self) -> None:
        """A commitment is base64(SHA-256(salt ‖ canonical(value))) and opens with the salt."""
        salt = bytes(range(32))
        com = commit_personal("Arman Petrosyan", salt)
        expected = hashlib.sha256(salt + b'"Arman Petrosyan"').digest()
        assert com == base64.b64encode(expected).decode()
        check_personal(com, "Arman Petrosyan", salt)

    def test_wrong_value_or_salt(self) -> None:
        """Another value or another salt does not open the commitment."""
        salt = new_salt()
        com = commit_personal({"phone": "+374 10 000000"}, salt)
        with pytest.raises(VerificationError):
            check_personal(com, {"phone": "+374 10 000001"}, salt)
        with pytest.raises(VerificationError):
            check_personal(com, {"phone": "+374 10 000000"}, new_salt())

    def test_short_salt_refused(self) -> None:
        """A salt shorter than 16 bytes is refused: low-entropy values must not be guessable."""
        with pytest.raises(InputError):
            commit_personal("x", b"short")


class TestHostileEntries:
    SIG = b'[{"keyid":"AAAAAA==","sig":"' + b"A" * 86 + b'==","signer":"icrc"}]'

    def test_deeply_nested_observation(self) -> None:
        """An observation nested beyond the recursion limit is a VerificationError."""
        deep = b"[" * 30_000 + b"]" * 30_000
        with pytest.raises(VerificationError, match="nested too deeply"):
            frame_entry(b'{"observation":' + deep + b',"signatures":' + self.SIG + b"}")

    def test_deeply_nested_signatures(self) -> None:
        """Deeply nested signatures are a VerificationError too."""
        deep = b"[" * 30_000 + b"]" * 30_000
        with pytest.raises(VerificationError, match="nested too deeply"):
            frame_entry(b'{"observation":{},"signatures":' + deep + b"}")

    def test_lone_surrogate_strict(self) -> None:
        """An escaped lone surrogate in the observation fails the strict canonical check."""
        entry = b'{"observation":{"reporter":"icrc","x":"\\ud800"},"signatures":' + self.SIG + b"}"
        with pytest.raises(VerificationError, match="U\\+D800"):
            parse_entry(entry)

    def test_make_entry_lone_surrogate(self) -> None:
        """Signing an observation holding a lone surrogate is an InputError."""
        with pytest.raises(InputError):
            sig = {"keyid": "", "sig": "", "signer": ""}
            make_entry({"reporter": "icrc", "x": "\ud800"}, [sig])


# -- the one-signature pattern of open_signatures ---------------------------------------------

_B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"


def _general(m: bytes, sigs: bytes, reporter: str) -> Any:
    """open_signatures with its one-signature pattern turned off (the general path)."""
    import corridor.ledger.entry as le

    saved = le._ONE_SIGNATURE
    le._ONE_SIGNATURE = lambda text: None  # type: ignore[assignment]
    try:
        return le.open_signatures(m, sigs, reporter, KEYS)
    finally:
        le._ONE_SIGNATURE = saved


@st.composite
def signature_lists(draw: st.DrawFn) -> tuple[bytes, bytes, str]:
    """(signed bytes, a signature list's text, the reporter): valid, or changed in one of the
    ways the pattern must refuse exactly as the general path does."""
    m = canonical(content())
    signers = draw(st.sampled_from([[ICRC], [ICRC], [UNHCR], [ICRC, UNHCR]]))
    text = make_entry(content(), [sign_observation(content(), s) for s in signers])
    sigs = text[text.rindex(b',"signatures":') + 14 : -1]
    change = draw(st.integers(0, 7))
    if change == 1:  # another last character of the key ID or the signature (pad bits)
        which = draw(st.sampled_from([b'==","sig"', b'==","signer"']))
        at = sigs.index(which) - 1
        sigs = sigs[:at] + draw(st.sampled_from(_B64)).encode() + sigs[at + 1 :]
    elif change == 2:  # white space, another key order, an escaped character
        sigs = draw(st.sampled_from([
            sigs.replace(b'","sig"', b'", "sig"', 1),
            sigs.replace(b'{"keyid"', b'{ "keyid"', 1),
            sigs.replace(b'"signer":"icrc"', b'"signer":"\\u0069crc"', 1),
        ]))  # fmt: skip
    elif change == 3:  # a flipped byte anywhere
        i = draw(st.integers(0, len(sigs) - 1))
        sigs = sigs[:i] + bytes([sigs[i] ^ draw(st.sampled_from([1, 2, 32]))]) + sigs[i + 1 :]
    elif change == 4:  # a signer that is not an id
        sigs = sigs.replace(b'"signer":"icrc"', draw(st.sampled_from(
            [b'"signer":"ICRC"', b'"signer":"i\xc3\xa7rc"', b'"signer":""', b'"signer":1']
        )), 1)  # fmt: skip
    reporter = draw(st.sampled_from(["icrc", "icrc", "unhcr"]))
    return m, sigs, reporter


@settings(max_examples=300, deadline=None)
@given(signature_lists())
def test_one_signature_pattern_gives_the_general_paths_verdict(
    case: tuple[bytes, bytes, str],
) -> None:
    """The pattern that decides the common one-signature list accepts exactly what the general
    path accepts, with the same signatures (bug guarded: a non-canonical base64 last character
    or an escaped signer must not pass)."""
    import corridor.ledger.entry as le

    m, sigs, reporter = case
    assert le.open_signatures(m, sigs, reporter, KEYS) == _general(m, sigs, reporter)


def test_one_signature_pattern_takes_the_common_case() -> None:
    """A valid one-signature list is decided by the pattern (the fast path is in use)."""
    import corridor.ledger.entry as le

    text = entry_of(content())
    sigs = text[text.rindex(b',"signatures":') + 14 : -1]
    assert le._ONE_SIGNATURE(sigs) is not None
    assert le.open_signatures(canonical(content()), sigs, "icrc", KEYS) == _general(
        canonical(content()), sigs, "icrc"
    ) is not None


# -- offline verification's fast path (verify_entry without strict) ---------------------------


def _verdict(fn: Any, entry: bytes) -> str | None:
    try:
        fn(entry)
    except VerificationError as exc:
        return exc.message
    return None


@st.composite
def offline_entries(draw: st.DrawFn) -> bytes:
    """Signed entries whose observation bytes are valid or changed in the ways a strict JSON
    decoder and the entry's framing may judge differently."""
    c = content(note=draw(st.sampled_from(["a note", "reporter: icrc", "ç"])))
    m = canonical(c)
    signers = draw(st.sampled_from([[ICRC], [UNHCR], [ICRC, UNHCR]]))
    change = draw(st.integers(0, 9))
    if change == 1:  # white space around the observation
        m = draw(st.sampled_from([b" " + m, m + b" ", m + b"\n"]))
    elif change == 2:  # a second reporter member, plain or escaped
        m = m[:-1] + draw(st.sampled_from([b',"reporter":"unhcr"}', b',"r\\u0065porter":"unhcr"}']))
    elif change == 3:  # not UTF-8, a raw control character, NaN
        m = m[:-1] + draw(st.sampled_from([b',"x":"\xff"}', b',"x":"\x01"}', b',"x":NaN}']))
    elif change == 4:  # nested deeper than a decoder allows
        m = m[:-1] + b',"x":' + b"[" * 3000 + b"]" * 3000 + b"}"
    elif change == 5:  # a reporter that is not a string, or none
        other = draw(st.sampled_from([b'"reporter":1', b'"rep":"icrc"']))
        m = m.replace(b'"reporter":"icrc"', other)
    elif change == 6:  # a flipped byte
        i = draw(st.integers(0, len(m) - 1))
        m = m[:i] + bytes([m[i] ^ draw(st.sampled_from([1, 4, 32]))]) + m[i + 1 :]
    elif change == 7:  # not an object
        m = b"[" + m + b"]"
    sigs = [EntrySignature(s.name, s.key_id, s.sign(m)).to_json() for s in signers]
    return b'{"observation":' + m + b',"signatures":' + canonical(sigs) + b"}"


@settings(max_examples=400, deadline=None)
@given(offline_entries())
def test_offline_fast_path_gives_open_entrys_verdict(entry: bytes) -> None:
    """verify_entry without strict (offline verification) accepts exactly what open_entry
    accepts, and refuses with its message (bugs guarded: the decoder allows white space around
    a value, invalid UTF-8 in what it skips, and recursion errors of its own)."""
    fast = _verdict(lambda e: verify_entry(e, KEYS, strict=False), entry)
    general = _verdict(lambda e: open_entry(e, KEYS, strict=False), entry)
    assert fast == general


# -- admission's signature check (signatures_verify, on signatures decoded by the fast path) ----

_NOBODY = Signer.from_seed("icrc", bytes(range(2, 34)))  # icrc's name, a key not registered


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.sampled_from([ICRC, UNHCR, _NOBODY]), min_size=1, max_size=3),
    st.sampled_from(["icrc", "unhcr"]),
    st.integers(-1, 2),
)
def test_decoded_signatures_verify_as_open_entry_verifies_them(
    signers: list[Signer], reporter: str, tampered: int
) -> None:
    """signatures_verify (one signature or several) accepts exactly the entries open_entry
    accepts: signed first by the reporter, each by a registered key that signs once, each
    verifying (``tampered``: the signature whose first byte is flipped, -1 none)."""
    from types import SimpleNamespace

    from corridor.ledger.entry import signatures_verify

    c = content(reporter=reporter)
    m = canonical(c)
    sigs = [EntrySignature(s.name, s.key_id, s.sign(m)) for s in signers]
    if 0 <= tampered < len(sigs):
        s = sigs[tampered]
        sigs[tampered] = EntrySignature(
            s.signer, s.key_id, bytes([s.signature[0] ^ 1]) + s.signature[1:]
        )
    decoded = [SimpleNamespace(signer=s.signer, keyid=s.key_id, sig=s.signature) for s in sigs]
    entry = b'{"observation":' + m + b',"signatures":' + canonical([s.to_json() for s in sigs])
    entry += b"}"
    assert signatures_verify(m, decoded, reporter, KEYS) == (
        _verdict(lambda e: open_entry(e, KEYS, strict=False), entry) is None
    )
