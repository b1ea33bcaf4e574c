"""The log's witnesses in the SQL store: where each one listens and its cosignature key (the
``witnesses`` table), and what each last cosigned (read from the ``cosignatures`` table)."""

from __future__ import annotations

import time

from sqlalchemy import delete, func, insert, select

from corridor.errors import ConflictError
from corridor.store import tables as t
from corridor.store.base import StoreBase

__all__ = ["WitnessStore"]


class WitnessStore(StoreBase):
    """The witnesses table (mixed into :class:`corridor.store.sql.SqlStore`)."""

    def add_witness(self, name: str, url: str, vkey: str) -> None:
        """Add a witness; ConflictError when one of that name exists."""
        with self.begin() as conn:
            if conn.execute(select(t.witnesses.c.name).where(t.witnesses.c.name == name)).first():
                raise ConflictError(f"the log already has a witness named {name!r}")
            conn.execute(
                insert(t.witnesses).values(
                    name=name, url=url, vkey=vkey, added_at=int(time.time())
                )
            )

    def remove_witness(self, name: str) -> bool:
        """Remove a witness (its cosignatures stay on the checkpoints); False if absent."""
        with self.begin() as conn:
            res = conn.execute(delete(t.witnesses).where(t.witnesses.c.name == name))
            return bool(res.rowcount)

    def witnesses(self) -> list[tuple[str, str, str, int]]:
        """Every witness: (name, url, vkey, added_at), by name."""
        wc = t.witnesses.c
        with self.read() as conn:
            rows = conn.execute(
                select(wc.name, wc.url, wc.vkey, wc.added_at).order_by(wc.name)
            ).all()
        return [(r[0], r[1], r[2], int(r[3])) for r in rows]

    def cosigned_sizes(self) -> dict[str, int]:
        """Per witness name, the largest tree size it has a stored cosignature for."""
        cc = t.cosignatures.c
        with self.read() as conn:
            rows = conn.execute(select(cc.witness, func.max(cc.size)).group_by(cc.witness)).all()
        return {r[0]: int(r[1]) for r in rows}

    def cosigners(self, size: int) -> list[str]:
        """The witnesses with a stored cosignature of the checkpoint of ``size``, by name (each
        verified against the witness's key before it was stored)."""
        cc = t.cosignatures.c
        with self.read() as conn:
            rows = conn.execute(select(cc.witness).where(cc.size == size).order_by(cc.witness))
            return [r[0] for r in rows]
