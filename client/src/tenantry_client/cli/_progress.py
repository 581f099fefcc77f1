"""The import's progress bar on stderr (rich, from the `cli` extra), or plain lines."""

from __future__ import annotations

import sys
from typing import Any


class Progress:
    """A rich progress bar when rich is installed and wanted; otherwise nothing."""

    def __init__(self, total: int, enabled: bool, label: str = "importing") -> None:
        self._bar: Any = None
        self._task: Any = None
        if not enabled:
            return
        try:
            from rich.console import Console
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                TextColumn,
                TimeRemainingColumn,
            )
            from rich.progress import Progress as Bar
        except ImportError:  # the `cli` extra is not installed
            return
        self._bar = Bar(
            TextColumn("[progress.description]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeRemainingColumn(),
            console=Console(stderr=True),
        )
        self._task = self._bar.add_task(label, total=total)
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
