"""Embargo: seal an observation (log only a salted commitment to it) and reveal it later
(docs/embargo.md).

Sealing keeps a **secret** — the salt and the hidden observation — that the organisation holds
itself (the CLI writes it to a file readable by its owner only); the record never sees it until
the reveal. The secret is handed to ``keep`` *before* the commitment is logged, so a logged
commitment always has a kept secret. A reveal is the hidden observation, signed by the same
organisation, naming the sealed entry and carrying the salt; admission checks it against the
commitment.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from corridor.errors import InputError, RecordError
from corridor.model.embargo import (
    new_salt,
    reveal_content,
    sealed_content,
)
from corridor.model.history import SEALED
from corridor.store.api import AppendResult, Query, StoredObservation

if TYPE_CHECKING:
    from corridor.app.corridor import Corridor
    from corridor.app.history import Written
    from corridor.model import Observation

__all__ = [
    "SECRET_FORMAT",
    "EmbargoCases",
    "Parse",
    "Record",
    "Sealing",
    "reveal",
    "seal",
    "secret_parts",
]

SECRET_FORMAT = "corridor-seal-secret/1"


@dataclass(frozen=True)
class Sealing:
    """What sealing wrote (the sealed entry) and the secret that opens it."""

    written: Written
    secret: dict[str, Any]

    @property
    def id(self) -> str:
        return self.written.observation.id


def secret_parts(secret: Mapping[str, Any]) -> tuple[str, bytes, Mapping[str, Any]]:
    """(the sealed entry named, the salt, the hidden observation) of a seal secret; an
    InputError naming what is wrong with it."""
    if secret.get("format") != SECRET_FORMAT:
        raise InputError(f"not a seal secret (format is not {SECRET_FORMAT!r})", where="secret")
    sealed, salt, hidden = secret.get("sealed"), secret.get("salt"), secret.get("observation")
    if not isinstance(sealed, str) or not isinstance(hidden, Mapping):
        raise InputError("a seal secret names the sealed entry and holds the observation",
                         where="secret")  # fmt: skip
    try:
        raw = bytes.fromhex(salt) if isinstance(salt, str) else b""
    except ValueError:
        raw = b""
    if len(raw) != 32:
        raise InputError("the salt is not 64 hex digits (32 bytes)", where="secret.salt")
    return sealed, raw, hidden


class Parse(Protocol):
    """Validates raw observations against a registry (a database's, or a server's)."""

    def __call__(
        self, items: Sequence[Mapping[str, Any]], *, where: Callable[[int], str | None] = ...
    ) -> list[Observation]: ...


Record = Callable[["list[Observation]"], AppendResult]
"""Signs observations with their reporters' keys and appends them (to a database's log, or
through a server)."""


def seal(
    data: Mapping[str, Any],
    *,
    parse: Parse,
    record: Record,
    keep: Callable[[dict[str, Any]], None],
    grain: str = "day",
    disclose_type: bool = True,
    source: str | None = None,
) -> Sealing:
    """Seal the observation ``data``: validate it, draw a 32-byte salt, hand the secret (salt
    and observation) to ``keep``, then log the sealed entry — the commitment, the reporter, the
    ``grain`` (day, month, year) that holds its time and, if ``disclose_type``, its type —
    signed by the reporter. Over a database (:meth:`EmbargoCases.seal`) or a server (the CLI's
    ``--server``): ``parse`` and ``record`` say which."""
    from corridor.app.history import Written

    (hidden,) = parse([data], where=lambda i: "observation")
    if hidden.supersedes is not None or hidden.reveals is not None:
        raise InputError("a sealed observation is a new one: it supersedes and reveals "
                         "nothing", where="observation")  # fmt: skip
    if hidden.type not in _fact_types():
        raise InputError(f"a {hidden.type} cannot be sealed (only observations of what "
                         "was seen)", where="observation.type")  # fmt: skip
    salt = new_salt()
    try:
        content = sealed_content(
            hidden, salt, grain=grain, disclose_type=disclose_type, source=source
        )
    except ValueError as exc:
        raise InputError(str(exc), where="grain") from None
    (sealed,) = parse([content])
    full = {**hidden.content(), "body": {**hidden.content()["body"], **hidden.personal()}}
    secret = {"format": SECRET_FORMAT, "sealed": sealed.id, "salt": salt.hex(),
              "observation": full}  # fmt: skip
    keep(secret)
    return Sealing(Written(sealed, record([sealed])), secret)


def reveal(
    target: StoredObservation, secret: Mapping[str, Any], *, parse: Parse, record: Record
) -> Written:
    """Reveal the sealed entry ``target`` with its ``secret``: log the hidden observation,
    signed by its reporter, naming the sealed entry and its salt. Admission refuses it unless
    it matches the commitment (docs/embargo.md)."""
    from corridor.app.history import Written

    named, salt, hidden = secret_parts(secret)
    if target.observation.type != SEALED:
        raise RecordError(f"{target.id} is a {target.observation.type}, not a sealed entry",
                          field="reveals.sealed")  # fmt: skip
    if named != target.id:
        raise InputError(f"this secret opens sealed entry {named}, not {target.id}",
                         where="secret.sealed")  # fmt: skip
    (obs,) = parse([reveal_content(hidden, target.id, salt)], where=lambda i: "observation")
    return Written(obs, record([obs]))


class EmbargoCases:
    def __init__(self, app: Corridor) -> None:
        self.app = app

    def seal(
        self,
        data: Mapping[str, Any],
        *,
        keep: Callable[[dict[str, Any]], None],
        grain: str = "day",
        disclose_type: bool = True,
        source: str | None = None,
    ) -> Sealing:
        """:func:`seal` over this database."""
        obs = self.app.observations
        return seal(data, parse=obs.parse, record=obs.record, keep=keep, grain=grain,
                    disclose_type=disclose_type, source=source)  # fmt: skip

    def reveal(self, sealed_id: str, secret: Mapping[str, Any]) -> Written:
        """:func:`reveal` of the sealed entry ``sealed_id`` (id or prefix) over this
        database."""
        secret_parts(secret)  # a bad secret is refused before the entry is looked up
        obs = self.app.observations
        target = self.app.store.get(sealed_id)
        return reveal(target, secret, parse=obs.parse, record=obs.record)

    def sealed(self, *, as_of: int | None = None) -> list[StoredObservation]:
        """The sealed entries not revealed (nor withdrawn), in time order."""
        if as_of is not None:
            self.app.log.basis(as_of)
        return list(self.app.store.query(Query(type=SEALED, as_of=as_of)))


def _fact_types() -> frozenset[str]:
    from corridor.model import FACT_TYPES

    return FACT_TYPES
