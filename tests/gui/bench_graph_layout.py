"""Times layout_graph on model-shaped graphs: median (and min, max) of 5 runs each. Not a pytest test.

    /work/venv/bin/python tests/gui/bench_graph_layout.py [--runs N]
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from gui.graph_layout import layout_graph  # noqa: E402
from tests.gui.synthetic_graphs import (  # noqa: E402
    REALESRGAN_PARAM,
    display_graph_of,
    residual_chain,
    unet,
    wide_fan_out,
)
from tests.gui.test_graph_layout import crossings  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    cases = {"residual chain": residual_chain(), "UNet": unet(), "fan-out 16": wide_fan_out()}
    if REALESRGAN_PARAM.exists():
        cases["realesrgan-x4plus"] = display_graph_of(REALESRGAN_PARAM)
    else:
        print("(realesrgan-x4plus not in the model cache: fetch it with the test suite to time it too)")
    print(f"{'graph':<20}{'nodes':>7}{'edges':>7}{'median ms':>11}{'min ms':>9}{'max ms':>9}{'crossings':>11}"
          f"{'width':>9}{'height':>9}")
    for name, (nodes, edges) in cases.items():
        times = []
        for _ in range(args.runs):
            start = time.perf_counter()
            layout = layout_graph(nodes, edges)
            times.append((time.perf_counter() - start) * 1000)
        print(f"{name:<20}{len(nodes):>7}{len(edges):>7}{statistics.median(times):>11.1f}{min(times):>9.1f}"
              f"{max(times):>9.1f}{crossings(layout):>11}{layout.width:>9.0f}{layout.height:>9.0f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
