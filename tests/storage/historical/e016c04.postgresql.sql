-- The schema a postgresql database has after starting release(s) e016c04.
-- Written by tests/storage/historical/capture.py; do not edit.
CREATE TABLE public.alembic_version (
    version_num character varying(32) NOT NULL
);

CREATE TABLE public.apps (
    client_id character varying(36) NOT NULL,
    partner_id character varying(36) NOT NULL,
    display_name character varying(255) NOT NULL,
    secret_hash character varying(255) NOT NULL,
    created_at timestamp with time zone NOT NULL
);

CREATE TABLE public.customers (
    id character varying(36) NOT NULL,
    commerce_id character varying(36) NOT NULL,
    partner_id character varying(36) NOT NULL,
    associated_partner_id character varying(36),
    domain character varying(64) NOT NULL,
    domain_key character varying(64) NOT NULL COLLATE pg_catalog."C",
    company_name character varying(255) NOT NULL,
    company_name_key character varying(1024) NOT NULL COLLATE pg_catalog."C",
    organization_registration_number character varying(64),
    billing_id character varying(36) NOT NULL,
    billing_first_name character varying(50),
    billing_last_name character varying(50),
    email character varying(254) NOT NULL,
    culture character varying(20) NOT NULL,
    language character varying(10) NOT NULL,
    address json NOT NULL,
    etag bigint NOT NULL,
    relationship_to_partner character varying(32) NOT NULL,
    allow_delegated_access boolean NOT NULL,
    enable_gdap_by_default boolean NOT NULL,
    created_at timestamp with time zone NOT NULL
);

CREATE TABLE public.gdap_relationships (
    id character varying(36) NOT NULL,
    customer_id character varying(36) NOT NULL,
    partner_id character varying(36) NOT NULL,
    display_name character varying(64) NOT NULL,
    roles json NOT NULL,
    duration_days integer NOT NULL,
    status character varying(32) NOT NULL,
    created_at timestamp with time zone NOT NULL,
    ends_at timestamp with time zone NOT NULL
);

CREATE TABLE public.idempotency_records (
    scope_hash character varying(64) NOT NULL,
    body_hash character varying(64) NOT NULL,
    status integer NOT NULL,
    headers json NOT NULL,
    body_sealed bytea NOT NULL,
    request_hash character varying(64) NOT NULL,
    created_at timestamp with time zone NOT NULL,
    expires_at timestamp with time zone NOT NULL
);

CREATE TABLE public.partner_users (
    id character varying(36) NOT NULL,
    partner_id character varying(36) NOT NULL,
    user_principal_name character varying(128) NOT NULL,
    user_principal_name_key character varying(128) NOT NULL,
    display_name character varying(255) NOT NULL,
    password_hash character varying(255) NOT NULL,
    roles json NOT NULL,
    created_at timestamp with time zone NOT NULL
);

CREATE TABLE public.partners (
    tenant_id character varying(36) NOT NULL,
    name character varying(255) NOT NULL,
    partner_type character varying(32) NOT NULL,
    country character varying(2) NOT NULL,
    created_at timestamp with time zone NOT NULL
);

CREATE TABLE public.partnerships (
    provider_id character varying(36) NOT NULL,
    reseller_id character varying(36) NOT NULL,
    state character varying(16) NOT NULL,
    created_at timestamp with time zone NOT NULL
);

CREATE TABLE public.relationships (
    id character varying(36) NOT NULL,
    customer_id character varying(36) NOT NULL,
    partner_id character varying(36) NOT NULL,
    relationship_type character varying(32) NOT NULL,
    created_at timestamp with time zone NOT NULL
);

CREATE TABLE public.signing_keys (
    kid character varying(64) NOT NULL,
    private_key_sealed bytea NOT NULL,
    public_key_pem text NOT NULL,
    created_at timestamp with time zone NOT NULL
);

CREATE TABLE public.users (
    id character varying(36) NOT NULL,
    customer_id character varying(36) NOT NULL,
    user_name character varying(64) NOT NULL,
    user_principal_name character varying(128) NOT NULL,
    user_principal_name_key character varying(128) NOT NULL,
    password_hash character varying(255) NOT NULL,
    must_change_password boolean NOT NULL,
    created_at timestamp with time zone NOT NULL
);

ALTER TABLE ONLY public.alembic_version
    ADD CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num);

ALTER TABLE ONLY public.apps
    ADD CONSTRAINT apps_pkey PRIMARY KEY (client_id);

ALTER TABLE ONLY public.customers
    ADD CONSTRAINT customers_domain_key_key UNIQUE (domain_key);

ALTER TABLE ONLY public.customers
    ADD CONSTRAINT customers_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.gdap_relationships
    ADD CONSTRAINT gdap_relationships_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.idempotency_records
    ADD CONSTRAINT idempotency_records_pkey PRIMARY KEY (scope_hash, body_hash);

ALTER TABLE ONLY public.partner_users
    ADD CONSTRAINT partner_users_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.partner_users
    ADD CONSTRAINT partner_users_user_principal_name_key_key UNIQUE (user_principal_name_key);

ALTER TABLE ONLY public.partners
    ADD CONSTRAINT partners_pkey PRIMARY KEY (tenant_id);

ALTER TABLE ONLY public.partnerships
    ADD CONSTRAINT partnerships_pkey PRIMARY KEY (provider_id, reseller_id);

ALTER TABLE ONLY public.relationships
    ADD CONSTRAINT relationships_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.signing_keys
    ADD CONSTRAINT signing_keys_pkey PRIMARY KEY (kid);

ALTER TABLE ONLY public.users
    ADD CONSTRAINT users_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.users
    ADD CONSTRAINT users_user_principal_name_key_key UNIQUE (user_principal_name_key);

CREATE INDEX ix_apps_partner_id ON public.apps USING btree (partner_id);

CREATE INDEX ix_customers_associated_created ON public.customers USING btree (associated_partner_id, created_at, id);

CREATE INDEX ix_customers_partner_company ON public.customers USING btree (partner_id, company_name_key);

CREATE INDEX ix_customers_partner_created ON public.customers USING btree (partner_id, created_at, id);

CREATE INDEX ix_customers_partner_domain ON public.customers USING btree (partner_id, domain_key);

CREATE INDEX ix_gdap_relationships_customer_id ON public.gdap_relationships USING btree (customer_id);

CREATE INDEX ix_idempotency_records_expires_at ON public.idempotency_records USING btree (expires_at);

CREATE INDEX ix_partner_users_partner_id ON public.partner_users USING btree (partner_id);

CREATE INDEX ix_partnerships_reseller_id ON public.partnerships USING btree (reseller_id);

CREATE INDEX ix_relationships_customer_id ON public.relationships USING btree (customer_id);

CREATE INDEX ix_users_customer_id ON public.users USING btree (customer_id);

ALTER TABLE ONLY public.apps
    ADD CONSTRAINT apps_partner_id_fkey FOREIGN KEY (partner_id) REFERENCES public.partners(tenant_id);

ALTER TABLE ONLY public.customers
    ADD CONSTRAINT customers_partner_id_fkey FOREIGN KEY (partner_id) REFERENCES public.partners(tenant_id);

ALTER TABLE ONLY public.gdap_relationships
    ADD CONSTRAINT gdap_relationships_customer_id_fkey FOREIGN KEY (customer_id) REFERENCES public.customers(id);

ALTER TABLE ONLY public.gdap_relationships
    ADD CONSTRAINT gdap_relationships_partner_id_fkey FOREIGN KEY (partner_id) REFERENCES public.partners(tenant_id);

ALTER TABLE ONLY public.partner_users
    ADD CONSTRAINT partner_users_partner_id_fkey FOREIGN KEY (partner_id) REFERENCES public.partners(tenant_id);

ALTER TABLE ONLY public.partnerships
    ADD CONSTRAINT partnerships_provider_id_fkey FOREIGN KEY (provider_id) REFERENCES public.partners(tenant_id);

ALTER TABLE ONLY public.partnerships
    ADD CONSTRAINT partnerships_reseller_id_fkey FOREIGN KEY (reseller_id) REFERENCES public.partners(tenant_id);

ALTER TABLE ONLY public.relationships
    ADD CONSTRAINT relationships_customer_id_fkey FOREIGN KEY (customer_id) REFERENCES public.customers(id);

ALTER TABLE ONLY public.relationships
    ADD CONSTRAINT relationships_partner_id_fkey FOREIGN KEY (partner_id) REFERENCES public.partners(tenant_id);

ALTER TABLE ONLY public.users
    ADD CONSTRAINT users_customer_id_fkey FOREIGN KEY (customer_id) REFERENCES public.customers(id);

INSERT INTO public.alembic_version VALUES ('0001');

