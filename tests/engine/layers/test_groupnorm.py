import numpy as np
import pytest

from engine.formats.ncnn_writer import BinWriter
from tests.support.layer_check import check_layer
from tests.engine.layers.norm_support import assert_refused

pytestmark = pytest.mark.oracle

# (shape, group): the outermost axis holds the channels for every rank
CASES = [((6,), 2), ((6, 7), 3), ((6, 5, 7), 2), ((6, 5, 7), 6), ((6, 2, 5, 7), 3), ((32, 5, 7), 2),
         ((64, 9), 4), ((7, 5, 3), 1)]


def reference(x, group, channels, eps, gamma=None, beta=None):
    cg = channels // group
    used = cg * group
    y = x.astype(np.float64).copy()
    g = y[:used].reshape(group, -1)
    n = (g - g.mean(1, keepdims=True)) / np.sqrt(g.var(1, keepdims=True) + eps)
    n = n.reshape((used, -1))
    if gamma is not None:
        n = n * gamma[:used, None] + beta[:used, None]
    y[:used] = n.reshape((used,) + x.shape[1:])
    return y


@pytest.mark.parametrize("shape,group", CASES)
@pytest.mark.parametrize("affine", [0, 1])
@pytest.mark.parametrize("offset,spread", [(0.0, 1.0), (100.0, 1.0)])
def test_groupnorm_matches_ncnn(tmp_path, shape, group, affine, offset, spread):
    rng = np.random.default_rng(0)
    x = (offset + spread * rng.standard_normal(shape)).astype(np.float32)
    c = shape[0]
    gamma = rng.standard_normal(c).astype(np.float32)
    beta = rng.standard_normal(c).astype(np.float32)
    bw = BinWriter().raw(gamma).raw(beta) if affine else None
    (y,) = check_layer(tmp_path, "GroupNorm", {0: group, 1: c, 2: 1e-5, 3: affine}, [x], weights=bw)
    expected = reference(x, group, c, 1e-5, gamma if affine else None, beta)
    np.testing.assert_allclose(y, expected, atol=2e-3 if offset else 1e-4)


def test_groupnorm_default_eps(tmp_path):
    x = np.random.default_rng(1).standard_normal((4, 3, 5)).astype(np.float32)
    (y,) = check_layer(tmp_path, "GroupNorm", {0: 2, 1: 4, 3: 0}, [x])
    np.testing.assert_allclose(y, reference(x, 2, 4, 1e-3), atol=1e-4)


@pytest.mark.parametrize("group,channels", [(2, 7), (0, 6), (4, 6)])
def test_groupnorm_refuses_what_ncnn_refuses(tmp_path, group, channels):
    x = np.zeros((channels or 1, 3, 5), np.float32)
    assert_refused(tmp_path, "GroupNorm", {0: group, 1: channels, 3: 0}, x)


def test_groupnorm_zero_channels_is_identity(tmp_path):
    x = np.random.default_rng(2).standard_normal((3, 4, 5)).astype(np.float32)
    (y,) = check_layer(tmp_path, "GroupNorm", {0: 1, 1: 0, 3: 0}, [x])
    np.testing.assert_array_equal(y, x)
