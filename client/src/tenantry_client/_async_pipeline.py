"""How the asyncio client sends one call: token, request, answer, and the waits between
attempts; the operation groups share one `Pipeline`."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

import httpx

from tenantry_client._core import Backoff, Call, ClientConfig, Operation, WireResponse
from tenantry_client._deadline import AsyncLimit
from tenantry_client._token_source import AsyncTokenSource
from tenantry_client._tokens import TokenRequestOptions

T = TypeVar("T")


class Pipeline:
    """Sends one call: token, request, answer; sleeps and repeats while the core says so.

    The call's deadline bounds it all: the sign-in (which retries under the client's policy
    and sleeps with its `sleep`), each attempt's time-outs, and the waits between them.
    """

    def __init__(
        self,
        config: ClientConfig,
        http: httpx.AsyncClient,
        tokens: AsyncTokenSource | None,
        sleep: Callable[[float], Awaitable[None]],
    ) -> None:
        self.config = config
        self.http = http
        self.tokens = tokens
        self.sleep = sleep

    async def send(
        self,
        operation: Operation[T],
        *,
        request_id: str | None = None,
        correlation_id: str | None = None,
    ) -> T:
        call = Call(operation, self.config, request_id=request_id, correlation_id=correlation_id)
        sign_in = TokenRequestOptions(
            retry=self.config.retry, sleep=self.sleep, deadline=call.deadline
        )
        while True:
            token = None
            if self.tokens is not None:
                token = await self.tokens.get_token_async(self.http, self.config.base_url, sign_in)
            call.before_attempt()
            request = call.request(token)
            outcome: T | Backoff
            try:
                async with AsyncLimit(call.deadline):
                    response = await self.http.request(
                        request.method,
                        request.url,
                        headers=request.headers,
                        content=request.body,
                        timeout=call.deadline.timeout(self.http.timeout),
                    )
            except httpx.RequestError as exc:
                outcome = call.on_transport_error(exc)
            else:
                outcome = call.on_response(WireResponse.from_httpx(response))
            if not isinstance(outcome, Backoff):
                return outcome
            await self.sleep(outcome.delay)
