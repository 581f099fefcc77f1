"""Everything a running Tenantry holds: engine, keys, services. Shared by server and CLI."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from sqlalchemy.engine import make_url
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.pool import Pool

from tenantry.auth.administration import EverySignIn, PartnerAdministration
from tenantry.auth.development import DEV_TENANT_ID, ensure_development_partner
from tenantry.auth.enrolment import ClientIdTaken, Enrolment, UserNameTaken
from tenantry.auth.grants import GrantService
from tenantry.auth.issuers import ExternalVerifier, IssuerConfigError, load_trusted_issuers
from tenantry.auth.operator_tokens import OperatorTokens
from tenantry.auth.portal_sessions import PortalSessions
from tenantry.auth.second_factor import SecondFactor
from tenantry.auth.sign_in import SignInService
from tenantry.auth.signing_keys import SigningKeyStore
from tenantry.auth.token_requests import TokenRequests
from tenantry.auth.tokens import TokenService
from tenantry.config import Settings
from tenantry.domain.agreements import AgreementService
from tenantry.domain.audit_trail import AuditTrail
from tenantry.domain.clock import SystemClock
from tenantry.domain.continuation import ContinuationCodec
from tenantry.domain.customer_listing import CustomerListing
from tenantry.domain.customer_users import CustomerUserService
from tenantry.domain.customers import CreatePolicy, CustomerService
from tenantry.domain.directory import DirectoryService
from tenantry.domain.lifecycle import LifecycleService
from tenantry.domain.models import Partner
from tenantry.domain.orders import OrderService
from tenantry.domain.profiles import ProfileService
from tenantry.domain.sandbox import SandboxLimits, Visibility
from tenantry.domain.subscriptions import SubscriptionService
from tenantry.domain.throttling import CUSTOMER, WINDOW_SECONDS, Throttle
from tenantry.sandbox.state import SandboxState
from tenantry.security.hashing import GeneratedSecretHasher
from tenantry.security.keys import MasterKey, MasterKeyError, master_key
from tenantry.security.sealing import Sealer, SealError
from tenantry.security.tamper import TamperProof
from tenantry.storage import migrate
from tenantry.storage.availability import (
    DatabaseUnreachable,
    is_unavailable,
    readiness_problem,
    wait_until_reachable,
)
from tenantry.storage.code_step_repository import SqlCodeSteps
from tenantry.storage.db import create_engine, inline_sqlite_path, is_sqlite
from tenantry.storage.deployment import holds_partner
from tenantry.storage.grant_repository import SqlGrantStore
from tenantry.storage.migrate import SchemaRefused, SchemaStatus, Verdict
from tenantry.storage.portal_session_repository import SqlPortalSessionStore
from tenantry.storage.sandbox_store import SqlSandboxStore
from tenantry.storage.throttle_repository import SqlHitCounter
from tenantry.storage.unit_of_work import SqlUnitOfWorkFactory
from tenantry.storage.urls import UrlRefused
from tenantry.storage.wal_checkpoints import WalCheckpointer, checkpointing

_PARTNER_TTL = 30.0
# How long `/readyz` waits for the database before it says "not ready".
READINESS_TIMEOUT_SECONDS = 2.0
log = logging.getLogger("tenantry")


class ConfigurationError(RuntimeError):
    """Tenantry refuses to start with these settings; the message says why."""


def database_unavailable(exc: BaseException) -> bool:
    """Whether a failure means the database cannot be reached now (answered 503 with
    Retry-After, and over when the database is back), not a fault of the request."""
    return is_unavailable(exc)


def _engine(settings: Settings, *, background_checkpoints: bool = False) -> AsyncEngine:
    try:
        return create_engine(
            settings.resolved_database_url(),
            lock_wait_seconds=settings.lock_wait_seconds,
            background_checkpoints=background_checkpoints,
        )
    except UrlRefused as exc:
        raise ConfigurationError(str(exc)) from exc


@dataclass
class Runtime:
    settings: Settings
    engine: AsyncEngine
    uow: SqlUnitOfWorkFactory
    tokens: TokenService
    customers: CustomerService
    listing: CustomerListing
    profiles: ProfileService
    lifecycle: LifecycleService
    directory: DirectoryService
    continuation: ContinuationCodec
    policy: CreatePolicy
    signing_sealer: Sealer
    responses_sealer: Sealer
    throttle: Throttle
    hit_counter: SqlHitCounter
    limits: SandboxLimits
    idempotency_secret: bytes
    hasher: GeneratedSecretHasher
    clock: SystemClock
    grants: GrantService
    second_factor: SecondFactor
    sign_in: SignInService
    sign_in_flow: TamperProof
    subscriptions: SubscriptionService
    agreements: AgreementService
    orders: OrderService
    customer_users: CustomerUserService
    portal_session: TamperProof
    portal_sessions: PortalSessions
    portal_sealer: Sealer
    signing_keys: SigningKeyStore
    token_requests: TokenRequests
    administration: PartnerAdministration
    operator_tokens: OperatorTokens
    audit_trail: AuditTrail
    sandbox_state: SandboxState
    checkpointer: WalCheckpointer | None = None
    _partners: dict[str, tuple[float, Partner]] = field(default_factory=dict)

    def forget_partners(self) -> None:
        """After a wholesale change (reset, import, seed) the cache must not answer for
        partners that are gone or changed."""
        self._partners.clear()

    async def partner(self, tenant_id: str) -> Partner | None:
        """The partner for a token's tenant, cached briefly: every request needs it."""
        hit = self._partners.get(tenant_id)
        if hit is not None and hit[0] > time.monotonic():
            return hit[1]
        async with self.uow() as work:
            partner = await work.partners.get(tenant_id)
        if partner is not None:
            self._partners[tenant_id] = (time.monotonic() + _PARTNER_TTL, partner)
        return partner

    @property
    def database_pool(self) -> Pool:
        """The connection pool, for the metrics that watch it."""
        return self.engine.pool

    async def readiness_problem(self) -> str | None:
        """None when this process can serve (`/readyz`), else one line saying why not."""
        return await readiness_problem(self.engine, READINESS_TIMEOUT_SECONDS)

    async def purge_expired(self) -> int:
        async with self.uow() as work:
            count = await work.idempotency.purge(self.clock.now())
            await work.commit()
        await self.hit_counter.purge(int(self.clock.now().timestamp()) - 2 * WINDOW_SECONDS)
        await self.grants.purge()
        await self.portal_sessions.purge()
        return count

    async def close(self) -> None:
        await self.uow.close()
        await self.engine.dispose()
        if self.checkpointer is not None:
            await asyncio.to_thread(self.checkpointer.stop)


def master_key_for(settings: Settings, *, create: bool = True) -> MasterKey:
    """The master key; only a server (`create`) makes a sandbox's `master.key`."""
    try:
        return master_key(
            settings.master_key, settings.data_dir, sandbox=settings.sandbox, create=create
        )
    except MasterKeyError as exc:
        raise ConfigurationError(str(exc)) from exc


async def holds_development_partner(settings: Settings) -> bool:
    """Whether a sandbox server has used this database (read without a master key)."""
    async with _database_only(settings) as engine:
        return await holds_partner(engine, DEV_TENANT_ID)


async def _refuse_development_partner(engine: AsyncEngine) -> None:
    """Production must not accept the sandbox's public credentials from an old database."""
    if await holds_partner(engine, DEV_TENANT_ID):
        await engine.dispose()
        raise ConfigurationError(
            "this database holds the sandbox development partner, whose credentials are "
            "public; production mode refuses it. Use a fresh database for production."
        )


_NOT_MIGRATING = "--no-migrate: refusing to start: "


async def _schema_for_start(engine: AsyncEngine, *, migrating: bool) -> None:
    """Migrate to this release's schema, or (`--no-migrate`) only check that it is there."""
    try:
        if migrating:
            await migrate.upgrade_to_head(engine)
        else:
            await migrate.require_runnable(engine)
    except SchemaRefused as exc:
        raise ConfigurationError(("" if migrating else _NOT_MIGRATING) + str(exc)) from exc


def _missing_sqlite_file(settings: Settings) -> Path | None:
    """The SQLite file the settings name, when it does not exist (opening would make it)."""
    url = make_url(settings.resolved_database_url())
    if not is_sqlite(url) or url.database in (None, "", ":memory:"):
        return None
    path = Path(str(url.database))
    return None if path.exists() else path


@contextlib.asynccontextmanager
async def _database_only(settings: Settings) -> AsyncIterator[AsyncEngine]:
    """The database alone: no master key, no signing keys, no development partner."""
    engine = _engine(settings)
    try:
        yield engine
    except SchemaRefused as exc:
        raise ConfigurationError(str(exc)) from exc
    finally:
        await engine.dispose()


async def schema_status(settings: Settings) -> SchemaStatus:
    """Whether the database is current for this release (`tenantry db check`). Reads only:
    it never migrates, makes keys or creates a SQLite file."""
    missing = _missing_sqlite_file(settings)
    if missing is not None:
        why = f"there is no database at {missing}: `tenantry db upgrade` creates it"
        return SchemaStatus(Verdict.EMPTY, None, why, runnable=False)
    async with _database_only(settings) as engine:
        return await migrate.schema_status(engine)


async def refuse_unless_current(settings: Settings) -> None:
    """`--no-migrate`, checked before the server starts: `ConfigurationError` unless this
    release may run on the database as it is (current, or newer and compatible)."""
    found = await schema_status(settings)
    if not found.runnable:
        raise ConfigurationError(_NOT_MIGRATING + found.reason)


async def upgrade_schema(settings: Settings) -> tuple[str | None, str]:
    """Migrate to this release's schema (`tenantry db upgrade`): revisions before, after."""
    if settings.database_url is None:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
    async with _database_only(settings) as engine:
        return await migrate.upgrade_to_head(engine)


async def downgrade_schema(settings: Settings, revision: str) -> tuple[str, str]:
    """Step the schema back for an older release (`tenantry db downgrade`)."""
    if _missing_sqlite_file(settings) is not None:
        raise ConfigurationError("there is no database to downgrade")
    async with _database_only(settings) as engine:
        return await migrate.downgrade_to(engine, revision)


async def open_runtime(
    settings: Settings, *, bootstrap: bool = True, on_waiting: Callable[[], None] | None = None
) -> Runtime:
    """Connect (waiting up to `settings.db_wait_seconds` for an unreachable database, and
    calling `on_waiting` when that wait begins), migrate, load keys and, for a sandbox
    server (`bootstrap`), create the development partner. Command-line tools pass
    `bootstrap=False`: run against a production database by mistake, they must never add
    the public credentials to it; nor do they create anything else (no master key, schema
    or signing key: a database that is not current is refused)."""
    master = master_key_for(settings, create=bootstrap)
    url = settings.resolved_database_url()
    if bootstrap and is_sqlite(url) and settings.database_url is None:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
    checkpointed = inline_sqlite_path(url) if bootstrap else None
    engine = _engine(settings, background_checkpoints=checkpointed is not None)
    responses_sealer = Sealer(master.derive("tenantry/stored-responses"))
    uow = SqlUnitOfWorkFactory(engine, responses_sealer)
    clock = SystemClock()
    try:
        await wait_until_reachable(engine, settings.db_wait_seconds, on_waiting)
        await _schema_for_start(engine, migrating=bootstrap and not settings.no_migrate)
        signing_sealer = Sealer(master.derive("tenantry/signing-keys"))
        keys = SigningKeyStore(uow, signing_sealer, clock)
        await (keys.load_or_create() if bootstrap else keys.reload())
    except DatabaseUnreachable as exc:
        await engine.dispose()
        raise ConfigurationError(str(exc)) from exc
    except SealError as exc:
        await engine.dispose()
        raise ConfigurationError(
            "the signing keys stored in this database do not open with this master key: "
            "use the master key the database was created with"
        ) from exc
    except BaseException:
        await engine.dispose()
        raise
    hasher = GeneratedSecretHasher()
    second_factor = SecondFactor(
        Sealer(master.derive("tenantry/totp-secrets")), sandbox=settings.sandbox
    )
    enrolment = Enrolment(hasher, second_factor)
    if not settings.sandbox:
        await _refuse_development_partner(engine)
    if settings.sandbox and bootstrap:
        # Another node created it just now (or an imported state holds its app or user).
        with contextlib.suppress(IntegrityError, ClientIdTaken, UserNameTaken):
            await ensure_development_partner(uow, enrolment)
    limits = SandboxLimits(
        customer_cap=settings.customer_cap if settings.sandbox else 0,
        provisioning_delay_seconds=settings.provisioning_delay_seconds if settings.sandbox else 0,
    )
    visibility = Visibility(clock, limits)
    hit_counter = SqlHitCounter(engine)
    external = None
    if settings.trusted_issuers_file is not None:
        try:
            external = ExternalVerifier(load_trusted_issuers(settings.trusted_issuers_file))
        except IssuerConfigError as exc:
            await engine.dispose()
            raise ConfigurationError(str(exc)) from exc
    policy = CreatePolicy(
        sandbox=settings.sandbox,
        retention=timedelta(seconds=settings.idempotency_retention_seconds),
        strict_idempotency=settings.strict_idempotency,
    )
    idempotency_secret = master.derive("tenantry/idempotency-keys")
    grants = GrantService(
        SqlGrantStore(engine), clock, timedelta(seconds=settings.refresh_token_lifetime_seconds)
    )
    tokens = TokenService(keys, settings.token_lifetime_seconds, external)
    portal_sessions = PortalSessions(SqlPortalSessionStore(engine), uow, clock)
    return Runtime(
        settings=settings,
        engine=engine,
        checkpointer=checkpointing(checkpointed),
        uow=uow,
        tokens=tokens,
        customers=CustomerService(uow, clock, hasher, policy, limits),
        listing=CustomerListing(uow, clock, limits),
        profiles=ProfileService(uow, sandbox=settings.sandbox, visibility=visibility, clock=clock),
        lifecycle=LifecycleService(
            uow, sandbox=settings.sandbox, visibility=visibility, clock=clock
        ),
        directory=DirectoryService(uow, visibility),
        limits=limits,
        throttle=Throttle(hit_counter, {CUSTOMER: settings.customer_rate_limit}),
        hit_counter=hit_counter,
        continuation=ContinuationCodec(TamperProof(master.derive("tenantry/continuation"))),
        policy=policy,
        signing_sealer=signing_sealer,
        responses_sealer=responses_sealer,
        idempotency_secret=idempotency_secret,
        hasher=hasher,
        clock=clock,
        grants=grants,
        second_factor=second_factor,
        sign_in=SignInService(uow, hit_counter, second_factor, clock, SqlCodeSteps(engine)),
        # Sign-in forms carry the whole authorization request, redirect URI and state included.
        sign_in_flow=TamperProof(master.derive("tenantry/sign-in-flow"), max_length=16384),
        subscriptions=SubscriptionService(uow, clock, visibility),
        agreements=AgreementService(uow, clock, visibility),
        orders=OrderService(uow, clock, policy, visibility),
        customer_users=CustomerUserService(uow, clock, hasher, visibility),
        # The portal's session cookie, and its wizard drafts (sealed: they hold contact data).
        portal_session=TamperProof(master.derive("tenantry/portal-session")),
        portal_sessions=portal_sessions,
        portal_sealer=Sealer(master.derive("tenantry/portal-wizard")),
        signing_keys=keys,
        token_requests=TokenRequests(uow, hasher, clock),
        administration=PartnerAdministration(
            uow, clock, enrolment, EverySignIn(grants, portal_sessions), sandbox=settings.sandbox
        ),
        operator_tokens=OperatorTokens(uow, tokens),
        audit_trail=AuditTrail(uow),
        sandbox_state=SandboxState(
            SqlSandboxStore(engine, signing_sealer, responses_sealer),
            enrolment,
            keys,
            clock,
            hasher,
            policy,
            limits,
            idempotency_secret,
        ),
    )
