"""The log entry: an observation's canonical JSON and its reporters' Ed25519 signatures.

An observation's signed bytes are ``canonical(content)`` (RFC 8785). A reporting organisation
signs exactly those bytes with the Ed25519 key whose note key name is the organisation's id. An
entry is itself canonical JSON::

    {"observation":<content>,"signatures":[{"keyid":"<b64 4 bytes>","sig":"<b64 64 bytes>",
    "signer":"<org id>"},...]}

``keyid`` is the org key's note key ID: SHA-256(org id ‖ 0x0A ‖ 0x01 ‖ public key)[:4], so the
org's verifier key is the signed-note vkey ``<org id>+<key ID hex>+base64(0x01 ‖ public key)``.
The first signature must be by ``content["reporter"]``; co-signing organisations may follow.
Entries are under 65,536 bytes (entry bundles prefix each with a uint16 length).

Fast verification without re-serialising the observation
--------------------------------------------------------
The entry starts with the 15 bytes ``{"observation":`` (in RFC 8785 member order "observation"
sorts before "signatures"). :func:`verify_entry` runs the C JSON scanner from byte 15: it parses
exactly one JSON value and reports where it ends, so the bytes M in between are one complete
JSON value and *the* value every JSON parser reads as the observation. What follows must be
``,"signatures":`` then a value whose canonical form is those very bytes, then ``}`` and nothing
else; the signature objects are small, so re-serialising them is cheap. Every signature is then
checked over M itself. Hence: the observation a reader of the entry sees is byte for byte what
the reporter signed, and the log cannot reframe or extend it. Whether M is also in canonical form
(no duplicate keys, numbers within I-JSON, sorted members) is a property of the bytes the
reporter chose to sign; ``strict=True`` (the default, used on append) re-serialises M to check
it, ``strict=False`` skips that one step for bulk offline verification of a log whose entries
were checked strictly when they were appended.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import os
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, NamedTuple, Protocol

import msgspec
import nacl.bindings
import nacl.exceptions

from corridor.errors import InputError, VerificationError
from corridor.ledger.canonical import CanonicalizationError, canonical
from corridor.ledger.note import Signer, Verifier

__all__ = [
    "MAX_ENTRY_SIZE",
    "MIN_SALT_SIZE",
    "EntrySignature",
    "KeyRing",
    "check_personal",
    "commit_personal",
    "frame_entry",
    "keyring",
    "make_entry",
    "new_salt",
    "open_entry",
    "parse_entry",
    "prepare_entry",
    "sign_observation",
    "signatures_verify",
    "verify_entries",
    "verify_entry",
]

MAX_ENTRY_SIZE = 65535
"""The largest entry: entry bundles prefix each entry with its length as a uint16."""

MIN_SALT_SIZE = 16

KeyRing = Mapping[tuple[str, bytes], Verifier]
"""Organisation keys by (org id, 4-byte key ID)."""

_PREFIX = '{"observation":'
_SEP = ',"signatures":'
_SIG_KEYS = frozenset(("keyid", "sig", "signer"))
_json_str = json.encoder.encode_basestring  # JSON string literal, non-ASCII kept: as RFC 8785
_a2b = binascii.a2b_base64
_b2a = binascii.b2a_base64


def _no_constants(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


_raw_decode = json.JSONDecoder(parse_constant=_no_constants).raw_decode
_crypto_sign_open = nacl.bindings.crypto_sign_open
_ONE_SIGNATURE = re.compile(
    rb'\[\{"keyid":"([A-Za-z0-9+/]{5}[AQgw]==)","sig":"([A-Za-z0-9+/]{85}[AQgw]==)",'
    rb'"signer":"([a-z0-9][a-z0-9._-]{0,63})"\}\]'
).fullmatch
"""A list of one signature exactly as :func:`_decode_sig` rebuilds it: canonical base64 of a
4-byte key ID and a 64-byte signature (a last character whose unused bits are zero, RFC 4648
§3.5), and a signer whose JSON string needs no escape (an organisation id). Anything else takes
the general path, which gives the same verdict more slowly."""
_BadSignature = nacl.exceptions.BadSignatureError


class EntrySignature(NamedTuple):
    """One signature in an entry: organisation id, 4-byte key ID, 64-byte Ed25519 signature."""

    signer: str
    key_id: bytes
    signature: bytes

    def to_json(self) -> dict[str, str]:
        """The signature object as it appears in the entry."""
        return {
            "keyid": base64.b64encode(self.key_id).decode(),
            "sig": base64.b64encode(self.signature).decode(),
            "signer": self.signer,
        }


def keyring(verifiers: Iterable[Verifier]) -> dict[tuple[str, bytes], Verifier]:
    """Index organisation verifier keys by (org id, key ID) for :func:`verify_entry`."""
    return {(v.name, v.key_id): v for v in verifiers}


def sign_observation(content: Mapping[str, Any], signer: Signer) -> dict[str, str]:
    """Sign ``canonical(content)`` with an organisation's key; return the signature object."""
    sig = signer.sign(canonical(content))
    return EntrySignature(signer.name, signer.key_id, sig).to_json()


def make_entry(content: Mapping[str, Any], signatures: Sequence[Mapping[str, str]]) -> bytes:
    """Return the canonical entry bytes. Raises InputError if malformed or 65,536 bytes or more."""
    if not isinstance(content, Mapping):
        raise InputError("an observation's content is a JSON object")
    if not signatures:
        raise InputError("an entry needs at least the reporter's signature")
    for s in signatures:
        if set(s) != _SIG_KEYS or not all(isinstance(v, str) for v in s.values()):
            raise InputError('a signature object has exactly the strings "keyid", "sig", "signer"')
    try:
        entry = canonical(
            {"observation": dict(content), "signatures": [dict(s) for s in signatures]}
        )
    except CanonicalizationError as exc:
        raise InputError(f"the observation is not canonical JSON: {exc}") from None
    if len(entry) > MAX_ENTRY_SIZE:
        raise InputError(
            f"the entry is {len(entry):,} bytes; a log entry must be under 65,536 bytes "
            "(shorten the note, caveats or sources)"
        )
    return entry


PersonalRow = tuple[str, bytes, Any]
"""A personal value kept out of the log: (field, salt, value)."""


def prepare_entry(
    content: Mapping[str, Any], personal: Mapping[str, Any], signer: Signer
) -> tuple[bytes, list[PersonalRow]]:
    """The signed entry of an observation's public ``content``, and its personal values with
    their salts.

    Each personal value is replaced in the entry by its salted commitment (a fresh salt per
    value, :func:`commit_personal`); the reporter signs the content with those commitments
    (:func:`sign_observation`). The one implementation, used by the recorder beside a database
    and by the HTTP client, whose server never sees the private key.
    """
    body = dict(content)
    rows: list[PersonalRow] = []
    if personal:
        commitments = {}
        for field, value in sorted(personal.items()):
            salt = new_salt()
            commitments[field] = commit_personal(value, salt)
            rows.append((field, salt, value))
        body["personal"] = commitments
    return make_entry(body, [sign_observation(body, signer)]), rows


def _decode_sig(obj: Any) -> tuple[EntrySignature, str]:
    """Decode one signature object; also return its canonical JSON text."""
    if type(obj) is not dict or obj.keys() != _SIG_KEYS:
        raise VerificationError('a signature is not an object of "keyid", "sig" and "signer"')
    signer, kid, sig = obj["signer"], obj["keyid"], obj["sig"]
    if type(signer) is not str or type(kid) is not str or type(sig) is not str:
        raise VerificationError("a signature field is not a string")
    try:
        key_id = _a2b(kid, strict_mode=True)
        signature = _a2b(sig, strict_mode=True)
    except (binascii.Error, ValueError):
        raise VerificationError(f"signature by org {signer}: keyid or sig is not base64") from None
    if len(key_id) != 4 or len(signature) != 64:
        raise VerificationError(f"signature by org {signer}: keyid is not 4 bytes or sig not 64")
    # rebuilt from the decoded bytes, so comparing it with the entry also checks the base64
    # is canonical (RFC 4648 §3.5: zero pad bits)
    text = (
        '{"keyid":"'
        + _b2a(key_id, newline=False).decode()
        + '","sig":"'
        + _b2a(signature, newline=False).decode()
        + '","signer":'
        + _json_str(signer)
        + "}"
    )
    return EntrySignature(signer, key_id, signature), text


def _split(entry: bytes) -> tuple[bytes, dict[str, Any], list[EntrySignature]]:
    """Frame an entry: (observation bytes M, observation, signatures). See the module docstring."""
    if len(entry) > MAX_ENTRY_SIZE:
        raise VerificationError(f"entry is {len(entry):,} bytes, over the 65,535-byte limit")
    try:
        text = entry.decode("utf-8")
    except UnicodeDecodeError:
        raise VerificationError("entry is not UTF-8") from None
    if not text.startswith(_PREFIX):
        raise VerificationError('entry does not start with {"observation":')
    try:
        content, end = _raw_decode(text, 15)
        if not text.startswith(_SEP, end):
            raise VerificationError('entry: the observation is not followed by ,"signatures":')
        sigs, stop = _raw_decode(text, end + 14)
    except ValueError as exc:  # JSONDecodeError and rejected constants
        raise VerificationError(f"entry is not valid JSON ({exc})") from None
    except RecursionError:
        raise VerificationError("entry: the JSON is nested too deeply") from None
    if stop != len(text) - 1 or text[stop] != "}":
        raise VerificationError("entry has data after the signatures")
    if type(content) is not dict:
        raise VerificationError("entry: the observation is not a JSON object")
    if type(sigs) is not list or not sigs:
        raise VerificationError("entry: no signatures")
    decoded: list[EntrySignature] = []
    texts: list[str] = []
    for obj in sigs:
        sig, sig_text = _decode_sig(obj)
        decoded.append(sig)
        texts.append(sig_text)
    if "[" + ",".join(texts) + "]" != text[end + 14 : stop]:
        raise VerificationError("entry: the signatures are not in canonical form")
    if len(text) == len(entry):  # all ASCII: character offsets are byte offsets
        m = entry[15:end]
    else:
        m = entry[15 : 15 + len(text[15:end].encode("utf-8"))]
    return m, content, decoded


def frame_entry(entry: bytes) -> tuple[bytes, dict[str, Any], list[EntrySignature]]:
    """Return (observation bytes, observation, signatures) after checking the framing only.

    Neither canonical form nor signatures are checked: for a caller that verified the
    signatures already (e.g. in another process) with :func:`verify_entries`.
    """
    return _split(entry)


def verify_entries(entries: Sequence[bytes], keys: KeyRing) -> list[tuple[int, str]]:
    """Verify many entries (framing, reporter, signatures); return (position, reason) failures."""
    bad: list[tuple[int, str]] = []
    for i, entry in enumerate(entries):
        try:
            open_entry(entry, keys, strict=False)
        except VerificationError as exc:
            bad.append((i, exc.message))
    return bad


def parse_entry(entry: bytes) -> tuple[bytes, dict[str, Any], list[EntrySignature]]:
    """Return (observation bytes, observation, signatures), checking the entry is canonical.

    Raises VerificationError naming what is wrong. Signatures are not verified here.
    """
    m, content, sigs = _split(entry)
    _check_canonical(m, content)
    return m, content, sigs


def _check_canonical(m: bytes, content: dict[str, Any]) -> None:
    try:
        if canonical(content) != m:
            raise VerificationError("entry: the observation is not in canonical (RFC 8785) form")
    except CanonicalizationError as exc:
        raise VerificationError(f"entry: the observation is not canonical JSON ({exc})") from None


def verify_entry(entry: bytes, keys: KeyRing, *, strict: bool = True) -> None:
    """Check an entry's framing, its reporter, and every signature over the observation bytes.

    See :func:`open_entry`, which does the same and returns what it parsed. Without
    ``strict`` (offline verification), the common entry is decided on its bytes: the framing
    guessed by :func:`split_at_signatures`, the observation proved one JSON object by a strict
    decoder that also reads its reporter, and :func:`open_signatures`; anything else, and every
    failure, takes :func:`open_entry`'s path, which gives the verdict and its message.
    """
    if not strict:
        split = split_at_signatures(entry)
        if split is not None:
            reporter = _reporter_of(split[0])
            if reporter is not None and open_signatures(split[0], split[1], reporter, keys):
                return
    open_entry(entry, keys, strict=strict)


class _Reporter(msgspec.Struct):
    reporter: str


_decode_reporter = msgspec.json.Decoder(_Reporter).decode


def _reporter_of(m: bytes) -> str | None:
    """The reporter of observation bytes ``m`` when they are one JSON object with one
    ``reporter`` member, a string; None when unsure. No escape may occur (so no member name is
    written with one, and every ``"reporter":`` in the text is a member name), and the text must
    be UTF-8 (which the decoder does not check outside what it reads)."""
    # no white space around it either (the decoder would allow it; the framing does not)
    if not (m.startswith(b"{") and m.endswith(b"}")):
        return None
    if b"\\" in m or m.count(b'"reporter":') != 1:
        return None
    if not m.isascii():
        try:
            m.decode("utf-8")
        except UnicodeDecodeError:
            return None
    try:
        return _decode_reporter(m).reporter
    except (msgspec.DecodeError, msgspec.ValidationError, RecursionError):
        return None


def split_at_signatures(entry: bytes) -> tuple[bytes, bytes] | None:
    """A guess at an entry's framing without parsing it: (the bytes before the signatures, the
    signature list's text), or None.

    The guess is the framing :func:`open_entry` finds exactly when the first part is one
    complete JSON value (a caller that proves it, by decoding it strictly, may then use
    :func:`open_signatures` on the second): a quote inside a JSON string is escaped, so the
    last ``,"signatures":[`` lies outside the observation.
    """
    if len(entry) > MAX_ENTRY_SIZE or not entry.startswith(b'{"observation":'):
        return None
    pos = entry.rfind(b',"signatures":[')
    if pos < 15 or not entry.endswith(b"]}"):
        return None
    return entry[15:pos], entry[pos + 14 : -1]


def open_signatures(
    m: bytes, sigs_text: bytes, reporter: str, keys: KeyRing
) -> list[EntrySignature] | None:
    """The signatures of :func:`split_at_signatures`'s guess, checked as :func:`open_entry`
    checks them (canonical, first by ``reporter``, each verifying over ``m``); None on any
    failure, for the caller to take :func:`open_entry`'s path and its message."""
    one = _ONE_SIGNATURE(sigs_text)
    if one is not None:  # the common case, decided by one pattern (see _ONE_SIGNATURE)
        signer = one[3].decode()
        if signer != reporter:
            return None
        sig = EntrySignature(signer, _a2b(one[1]), _a2b(one[2]))
        return [sig] if _verifies(m, signer, sig.key_id, sig.signature, keys) else None
    try:
        text = sigs_text.decode("utf-8")
        objs = _raw_decode(text, 0)
    except (UnicodeDecodeError, ValueError, RecursionError):
        return None
    sigs, stop = objs
    if stop != len(text) or type(sigs) is not list or not sigs:
        return None
    decoded = []
    texts: list[str] = []
    try:
        for obj in sigs:
            sig, sig_text = _decode_sig(obj)
            decoded.append(sig)
            texts.append(sig_text)
    except VerificationError:
        return None
    if "[" + ",".join(texts) + "]" != text or decoded[0].signer != reporter:
        return None
    triples = ((s.signer, s.key_id, s.signature) for s in decoded)
    return decoded if _all_verify(m, triples, keys) else None


def _verifies(m: bytes, signer: str, key_id: bytes, signature: bytes, keys: KeyRing) -> bool:
    """Whether ``signature`` over ``m`` is by the registered key (signer, key ID)."""
    v = keys.get((signer, key_id))
    if v is None:
        return False
    try:
        _crypto_sign_open(signature + m, v.public_key)
    except _BadSignature:
        return False
    return True


def _all_verify(m: bytes, sigs: Iterable[tuple[str, bytes, bytes]], keys: KeyRing) -> bool:
    """Whether every (signer, key ID, signature) is by a registered key that signs once, and
    verifies over ``m``."""
    seen: set[tuple[str, bytes]] = set()
    for signer, key_id, signature in sigs:
        k = (signer, key_id)
        if k in seen or not _verifies(m, signer, key_id, signature, keys):
            return False
        seen.add(k)
    return True


class DecodedSignature(Protocol):
    """A signature decoded from an entry in canonical form (its fields as the JSON names them)."""

    @property
    def signer(self) -> str: ...
    @property
    def keyid(self) -> bytes: ...
    @property
    def sig(self) -> bytes: ...


def signatures_verify(
    m: bytes, sigs: Sequence[DecodedSignature], reporter: str, keys: KeyRing
) -> bool:
    """Whether signatures decoded from an entry framed in canonical form pass
    :func:`open_entry`'s checks over the observation bytes ``m``: at least one, the first by
    ``reporter``, each by a registered (organisation, key ID) that signs once, each verifying.
    (False on any failure, for the caller to take open_entry's path and its message.)"""
    if not sigs or sigs[0].signer != reporter:
        return False
    if len(sigs) == 1:  # the common case, without a generator and a set (about 0.5 µs)
        s = sigs[0]
        return _verifies(m, reporter, s.keyid, s.sig, keys)
    return _all_verify(m, ((s.signer, s.keyid, s.sig) for s in sigs), keys)


def open_entry(
    entry: bytes, keys: KeyRing, *, strict: bool = True
) -> tuple[bytes, dict[str, Any], list[EntrySignature]]:
    """Verify an entry and return (observation bytes, observation, signatures), parsing once.

    ``keys`` maps (org id, key ID) to the organisation's verifier. The first signature must be by
    ``content["reporter"]``; each (org, key) signs at most once. ``strict`` also checks that the
    observation is in canonical form (see the module docstring). Raises VerificationError, e.g.
    "signature by org icrc does not verify".
    """
    m, content, sigs = _split(entry)
    if strict:
        _check_canonical(m, content)
    reporter = content.get("reporter")
    if sigs[0].signer != reporter:
        raise VerificationError(
            f"the first signature is by org {sigs[0].signer}, not by the reporter {reporter}"
        )
    seen: set[tuple[str, bytes]] = set()
    for s in sigs:
        k = (s.signer, s.key_id)
        if k in seen:
            raise VerificationError(f"org {s.signer} signs twice with the same key")
        seen.add(k)
        v = keys.get(k)
        if v is None:
            raise VerificationError(
                f"signature by org {s.signer}: no known key with ID {s.key_id.hex()}"
            )
        try:
            _crypto_sign_open(s.signature + m, v.public_key)
        except _BadSignature:
            raise VerificationError(f"signature by org {s.signer} does not verify") from None
    return m, content, sigs


# ---------------------------------------------------------------------------------------------
# privacy commitments


def new_salt() -> bytes:
    """32 random bytes: a fresh salt for one personal value."""
    return os.urandom(32)


def commit_personal(value: Any, salt: bytes) -> str:
    """base64(SHA-256(salt ‖ canonical(value))): what the log holds instead of a personal value.

    The salt (at least 16 random bytes, one per value) stays with the reporting organisation;
    revealing value and salt lets anyone check the commitment without the log revealing it.
    """
    if len(salt) < MIN_SALT_SIZE:
        raise InputError(f"a commitment salt is at least {MIN_SALT_SIZE} bytes")
    try:
        data = canonical(value)
    except CanonicalizationError as exc:
        raise InputError(f"a personal value must be JSON: {exc}") from None
    return base64.b64encode(hashlib.sha256(salt + data).digest()).decode()


def check_personal(commitment: str, value: Any, salt: bytes) -> None:
    """Check that ``value`` and ``salt`` open ``commitment``; raise VerificationError if not."""
    if not hmac.compare_digest(commit_personal(value, salt), commitment):
        raise VerificationError("the personal value and salt do not match the commitment")
