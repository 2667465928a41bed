import numpy as np
import pytest

from engine.formats.ncnn_writer import BinWriter
from tests.support.layer_check import check_layer

pytestmark = pytest.mark.oracle

SHAPES = [(7,), (5, 7), (3, 5, 7), (3, 2, 5, 7), (16, 9, 11)]


def reference(x, eps, gamma=None, beta=None):
    c = x.shape[0] if x.ndim >= 3 else 1
    f = x.reshape(c, -1).astype(np.float64)
    y = (f - f.mean(1, keepdims=True)) / np.sqrt(f.var(1, keepdims=True) + eps)
    if gamma is not None:
        y = y * gamma[:c, None] + beta[:c, None]
    return y.reshape(x.shape)


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("affine", [0, 1])
@pytest.mark.parametrize("eps", [None, 1e-5])
@pytest.mark.parametrize("offset,spread", [(0.0, 1.0), (100.0, 1.0)])
def test_instancenorm_matches_ncnn(tmp_path, shape, affine, eps, offset, spread):
    rng = np.random.default_rng(0)
    x = (offset + spread * rng.standard_normal(shape)).astype(np.float32)
    c = shape[0] if len(shape) >= 3 else 1
    params = {0: c, 2: affine}
    if eps is not None:
        params[1] = eps
    gamma = rng.standard_normal(c).astype(np.float32)
    beta = rng.standard_normal(c).astype(np.float32)
    bw = BinWriter().raw(gamma).raw(beta) if affine else None
    (y,) = check_layer(tmp_path, "InstanceNorm", params, [x], weights=bw)
    expected = reference(x, 1e-3 if eps is None else eps, gamma if affine else None, beta)
    np.testing.assert_allclose(y, expected, atol=2e-3 if offset else 1e-4)
