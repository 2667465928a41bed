"""A progress bar on stderr for long work; silent when stderr is not a terminal or with --quiet."""
from __future__ import annotations

import sys
import time


class ProgressBar:
    def __init__(self, label: str, quiet: bool = False, width: int = 30) -> None:
        self.label = label
        self.enabled = not quiet and sys.stderr.isatty()
        self.width = width
        self._last = 0.0

    def update(self, done: int, total: int, message: str = "") -> None:
        if not self.enabled or total <= 0:
            return
        now = time.monotonic()
        if done < total and now - self._last < 0.1:
            return
        self._last = now
        filled = int(self.width * done / total)
        bar = "#" * filled + "-" * (self.width - filled)
        sys.stderr.write(f"\r{self.label} [{bar}] {100 * done // total:3d}% {message[:40]}")
        sys.stderr.flush()

    def close(self) -> None:
        if self.enabled:
            sys.stderr.write("\n")
            sys.stderr.flush()
