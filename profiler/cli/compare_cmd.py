"""`app.py compare MODEL.param --table T --image IMG [--images DIR] [--max-error METRIC=VALUE] [--isolated]`:
the per-layer FP32-vs-int8 error table, headless. Exit 1 when a layer crosses the --max-error bound."""
from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path

from engine.errors import EngineError, ModelFormatError

from ..compare import (CompareCancelled, CompareError, CompareRunError, ImageComparison, SetComparison,
                       compare_image, compare_set, list_inputs, parse_bound)
from ..compare.metrics import Bound
from ..compare.twin import make_twin
from .common import EXIT_CANCELLED, EXIT_FAILED, EXIT_OK, CliError, err, open_model, read_input
from .progress import ProgressBar


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("compare", help="per-layer FP32-vs-int8 error of a model under a calibration table",
                       description="Run the model in fp32 and as simulated int8 (the table's scales, ncnn's int8 "
                                   "arithmetic) and print, for every layer in execution order, how far the int8 "
                                   "output is from the fp32 one: cosine similarity, SNR (dB), max and mean "
                                   "absolute error, relative L2. Exit code 1 when a layer crosses --max-error, "
                                   "2 for usage errors.")
    p.add_argument("model", help="the fp32 .param file; the .bin beside it is used")
    p.add_argument("--table", required=True, help="calibration table (ncnn2table's format)")
    p.add_argument("--image", "--input", dest="image", help="image or .npy input")
    p.add_argument("--images", help="a folder of images / .npy files: mean and worst error per layer over them")
    p.add_argument("--max-error", dest="max_error", metavar="METRIC=VALUE",
                   help="bound: cosine=0.99, snr=20 (dB), max_abs=..., mean_abs=..., rel_l2=...; the first layer "
                        "crossing it is named and the exit code is 1")
    p.add_argument("--isolated", action="store_true",
                   help="each quantised layer alone, fed fp32 inputs (default: the whole int8 graph, accumulated)")
    p.add_argument("--keep-fp32", dest="keep_fp32", default="", metavar="LAYER,...",
                   help="layers to keep in floating point although the table has them")
    p.add_argument("--bin", dest="bin_path", help="weights file, if not <model>.bin")
    p.add_argument("--threads", type=int, default=None)
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(handler=run)


def _num(v: float, kind: str) -> str:
    if math.isnan(v):
        return "nan"
    if math.isinf(v):
        return "inf" if v > 0 else "-inf"
    return f"{v:.6f}" if kind == "cosine" else f"{v:.2f}" if kind == "snr_db" else f"{v:.4g}"


def _print(headers: list[str], rows: list[list[str]]) -> None:
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(headers)]
    right = {i for i, h in enumerate(headers) if h not in ("layer", "type", "blob", "int8", "worst image")}

    def line(cells: list[str]) -> str:
        return "  ".join(c.rjust(w) if i in right else c.ljust(w) for i, (c, w) in enumerate(zip(cells, widths)))
    print(line(headers).rstrip())
    for r in rows:
        print(line(r).rstrip())


def print_image(result: ImageComparison, mode: str) -> None:
    rows = []
    for r in result.rows:
        m = r.metrics(mode)
        if m is None:
            continue
        rows.append([str(r.index), r.layer, r.type, r.blob, "int8" if r.quantised else "",
                     *(_num(m.get(k), k) for k in ("cosine", "snr_db", "max_abs", "mean_abs", "rel_l2"))])
    _print(["#", "layer", "type", "blob", "int8", "cosine", "SNR dB", "max |err|", "mean |err|", "rel L2"], rows)


def print_set(result: SetComparison, mode: str, worst_by: str) -> None:
    rows = []
    for r in result.rows:
        s = r.summary(mode)
        if s is None:
            continue
        rows.append([str(r.index), r.layer, r.type, "int8" if r.quantised else "",
                     _num(s["cosine"].mean, "cosine"), _num(s["cosine"].worst, "cosine"),
                     _num(s["snr_db"].mean, "snr_db"), _num(s["snr_db"].worst, "snr_db"),
                     _num(s["rel_l2"].mean, "rel_l2"), _num(s["max_abs"].worst, "max_abs"),
                     Path(s[worst_by].worst_image).name])
    _print(["#", "layer", "type", "int8", "cosine mean", "cosine worst", "SNR mean", "SNR worst", "rel L2 mean",
            "max |err| worst", "worst image"], rows)


def run(args: argparse.Namespace) -> int:
    if not args.image and not args.images:
        raise CliError("give an --image (or a folder with --images) to compare on")
    try:
        bound: Bound | None = parse_bound(args.max_error) if args.max_error else None
    except CompareError as e:
        raise CliError(f"--max-error: {e}") from None
    if not Path(args.table).is_file():
        raise CliError(f"--table: {args.table}: no such file")
    samples = None
    if args.images:
        try:
            samples = list_inputs(args.images)
        except CompareError as e:
            raise CliError(f"--images: {e}") from None
    model = open_model(args.model, args.bin_path, threads=args.threads, lightmode=True)
    if model.synthetic:
        raise CliError(f"{args.model}: no .bin weights found; the comparison needs the trained weights (--bin)")
    try:
        x = read_input(args.image, model.preprocess) if args.image else None
    except EngineError as e:  # an unreadable image is the user's to fix: exit 2, not 1 ("bound crossed")
        raise CliError(f"--image: {e}") from None
    keep = [k for k in (s.strip() for s in args.keep_fp32.split(",")) if k]
    unknown = sorted(set(keep) - {layer.name for layer in model.net.layers})
    if unknown:
        raise CliError(f"--keep-fp32: the model has no layer {', '.join(map(repr, unknown))}")
    try:
        twin = make_twin(model.net, Path(args.table), keep)
    except (ModelFormatError, CompareError) as e:  # the table does not fit the model
        raise CliError(f"--table: {e}") from None
    for w in twin.warnings:
        err(f"--table: {w}")
    mode = "isolated" if args.isolated else "accumulated"
    flags = {"accumulated": not args.isolated, "isolated": args.isolated}
    print(f"{model.files.stem}: {len(twin.quantised)} layers int8 under {Path(args.table).name}, "
          f"{mode} error (fp32 reference)")
    crossed = False
    try:
        if x is not None:
            bar = ProgressBar("comparing", quiet=args.quiet)
            bar.update(0, 1, Path(args.image).name)
            one = compare_image(model.net, twin.net, x, str(args.image), **flags)
            bar.update(1, 1, "done")
            bar.close()
            print(f"\nimage {args.image}:")
            print_image(one, mode)
            if bound is not None:
                hit = one.first_crossing(bound, mode)
                crossed |= hit is not None
                print(f"first layer with {bound.describe()}: " + (
                    f"{hit.layer} ({hit.type}), blob {hit.blob}, {bound.metric} "
                    f"{_num(hit.metrics(mode).get(bound.metric), bound.metric)}" if hit else "none"))
        if samples is not None:
            bar = ProgressBar(f"comparing {len(samples)} inputs", quiet=args.quiet)
            many = compare_set(model.net, twin.net, samples, model.preprocess, progress=bar.update, **flags)
            bar.close()
            worst_by = bound.metric if bound else "cosine"
            print(f"\n{len(samples)} inputs in {args.images} (worst image by {worst_by}):")
            print_set(many, mode, worst_by)
            if bound is not None:
                found = many.first_crossing(bound, mode)
                crossed |= found is not None
                if found:
                    row, image = found
                    print(f"first layer with {bound.describe()} on some input: {row.layer} ({row.type}), blob "
                          f"{row.blob}, {bound.metric} {_num(row.summary(mode)[bound.metric].worst, bound.metric)}"
                          f" on {image}")
                else:
                    print(f"first layer with {bound.describe()} on some input: none")
    except CompareCancelled:
        err("comparison cancelled")
        return EXIT_CANCELLED
    except CompareRunError as e:
        err(str(e))
        return EXIT_FAILED
    except CompareError as e:
        raise CliError(str(e)) from None
    sys.stdout.flush()
    return EXIT_FAILED if crossed else EXIT_OK
