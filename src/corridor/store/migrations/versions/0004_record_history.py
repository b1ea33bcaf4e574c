"""record history: the entry a correction or retraction names, the observation an attestation
is about, and their indexes

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02 09:00:00

Two derived query columns of ``observations`` (docs/record.md, Corrections, retractions and
attestations): ``supersedes``, the version a correction replaces or a retraction withdraws, and
``attests``, the observation an attestation is about. An observation is current when no row
supersedes it, which the index on (supersedes, log_index) answers for any tree size.

No stored entry can name another before this revision (the observation model refused the
``supersedes`` field and the ``retraction`` and ``attestation`` types), so both columns start
empty and nothing is filled from the entries; ``corridor log verify`` derives them again.

One transaction on both backends, as in 0002: on SQLite the first statement is a write, so the
driver has opened the transaction before the first ALTER TABLE.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_INDEXES = {
    "ix_observations_supersedes": ["supersedes", "log_index"],
    "ix_observations_attests": ["attests", "log_index"],
}


def upgrade() -> None:
    meta = sa.table("meta", sa.column("key", sa.String), sa.column("value", sa.Text))
    # a write first: on SQLite it opens the transaction the DDL below then runs in
    op.get_bind().execute(meta.delete().where(meta.c.key == "schema:0004"))
    op.add_column("observations", sa.Column("supersedes", sa.String(length=64), nullable=True))
    op.add_column("observations", sa.Column("attests", sa.String(length=64), nullable=True))
    for name, cols in _INDEXES.items():
        op.create_index(name, "observations", cols, unique=False)


def downgrade() -> None:
    for name in _INDEXES:
        op.drop_index(name, table_name="observations")
    with op.batch_alter_table("observations", schema=None) as batch_op:
        batch_op.drop_column("attests")
        batch_op.drop_column("supersedes")
