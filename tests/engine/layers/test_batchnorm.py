import numpy as np
import pytest

from engine.formats.ncnn_writer import BinWriter
from tests.support.layer_check import check_layer
from tests.engine.layers.norm_support import assert_refused

pytestmark = pytest.mark.oracle

SHAPES = [(7,), (5, 7), (3, 5, 7), (3, 2, 5, 7)]


def channel_count(shape):
    return shape[0]


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("eps", [None, 1e-3])
def test_batchnorm_matches_ncnn(tmp_path, shape, eps):
    rng = np.random.default_rng(1)
    c = channel_count(shape)
    x = rng.standard_normal(shape).astype(np.float32)
    slope, mean, bias = (rng.standard_normal(c).astype(np.float32) for _ in range(3))
    var = rng.uniform(0.1, 2, c).astype(np.float32)
    params = {0: c} if eps is None else {0: c, 1: eps}
    bw = BinWriter().raw(slope).raw(mean).raw(var).raw(bias)
    (y,) = check_layer(tmp_path, "BatchNorm", params, [x], weights=bw)
    bshape = (c,) + (1,) * (x.ndim - 1)
    sd = np.sqrt(var.astype(np.float64) + (eps or 0.0))
    expected = (x - mean.reshape(bshape)) / sd.reshape(bshape) * slope.reshape(bshape) + bias.reshape(bshape)
    np.testing.assert_allclose(y, expected, rtol=1e-5, atol=1e-5)


def test_batchnorm_zero_variance_guard(tmp_path):
    # var + eps == 0 makes ncnn divide by 1e-4 instead of 0
    rng = np.random.default_rng(2)
    x = rng.standard_normal((3, 4, 5)).astype(np.float32)
    slope = np.array([1.0, 0.5, 2.0], np.float32) * 1e-4
    mean = rng.standard_normal(3).astype(np.float32)
    var = np.array([0.0, 1.0, 0.0], np.float32)
    bias = rng.standard_normal(3).astype(np.float32)
    bw = BinWriter().raw(slope).raw(mean).raw(var).raw(bias)
    (y,) = check_layer(tmp_path, "BatchNorm", {0: 3}, [x], weights=bw)
    np.testing.assert_allclose(y[0], (x[0] - mean[0]) * 1.0 + bias[0], rtol=1e-5, atol=1e-5)


def test_batchnorm_large_values(tmp_path):
    rng = np.random.default_rng(3)
    x = (100 + 0.01 * rng.standard_normal((3, 5, 7))).astype(np.float32)
    mean = np.full(3, 100, np.float32)
    bw = BinWriter().raw(np.ones(3, np.float32)).raw(mean).raw(np.full(3, 1e-4, np.float32)).raw(np.zeros(3, np.float32))
    check_layer(tmp_path, "BatchNorm", {0: 3, 1: 1e-5}, [x], weights=bw)


def test_batchnorm_refuses_zero_channels(tmp_path):
    assert_refused(tmp_path, "BatchNorm", {0: 0}, np.zeros((3, 4, 5), np.float32))
