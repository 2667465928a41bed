"""Inputs for the detection-head tests: overlapping boxes, several strong classes, exact score ties."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Mapping, Sequence

import numpy as np
import pytest

from engine import Net
from engine.errors import ModelFormatError
from engine.formats.ncnn_writer import BinWriter
from tests.support.layer_check import one_layer_model


def softmax_rows(logits: np.ndarray) -> np.ndarray:
    e = np.exp(logits - logits.max(axis=-1, keepdims=True))
    return (e / e.sum(axis=-1, keepdims=True)).astype(np.float32)


def ssd_inputs(rng: np.random.Generator, num_prior: int, num_class: int, ties: bool = False
               ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(location (4*num_prior,), confidence (num_prior, num_class), priorbox (2, 4*num_prior)).

    Priors sit on a coarse grid with a few sizes, so neighbours overlap; `ties` draws the confidence rows
    from a small palette, so many priors carry exactly equal scores."""
    cx, cy = rng.uniform(0.1, 0.9, (2, num_prior))
    size = rng.choice([0.1, 0.2, 0.35], num_prior) * rng.uniform(0.8, 1.25, num_prior)
    cx, cy = np.round(cx * 8) / 8, np.round(cy * 8) / 8
    priors = np.stack([cx - size / 2, cy - size / 2, cx + size / 2, cy + size / 2], axis=1)
    variances = np.tile([0.1, 0.1, 0.2, 0.2], (num_prior, 1))
    priorbox = np.stack([priors.reshape(-1), variances.reshape(-1)]).astype(np.float32)
    location = (rng.standard_normal((num_prior, 4)) * 0.5).astype(np.float32).reshape(-1)
    logits = rng.standard_normal((num_prior, num_class)) * 2.5
    logits[:, 0] += 1.0  # background
    if ties:
        logits = logits[rng.integers(0, 6, num_prior) % num_prior]
    return location, softmax_rows(logits), priorbox


def run_ncnn_raw(tmp_path: Path, layer_type: str, params: Mapping[int, Any], inputs: Sequence[np.ndarray]):
    """ncnn's (ret, dims, array or None): np.array() of an empty ncnn.Mat crashes, so look first."""
    ncnn = pytest.importorskip("ncnn")
    param, _ = one_layer_model(tmp_path, layer_type, params, len(inputs), 1)
    net = ncnn.Net()
    net.opt.num_threads = 1
    assert net.load_param(str(param)) == 0
    assert net.load_model(ncnn.DataReaderFromEmpty()) == 0
    ex = net.create_extractor()
    mats = [ncnn.Mat(np.ascontiguousarray(x, np.float32)).clone() for x in inputs]
    for i, m in enumerate(mats):
        ex.input(f"in{i}", m)
    ret, mat = ex.extract("out0")
    out = None if mat.dims == 0 else np.array(mat, copy=True)
    return ret, mat.dims, out


def run_ours(tmp_path: Path, layer_type: str, params: Mapping[int, Any], inputs: Sequence[np.ndarray],
             weights: BinWriter | None = None) -> np.ndarray:
    param, binf = one_layer_model(tmp_path, layer_type, params, len(inputs), 1, weights)
    net = Net()
    net.load_param(param)
    net.load_model(binf)
    ex = net.create_extractor()
    for i, x in enumerate(inputs):
        ex.input(f"in{i}", x)
    return ex.extract("out0")


def assert_param_refused(tmp_path: Path, layer_type: str, params: Mapping[int, Any], n_inputs: int) -> None:
    """ncnn's load_param refuses the layer, and so do we."""
    ncnn = pytest.importorskip("ncnn")
    param, _ = one_layer_model(tmp_path, layer_type, params, n_inputs, 1)
    assert ncnn.Net().load_param(str(param)) != 0, "ncnn accepts it"
    with pytest.raises(ModelFormatError):
        Net().load_param(param)
