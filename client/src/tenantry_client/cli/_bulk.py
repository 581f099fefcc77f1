"""`customers import FILE.csv`: create one customer per row, concurrently, resumably;
and, when asked, confirm its agreement and place its order.

The parts: `_rows` (reading the file, each row's request id, the rows refused up front),
`_steps` (what comes after the create), `_results` (the results file and the counts),
`_sender` (sending and recording every outcome), `_progress` (the bar). This module runs
them and prints the summary and, when some rows are not done, the command that resumes.
"""

from __future__ import annotations

import argparse
import asyncio
import shlex
import sys
from pathlib import Path

from tenantry_client.cli._args import UsageError
from tenantry_client.cli._commerce import agreed_at
from tenantry_client.cli._connect import Connection
from tenantry_client.cli._progress import Progress
from tenantry_client.cli._results import (
    Earlier,
    Recorder,
    ResultsFile,
    Summary,
    earlier_runs,
    same_domain,
)
from tenantry_client.cli._rows import Job, plan, read_rows
from tenantry_client.cli._sender import send_all
from tenantry_client.cli._steps import Steps

__all__ = ["resume_command", "run_import"]

_DEFAULT_CONCURRENCY = 8
# Connection options repeated by the "To resume" line when they were given as flags.
_RESUMED_OPTIONS = ("base_url", "tenant_id", "client_id", "authority")
_SECRET_OPTIONS = {"client_secret": "--client-secret", "token": "--token"}
# The progress bar's words for the steps after the create.
_DOING = {"agreement": "confirming agreements", "order": "ordering"}


def _default_results(source: Path) -> Path:
    return source.with_name(source.stem + ".results.csv")


def resume_command(
    args: argparse.Namespace, connection: Connection, results: Path
) -> tuple[str, list[str]]:
    """The command that resumes this import, and the secret options it leaves out (a
    secret is never printed: they are given again, or come from the environment)."""
    words = [getattr(args, "prog", "tenantry-client"), "customers", "import", args.file]
    words += ["--results", str(results), "--resume"]
    if args.concurrency != _DEFAULT_CONCURRENCY:
        words += ["--concurrency", str(args.concurrency)]
    if args.no_progress:
        words.append("--no-progress")
    if args.confirm_agreement:
        words.append("--confirm-agreement")
    if args.agreement_date is not None:
        words += ["--agreement-date", args.agreement_date]
    for line in args.order or ():
        words += ["--order", str(line)]
    if connection.profile is not None:
        words += ["--profile", connection.profile]
    for name in _RESUMED_OPTIONS:
        value = getattr(args, name, None)
        if value:
            words += ["--" + name.replace("_", "-"), str(value)]
    left_out = [flag for name, flag in _SECRET_OPTIONS.items() if getattr(args, name, None)]
    return " ".join(shlex.quote(word) for word in words), left_out


def _pending(
    jobs: list[Job], results: Path, steps: Steps, summary: Summary
) -> tuple[list[Job], dict[int, Earlier]]:
    """The jobs a resumed import still has to do (those with a step the results file does
    not show done), and what earlier runs did for them."""
    earlier = earlier_runs(results)
    pending = []
    for job in jobs:
        done = earlier.get(job.row.number)
        if done is not None and not same_domain(done.domain, job.row.domain):
            del earlier[job.row.number]  # another row now: the file was edited
            done = None
        if job.refusal is None and not steps.left(job.row, done):
            summary.skipped += 1
        else:
            pending.append(job)
    return pending, earlier


def _record_missing(jobs: list[Job], recorder: Recorder, why: str) -> None:
    """Record every job without an outcome as `unknown` (it may have been sent)."""
    for job in jobs:
        if job.row.number not in recorder.recorded:
            recorder.record(job.row, job.request_id, "unknown", error_description=why)
    missing = [job for job in jobs if job.row.number not in recorder.recorded]
    recorder.summary.unrecorded = len(missing)


def run_import(args: argparse.Namespace, connection: Connection) -> int:
    """`customers import`: 0 when every row is done, 1 when some are not, 130 when
    interrupted, 2 for a file that cannot be read or written."""
    if args.concurrency < 1:
        raise UsageError("--concurrency must be at least 1")
    steps = Steps(
        confirm_agreement=args.confirm_agreement,
        agreement_date=agreed_at(args.agreement_date, "--agreement-date"),
        order=tuple(args.order or ()),
    )
    source = Path(args.file)
    results_path = Path(args.results) if args.results else _default_results(source)
    jobs = plan(read_rows(source))  # every row of the file, before --resume skips some
    asked = steps.asked(job.row for job in jobs if job.refusal is None)
    summary = Summary()
    earlier: dict[int, Earlier] = {}
    if args.resume:
        jobs, earlier = _pending(jobs, results_path, steps, summary)
    recorder = Recorder(ResultsFile(results_path, resume=args.resume), summary, earlier)
    to_send = []
    for job in jobs:
        if job.refusal is None:
            to_send.append(job)
            continue
        recorder.record(job.row, job.request_id, "failed", error_description=job.refusal)
        print(
            f"row {job.row.number} ({job.row.domain or 'no domain'}): {job.refusal}",
            file=sys.stderr,
        )
    label = ", ".join(("creating", *(_DOING[step] for step in asked))) if asked else "importing"
    progress = Progress(len(to_send), enabled=not args.no_progress, label=label)
    why = "no outcome recorded (interrupted or an internal error): perhaps done"
    try:
        asyncio.run(send_all(to_send, connection, recorder, args.concurrency, progress, steps))
    except KeyboardInterrupt:
        summary.interrupted = True
    except Exception as exc:  # a bug: the rows are still accounted for, below
        summary.fatal = f"internal error: {type(exc).__name__}: {exc}"
    finally:
        progress.stop()
        _record_missing(jobs, recorder, why)
        recorder.file.close()
    return _report(args, connection, results_path, summary, asked)


def summary_line(summary: Summary, asked: tuple[str, ...]) -> str:
    """What the import did, on one line; the steps after the create when it had some."""
    counts = f"created {summary.created}, replayed {summary.replayed}, "
    if asked:
        counts += f"continued {summary.continued}, "
    counts += f"failed {summary.failed}, unknown {summary.unknown}, "
    counts += f"skipped {summary.skipped} (already {'done' if asked else 'created'})"
    after = []
    if "agreement" in asked:
        after.append(f"agreements confirmed {summary.confirmed}")
    if "order" in asked:
        after.append(f"orders placed {summary.ordered}")
    return f"{counts}; {', '.join(after)}" if after else counts


def _report(
    args: argparse.Namespace,
    connection: Connection,
    results_path: Path,
    summary: Summary,
    asked: tuple[str, ...],
) -> int:
    print(f"{summary_line(summary, asked)}; results in {results_path}")
    if summary.fatal:
        print(f"error: {summary.fatal}", file=sys.stderr)
    if summary.not_sent:
        print(f"{summary.not_sent} row(s) not sent.", file=sys.stderr)
    if summary.after_create:
        print(
            f"{summary.after_create} row(s) stopped after their customer was created: "
            "resuming continues them without creating them again.",
            file=sys.stderr,
        )
    if summary.unrecorded:
        print(
            f"{summary.unrecorded} row(s) have no line in the results file: "
            "resuming sends them again.",
            file=sys.stderr,
        )
    if summary.interrupted or summary.fatal or summary.unfinished:
        command, left_out = resume_command(args, connection, results_path)
        print(f"To resume: {command}", file=sys.stderr)
        if left_out:
            print(
                f"  (and {' or '.join(left_out)} as before: secrets are never printed; "
                "or set them in the environment, or use `tenantry-client login`)",
                file=sys.stderr,
            )
    if summary.interrupted:
        return 130
    return 1 if summary.unfinished or summary.fatal else 0
