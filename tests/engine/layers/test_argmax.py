"""ArgMax: topk, out_max_val, ties (larger index first), 1-D to 4-D inputs.

The pip `ncnn` (the oracle) is built without ArgMax (ncnn's CMake leaves WITH_LAYER_argmax off), so
these tests check against expectations derived from ncnn's argmax.cpp: a partial sort of
(value, index) pairs with std::greater.
"""
import numpy as np
import pytest

from engine.errors import LayerRuntimeError
from tests.support.layer_check import one_layer_model, run_layerscope

SHAPES = [(7,), (1000,), (5, 7), (3, 5, 7), (3, 2, 2, 3)]


def run(tmp_path, params, x):
    param, binf = one_layer_model(tmp_path, "ArgMax", params, 1, 1)
    return run_layerscope(param, binf, {"in0": x}, ["out0"])["out0"]


def reference(x: np.ndarray, topk: int, out_max_val: int) -> np.ndarray:
    """std::partial_sort(..., std::greater<pair<float,int>>) by brute force."""
    pairs = sorted(((float(v), i) for i, v in enumerate(x.reshape(-1))), reverse=True)[:topk]
    idx = [float(i) for _, i in pairs]
    return np.array([[v for v, _ in pairs], idx] if out_max_val else [idx], np.float32)


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("topk", [1, 3, 7])
@pytest.mark.parametrize("out_max_val", [0, 1])
def test_argmax(tmp_path, shape, topk, out_max_val):
    x = np.random.default_rng(0).standard_normal(shape).astype(np.float32)
    y = run(tmp_path, {0: out_max_val, 1: topk}, x)
    assert y.dtype == np.float32 and y.shape == (1 + out_max_val, topk)
    np.testing.assert_array_equal(y, reference(x, topk, out_max_val))


@pytest.mark.parametrize("topk", [1, 2, 4, 6, 9])
@pytest.mark.parametrize("out_max_val", [0, 1])
def test_argmax_ties_prefer_larger_index(tmp_path, topk, out_max_val):
    x = np.array([1, 3, 3, 0, 3, 2, 2, -1, 3], np.float32)
    y = run(tmp_path, {0: out_max_val, 1: topk}, x)
    np.testing.assert_array_equal(y, reference(x, topk, out_max_val))
    assert list(y[-1][:4]) == [8, 4, 2, 1][:topk]


def test_argmax_many_ties_at_the_cut(tmp_path):
    x = np.random.default_rng(1).integers(0, 4, 500).astype(np.float32)
    y = run(tmp_path, {0: 1, 1: 50}, x)
    np.testing.assert_array_equal(y, reference(x, 50, 1))


def test_argmax_topk_too_large_is_refused(tmp_path):
    with pytest.raises(LayerRuntimeError, match="topk"):
        run(tmp_path, {1: 8}, np.zeros(5, np.float32))
