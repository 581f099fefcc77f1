"""The results file of an import, and the count of what happened.

One line per row outcome, flushed as each row finishes, in a CSV readable by the owner
only (it holds one-time passwords). A row's status is `created` (by this run, retries
included), `replayed` (created by an earlier run: the service answered with its first
answer), `continued` (created by an earlier run of this import, as the results file shows:
this run did the steps after the create that were left), `failed` (a step was not done:
the service refused it, or it was not sent, and the error columns say why) or `unknown`
(a step was perhaps done: no answer, a 5xx or 429 after the retries, abandoned, or an
unexpected error after it was sent). `step` names the step a failed or unknown row stopped
at: `customer` (the create), `agreement` or `order`.

A line repeats what the row's earlier lines show done (the customer, its one-time
password, the agreement, the order), so that the last line of a row says everything.
"""

from __future__ import annotations

import csv
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from tenantry_client.cli._args import UsageError
from tenantry_client.cli._rows import Row

RESULT_COLUMNS = (
    "row",
    "domain",
    "status",
    "step",
    "customer_id",
    "user_name",
    "password",
    "agreement",
    "order_id",
    "subscription_ids",
    "error_code",
    "error_description",
    "request_id",
    "order_request_id",
)
STATUSES = ("created", "replayed", "continued", "failed", "unknown")
CONFIRMED = "confirmed"
# What a later line of a row repeats from its earlier lines.
_CARRIED = (
    "customer_id",
    "user_name",
    "password",
    "order_id",
    "subscription_ids",
    "order_request_id",
)


@dataclass
class Earlier:
    """What the results file shows done for one row, over every run so far."""

    domain: str
    customer_id: str = ""
    user_name: str = ""
    password: str = ""
    agreement: bool = False
    order_id: str = ""
    subscription_ids: str = ""
    order_request_id: str = ""
    # Orders of the row the service refused (so none was placed): each retry is a new
    # request, since the service answers a request id it refused with its refusal again.
    order_refusals: int = 0

    def note(self, record: dict[str, str]) -> None:
        """Add what one line of the row shows."""
        for name in _CARRIED:
            if record.get(name):
                setattr(self, name, record[name])
        self.agreement = self.agreement or record.get("agreement") == CONFIRMED
        refused = record.get("status") == "failed" and bool(record.get("error_code"))
        if refused and record.get("step") == "order":
            self.order_refusals += 1

    def carried(self) -> dict[str, str]:
        """The columns a new line of the row repeats."""
        values = {name: getattr(self, name) for name in _CARRIED if getattr(self, name)}
        if self.agreement:
            values["agreement"] = CONFIRMED
        return values


def same_domain(one: str, other: str) -> bool:
    """Whether two cells name the same domain (domains ignore case)."""
    return one.strip().casefold() == other.strip().casefold()


def earlier_runs(results: Path) -> dict[int, Earlier]:
    """Row number → what a results file shows done for the row. A row whose line names
    another domain than its earlier lines (the file was edited) starts again."""
    found: dict[int, Earlier] = {}
    try:
        with results.open(newline="", encoding="utf-8") as file:
            for record in csv.DictReader(file):
                number = record.get("row") or ""
                if not number.isdigit():
                    continue
                domain = record.get("domain") or ""
                state = found.get(int(number))
                if state is None or not same_domain(state.domain, domain):
                    state = found[int(number)] = Earlier(domain)
                state.note(record)
    except FileNotFoundError:
        pass
    except (OSError, csv.Error, UnicodeDecodeError) as exc:
        raise UsageError(f"cannot read the results file {results}: {exc}") from None
    return found


def _header(path: Path) -> list[str] | None:
    """The header line of a results file (None when it is missing or empty)."""
    try:
        with path.open(newline="", encoding="utf-8") as file:
            return next(csv.reader(file), None)
    except FileNotFoundError:
        return None
    except (OSError, csv.Error, UnicodeDecodeError) as exc:
        raise UsageError(f"cannot read the results file {path}: {exc}") from None


class ResultsFile:
    """The results CSV: created owner-only (0600), appended to, flushed after every line.

    A file resumed keeps its own columns: one written by an earlier version of the import,
    with fewer columns, gets lines that fit them."""

    def __init__(self, path: Path, *, resume: bool) -> None:
        header = _header(path) if resume else None
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
        self.columns: tuple[str, ...] = tuple(header) if header else RESULT_COLUMNS
        self._file: TextIO = os.fdopen(fd, "a", newline="", encoding="utf-8")
        self._writer = csv.writer(self._file)
        if header is None:
            self._writer.writerow(self.columns)
            self._file.flush()

    def write(self, values: dict[str, Any]) -> None:
        self._writer.writerow(["" if values.get(c) is None else values[c] for c in self.columns])
        self._file.flush()

    def close(self) -> None:
        self._file.close()


@dataclass
class Summary:
    """What an import did."""

    created: int = 0
    replayed: int = 0
    continued: int = 0
    failed: int = 0
    unknown: int = 0
    skipped: int = 0
    not_sent: int = 0
    unrecorded: int = 0
    # The steps after the create this run did, and the rows that stopped after theirs.
    confirmed: int = 0
    ordered: int = 0
    after_create: int = 0
    interrupted: bool = False
    fatal: str | None = None

    def count(self, status: str) -> None:
        setattr(self, status, getattr(self, status) + 1)

    @property
    def unfinished(self) -> int:
        """Rows not done: failed, unknown, or without an outcome."""
        return self.failed + self.unknown + self.unrecorded


class Recorder:
    """Writes each row's outcome once and counts it. A line repeats what `earlier` (the
    results file's earlier lines, by row number) shows done for the row. A results file
    that cannot be written any more (a full disk) stops the import: `broken` says why."""

    def __init__(
        self, file: ResultsFile, summary: Summary, earlier: Mapping[int, Earlier] | None = None
    ) -> None:
        self.file = file
        self.summary = summary
        self.earlier: Mapping[int, Earlier] = earlier or {}
        self.recorded: set[int] = set()
        self.broken: str | None = None

    def carried(self, row: Row) -> dict[str, str]:
        """What earlier runs did for the row, for its new line to repeat."""
        done = self.earlier.get(row.number)
        return done.carried() if done else {}

    def record(self, row: Row, request_id: str | None, status: str, **values: Any) -> None:
        if status not in STATUSES:
            raise ValueError(f"no such status: {status}")
        if row.number in self.recorded or self.broken is not None:
            return
        outcome = {"domain": row.domain, **self.carried(row), **values}
        outcome.update(row=row.number, status=status, request_id=request_id)
        try:
            self.file.write(outcome)
        except (OSError, ValueError) as exc:
            self.broken = f"cannot write the results file: {exc}"
            self.summary.fatal = self.summary.fatal or self.broken
            return
        self.recorded.add(row.number)
        self.summary.count(status)
        if status in ("failed", "unknown") and outcome.get("customer_id"):
            self.summary.after_create += 1
