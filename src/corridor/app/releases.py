"""Numbered releases: a witnessed signed checkpoint marked as release N (1, 2, 3… never reused)
with notes, citable in one line and exported reproducibly (docs/releases.md).

A release marks a checkpoint the log signed *and* at least one witness cosigned, so that a
reader who cites it trusts neither the operator nor one key alone. Without a cosignature
(no witness configured, or none has cosigned that size yet) a release is refused unless asked
for as ``unwitnessed``, and then it says so wherever it is shown. Making one is an
administrative action: it is recorded in the admin record in the same transaction.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from corridor.errors import InputError, NotFoundError

if TYPE_CHECKING:
    from corridor.app.corridor import Corridor
    from corridor.app.log import Basis
    from corridor.store.releases import StoredRelease

__all__ = ["MAX_NOTES", "NOT_WITNESSED", "Release", "ReleaseCases", "citation"]

MAX_NOTES = 4000
#: The code of the refusal to release a checkpoint no witness cosigned.
NOT_WITNESSED = "not-witnessed"


@dataclass(frozen=True)
class Release:
    """A release as stored, the name of the key that signed its checkpoint, and the signed
    checkpoint itself (with the cosignatures known now)."""

    stored: StoredRelease
    signer: str
    basis: Basis
    demo: bool = False  # the log signs with a DEMO key

    @property
    def number(self) -> int:
        return self.stored.number

    @property
    def size(self) -> int:
        return self.stored.size

    @property
    def citation(self) -> str:
        return citation(self.stored, self.signer, demo=self.demo)


def citation(r: StoredRelease, signer: str, *, demo: bool = False) -> str:
    """The line to cite a release by: number, tree size, root, who signed and who witnessed."""
    from corridor.app.shapes import b64

    witnessed = (
        f"witnessed by {', '.join(r.witnesses)}" if r.witnesses
        else "NOT witnessed (released unwitnessed: no witness cosignature)"
    )  # fmt: skip
    return (
        f"release {r.number}, tree size {r.size:,}, root {b64(r.root)}, checkpoint signed by "
        f"{signer}{' (a DEMO key)' if demo else ''}, {witnessed}"
    )


class ReleaseCases:
    def __init__(self, app: Corridor) -> None:
        self.app = app

    def _release(self, stored: StoredRelease) -> Release:
        log = self.app.transparency_log()
        return Release(stored, log.verifier.name, self.app.log.basis(stored.size), log.demo)

    def create(
        self,
        *,
        notes: str,
        size: int | None = None,
        unwitnessed: bool = False,
        actor: str | None = None,
    ) -> Release:
        """Mark the signed checkpoint of ``size`` (default: the latest) as the next release.

        The checkpoint must carry at least one witness cosignature; with ``unwitnessed`` one
        without is released too, and the release says it is not witnessed. Refused (InputError)
        without notes or a cosignature; NotFoundError (code ``no-checkpoint``) when the log
        signed no checkpoint of that size; ConflictError when it is a release already.
        """
        from corridor.app.access import local_actor

        notes = notes.strip()
        if not notes:
            raise InputError("a release needs notes (what it is, why now)", where="notes")
        if len(notes) > MAX_NOTES:
            raise InputError(f"notes of {len(notes)} characters; at most {MAX_NOTES}",
                             where="notes")  # fmt: skip
        store = self.app.store
        if size is None:
            latest = store.latest_checkpoint()
            if latest is None:
                raise NotFoundError("the log has signed no checkpoint yet: nothing to release",
                                    code="no-checkpoint")  # fmt: skip
            size = latest[0]
        self.app.log.basis(size)  # signed by the log's key, of exactly that size
        witnesses = store.cosigners(size)
        if not witnesses and not unwitnessed:
            configured = store.witnesses()
            why = (
                f"no witness has cosigned the checkpoint of tree size {size} yet (the log's "
                f"witnesses: {', '.join(w[0] for w in configured)}; publish it to them with "
                "`corridor log checkpoint`)" if configured
                else "the log has no witnesses configured, so no checkpoint is witnessed"
            )  # fmt: skip
            exc = InputError(
                f"{why}; a release marks a witnessed checkpoint (release it as unwitnessed to "
                "mark it anyway: the release then says it is not witnessed)"
            )
            exc.code = NOT_WITNESSED
            raise exc
        stored = store.add_release(
            size, notes, witnesses, unwitnessed=not witnesses, at=int(time.time()),
            actor=actor or local_actor(),
        )  # fmt: skip
        return self._release(stored)

    def list(self) -> list[Release]:
        """Every release, by number."""
        return [self._release(r) for r in self.app.store.releases()]

    def by_size(self) -> dict[int, int]:
        """Release number per released tree size."""
        return {r.size: r.number for r in self.app.store.releases()}

    def show(self, number: int) -> Release:
        """Release ``number`` (NotFoundError naming how many there are)."""
        stored = self.app.store.release(number)
        if stored is None:
            n = len(self.app.store.releases())
            raise NotFoundError(
                f"there is no release {number} (the record has {n} release"
                f"{'' if n == 1 else 's'})", subject=str(number),
            )  # fmt: skip
        return self._release(stored)

    def size_of(self, number: int) -> int:
        """The tree size release ``number`` marks (for a view or export as of it)."""
        return self.show(number).size

