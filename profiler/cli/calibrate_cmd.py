"""`app.py calibrate MODEL.param --images DIR --method kl --table out.table [--int8-model OUT]`.

ncnn2table's job, headless: the table it writes feeds ncnn2int8 (or Layerscope's own int8 export).
Exit codes: 0 done, 1 the model or the data failed, 2 bad arguments, 130 interrupted.
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

from engine.int8.table import write_table

from ..calibration import METHODS, CalibrationCancelled, CalibrationError, calibrate, list_samples
from ..calibration.methods import DEFAULT_PERCENTILE
from .common import EXIT_CANCELLED, EXIT_FAILED, EXIT_OK, CliError, err, open_model
from .progress import ProgressBar


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("calibrate", help="compute an int8 calibration table (ncnn2table's format)",
                       description="Run the images (or .npy arrays) in --images through the fp32 model with its "
                                   "preprocessing, pick activation thresholds with --method and write the "
                                   "ncnn .table (weight scales per channel, one scale per calibrated layer).")
    p.add_argument("model", help="the fp32 .param file (weights: the .bin beside it, or --bin)")
    p.add_argument("--bin", dest="bin_path", help="the .bin weights (default: next to the .param)")
    p.add_argument("--images", required=True, help="folder of calibration images and/or .npy inputs")
    p.add_argument("--method", choices=METHODS, default="kl", help="threshold method (default kl)")
    p.add_argument("--percentile", type=float, default=DEFAULT_PERCENTILE,
                   help=f"for --method percentile: percentile of |x| kept (default {DEFAULT_PERCENTILE})")
    p.add_argument("--table", required=True, help="the .table file to write")
    p.add_argument("--int8-model", help="also write the int8 model: OUT.param and OUT.bin")
    p.add_argument("--limit", type=int, default=None, help="use only the first N samples (sorted by name)")
    p.add_argument("--eq-samples", type=int, default=50, help="samples the eq search uses (default 50)")
    p.add_argument("--threads", type=int, default=None)
    p.add_argument("--quiet", action="store_true", help="no progress bar and no per-layer summary")
    p.set_defaults(handler=run)


def int8_paths(out: str) -> tuple[Path, Path]:
    base = Path(out)
    if base.suffix == ".param":
        return base, base.with_suffix(".bin")
    return base.with_name(base.name + ".param"), base.with_name(base.name + ".bin")


def _usual_mode(*paths: Path) -> None:
    """Temporary files are created 0600; the results should get the user's usual permissions."""
    umask = os.umask(0)
    os.umask(umask)
    for p in paths:
        os.chmod(p, 0o666 & ~umask)


def _load_exporter():
    try:
        from engine.int8.export import write_int8_model  # written by the int8 execution work (issue 4)
    except ImportError:
        return None
    return write_int8_model


def write_int8(net, table, out: str) -> tuple[Path, Path]:
    """Both files appear together or not at all (temporary names, renamed after success)."""
    exporter = _load_exporter()
    if exporter is None:
        raise CliError("--int8-model: engine.int8.export.write_int8_model is not available yet "
                       "(the table was written; convert it with ncnn2int8 meanwhile)")
    param, binp = int8_paths(out)
    tmp = []
    try:
        for final in (param, binp):
            fd, name = tempfile.mkstemp(dir=final.parent, prefix=f".{final.name}.", suffix=".tmp")
            os.close(fd)
            tmp.append(Path(name))
        exporter(net, table, tmp[0], tmp[1])
        _usual_mode(*tmp)
        os.replace(tmp[1], binp)
        os.replace(tmp[0], param)
    finally:
        for t in tmp:
            if t.exists():
                t.unlink()
    return param, binp


def run(args: argparse.Namespace) -> int:
    if args.limit is not None and args.limit < 1:
        raise CliError("--limit must be >= 1")
    if args.eq_samples < 1:
        raise CliError("--eq-samples must be >= 1")
    if not 0 < args.percentile <= 100:
        raise CliError("--percentile must be in (0, 100]")
    table_path = Path(args.table)
    if not table_path.parent.is_dir():
        raise CliError(f"--table: folder {table_path.parent} does not exist")
    if args.int8_model and not int8_paths(args.int8_model)[0].parent.is_dir():
        raise CliError(f"--int8-model: folder {int8_paths(args.int8_model)[0].parent} does not exist")
    try:
        samples = list_samples(args.images)
    except CalibrationError as e:
        raise CliError(f"--images: {e}") from None
    samples = samples[: args.limit] if args.limit else samples
    model = open_model(args.model, args.bin_path, threads=args.threads, lightmode=True)
    if model.synthetic:
        raise CliError(f"{args.model}: no .bin weights found; calibration needs the trained weights (--bin)")
    bar = ProgressBar(f"calibrating ({args.method})", quiet=args.quiet)
    start = time.perf_counter()
    try:
        result = calibrate(model.net, samples, args.method, model.preprocess, percentile=args.percentile,
                           progress=bar.update, eq_samples=args.eq_samples)
    except CalibrationCancelled:
        bar.close()
        err("calibration cancelled")
        return EXIT_CANCELLED
    except CalibrationError as e:
        bar.close()
        err(str(e))
        return EXIT_FAILED
    bar.close()
    try:
        write_table(result.table, table_path)
        _usual_mode(table_path)
    except OSError as e:
        err(f"{table_path}: cannot write the table ({e.strerror or e})")
        return EXIT_FAILED
    elapsed = time.perf_counter() - start
    if not args.quiet:
        for b in result.blobs:
            print(f"{b.layer:<40} max = {b.absmax:<12.6g} threshold = {b.threshold:<12.6g} scale = {b.scale:<12.6g}"
                  f" clipped = {100 * b.clipped_fraction:.4f}%")
    for note in result.notes:
        err(note)
    print(f"{model.files.stem}: {len(result.blobs)} layers calibrated with {args.method} over {len(samples)} "
          f"samples in {elapsed:.1f} s")
    print(f"table: {table_path.resolve()}")
    if args.int8_model:
        try:
            param, binp = write_int8(model.net, result.table, args.int8_model)
        except OSError as e:
            err(f"--int8-model: cannot write the model ({e.strerror or e})")
            return EXIT_FAILED
        print(f"int8 model: {param.resolve()}\n            {binp.resolve()}")
    sys.stdout.flush()
    return EXIT_OK
