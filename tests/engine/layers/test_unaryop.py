"""UnaryOp against ncnn: every op_type over every rank (and ncnn's packed channel counts), each on
inputs inside its domain, plus hand-checked rounding (half to even) and sign."""
import math

import numpy as np
import pytest

from engine import Net
from engine.errors import ModelFormatError
from tests.support.layer_check import check_layer, one_layer_model

pytestmark = pytest.mark.oracle

SHAPES = [(13,), (5, 7), (3, 5, 7), (2, 3, 4, 5), (16, 3, 5), (8, 2, 3, 5)]
SHAPE_IDS = ["1d", "2d", "3d", "4d", "3d-packed", "4d-packed"]

# op_type: (name, float64 reference, input range)
OPS = {
    0: ("abs", np.abs, (-5, 5)),
    1: ("neg", np.negative, (-5, 5)),
    2: ("floor", np.floor, (-5, 5)),
    3: ("ceil", np.ceil, (-5, 5)),
    4: ("square", np.square, (-5, 5)),
    5: ("sqrt", np.sqrt, (0, 9)),
    6: ("rsqrt", lambda x: 1 / np.sqrt(x), (0.05, 9)),
    7: ("exp", np.exp, (-10, 10)),
    8: ("log", np.log, (0.01, 50)),
    9: ("sin", np.sin, (-10, 10)),
    10: ("cos", np.cos, (-10, 10)),
    11: ("tan", np.tan, (-1.4, 1.4)),
    12: ("asin", np.arcsin, (-0.99, 0.99)),
    13: ("acos", np.arccos, (-0.99, 0.99)),
    14: ("atan", np.arctan, (-10, 10)),
    15: ("reciprocal", lambda x: 1 / x, (0.1, 5)),
    16: ("tanh", np.tanh, (-6, 6)),
    17: ("log10", np.log10, (0.01, 50)),
    18: ("round", np.rint, (-5, 5)),
    19: ("trunc", np.trunc, (-5, 5)),
    20: ("sign", np.sign, (-2, 2)),
    21: ("expm1", np.expm1, (-5, 5)),
    22: ("sinh", np.sinh, (-5, 5)),
    23: ("asinh", np.arcsinh, (-10, 10)),
    24: ("cosh", np.cosh, (-5, 5)),
    25: ("acosh", np.arccosh, (1.01, 10)),
    26: ("atanh", np.arctanh, (-0.95, 0.95)),
    27: ("log1p", np.log1p, (-0.9, 10)),
}


def inputs(op: int, shape, seed: int = 0) -> np.ndarray:
    lo, hi = OPS[op][2]
    x = np.random.default_rng(seed).uniform(lo, hi, shape).astype(np.float32).reshape(-1)
    if op in (2, 3, 18, 19, 20):  # integers, halves and zeros are where these ops differ
        special = np.array([0, -0.0, 0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 3, -3, 1e-3, -1e-3], np.float32)
        x[: min(x.size, special.size)] = special[: x.size]
    if op == 15:
        x[::2] *= -1
    return x.reshape(shape)


@pytest.mark.parametrize("shape", SHAPES, ids=SHAPE_IDS)
@pytest.mark.parametrize("op", sorted(OPS), ids=[OPS[k][0] for k in sorted(OPS)])
def test_unaryop_matches_ncnn(tmp_path, op, shape):
    x = inputs(op, shape)
    (y,) = check_layer(tmp_path, "UnaryOp", {0: op}, [x])
    assert y.shape == x.shape and y.dtype == np.float32
    ref = OPS[op][1](x.astype(np.float64)).astype(np.float32)
    np.testing.assert_allclose(y, ref, rtol=2e-6, atol=1e-6)


def test_default_op_is_abs(tmp_path):
    x = np.array([-1.5, 2.0, -0.0, 3.25], np.float32)
    (y,) = check_layer(tmp_path, "UnaryOp", {}, [x])
    np.testing.assert_array_equal(y, np.abs(x))


def test_round_is_half_to_even(tmp_path):
    x = np.array([0.5, 1.5, 2.5, 3.5, -0.5, -1.5, -2.5, 0.49999997, 1.4999999, 4.5001, -7.5, 8.5] * 3, np.float32)
    (y,) = check_layer(tmp_path, "UnaryOp", {0: 18}, [x])
    np.testing.assert_array_equal(y, np.tile([0, 2, 2, 4, -0, -2, -2, 0, 1, 5, -8, 8], 3).astype(np.float32))


def test_sign_of_zero_and_nan_is_zero(tmp_path):
    x = np.array([3.0, -2.0, 0.0, -0.0, np.nan, np.inf, -np.inf, 1e-30, -1e-30] * 2, np.float32)
    (y,) = check_layer(tmp_path, "UnaryOp", {0: 20}, [x])
    np.testing.assert_array_equal(y, np.tile([1, -1, 0, 0, 0, 1, -1, 1, -1], 2).astype(np.float32))


@pytest.mark.parametrize("op", [-1, 28, 100])
def test_unknown_op_type_is_refused_like_ncnn(tmp_path, op):
    ncnn = pytest.importorskip("ncnn")
    param, _ = one_layer_model(tmp_path, "UnaryOp", {0: op}, 1, 1)
    assert ncnn.Net().load_param(str(param)) != 0, "ncnn accepts it"
    with pytest.raises(ModelFormatError, match="op_type"):
        Net().load_param(param)


def test_input_is_not_modified(tmp_path):
    x = np.linspace(-3, 3, 24, dtype=np.float32).reshape(2, 3, 4)
    x0 = x.copy()
    (y,) = check_layer(tmp_path, "UnaryOp", {0: 1}, [x])
    np.testing.assert_array_equal(x, x0)
    assert math.isclose(float(y[0, 0, 0]), 3.0)
