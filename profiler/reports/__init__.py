"""Report exporters: one module per format, all fed by a ReportBundle; written atomically together."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

from . import csv_report, html_report, json_report, trace
from .bundle import ReportBundle, build_bundle

FILES = {"report.html": html_report.render, "profile.json": json_report.render, "layers.csv": csv_report.render,
         "trace.json": trace.render}

__all__ = ["ReportBundle", "build_bundle", "write_report", "FILES"]


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_report(bundle: ReportBundle, out_dir: str | Path) -> dict[str, Path]:
    """Render every format in memory first, then replace the files one by one (each via a temporary
    file and os.replace), so a failure never leaves a half-written report in place of a good one."""
    rendered = {name: render(bundle) for name, render in FILES.items()}
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    temps: dict[str, str] = {}
    try:
        for name, text in rendered.items():
            fd, tmp = tempfile.mkstemp(dir=out, prefix=f".{name}.", suffix=".tmp")
            temps[name] = tmp
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                f.write(text)
            os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; a report is meant to be shared
        for name, tmp in temps.items():
            os.replace(tmp, out / name)
    finally:
        for tmp in temps.values():
            if os.path.exists(tmp):
                os.unlink(tmp)
    return {name: out / name for name in FILES}
