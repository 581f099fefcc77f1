"""The answers an idempotent write keeps: look one up, keep a new one, replay a twin's.

Shared by creating a customer and placing an order. A record is inserted in the write's
own transaction (or alone, for a refusal), so the database's unique constraint decides
between racing twins; the loser replays the winner's answer.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from tenantry.domain.clock import Clock
from tenantry.domain.errors import Errors, ServiceError
from tenantry.domain.idempotency import IdempotencyKey, StoredResponse
from tenantry.domain.ports import (
    IdempotencyKeyTaken,
    StorageBusy,
    TwinStillRunning,
    UnitOfWork,
    UnitOfWorkFactory,
)

# How a service renders a refusal as the response that is stored and replayed.
Failed = Callable[[ServiceError], StoredResponse]


class IdempotentAnswers:
    def __init__(
        self, uow: UnitOfWorkFactory, clock: Clock, *, retention: timedelta, strict: bool
    ) -> None:
        self._uow = uow
        self._clock = clock
        self._retention = retention
        self._strict = strict

    def _claim(self, key: IdempotencyKey) -> IdempotencyKey:
        """The key a record is kept under (the scope alone in strict mode)."""
        return key.claim(self._strict)

    async def keep(
        self, work: UnitOfWork, key: IdempotencyKey, response: StoredResponse, now: datetime
    ) -> None:
        """Insert the answer in `work`, the write's own transaction, which commits it
        (`IdempotencyKeyTaken` when a twin's record is there first)."""
        await work.idempotency.insert(self._claim(key), response, now, now + self._retention)

    async def kept(self, key: IdempotencyKey, failed: Failed) -> StoredResponse | None:
        """The answer kept for the key, replayed; None when the key is new."""
        async with self._uow() as work:
            stored = await work.idempotency.get(self._claim(key), self._clock.now())
        return None if stored is None else self.answer(key, stored, failed)

    def answer(self, key: IdempotencyKey, stored: StoredResponse, failed: Failed) -> StoredResponse:
        """Replay the stored answer, unless (strict mode) it answers another body."""
        if stored.request_hash != key.body_hash:
            return failed(ServiceError(Errors.REQUEST_ID_REUSED))
        return stored.as_replay()

    async def record(
        self, key: IdempotencyKey, response: StoredResponse, failed: Failed
    ) -> StoredResponse:
        """Keep a refusal for replay; if a concurrent twin recorded first, answer with that."""
        now = self._clock.now()
        response = response.answering(key)
        try:
            async with self._uow() as work, work.writes_then_commit():
                await self.keep(work, key, response, now)
        except IdempotencyKeyTaken:
            return await self.replay(key, failed)
        except TwinStillRunning as exc:
            raise ServiceError(Errors.REQUEST_IN_PROGRESS) from exc
        return response

    async def replay(self, key: IdempotencyKey, failed: Failed) -> StoredResponse:
        """The answer of the twin that recorded first."""
        async with self._uow() as work:
            stored = await work.idempotency.get(self._claim(key), self._clock.now())
        if stored is None:  # the twin's record expired in between: nothing left to wait on
            raise StorageBusy("idempotency record vanished")
        return self.answer(key, stored, failed)
