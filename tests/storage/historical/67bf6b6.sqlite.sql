-- The schema a sqlite database has after starting release(s) 67bf6b6.
-- Written by tests/storage/historical/capture.py; do not edit.
CREATE TABLE partners (
	tenant_id VARCHAR(36) NOT NULL, 
	name VARCHAR(255) NOT NULL, 
	partner_type VARCHAR(32) NOT NULL, 
	country VARCHAR(2) NOT NULL, 
	created_at DATETIME NOT NULL, 
	PRIMARY KEY (tenant_id)
);

CREATE TABLE signing_keys (
	kid VARCHAR(64) NOT NULL, 
	private_key_sealed BLOB NOT NULL, 
	public_key_pem TEXT NOT NULL, 
	created_at DATETIME NOT NULL, 
	PRIMARY KEY (kid)
);

CREATE TABLE idempotency_records (
	scope_hash VARCHAR(64) NOT NULL, 
	body_hash VARCHAR(64) NOT NULL, 
	status INTEGER NOT NULL, 
	headers JSON NOT NULL, 
	body_sealed BLOB NOT NULL, 
	request_hash VARCHAR(64) NOT NULL, 
	created_at DATETIME NOT NULL, 
	expires_at DATETIME NOT NULL, 
	PRIMARY KEY (scope_hash, body_hash)
);

CREATE INDEX ix_idempotency_records_expires_at ON idempotency_records (expires_at);

CREATE TABLE throttle_windows (
	partner_id VARCHAR(36) NOT NULL, 
	resource VARCHAR(32) NOT NULL, 
	window_start BIGINT NOT NULL, 
	hits INTEGER NOT NULL, 
	PRIMARY KEY (partner_id, resource, window_start)
);

CREATE TABLE authorization_codes (
	code_hash VARCHAR(64) NOT NULL, 
	family_id VARCHAR(36) NOT NULL, 
	client_id VARCHAR(36) NOT NULL, 
	partner_id VARCHAR(36) NOT NULL, 
	user_id VARCHAR(36) NOT NULL, 
	redirect_uri VARCHAR(2048) NOT NULL, 
	code_challenge VARCHAR(128) NOT NULL, 
	audience VARCHAR(255) NOT NULL, 
	scope VARCHAR(1024) NOT NULL, 
	nonce VARCHAR(255), 
	mfa BOOLEAN NOT NULL, 
	expires_at DATETIME NOT NULL, 
	redeemed_at DATETIME, 
	PRIMARY KEY (code_hash)
);

CREATE INDEX ix_authorization_codes_expires_at ON authorization_codes (expires_at);

CREATE TABLE refresh_tokens (
	token_hash VARCHAR(64) NOT NULL, 
	family_id VARCHAR(36) NOT NULL, 
	client_id VARCHAR(36) NOT NULL, 
	partner_id VARCHAR(36) NOT NULL, 
	user_id VARCHAR(36) NOT NULL, 
	audience VARCHAR(255) NOT NULL, 
	scope VARCHAR(1024) NOT NULL, 
	mfa BOOLEAN NOT NULL, 
	created_at DATETIME NOT NULL, 
	expires_at DATETIME NOT NULL, 
	used_at DATETIME, 
	PRIMARY KEY (token_hash)
);

CREATE INDEX ix_refresh_tokens_expires_at ON refresh_tokens (expires_at);

CREATE INDEX ix_refresh_tokens_family_id ON refresh_tokens (family_id);

CREATE TABLE audit_events (
	id VARCHAR(36) NOT NULL, 
	occurred_at DATETIME NOT NULL, 
	action VARCHAR(64) NOT NULL, 
	actor_type VARCHAR(16) NOT NULL, 
	actor_id VARCHAR(255) NOT NULL, 
	partner_id VARCHAR(36), 
	target_type VARCHAR(32) NOT NULL, 
	target_id VARCHAR(255) NOT NULL, 
	request_id VARCHAR(64), 
	correlation_id VARCHAR(64), 
	details JSON NOT NULL, 
	PRIMARY KEY (id)
);

CREATE INDEX ix_audit_events_partner_id ON audit_events (partner_id);

CREATE INDEX ix_audit_events_occurred_at ON audit_events (occurred_at);

CREATE TABLE apps (
	client_id VARCHAR(36) NOT NULL, 
	partner_id VARCHAR(36) NOT NULL, 
	display_name VARCHAR(255) NOT NULL, 
	secret_hash VARCHAR(255) NOT NULL, 
	created_at DATETIME NOT NULL, 
	redirect_uris JSON DEFAULT '[]' NOT NULL, 
	previous_secret_hash VARCHAR(255), 
	previous_secret_expires_at DATETIME, 
	PRIMARY KEY (client_id), 
	FOREIGN KEY(partner_id) REFERENCES partners (tenant_id)
);

CREATE INDEX ix_apps_partner_id ON apps (partner_id);

CREATE TABLE partner_users (
	id VARCHAR(36) NOT NULL, 
	partner_id VARCHAR(36) NOT NULL, 
	user_principal_name VARCHAR(128) NOT NULL, 
	user_principal_name_key VARCHAR(128) NOT NULL, 
	display_name VARCHAR(255) NOT NULL, 
	password_hash VARCHAR(255) NOT NULL, 
	roles JSON NOT NULL, 
	created_at DATETIME NOT NULL, 
	mfa VARCHAR(16) DEFAULT 'sandbox' NOT NULL, 
	totp_secret_sealed BLOB, 
	PRIMARY KEY (id), 
	FOREIGN KEY(partner_id) REFERENCES partners (tenant_id), 
	UNIQUE (user_principal_name_key)
);

CREATE INDEX ix_partner_users_partner_id ON partner_users (partner_id);

CREATE TABLE partnerships (
	provider_id VARCHAR(36) NOT NULL, 
	reseller_id VARCHAR(36) NOT NULL, 
	state VARCHAR(16) NOT NULL, 
	created_at DATETIME NOT NULL, 
	PRIMARY KEY (provider_id, reseller_id), 
	FOREIGN KEY(provider_id) REFERENCES partners (tenant_id), 
	FOREIGN KEY(reseller_id) REFERENCES partners (tenant_id)
);

CREATE INDEX ix_partnerships_reseller_id ON partnerships (reseller_id);

CREATE TABLE customers (
	id VARCHAR(36) NOT NULL, 
	commerce_id VARCHAR(36) NOT NULL, 
	partner_id VARCHAR(36) NOT NULL, 
	associated_partner_id VARCHAR(36), 
	domain VARCHAR(64) NOT NULL, 
	domain_key VARCHAR(64) NOT NULL, 
	company_name VARCHAR(255) NOT NULL, 
	company_name_key VARCHAR(1024) NOT NULL, 
	organization_registration_number VARCHAR(64), 
	billing_id VARCHAR(36) NOT NULL, 
	billing_first_name VARCHAR(50), 
	billing_last_name VARCHAR(50), 
	email VARCHAR(254) NOT NULL, 
	culture VARCHAR(20) NOT NULL, 
	language VARCHAR(10) NOT NULL, 
	address JSON NOT NULL, 
	etag BIGINT NOT NULL, 
	relationship_to_partner VARCHAR(32) NOT NULL, 
	allow_delegated_access BOOLEAN NOT NULL, 
	enable_gdap_by_default BOOLEAN NOT NULL, 
	created_at DATETIME NOT NULL, 
	PRIMARY KEY (id), 
	FOREIGN KEY(partner_id) REFERENCES partners (tenant_id), 
	UNIQUE (domain_key)
);

CREATE INDEX ix_customers_partner_company ON customers (partner_id, company_name_key);

CREATE INDEX ix_customers_associated_created ON customers (associated_partner_id, created_at, id);

CREATE INDEX ix_customers_partner_created ON customers (partner_id, created_at, id);

CREATE INDEX ix_customers_partner_domain ON customers (partner_id, domain_key);

CREATE TABLE users (
	id VARCHAR(36) NOT NULL, 
	customer_id VARCHAR(36) NOT NULL, 
	user_name VARCHAR(64) NOT NULL, 
	user_principal_name VARCHAR(128) NOT NULL, 
	user_principal_name_key VARCHAR(128) NOT NULL, 
	password_hash VARCHAR(255) NOT NULL, 
	must_change_password BOOLEAN NOT NULL, 
	created_at DATETIME NOT NULL, 
	PRIMARY KEY (id), 
	FOREIGN KEY(customer_id) REFERENCES customers (id), 
	UNIQUE (user_principal_name_key)
);

CREATE INDEX ix_users_customer_id ON users (customer_id);

CREATE TABLE relationships (
	id VARCHAR(36) NOT NULL, 
	customer_id VARCHAR(36) NOT NULL, 
	partner_id VARCHAR(36) NOT NULL, 
	relationship_type VARCHAR(32) NOT NULL, 
	created_at DATETIME NOT NULL, 
	PRIMARY KEY (id), 
	FOREIGN KEY(customer_id) REFERENCES customers (id), 
	FOREIGN KEY(partner_id) REFERENCES partners (tenant_id)
);

CREATE INDEX ix_relationships_customer_id ON relationships (customer_id);

CREATE TABLE gdap_relationships (
	id VARCHAR(36) NOT NULL, 
	customer_id VARCHAR(36) NOT NULL, 
	partner_id VARCHAR(36) NOT NULL, 
	display_name VARCHAR(64) NOT NULL, 
	roles JSON NOT NULL, 
	duration_days INTEGER NOT NULL, 
	status VARCHAR(32) NOT NULL, 
	created_at DATETIME NOT NULL, 
	ends_at DATETIME NOT NULL, 
	PRIMARY KEY (id), 
	FOREIGN KEY(customer_id) REFERENCES customers (id), 
	FOREIGN KEY(partner_id) REFERENCES partners (tenant_id)
);

CREATE INDEX ix_gdap_relationships_customer_id ON gdap_relationships (customer_id);

CREATE TABLE subscriptions (
	id VARCHAR(36) NOT NULL, 
	customer_id VARCHAR(36) NOT NULL, 
	offer_id VARCHAR(64) NOT NULL, 
	friendly_name VARCHAR(255) NOT NULL, 
	quantity INTEGER NOT NULL, 
	created_at DATETIME NOT NULL, 
	PRIMARY KEY (id), 
	FOREIGN KEY(customer_id) REFERENCES customers (id)
);

CREATE INDEX ix_subscriptions_customer_id ON subscriptions (customer_id);

CREATE TABLE alembic_version (
	version_num VARCHAR(32) NOT NULL, 
	CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num)
);

INSERT INTO alembic_version VALUES ('0003');

