"""Softmax against ncnn: every rank, every axis (negative too), out-of-range axes, extreme inputs."""
import numpy as np
import pytest

from engine.errors import ModelFormatError
from tests.support.layer_check import check_layer

pytestmark = pytest.mark.oracle

SHAPES = [(7,), (5, 7), (3, 5, 7), (3, 4, 5, 7)]


def expected(x: np.ndarray, axis: int) -> np.ndarray:
    e = np.exp(x.astype(np.float64) - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


@pytest.mark.parametrize("shape", SHAPES)
def test_softmax_every_axis(tmp_path, shape):
    x = (np.random.default_rng(0).standard_normal(shape) * 3).astype(np.float32)
    for axis in range(-len(shape), len(shape)):
        params = {} if axis == 0 else {0: axis, 1: 1}
        (y,) = check_layer(tmp_path, "Softmax", params, [x])
        np.testing.assert_allclose(y, expected(x, axis), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("shape", SHAPES)
def test_softmax_default_axis_is_outermost(tmp_path, shape):
    x = np.random.default_rng(1).standard_normal(shape).astype(np.float32)
    (y,) = check_layer(tmp_path, "Softmax", {}, [x])
    np.testing.assert_allclose(y, expected(x, 0), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("shape,axis", [((7,), 1), ((7,), 3), ((5, 7), 2), ((3, 5, 7), 3), ((3, 5, 7), -4),
                                        ((2, 3, 4, 5), 4)])
def test_softmax_axis_out_of_range(tmp_path, shape, axis):
    """1-D: always the whole blob; higher ranks: ncnn leaves the blob unchanged."""
    x = np.random.default_rng(2).standard_normal(shape).astype(np.float32)
    (y,) = check_layer(tmp_path, "Softmax", {0: axis, 1: 1}, [x])
    np.testing.assert_allclose(y, expected(x, 0) if len(shape) == 1 else x, rtol=1e-5, atol=1e-6)


def test_softmax_large_and_infinite_inputs(tmp_path):
    x = np.array([[1000.0, 999.0, -1000.0, 0.0, 88.0],
                  [-np.inf, 0.0, 1.0, 2.0, -np.inf],
                  [-3.4e38, -3.4e38, -3.4e38, -3.4e38, -3.4e38]], np.float32)
    (y,) = check_layer(tmp_path, "Softmax", {0: 1, 1: 1}, [x])
    assert np.isfinite(y).all()
    np.testing.assert_allclose(y[2], 0.2, rtol=1e-6)


def test_softmax_old_param_refused(tmp_path):
    from tests.support.layer_check import one_layer_model, run_layerscope
    param, binf = one_layer_model(tmp_path, "Softmax", {0: 1}, 1, 1)
    with pytest.raises(ModelFormatError, match="fixbug0"):
        run_layerscope(param, binf, {"in0": np.zeros((3, 4), np.float32)}, ["out0"])
