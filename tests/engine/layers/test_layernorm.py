import numpy as np
import pytest

from engine.formats.ncnn_writer import BinWriter
from tests.support.layer_check import check_layer

pytestmark = pytest.mark.oracle

# (shape, affine_size, span normalised over)
CASES = [((7,), 7, 7), ((5, 7), 7, 7), ((3, 5, 7), 7, 7), ((3, 5, 7), 35, 35), ((16, 5, 7), 7, 7),
         ((8, 5, 7), 35, 35), ((3, 2, 5, 7), 7, 7), ((3, 2, 5, 7), 35, 35), ((3, 2, 5, 7), 70, 70),
         ((4, 33), 33, 33), ((2, 3, 40), 40, 40)]


def reference(x, span, eps, gamma=None, beta=None):
    r = x.reshape(-1, span).astype(np.float64)
    y = (r - r.mean(1, keepdims=True)) / np.sqrt(r.var(1, keepdims=True) + eps)
    if gamma is not None:
        y = y * gamma[:span] + beta[:span]
    return y.reshape(x.shape)


@pytest.mark.parametrize("shape,affine_size,span", CASES)
@pytest.mark.parametrize("affine", [0, 1])
@pytest.mark.parametrize("offset,spread", [(0.0, 1.0), (100.0, 1.0)])
def test_layernorm_matches_ncnn(tmp_path, shape, affine_size, span, affine, offset, spread):
    rng = np.random.default_rng(0)
    x = (offset + spread * rng.standard_normal(shape)).astype(np.float32)
    gamma = rng.standard_normal(affine_size).astype(np.float32)
    beta = rng.standard_normal(affine_size).astype(np.float32)
    bw = BinWriter().raw(gamma).raw(beta) if affine else None
    (y,) = check_layer(tmp_path, "LayerNorm", {0: affine_size, 1: 1e-5, 2: affine}, [x], weights=bw)
    expected = reference(x, span, 1e-5, gamma if affine else None, beta)
    np.testing.assert_allclose(y, expected, atol=2e-3 if offset else 1e-4)


def test_layernorm_default_eps(tmp_path):
    x = np.random.default_rng(1).standard_normal((3, 5, 7)).astype(np.float32)
    (y,) = check_layer(tmp_path, "LayerNorm", {0: 7, 2: 0}, [x])
    np.testing.assert_allclose(y, reference(x, 7, 1e-3), atol=1e-4)


@pytest.mark.parametrize("shape,span", [((3, 5, 7), 35), ((3, 2, 5, 7), 70), ((4, 9), 9)])
def test_layernorm_without_affine_size(tmp_path, shape, span):
    # affine=0 and affine_size=0: 3-D falls to whole channels (h*w), 4-D to whole channels (d*h*w)
    x = np.random.default_rng(2).standard_normal(shape).astype(np.float32)
    (y,) = check_layer(tmp_path, "LayerNorm", {0: 0, 2: 0}, [x])
    np.testing.assert_allclose(y, reference(x, span, 1e-3), atol=1e-4)
