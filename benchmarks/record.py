"""Turn one result file into a docs/benchmarks.md entry (machine, commit, figures, noise)."""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
from pathlib import Path
from typing import Any


def _runs(values: list[float], unit: str = "") -> str:
    return " / ".join(f"{v:g}{unit}" for v in values)


def _cell(summary: dict[str, Any], *key: Any) -> dict[str, Any] | None:
    for cell in summary["cells"]:
        if cell["key"][: len(key)] == list(key):
            found: dict[str, Any] = cell
            return found
    return None


def _ratio(a: float | None, b: float | None) -> str:
    return f"{a / b:.2f}" if a and b else "–"


def suite_entry(path: str, result: dict[str, Any]) -> str:
    m = result["machine"]
    summary = result["summary"]
    stamp = Path(path).stem.split("-", 1)[-1]
    pg = result.get("postgres", {})
    lines = [
        "",
        f"### Suite ({result['profile']['name']}) — {stamp}, commit {result['commit']}",
        "",
        f"Machine: {m['cpu']}, {m['cores']} cores, {m['memory']} RAM; {m['platform']}; "
        f"Python {m['python']}, SQLite {m['sqlite']}"
        + (f", PostgreSQL {pg['version']} ({pg['how']})" if pg else "")
        + f"; {m['wrk']}.",
        f"Load average at start {result['loadavg_start']}, at end {result['loadavg_end']} "
        f"(other work on the machine adds noise). {result['profile']['rounds']} rounds of "
        f"{result['profile']['seconds']:g} s per load figure; the whole run took "
        f"{result['duration_s'] / 60:.1f} min. Raw figures: `{path}`.",
    ]
    for note in result.get("notes", []):
        lines.append(f"Note: {note}")
    lines += [
        "",
        "Throughput (median of the rounds; every round listed; CPU = whole machine, "
        "2 cores = 100 %):",
        "",
        "| database | procs | test | Tenantry req/s | baseline req/s | ratio "
        "| Tenantry p50 / p99 ms | baseline p50 / p99 ms | p99 ratio | CPU % T / B "
        "| server CPU ms/req T / B | errors |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    tests = [("create", 4), ("create", 32), ("get (throttle off)", 32), ("get (throttle on)", 32)]
    for backend in result["backends"]:
        for procs in (1, 2):
            for kind, conns in tests:
                t = _cell(summary, "throughput", "tenantry", backend, procs, kind, conns)
                base_kind = "get" if kind.startswith("get") else kind
                b = _cell(summary, "throughput", "baseline", backend, procs, base_kind, conns)
                if t is None:
                    continue
                errors = t.get("failures", 0) + (b or {}).get("failures", 0)
                match = t.get("counts_match", True) and (b or {}).get("counts_match", True)
                lines.append(
                    f"| {backend} | {procs} | {kind} c{conns} | {t['rps']:g} "
                    f"({_runs(t['rps_runs'])}) | "
                    + (f"{b['rps']:g} ({_runs(b['rps_runs'])})" if b else "–")
                    + f" | **{_ratio(t['rps'], b['rps'] if b else None)}** | "
                    f"{t['p50_ms']:g} / {t['p99_ms']:g} | "
                    + (f"{b['p50_ms']:g} / {b['p99_ms']:g}" if b else "–")
                    + f" | {_ratio(t['p99_ms'], b['p99_ms'] if b else None)} | "
                    f"{t['machine_cpu_pct']:g} / {(b or {}).get('machine_cpu_pct', '–')} | "
                    f"{t['server_cpu_ms_per_request']:.2f} / "
                    + (f"{b['server_cpu_ms_per_request']:.2f}" if b else "–")
                    + f" | {errors}{'' if match else ', counts differ'} |"
                )
    lines += [
        "",
        "Noise (spread of the rounds, (max − min) / median, req/s): "
        + "; ".join(
            f"{'/'.join(str(k) for k in c['key'][1:])} {c.get('rps_spread_pct', 0):g} %"
            for c in summary["cells"]
            if c["key"][0] == "throughput"
        )
        + ".",
    ]
    shares = [
        "/".join(str(k) for k in c["key"][1:])
        + ": "
        + _runs(c["busiest_worker_cpu_share_pct"], " %")
        for c in summary["cells"]
        if c.get("busiest_worker_cpu_share_pct") and c["key"][3] == 2
    ]
    if shares:
        lines += [
            "",
            "Balance with 2 processes (CPU share of the busier process, each round; 50 % is "
            "even): " + "; ".join(shares) + ".",
        ]
    pages = [c for c in summary["cells"] if c["key"][0] == "pages"]
    if pages:
        rows = next(x["rows"] for x in result["measurements"] if x["phase"] == "pages")
        lines += [
            "",
            f"Pages with {rows:,} customers (p50 of sequential requests, each round listed):",
            "",
            "| database | system | request | page size | p50 ms | rounds |",
            "|---|---|---|---|---|---|",
        ]
        for c in pages:
            _, system, backend, kind, page, size = c["key"]
            lines.append(
                f"| {backend} | {system} | {kind}, {page} | {size} | {c['p50_ms']:g} | "
                f"{_runs(c['p50_ms_runs'])} |"
            )
    for x in result["measurements"]:
        if x["phase"] == "memory":
            readings = ", ".join(f"{r['creates']:,}: {r['rss_mb']:g}" for r in x["readings"])
            lines += [
                "",
                f"Resident memory, {x['system']} ({x['backend']}), MB after N creates: {readings}.",
            ]
        if x["phase"] == "import":
            lines += [
                "",
                f"CLI bulk import ({x['backend']}, round {x['round']}): {x['rows']:,} rows in "
                f"{x['seconds']:g} s, {x['rps']:g} rows/s with `tenantry customers import` "
                f"(8 in flight) against {x['create_rps']:g} creates/s from wrk at 32 "
                f"connections on the same server: {x['ratio']:g}×"
                + ("" if x["counts_match"] else f"; **{x['rows_created']} rows created**")
                + ".",
            ]
        if x["phase"] == "startup":
            lines += [
                "",
                f"Start to first 201: Tenantry median {x['tenantry']['median_s']} s "
                f"(min {x['tenantry']['min_s']}, max {x['tenantry']['max_s']}), baseline "
                f"{x['baseline']['median_s']} s; {x['rounds']} rounds.",
            ]
        if x["phase"] == "fixture":
            m = x["median_ms"]
            lines += [
                "",
                f"pytest fixture, median ms a test ({x['tests_per_run']} tests a run, "
                f"{x['rounds']} rounds; benchmarks/fixture.py): empty {m['empty']:g}, "
                f"`tenantry` (reset) {m['reset']:g}, create one customer {m['create']:g}, "
                f"moto's one bucket {m['moto']:g}; reset over empty "
                f"{x['reset_overhead_ms']:g}, create over moto {x['create_over_moto']:g}.",
            ]
    lines += [
        "",
        'Targets (issue "speed where users feel it"):',
        "",
        "| target | measured | goal | met |",
        "|---|---|---|---|",
    ]
    for t in result["targets"]:
        met = {True: "yes", False: "**no**", None: "–"}[t["met"]]
        value = "–" if t["value"] is None else f"{t['value']:g}"
        note = f" ({t['note']})" if t.get("note") else ""
        lines.append(f"| {t['target']}{note} | {value} | {t['goal']} | {met} |")
    return "\n".join(lines) + "\n"


def startup_entry(path: str, result: dict[str, Any]) -> str:
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=False
    ).stdout.strip()

    def row(label: str, figures: dict[str, float]) -> str:
        return (
            f"| {label} | {figures['median_s']} s | {figures['min_s']} s | {figures['max_s']} s |"
        )

    tenantry = row("Tenantry (`tenantry serve --ephemeral`, token + create)", result["tenantry"])
    baseline = row("baseline (FastAPI + pydantic + one SQLite insert)", result["baseline"])
    return f"""
### {result["benchmark"]} — {Path(path).stem.split("-", 1)[1]}, commit {commit or "unknown"}

Machine: {platform.platform()}, Python {platform.python_version()}, {os.cpu_count()} cores.
{result["rounds"]} rounds, baseline and Tenantry interleaved; each sample is a fresh process.

| | median | min | max |
|---|---|---|---|
{tenantry}
{baseline}

Ratio of medians (Tenantry / baseline): **{result["ratio_median"]}**. Raw samples: `{path}`.
"""


def insert_into(document: Path, entry: str) -> None:
    """Put the entry at the end of the document's "## Results" section (before the next
    "## " heading, if any), so entries stay together whatever sections follow."""
    text = document.read_text()
    start = text.find("\n## Results\n")
    following = -1 if start < 0 else text.find("\n## ", start + 1)
    if following < 0:
        document.write_text(text.rstrip("\n") + "\n" + entry)
        return
    head, tail = text[:following].rstrip("\n"), text[following:]
    document.write_text(head + "\n" + entry + tail)


def main(argv: list[str]) -> None:
    into = None
    if len(argv) == 3 and argv[0] == "--into":
        into, argv = Path(argv[1]), argv[2:]
    path = argv[0]
    result = json.loads(Path(path).read_text())
    if result.get("benchmark") == "suite":
        entry = suite_entry(path, result)
    else:
        entry = startup_entry(path, result)
    if into is None:
        print(entry, end="")
    else:
        insert_into(into, entry)


if __name__ == "__main__":
    main(sys.argv[1:])
