"""`corridor verify DIR --key VKEY` on a tampered export: every variant exits 2 (1 for a path
that is not an export folder) with one line naming the entry or file, never a traceback.

The lachin-2023 case is loaded and exported once per module; each test tampers with its own
copy. Variants that need more than one bundle (swapping bundles, a level-1 tile) use a
synthetic log of 600 entries written with the same code (:func:`export_files`).
"""

from __future__ import annotations

import contextlib
import io
import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from corridor.cli.app import main
from corridor.errors import VerificationError
from corridor.export.folder import EXPORT_MARKER
from corridor.export.tlog import folder_reader
from corridor.ledger.bundle import decode_bundle, encode_bundle
from corridor.ledger.checkpoint import Checkpoint, sign_checkpoint
from corridor.ledger.cosignature import CosignatureSigner
from corridor.ledger.entry import make_entry, sign_observation
from corridor.ledger.hashing import leaf_hash
from corridor.ledger.merkle import root_from_leaves
from corridor.ledger.note import Signer, parse_note
from corridor.ledger.offline import export_files, max_file_size
from corridor.recording.keyring import demo_signer

BUNDLE = "tile/entries/000.p/104"
TILE = "tile/0/000.p/104"


def _quiet(*args: str) -> tuple[int, str]:
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
        code = main([*args])
    return code, out.getvalue()


@pytest.fixture(scope="module")
def lachin_export(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """The lachin-2023 case's export folder and the log's verifier key."""
    tmp = tmp_path_factory.mktemp("lachin")
    db = str(tmp / "corridor.db")
    assert _quiet("case", "load", "lachin-2023", "--db", db)[0] == 0
    code, key = _quiet("log", "key", "--db", db)
    assert code == 0
    assert _quiet("log", "export", str(tmp / "site"), "--db", db)[0] == 0
    return tmp / "site", key.strip()


ORIGIN = "corridor.example/log/tamper"
LOG = Signer.from_seed(ORIGIN, bytes(32))
ORG = Signer.from_seed("icrc", b"i" * 32)


@pytest.fixture(scope="module")
def big_export(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A synthetic export of 600 entries: two full bundles and tiles, partial ones, level 1."""
    entries = []
    for i in range(600):
        c = {"type": "crossing", "reporter": "icrc", "body": {"count": i}}
        entries.append(make_entry(c, [sign_observation(c, ORG)]))
    root = root_from_leaves([leaf_hash(e) for e in entries])
    note = sign_checkpoint(Checkpoint(ORIGIN, len(entries), root), LOG)
    out = tmp_path_factory.mktemp("big") / "site"
    for rel, data in export_files(entries, note, [ORG.verifier]):
        (out / rel).parent.mkdir(parents=True, exist_ok=True)
        (out / rel).write_bytes(data)
    (out / EXPORT_MARKER).write_text("test\n")
    return out


class Verify:
    """Runs `corridor verify` on a fresh copy of an export."""

    def __init__(self, source: Path, key: str, tmp: Path, capsys: Any) -> None:
        self.dir = tmp / "copy" / "site"
        shutil.copytree(source, self.dir, symlinks=True)
        self.key = key
        self.capsys = capsys

    def __call__(self, *extra: str, folder: Path | None = None) -> tuple[int, str]:
        self.capsys.readouterr()
        code = main(["verify", str(folder or self.dir), "--key", self.key, *extra])
        _out, err = self.capsys.readouterr()
        return code, err

    def fails(self, code: int, *names: str, extra: tuple[str, ...] = (), **kw: Any) -> str:
        """Assert verify exits ``code`` with one error line naming each of ``names``."""
        got, err = self(*extra, **kw)
        assert got == code, err
        assert "Traceback" not in err and err.count("\n") == 1, err
        assert err.startswith("error: "), err
        for name in names:
            assert name in err, err
        return err

    def edit(self, rel: str, change: Callable[[bytes], bytes]) -> None:
        p = self.dir / rel
        p.write_bytes(change(p.read_bytes()))


@pytest.fixture
def lachin(lachin_export: tuple[Path, str], tmp_path: Path, capsys: Any) -> Verify:
    v = Verify(*lachin_export, tmp_path, capsys)
    assert v()[0] == 0
    return v


@pytest.fixture
def big(big_export: Path, tmp_path: Path, capsys: Any) -> Verify:
    return Verify(big_export, LOG.vkey, tmp_path, capsys)


def _flip(at: int) -> Callable[[bytes], bytes]:
    def change(data: bytes) -> bytes:
        b = bytearray(data)
        b[at] ^= 0x01
        return bytes(b)

    return change


def _resign(v: Verify, size: int | None = None, root: bytes | None = None) -> None:
    """Rewrite the checkpoint with the real (demo) log key, changing size or root."""
    cp = Checkpoint.parse(parse_note((v.dir / "checkpoint").read_bytes()).text)
    new = Checkpoint(cp.origin, cp.size if size is None else size, root or cp.root)
    (v.dir / "checkpoint").write_bytes(sign_checkpoint(new, demo_signer(cp.origin)))


class TestEntries:
    def test_changed_byte_in_bundle(self, lachin: Verify) -> None:
        """A flipped byte inside an entry's observation exits 2 naming that entry."""
        lachin.edit(BUNDLE, _flip(500))
        lachin.fails(2, "entry 0", "does not verify")

    def test_changed_byte_in_bundle_jobs(self, lachin: Verify) -> None:
        """The same with signatures checked in worker processes."""
        lachin.edit(BUNDLE, _flip(500))
        code, err = lachin("--jobs", "2")
        assert code == 2 and "entry 0" in err and "Traceback" not in err, err

    def test_changed_length_prefix(self, lachin: Verify) -> None:
        """A changed uint16 length prefix breaks the framing of that entry."""
        lachin.edit(BUNDLE, _flip(1))
        lachin.fails(2, "entry 0")

    def test_deleted_bundle(self, lachin: Verify) -> None:
        """A deleted entry bundle names the entries and the file that is missing."""
        (lachin.dir / BUNDLE).unlink()
        lachin.fails(2, "entries 0–103", BUNDLE, "missing")

    def test_truncated_bundle(self, lachin: Verify) -> None:
        """A bundle cut in the middle of an entry names that entry."""
        data = (lachin.dir / BUNDLE).read_bytes()
        lengths = [len(e) + 2 for e in decode_bundle(data)]
        lachin.edit(BUNDLE, lambda d: d[: sum(lengths[:40]) + 10])
        lachin.fails(2, "entry 40", "truncated")

    def test_entries_swapped(self, lachin: Verify) -> None:
        """Two entries swapped inside their bundle: the first moved one is named."""
        def swap(d: bytes) -> bytes:
            es = decode_bundle(d)
            es[3], es[7] = es[7], es[3]
            return encode_bundle(es)

        lachin.edit(BUNDLE, swap)
        lachin.fails(2, "tile 0/000.p/104", "entry 3")

    def test_entry_deleted_from_bundle(self, lachin: Verify) -> None:
        """A bundle one entry short names the missing entry."""
        lachin.edit(BUNDLE, lambda d: encode_bundle(decode_bundle(d)[:-1]))
        lachin.fails(2, "entry 103", "missing")

    def test_entry_appended_to_bundle(self, lachin: Verify) -> None:
        """An extra entry after the checkpoint's size is named."""
        lachin.edit(BUNDLE, lambda d: encode_bundle([*decode_bundle(d), decode_bundle(d)[0]]))
        lachin.fails(2, "entry 104", "beyond")

    def test_bundles_swapped(self, big: Verify) -> None:
        """Two full bundles swapped: each entry is validly signed, but the tile names entry 0."""
        a, b = big.dir / "tile/entries/000", big.dir / "tile/entries/001"
        da, db = a.read_bytes(), b.read_bytes()
        a.write_bytes(db)
        b.write_bytes(da)
        big.fails(2, "tile 0/000", "entry 0")


class TestTiles:
    def test_changed_tile_hash(self, lachin: Verify) -> None:
        """A changed hash in the level-0 tile names the tile and the entry it stands for."""
        lachin.edit(TILE, _flip(32 * 17 + 5))
        lachin.fails(2, "tile 0/000.p/104", "hash 17", "entry 17")

    def test_changed_level1_hash(self, big: Verify) -> None:
        """A changed hash in a level-1 tile names the range of entries it covers."""
        big.edit("tile/1/000.p/2", _flip(40))
        big.fails(2, "tile 1/000.p/2", "entries 256–511")

    def test_truncated_tile(self, lachin: Verify) -> None:
        """A truncated tile names its size and the size expected."""
        lachin.edit(TILE, lambda d: d[:-1])
        lachin.fails(2, "tile 0/000.p/104", "3327 bytes, expected 3328")

    def test_missing_tile(self, lachin: Verify) -> None:
        """A missing tile names the file."""
        (lachin.dir / TILE).unlink()
        lachin.fails(2, "tile 0/000.p/104", TILE, "missing")

    def test_missing_full_tile(self, big: Verify) -> None:
        """A missing full tile of a larger log names it and its first entry."""
        (big.dir / "tile/0/001").unlink()
        big.fails(2, "tile 0/001", "missing")

    def test_huge_sparse_tile(self, lachin: Verify) -> None:
        """A sparse 6 GB file where a tile should be is refused by its size, never read."""
        p = lachin.dir / TILE
        p.unlink()
        with p.open("wb") as f:
            f.truncate(6 << 30)
        lachin.fails(2, TILE, "6,442,450,944 bytes, more than the 3,328")

    def test_huge_sparse_bundle(self, lachin: Verify) -> None:
        """A sparse 6 GB file where a bundle should be is refused by its size too."""
        p = lachin.dir / BUNDLE
        with p.open("r+b") as f:
            f.truncate(6 << 30)
        lachin.fails(2, "entries 0–103", "more than the")


class TestCheckpoint:
    def test_changed_size(self, lachin: Verify) -> None:
        """A checkpoint whose size was edited no longer carries a valid log signature."""
        lachin.edit("checkpoint", lambda d: d.replace(b"\n104\n", b"\n103\n", 1))
        lachin.fails(2, "checkpoint", "does not verify")

    def test_changed_root(self, lachin: Verify) -> None:
        """A checkpoint whose root was edited no longer carries a valid log signature."""
        lines = (lachin.dir / "checkpoint").read_bytes().split(b"\n")
        lines[2] = bytes([lines[2][0] ^ 1]) + lines[2][1:]
        (lachin.dir / "checkpoint").write_bytes(b"\n".join(lines))
        lachin.fails(2, "checkpoint")

    def test_resigned_smaller_size(self, lachin: Verify) -> None:
        """A validly signed checkpoint of another size does not match the exported files."""
        _resign(lachin, size=103)
        lachin.fails(2, "entries 0–102", "tile/entries/000.p/103", "missing")

    def test_resigned_other_root(self, lachin: Verify) -> None:
        """A validly signed checkpoint with another root does not match the entries."""
        _resign(lachin, root=bytes(32))
        lachin.fails(2, "checkpoint", "root does not match")

    def test_signed_by_another_key(self, lachin: Verify) -> None:
        """A checkpoint signed by another key of the same origin name is refused."""
        cp = Checkpoint.parse(parse_note((lachin.dir / "checkpoint").read_bytes()).text)
        other = Signer.from_seed(cp.origin, b"o" * 32)
        (lachin.dir / "checkpoint").write_bytes(sign_checkpoint(cp, other))
        lachin.fails(2, "checkpoint", "not signed by the log key")

    def test_binary_junk(self, lachin: Verify) -> None:
        """Random bytes as the checkpoint are a malformed note."""
        (lachin.dir / "checkpoint").write_bytes(bytes(range(256)) * 4)
        lachin.fails(2, "checkpoint", "malformed")

    def test_empty(self, lachin: Verify) -> None:
        """An empty checkpoint file is a malformed note."""
        (lachin.dir / "checkpoint").write_bytes(b"")
        lachin.fails(2, "checkpoint", "malformed")

    def test_too_many_signatures(self, lachin: Verify) -> None:
        """A checkpoint with its signature line repeated 200 times is refused."""
        def repeat(d: bytes) -> bytes:
            text, _, sigs = d.rpartition(b"\n\n")
            return text + b"\n\n" + sigs * 200

        lachin.edit("checkpoint", repeat)
        lachin.fails(2, "checkpoint", "more than 100 signatures")

    def test_fifo(self, lachin: Verify) -> None:
        """A named pipe as the checkpoint is refused at once instead of blocking the verifier."""
        (lachin.dir / "checkpoint").unlink()
        os.mkfifo(lachin.dir / "checkpoint")
        lachin.fails(2, "checkpoint", "not a regular file")

    def test_missing(self, lachin: Verify) -> None:
        """A missing checkpoint names the file."""
        (lachin.dir / "checkpoint").unlink()
        lachin.fails(2, "checkpoint", "missing")


class TestKeys:
    def test_key_replaced(self, lachin: Verify) -> None:
        """An organisation's key replaced by another valid key of the same name fails on its
        first entry."""
        keys = (lachin.dir / "keys").read_text().splitlines()
        # the case compilers' key: they report entry 0 (the sources attest from entry 93 on)
        i, line = next((i, k) for i, k in enumerate(keys) if k.startswith("corridor-case+"))
        org = line.split("+")[0]
        keys[i] = Signer.from_seed(org, b"k" * 32).vkey
        (lachin.dir / "keys").write_text("\n".join(keys) + "\n")
        lachin.fails(2, "entry 0", f"org {org}", "no known key")

    def test_junk_line(self, lachin: Verify) -> None:
        """A keys file line that is not a verifier key names the line."""
        n = len((lachin.dir / "keys").read_bytes().splitlines())
        lachin.edit("keys", lambda d: d + b"\xff\xfe not a key\n")
        lachin.fails(2, f"keys line {n + 1}")

    def test_missing(self, lachin: Verify) -> None:
        """A missing keys file names it."""
        (lachin.dir / "keys").unlink()
        lachin.fails(2, "keys", "missing")

    def test_wrong_log_key(self, lachin: Verify) -> None:
        """A valid log key other than the log's (same origin name) fails on the checkpoint."""
        origin = lachin.key.split("+")[0]
        lachin.key = Signer.from_seed(origin, b"w" * 32).vkey
        lachin.fails(2, "checkpoint", "not signed by the log key")

    def test_org_key_junk(self, lachin: Verify) -> None:
        """A malformed --org-key is bad input (exit 1)."""
        lachin.fails(1, "verifier key", extra=("--org-key", "junk+1+2"))

    def test_witness_quorum_unmet(self, lachin: Verify) -> None:
        """A required witness cosignature that the checkpoint lacks exits 2 saying so."""
        w = CosignatureSigner.from_seed("w.example", b"w" * 32).vkey
        lachin.fails(2, "checkpoint", "quorum is 1", extra=("--witness", w, "--quorum", "1"))

    def test_wrong_log_key_syntax(self, lachin: Verify) -> None:
        """A malformed --key is bad input (exit 1) naming the problem."""
        lachin.key = "not-a-key"
        lachin.fails(1, "verifier key")


class TestPaths:
    def test_symlink_to_etc_passwd(self, lachin: Verify) -> None:
        """A bundle that is a symbolic link to /etc/passwd is refused, not read."""
        (lachin.dir / BUNDLE).unlink()
        (lachin.dir / BUNDLE).symlink_to("/etc/passwd")
        lachin.fails(2, "entries 0–103", BUNDLE, "symbolic link")

    def test_symlink_to_parent_file(self, lachin: Verify) -> None:
        """A tile that links to a (correct) copy in the parent folder is refused all the same."""
        outside = lachin.dir.parent / "tile-copy"
        (lachin.dir / TILE).rename(outside)
        (lachin.dir / TILE).symlink_to(outside)
        lachin.fails(2, TILE, "symbolic link")

    def test_relative_symlink_out(self, lachin: Verify) -> None:
        """A checkpoint linking out of the folder by a relative ``..`` target is refused."""
        (lachin.dir / "checkpoint").rename(lachin.dir.parent / "checkpoint")
        (lachin.dir / "checkpoint").symlink_to("../checkpoint")
        lachin.fails(2, "checkpoint", "symbolic link")

    def test_symlinked_tile_folder(self, lachin: Verify) -> None:
        """A tile/ folder that is a symbolic link to a copy outside the export is refused."""
        outside = lachin.dir.parent / "tiles-elsewhere"
        (lachin.dir / "tile").rename(outside)
        (lachin.dir / "tile").symlink_to(outside, target_is_directory=True)
        lachin.fails(2, "tile is a symbolic link")

    def test_symlinked_entries_folder(self, lachin: Verify) -> None:
        """A symbolic link one level deeper (tile/entries) is refused too."""
        outside = lachin.dir.parent / "entries-elsewhere"
        (lachin.dir / "tile/entries").rename(outside)
        (lachin.dir / "tile/entries").symlink_to(outside, target_is_directory=True)
        lachin.fails(2, "tile/entries is a symbolic link")

    def test_folder_instead_of_bundle(self, lachin: Verify) -> None:
        """A folder where the bundle should be is named as such."""
        (lachin.dir / BUNDLE).unlink()
        (lachin.dir / BUNDLE).mkdir()
        lachin.fails(2, BUNDLE, "a folder, not a file")

    def test_folder_instead_of_checkpoint(self, lachin: Verify) -> None:
        """A folder where the checkpoint should be is named as such."""
        (lachin.dir / "checkpoint").unlink()
        (lachin.dir / "checkpoint").mkdir()
        lachin.fails(2, "checkpoint", "a folder, not a file")

    def test_file_instead_of_folder(self, lachin: Verify) -> None:
        """A file where the tile/0 folder should be is named."""
        shutil.rmtree(lachin.dir / "tile/0")
        (lachin.dir / "tile/0").write_bytes(b"x")
        lachin.fails(2, "tile/0 is a file, not a folder")

    def test_export_is_a_file(self, lachin: Verify) -> None:
        """A file given as the export folder is bad input (exit 1)."""
        f = lachin.dir.parent / "file"
        f.write_text("x")
        lachin.fails(1, str(f), "not a folder", folder=f)

    def test_export_missing(self, lachin: Verify) -> None:
        """A folder that does not exist is bad input (exit 1)."""
        lachin.fails(1, "not a folder", folder=lachin.dir.parent / "nowhere")

    @pytest.mark.parametrize(
        "rel", ["../checkpoint", "tile/../checkpoint", "tile/0/../../../etc/passwd", "/etc/passwd",
                "tile//0/000", "tile/0/./000", "keys/..", ""]
    )  # fmt: skip
    def test_dotdot_paths_refused(self, lachin: Verify, rel: str) -> None:
        """The folder reader refuses any path that is not an export file's (``..`` above all),
        even though the verifier builds none."""
        (lachin.dir.parent / "checkpoint").write_bytes(b"outside")
        with pytest.raises(VerificationError, match="not the path of a file of an export"):
            folder_reader(lachin.dir)(rel)
        with pytest.raises(VerificationError):
            max_file_size(rel)
