import numpy as np
import pytest

from tests.support.layer_check import check_layer
from tests.engine.layers.norm_support import assert_refused

pytestmark = pytest.mark.oracle

SHAPES = [(7,), (5, 7), (3, 5, 7), (9, 6, 11), (3, 2, 5, 7)]


def reference(x, region_type, local_size, alpha, beta, bias):
    """Straightforward float64 LRN for 3-D (c, h, w) blobs."""
    c, h, w = x.shape
    sq = x.astype(np.float64) ** 2
    half = local_size // 2
    ss = np.zeros_like(sq)
    if region_type == 0:
        for q in range(c):
            ss[q] = sq[max(0, q - half):min(c, q - half + local_size)].sum(0)
        n = local_size
    else:
        for i in range(h):
            for j in range(w):
                ss[:, i, j] = sq[:, max(0, i - half):i - half + local_size, max(0, j - half):j - half + local_size].sum((1, 2))
        n = local_size * local_size
    return x * (bias + alpha / n * ss) ** -beta


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("region_type", [0, 1])
@pytest.mark.parametrize("local_size", [1, 3, 4, 5])
def test_lrn_matches_ncnn(tmp_path, shape, region_type, local_size):
    rng = np.random.default_rng(0)
    x = rng.standard_normal(shape).astype(np.float32)
    params = {0: region_type, 1: local_size, 2: 0.5, 3: 0.6, 4: 2.0}
    (y,) = check_layer(tmp_path, "LRN", params, [x])
    if len(shape) == 4:
        # ncnn sizes its buffers by w*h: only the first depth slice of each channel is normalised
        np.testing.assert_array_equal(y[:, 1:], x[:, 1:])
        x3, y3 = x[:, 0], y[:, 0]
    else:
        x3, y3 = x.reshape((1,) * (3 - x.ndim) + x.shape), y.reshape((1,) * (3 - x.ndim) + x.shape)
    np.testing.assert_allclose(y3, reference(x3, region_type, local_size, 0.5, 0.6, 2.0), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("region_type", [0, 1])
def test_lrn_defaults(tmp_path, region_type):
    x = (3 * np.random.default_rng(1).standard_normal((6, 5, 7))).astype(np.float32)
    (y,) = check_layer(tmp_path, "LRN", {0: region_type}, [x])
    np.testing.assert_allclose(y, reference(x, region_type, 5, 1.0, 0.75, 1.0), rtol=1e-5, atol=1e-6)


def test_lrn_refuses_unknown_region_type(tmp_path):
    assert_refused(tmp_path, "LRN", {0: 2}, np.zeros((3, 4, 5), np.float32))
