import numpy as np
import pytest

from tests.support.layer_check import check_layer

pytestmark = pytest.mark.oracle

SHAPES = [(7,), (5, 7), (3, 5, 7), (3, 2, 5, 7), (16, 9, 11)]


def reference(x, normalize_variance, across_channels, eps):
    shape = x.shape if x.ndim >= 3 else (1,) * (3 - x.ndim) + x.shape
    f = x.reshape(shape[0], -1).astype(np.float64)
    axis = None if across_channels else 1
    y = f - f.mean(axis=axis, keepdims=True)
    if normalize_variance:
        y = y / (np.sqrt((y * y).mean(axis=axis, keepdims=True)) + eps)
    return y.reshape(shape)


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("normalize_variance", [0, 1])
@pytest.mark.parametrize("across_channels", [0, 1])
@pytest.mark.parametrize("offset,spread", [(0.0, 1.0), (100.0, 0.01)])
def test_mvn_matches_ncnn(tmp_path, shape, normalize_variance, across_channels, offset, spread):
    rng = np.random.default_rng(0)
    x = (offset + spread * rng.standard_normal(shape)).astype(np.float32)
    params = {0: normalize_variance, 1: across_channels}
    (y,) = check_layer(tmp_path, "MVN", params, [x])
    # ncnn makes a 3-D output from a 1-D or 2-D input. With mean 100 and spread 0.01 float32 itself
    # (ncnn's and ours) is ~1e-3 off the float64 reference; the ncnn comparison above is the strict one.
    atol = 5e-3 if offset else 1e-4
    np.testing.assert_allclose(y, reference(x, normalize_variance, across_channels, 1e-4), atol=atol)


def test_mvn_eps(tmp_path):
    x = np.random.default_rng(1).standard_normal((3, 4, 5)).astype(np.float32)
    (y,) = check_layer(tmp_path, "MVN", {0: 1, 2: 0.5}, [x])
    np.testing.assert_allclose(y, reference(x, 1, 0, 0.5), atol=1e-5)
