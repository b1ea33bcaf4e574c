"""Client-side signing: observations validated and signed where the organisation keeps its key.

The server never sees a private key. Before anything is sent, each observation is validated
(the model) and its references checked against the server's registry; each reporter's key file
``<org>.key`` (the key folder, :class:`~corridor.ledger.keyfile.Keyring`) must hold a key the
server has registered for that organisation; then each entry is prepared exactly as the
recorder beside a database prepares it (:func:`corridor.ledger.entry.prepare_entry`: personal
values replaced by salted commitments, the content signed by the reporter).
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from corridor.errors import VerificationError
from corridor.ledger import entry as ledger_entry
from corridor.ledger.keyfile import Keyring, check_registered
from corridor.ledger.note import Signer
from corridor.model import Observation, Registry, parse_observation

__all__ = [
    "Prepared",
    "SigningDesk",
    "observation_from_shape",
    "parse_observations",
]

#: Keys of the observation shape (``corridor.app.shapes.observation``) that are not content.
SHAPE_EXTRAS = frozenset({"id", "log_index", "signed_by", "signature_note", "personal", "proof"})


@dataclass(frozen=True)
class Prepared:
    """A signed entry ready to submit, with its personal values (field, salt, value)."""

    id: str
    entry: bytes
    personal: tuple[tuple[str, bytes, Any], ...] = ()

    def to_json(self) -> dict[str, Any]:
        """The item of ``POST /v1/entries``."""
        d: dict[str, Any] = {"entry": base64.b64encode(self.entry).decode()}
        if self.personal:
            d["personal"] = [
                {"field": f, "salt": base64.b64encode(salt).decode(), "value": v}
                for f, salt, v in self.personal
            ]
        return d


def parse_observations(
    items: Sequence[Mapping[str, Any]],
    registry: Registry,
    *,
    where: Callable[[int], str | None] = lambda i: None,
) -> list[Observation]:
    """Validate raw observations and check their references against ``registry`` (the
    server's): RecordError naming the item and field, before anything is signed or sent."""
    return [registry.parse(item, where(i)) for i, item in enumerate(items)]


@dataclass
class SigningDesk:
    """Signs observations with the organisations' local keys, each checked to be one the server
    has registered for its organisation (``registered``: verifier keys per organisation)."""

    keyring: Keyring
    registered: Mapping[str, Sequence[str]]
    _signers: dict[str, Signer] = field(default_factory=dict)

    def signer(self, org: str) -> Signer:
        """The key of ``org`` from the key folder (SigningKeyError if missing, unreadable,
        readable by others, or not registered on the server for ``org``)."""
        s = self._signers.get(org)
        if s is None:
            s = self.keyring.load(org)
            check_registered(s, list(self.registered.get(org, ())), self.keyring.path(org))
            self._signers[org] = s
        return s

    def check(self, orgs: Iterable[str]) -> None:
        """Every reporter's key at hand and registered: before anything is written or sent."""
        for org in sorted(set(orgs)):
            self.signer(org)

    def prepare(self, obs: Observation) -> Prepared:
        entry, rows = ledger_entry.prepare_entry(
            obs.content(), obs.personal(), self.signer(obs.reporter)
        )
        return Prepared(obs.id, entry, tuple(rows))


def observation_from_shape(shape: Mapping[str, Any]) -> Observation:
    """The observation a server's answer describes (``shapes.observation``), checked to hash to
    the id the server gave it (VerificationError otherwise)."""
    content = {k: v for k, v in shape.items() if k not in SHAPE_EXTRAS}
    obs = parse_observation(content, where=f"observation {shape.get('id')}")
    if obs.id != shape.get("id"):
        raise VerificationError(
            f"the server's observation {shape.get('id')!r} does not hash to its id "
            f"(its content hashes to {obs.id})"
        )
    return obs
