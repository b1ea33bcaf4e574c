"""Every parser of corridor.ledger, fed arbitrary and mutated input, raises nothing but
corridor's own errors (CorridorError subclasses) — never KeyError, RecursionError, a
UnicodeError or any other exception a CLI would print as a traceback.

Each target gets arbitrary bytes or text and mutations of a valid input (a flipped byte, a
truncation, a duplicated, dropped or swapped line, inserted bytes). Where the parser has an
invariant (a tile path round-trips, a bundle decodes to what was encoded) it is checked too.
"""

from __future__ import annotations

import base64
import functools
import io
import json
from collections.abc import Callable
from typing import Any

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from corridor.errors import CorridorError
from corridor.ledger.bundle import decode_bundle, encode_bundle, iter_bundle, read_bundle_stream
from corridor.ledger.canonical import canonical
from corridor.ledger.checkpoint import Checkpoint, sign_checkpoint, verify_checkpoint
from corridor.ledger.cosignature import (
    CosignatureSigner,
    CosignatureVerifier,
    Witness,
    WitnessState,
    cosignature_timestamp,
    verify_cosignatures,
)
from corridor.ledger.entry import (
    frame_entry,
    keyring,
    make_entry,
    open_entry,
    parse_entry,
    sign_observation,
    verify_entries,
)
from corridor.ledger.hashing import leaf_hash
from corridor.ledger.merkle import root_from_leaves
from corridor.ledger.note import Signer, Verifier, add_signatures, open_note, parse_note
from corridor.ledger.offline import TileBuilder, export_files, parse_keys, verify_export
from corridor.ledger.tiles import MemoryTileStore, TiledTree, parse_tile_path, tiles_for_size

FUZZ = settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)

ORIGIN = "corridor.example/log/fuzz"
LOG = Signer.from_seed(ORIGIN, bytes(32))
ORG = Signer.from_seed("icrc", b"i" * 32)
WITNESS = CosignatureSigner.from_seed("witness.example/w1", bytes(range(32)))
KEYS = keyring([ORG.verifier])
CONTENT = {
    "type": "crossing",
    "reporter": "icrc",
    "observed": {"start": "2023-07-01T10:00:00Z"},
    "body": {"count": 3, "note": "é ☃ 𝄞", "tonnes": 0.5},
}
ENTRY = make_entry(CONTENT, [sign_observation(CONTENT, ORG)])


@functools.cache
def _export() -> tuple[bytes, dict[str, bytes]]:
    entries = []
    for i in range(5):
        c = {**CONTENT, "body": {"count": i}}
        entries.append(make_entry(c, [sign_observation(c, ORG)]))
    root = root_from_leaves([leaf_hash(e) for e in entries])
    note = sign_checkpoint(Checkpoint(ORIGIN, len(entries), root), LOG)
    w = Witness(WITNESS, {ORIGIN: LOG.verifier})
    note = note + w.cosign(note, [], 1_700_000_000)
    return note, dict(export_files(entries, note, [ORG.verifier]))


CHECKPOINT = _export()[0]


def mutate(valid: bytes) -> st.SearchStrategy[bytes]:
    """Mutations of ``valid``: one to three edits of the kinds a hostile or broken file has."""

    @st.composite
    def one(draw: st.DrawFn, data: bytes) -> bytes:
        kind = draw(st.sampled_from(["flip", "cut", "dup", "drop", "swap", "insert", "set"]))
        n = len(data)
        if kind == "flip" and n:
            i = draw(st.integers(0, n - 1))
            bit = draw(st.integers(0, 7))
            return data[:i] + bytes([data[i] ^ (1 << bit)]) + data[i + 1 :]
        if kind == "set" and n:
            i = draw(st.integers(0, n - 1))
            return data[:i] + bytes([draw(st.integers(0, 255))]) + data[i + 1 :]
        if kind == "cut":
            return data[: draw(st.integers(0, n))]
        if kind == "insert":
            i = draw(st.integers(0, n))
            return data[:i] + draw(st.binary(min_size=1, max_size=8)) + data[i:]
        lines = data.split(b"\n")
        if kind in ("dup", "drop", "swap") and lines:
            i = draw(st.integers(0, len(lines) - 1))
            if kind == "dup":
                lines.insert(i, lines[i])
            elif kind == "drop":
                del lines[i]
            else:
                j = draw(st.integers(0, len(lines) - 1))
                lines[i], lines[j] = lines[j], lines[i]
            return b"\n".join(lines)
        return data

    @st.composite
    def many(draw: st.DrawFn) -> bytes:
        data = valid
        for _ in range(draw(st.integers(1, 3))):
            data = draw(one(data))
        return data

    return many()


def mutate_text(valid: str) -> st.SearchStrategy[str]:
    """Mutations of valid text, decoded back with replacement characters where they break."""
    return mutate(valid.encode()).map(lambda b: b.decode("utf-8", errors="replace"))


def hostile(valid: bytes) -> st.SearchStrategy[bytes]:
    """Arbitrary bytes, or a mutation of a valid input."""
    return st.one_of(st.binary(max_size=300), mutate(valid))


def hostile_text(valid: str) -> st.SearchStrategy[str]:
    return st.one_of(st.text(max_size=200), mutate_text(valid))


def only_own_errors(f: Callable[[], Any]) -> Any:
    """Call ``f``; a CorridorError is an accepted outcome, any other exception fails the test."""
    try:
        return f()
    except CorridorError:
        return None


# text including lone surrogates, which JSON's \uXXXX escapes can carry but UTF-8 cannot
TEXT = st.text(st.characters(exclude_categories=()), max_size=10)
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | TEXT,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(TEXT, inner, max_size=4),
    max_leaves=12,
)
DEEP = b"[" * 50_000 + b"]" * 50_000  # deeper than Python's recursion limit
DEEP_ENTRY = b"[" * 30_000 + b"]" * 30_000  # as deep, yet under the 65,535-byte entry limit
LONE_SURROGATE_ENTRY = (
    b'{"observation":{"reporter":"icrc","x":"\\ud800"},"signatures":[{"keyid":"AAAAAA==",'
    b'"sig":"' + b"A" * 86 + b'==","signer":"icrc"}]}'
)


class TestNote:
    @FUZZ
    @given(hostile(CHECKPOINT))
    def test_parse_note(self, data: bytes) -> None:
        """parse_note raises only VerificationError, and what it parses re-serialises."""
        note = only_own_errors(lambda: parse_note(data))
        if note is not None:
            assert parse_note(note.to_bytes()) == note

    @FUZZ
    @given(hostile(CHECKPOINT))
    def test_open_note(self, data: bytes) -> None:
        """open_note with the log's and the witness's keys raises only corridor errors."""
        only_own_errors(lambda: open_note(data, [LOG.verifier, WITNESS.verifier]))

    @FUZZ
    @given(hostile(CHECKPOINT), st.lists(st.binary(min_size=5, max_size=80), max_size=3))
    def test_add_signatures(self, data: bytes, sigs: list[bytes]) -> None:
        """add_signatures on a hostile note raises only corridor errors."""
        lines = [parse_note(b"x\n\n\xe2\x80\x94 k " + base64.b64encode(s) + b"\n").signatures[0]
                 for s in sigs]  # fmt: skip
        only_own_errors(lambda: add_signatures(data, lines))


class TestKeys:
    @FUZZ
    @given(hostile_text(ORG.vkey))
    def test_verifier_from_vkey(self, text: str) -> None:
        """Verifier.from_vkey raises only SigningKeyError; a parsed key re-serialises."""
        v = only_own_errors(lambda: Verifier.from_vkey(text))
        if v is not None:
            assert Verifier.from_vkey(v.vkey) == v

    @FUZZ
    @given(hostile_text(WITNESS.vkey))
    def test_cosignature_verifier_from_vkey(self, text: str) -> None:
        """CosignatureVerifier.from_vkey raises only SigningKeyError."""
        only_own_errors(lambda: CosignatureVerifier.from_vkey(text))

    @FUZZ
    @given(hostile_text(ORG.skey))
    def test_signer_from_skey(self, text: str) -> None:
        """Signer.from_skey raises only SigningKeyError; a parsed key re-serialises."""
        s = only_own_errors(lambda: Signer.from_skey(text))
        if s is not None:
            assert Signer.from_skey(s.skey).vkey == s.vkey

    @FUZZ
    @given(hostile_text(WITNESS.skey))
    def test_cosignature_signer_from_skey(self, text: str) -> None:
        """CosignatureSigner.from_skey raises only SigningKeyError."""
        only_own_errors(lambda: CosignatureSigner.from_skey(text))

    @FUZZ
    @given(hostile(_export()[1]["keys"]))
    def test_parse_keys(self, data: bytes) -> None:
        """An export's keys file parses or raises VerificationError naming the line."""
        only_own_errors(lambda: parse_keys(data))


class TestCheckpoint:
    BODY = parse_note(CHECKPOINT).text

    @FUZZ
    @given(hostile_text(BODY))
    def test_parse(self, text: str) -> None:
        """Checkpoint.parse raises only VerificationError; a parsed checkpoint re-formats."""
        cp = only_own_errors(lambda: Checkpoint.parse(text))
        if cp is not None:
            assert cp.format() == text

    @FUZZ
    @given(hostile(CHECKPOINT))
    def test_verify(self, data: bytes) -> None:
        """verify_checkpoint raises only VerificationError."""
        only_own_errors(lambda: verify_checkpoint(data, ORIGIN, LOG.verifier))


class TestCosignature:
    @FUZZ
    @given(hostile(CHECKPOINT), st.integers(0, 2))
    def test_verify_cosignatures(self, data: bytes, quorum: int) -> None:
        """verify_cosignatures raises only corridor errors, whatever the note and quorum."""
        only_own_errors(lambda: verify_cosignatures(data, [WITNESS.verifier], quorum))

    @FUZZ
    @given(hostile(CHECKPOINT))
    def test_timestamps(self, data: bytes) -> None:
        """Reading the time of each cosignature line raises only VerificationError."""
        note = only_own_errors(lambda: parse_note(data))
        for sig in note.signatures if note else ():
            only_own_errors(lambda sig=sig: cosignature_timestamp(sig))

    @FUZZ
    @given(hostile(CHECKPOINT), st.lists(st.binary(max_size=40), max_size=4))
    def test_witness_cosign(self, data: bytes, proof: list[bytes]) -> None:
        """A witness shown a hostile checkpoint and proof raises only corridor errors."""
        w = Witness(WITNESS, {ORIGIN: LOG.verifier}, WitnessState({ORIGIN: (2, bytes(32))}))
        only_own_errors(lambda: w.cosign(data, proof, 1))

    VALID_STATE = WitnessState({ORIGIN: (5, bytes(range(32)))}).to_json()

    @FUZZ
    @example(DEEP.decode())
    @example('{"logs": {"o": {"root": "\\ud800", "size": 1}}}')
    @given(st.one_of(hostile_text(VALID_STATE), JSON.map(json.dumps),
                     st.builds(lambda d: json.dumps({"logs": d}), JSON)))  # fmt: skip
    def test_witness_state(self, text: str) -> None:
        """WitnessState.from_json raises only InputError; a parsed state round-trips."""
        state = only_own_errors(lambda: WitnessState.from_json(text))
        if state is not None:
            assert WitnessState.from_json(state.to_json()) == state


class TestTiles:
    PATHS = ("tile/0/000", "tile/entries/x001/x234/067.p/12", "tile/3/x999/255.p/255")

    @FUZZ
    @given(st.one_of(st.text(max_size=40), *(mutate_text(p) for p in PATHS)))
    def test_parse_tile_path(self, path: str) -> None:
        """parse_tile_path returns None or a tile whose own path is exactly the input."""
        ref = parse_tile_path(path)
        if ref is not None:
            assert ref.path == path and parse_tile_path(ref.path) == ref

    @FUZZ
    @given(
        st.integers(0, 70_000),
        st.dictionaries(
            st.tuples(st.integers(0, 2), st.integers(0, 300)), st.binary(max_size=600), max_size=6
        ),
    )
    def test_tree_over_hostile_store(self, size: int, tiles: dict[tuple[int, int], bytes]) -> None:
        """A tree whose store holds missing or malformed tiles raises only StoreError."""
        store = MemoryTileStore()
        for ref in tiles_for_size(size)[:4]:  # some right tiles, the rest junk or absent
            store.tiles[(ref.level, ref.index)] = bytes(32 * ref.width)
        store.tiles.update(tiles)
        tree = TiledTree(store, size)
        only_own_errors(tree.root)
        if size:
            only_own_errors(lambda: tree.inclusion_proof(size // 2))
            only_own_errors(lambda: tree.consistency_proof(size // 3))

    @FUZZ
    @given(st.binary(max_size=200))
    def test_tile_builder(self, data: bytes) -> None:
        """TileBuilder.add takes only whole 32-byte hashes, else InputError."""
        only_own_errors(lambda: TileBuilder().add(data))

    @FUZZ
    @given(st.sampled_from(sorted(_export()[1])), st.data())
    def test_verify_export(self, victim: str, data: st.DataObject) -> None:
        """An in-memory export with one file replaced by hostile bytes fails only with
        VerificationError."""
        files = dict(_export()[1])
        files[victim] = data.draw(hostile(files[victim]))
        ws = [WITNESS.verifier]
        only_own_errors(
            lambda: verify_export(files.__getitem__, ORIGIN, LOG.verifier, witnesses=ws, quorum=1)
        )


class TestEntry:
    @FUZZ
    @example(b'{"observation":' + DEEP_ENTRY + b',"signatures":[]}')
    @example(b'{"observation":{},"signatures":' + DEEP_ENTRY + b"}")
    @given(hostile(ENTRY))
    def test_frame(self, data: bytes) -> None:
        """frame_entry raises only VerificationError."""
        only_own_errors(lambda: frame_entry(data))

    @FUZZ
    @example(LONE_SURROGATE_ENTRY)
    @example(b'{"observation":{"reporter":"icrc","\\udfff":1},"signatures":[]}')
    @given(hostile(ENTRY))
    def test_parse(self, data: bytes) -> None:
        """parse_entry (the strict, canonical check) raises only VerificationError."""
        only_own_errors(lambda: parse_entry(data))

    @FUZZ
    @given(hostile(ENTRY), st.booleans())
    def test_open(self, data: bytes, strict: bool) -> None:
        """open_entry raises only VerificationError, strict or not; verify_entries never."""
        only_own_errors(lambda: open_entry(data, KEYS, strict=strict))
        assert len(verify_entries([data], KEYS)) <= 1

    @FUZZ
    @given(JSON, JSON)
    def test_structured(self, observation: Any, signatures: Any) -> None:
        """An entry of any JSON observation and signatures raises only VerificationError."""
        text = json.dumps({"observation": observation, "signatures": signatures},
                          separators=(",", ":"))  # fmt: skip
        only_own_errors(lambda: parse_entry(text.encode()))
        only_own_errors(lambda: open_entry(text.encode(), KEYS))

    @FUZZ
    @example({"reporter": "icrc", "x": "\ud800"})
    @given(JSON)
    def test_make_entry(self, observation: Any) -> None:
        """make_entry and sign_observation of any JSON value raise only InputError."""
        only_own_errors(lambda: make_entry(observation, [sign_observation(observation, ORG)]))


class TestCanonical:
    @FUZZ
    @example("\udc00")
    @example({"\ud800": 1, "b": 1.5})
    @given(JSON)
    def test_canonical(self, value: Any) -> None:
        """canonical() of any JSON value returns UTF-8 or raises CanonicalizationError (an
        InputError), for lone surrogates too."""
        out = only_own_errors(lambda: canonical(value))
        if out is not None:
            out.decode("utf-8")

    def test_deep(self) -> None:
        """A value nested deeper than the recursion limit is a CanonicalizationError."""
        deep: list[Any] = []
        for _ in range(50_000):
            deep = [deep]
        only_own_errors(lambda: canonical(deep))


class TestBundle:
    BUNDLE = encode_bundle([ENTRY, b"", b"x" * 300])

    @FUZZ
    @given(hostile(BUNDLE))
    def test_decode(self, data: bytes) -> None:
        """decode_bundle and read_bundle_stream agree, raising only VerificationError."""
        a = only_own_errors(lambda: decode_bundle(data))
        b = only_own_errors(lambda: list(read_bundle_stream(io.BytesIO(data))))
        assert a == b
        if a is not None:
            assert encode_bundle(a) == data and list(iter_bundle(data)) == a

    @FUZZ
    @given(st.lists(st.binary(max_size=70), max_size=8))
    def test_round_trip(self, entries: list[bytes]) -> None:
        """A bundle decodes to exactly the entries encoded."""
        assert decode_bundle(encode_bundle(entries)) == entries
