"""Offline verification of an exported log, on an in-memory export, and each tamper caught."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import pytest

from corridor.errors import InputError, TamperError, VerificationError
from corridor.ledger.bundle import decode_bundle, encode_bundle
from corridor.ledger.checkpoint import Checkpoint, sign_checkpoint
from corridor.ledger.cosignature import CosignatureSigner, Witness
from corridor.ledger.entry import make_entry, sign_observation
from corridor.ledger.hashing import leaf_hash
from corridor.ledger.merkle import root_from_leaves
from corridor.ledger.note import Signer, add_signatures, parse_note
from corridor.ledger.offline import (
    TileBuilder,
    export_files,
    format_keys,
    parse_keys,
    verify_export,
)
from corridor.ledger.tiles import MemoryTileStore, TiledTree, tile_path, tiles_for_size

ORIGIN = "corridor.example/log/test"
LOG = Signer.from_seed(ORIGIN, bytes(32))
ORGS = {o: Signer.from_seed(o, o.encode().ljust(32, b".")) for o in ("icrc", "unhcr")}
WITNESS = CosignatureSigner.from_seed("witness.example/w1", bytes(range(32)))
SIZE = 600  # two full bundles and a partial one of 88


def observation(i: int) -> dict[str, Any]:
    org = "icrc" if i % 3 else "unhcr"
    return {
        "type": "crossing",
        "observed": {"start": f"2023-07-{1 + i % 28:02d}T10:00:00Z"},
        "reporter": org,
        "sources": [{"title": f"report {i}"}],
        "body": {"type": "crossing", "checkpoint": "hakari-bridge", "count": i, "tonnes": 0.5},
    }


@functools.cache
def entries(n: int = SIZE) -> tuple[bytes, ...]:
    out = []
    for i in range(n):
        c = observation(i)
        out.append(make_entry(c, [sign_observation(c, ORGS[c["reporter"]])]))
    return tuple(out)


def export(n: int = SIZE, *, cosign: bool = True) -> dict[str, bytes]:
    es = entries(n)
    root = root_from_leaves([leaf_hash(e) for e in es])
    note = sign_checkpoint(Checkpoint(ORIGIN, n, root), LOG)
    if cosign:
        w = Witness(WITNESS, {ORIGIN: LOG.verifier})
        note += w.cosign(note, [], now=1_700_000_000)
    return dict(export_files(es, note, [s.verifier for s in ORGS.values()]))


@functools.cache
def _base() -> dict[str, bytes]:
    return export()


def files() -> dict[str, bytes]:
    return dict(_base())


def verify(fs: dict[str, bytes], **kw: Any) -> Any:
    return verify_export(fs.__getitem__, ORIGIN, LOG.verifier, **kw)


def edit_bundle(fs: dict[str, bytes], path: str, change: Callable[[list[bytes]], object]) -> None:
    es = decode_bundle(fs[path])
    change(es)
    fs[path] = encode_bundle(es)


def alter(i: int, old: bytes, new: bytes) -> Callable[[list[bytes]], None]:
    def change(es: list[bytes]) -> None:
        assert old in es[i]
        es[i] = es[i].replace(old, new)

    return change


def flip(data: bytes, at: int) -> bytes:
    return data[:at] + bytes([data[at] ^ 1]) + data[at + 1 :]


class TestExport:
    def test_layout(self) -> None:
        """The export holds every tile of the size, every bundle, keys and the checkpoint."""
        fs = files()
        tiles = {t.path for t in tiles_for_size(SIZE)}
        bundles = {"tile/entries/000", "tile/entries/001", "tile/entries/002.p/88"}
        assert set(fs) == tiles | bundles | {"keys", "checkpoint"}
        assert list(export(3, cosign=False))[-1] == "checkpoint"

    def test_tiles_match_a_tiled_tree(self) -> None:
        """Exported tiles are the tiles a TiledTree stores for the same entries."""
        tree = TiledTree(MemoryTileStore())
        tree.append([leaf_hash(e) for e in entries()])
        fs = files()
        for t in tiles_for_size(SIZE):
            assert fs[t.path] == tree.tile(t.level, t.index, t.width)

    def test_keys_file(self) -> None:
        """The keys file lists organisation vkeys, one per line, and parses back."""
        keys = files()["keys"]
        assert keys == format_keys([s.verifier for s in ORGS.values()])
        assert {v.name for v in parse_keys(b"# comment\n\n" + keys)} == {"icrc", "unhcr"}

    def test_too_few_entries(self) -> None:
        """Exporting fewer entries than the checkpoint's size fails."""
        note = sign_checkpoint(Checkpoint(ORIGIN, 5, bytes(32)), LOG)
        with pytest.raises(InputError, match="3 entries, the checkpoint is for 5"):
            dict(export_files(entries(3), note, []))

    def test_entries_not_matching_checkpoint(self) -> None:
        """Exporting entries whose root is not the checkpoint's fails at the end."""
        note = sign_checkpoint(Checkpoint(ORIGIN, 3, bytes(32)), LOG)
        with pytest.raises(VerificationError, match="root does not match"):
            dict(export_files(entries(3), note, []))

    def test_tile_builder_root(self) -> None:
        """The streaming tile builder's root equals the tree's for sizes around tile edges."""
        for n in (1, 255, 256, 257, 511, 512, 513, 700):
            hs = [leaf_hash(b"%d" % i) for i in range(n)]
            b = TileBuilder()
            b.add(b"".join(hs[: n // 3]))
            b.add(b"".join(hs[n // 3 :]))
            assert b.root() == root_from_leaves(hs)


class TestVerify:
    def test_ok(self) -> None:
        """An untouched export verifies and reports its size and root."""
        result = verify(files())
        assert result.size == SIZE
        assert result.root == root_from_leaves([leaf_hash(e) for e in entries()])

    def test_ok_strict_with_quorum_and_given_keys(self) -> None:
        """With strict checks, trusted org keys and a witness quorum, it verifies too."""
        result = verify(
            files(),
            strict=True,
            witnesses=[WITNESS.verifier],
            quorum=1,
            org_keys=[s.verifier for s in ORGS.values()],
        )
        assert result.cosignatures == 1

    @pytest.mark.parametrize("n", [0, 1, 256])
    def test_edge_sizes(self, n: int) -> None:
        """Empty, one-entry and exactly-one-bundle logs export and verify."""
        assert verify(export(n)).size == n

    def test_parallel(self) -> None:
        """Verifying with two processes gives the same result and names tampered entries."""
        assert verify(files(), jobs=2).root == verify(files()).root
        fs = files()
        edit_bundle(fs, "tile/entries/001", alter(44, b"report 300", b"report 301"))
        with pytest.raises(TamperError, match="entry 300: signature by org unhcr") as exc:
            verify(fs, jobs=2)
        assert exc.value.index == 300


class TestTamper:
    def test_altered_entry(self) -> None:
        """A changed observation is caught by its signature, naming the entry."""
        fs = files()
        edit_bundle(fs, "tile/entries/001", alter(45, b'"count":301', b'"count":310'))
        with pytest.raises(
            TamperError, match="entry 301: signature by org icrc does not verify"
        ) as exc:
            verify(fs)
        assert exc.value.index == 301

    def test_flipped_byte_in_bundle(self) -> None:
        """A flipped byte anywhere in an entry bundle is caught, naming an entry."""
        fs = files()
        fs["tile/entries/000"] = flip(fs["tile/entries/000"], 5000)
        with pytest.raises(TamperError, match=r"^entry \d+: ") as exc:
            verify(fs)
        assert exc.value.index is not None and 0 <= exc.value.index < 256

    def test_flipped_byte_in_tile(self) -> None:
        """A flipped byte in a hash tile names the tile, the hash and the entry."""
        fs = files()
        fs["tile/0/001"] = flip(fs["tile/0/001"], 17 * 32 + 3)
        with pytest.raises(
            TamperError, match=r"tile 0/001: hash 17 differs from the recomputed tree \(entry 273\)"
        ):
            verify(fs)

    def test_flipped_byte_in_upper_tile(self) -> None:
        """A flipped byte in a level-1 tile names the range of entries under the hash."""
        fs = files()
        fs["tile/1/000.p/2"] = flip(fs["tile/1/000.p/2"], 40)
        with pytest.raises(
            TamperError, match=r"tile 1/000.p/2: hash 1 differs .*\(entries 256–511\)"
        ):
            verify(fs)

    def test_flipped_byte_in_partial_tile(self) -> None:
        """The partial level-0 tile is checked too."""
        fs = files()
        fs["tile/0/002.p/88"] = flip(fs["tile/0/002.p/88"], 87 * 32)
        with pytest.raises(TamperError, match=r"tile 0/002.p/88: hash 87 .*\(entry 599\)"):
            verify(fs)

    def test_flipped_byte_in_checkpoint(self) -> None:
        """A changed checkpoint fails the log signature."""
        fs = files()
        text = parse_note(fs["checkpoint"]).text
        fs["checkpoint"] = fs["checkpoint"].replace(
            text.encode(), text.replace("600", "599").encode()
        )
        with pytest.raises(VerificationError, match="checkpoint: signature by"):
            verify(fs)

    def test_flipped_byte_in_cosignature(self) -> None:
        """A broken witness cosignature fails when witnesses are checked."""
        fs = files()
        note = parse_note(fs["checkpoint"])
        _log_sig, cosig = note.signatures
        bad = type(cosig)(cosig.name, cosig.key_id, flip(cosig.signature, 20))
        fs["checkpoint"] = add_signatures(fs["checkpoint"], [bad])
        verify(fs)  # the log signature alone still holds
        with pytest.raises(VerificationError, match=r"cosignature by witness\.example/w1"):
            verify(fs, witnesses=[WITNESS.verifier], quorum=1)

    def test_dropped_last_entry(self) -> None:
        """Dropping the last entry is caught, naming it."""
        fs = files()
        edit_bundle(fs, "tile/entries/002.p/88", lambda es: es.pop())
        with pytest.raises(TamperError, match="entry 599: missing") as exc:
            verify(fs)
        assert exc.value.index == 599

    def test_missing_bundle(self) -> None:
        """A missing entry bundle names the entries it should hold."""
        fs = files()
        del fs["tile/entries/002.p/88"]
        with pytest.raises(
            TamperError, match=r"entries 512–599: tile/entries/002\.p/88 cannot be read"
        ):
            verify(fs)

    def test_reordered_entries(self) -> None:
        """Swapping two entries keeps their signatures but not the tree: the index is named."""
        fs = files()

        def swap(es: list[bytes]) -> None:
            es[10], es[11] = es[11], es[10]

        edit_bundle(fs, "tile/entries/000", swap)
        with pytest.raises(TamperError, match=r"hash 10 differs .*\(entry 10\)") as exc:
            verify(fs)
        assert exc.value.index == 10

    def test_reordered_with_rewritten_tiles(self) -> None:
        """Reordering and rewriting every tile to match still fails on the signed root."""
        es = list(entries())
        es[10], es[11] = es[11], es[10]
        fs = files()
        builder = TileBuilder()
        done = builder.add(b"".join(map(leaf_hash, es))) + builder.partial_tiles()
        fs.update({tile_path(lv, i, len(t) // 32): t for lv, i, t in done})
        edit_bundle(fs, "tile/entries/000", lambda b: b.__setitem__(slice(10, 12), [b[11], b[10]]))
        with pytest.raises(VerificationError, match="checkpoint: root does not match the entries"):
            verify(fs)

    def test_extra_entry_in_bundle(self) -> None:
        """An entry appended past the checkpoint's size is caught."""
        fs = files()
        edit_bundle(fs, "tile/entries/002.p/88", lambda es: es.append(es[0]))
        with pytest.raises(TamperError, match="entry 600: beyond the checkpoint's tree size"):
            verify(fs)

    def test_substituted_org_key(self) -> None:
        """An export whose keys file swaps an organisation's key fails that org's entries."""
        fs = files()
        fake = Signer.from_seed("unhcr", bytes(32))
        fs["keys"] = format_keys([ORGS["icrc"].verifier, fake.verifier])
        with pytest.raises(TamperError, match="entry 0: signature by org unhcr: no known key"):
            verify(fs)

    def test_wrong_log_key(self) -> None:
        """The log key is a trust anchor: another key does not verify the checkpoint."""
        other = Signer.from_seed(ORIGIN, bytes(range(32)))
        with pytest.raises(VerificationError, match="not signed by the log key"):
            verify_export(files().__getitem__, ORIGIN, other.verifier)

    def test_quorum_not_met(self) -> None:
        """A quorum larger than the valid cosignatures fails."""
        other = CosignatureSigner.from_seed("witness.example/w2", bytes(32))
        with pytest.raises(VerificationError, match="quorum is 2"):
            verify(files(), witnesses=[WITNESS.verifier, other.verifier], quorum=2)
