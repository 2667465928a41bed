"""`app.py bench MODEL.param[@C,H,W] ...`: Layerscope and ncnn side by side, medians and their ratio.

Runs are interleaved (ours, ncnn, ours, ...) after a warm-up so that machine noise hits both alike.
ncnn (the pip package) runs with its default options (winograd, sgemm, packing on) and the same
thread count and input; it is optional: without it only Layerscope's column is printed.
"""
from __future__ import annotations

import argparse
import statistics
import time
from dataclasses import dataclass

import numpy as np

from .common import EXIT_OK, CliError, err, input_shape_for, open_model, parse_shape, synthetic_input


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("bench", help="time models with Layerscope and ncnn side by side",
                       description="Median wall time per inference of each model, Layerscope vs ncnn "
                                   "(pip), same threads and input. MODEL may end with @C,H,W to set its "
                                   "input shape.")
    p.add_argument("models", nargs="+", metavar="MODEL[@C,H,W]")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--runs", type=int, default=10, help="timed runs per engine (>= 5; default 10)")
    p.add_argument("--warmup", type=int, default=3)
    p.add_argument("--no-ncnn", action="store_true", help="time Layerscope only")
    p.set_defaults(handler=run)


@dataclass(frozen=True)
class BenchRow:
    model: str
    shape: tuple[int, ...]
    threads: int
    ours_ms: list[float]
    ncnn_ms: list[float] | None

    @property
    def ours_median(self) -> float:
        return statistics.median(self.ours_ms)

    @property
    def ncnn_median(self) -> float | None:
        return statistics.median(self.ncnn_ms) if self.ncnn_ms else None

    @property
    def ratio(self) -> float | None:
        n = self.ncnn_median
        return self.ours_median / n if n else None


class _NcnnRunner:
    def __init__(self, param: str, bin_path: str | None, threads: int) -> None:
        import ncnn
        self._ncnn = ncnn
        self.net = ncnn.Net()
        self.net.opt.num_threads = threads
        if self.net.load_param(param) != 0:
            raise CliError(f"ncnn refused {param}")
        ok = self.net.load_model(bin_path) if bin_path else self.net.load_model(ncnn.DataReaderFromEmpty())
        if ok != 0:
            raise CliError(f"ncnn refused the weights of {param}")

    def __call__(self, input_name: str, x: np.ndarray, outputs: list[str]) -> None:
        ex = self.net.create_extractor()
        ex.input(input_name, self._ncnn.Mat(x))
        for name in outputs:
            ex.extract(name)


def bench_model(spec: str, threads: int, runs: int, warmup: int, with_ncnn: bool) -> BenchRow:
    path, _, shape_text = spec.partition("@")
    model = open_model(path, threads=threads)
    net = model.net
    shape = parse_shape(shape_text) if shape_text else input_shape_for(model, None)
    x = synthetic_input(shape)
    inp, outs = net.input_names()[0], net.output_names()

    def ours() -> None:
        ex = net.create_extractor()
        ex.input(inp, x)
        ex.extract_many(outs)

    theirs = None
    if with_ncnn:
        try:
            theirs = _NcnnRunner(str(model.files.param), str(model.files.bin) if model.files.bin else None, threads)
        except ImportError:
            err("the pip package `ncnn` is not installed: timing Layerscope only")
    for _ in range(warmup):
        ours()
        if theirs:
            theirs(inp, x, outs)
    ours_ms, ncnn_ms = [], []
    for _ in range(runs):
        t0 = time.perf_counter()
        ours()
        ours_ms.append((time.perf_counter() - t0) * 1e3)
        if theirs:
            t0 = time.perf_counter()
            theirs(inp, x, outs)
            ncnn_ms.append((time.perf_counter() - t0) * 1e3)
    return BenchRow(model.files.stem, shape, threads, ours_ms, ncnn_ms or None)


def format_rows(rows: list[BenchRow]) -> str:
    lines = [f"{'model':<32} {'input':<12} {'threads':>7} {'layerscope ms':>14} {'ncnn ms':>9} {'ratio':>6}"]
    for r in rows:
        n, ratio = r.ncnn_median, r.ratio
        lines.append(f"{r.model:<32} {'x'.join(map(str, r.shape)):<12} {r.threads:>7} {r.ours_median:>14.2f} "
                     f"{(f'{n:.2f}' if n else '-'):>9} {(f'{ratio:.2f}' if ratio else '-'):>6}")
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    if args.runs < 5:
        raise CliError("--runs must be at least 5 (medians of fewer runs are not worth reporting)")
    rows = []
    for spec in args.models:
        rows.append(bench_model(spec, args.threads, args.runs, args.warmup, not args.no_ncnn))
        print(format_rows(rows[-1:]).splitlines()[1] if len(rows) > 1 else format_rows(rows), flush=True)
    print(f"(median of {args.runs} interleaved runs after {args.warmup} warm-up runs each)")
    return EXIT_OK
