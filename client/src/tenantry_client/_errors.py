"""The error tree. `TransportError`: no answer came back (it may or may not have been acted
on). `ServiceError`: the service answered with an error status, by subclass of status.

    PartnerCenterError
    ├── TransportError
    ├── CredentialError
    └── ServiceError
        ├── BadInputError (400)      ├── ConflictError (409)
        ├── UnauthorizedError (401)  ├── PreconditionError (2055, 412, 428)
        ├── ForbiddenError (403)     ├── ThrottledError (429)
        ├── NotFoundError (404)      └── ServerError (5xx)
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tenantry_client._wire import Members, loads


def _restore(cls: type[PartnerCenterError], args: tuple[Any, ...], state: dict[str, Any]) -> Any:
    error = cls.__new__(cls)
    error.args = args
    error.__dict__.update(state)
    return error


class PartnerCenterError(Exception):
    """Any failure of a client call."""

    def __reduce__(self) -> tuple[Any, ...]:
        # The subclasses take keyword arguments, which Exception's own pickling cannot pass.
        return (_restore, (type(self), self.args, dict(self.__dict__)))


class TransportError(PartnerCenterError):
    """The request failed without an HTTP answer: connection refused or lost, time-out.

    After all retries: `request_id` is the `MS-RequestId` every attempt carried, so a create
    can be retried later with the same id without creating a second customer.
    """

    def __init__(self, message: str, *, request_id: str, correlation_id: str) -> None:
        super().__init__(message)
        self.request_id = request_id
        self.correlation_id = correlation_id


class CredentialError(PartnerCenterError):
    """A credential could not get an access token (the token endpoint refused, or the
    sign-in library reported an error). `error` is the OAuth error, e.g. `invalid_client`."""

    def __init__(
        self, message: str, *, error: str | None = None, status: int | None = None
    ) -> None:
        super().__init__(message)
        self.error = error
        self.status = status


class ServiceError(PartnerCenterError):
    """The service answered with an error status.

    `code`, `description` and `data` come from Partner Center's error envelope
    (`{"code", "description", "data", "source"}`); `body` is the raw answer.
    """

    def __init__(
        self,
        *,
        status: int,
        code: int | None,
        description: str,
        data: list[str],
        request_id: str | None,
        correlation_id: str | None,
        body: bytes,
        retry_after: float | None = None,
    ) -> None:
        shown = (
            f"{status} ({code}): {description}" if code is not None else f"{status}: {description}"
        )
        super().__init__(f"{shown} [MS-RequestId {request_id}, MS-CorrelationId {correlation_id}]")
        self.status = status
        self.code = code
        self.description = description
        self.data = data
        self.request_id = request_id
        self.correlation_id = correlation_id
        self.body = body
        self.retry_after = retry_after


class BadInputError(ServiceError):
    """400: the request is not valid (see `code`, `description` and `data`)."""


class UnauthorizedError(ServiceError):
    """401: no token, or one the service does not accept."""


class ForbiddenError(ServiceError):
    """403: the caller may not do this (role, App-only token, market, sandbox-only call)."""


class NotFoundError(ServiceError):
    """404: no such customer (or route)."""


class ConflictError(ServiceError):
    """409: the domain is taken, or the same MS-RequestId is still being processed."""


class PreconditionError(ServiceError):
    """The etag sent is no longer current (400 with code 2055, or 412 from older servers),
    or no etag was sent at all (428)."""


class ThrottledError(ServiceError):
    """429: too many requests; `retry_after` says how many seconds to wait."""


class ServerError(ServiceError):
    """5xx: the service failed or is busy (503 comes with `retry_after`)."""


_BY_STATUS: dict[int, type[ServiceError]] = {
    400: BadInputError,
    401: UnauthorizedError,
    403: ForbiddenError,
    404: NotFoundError,
    409: ConflictError,
    412: PreconditionError,
    428: PreconditionError,
    429: ThrottledError,
}


# Codes whose meaning is sharper than their status: Partner Center answers a stale etag
# ("Etag is no longer valid") with 400.
_BY_CODE: dict[int, type[ServiceError]] = {2055: PreconditionError}


def error_class(status: int, code: int | None = None) -> type[ServiceError]:
    """The ServiceError subclass for an HTTP status (and the envelope's code)."""
    if code is not None and code in _BY_CODE:
        return _BY_CODE[code]
    if status >= 500:
        return ServerError
    return _BY_STATUS.get(status, ServiceError)


def _envelope(body: bytes) -> tuple[int | None, str | None, list[str]]:
    """Code, description and data from the error envelope, or from the 429 answer
    (`{"statusCode", "message"}`); nothing when the body is not JSON."""
    try:
        parsed: Any = loads(body) if body else None
    except (ValueError, UnicodeDecodeError):
        return None, None, []
    if not isinstance(parsed, Mapping):
        return None, None, []
    m = Members(parsed)
    raw_code = m.get("code")
    code = raw_code if isinstance(raw_code, int) and not isinstance(raw_code, bool) else None
    if isinstance(raw_code, str) and raw_code.isdigit():
        code = int(raw_code)
    description = m.text("description") or m.text("message")
    return code, description, [str(item) for item in m.array("data")]


def service_error(
    status: int,
    reason: str,
    body: bytes,
    *,
    request_id: str | None,
    correlation_id: str | None,
    retry_after: float | None,
) -> ServiceError:
    """The typed error for an error answer."""
    code, description, data = _envelope(body)
    if description is None:
        text = body.decode("utf-8", "replace").strip()[:200]
        description = text or reason or "no description"
    return error_class(status, code)(
        status=status,
        code=code,
        description=description,
        data=data,
        request_id=request_id,
        correlation_id=correlation_id,
        body=body,
        retry_after=retry_after,
    )
