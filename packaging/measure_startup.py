#!/usr/bin/env python3
"""Start-up time of the desktop app, from source and frozen: process start until the window is shown with the
demo graph laid out and painted (the app's --screenshot mode: open the model, wait for it, grab, exit).

    .venv/bin/python packaging/measure_startup.py [--frozen dist/layerscope] [--runs 7]

Runs are interleaved (source, frozen, source, ...) after one warm-up each (disk cache), on Qt's offscreen
platform with a fresh settings file; the figures are medians of the whole process's wall time and of its
CPU time (user + system, which a busy shared machine disturbs less than the wall time).
"""
from __future__ import annotations

import argparse
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEMO = Path("resources") / "models" / "squeezenet_v1.1.param"


def commands(frozen: Path, shot: Path, settings: Path) -> dict[str, list[str]]:
    tail = ["--screenshot", str(shot), "--settings", str(settings)]
    return {
        "source": [sys.executable, str(ROOT / "app.py"), str(ROOT / DEMO), *tail],
        "frozen": [str(frozen / "layerscope"), str(frozen / "_internal" / DEMO), *tail],
    }


def time_once(cmd: list[str], home: Path) -> tuple[float, float]:
    """(wall seconds, CPU seconds) of one run."""
    env = {"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": str(home), "LANG": "C.UTF-8",
           "QT_QPA_PLATFORM": "offscreen"}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=home, env=env, capture_output=True, text=True, timeout=300)
    elapsed = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if proc.returncode != 0 or "screenshot saved" not in proc.stderr:
        raise RuntimeError(f"{' '.join(cmd)} failed (exit {proc.returncode}):\n{proc.stderr[-2000:]}")
    return elapsed, cpu


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--frozen", default=str(ROOT / "dist" / "layerscope"), help="the built app folder")
    p.add_argument("--runs", type=int, default=7, help="timed runs of each (default 7; at least 5)")
    args = p.parse_args(argv)
    frozen = Path(args.frozen).resolve()
    if not (frozen / "layerscope").is_file():
        print(f"measure_startup: no built app in {frozen} (run packaging/build.py)", file=sys.stderr)
        return 1
    if args.runs < 5:
        print("measure_startup: --runs must be at least 5", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp)
        cmds = commands(frozen, home / "shot.png", home / "settings.json")
        times: dict[str, list[tuple[float, float]]] = {k: [] for k in cmds}
        try:
            for cmd in cmds.values():
                time_once(cmd, home)  # warm-up
            for _ in range(args.runs):
                for name, cmd in cmds.items():
                    times[name].append(time_once(cmd, home))
        except (RuntimeError, subprocess.TimeoutExpired) as e:
            print(f"measure_startup: {e}", file=sys.stderr)
            return 1
    for name, cmd in cmds.items():
        wall, cpu = [w for w, _ in times[name]], [c for _, c in times[name]]
        print(f"{name}: wall median {statistics.median(wall):.2f} s (min {min(wall):.2f}, max {max(wall):.2f}), "
              f"CPU median {statistics.median(cpu):.2f} s, {len(wall)} runs\n  $ {' '.join(cmd)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
