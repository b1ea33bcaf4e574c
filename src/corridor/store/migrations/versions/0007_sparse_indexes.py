"""sparse indexes: the indexes of columns most entries leave empty cover only the rows that set
them

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 21:00:00

The indexes on (type, route, start), (type, convoy, start), (type, place, start),
(supersedes, log_index) and (attests, log_index) held a row for every entry, NULL for the
great majority (a crossing names no route, convoy or place; hardly any entry corrects or
attests another), and each such row cost an append a write in a random place of its index.
They become partial indexes (``WHERE column IS NOT NULL``) on both backends: every query that
used them compares the column with a value or says ``IS NOT NULL``, which the partial index
answers the same. Nothing stored changes; the indexes are rebuilt from the table.

One transaction on both backends, as in 0002: on SQLite the first statement is a write, so the
driver has opened the transaction before the first DROP INDEX.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# name -> (the column that must be set, the indexed columns), as corridor.store.tables has them
_SPARSE = {
    "ix_observations_type_route_start": ("route", ["type", "route", "start_us"]),
    "ix_observations_type_convoy_start": ("convoy", ["type", "convoy", "start_us"]),
    "ix_observations_type_place_start": ("place", ["type", "place", "start_us"]),
    "ix_observations_supersedes": ("supersedes", ["supersedes", "log_index"]),
    "ix_observations_attests": ("attests", ["attests", "log_index"]),
}


def _meta_write() -> None:
    meta = sa.table("meta", sa.column("key", sa.String), sa.column("value", sa.Text))
    # a write first: on SQLite it opens the transaction the DDL below then runs in
    op.get_bind().execute(meta.delete().where(meta.c.key == "schema:0007"))


def upgrade() -> None:
    _meta_write()
    for name, (column, columns) in _SPARSE.items():
        op.drop_index(name, table_name="observations")
        where = sa.text(f"{column} IS NOT NULL")
        op.create_index(
            name, "observations", columns, sqlite_where=where, postgresql_where=where
        )


def downgrade() -> None:
    _meta_write()
    for name, (_column, columns) in _SPARSE.items():
        op.drop_index(name, table_name="observations")
        op.create_index(name, "observations", columns)
