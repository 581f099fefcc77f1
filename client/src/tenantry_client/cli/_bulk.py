"""`customers import FILE.csv`: create one customer per row, concurrently, resumably.

Each row's `MS-RequestId` is a UUID 5 of the customer it creates (its canonical JSON), so a
row sent again (after an interruption, a lost answer, a crash) carries the same request id
and the same body, and the service answers with the first answer instead of creating a
second customer. Results go to a CSV readable by the owner only, one line per row outcome,
flushed as each row finishes.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import json
import os
import signal
import sys
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

import httpx

from tenantry_client._async_client import AsyncPartnerClient
from tenantry_client._errors import (
    CredentialError,
    ServerError,
    ServiceError,
    ThrottledError,
    TransportError,
)
from tenantry_client._models import Customer
from tenantry_client.cli._args import FIELD_NAMES, UsageError, apply_fields
from tenantry_client.cli._connect import Connection

# Request ids of imported rows are UUID 5s in this namespace.
REQUEST_ID_NAMESPACE = uuid.UUID("0d4f5a8e-3c51-5b7e-9f2a-6e1c7a9b2d40")

RESULT_COLUMNS = (
    "row",
    "domain",
    "status",
    "customer_id",
    "user_name",
    "password",
    "error_code",
    "error_description",
    "request_id",
)
DONE = frozenset({"created", "replayed"})
REQUEST_ID_COLUMN = "request-id"


@dataclass(frozen=True)
class Row:
    """One data row of the import file; `number` counts data rows from 1."""

    number: int
    values: dict[str, str]

    @property
    def domain(self) -> str:
        """The row's domain cell (empty if none)."""
        return self.values.get("domain", "")

    def customer(self) -> Customer:
        """The customer the row creates."""
        return apply_fields(Customer(), self.values)

    def request_id(self) -> str:
        """The row's own `request-id` column, or the UUID 5 of the customer it creates."""
        own = self.values.get(REQUEST_ID_COLUMN, "").strip()
        if own:
            return own
        canonical = json.dumps(self.customer().to_wire(), sort_keys=True, separators=(",", ":"))
        return str(uuid.uuid5(REQUEST_ID_NAMESPACE, canonical))


def _column(name: str) -> str:
    return name.strip().lower().replace("_", "-").replace(" ", "-")


def read_rows(path: Path) -> list[Row]:
    """The rows of an import file (UTF-8, a header of field names in any case, `-` or `_`)."""
    try:
        with path.open(newline="", encoding="utf-8-sig") as file:
            reader = csv.reader(file)
            header = next(reader, None)
            if header is None:
                raise UsageError(f"{path} is empty: it needs a header line")
            columns = [_column(name) for name in header]
            unknown = [
                h
                for h, c in zip(header, columns, strict=True)
                if c not in FIELD_NAMES and c != REQUEST_ID_COLUMN
            ]
            if unknown:
                known = ", ".join(sorted(FIELD_NAMES | {REQUEST_ID_COLUMN}))
                raise UsageError(f"{path}: unknown column(s) {', '.join(unknown)}; known: {known}")
            rows = []
            for number, record in enumerate(reader, 1):
                if not any(cell.strip() for cell in record):
                    continue
                values = {c: v.strip() for c, v in zip(columns, record, strict=False)}
                rows.append(Row(number, values))
            return rows
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror}") from None
    except (csv.Error, UnicodeDecodeError) as exc:
        raise UsageError(f"{path} is not a UTF-8 CSV file: {exc}") from None


def completed(results: Path) -> dict[int, str]:
    """Row number → domain of the rows a results file shows created (or replayed)."""
    done: dict[int, str] = {}
    try:
        with results.open(newline="", encoding="utf-8") as file:
            for record in csv.DictReader(file):
                if record.get("status") in DONE and (record.get("row") or "").isdigit():
                    done[int(record["row"])] = record.get("domain") or ""
    except FileNotFoundError:
        pass
    except (OSError, csv.Error, UnicodeDecodeError) as exc:
        raise UsageError(f"cannot read the results file {results}: {exc}") from None
    return done


class ResultsFile:
    """The results CSV: created owner-only (0600), appended to, flushed after every line."""

    def __init__(self, path: Path, *, resume: bool) -> None:
        flags = os.O_WRONLY | os.O_CREAT | os.O_APPEND
        if not resume:
            flags |= os.O_EXCL
        try:
            fd = os.open(path, flags, 0o600)
        except FileExistsError:
            raise UsageError(
                f"{path} exists: pass --resume to continue that import, or another --results"
            ) from None
        except OSError as exc:
            raise UsageError(f"cannot write {path}: {exc.strerror}") from None
        if hasattr(os, "fchmod"):
            os.fchmod(fd, 0o600)
        self._file: TextIO = os.fdopen(fd, "a", newline="", encoding="utf-8")
        self._writer = csv.writer(self._file)
        if os.fstat(fd).st_size == 0:
            self._writer.writerow(RESULT_COLUMNS)
            self._file.flush()

    def write(self, values: dict[str, Any]) -> None:
        self._writer.writerow(["" if values.get(c) is None else values[c] for c in RESULT_COLUMNS])
        self._file.flush()

    def close(self) -> None:
        self._file.close()


@dataclass
class Summary:
    """What an import did."""

    created: int = 0
    replayed: int = 0
    failed: int = 0
    unknown: int = 0
    skipped: int = 0
    not_sent: int = 0
    interrupted: bool = False
    fatal: str | None = None

    def count(self, status: str) -> None:
        setattr(self, status, getattr(self, status) + 1)


class _Progress:
    """A rich progress bar when rich is installed and wanted; otherwise nothing."""

    def __init__(self, total: int, enabled: bool) -> None:
        self._bar: Any = None
        self._task: Any = None
        if not enabled:
            return
        try:
            from rich.console import Console
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                TextColumn,
                TimeRemainingColumn,
            )
        except ImportError:  # the `cli` extra is not installed
            return
        self._bar = Progress(
            TextColumn("[progress.description]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeRemainingColumn(),
            console=Console(stderr=True),
        )
        self._task = self._bar.add_task("importing", total=total)
        self._bar.start()

    def advance(self) -> None:
        if self._bar is not None:
            self._bar.advance(self._task)

    def say(self, text: str) -> None:
        if self._bar is not None:
            self._bar.console.print(text, markup=False, highlight=False)
        else:
            print(text, file=sys.stderr)

    def stop(self) -> None:
        if self._bar is not None:
            self._bar.stop()


def _describe(error: Exception) -> tuple[str, str | None, str]:
    """Status, error code and description of a failed row."""
    if isinstance(error, ServiceError):
        code = str(error.code if error.code is not None else error.status)
        # A 5xx or 429 may or may not have created the customer: re-sent on --resume.
        unknown = isinstance(error, ServerError | ThrottledError)
        return ("unknown" if unknown else "failed"), code, error.description
    return "unknown", None, str(error)


async def _import(
    rows: list[Row],
    client: AsyncPartnerClient,
    results: ResultsFile,
    replayed: set[str],
    concurrency: int,
    progress: _Progress,
    summary: Summary,
) -> None:
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    in_flight: set[asyncio.Task[None]] = set()

    def interrupt() -> None:
        if not stop.is_set():
            stop.set()
            summary.interrupted = True
            progress.say(
                f"Stopping: finishing {len(in_flight)} row(s) in flight "
                "(Ctrl-C again to abandon them)."
            )
        else:
            for task in in_flight:
                task.cancel()

    async def one(row: Row) -> None:
        request_id = row.request_id()
        outcome: dict[str, Any] = {
            "row": row.number,
            "domain": row.domain,
            "request_id": request_id,
        }
        try:
            created = await client.customers.create(row.customer(), request_id=request_id)
        except asyncio.CancelledError:
            outcome.update(status="unknown", error_description="abandoned (interrupted)")
            results.write(outcome)
            summary.count("unknown")
            raise
        except CredentialError as error:
            summary.fatal = f"could not sign in: {error}"
            stop.set()
            outcome.update(status="unknown", error_description=f"not sent: {error}")
        except (ServiceError, TransportError) as error:
            status, code, description = _describe(error)
            outcome.update(status=status, error_code=code, error_description=description)
            progress.say(
                f"row {row.number} ({row.domain or 'no domain'}): "
                f"error {code or '-'}: {description}"
            )
        else:
            credentials = created.user_credentials
            outcome.update(
                status="replayed" if request_id in replayed else "created",
                domain=created.company_profile.domain if created.company_profile else row.domain,
                customer_id=created.id,
                user_name=credentials.user_name if credentials else None,
                password=credentials.password if credentials else None,
            )
        results.write(outcome)
        summary.count(outcome["status"])
        progress.advance()

    handled = False
    try:
        loop.add_signal_handler(signal.SIGINT, interrupt)
        handled = True
    except (NotImplementedError, RuntimeError, ValueError):  # not the main thread, Windows
        pass
    semaphore = asyncio.Semaphore(concurrency)

    def finished(task: asyncio.Task[None]) -> None:
        in_flight.discard(task)
        semaphore.release()

    try:
        for index, row in enumerate(rows):
            await semaphore.acquire()
            if stop.is_set():
                semaphore.release()
                summary.not_sent = len(rows) - index
                break
            task = asyncio.create_task(one(row))
            in_flight.add(task)
            task.add_done_callback(finished)
        while in_flight:
            await asyncio.gather(*list(in_flight), return_exceptions=True)
    finally:
        if handled:
            loop.remove_signal_handler(signal.SIGINT)


def _default_results(source: Path) -> Path:
    return source.with_name(source.stem + ".results.csv")


def _resume_command(args: argparse.Namespace, results: Path) -> str:
    return f"customers import {args.file} --results {results} --resume"


async def _run(
    rows: list[Row],
    connection: Connection,
    results: ResultsFile,
    concurrency: int,
    progress: _Progress,
    summary: Summary,
) -> None:
    replayed: set[str] = set()

    async def note_replay(response: httpx.Response) -> None:
        if response.headers.get("idempotent-replayed", "").lower() == "true":
            request_id = response.request.headers.get("ms-requestid")
            if request_id:
                replayed.add(request_id)

    limits = httpx.Limits(max_connections=max(concurrency, 10))
    async with httpx.AsyncClient(
        timeout=60.0, limits=limits, event_hooks={"response": [note_replay]}
    ) as http:
        client = AsyncPartnerClient(
            connection.credential, base_url=connection.base_url, http_client=http
        )
        await _import(rows, client, results, replayed, concurrency, progress, summary)


def run_import(
    args: argparse.Namespace,
    connection: Connection,
) -> int:
    """`customers import`: 0 when every row is created, 1 when some are not, 130 when
    interrupted, 2 for a file that cannot be read or written."""
    if args.concurrency < 1:
        raise UsageError("--concurrency must be at least 1")
    source = Path(args.file)
    results_path = Path(args.results) if args.results else _default_results(source)
    rows = read_rows(source)
    summary = Summary()
    if args.resume:
        done = completed(results_path)
        pending = []
        for row in rows:
            if row.number in done and done[row.number] == row.domain:
                summary.skipped += 1
            else:
                pending.append(row)
        rows = pending
    results = ResultsFile(results_path, resume=args.resume)
    progress = _Progress(len(rows), enabled=not args.no_progress)
    try:
        asyncio.run(_run(rows, connection, results, args.concurrency, progress, summary))
    finally:
        progress.stop()
        results.close()
    print(
        f"created {summary.created}, replayed {summary.replayed}, failed {summary.failed}, "
        f"unknown {summary.unknown}, skipped {summary.skipped} (already created); "
        f"results in {results_path}"
    )
    unfinished = summary.failed + summary.unknown + summary.not_sent
    if summary.fatal:
        print(f"error: {summary.fatal}", file=sys.stderr)
    if summary.interrupted or summary.fatal or unfinished:
        if summary.not_sent:
            print(f"{summary.not_sent} row(s) not sent.", file=sys.stderr)
        print(f"To resume: {_resume_command(args, results_path)}", file=sys.stderr)
    if summary.interrupted:
        return 130
    return 1 if unfinished or summary.fatal else 0
