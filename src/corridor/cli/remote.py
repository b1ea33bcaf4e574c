"""What the commands share in remote mode: ``--server URL`` (``CORRIDOR_SERVER``) and
``--token`` (``CORRIDOR_TOKEN``) make ``record``, ``import``, ``list``, ``show``, ``status``,
``check``, ``release``, ``review``, ``keys list|add`` and the others docs/service.md lists work
on a corridor server's record instead of a database.

Observations are validated against the server's registry and signed here, with the key folder's
``<org>.key`` (``--keys``); the server verifies and appends, and never sees a private key. Each
command prints what it prints over a local database (the same ``--json``), from the same JSON
shapes. The token is sent only as an ``Authorization`` header; it is never printed.

Kept light like ``cli/context.py``: the HTTP client (httpx) is imported on first use.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from corridor.errors import InputError

if TYPE_CHECKING:
    from corridor.client import Client
    from corridor.ledger.keyfile import Keyring
    from corridor.model import Observation
    from corridor.store.api import StoredObservation

__all__ = [
    "ServerObservations",
    "ServerOption",
    "TokenOption",
    "connect",
    "local_keys",
    "names_a_file",
    "observations_of",
    "proof_checks",
    "stored_of",
    "use_server",
]

ServerOption = typer.Option(
    None,
    "--server",
    envvar="CORRIDOR_SERVER",
    help="A corridor server's URL, e.g. http://127.0.0.1:8000: work on its record instead of "
    "a database (observations are signed here, with the key folder's keys).",
    show_default=False,
)
TokenOption = typer.Option(
    None,
    "--token",
    envvar="CORRIDOR_TOKEN",
    help="API token for --server (better: the CORRIDOR_TOKEN environment variable, which no "
    "process listing shows). Never printed.",
    show_default=False,
)


def connect(server: str, token: str | None) -> Client:
    """The client of ``server`` (use it as a context manager)."""
    from corridor.client import Client

    return Client(server, token or None)


def use_server(ctx: typer.Context, server: str | None, db: str | None) -> str | None:
    """The server to work on, or None for the database. What is typed beats the environment:
    ``--db`` typed with ``CORRIDOR_SERVER`` set means the database, ``--server`` typed with
    ``CORRIDOR_DB`` set means the server; both typed name two records and are refused."""
    if not server:
        return None
    if db is None:
        return server

    def typed(name: str) -> bool:
        source = ctx.get_parameter_source(name)
        return source is not None and source.name == "COMMANDLINE"

    if typed("db") and typed("server"):
        raise InputError("give --db (a database) or --server (a server), not both",
                         where="--server")  # fmt: skip
    return None if typed("db") else server


def local_keys(keys: str | None) -> Keyring:
    """The key folder signing for the server: ``--keys``/``CORRIDOR_KEYS``, else
    ``./corridor-keys``."""
    from corridor.ledger.keyfile import Keyring

    return Keyring(Path(keys).expanduser() if keys else Path("corridor-keys"))


def names_a_file(value: str) -> bool:
    """Whether an option's value names a local file (a YAML name, or a path that exists): what
    a command over a server refuses to send, since the server reads built-in names only."""
    return value.lower().endswith((".yaml", ".yml")) or Path(value).exists()


def observations_of(items: list[dict[str, Any]]) -> list[Observation]:
    """The observations a server's answer lists, each checked to hash to its id."""
    from corridor.client import observation_from_shape

    return [observation_from_shape(d) for d in items]


def stored_of(items: list[dict[str, Any]]) -> list[StoredObservation]:
    """The entries a server's answer lists, as stored (log index, signers, DEMO-signed), each
    checked to hash to its id."""
    from corridor.store.api import StoredObservation

    return [
        StoredObservation(o, int(d["log_index"]), tuple(d.get("signed_by") or ()),
                          "signature_note" in d)
        for o, d in zip(observations_of(items), items, strict=True)
    ]  # fmt: skip


class ServerObservations(Mapping[str, "Observation"]):
    """Observations fetched from the server by id as they are asked for (and kept): what the
    verdicts' renderer labels evidence with, without fetching all the evidence."""

    def __init__(self, client: Client) -> None:
        self.client = client
        self._got: dict[str, Observation | None] = {}

    def __getitem__(self, oid: str) -> Observation:
        if oid not in self._got:
            from corridor.client import observation_from_shape
            from corridor.errors import NotFoundError

            try:
                self._got[oid] = observation_from_shape(self.client.observation(oid))
            except NotFoundError:
                self._got[oid] = None
        got = self._got[oid]
        if got is None:
            raise KeyError(oid)
        return got

    def __contains__(self, oid: object) -> bool:
        try:
            return isinstance(oid, str) and self[oid] is not None
        except KeyError:
            return False

    def __iter__(self) -> Iterator[str]:
        return iter(k for k, v in self._got.items() if v is not None)

    def __len__(self) -> int:
        return sum(v is not None for v in self._got.values())


def proof_checks(bundle: Mapping[str, Any], server: str) -> None:
    """Check an inclusion proof a server sent: its hashes lead from the entry's leaf hash to
    the root of the checkpoint it came with (that checkpoint's signature is the log key's to
    check: ``corridor verify URL --key``). Raises VerificationError naming the server."""
    import base64
    import binascii

    from corridor.errors import VerificationError
    from corridor.ledger.checkpoint import Checkpoint
    from corridor.ledger.merkle import verify_inclusion

    try:
        cp = Checkpoint.parse(str(bundle["checkpoint"]).split("\n\n", 1)[0] + "\n")
        leaf = base64.b64decode(bundle["leaf_hash"], validate=True)
        hashes = [base64.b64decode(h, validate=True) for h in bundle["hashes"]]
        index, size = int(bundle["log_index"]), int(bundle["tree_size"])
    except (KeyError, TypeError, ValueError, binascii.Error):
        raise VerificationError(f"the server {server} sent a malformed inclusion proof") from None
    except VerificationError as exc:
        what = exc.message
        raise VerificationError(f"the server {server} sent a proof with a bad {what}") from None
    if size != cp.size:
        raise VerificationError(
            f"the server {server} sent a proof for tree size {size} with a checkpoint of "
            f"size {cp.size}"
        )
    try:
        verify_inclusion(index, size, leaf, hashes, cp.root)
    except VerificationError as exc:
        raise VerificationError(f"the server {server} sent a bad proof: {exc.message}") from None
