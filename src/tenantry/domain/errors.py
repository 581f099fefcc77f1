"""Partner Center error codes and the typed errors that carry them.

Every code Tenantry can answer is listed here once, with its HTTP status and its English
description template. `docs/errors.md` mirrors this table and a test keeps the two equal.
Descriptions are gettext-style message ids: the API layer translates them per `X-Locale`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class ErrorSpec:
    """One Partner Center error: its code, its HTTP status and its description template."""

    code: int
    status: int
    message: str


class Errors:
    """The catalogue. Documented Partner Center codes first, then Tenantry's 880xxx range."""

    # --- documented by Partner Center -------------------------------------------------
    UNAUTHENTICATED = ErrorSpec(800001, 401, "Partner token is missing from the request context.")
    BAD_TOKEN = ErrorSpec(400, 401, "Access denied: {reason}")
    APP_ONLY_NOT_SUPPORTED = ErrorSpec(
        900329,
        403,
        "This resource does not support application-only authentication. "
        "Sign in as a partner user (App+User) to call it.",
    )
    ROLE_NOT_ALLOWED = ErrorSpec(
        900150,
        403,
        "The signed-in user's roles ({roles}) do not allow this operation. It needs one of: "
        "Global admin, User management admin, Admin agent, Sales agent.",
    )
    MARKET_NOT_ALLOWED = ErrorSpec(
        2030,
        403,
        "The partner is not onboarded to sell in the country/region '{country}'. "
        "Customers can be created only in the countries of the partner's market ({market}).",
    )
    NO_RELATIONSHIP = ErrorSpec(
        20002,
        403,
        "Partner {partner_id} has no commerce relationship with customer {customer_id}.",
    )
    CUSTOMER_NOT_FOUND = ErrorSpec(60003, 404, "Customer {customer_id} was not found.")
    ROUTE_NOT_FOUND = ErrorSpec(1000, 404, "The resource '{path}' was not found.")
    INVALID_CUSTOMER_ID = ErrorSpec(
        900118, 400, "The customer id '{customer_id}' is not valid: it must be a GUID."
    )
    REGISTRATION_NUMBER_MISSING = ErrorSpec(
        600049,
        400,
        "The organization registration number is required for customers in '{country}'.",
    )
    REGISTRATION_NUMBER_INVALID = ErrorSpec(
        600050,
        400,
        "The organization registration number is not valid for '{country}'. "
        "Expected format: {pattern}",
    )
    PHONE_NUMBER_MISSING = ErrorSpec(
        600051,
        400,
        "The customer phone number (billingProfile.defaultAddress.phoneNumber) is "
        "required for customers in '{country}'.",
    )
    PARTNER_NOT_FOUND = ErrorSpec(
        800015, 404, "The partner '{partner_id}' given as associatedPartnerId was not found."
    )
    NOT_AN_ACTIVE_RESELLER = ErrorSpec(
        800016,
        400,
        "The partner '{partner_id}' is not an indirect reseller with an active partnership "
        "with the calling indirect provider.",
    )
    SANDBOX_LIMIT_REACHED = ErrorSpec(
        800018,
        400,
        "The integration sandbox limit of {limit} customers has been reached. Delete customers "
        "or raise the limit through the sandbox control plane.",
    )
    ADDRESS_INVALID = ErrorSpec(2007, 400, "The address is not valid for '{country}': {details}")
    MALFORMED_REQUEST = ErrorSpec(800002, 400, "The request is not valid: {reason}")
    UNEXPECTED = ErrorSpec(
        800003,
        500,
        "An unexpected error occurred. Quote correlation id {correlation_id} when reporting it.",
    )

    # --- Tenantry's own codes, where the docs give none ----------------------------------
    DOMAIN_TAKEN = ErrorSpec(880001, 409, "The domain '{domain}' is already in use.")
    DOMAIN_INVALID = ErrorSpec(
        880002,
        400,
        "The domain '{domain}' is not valid: it must be a prefix of 1-27 ASCII letters "
        "and digits followed by '{suffix}'.",
    )
    CULTURE_UNSUPPORTED = ErrorSpec(
        880003,
        400,
        "The culture '{culture}' is not supported for '{country}'. Supported: {supported}.",
    )
    LANGUAGE_UNSUPPORTED = ErrorSpec(
        880004,
        400,
        "The language '{language}' is not supported for '{country}'. Supported: {supported}.",
    )
    EMAIL_INVALID = ErrorSpec(880005, 400, "The e-mail address is not valid: {reason}")
    COMPANY_NAME_INVALID = ErrorSpec(880006, 400, "The company name is not valid: {reason}")
    PASSWORD_NOT_ACCEPTED = ErrorSpec(
        880007,
        400,
        "userCredentials.password cannot be supplied: the admin password is generated "
        "and returned once in the response.",
    )
    LENGTH_OUT_OF_RANGE = ErrorSpec(
        880008, 400, "The field '{field}' must be {min}-{max} characters long."
    )
    REQUIRED_FIELD_MISSING = ErrorSpec(880009, 400, "The field '{field}' is required.")
    COUNTRY_UNKNOWN = ErrorSpec(
        880010,
        400,
        "'{country}' is not an ISO 3166-1 alpha-2 country code known to Partner Center.",
    )
    REQUEST_IN_PROGRESS = ErrorSpec(
        880011,
        409,
        "A request with the same MS-RequestId is still being processed. Retry it later "
        "with the same MS-RequestId.",
    )
    REQUEST_ID_REUSED = ErrorSpec(
        880012,
        409,
        "This MS-RequestId was already used for a different request body. "
        "Use a new MS-RequestId for a new request.",
    )
    METHOD_NOT_ALLOWED = ErrorSpec(880013, 405, "The method {method} is not allowed on '{path}'.")
    BODY_TOO_LARGE = ErrorSpec(
        880014, 400, "The request body is larger than the limit of {limit} bytes."
    )

    SERVICE_BUSY = ErrorSpec(
        880016, 503, "The service is busy. Retry the request in {seconds} seconds."
    )
    DATABASE_UNAVAILABLE = ErrorSpec(
        880060,
        503,
        "The service cannot reach its database at the moment. Retry the request in "
        "{seconds} seconds.",
    )
    PHONE_INVALID = ErrorSpec(
        880015,
        400,
        "The phone number '{phone}' is not a possible phone number for '{country}'.",
    )

    COUNTRY_RULES_NOT_FOUND = ErrorSpec(
        880017,
        404,
        "There are no validation rules for '{country}': it is not an ISO 3166-1 alpha-2 "
        "country code known to Partner Center.",
    )
    IF_MATCH_REQUIRED = ErrorSpec(
        880018,
        428,
        "An etag is required: send the etag from the latest read of this resource in If-Match "
        "or in the body's attributes.etag.",
    )
    STALE_ETAG = ErrorSpec(  # Partner Center's "Etag is no longer valid" (error codes page)
        2055,
        400,
        "The resource has changed since it was read. Read it again and retry with the new etag.",
    )
    DELETE_NOT_ALLOWED = ErrorSpec(
        880020, 403, "Customers can be deleted only in the integration sandbox."
    )
    FILTER_INVALID = ErrorSpec(880021, 400, "The filter is not valid: {reason}")
    CONTINUATION_INVALID = ErrorSpec(
        880022,
        400,
        "The continuation token is not valid for this request. Start again from the first page.",
    )

    MFA_REQUIRED = ErrorSpec(
        880025,
        403,
        "The signed-in user did not complete multi-factor authentication, which every "
        "App+User call requires. Sign in again with the second factor.",
    )

    ADMIN_KEY_REQUIRED = ErrorSpec(
        880024,
        401,
        "The sandbox control plane needs the sandbox admin key in the Tenantry-Admin-Key header.",
    )

    AUDIT_KEY_REQUIRED = ErrorSpec(
        880026,
        401,
        "Reading the audit trail needs the audit key in the Tenantry-Audit-Key header.",
    )

    USER_NOT_FOUND = ErrorSpec(880027, 404, "Customer {customer_id} has no user '{user_id}'.")
    GDAP_RELATIONSHIP_NOT_FOUND = ErrorSpec(
        880028,
        404,
        "The partner has no GDAP relationship '{relationship_id}' with customer {customer_id}.",
    )

    # --- after create: agreements, offers, orders, subscriptions, users -----------------
    AGREEMENT_EXISTS = ErrorSpec(  # documented code; the page names no HTTP status
        600061, 409, "A partner confirmed agreement already exists for the customer."
    )
    AGREEMENT_TYPE_UNKNOWN = ErrorSpec(
        880041,
        400,
        "'{agreement_type}' is not an agreement type. Use MicrosoftCloudAgreement, "
        "MicrosoftCustomerAgreement or *.",
    )
    AGREEMENT_TEMPLATE_UNKNOWN = ErrorSpec(
        880042,
        400,
        "'{template_id}' is not the templateId of the {agreement_type}. Read it from "
        "GET /v1/agreements?agreementType={agreement_type}.",
    )
    DATE_AGREED_INVALID = ErrorSpec(
        880043, 400, "dateAgreed must be a date and time in UTC, not in the future: {reason}"
    )
    AGREEMENT_REQUIRED = ErrorSpec(
        880044,
        400,
        "Customer {customer_id} has not accepted the Microsoft Customer Agreement. Confirm "
        "its acceptance (POST /v1/customers/{customer_id}/agreements) before placing an order.",
    )
    OFFER_NOT_FOUND = ErrorSpec(
        880045, 404, "The offer '{offer_id}' is not available in '{country}'."
    )
    ORDER_NOT_FOUND = ErrorSpec(880046, 404, "Customer {customer_id} has no order '{order_id}'.")
    SUBSCRIPTION_NOT_FOUND = ErrorSpec(
        880047, 404, "Customer {customer_id} has no subscription '{subscription_id}'."
    )
    QUANTITY_OUT_OF_RANGE = ErrorSpec(
        880048, 400, "The quantity of offer '{offer_id}' must be {min}-{max}."
    )
    SUBSCRIPTION_STATUS_INVALID = ErrorSpec(
        880049,
        400,
        "A subscription's status can be changed between active and suspended only: "
        "'{status}' is not allowed.",
    )
    MEMBER_IMMUTABLE = ErrorSpec(
        880050, 400, "The member '{field}' cannot be changed: send the value it has."
    )
    USER_DOMAIN_INVALID = ErrorSpec(
        880051,
        400,
        "The userPrincipalName '{upn}' must be a name in the customer's domain '{domain}'.",
    )
    USER_NAME_TAKEN = ErrorSpec(
        880052, 409, "The userPrincipalName '{upn}' is already used by another user."
    )
    PASSWORD_TOO_WEAK = ErrorSpec(
        880053,
        400,
        "The password must be 8-256 characters long and use three of: upper case letters, "
        "lower case letters, digits and symbols.",
    )

    @classmethod
    def all(cls) -> list[ErrorSpec]:
        """Every spec in the catalogue, in declaration order."""
        return [v for v in vars(cls).values() if isinstance(v, ErrorSpec)]


@dataclass(frozen=True)
class FieldProblem:
    """One offending field: rendered on the wire as `"<path>: <reason>"` in `data`."""

    spec: ErrorSpec
    path: str
    reason: str
    params: Mapping[str, object] = field(default_factory=dict)

    # Spelled `FieldProblem(...)`, not `cls(...)`: the translation test collects the reasons
    # of these calls (tests/api/test_translations.py).
    @staticmethod
    def required(path: str) -> FieldProblem:
        """A required member missing or blank (880009)."""
        return FieldProblem(Errors.REQUIRED_FIELD_MISSING, path, "is required", {"field": path})

    @staticmethod
    def length(path: str, maximum: int, minimum: int = 1) -> FieldProblem:
        """A member outside its length limits (880008)."""
        params = {"field": path, "min": minimum, "max": maximum}
        reason = "must be {min}-{max} characters long"
        return FieldProblem(Errors.LENGTH_OUT_OF_RANGE, path, reason, params)


class ServiceError(Exception):
    """A failure with a Partner Center code. The API renders it as the error envelope."""

    def __init__(
        self,
        spec: ErrorSpec,
        params: Mapping[str, object] | None = None,
        problems: tuple[FieldProblem, ...] = (),
    ) -> None:
        self.spec = spec
        self.params: Mapping[str, object] = dict(params or {})
        self.problems = problems
        super().__init__(f"{spec.code}: {fill(spec.message, self.params)}")

    @classmethod
    def from_problems(cls, problems: list[FieldProblem]) -> ServiceError:
        """The first problem decides code and description; all of them go into `data`."""
        first = problems[0]
        return cls(first.spec, first.params, tuple(problems))


class _Lenient(dict[str, object]):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def fill(template: str, params: Mapping[str, object]) -> str:
    """Fill `{name}` placeholders; one without a value is left as it is."""
    return template.format_map(_Lenient(params))
