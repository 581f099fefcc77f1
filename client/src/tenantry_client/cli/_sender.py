"""Sending an import's rows, `concurrency` at a time, and recording every outcome.

A row's steps are its create (skipped when an earlier run created its customer), then
those asked after it (`_steps`). Whatever a step raises, the row is recorded with the
step's name and what the steps before it did: a service refusal is `failed`, no answer (or
a 5xx or 429 after the retries) is `unknown`, and anything else is `unknown` if a request
was sent for the step and `failed` (not sent) if not. Ctrl-C stops sending: the rows in
flight are finished (a second Ctrl-C abandons them, `unknown`) and the rows never sent are
recorded `failed`, "not sent", so that `--resume` sends them.
"""

from __future__ import annotations

import asyncio
import signal
from dataclasses import dataclass, field
from typing import Any

import httpx

from tenantry_client._async_client import AsyncPartnerClient
from tenantry_client._errors import (
    CredentialError,
    PartnerCenterError,
    ServerError,
    ServiceError,
    ThrottledError,
    TransportError,
)
from tenantry_client.cli._args import UsageError
from tenantry_client.cli._connect import Connection
from tenantry_client.cli._order_lines import LINE_SEPARATOR
from tenantry_client.cli._output import error_text
from tenantry_client.cli._progress import Progress
from tenantry_client.cli._results import CONFIRMED, Recorder
from tenantry_client.cli._rows import Job, Row
from tenantry_client.cli._steps import AfterCreate, Steps, order_request_id

# A failure to connect means the request never reached the service.
_UNSENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)
# 409: a request with this MS-RequestId is still being processed (it may yet create).
_STILL_PROCESSING = 880011


class TrackingClient(httpx.AsyncClient):
    """An httpx client that notes, by `MS-RequestId`, which requests were sent, which may
    have reached the service, and which were answered with an earlier run's answer: a
    replay (`Idempotent-Replayed: true`) answering the first attempt that may have reached
    the service. A replay after an attempt of this run that may have been acted on (its
    answer lost, or a 5xx) is this run's own creation."""

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.sent: set[str] = set()
        self._reached: set[str] = set()
        self._earlier: set[str] = set()

    async def send(self, request: httpx.Request, **options: Any) -> httpx.Response:
        request_id = request.headers.get("ms-requestid")
        if request_id is None:  # the token endpoint
            return await super().send(request, **options)
        self.sent.add(request_id)
        try:
            response = await super().send(request, **options)
        except _UNSENT:
            raise
        except BaseException:
            self._reached.add(request_id)
            raise
        replayed = response.headers.get("idempotent-replayed", "").lower() == "true"
        if replayed and request_id not in self._reached:
            self._earlier.add(request_id)
        self._reached.add(request_id)
        return response

    def created_earlier(self, request_id: str) -> bool:
        """Whether the answer for this request id came from an earlier run."""
        return request_id in self._earlier


@dataclass
class Step:
    """The step of a row under way: its name, its request id (None: one the CLI does not
    choose), and the columns of the steps done so far."""

    name: str
    request_id: str | None
    values: dict[str, Any] = field(default_factory=dict)

    def begin(self, name: str, request_id: str | None) -> None:
        self.name, self.request_id = name, request_id


def _describe(error: ServiceError | TransportError) -> tuple[str, str | None, str]:
    """Status, error code and description of a step the service did not do."""
    if isinstance(error, ServiceError):
        code = str(error.code if error.code is not None else error.status)
        # A 5xx or 429 may or may not have done the step: done again on --resume.
        unknown = isinstance(error, ServerError | ThrottledError)
        unknown = unknown or (error.status == 409 and error.code == _STILL_PROCESSING)
        return ("unknown" if unknown else "failed"), code, error_text(error)
    return "unknown", None, str(error)


class Sender:
    """One import's sending: the client, the rows in flight, Ctrl-C."""

    def __init__(
        self,
        after: AfterCreate,
        http: TrackingClient,
        recorder: Recorder,
        progress: Progress,
        concurrency: int,
    ) -> None:
        self.client = after.client
        self.after = after
        self.http = http
        self.recorder = recorder
        self.summary = recorder.summary
        self.progress = progress
        self.stop = asyncio.Event()
        self.in_flight: set[asyncio.Task[None]] = set()
        self._slots = asyncio.Semaphore(concurrency)

    def interrupt(self) -> None:
        if not self.stop.is_set():
            self.stop.set()
            self.summary.interrupted = True
            self.progress.say(
                f"Stopping: finishing {len(self.in_flight)} row(s) in flight "
                "(Ctrl-C again to abandon them)."
            )
        else:
            for task in self.in_flight:
                task.cancel()

    def _say(self, row: Row, step: Step, text: str) -> None:
        """A line about the row (and its customer, once it exists) on stderr."""
        where = row.domain or "no domain"
        if step.values.get("customer_id"):
            where += f", customer {step.values['customer_id']}"
        prefix = "" if step.name == "customer" else f"{step.name}: "
        self.progress.say(f"row {row.number} ({where}): {prefix}{text}")

    def _unexpected(self, job: Job, step: Step, what: str) -> None:
        sent = step.request_id is None or step.request_id in self.http.sent
        self.recorder.record(
            job.row,
            job.request_id,
            "unknown" if sent else "failed",
            step=step.name,
            error_description=what if sent else f"not sent: {what}",
            **step.values,
        )
        self._say(job.row, step, what)

    async def _create(self, job: Job, step: Step) -> str:
        """The row's customer: created (or replayed) now, or by an earlier run."""
        if step.values.get("customer_id"):
            return "continued"
        row, request_id = job.row, job.request_id or ""
        created = await self.client.customers.create(row.customer(), request_id=request_id)
        credentials = created.user_credentials
        step.values.update(
            domain=created.company_profile.domain if created.company_profile else row.domain,
            customer_id=created.id,
            user_name=credentials.user_name if credentials else None,
            password=credentials.password if credentials else None,
        )
        return "replayed" if self.http.created_earlier(request_id) else "created"

    async def _after_create(self, job: Job, step: Step) -> None:
        """The steps after the create that are asked and not yet done."""
        customer_id = str(step.values.get("customer_id") or "")
        steps = self.after.steps
        if steps.confirm_agreement and not step.values.get("agreement"):
            step.begin("agreement", None)
            await self.after.confirm(customer_id, job.row)
            step.values["agreement"] = CONFIRMED
            self.summary.confirmed += 1
        lines = steps.lines(job.row)
        if lines and not step.values.get("order_id"):
            earlier = self.recorder.earlier.get(job.row.number)
            attempt = earlier.order_refusals if earlier else 0
            request_id = order_request_id(job.request_id or "", lines, attempt)
            step.begin("order", request_id)
            step.values["order_request_id"] = request_id
            order = await self.after.order(customer_id, lines, request_id)
            step.values["order_id"] = order.id
            subscriptions = (item.subscription_id or "" for item in order.line_items)
            step.values["subscription_ids"] = LINE_SEPARATOR.join(subscriptions)
            self.summary.ordered += 1

    async def one(self, job: Job) -> None:
        row = job.row
        step = Step("customer", job.request_id, self.recorder.carried(row))
        try:
            status = await self._create(job, step)
            await self._after_create(job, step)
        except asyncio.CancelledError:
            self.recorder.record(
                row,
                job.request_id,
                "unknown",
                step=step.name,
                error_description="abandoned (interrupted)",
                **step.values,
            )
            raise
        except CredentialError as error:
            if self.summary.fatal is None:
                self.summary.fatal = f"could not sign in: {error}"
            self.stop.set()
            self._unexpected(job, step, f"could not sign in: {error}")
        except (ServiceError, TransportError) as error:
            status, code, description = _describe(error)
            self.recorder.record(
                row,
                job.request_id,
                status,
                step=step.name,
                error_code=code,
                error_description=description,
                **step.values,
            )
            self._say(row, step, f"error {code or '-'}: {description}")
        except Exception as error:  # whatever else is raised, the row is accounted for
            self._unexpected(job, step, f"{type(error).__name__}: {error}")
        else:
            self.recorder.record(row, job.request_id, status, **step.values)
        self.progress.advance()

    def _finished(self, task: asyncio.Task[None]) -> None:
        self.in_flight.discard(task)
        self._slots.release()
        if not task.cancelled() and task.exception() is not None:
            self.progress.say(f"internal error: {task.exception()!r}")

    async def run(self, jobs: list[Job]) -> None:
        """Send every job; returns when each is recorded (or the results file broke)."""
        try:
            await self.after.prepare()
        except CredentialError as error:
            self.summary.fatal = f"could not sign in: {error}"
        except (PartnerCenterError, UsageError) as error:
            self.summary.fatal = f"could not read the agreement's template: {error}"
        if self.summary.fatal is not None:
            self._not_sent(jobs)
            return
        loop = asyncio.get_running_loop()
        handled = False
        try:
            loop.add_signal_handler(signal.SIGINT, self.interrupt)
            handled = True
        except (NotImplementedError, RuntimeError, ValueError):  # not the main thread, Windows
            pass
        try:
            for index, job in enumerate(jobs):
                await self._slots.acquire()
                if self.stop.is_set() or self.recorder.broken:
                    self._slots.release()
                    self._not_sent(jobs[index:])
                    break
                task = asyncio.create_task(self.one(job))
                self.in_flight.add(task)
                task.add_done_callback(self._finished)
            while self.in_flight:
                await asyncio.gather(*list(self.in_flight), return_exceptions=True)
        finally:
            if handled:
                loop.remove_signal_handler(signal.SIGINT)

    def _not_sent(self, jobs: list[Job]) -> None:
        self.summary.not_sent = len(jobs)
        reason = "interrupted" if self.summary.interrupted else self.summary.fatal or "stopped"
        for job in jobs:
            self.recorder.record(
                job.row, job.request_id, "failed", error_description=f"not sent: {reason}"
            )


async def send_all(
    jobs: list[Job],
    connection: Connection,
    recorder: Recorder,
    concurrency: int,
    progress: Progress,
    steps: Steps,
) -> None:
    """Do the jobs' steps (their create, and what `steps` asks after it) over one
    connection pool; the recorder knows what earlier runs did."""
    limits = httpx.Limits(max_connections=max(concurrency, 10))
    async with TrackingClient(timeout=60.0, limits=limits) as http:
        client = AsyncPartnerClient(
            connection.credential, base_url=connection.base_url, http_client=http
        )
        after = AfterCreate(client, steps)
        await Sender(after, http, recorder, progress, concurrency).run(jobs)
