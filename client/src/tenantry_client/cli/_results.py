"""The results file of an import, and the count of what happened.

One line per row outcome, flushed as each row finishes, in a CSV readable by the owner
only (it holds one-time passwords). A row's status is `created` (by this run, retries
included), `replayed` (created by an earlier run: the service answered with its first
answer), `failed` (not created: the service refused it, or it was not sent, and the error
columns say why) or `unknown` (perhaps created: no answer, a 5xx or 429 after the retries,
abandoned, or an unexpected error after it was sent).
"""

from __future__ import annotations

import csv
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from tenantry_client.cli._args import UsageError
from tenantry_client.cli._rows import Row

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
STATUSES = ("created", "replayed", "failed", "unknown")
DONE = frozenset({"created", "replayed"})


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
    unrecorded: int = 0
    interrupted: bool = False
    fatal: str | None = None

    def count(self, status: str) -> None:
        setattr(self, status, getattr(self, status) + 1)

    @property
    def unfinished(self) -> int:
        """Rows that are not created: failed, unknown, or without an outcome."""
        return self.failed + self.unknown + self.unrecorded


class Recorder:
    """Writes each row's outcome once and counts it. A results file that cannot be
    written any more (a full disk) stops the import: `broken` says why."""

    def __init__(self, file: ResultsFile, summary: Summary) -> None:
        self.file = file
        self.summary = summary
        self.recorded: set[int] = set()
        self.broken: str | None = None

    def record(self, row: Row, request_id: str | None, status: str, **values: Any) -> None:
        if status not in STATUSES:
            raise ValueError(f"no such status: {status}")
        if row.number in self.recorded or self.broken is not None:
            return
        outcome = {"domain": row.domain, **values}
        outcome.update(row=row.number, status=status, request_id=request_id)
        try:
            self.file.write(outcome)
        except (OSError, ValueError) as exc:
            self.broken = f"cannot write the results file: {exc}"
            self.summary.fatal = self.summary.fatal or self.broken
            return
        self.recorded.add(row.number)
        self.summary.count(status)
