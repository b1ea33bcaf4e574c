"""The log: its key, checkpoints (signing is an explicit write), proofs, its tiles and entry
bundles as C2SP tlog-tiles serves them, verification, static export, publishing to witnesses, and
erasure of personal values."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from corridor.app import shapes
from corridor.errors import InputError, NotFoundError, StoreError
from corridor.ledger.bundle import encode_bundle
from corridor.ledger.checkpoint import verify_checkpoint
from corridor.ledger.hashing import leaf_hash
from corridor.ledger.merkle import verify_consistency, verify_inclusion
from corridor.ledger.tiles import TILE_WIDTH, entries_path, tile_path, tile_width

if TYPE_CHECKING:
    from corridor.app.corridor import Corridor
    from corridor.app.witnesses import WitnessPush
    from corridor.ledger.offline import VerifiedLog

__all__ = ["Basis", "ExportResult", "LogCases"]


@dataclass(frozen=True)
class ExportResult:
    size: int
    files: int
    folder: Path
    vkey: str


@dataclass(frozen=True)
class Basis:
    """The signed checkpoint a view computed as of a tree size rests on (docs/as-of.md): its
    size, root, when the log signed it (seconds since the epoch) and its signed note, with the
    witness cosignatures known now."""

    size: int
    root: bytes
    signed_at: int
    note: bytes


class LogCases:
    def __init__(self, app: Corridor) -> None:
        self.app = app

    def key(self) -> tuple[str, bool]:
        """The log's verifier key, and whether it is a DEMO key."""
        log = self.app.transparency_log()
        return log.verifier.vkey, log.demo

    def latest_checkpoint(self) -> bytes:
        """The latest signed checkpoint, with cosignatures (a read)."""
        return self.app.transparency_log().latest_checkpoint()

    def sign_checkpoint(self) -> bytes:
        """Sign a checkpoint over the current tree if it has grown (a write); return the latest."""
        return self.app.transparency_log().sign_checkpoint()

    def basis(self, size: int) -> Basis:
        """The signed checkpoint of exactly ``size`` entries, for a view as of that size.

        A view cited in a report must be reproducible and checkable: it rests on a tree size the
        log signed. Any other size is refused (NotFoundError), naming the signed sizes nearest
        to it.
        """
        if size < 0:
            raise InputError(f"a tree size is 0 or more, not {size}", where="as-of")
        if size >= 2**63:  # beyond any tree (and any database integer): no such checkpoint
            raise NotFoundError(f"no signed checkpoint of size {size}: a log holds fewer entries")
        store = self.app.store
        row = store.checkpoint_at(size)
        if row is None:
            below, above, n = store.checkpoint_neighbours(size)
            near = [str(x) for x in (below, above) if x is not None]
            nearest = (
                f"; the nearest is of size {near[0]}" if len(near) == 1
                else f"; the nearest are of sizes {near[0]} and {near[1]}" if near
                else ""
            )
            raise NotFoundError(
                f"the log signed no checkpoint of tree size {size}: a view as of a size rests on "
                f"the checkpoint signed at that size ({n} signed{nearest})",
                code="no-checkpoint",
                subject=str(size),
            )
        _size, root, note, signed_at = row
        log = self.app.transparency_log()
        verify_checkpoint(note.encode(), log.origin, log.verifier)
        return Basis(size, root, signed_at, log.with_cosignatures(size, note))

    def checkpoints(self) -> list[tuple[int, bytes, int]]:
        """Every signed checkpoint: (tree size, root, signed at), smallest first."""
        return self.app.store.checkpoint_list()

    def prove(self, id_or_prefix: str) -> dict[str, Any]:
        """An inclusion proof of an observation against the latest signed checkpoint."""
        s = self.app.store.get(id_or_prefix)
        return self._prove_one(s.id, s.log_index)

    def prove_index(self, index: int) -> dict[str, Any]:
        """An inclusion proof of the entry at log index ``index`` (NotFoundError when there is
        none, or when the latest signed checkpoint does not cover it yet)."""
        if index < 0:
            raise InputError(f"log index {index} is negative", where="index")
        self.app.store.entry_at(index)  # NotFoundError: no such entry
        return self._prove_one(str(index), index)

    def _prove_one(self, oid: str, index: int) -> dict[str, Any]:
        proofs, missing = self.prove_many([(oid, index)])
        if missing:
            size = self.app.transparency_log().checkpoint_size()
            raise NotFoundError(f"entry {index} is not yet in a signed checkpoint (size {size})")
        return proofs[oid]

    def prove_many(
        self, entries: Sequence[tuple[str, int]], *, as_of: int | None = None
    ) -> tuple[dict[str, dict[str, Any]], list[str]]:
        """Inclusion proofs, each checked, for (id, log index) pairs against the latest signed
        checkpoint (or the one of size ``as_of``); the ids it does not cover are returned
        apart."""
        log = self.app.transparency_log()
        if as_of is None:
            note = log.latest_checkpoint()
            cp = log.verified_checkpoint()
        else:
            basis = self.basis(as_of)
            note = basis.note
            cp = verify_checkpoint(note, log.origin, log.verifier)
        tree = log.tree()
        proofs: dict[str, dict[str, Any]] = {}
        missing: list[str] = []
        for oid, index in entries:
            if index >= cp.size:
                missing.append(oid)
                continue
            lh = leaf_hash(self.app.store.entry_at(index))
            hashes = tree.inclusion_proof(index, cp.size)
            verify_inclusion(index, cp.size, lh, hashes, cp.root)
            proofs[oid] = shapes.proof_bundle(index, cp.size, lh, hashes, note)
        return proofs, missing

    def consistency(
        self, old_size: int, new_size: int | None = None, *, signed: bool = False
    ) -> dict[str, Any]:
        """A consistency proof between two tree sizes (the newer defaults to the latest signed
        checkpoint), checked before it is returned. With ``signed`` both sizes must lie within
        the latest signed checkpoint (NotFoundError otherwise): what a published log proves."""
        log = self.app.transparency_log()
        signed_size = log.verified_checkpoint().size if signed or new_size is None else 0
        if new_size is None:
            new_size = signed_size
        if old_size < 0:
            raise InputError(f"the old size {old_size} is negative", where="old")
        if old_size > new_size:
            raise InputError(f"the old size {old_size} is larger than the new size {new_size}")
        if signed and new_size > signed_size:
            raise NotFoundError(
                f"tree size {new_size} is beyond the latest signed checkpoint (size {signed_size})"
            )
        tree = log.tree()
        hashes = tree.consistency_proof(old_size, new_size)
        verify_consistency(old_size, new_size, tree.root(old_size), tree.root(new_size), hashes)
        return shapes.consistency(old_size, new_size, hashes)

    # -- the log as C2SP tlog-tiles: what a tiles client reads ----------------------------------
    def tile(self, level: int, index: int, width: int = TILE_WIDTH) -> bytes:
        """The first ``width`` hashes of tile (level, index) (256: the full tile), as the latest
        signed checkpoint's tree holds them; NotFoundError for a tile it does not cover."""
        log = self.app.transparency_log()
        size = log.checkpoint_size()
        if not 1 <= width <= tile_width(level, index, size):
            raise NotFoundError(
                f"{tile_path(level, index, width)} is not in the tree of the latest signed "
                f"checkpoint (size {size})",
                subject=tile_path(level, index, width),
            )
        return log.tree().tile(level, index, width)

    def entry_bundle(self, index: int, width: int = TILE_WIDTH) -> bytes:
        """Entry bundle ``index`` of ``width`` entries (256: the full bundle): the entries
        index·256 … index·256 + width - 1, each after its big-endian uint16 length; NotFoundError
        for a bundle the latest signed checkpoint does not cover."""
        store = self.app.store
        size = self.app.transparency_log().checkpoint_size()
        path = entries_path(index, width)
        if not 1 <= width <= tile_width(0, index, size):
            raise NotFoundError(
                f"{path} is not in the tree of the latest signed checkpoint (size {size})",
                subject=path,
            )
        start = index * TILE_WIDTH
        entries = [e for _i, e, *_rest in store.entries(start, start + width, batch=width)]
        if len(entries) != width:
            raise StoreError(f"{path}: the database holds {len(entries)} of its {width} entries")
        return encode_bundle(entries)

    def keys_file(self) -> bytes:
        """The organisations' verifier keys, one a line, DEMO keys labelled (an export's
        ``keys`` file)."""
        from corridor.export.tlog import keys_file

        return keys_file([(o, v, d) for o, v, _k, _p, d in self.app.store.org_keys()])

    def publish(self) -> list[WitnessPush]:
        """Send the latest signed checkpoint to every configured witness, with a consistency
        proof from the size each last cosigned, and keep each cosignature that verifies. A
        witness that is down or refuses is reported (and logged), never raised."""
        return self.app.witnesses.push()

    def verify(self, *, progress: Callable[[int], None] | None = None) -> dict[str, Any]:
        """Check everything stored against the entries and the log's signatures, and against
        the log's state file when its key folder is at hand (TamperError naming the first
        entry that differs). Says how many entries lie beyond the latest signed checkpoint and
        which state file was checked (``state`` None: none was, e.g. without the key folder)."""
        from corridor.recording.audit import audit_log

        log = self.app.transparency_log()
        audit = audit_log(log, progress=progress)
        out = shapes.verification(audit.size, audit.root, checkpoint_size=audit.checkpoint_size)
        out["checkpoints"] = audit.checkpoints
        out["demo"] = log.demo
        out["state"] = None if audit.state is None else str(audit.state)
        out["state_size"] = audit.state_size
        return out

    def export(self, out: Path, *, as_of: int | None = None) -> ExportResult:
        """Write the log at its latest signed checkpoint (or at the one of size ``as_of``) to
        ``out`` as C2SP tlog-tiles files.

        ``out`` must be new, empty, or a previous export (replaced); InputError otherwise.
        """
        from corridor.export.folder import EXPORT_MARKER, check_output_folder
        from corridor.export.tlog import EXPORT_NAMES, export_log

        check_output_folder(out, EXPORT_MARKER, EXPORT_NAMES)
        log = self.app.transparency_log()
        if as_of is None:
            note, upto = log.latest_checkpoint(), log.checkpoint_size()
        else:
            note, upto = self.basis(as_of).note, as_of
        store = self.app.store
        size, files = export_log(
            (e for _i, e, *_rest in store.entries(0, upto)),
            note,
            [v for _o, v, _k, _p, _d in store.org_keys()],
            self.keys_file(),
            out,
        )
        return ExportResult(size, files, out, log.verifier.vkey)

    @staticmethod
    def verify_export(
        folder: Path,
        vkey: str,
        *,
        witnesses: Sequence[str] = (),
        quorum: int = 0,
        org_keys: Sequence[str] | None = None,
        jobs: int = 1,
    ) -> VerifiedLog:
        """Verify an exported folder offline (no database) against the log's verifier key."""
        from corridor.export.tlog import verify_export

        if quorum > len(witnesses):
            raise InputError(f"a quorum of {quorum} needs at least {quorum} witness keys")
        return verify_export(
            folder,
            vkey,
            witnesses=list(witnesses),
            quorum=quorum,
            org_keys=list(org_keys) if org_keys is not None else None,
            jobs=jobs,
        )

    @staticmethod
    def verify_remote(
        url: str,
        vkey: str,
        *,
        witnesses: Sequence[str] = (),
        quorum: int = 0,
        org_keys: Sequence[str] | None = None,
        jobs: int = 1,
    ) -> VerifiedLog:
        """Verify a log served over HTTP as C2SP tlog-tiles (``corridor serve``'s ``/v1/log``,
        or any static host of an export) exactly as an exported folder, against the log's
        verifier key (from a trusted source, not from the server)."""
        import httpx

        from corridor.client.tiles import TIMEOUT, http_reader, tiles_prefix
        from corridor.ledger.cosignature import CosignatureVerifier
        from corridor.ledger.note import Verifier
        from corridor.ledger.offline import verify_export

        if quorum > len(witnesses):
            raise InputError(f"a quorum of {quorum} needs at least {quorum} witness keys")
        prefix = tiles_prefix(url)
        log_verifier = Verifier.from_vkey(vkey)
        orgs = [Verifier.from_vkey(k) for k in org_keys] if org_keys is not None else None
        with httpx.Client(timeout=TIMEOUT, headers={"User-Agent": "corridor-verify"}) as client:
            return verify_export(
                http_reader(prefix, client),
                log_verifier.name,
                log_verifier,
                org_keys=orgs,
                witnesses=[CosignatureVerifier.from_vkey(w) for w in witnesses],
                quorum=quorum,
                jobs=jobs,
            )

    def erase(self, id_or_prefix: str) -> tuple[str, int]:
        """Erase an observation's personal values; the log keeps only salted commitments."""
        s = self.app.store.get(id_or_prefix)
        return s.id, self.app.store.erase_personal(s.id)
