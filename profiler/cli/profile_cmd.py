"""`app.py profile MODEL.param --image IMG --out DIR` (or `--demo`): the report bundle, headless."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..reports import build_bundle, write_report
from ..timing import profile_model
from .common import EXIT_OK, CliError, input_shape_for, open_model, read_input, synthetic_input
from .progress import ProgressBar

ROOT = Path(__file__).resolve().parents[2]
DEMO_MODEL = ROOT / "resources" / "models" / "squeezenet_v1.1.param"
DEMO_IMAGE = ROOT / "resources" / "images" / "chelsea.png"
DEMO_OUT = Path("layerscope-report")


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("profile", help="profile a model and write the report bundle",
                       description="Run a model N times with per-layer timing and write report.html, "
                                   "profile.json, layers.csv and trace.json into --out.")
    p.add_argument("model", nargs="?", help="the .param file (omit with --demo)")
    p.add_argument("--demo", action="store_true", help="profile the bundled demo model on the demo image")
    p.add_argument("--image", "--input", dest="image", help="image or .npy input (default: seeded random)")
    p.add_argument("--shape", help="input shape C,H,W for a random input")
    p.add_argument("--runs", type=int, default=10, help="timed runs (default 10)")
    p.add_argument("--warmup", type=int, default=1)
    p.add_argument("--threads", type=int, default=None)
    p.add_argument("--backend", choices=("cpu", "vulkan"), default="cpu")
    p.add_argument("--table", help="int8 calibration table: adds histograms and FP32-vs-int8 errors")
    p.add_argument("--out", help="output folder (default: ./layerscope-report)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    if args.demo:
        args.model, args.image = str(DEMO_MODEL), args.image or str(DEMO_IMAGE)
    if not args.model:
        raise CliError("give a MODEL.param, or --demo")
    if args.runs < 1:
        raise CliError("--runs must be >= 1")
    out_dir = Path(args.out) if args.out else DEMO_OUT
    model = open_model(args.model, threads=args.threads, lightmode=False)
    net = model.net
    if args.backend == "vulkan":
        net.opt.use_vulkan_compute = True
    x = read_input(args.image, model.preprocess) if args.image else synthetic_input(input_shape_for(model, args.shape))
    bar = ProgressBar("profiling", quiet=args.quiet)
    result = profile_model(net, {net.input_names()[0]: x}, repeats=args.runs, warmup=args.warmup,
                           capture_blobs=True, progress=bar.update, model_name=model.files.stem)
    bar.close()
    int8 = None
    if args.table:
        try:
            from ..int8_report import int8_section  # type: ignore[import-not-found]  # the int8 lab (issue 4)
        except ImportError:
            raise CliError("--table: int8 sections in reports need the int8 lab, which is not built yet") from None
        int8 = int8_section(model, x, Path(args.table))
    bundle = build_bundle(net, result.profile, result.blobs, model.files.stem, int8=int8)
    files = write_report(bundle, out_dir)
    w = result.profile.wall
    print(f"{model.files.stem}: median {w.median:.2f} ms (min {w.min:.2f}, p95 {w.p95:.2f}) over {args.runs} runs, "
          f"{net.opt.num_threads} threads, {result.profile.backend}")
    print(f"report: {files['report.html'].resolve()}")
    for name in ("profile.json", "layers.csv", "trace.json"):
        print(f"        {files[name].resolve()}", file=sys.stdout)
    return EXIT_OK
