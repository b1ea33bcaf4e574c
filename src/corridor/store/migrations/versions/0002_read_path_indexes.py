"""read path at scale: state and convoy columns, indexes, longest period per type

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01 10:00:00

Adds two derived query columns (``state``: a route status, convoy state, deployment status or
population kind; ``convoy``: the body's convoy id) and fills them from the stored entries; adds
the indexes the windowed and latest-per-key reads use; records per type the longest observed
period (meta ``period_max_us:TYPE``), which bounds overlap queries to an index range.

One transaction on both backends: PostgreSQL's DDL is transactional, and on SQLite the first
statement is a write, so the driver has opened the transaction before the first ALTER TABLE
(Python's sqlite3 no longer commits before DDL); a failure leaves the database at 0001.
"""

import json
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_STATE_FIELD = {  # as corridor.store.columns.STATE_FIELD at this revision
    "route_status": "status",
    "convoy": "state",
    "deployment": "status",
    "population": "kind",
}
_PERIOD_META = "period_max_us:"
_INDEXES = {
    "ix_observations_start": ["start_us", "log_index"],
    "ix_observations_type_route_start": ["type", "route", "start_us"],
    "ix_observations_type_convoy_start": ["type", "convoy", "start_us"],
    "ix_observations_type_place_start": ["type", "place", "start_us"],
}


def upgrade() -> None:
    conn = op.get_bind()
    meta = sa.table("meta", sa.column("key", sa.String), sa.column("value", sa.Text))
    # a write first: on SQLite it opens the transaction the DDL below then runs in
    conn.execute(meta.delete().where(meta.c.key.startswith(_PERIOD_META)))
    op.add_column("observations", sa.Column("state", sa.String(length=32), nullable=True))
    op.add_column("observations", sa.Column("convoy", sa.Text(), nullable=True))

    obs = sa.table(
        "observations",
        sa.column("log_index", sa.BigInteger),
        sa.column("type", sa.String),
        sa.column("entry", sa.LargeBinary),
        sa.column("state", sa.String),
        sa.column("convoy", sa.Text),
        sa.column("start_us", sa.BigInteger),
        sa.column("end_us", sa.BigInteger),
    )
    # only entries that can have a state or a convoy (crossings name one only sometimes)
    names_convoy = (
        sa.text("position(CAST(:pat AS bytea) IN entry) > 0")
        if conn.dialect.name == "postgresql"
        else sa.text("instr(entry, :pat) > 0")
    ).bindparams(sa.bindparam("pat", b'"convoy":', type_=sa.LargeBinary))
    wanted = sa.or_(
        obs.c.type.in_(sorted(_STATE_FIELD)), sa.and_(obs.c.type == "crossing", names_convoy)
    )
    updates = []
    for index, typ, entry in conn.execute(
        sa.select(obs.c.log_index, obs.c.type, obs.c.entry).where(wanted)
    ):
        body = json.loads(bytes(entry))["observation"]["body"]
        field = _STATE_FIELD.get(typ)
        state = None if field is None else body.get(field)
        convoy = body.get("convoy")
        if state is not None or convoy is not None:
            updates.append({"i": index, "s": state, "c": convoy})
    if updates:
        conn.execute(
            obs.update()
            .where(obs.c.log_index == sa.bindparam("i"))
            .values(state=sa.bindparam("s"), convoy=sa.bindparam("c")),
            updates,
        )
    longest = conn.execute(
        sa.select(obs.c.type, sa.func.max(obs.c.end_us - obs.c.start_us))
        .where(obs.c.end_us.is_not(None))
        .group_by(obs.c.type)
    ).all()
    if longest:
        conn.execute(
            meta.insert(), [{"key": _PERIOD_META + t, "value": str(int(d))} for t, d in longest]
        )
    for name, cols in _INDEXES.items():
        op.create_index(name, "observations", cols, unique=False)


def downgrade() -> None:
    for name in _INDEXES:
        op.drop_index(name, table_name="observations")
    with op.batch_alter_table("observations", schema=None) as batch_op:
        batch_op.drop_column("convoy")
        batch_op.drop_column("state")
    meta = sa.table("meta", sa.column("key", sa.String), sa.column("value", sa.Text))
    op.get_bind().execute(meta.delete().where(meta.c.key.startswith(_PERIOD_META)))
