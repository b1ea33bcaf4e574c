"""The log's witnesses: which C2SP tlog-witness endpoints it sends its checkpoints to, and sending
them (:meth:`WitnessesCases.push`, what ``app.log.publish()`` does).

For each configured witness the log sends its latest signed checkpoint with a consistency proof
from the size that witness last cosigned (as far as the log knows: the cosignatures it stored);
a 409 answer names the witness's real size and the log tries once more from there. Each
cosignature is verified against the witness's key before it is stored with the checkpoint, so
that ``/v1/log/checkpoint`` publishes it. A witness that is down, slow or refuses is reported and
logged, never raised: it cannot block or fail an append. (Being a witness is
:mod:`corridor.app.witness`.)
"""

from __future__ import annotations

import concurrent.futures
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from corridor.errors import CorridorError, InputError, NotFoundError, SigningKeyError
from corridor.ledger.checkpoint import Checkpoint, verify_checkpoint
from corridor.ledger.cosignature import CosignatureVerifier
from corridor.ledger.note import is_valid_name
from corridor.ledger.witnessing import (
    SIZE_CONTENT_TYPE,
    AddCheckpoint,
    parse_size,
    verified_cosignatures,
)

if TYPE_CHECKING:
    from corridor.app.corridor import Corridor

__all__ = ["WitnessPush", "WitnessesCases"]

log = logging.getLogger("corridor.witnesses")

Outcome = Literal["cosigned", "current", "refused", "unavailable"]
MAX_PARALLEL = 8


@dataclass(frozen=True)
class WitnessPush:
    """What sending the checkpoint of ``size`` to one witness did."""

    name: str
    url: str
    outcome: Outcome  # cosigned now · current: had cosigned it already · refused · unavailable
    size: int
    message: str

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "url": self.url, "outcome": self.outcome, "size": self.size,
                "message": self.message}  # fmt: skip


def _check_url(url: str) -> str:
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.netloc:
        raise InputError(f"{url!r} is not an http:// or https:// URL", where="url")
    if parts.query or parts.fragment:
        raise InputError(f"{url!r}: a witness's URL prefix has no query or fragment", where="url")
    return url.rstrip("/")


class WitnessesCases:
    def __init__(self, app: Corridor) -> None:
        self.app = app

    # -- configuration -----------------------------------------------------------------------
    def add(self, name: str, url: str, vkey: str) -> dict[str, Any]:
        """Configure a witness: its name (the name of its key), the URL prefix of its
        ``add-checkpoint`` endpoint, and its cosignature verifier key (type 0x04)."""
        if not is_valid_name(name):
            raise InputError(f"{name!r} is not a valid key name", where="name")
        v = CosignatureVerifier.from_vkey(vkey)
        if v.name != name:
            raise SigningKeyError(
                f"the witness key is named {v.name!r}, not {name!r}: a witness is named after "
                "its key, as its cosignatures are"
            )
        url = _check_url(url)
        self.app.store.add_witness(name, url, v.vkey)
        return {"name": name, "url": url, "vkey": v.vkey}

    def configured(self) -> list[dict[str, Any]]:
        """The configured witnesses, with the largest tree size each has cosigned (0: none)."""
        sizes = self.app.store.cosigned_sizes()
        return [
            {"name": n, "url": u, "vkey": v, "added_at": a, "cosigned_size": sizes.get(n, 0)}
            for n, u, v, a in self.app.store.witnesses()
        ]

    def remove(self, name: str) -> None:
        """Stop sending checkpoints to a witness (its cosignatures stay where they are)."""
        if not self.app.store.remove_witness(name):
            raise NotFoundError(f"the log has no witness named {name!r}", subject=name)

    # -- sending checkpoints -----------------------------------------------------------------
    def push(self) -> list[WitnessPush]:
        """Send the latest signed checkpoint to every configured witness, at most
        ``MAX_PARALLEL`` at once; store each valid cosignature. Never raises for a witness."""
        store = self.app.store
        configured = store.witnesses()
        latest = store.latest_checkpoint()
        if not configured or latest is None:
            return []
        tlog = self.app.transparency_log()
        note = latest[2].encode()
        cp = verify_checkpoint(note, tlog.origin, tlog.verifier)  # only what the log signed
        done = store.cosigned_sizes()
        out: dict[str, WitnessPush] = {}
        todo = []
        for name, url, vkey, _at in configured:
            if done.get(name, -1) >= cp.size:
                out[name] = WitnessPush(name, url, "current", cp.size, "cosigned already")
            else:
                todo.append((name, url, vkey, done.get(name, 0)))
        if todo:
            with concurrent.futures.ThreadPoolExecutor(min(MAX_PARALLEL, len(todo))) as pool:
                futures = [pool.submit(self._push_one, *w, note, cp) for w in todo]
                for w, f in zip(todo, futures, strict=True):
                    try:
                        out[w[0]] = f.result()
                    except CorridorError as exc:  # e.g. the database failed storing it
                        out[w[0]] = WitnessPush(w[0], w[1], "refused", cp.size, exc.message)
                        log.warning("witness %s: %s", w[0], exc.message)
        return [out[name] for name, *_ in configured]

    def _push_one(
        self, name: str, url: str, vkey: str, old: int, note: bytes, cp: Checkpoint
    ) -> WitnessPush:
        import httpx

        from corridor.client.witness import TIMEOUT, WitnessUnavailable, add_checkpoint

        def result(outcome: Outcome, message: str) -> WitnessPush:
            level = logging.INFO if outcome == "cosigned" else logging.WARNING
            log.log(level, "witness %s (%s), checkpoint %d: %s", name, url, cp.size, message)
            return WitnessPush(name, url, outcome, cp.size, message)

        verifier = CosignatureVerifier.from_vkey(vkey)
        tree = self.app.transparency_log().tree()
        with httpx.Client(timeout=TIMEOUT) as client:
            for attempt in (1, 2):
                if old > cp.size:
                    return result(
                        "refused",
                        f"the witness has cosigned size {old} of this log, more than the latest "
                        f"checkpoint ({cp.size}): a split view or a log rolled back",
                    )
                proof = tuple(tree.consistency_proof(old, cp.size)) if old else ()
                body = AddCheckpoint(old, proof, note).encode()
                try:
                    answer = add_checkpoint(url, body, client)
                except WitnessUnavailable as exc:
                    return result("unavailable", f"unreachable ({exc.message})")
                if answer.status == 409 and answer.content_type == SIZE_CONTENT_TYPE:
                    try:
                        size = parse_size(answer.body)
                    except CorridorError as exc:
                        return result("refused", f"409 with a malformed size ({exc.message})")
                    if size != old and attempt == 1:
                        old = size  # the witness knows better what it cosigned: from there
                        continue
                    return result(
                        "refused",
                        f"409 Conflict: it cosigned size {size} with another root (a split view)"
                        if size == cp.size
                        else f"409 Conflict: it cosigned size {size}",
                    )
                if answer.status != 200:
                    reason = answer.body.decode("utf-8", "replace").strip().splitlines()
                    return result(
                        "refused", f"{answer.status}: {reason[0][:300] if reason else 'refused'}"
                    )
                try:
                    lines = verified_cosignatures(note, answer.body, verifier)
                except CorridorError as exc:
                    return result("refused", f"an invalid cosignature ({exc.message})")
                if not lines:
                    return result("refused", f"no cosignature by its key {verifier.vkey}")
                self.app.store.add_cosignature(cp.size, name, lines[0].decode())
                return result("cosigned", f"cosigned size {cp.size}")
        raise AssertionError("unreachable")  # pragma: no cover
