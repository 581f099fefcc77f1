"""The relational schema (SQLAlchemy Core). Migrations in `migrations/` must match it."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Dialect,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    TypeDecorator,
)

metadata = MetaData()


class UtcDateTime(TypeDecorator[datetime]):
    """Timestamps stored in UTC and always read back timezone-aware (SQLite drops zones)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


GUID = String(36)


def search_key(length: int) -> String:
    """A column searched by prefix: byte order on PostgreSQL (collation "C"), so that a
    range `key >= prefix AND key < next(prefix)` is a plain B-tree range scan and means
    exactly "starts with". SQLite compares bytes already."""
    return String(length).with_variant(String(length, collation="C"), "postgresql")


partners = Table(
    "partners",
    metadata,
    Column("tenant_id", GUID, primary_key=True),
    Column("name", String(255), nullable=False),
    Column("partner_type", String(32), nullable=False),
    Column("country", String(2), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
)

apps = Table(
    "apps",
    metadata,
    Column("client_id", GUID, primary_key=True),
    Column("partner_id", GUID, ForeignKey("partners.tenant_id"), nullable=False, index=True),
    Column("display_name", String(255), nullable=False),
    Column("secret_hash", String(255), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    # Where the authorization-code flow may send a signed-in user back (besides loopback).
    Column("redirect_uris", JSON, nullable=False, server_default="[]"),
    # After a rotation the old secret keeps working until it expires, so clients can move.
    Column("previous_secret_hash", String(255), nullable=True),
    Column("previous_secret_expires_at", UtcDateTime(), nullable=True),
)

partner_users = Table(
    "partner_users",
    metadata,
    Column("id", GUID, primary_key=True),
    Column("partner_id", GUID, ForeignKey("partners.tenant_id"), nullable=False, index=True),
    Column("user_principal_name", String(128), nullable=False),
    Column("user_principal_name_key", String(128), nullable=False, unique=True),
    Column("display_name", String(255), nullable=False),
    Column("password_hash", String(255), nullable=False),
    Column("roles", JSON, nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    # How the user's second factor is checked at sign-in: "totp", "sandbox" or "none".
    Column("mfa", String(16), nullable=False, server_default="sandbox"),
    Column("totp_secret_sealed", LargeBinary, nullable=True),
    # The time step (RFC 6238) of the last one-time code accepted: no code is taken twice.
    Column("totp_last_step", BigInteger, nullable=True),
)

# The portal's sign-ins, by the SHA-256 digest of the session id the cookie carries (never
# the id itself). `user_stamp` digests the user's credentials and roles at sign-in: a reset
# or a role change ends the session. Sign-out, a reset and a removal delete the rows.
portal_sessions = Table(
    "portal_sessions",
    metadata,
    Column("id_digest", String(64), primary_key=True),
    Column("user_id", GUID, nullable=False, index=True),
    Column("user_stamp", String(64), nullable=False),
    Column("expires_at", UtcDateTime(), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
)

partnerships = Table(
    "partnerships",
    metadata,
    # Indirect providers and the resellers they work with: one row per pair, unique.
    Column("provider_id", GUID, ForeignKey("partners.tenant_id"), primary_key=True),
    Column("reseller_id", GUID, ForeignKey("partners.tenant_id"), primary_key=True, index=True),
    Column("state", String(16), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
)

signing_keys = Table(
    "signing_keys",
    metadata,
    Column("kid", String(64), primary_key=True),
    Column("private_key_sealed", LargeBinary, nullable=False),
    Column("public_key_pem", Text, nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
)

customers = Table(
    "customers",
    metadata,
    Column("id", GUID, primary_key=True),
    Column("commerce_id", GUID, nullable=False),
    Column("partner_id", GUID, ForeignKey("partners.tenant_id"), nullable=False),
    Column("associated_partner_id", GUID, nullable=True),
    Column("domain", String(64), nullable=False),
    Column("domain_key", search_key(64), nullable=False, unique=True),
    Column("company_name", String(255), nullable=False),
    # casefold() can lengthen text (ß → ss), so the key column is wider than the name.
    Column("company_name_key", search_key(1024), nullable=False),
    Column("organization_registration_number", String(64), nullable=True),
    Column("billing_id", GUID, nullable=False),
    Column("billing_first_name", String(50), nullable=True),
    Column("billing_last_name", String(50), nullable=True),
    Column("email", String(254), nullable=False),
    Column("culture", String(20), nullable=False),
    Column("language", String(10), nullable=False),
    Column("address", JSON, nullable=False),
    Column("etag", BigInteger, nullable=False),
    Column("relationship_to_partner", String(32), nullable=False),
    Column("allow_delegated_access", Boolean, nullable=False),
    Column("enable_gdap_by_default", Boolean, nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Index("ix_customers_partner_created", "partner_id", "created_at", "id"),
    Index("ix_customers_partner_company", "partner_id", "company_name_key"),
    Index("ix_customers_partner_domain", "partner_id", "domain_key"),
    # A reseller's list: the customers its providers created for it, newest first.
    Index("ix_customers_associated_created", "associated_partner_id", "created_at", "id"),
)

users = Table(
    "users",
    metadata,
    Column("id", GUID, primary_key=True),
    Column("customer_id", GUID, ForeignKey("customers.id"), nullable=False, index=True),
    Column("user_name", String(64), nullable=False),
    Column("user_principal_name", String(128), nullable=False),
    Column("user_principal_name_key", String(128), nullable=False, unique=True),
    Column("password_hash", String(255), nullable=False),
    Column("must_change_password", Boolean, nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    # Users added through `POST /v1/customers/{id}/users` (the admin has none of these).
    Column("display_name", String(256), nullable=True),
    Column("first_name", String(64), nullable=True),
    Column("last_name", String(64), nullable=True),
    Column("usage_location", String(2), nullable=True),
)

relationships = Table(
    "relationships",
    metadata,
    Column("id", GUID, primary_key=True),
    Column("customer_id", GUID, ForeignKey("customers.id"), nullable=False, index=True),
    Column("partner_id", GUID, ForeignKey("partners.tenant_id"), nullable=False),
    Column("relationship_type", String(32), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
)

gdap_relationships = Table(
    "gdap_relationships",
    metadata,
    Column("id", GUID, primary_key=True),
    Column("customer_id", GUID, ForeignKey("customers.id"), nullable=False, index=True),
    Column("partner_id", GUID, ForeignKey("partners.tenant_id"), nullable=False),
    Column("display_name", String(64), nullable=False),
    Column("roles", JSON, nullable=False),
    Column("duration_days", Integer, nullable=False),
    Column("status", String(32), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("ends_at", UtcDateTime(), nullable=False),
)

idempotency_records = Table(
    "idempotency_records",
    metadata,
    Column("scope_hash", String(64), primary_key=True),
    Column("body_hash", String(64), primary_key=True),
    Column("status", Integer, nullable=False),
    Column("headers", JSON, nullable=False),
    Column("body_sealed", LargeBinary, nullable=False),
    Column("request_hash", String(64), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("expires_at", UtcDateTime(), nullable=False, index=True),
)


throttle_windows = Table(
    "throttle_windows",
    metadata,
    Column("partner_id", GUID, primary_key=True),
    Column("resource", String(32), primary_key=True),
    Column("window_start", BigInteger, primary_key=True),
    Column("hits", Integer, nullable=False),
)

# The authorization-code flow: codes and refresh tokens are stored as SHA-256 digests only.
authorization_codes = Table(
    "authorization_codes",
    metadata,
    Column("code_hash", String(64), primary_key=True),
    # The refresh tokens redeemed from this code; revoked if the code is presented again.
    Column("family_id", GUID, nullable=False),
    Column("client_id", GUID, nullable=False),
    Column("partner_id", GUID, nullable=False),
    Column("user_id", GUID, nullable=False),
    Column("redirect_uri", String(2048), nullable=False),
    Column("code_challenge", String(128), nullable=False),
    Column("audience", String(255), nullable=False),
    Column("scope", String(1024), nullable=False),
    Column("nonce", String(255), nullable=True),
    Column("mfa", Boolean, nullable=False),
    Column("expires_at", UtcDateTime(), nullable=False, index=True),
    Column("redeemed_at", UtcDateTime(), nullable=True),
)

refresh_tokens = Table(
    "refresh_tokens",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    # Every token handed out by rotation from one sign-in shares the family id.
    Column("family_id", GUID, nullable=False, index=True),
    Column("client_id", GUID, nullable=False),
    Column("partner_id", GUID, nullable=False),
    Column("user_id", GUID, nullable=False),
    Column("audience", String(255), nullable=False),
    Column("scope", String(1024), nullable=False),
    Column("mfa", Boolean, nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("expires_at", UtcDateTime(), nullable=False, index=True),
    Column("used_at", UtcDateTime(), nullable=True),
)

# What a customer bought through the portal's "Add customer" wizard (offers of the catalog).
subscriptions = Table(
    "subscriptions",
    metadata,
    Column("id", GUID, primary_key=True),
    Column("customer_id", GUID, ForeignKey("customers.id"), nullable=False, index=True),
    Column("offer_id", String(64), nullable=False),
    Column("friendly_name", String(255), nullable=False),
    Column("quantity", Integer, nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    # "active" or "suspended"; the order that created it (none for subscriptions made
    # before orders were kept).
    Column("status", String(16), nullable=False, server_default="active"),
    Column("order_id", String(64), nullable=True),
    Column("partner_id_on_record", String(16), nullable=True),
)

# The customer's confirmations of an agreement (Microsoft Customer Agreement, ...).
agreements = Table(
    "agreements",
    metadata,
    Column("id", GUID, primary_key=True),
    Column("customer_id", GUID, ForeignKey("customers.id"), nullable=False, index=True),
    Column("template_id", GUID, nullable=False),
    Column("agreement_type", String(64), nullable=False),
    Column("date_agreed", UtcDateTime(), nullable=False),
    Column("first_name", String(64), nullable=False),
    Column("last_name", String(64), nullable=False),
    Column("email", String(254), nullable=False),
    Column("phone_number", String(32), nullable=True),
    # Who confirmed it: the partner user's name, or the application's client id.
    Column("confirmed_by", String(255), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
)

orders = Table(
    "orders",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("customer_id", GUID, ForeignKey("customers.id"), nullable=False, index=True),
    Column("billing_cycle", String(16), nullable=False),
    Column("currency_code", String(3), nullable=False),
    Column("status", String(16), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
)

order_line_items = Table(
    "order_line_items",
    metadata,
    Column("order_id", String(64), ForeignKey("orders.id"), primary_key=True),
    Column("line_item_number", Integer, primary_key=True),
    Column("offer_id", String(64), nullable=False),
    Column("subscription_id", GUID, nullable=False),
    Column("friendly_name", String(255), nullable=False),
    Column("quantity", Integer, nullable=False),
    Column("partner_id_on_record", String(16), nullable=True),
)

# Every state change, with who made it and the request that made it.
audit_events = Table(
    "audit_events",
    metadata,
    Column("id", GUID, primary_key=True),
    Column("occurred_at", UtcDateTime(), nullable=False, index=True),
    Column("action", String(64), nullable=False),
    Column("actor_type", String(16), nullable=False),  # app | user | operator | sandbox
    Column("actor_id", String(255), nullable=False),
    Column("partner_id", GUID, nullable=True, index=True),
    Column("target_type", String(32), nullable=False),
    Column("target_id", String(255), nullable=False),
    Column("request_id", String(64), nullable=True),
    Column("correlation_id", String(64), nullable=True),
    Column("details", JSON, nullable=False),
)
