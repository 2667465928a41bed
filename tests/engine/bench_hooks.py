"""What per-layer hooks cost: SqueezeNet extracted with no hook, with one no-op hook, and with the
profiler's collector. Interleaved, medians of N runs. Not a pytest test (speed lives in benchmarks).

    .venv/bin/python tests/engine/bench_hooks.py [--runs 31]
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from engine import Net  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=31)
    args = parser.parse_args()
    param = ROOT / "resources" / "models" / "squeezenet_v1.1.param"
    net = Net()
    net.opt.num_threads = 2
    net.load_param(param)
    net.load_model(param.with_suffix(".bin"))
    x = np.random.default_rng(0).uniform(-100, 100, (3, 227, 227)).astype(np.float32)
    events: list = []
    variants = {"no hook": None, "no-op hook": lambda e: None, "collecting hook": events.append}
    times: dict[str, list[float]] = {k: [] for k in variants}
    for _ in range(args.runs + 2):
        for name, hook in variants.items():
            ex = net.create_extractor()
            if hook is not None:
                ex.add_hook(hook)
            t0 = time.perf_counter()
            ex.input("data", x)
            ex.extract("prob")
            times[name].append((time.perf_counter() - t0) * 1000)
            events.clear()
    base = statistics.median(times["no hook"][2:])
    for name, ts in times.items():
        m = statistics.median(ts[2:])
        print(f"{name:16s} median {m:7.3f} ms  ({m - base:+.3f} ms vs no hook) over {args.runs} runs")
    return 0


if __name__ == "__main__":
    sys.exit(main())
