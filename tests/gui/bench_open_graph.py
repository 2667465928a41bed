"""Times opening a model in the window: parse + weights + layout (the worker's part), then building the
scene and painting the whole graph view once (the UI thread's part). Median of N runs. Not a pytest test.

    QT_QPA_PLATFORM=offscreen .venv/bin/python tests/gui/bench_open_graph.py [--runs 5] [MODEL.param]

Without MODEL, realesrgan-x4plus (998 layers) from the test model cache.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtWidgets import QApplication  # noqa: E402

from gui.main_window import MainWindow  # noqa: E402
from gui.state.session import Session, load_model_document  # noqa: E402
from gui.state.settings import Settings  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model", nargs="?")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    if args.model:
        param = Path(args.model)
    else:
        from tests.support.zoo import model_files
        param = model_files("realesrgan-x4plus")["param"]
    app = QApplication.instance() or QApplication([])
    window = MainWindow(Session(Settings(None)))
    window.show()
    app.processEvents()
    load_ms, paint_ms = [], []
    for _ in range(args.runs):
        start = time.perf_counter()
        doc = load_model_document(param)
        load_ms.append((time.perf_counter() - start) * 1000)
        start = time.perf_counter()
        window.session.set_model(doc)  # rebuilds the scene
        window.graph.fit()  # the whole graph in view: the worst case for painting
        window.graph.viewport().grab()  # one full paint
        paint_ms.append((time.perf_counter() - start) * 1000)
    total = [a + b for a, b in zip(load_ms, paint_ms)]
    print(f"{param.name}: {len(doc.net.layers)} layers, {len(doc.display.nodes)} nodes shown")
    print(f"open (parse + weights + layout) median {statistics.median(load_ms):.0f} ms, "
          f"scene + paint median {statistics.median(paint_ms):.0f} ms, "
          f"total median {statistics.median(total):.0f} ms (min {min(total):.0f}, max {max(total):.0f}) "
          f"over {args.runs} runs")
    return 0


if __name__ == "__main__":
    sys.exit(main())
