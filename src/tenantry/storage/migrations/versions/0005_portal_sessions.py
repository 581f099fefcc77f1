"""Portal sessions that the server can end (sign-out, password reset, role change), and
one-time codes that are accepted once.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-04 18:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

# Only adds; the code of 0003 and 0004 reads nothing differently.
OLDEST_COMPATIBLE = "0003"

_compatibility = sa.table(
    "schema_compatibility", sa.column("revision"), sa.column("oldest_compatible")
)


def upgrade() -> None:
    with op.batch_alter_table("partner_users") as partner_users:
        partner_users.add_column(sa.Column("totp_last_step", sa.BigInteger, nullable=True))
    op.create_table(
        "portal_sessions",
        sa.Column("id_digest", sa.String(64), primary_key=True),
        sa.Column("user_id", sa.String(36), nullable=False),
        sa.Column("user_stamp", sa.String(64), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_portal_sessions_user_id", "portal_sessions", ["user_id"])
    # The table holds the current revision's row only (as a fresh database does).
    op.execute(_compatibility.delete())
    op.execute(
        _compatibility.insert().values(revision=revision, oldest_compatible=OLDEST_COMPATIBLE)
    )


def downgrade() -> None:
    op.drop_index("ix_portal_sessions_user_id", "portal_sessions")
    op.drop_table("portal_sessions")
    with op.batch_alter_table("partner_users") as partner_users:
        partner_users.drop_column("totp_last_step")
    op.execute(_compatibility.delete())
    op.execute(_compatibility.insert().values(revision="0004", oldest_compatible="0003"))
