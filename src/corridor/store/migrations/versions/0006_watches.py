"""watches: subscriptions delivered as signed webhooks, one delivery per (watch, event), and
every delivery attempt

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 12:00:00

Three new tables (docs/watches.md): ``watches`` (what to watch, where to deliver, the signing
secret, how far it was evaluated), ``watch_deliveries`` (one row per event a watch delivers:
its webhook-id, the exact body, its state and next attempt; unique per (watch, event), so no
event is delivered twice) and ``watch_attempts`` (every attempt, with the receiver's answer).
Embargo (sealed entries and reveals, docs/embargo.md) needs no schema change: a reveal's sealed
entry is in ``observations.supersedes``.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "watches",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("owner", sa.Text, nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("filter", sa.JSON, nullable=False),
        sa.Column("url", sa.Text, nullable=False),
        sa.Column("secret", sa.Text, nullable=False),
        sa.Column("label", sa.Text),
        sa.Column("cursor", sa.BigInteger, nullable=False),
        sa.Column("last", sa.JSON),
        sa.Column("created_at", sa.BigInteger, nullable=False),
        sa.Column("removed_at", sa.BigInteger),
        sa.PrimaryKeyConstraint("id", name="pk_watches"),
    )
    op.create_table(
        "watch_deliveries",
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("watch_id", sa.String(32), nullable=False),
        sa.Column("event", sa.Text, nullable=False),
        sa.Column("type", sa.String(32), nullable=False),
        sa.Column("payload", sa.Text, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("next_at", sa.BigInteger, nullable=False),
        sa.Column("created_at", sa.BigInteger, nullable=False),
        sa.Column("delivered_at", sa.BigInteger),
        sa.PrimaryKeyConstraint("id", name="pk_watch_deliveries"),
        sa.ForeignKeyConstraint(
            ["watch_id"], ["watches.id"], name="fk_watch_deliveries_watch_id_watches"
        ),
        sa.UniqueConstraint("watch_id", "event", name="uq_watch_deliveries_watch_event"),
    )
    op.create_index(
        "ix_watch_deliveries_due", "watch_deliveries", ["status", "next_at"], unique=False
    )
    op.create_table(
        "watch_attempts",
        sa.Column("delivery_id", sa.String(64), nullable=False),
        sa.Column("attempt", sa.Integer, nullable=False, autoincrement=False),
        sa.Column("at", sa.BigInteger, nullable=False),
        sa.Column("http_status", sa.Integer),
        sa.Column("error", sa.Text),
        sa.PrimaryKeyConstraint("delivery_id", "attempt", name="pk_watch_attempts"),
        sa.ForeignKeyConstraint(
            ["delivery_id"],
            ["watch_deliveries.id"],
            name="fk_watch_attempts_delivery_id_watch_deliveries",
        ),
    )


def downgrade() -> None:
    op.drop_table("watch_attempts")
    op.drop_index("ix_watch_deliveries_due", table_name="watch_deliveries")
    op.drop_table("watch_deliveries")
    op.drop_table("watches")
