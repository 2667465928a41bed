"""Whole-model comparison: every blob of a real model, Layerscope against ncnn."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from engine import Net

from .oracle import blob_error, run_ncnn, tolerance


@dataclass(frozen=True)
class BlobDiff:
    name: str
    shape: tuple[int, ...]
    ref_shape: tuple[int, ...]
    error: float
    bound: float

    @property
    def ok(self) -> bool:
        return self.shape == self.ref_shape and self.error <= self.bound


def random_input(shape: tuple[int, ...], value_range: tuple[float, float], seed: int = 0) -> np.ndarray:
    lo, hi = value_range
    return np.random.default_rng(seed).uniform(lo, hi, shape).astype(np.float32)


def compare_every_blob(param: Path, bin_path: Path, inputs: dict[str, np.ndarray],
                       rel: float = 1e-4) -> list[BlobDiff]:
    net = Net()
    net.opt.lightmode = False
    net.load_param(param)
    net.load_model(bin_path)
    names = [b.name for b in net.blobs if b.name not in inputs and b.producer is not None
             and net.layers[b.producer].spec.type != "Input"]
    ex = net.create_extractor()
    for k, v in inputs.items():
        ex.input(k, v)
    ours = ex.extract_many(names)
    ref = run_ncnn(param, bin_path, inputs, names)
    return [BlobDiff(n, ours[n].shape, ref[n].shape, blob_error(ours[n].astype(np.float32), ref[n]),
                     tolerance(ref[n], rel)) for n in names]
