"""The conditions a measurement was taken under (reported beside every number)."""
from __future__ import annotations

import os
import platform
import sys
from functools import lru_cache
from typing import Any

import numpy as np

LAYERSCOPE_VERSION = "0.1.0"


@lru_cache(maxsize=1)
def cpu_name() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def environment(threads: int, backend: str, device: str | None = None) -> dict[str, Any]:
    env = {
        "layerscope": LAYERSCOPE_VERSION,
        "python": sys.version.split()[0],
        "numpy": np.__version__,
        "os": f"{platform.system()} {platform.release()}",
        "cpu": cpu_name(),
        "cpu_cores": os.cpu_count(),
        "threads": threads,
        "backend": backend,
    }
    if device:
        env["device"] = device
    return env
