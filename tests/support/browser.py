"""Headless Chromium (Debian `chromium`) as a test instrument: console messages and page requests."""
from __future__ import annotations

import json
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest

FLAGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-dev-shm-usage"]
_CONSOLE = re.compile(r":CONSOLE:?\d*\]?\s*\"(.*)\", source: (.*)$")


@dataclass
class PageLoad:
    console: list[str]  # every console message (errors, warnings, logs)
    requests: list[str]  # URLs the page itself asked for (not the browser's own background traffic)
    screenshot: Path | None


def chromium() -> str:
    exe = shutil.which("chromium") or shutil.which("chromium-browser")
    if exe is None:
        pytest.skip("Debian `chromium` is not installed (tests/run.sh installs it as root)")
    return exe


def load_page(path: Path, screenshot: Path | None = None, size: str = "1280,2000") -> PageLoad:
    exe = chromium()
    with tempfile.TemporaryDirectory() as tmp:
        netlog = Path(tmp) / "net.json"
        args = [exe, *FLAGS, f"--user-data-dir={tmp}/profile", "--enable-logging=stderr", "--v=0",
                f"--log-net-log={netlog}", f"--window-size={size}"]
        args += [f"--screenshot={screenshot}"] if screenshot else ["--dump-dom"]
        run = subprocess.run([*args, path.resolve().as_uri()], capture_output=True, text=True, timeout=120)
        console = [m.group(1) for line in run.stderr.splitlines() if (m := _CONSOLE.search(line))]
        requests = []
        if netlog.exists():
            for event in json.loads(netlog.read_text()).get("events", []):
                params = event.get("params", {})
                # Requests made on behalf of the page carry its (file://) origin in the isolation key.
                if "url" in params and "file://" in str(params.get("network_isolation_key", "")):
                    if not params["url"].startswith(("file:", "data:")):
                        requests.append(params["url"])
    return PageLoad(console, sorted(set(requests)), screenshot if screenshot and screenshot.exists() else None)
