"""Organisations' keys: make a signing key (private file, public key registered), register
another organisation's verifier key, list what is registered."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from corridor.errors import NotFoundError, SigningKeyError
from corridor.ledger.note import Signer, Verifier

if TYPE_CHECKING:
    from corridor.app.corridor import Corridor

__all__ = ["KeyCases"]


class KeyCases:
    def __init__(self, app: Corridor) -> None:
        self.app = app

    def new(self, org: str) -> tuple[Path, str]:
        """A new Ed25519 signing key for ``org``: the private key to a file (mode 0600), never
        into the database; the public key registered. Returns (file, verifier key)."""
        store = self.app.store
        if org not in store.registry().organisations:
            raise NotFoundError(f"unknown organisation {org!r}; load a case that defines it first")
        ring = self.app.keyring
        if ring.has(org):
            raise SigningKeyError(f"{ring.path(org)} exists; not replacing a private key")
        signer = Signer.generate(org)
        self.app.transparency_log().register(org, signer, demo=False)
        return ring.save(signer), signer.vkey

    def add(self, vkey: str) -> tuple[str, bool]:
        """Register another organisation's verifier key; returns (vkey, newly added)."""
        v = Verifier.from_vkey(vkey)
        return v.vkey, self.app.transparency_log().register(v.name, v, demo=False)

    def list(self) -> list[tuple[str, str, bool]]:
        """(organisation, verifier key, is a DEMO key) for every registered key."""
        return [(o, v, d) for o, v, _k, _p, d in self.app.store.org_keys()]
