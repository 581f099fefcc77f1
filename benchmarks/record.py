"""Turn one result file into a docs/benchmarks.md entry (machine, commit, figures, noise)."""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
from pathlib import Path


def main(path: str) -> None:
    result = json.loads(Path(path).read_text())
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=False
    ).stdout.strip()

    def row(label: str, figures: dict[str, float]) -> str:
        return (
            f"| {label} | {figures['median_s']} s | {figures['min_s']} s | {figures['max_s']} s |"
        )

    tenantry = row("Tenantry (`tenantry serve --ephemeral`, token + create)", result["tenantry"])
    baseline = row("baseline (FastAPI + pydantic + one SQLite insert)", result["baseline"])
    print(f"""
### {result["benchmark"]} — {Path(path).stem.split("-", 1)[1]}, commit {commit or "unknown"}

Machine: {platform.platform()}, Python {platform.python_version()}, {os.cpu_count()} cores.
{result["rounds"]} rounds, baseline and Tenantry interleaved; each sample is a fresh process.

| | median | min | max |
|---|---|---|---|
{tenantry}
{baseline}

Ratio of medians (Tenantry / baseline): **{result["ratio_median"]}**. Raw samples: `{path}`.
""")


if __name__ == "__main__":
    main(sys.argv[1])
