"""A typed Python client for Microsoft Partner Center's customer API.

Works against any base URL: a Tenantry sandbox, a production Tenantry, or Partner Center
itself. `PartnerClient` blocks; `AsyncPartnerClient` is the same API for asyncio.
"""

from tenantry_client._agreements import Agreement, AgreementMetadata, Contact
from tenantry_client._async_client import (
    AsyncCustomerOperations,
    AsyncDomainOperations,
    AsyncPartnerClient,
    AsyncRelationshipOperations,
    AsyncValidationOperations,
)
from tenantry_client._async_commerce import (
    AsyncAgreementOperations,
    AsyncOfferOperations,
    AsyncOrderOperations,
    AsyncSubscriptionOperations,
)
from tenantry_client._async_users import AsyncUserOperations
from tenantry_client._azure_credentials import AzureCredential
from tenantry_client._certificate import CertificateCredential
from tenantry_client._client import (
    CustomerOperations,
    DomainOperations,
    PartnerClient,
    RelationshipOperations,
    ValidationOperations,
)
from tenantry_client._commerce import (
    AgreementOperations,
    OfferOperations,
    OrderOperations,
    SubscriptionOperations,
)
from tenantry_client._core import DEFAULT_BASE_URL
from tenantry_client._credentials import (
    ENTRA_AUTHORITY,
    PARTNER_CENTER_SCOPE,
    PARTNER_CENTER_USER_SCOPE,
    AccessToken,
    ClientSecretCredential,
    StaticTokenCredential,
    TokenCredential,
)
from tenantry_client._directory import (
    DelegatedAdminRelationship,
    PartnerRelationship,
    UnifiedRole,
)
from tenantry_client._entra import EntraCredential
from tenantry_client._errors import (
    BadInputError,
    ConflictError,
    CredentialError,
    ForbiddenError,
    NotFoundError,
    PartnerCenterError,
    PreconditionError,
    ServerError,
    ServiceError,
    ThrottledError,
    TransportError,
    UnauthorizedError,
)
from tenantry_client._models import (
    Address,
    Customer,
    CustomerBillingProfile,
    CustomerCompanyProfile,
    UserCredentials,
)
from tenantry_client._offers import Offer, OfferCategory
from tenantry_client._orders import Order, OrderLineItem
from tenantry_client._paging import AsyncPager, Page, Pager
from tenantry_client._retry import RetryPolicy
from tenantry_client._subscriptions import Subscription
from tenantry_client._user_credentials import (
    DeviceCode,
    DeviceCodeCredential,
    RefreshTokenCredential,
)
from tenantry_client._user_operations import UserOperations
from tenantry_client._users import CustomerUser, PasswordProfile
from tenantry_client._validation import AddressValidationResult, CountryValidationRules
from tenantry_client._version import __version__

__all__ = [
    "DEFAULT_BASE_URL",
    "ENTRA_AUTHORITY",
    "PARTNER_CENTER_SCOPE",
    "PARTNER_CENTER_USER_SCOPE",
    "AccessToken",
    "Address",
    "AddressValidationResult",
    "Agreement",
    "AgreementMetadata",
    "AgreementOperations",
    "AsyncAgreementOperations",
    "AsyncCustomerOperations",
    "AsyncDomainOperations",
    "AsyncOfferOperations",
    "AsyncOrderOperations",
    "AsyncPager",
    "AsyncPartnerClient",
    "AsyncRelationshipOperations",
    "AsyncSubscriptionOperations",
    "AsyncUserOperations",
    "AsyncValidationOperations",
    "AzureCredential",
    "BadInputError",
    "CertificateCredential",
    "ClientSecretCredential",
    "ConflictError",
    "Contact",
    "CountryValidationRules",
    "CredentialError",
    "Customer",
    "CustomerBillingProfile",
    "CustomerCompanyProfile",
    "CustomerOperations",
    "CustomerUser",
    "DelegatedAdminRelationship",
    "DeviceCode",
    "DeviceCodeCredential",
    "DomainOperations",
    "EntraCredential",
    "ForbiddenError",
    "NotFoundError",
    "Offer",
    "OfferCategory",
    "OfferOperations",
    "Order",
    "OrderLineItem",
    "OrderOperations",
    "Page",
    "Pager",
    "PartnerCenterError",
    "PartnerClient",
    "PartnerRelationship",
    "PasswordProfile",
    "PreconditionError",
    "RefreshTokenCredential",
    "RelationshipOperations",
    "RetryPolicy",
    "ServerError",
    "ServiceError",
    "StaticTokenCredential",
    "Subscription",
    "SubscriptionOperations",
    "ThrottledError",
    "TokenCredential",
    "TransportError",
    "UnauthorizedError",
    "UnifiedRole",
    "UserCredentials",
    "UserOperations",
    "ValidationOperations",
    "__version__",
]
