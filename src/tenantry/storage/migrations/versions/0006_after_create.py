"""After create: agreements, orders, subscriptions and users as Partner Center serves them.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-04 18:01:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

# Only adds; the code of 0003 to 0005 reads nothing differently.
OLDEST_COMPATIBLE = "0003"

_compatibility = sa.table(
    "schema_compatibility", sa.column("revision"), sa.column("oldest_compatible")
)


def upgrade() -> None:
    with op.batch_alter_table("users") as users:
        users.add_column(sa.Column("display_name", sa.String(256), nullable=True))
        users.add_column(sa.Column("first_name", sa.String(64), nullable=True))
        users.add_column(sa.Column("last_name", sa.String(64), nullable=True))
        users.add_column(sa.Column("usage_location", sa.String(2), nullable=True))
    with op.batch_alter_table("subscriptions") as subscriptions:
        subscriptions.add_column(
            sa.Column("status", sa.String(16), nullable=False, server_default="active")
        )
        subscriptions.add_column(sa.Column("order_id", sa.String(64), nullable=True))
        subscriptions.add_column(sa.Column("partner_id_on_record", sa.String(16), nullable=True))
    op.create_table(
        "agreements",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("customer_id", sa.String(36), sa.ForeignKey("customers.id"), nullable=False),
        sa.Column("template_id", sa.String(36), nullable=False),
        sa.Column("agreement_type", sa.String(64), nullable=False),
        sa.Column("date_agreed", sa.DateTime(timezone=True), nullable=False),
        sa.Column("first_name", sa.String(64), nullable=False),
        sa.Column("last_name", sa.String(64), nullable=False),
        sa.Column("email", sa.String(254), nullable=False),
        sa.Column("phone_number", sa.String(32), nullable=True),
        sa.Column("confirmed_by", sa.String(255), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_agreements_customer_id", "agreements", ["customer_id"])
    op.create_table(
        "orders",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("customer_id", sa.String(36), sa.ForeignKey("customers.id"), nullable=False),
        sa.Column("billing_cycle", sa.String(16), nullable=False),
        sa.Column("currency_code", sa.String(3), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_orders_customer_id", "orders", ["customer_id"])
    op.create_table(
        "order_line_items",
        sa.Column("order_id", sa.String(64), sa.ForeignKey("orders.id"), primary_key=True),
        sa.Column("line_item_number", sa.Integer, primary_key=True),
        sa.Column("offer_id", sa.String(64), nullable=False),
        sa.Column("subscription_id", sa.String(36), nullable=False),
        sa.Column("friendly_name", sa.String(255), nullable=False),
        sa.Column("quantity", sa.Integer, nullable=False),
        sa.Column("partner_id_on_record", sa.String(16), nullable=True),
    )
    # The table holds the current revision's row only (as a fresh database does).
    op.execute(_compatibility.delete())
    op.execute(
        _compatibility.insert().values(revision=revision, oldest_compatible=OLDEST_COMPATIBLE)
    )


def downgrade() -> None:
    op.drop_table("order_line_items")
    op.drop_index("ix_orders_customer_id", "orders")
    op.drop_table("orders")
    op.drop_index("ix_agreements_customer_id", "agreements")
    op.drop_table("agreements")
    with op.batch_alter_table("subscriptions") as subscriptions:
        subscriptions.drop_column("partner_id_on_record")
        subscriptions.drop_column("order_id")
        subscriptions.drop_column("status")
    with op.batch_alter_table("users") as users:
        users.drop_column("usage_location")
        users.drop_column("last_name")
        users.drop_column("first_name")
        users.drop_column("display_name")
    op.execute(_compatibility.delete())
    op.execute(_compatibility.insert().values(revision="0005", oldest_compatible="0003"))
