"""Helpers for the stand-alone quantisation layer tests (Quantize, Dequantize, Requantize).

check_layer compares as floats; these layers produce int8 (our engine keeps np.int8, ncnn's extract
casts int8 to float32), so `check_exact` also checks the raw dtype and demands bit-equal values.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Mapping, Sequence

import numpy as np
import pytest

from engine import Net
from engine.errors import ModelFormatError
from engine.formats.ncnn_writer import BinWriter
from tests.support.layer_check import one_layer_model
from tests.support.oracle import OracleError, run_ncnn

# activation_type with the params it needs (3=activation_type, 4=activation_params for Requantize).
ACTIVATIONS = [(0, None), (1, None), (2, [0.1]), (3, [-3.0, 5.0]), (4, None), (5, None), (6, [0.2, 0.5])]


def weights(*arrays: np.ndarray | None) -> BinWriter:
    bw = BinWriter()
    for a in arrays:
        if a is not None:
            bw.raw(a)
    return bw


def check_exact(tmp_path: Path, layer_type: str, params: Mapping[int, Any], x: np.ndarray, bw: BinWriter,
                dtype: type) -> np.ndarray:
    """Run ncnn and ours on one input; the raw output must have `dtype` and equal ncnn's exactly."""
    param, binf = one_layer_model(tmp_path, layer_type, params, 1, 1, bw)
    ref = run_ncnn(param, binf, {"in0": x}, ["out0"])["out0"]
    net = Net()
    net.load_param(param)
    net.load_model(binf)
    ex = net.create_extractor()
    ex.input("in0", x)
    ours = ex.extract("out0", raw=True)
    assert ours.dtype == dtype
    assert ours.shape == ref.shape
    np.testing.assert_array_equal(ours.astype(np.float32), ref, err_msg=f"{layer_type} {dict(params)}")
    assert np.array_equal(ex.extract("out0"), ref)  # the default extract casts to float32 like ncnn
    return ours


def assert_refused(tmp_path: Path, layer_type: str, params: Mapping[int, Any], bw: BinWriter,
                   x: np.ndarray) -> None:
    """ncnn refuses the model (param or weights) and so do we."""
    param, binf = one_layer_model(tmp_path, layer_type, params, 1, 1, bw)
    with pytest.raises(OracleError):
        run_ncnn(param, binf, {"in0": x}, ["out0"])
    net = Net()
    with pytest.raises(ModelFormatError):
        net.load_param(param)
        net.load_model(binf)


def scales(rng: np.random.Generator, n: int, lo: float = 0.5, hi: float = 4.0) -> np.ndarray:
    return rng.uniform(lo, hi, n).astype(np.float32)


SHAPES: Sequence[tuple[int, ...]] = [(7,), (16,), (3, 5), (8, 5), (2, 3, 5), (8, 3, 5), (5, 7, 9), (2, 3, 4, 5),
                                     (16, 2, 3, 3)]
