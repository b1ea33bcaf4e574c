"""numbered releases: a signed checkpoint marked as release N, with notes

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 17:10:00

One new table, ``releases`` (docs/releases.md): release ``number`` (1, 2, 3… in the order they
were made, never reused: rows are never deleted) marks the signed checkpoint of tree size
``size`` (at most one release per checkpoint), with its root, the notes, the witnesses whose
cosignatures the checkpoint carried when it was released (``witnesses``, a JSON list of names;
empty with ``unwitnessed``), when and by whom. Nothing existing changes.

One transaction on both backends, as in 0002: on SQLite the first statement is a write, so the
driver has opened the transaction before the CREATE TABLE.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    meta = sa.table("meta", sa.column("key", sa.String), sa.column("value", sa.Text))
    # a write first: on SQLite it opens the transaction the DDL below then runs in
    op.get_bind().execute(meta.delete().where(meta.c.key == "schema:0005"))
    op.create_table(
        "releases",
        sa.Column("number", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("root", sa.LargeBinary(length=32), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("witnesses", sa.JSON(), nullable=False),
        sa.Column("unwitnessed", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("actor", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["size"], ["log_checkpoints.size"], name="fk_releases_size_log_checkpoints"
        ),
        sa.PrimaryKeyConstraint("number", name="pk_releases"),
        sa.UniqueConstraint("size", name="uq_releases_size"),
    )


def downgrade() -> None:
    op.drop_table("releases")
