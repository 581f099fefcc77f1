"""Repair: every database made by an earlier release gets the schema it should have had.

Migration 0001 was edited in five commits after databases had been made with it, and a
database records only "0001". So a database made by an early release lacks what later
edits put into 0001, and 0002 and 0003 never added it (docs/operations.md, "Upgrades",
lists each variant). This revision does not assume which variant it finds: it reads the
tables and creates or alters only what is missing or different (`schema_repair.repair`)
against the schema below, written out here as it is at this revision, so that later
changes to `tables.py` do not change what 0004 does. An idempotency record from before
`request_hash` existed answers the body it was stored under, so it gets that body's hash.

A database at 0001 or 0002 comes here directly (`migrate.py` stamps it 0003 first): 0002
cannot run on the earliest variants, which have no `partner_users`, and this revision
builds what 0002 and 0003 add.

It also creates `schema_compatibility`, where each revision from now on records the
oldest revision whose code may run on it: 0004 changes nothing that the code of 0003
reads differently, so 0003.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22 09:00:00
"""

from __future__ import annotations

import logging

import sqlalchemy as sa
from alembic import op
from sqlalchemy import BigInteger, Boolean, Column, ForeignKey, Index, Integer, String, Text

from tenantry.storage.schema_repair import repair

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

OLDEST_COMPATIBLE = "0003"
log = logging.getLogger("tenantry")


def _schema() -> sa.MetaData:
    """The tables as they are at revision 0004."""
    m = sa.MetaData()
    guid = String(36)
    when = sa.DateTime(timezone=True)

    def key(length: int) -> sa.types.TypeEngine[str]:
        return String(length).with_variant(String(length, collation="C"), "postgresql")

    def table(name: str, *items: sa.schema.SchemaItem) -> None:
        sa.Table(name, m, *items)

    table(
        "partners",
        Column("tenant_id", guid, primary_key=True),
        Column("name", String(255), nullable=False),
        Column("partner_type", String(32), nullable=False),
        Column("country", String(2), nullable=False),
        Column("created_at", when, nullable=False),
    )
    table(
        "apps",
        Column("client_id", guid, primary_key=True),
        Column("partner_id", guid, ForeignKey("partners.tenant_id"), nullable=False, index=True),
        Column("display_name", String(255), nullable=False),
        Column("secret_hash", String(255), nullable=False),
        Column("created_at", when, nullable=False),
        Column("redirect_uris", sa.JSON, nullable=False, server_default="[]"),
        Column("previous_secret_hash", String(255), nullable=True),
        Column("previous_secret_expires_at", when, nullable=True),
    )
    table(
        "partner_users",
        Column("id", guid, primary_key=True),
        Column("partner_id", guid, ForeignKey("partners.tenant_id"), nullable=False, index=True),
        Column("user_principal_name", String(128), nullable=False),
        Column("user_principal_name_key", String(128), nullable=False, unique=True),
        Column("display_name", String(255), nullable=False),
        Column("password_hash", String(255), nullable=False),
        Column("roles", sa.JSON, nullable=False),
        Column("created_at", when, nullable=False),
        Column("mfa", String(16), nullable=False, server_default="sandbox"),
        Column("totp_secret_sealed", sa.LargeBinary, nullable=True),
    )
    table(
        "partnerships",
        Column("provider_id", guid, ForeignKey("partners.tenant_id"), primary_key=True),
        Column("reseller_id", guid, ForeignKey("partners.tenant_id"), primary_key=True, index=True),
        Column("state", String(16), nullable=False),
        Column("created_at", when, nullable=False),
    )
    table(
        "signing_keys",
        Column("kid", String(64), primary_key=True),
        Column("private_key_sealed", sa.LargeBinary, nullable=False),
        Column("public_key_pem", Text, nullable=False),
        Column("created_at", when, nullable=False),
    )
    table(
        "customers",
        Column("id", guid, primary_key=True),
        Column("commerce_id", guid, nullable=False),
        Column("partner_id", guid, ForeignKey("partners.tenant_id"), nullable=False),
        Column("associated_partner_id", guid, nullable=True),
        Column("domain", String(64), nullable=False),
        Column("domain_key", key(64), nullable=False, unique=True),
        Column("company_name", String(255), nullable=False),
        Column("company_name_key", key(1024), nullable=False),
        Column("organization_registration_number", String(64), nullable=True),
        Column("billing_id", guid, nullable=False),
        Column("billing_first_name", String(50), nullable=True),
        Column("billing_last_name", String(50), nullable=True),
        Column("email", String(254), nullable=False),
        Column("culture", String(20), nullable=False),
        Column("language", String(10), nullable=False),
        Column("address", sa.JSON, nullable=False),
        Column("etag", BigInteger, nullable=False),
        Column("relationship_to_partner", String(32), nullable=False),
        Column("allow_delegated_access", Boolean, nullable=False),
        Column("enable_gdap_by_default", Boolean, nullable=False),
        Column("created_at", when, nullable=False),
        Index("ix_customers_partner_created", "partner_id", "created_at", "id"),
        Index("ix_customers_partner_company", "partner_id", "company_name_key"),
        Index("ix_customers_partner_domain", "partner_id", "domain_key"),
        Index("ix_customers_associated_created", "associated_partner_id", "created_at", "id"),
    )
    table(
        "users",
        Column("id", guid, primary_key=True),
        Column("customer_id", guid, ForeignKey("customers.id"), nullable=False, index=True),
        Column("user_name", String(64), nullable=False),
        Column("user_principal_name", String(128), nullable=False),
        Column("user_principal_name_key", String(128), nullable=False, unique=True),
        Column("password_hash", String(255), nullable=False),
        Column("must_change_password", Boolean, nullable=False),
        Column("created_at", when, nullable=False),
    )
    table(
        "relationships",
        Column("id", guid, primary_key=True),
        Column("customer_id", guid, ForeignKey("customers.id"), nullable=False, index=True),
        Column("partner_id", guid, ForeignKey("partners.tenant_id"), nullable=False),
        Column("relationship_type", String(32), nullable=False),
        Column("created_at", when, nullable=False),
    )
    table(
        "gdap_relationships",
        Column("id", guid, primary_key=True),
        Column("customer_id", guid, ForeignKey("customers.id"), nullable=False, index=True),
        Column("partner_id", guid, ForeignKey("partners.tenant_id"), nullable=False),
        Column("display_name", String(64), nullable=False),
        Column("roles", sa.JSON, nullable=False),
        Column("duration_days", Integer, nullable=False),
        Column("status", String(32), nullable=False),
        Column("created_at", when, nullable=False),
        Column("ends_at", when, nullable=False),
    )
    table(
        "idempotency_records",
        Column("scope_hash", String(64), primary_key=True),
        Column("body_hash", String(64), primary_key=True),
        Column("status", Integer, nullable=False),
        Column("headers", sa.JSON, nullable=False),
        Column("body_sealed", sa.LargeBinary, nullable=False),
        Column("request_hash", String(64), nullable=False),
        Column("created_at", when, nullable=False),
        Column("expires_at", when, nullable=False, index=True),
    )
    table(
        "throttle_windows",
        Column("partner_id", guid, primary_key=True),
        Column("resource", String(32), primary_key=True),
        Column("window_start", BigInteger, primary_key=True),
        Column("hits", Integer, nullable=False),
    )
    table(
        "authorization_codes",
        Column("code_hash", String(64), primary_key=True),
        Column("family_id", guid, nullable=False),
        Column("client_id", guid, nullable=False),
        Column("partner_id", guid, nullable=False),
        Column("user_id", guid, nullable=False),
        Column("redirect_uri", String(2048), nullable=False),
        Column("code_challenge", String(128), nullable=False),
        Column("audience", String(255), nullable=False),
        Column("scope", String(1024), nullable=False),
        Column("nonce", String(255), nullable=True),
        Column("mfa", Boolean, nullable=False),
        Column("expires_at", when, nullable=False, index=True),
        Column("redeemed_at", when, nullable=True),
    )
    table(
        "refresh_tokens",
        Column("token_hash", String(64), primary_key=True),
        Column("family_id", guid, nullable=False, index=True),
        Column("client_id", guid, nullable=False),
        Column("partner_id", guid, nullable=False),
        Column("user_id", guid, nullable=False),
        Column("audience", String(255), nullable=False),
        Column("scope", String(1024), nullable=False),
        Column("mfa", Boolean, nullable=False),
        Column("created_at", when, nullable=False),
        Column("expires_at", when, nullable=False, index=True),
        Column("used_at", when, nullable=True),
    )
    table(
        "subscriptions",
        Column("id", guid, primary_key=True),
        Column("customer_id", guid, ForeignKey("customers.id"), nullable=False, index=True),
        Column("offer_id", String(64), nullable=False),
        Column("friendly_name", String(255), nullable=False),
        Column("quantity", Integer, nullable=False),
        Column("created_at", when, nullable=False),
    )
    table(
        "audit_events",
        Column("id", guid, primary_key=True),
        Column("occurred_at", when, nullable=False, index=True),
        Column("action", String(64), nullable=False),
        Column("actor_type", String(16), nullable=False),
        Column("actor_id", String(255), nullable=False),
        Column("partner_id", guid, nullable=True, index=True),
        Column("target_type", String(32), nullable=False),
        Column("target_id", String(255), nullable=False),
        Column("request_id", String(64), nullable=True),
        Column("correlation_id", String(64), nullable=True),
        Column("details", sa.JSON, nullable=False),
    )
    return m


# A record stored before request_hash existed answers the body it is keyed by.
FILL = {("idempotency_records", "request_hash"): "body_hash"}


def upgrade() -> None:
    connection = op.get_bind()
    for line in repair(connection, _schema(), fill=FILL):
        log.info("migration 0004: %s", line)
    if not sa.inspect(connection).has_table("schema_compatibility"):
        op.create_table(
            "schema_compatibility",
            sa.Column("revision", sa.String(length=32), nullable=False),
            sa.Column("oldest_compatible", sa.String(length=32), nullable=False),
            sa.PrimaryKeyConstraint("revision", name="schema_compatibility_pkc"),
        )
    rows = sa.table("schema_compatibility", sa.column("revision"), sa.column("oldest_compatible"))
    op.execute(rows.delete().where(rows.c.revision == revision))
    op.execute(rows.insert().values(revision=revision, oldest_compatible=OLDEST_COMPATIBLE))


def downgrade() -> None:
    # The repaired tables stay: they are what the code of 0003 reads and writes.
    op.drop_table("schema_compatibility")
