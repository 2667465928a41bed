"""`app.py run MODEL.param --input IMAGE`: one inference, output blobs' shapes and statistics."""
from __future__ import annotations

import argparse
import time

import numpy as np

from .common import EXIT_OK, open_model, read_input, synthetic_input, input_shape_for


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("run", help="run one input through a model and print its outputs",
                       description="Run one image (or .npy) through a model with Layerscope's engine and "
                                   "print each output blob's shape and statistics (top-5 for classifiers "
                                   "with a labels file).")
    p.add_argument("model", help="the .param (text) or .param.bin file; the .bin beside it is used")
    p.add_argument("--input", "--image", dest="input", help="image or .npy file (default: seeded random)")
    p.add_argument("--bin", help="weights file, if not <model>.bin")
    p.add_argument("--shape", help="input shape C,H,W for a random input")
    p.add_argument("--threads", type=int, default=None, help="CPU threads (default: all cores)")
    p.set_defaults(handler=run)


def blob_summary(name: str, a: np.ndarray) -> str:
    f = a.astype(np.float32, copy=False)
    finite = f[np.isfinite(f)]
    stats = (f"min {finite.min():.6g}  max {finite.max():.6g}  mean {finite.mean():.6g}  std {finite.std():.6g}"
             if finite.size else "no finite values")
    bad = f.size - finite.size
    return f"{name}: shape {tuple(a.shape)}  {stats}" + (f"  NaN/Inf {bad}" if bad else "")


def run(args: argparse.Namespace) -> int:
    model = open_model(args.model, args.bin, args.threads)
    net = model.net
    x = (read_input(args.input, model.preprocess) if args.input
         else synthetic_input(input_shape_for(model, args.shape)))
    ex = net.create_extractor()
    ex.input(net.input_names()[0], x)
    start = time.perf_counter()
    outputs = ex.extract_many(net.output_names())
    ms = (time.perf_counter() - start) * 1e3
    print(f"{model.files.param.name}: input {tuple(x.shape)}, {len(net.layers)} layers, {ms:.1f} ms "
          f"({net.opt.num_threads} threads, cpu)" + (", synthetic weights" if model.synthetic else ""))
    for name, a in outputs.items():
        print("  " + blob_summary(name, a))
        if model.labels and a.ndim == 1 and a.size == len(model.labels):
            for rank, i in enumerate(np.argsort(-a, kind="stable")[:5], 1):
                print(f"    {rank}. {a[i]:.4f}  {model.labels[i]}")
    return EXIT_OK
