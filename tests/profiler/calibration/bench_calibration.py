"""Calibration speed: `kl` calibration over N images vs N fp32 inferences of the same model (issue 4's target:
ratio <= 2.5 for N = 100).

    .venv/bin/python tests/profiler/calibration/bench_calibration.py [--images 100] [--repeats 5] [--model M.param]

Both sides read, decode and preprocess every image (the calibration reads each twice when it does not
fit the pass-1 cache), and run with the same thread count. Each repeat times the inferences and the
calibration back to back; the ratio reported is the median of the per-repeat ratios, in wall time and in
process CPU time (all threads). On a shared machine the CPU-time ratio is the steadier figure: wall time
swings with whatever else runs. The images are derived from the bundled ones (crops, flips, brightness) into a
temporary folder, deterministically.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT))

from profiler.calibration import calibrate  # noqa: E402
from profiler.calibration.collect import load_sample  # noqa: E402
from profiler.cli.common import open_model  # noqa: E402

DEMO = ROOT / "resources" / "models" / "squeezenet_v1.1.param"


def make_images(folder: Path, n: int, seed: int = 0) -> list[Path]:
    import cv2

    sources = [cv2.imread(str(p), cv2.IMREAD_COLOR) for p in sorted((ROOT / "resources" / "images").glob("*.png"))]
    rng = np.random.default_rng(seed)
    paths = []
    for i in range(n):
        img = sources[i % len(sources)]
        h, w = img.shape[:2]
        ch, cw = int(h * rng.uniform(0.5, 1.0)), int(w * rng.uniform(0.5, 1.0))
        y, x = int(rng.integers(0, h - ch + 1)), int(rng.integers(0, w - cw + 1))
        crop = img[y:y + ch, x:x + cw]
        if rng.random() < 0.5:
            crop = crop[:, ::-1]
        crop = np.clip(crop.astype(np.float32) * rng.uniform(0.7, 1.3), 0, 255).astype(np.uint8)
        p = folder / f"img{i:04d}.png"
        cv2.imwrite(str(p), np.ascontiguousarray(crop), [cv2.IMWRITE_PNG_COMPRESSION, 1])
        paths.append(p)
    return paths


def time_inferences(model, paths: list[Path]) -> tuple[float, float]:
    """(wall, cpu) seconds for one fp32 inference per image, preprocessing included."""
    net = model.net
    inp, out = net.input_names()[0], net.output_names()[0]
    wall, cpu = time.perf_counter(), time.process_time()
    for p in paths:
        ex = net.create_extractor()
        ex.input(inp, load_sample(p, model.preprocess))
        ex.extract(out)
    return time.perf_counter() - wall, time.process_time() - cpu


def time_calibration(model, paths: list[Path]) -> tuple[float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    calibrate(model.net, paths, "kl", model.preprocess)
    return time.perf_counter() - wall, time.process_time() - cpu


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", default=str(DEMO))
    ap.add_argument("--images", type=int, default=100)
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--threads", type=int, default=None)
    args = ap.parse_args(argv)
    model = open_model(args.model, threads=args.threads, lightmode=True)
    with tempfile.TemporaryDirectory() as tmp:
        paths = make_images(Path(tmp), args.images)
        time_inferences(model, paths[:2])  # warm-up: first-call costs (BLAS, caches) out of the figures
        infer, calib, ratios, cpu_ratios = [], [], [], []
        for r in range(args.repeats):
            a, a_cpu = time_inferences(model, paths)
            b, b_cpu = time_calibration(model, paths)
            infer.append(a)
            calib.append(b)
            ratios.append(b / a)
            cpu_ratios.append(b_cpu / a_cpu)
            print(f"repeat {r + 1}: {args.images} inferences {a:.2f} s (cpu {a_cpu:.2f} s), kl calibration "
                  f"{b:.2f} s (cpu {b_cpu:.2f} s), ratio {b / a:.2f} (cpu {b_cpu / a_cpu:.2f})", flush=True)
    med = statistics.median
    print(f"{Path(args.model).stem}, {args.images} images, {model.net.opt.num_threads} threads, {args.repeats} "
          f"repeats: inferences median {med(infer):.2f} s, calibration median {med(calib):.2f} s; ratio median "
          f"{med(ratios):.2f} wall, {med(cpu_ratios):.2f} cpu (target <= 2.5)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
