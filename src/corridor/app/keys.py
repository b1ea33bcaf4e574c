"""Organisations' keys: make a signing key (private file, public key registered), register
another organisation's verifier key, list what is registered."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from corridor.errors import NotFoundError, SigningKeyError

if TYPE_CHECKING:
    from corridor.app.corridor import Corridor

__all__ = ["KeyCases"]


class KeyCases:
    def __init__(self, app: Corridor) -> None:
        self.app = app

    def registered(self, org: str) -> list[str]:
        """The verifier keys registered for ``org``, oldest first."""
        return [v for o, v, *_ in self.app.store.org_keys() if o == org]

    def _refuse_second_key(self, org: str, rotate: bool) -> None:
        have = self.registered(org)
        if have and not rotate:
            raise SigningKeyError(
                f"organisation {org!r} already has a registered key ({have[0]}); another key "
                "for it is a key rotation, which must be asked for explicitly",
                code="key-rotation",
                subject=org,
            )

    def new(
        self, org: str, *, rotate: bool = False, actor: str | None = None
    ) -> tuple[Path, str]:
        """A new Ed25519 signing key for ``org``: the private key to a file (mode 0600), never
        into the database; the public key registered. Returns (file, verifier key).

        An organisation that already has a registered key gets a second one only with
        ``rotate`` (SigningKeyError otherwise); its earlier keys stay registered, so what they
        signed still verifies.
        """
        store = self.app.store
        if org not in store.registry().organisations:
            raise NotFoundError(f"unknown organisation {org!r}; load a case that defines it first")
        ring = self.app.keyring
        if ring.has(org):
            raise SigningKeyError(f"{ring.path(org)} exists; not replacing a private key")
        self._refuse_second_key(org, rotate)
        from corridor.ledger.note import Signer

        signer = Signer.generate(org)
        path = ring.save(signer)
        self.app.transparency_log().register(org, signer, demo=False)
        self._record(org, signer.vkey, rotate, actor)
        return path, signer.vkey

    def add(
        self, vkey: str, *, rotate: bool = False, actor: str | None = None
    ) -> tuple[str, bool]:
        """Register another organisation's verifier key; returns (vkey, newly added).

        A key for an organisation that already has another registered key needs ``rotate``.
        A new registration is recorded in the admin record (``actor`` default: this user).
        """
        from corridor.ledger.note import Verifier

        v = Verifier.from_vkey(vkey)
        if v.vkey in self.registered(v.name):
            return v.vkey, False
        self._refuse_second_key(v.name, rotate)
        added = self.app.transparency_log().register(v.name, v, demo=False)
        if added:
            self._record(v.name, v.vkey, rotate, actor)
        return v.vkey, added

    def _record(self, org: str, vkey: str, rotate: bool, actor: str | None) -> None:
        self.app.access.record(
            "key.register", org, {"vkey": vkey, "rotate": rotate}, actor=actor
        )

    def list(self) -> list[tuple[str, str, bool]]:
        """(organisation, verifier key, is a DEMO key) for every registered key.

        On an SQLite record not yet opened, read through the standard library's sqlite3
        (:mod:`corridor.store.peek`), so that ``corridor keys list`` starts without SQLAlchemy.
        """
        if not self.app.opened:
            from corridor.store.peek import registered_keys
            from corridor.store.urls import sqlite_path

            path = sqlite_path(self.app.settings.db)
            rows = registered_keys(path) if path is not None else None
            if rows is not None:
                return rows
        return [(o, v, d) for o, v, _k, _p, d in self.app.store.org_keys()]
