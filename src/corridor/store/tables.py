"""SQLAlchemy tables of the record. The observations table *is* the log: row ``log_index`` holds
the entry bytes that were hashed into leaf ``log_index`` of the Merkle tree. Every other column
of that table is an index derived from the entry, re-checked by ``corridor log verify``."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

organisations = Table(
    "organisations",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("name", Text, nullable=False),
    Column("kind", String(32), nullable=False),
    Column("note", Text),
)

org_keys = Table(
    "org_keys",
    metadata,
    Column("vkey", Text, primary_key=True),
    Column("org_id", String(64), ForeignKey("organisations.id"), nullable=False, index=True),
    Column("keyid", LargeBinary(4), nullable=False),
    Column("public_key", LargeBinary(32), nullable=False),
    Column("demo", Boolean, nullable=False, default=False),
    Column("created_at", BigInteger, nullable=False),
)

places = Table(
    "places",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("names", JSON, nullable=False),
    Column("lat", Float),
    Column("lon", Float),
    Column("kind", String(32)),
    Column("note", Text),
)

routes = Table(
    "routes",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("name", Text, nullable=False),
    Column("places", JSON, nullable=False),
    Column("note", Text),
)

checkpoints = Table(
    "checkpoints",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("name", Text, nullable=False),
    Column("place", String(64), ForeignKey("places.id"), nullable=False),
    Column("route", String(64), ForeignKey("routes.id"), nullable=False),
    Column("operator", String(64), ForeignKey("organisations.id")),
    Column("note", Text),
)

observations = Table(
    "observations",
    metadata,
    Column("log_index", BigInteger, primary_key=True, autoincrement=False),
    Column("id", String(64), nullable=False, unique=True),
    Column("entry", LargeBinary, nullable=False),
    Column("leaf_hash", LargeBinary(32), nullable=False),
    Column("type", String(32), nullable=False),
    Column("start_us", BigInteger, nullable=False),
    Column("end_us", BigInteger),
    Column("reporter", String(64), nullable=False),
    Column("route", String(64)),
    Column("checkpoint", String(64)),
    Column("place", String(64)),
    Column("direction", String(16)),
    Column("category", String(16)),
    Column("state", String(32)),  # route status, convoy state, deployment status, population kind
    Column("convoy", Text),  # a convoy event's or a crossing's convoy id
    # (revision 0004) the version a correction replaces or a retraction withdraws; the
    # observation an attestation is about
    Column("supersedes", String(64)),
    Column("attests", String(64)),
    Column("signers", Text, nullable=False),
    Column("demo_signed", Boolean, nullable=False),
    Column("appended_at", BigInteger, nullable=False),
)
Index("ix_observations_type_start", observations.c.type, observations.c.start_us)
# (revision 0002) time order without a type filter; latest-per-key queries of the situation
Index("ix_observations_start", observations.c.start_us, observations.c.log_index)


def _sparse(name: str, column: str, *columns: str) -> Index:
    """An index of the rows whose ``column`` is set (revision 0007: partial). Most entries
    leave it empty (a crossing names no route, hardly any entry corrects another), and an
    index of their NULLs cost every append a random write; a query with ``column = x``, or
    with ``column IS NOT NULL`` written out, uses it on both backends."""
    where = observations.c[column].is_not(None)
    return Index(
        name,
        *(observations.c[c] for c in columns),
        sqlite_where=where,
        postgresql_where=where,
    )


SPARSE_INDEXES = {
    "ix_observations_type_route_start": ("route", "type", "route", "start_us"),
    "ix_observations_type_convoy_start": ("convoy", "type", "convoy", "start_us"),
    "ix_observations_type_place_start": ("place", "type", "place", "start_us"),
    # (revision 0004) is a version current (no entry supersedes it)? what is attested about it?
    "ix_observations_supersedes": ("supersedes", "supersedes", "log_index"),
    "ix_observations_attests": ("attests", "attests", "log_index"),
}
"""Name -> (the column that must be set, the indexed columns)."""
for _name, (_column, *_columns) in SPARSE_INDEXES.items():
    _sparse(_name, _column, *_columns)


personal_data = Table(
    "personal_data",
    metadata,
    Column("obs_id", String(64), primary_key=True),
    Column("field", String(64), primary_key=True),
    Column("salt", LargeBinary(32), nullable=False),
    Column("value", JSON),
    Column("erased_at", BigInteger),
)

log_tiles = Table(
    "log_tiles",
    metadata,
    Column("level", Integer, primary_key=True, autoincrement=False),
    Column("idx", BigInteger, primary_key=True, autoincrement=False),
    Column("data", LargeBinary, nullable=False),
)

log_checkpoints = Table(
    "log_checkpoints",
    metadata,
    Column("size", BigInteger, primary_key=True, autoincrement=False),
    Column("root", LargeBinary(32), nullable=False),
    Column("note", Text, nullable=False),
    Column("signed_at", BigInteger, nullable=False),
)

cosignatures = Table(
    "cosignatures",
    metadata,
    Column("size", BigInteger, ForeignKey("log_checkpoints.size"), primary_key=True),
    Column("witness", Text, primary_key=True),
    Column("line", Text, nullable=False),
    Column("added_at", BigInteger, nullable=False),
)

api_tokens = Table(
    "api_tokens",
    metadata,
    # the token's public id (its first characters); the secret is kept only as a SHA-256 hash
    Column("id", String(32), primary_key=True),
    Column("hash", LargeBinary(32), nullable=False, unique=True),
    Column("org_id", String(64), ForeignKey("organisations.id"), nullable=True, index=True),
    Column("role", String(16), nullable=False),  # admin | reporter | reader | witness
    Column("scopes", JSON, nullable=False),
    Column("label", Text),
    Column("created_at", BigInteger, nullable=False),
    Column("expires_at", BigInteger),
    Column("revoked_at", BigInteger),
    Column("last_used_at", BigInteger),
)

admin_actions = Table(
    "admin_actions",
    metadata,
    # append-only: who did what to the registry, the keys or the tokens, and when
    Column(
        "seq", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    ),
    Column("at", BigInteger, nullable=False),
    Column("actor", Text, nullable=False),  # token id, or "cli:<user>" for a local operator
    Column("action", String(64), nullable=False),
    Column("subject", Text),
    Column("detail", JSON, nullable=False),
)

witnesses = Table(
    "witnesses",
    metadata,
    # witnesses the log sends each new checkpoint to (C2SP tlog-witness add-checkpoint)
    Column("name", String(255), primary_key=True),
    Column("url", Text, nullable=False),
    Column("vkey", Text, nullable=False),
    Column("added_at", BigInteger, nullable=False),
)

releases = Table(
    "releases",
    metadata,
    # (revision 0005) a signed checkpoint marked as release N (docs/releases.md); never deleted,
    # so a number is never reused
    Column("number", BigInteger, primary_key=True, autoincrement=False),
    Column("size", BigInteger, ForeignKey("log_checkpoints.size"), nullable=False, unique=True),
    Column("root", LargeBinary(32), nullable=False),
    Column("notes", Text, nullable=False),
    Column("witnesses", JSON, nullable=False),  # names of the cosigners when released
    Column("unwitnessed", Boolean, nullable=False),
    Column("created_at", BigInteger, nullable=False),
    Column("actor", Text, nullable=False),
)

watches = Table(
    "watches",
    metadata,
    # (revision 0006) subscriptions delivered as signed webhooks (docs/watches.md)
    Column("id", String(32), primary_key=True),
    Column("owner", Text, nullable=False),  # the token id that made it, or "cli" (local)
    Column("kind", String(16), nullable=False),  # entries | verdict
    Column("filter", JSON, nullable=False),
    Column("url", Text, nullable=False),
    Column("secret", Text, nullable=False),  # whsec_<base64>: the HMAC key the receiver holds
    Column("label", Text),
    Column("cursor", BigInteger, nullable=False),  # entries: the log size evaluated up to
    Column("last", JSON),  # verdict: the last verdict seen {"status", "at", "size"}
    Column("created_at", BigInteger, nullable=False),
    Column("removed_at", BigInteger),
)

watch_deliveries = Table(
    "watch_deliveries",
    metadata,
    # one per (watch, event): the webhook-id, the same for every attempt
    Column("id", String(64), primary_key=True),
    Column("watch_id", String(32), ForeignKey("watches.id"), nullable=False),
    Column("event", Text, nullable=False),  # entry:<id> | verdict:<size>:<status>
    Column("type", String(32), nullable=False),  # entry.appended | verdict.changed
    Column("payload", Text, nullable=False),  # the exact body sent
    Column("status", String(16), nullable=False),  # pending | delivered | failed
    Column("attempts", Integer, nullable=False),
    Column("next_at", BigInteger, nullable=False),  # when the next attempt is due
    Column("created_at", BigInteger, nullable=False),
    Column("delivered_at", BigInteger),
    UniqueConstraint("watch_id", "event", name="uq_watch_deliveries_watch_event"),
)
Index("ix_watch_deliveries_due", watch_deliveries.c.status, watch_deliveries.c.next_at)

watch_attempts = Table(
    "watch_attempts",
    metadata,
    # every attempt to deliver, kept: when, what the receiver answered or why it failed
    Column("delivery_id", String(64), ForeignKey("watch_deliveries.id"), primary_key=True),
    Column("attempt", Integer, primary_key=True, autoincrement=False),
    Column("at", BigInteger, nullable=False),
    Column("http_status", Integer),
    Column("error", Text),
)

meta = Table(
    "meta",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)
