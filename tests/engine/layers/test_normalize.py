import numpy as np
import pytest

from engine.formats.ncnn_writer import BinWriter
from tests.support.layer_check import check_layer
from tests.engine.layers.norm_support import assert_refused

pytestmark = pytest.mark.oracle

SHAPES = [(7,), (5, 7), (3, 5, 7), (3, 2, 5, 7), (16, 9, 11)]


def reference(x, across_spatial, across_channel, scale, eps, eps_mode):
    c = x.shape[0] if x.ndim >= 3 else 1
    f = x.reshape(c, -1).astype(np.float64)
    if across_spatial and across_channel:
        ssum = (f * f).sum()
    elif across_spatial:
        ssum = (f * f).sum(1, keepdims=True)
    elif across_channel:
        ssum = (f * f).sum(0, keepdims=True)
    else:
        return x
    if eps_mode == 0:
        a = 1 / np.sqrt(ssum + eps)
    elif eps_mode == 1:
        a = 1 / np.maximum(np.sqrt(ssum), eps)
    else:
        a = 1 / np.sqrt(np.maximum(ssum, eps))
    return (f * a * scale.reshape(-1, 1)[:c]).reshape(x.shape)


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("across_spatial,across_channel", [(0, 1), (1, 0), (1, 1), (0, 0)])
@pytest.mark.parametrize("channel_shared", [0, 1])
def test_normalize_matches_ncnn(tmp_path, shape, across_spatial, across_channel, channel_shared):
    rng = np.random.default_rng(0)
    x = rng.standard_normal(shape).astype(np.float32)
    c = shape[0] if len(shape) >= 3 else 1
    n = 1 if channel_shared else c
    scale = rng.uniform(0.5, 2, n).astype(np.float32)
    params = {0: across_spatial, 1: channel_shared, 3: n, 4: across_channel}
    (y,) = check_layer(tmp_path, "Normalize", params, [x], weights=BinWriter().raw(scale))
    expected = reference(x, across_spatial, across_channel, np.broadcast_to(scale, (c,)), 1e-4, 0)
    np.testing.assert_allclose(y, expected, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("eps_mode", [0, 1, 2])
@pytest.mark.parametrize("across_spatial,across_channel", [(0, 1), (1, 0), (1, 1)])
@pytest.mark.parametrize("channel_shared", [0, 1])
@pytest.mark.parametrize("magnitude", [1.0, 1e-3])
def test_normalize_eps_modes(tmp_path, eps_mode, across_spatial, across_channel, channel_shared, magnitude):
    # small inputs make eps dominate, so the three eps modes give different results
    rng = np.random.default_rng(1)
    x = (magnitude * rng.standard_normal((4, 3, 5))).astype(np.float32)
    n = 1 if channel_shared else 4
    scale = rng.uniform(0.5, 2, n).astype(np.float32)
    params = {0: across_spatial, 1: channel_shared, 2: 0.01, 3: n, 4: across_channel, 9: eps_mode}
    (y,) = check_layer(tmp_path, "Normalize", params, [x], weights=BinWriter().raw(scale))
    expected = reference(x, across_spatial, across_channel, np.broadcast_to(scale, (4,)), 0.01, eps_mode)
    np.testing.assert_allclose(y, expected, rtol=1e-5, atol=1e-6)


def test_normalize_default_across_channel(tmp_path):
    x = np.random.default_rng(2).standard_normal((3, 4, 5)).astype(np.float32)
    (y,) = check_layer(tmp_path, "Normalize", {3: 1, 1: 1}, [x], weights=BinWriter().raw(np.ones(1, np.float32)))
    np.testing.assert_allclose(y, reference(x, 0, 1, np.ones(3), 1e-4, 0), rtol=1e-5)


def test_normalize_refuses_empty_scale(tmp_path):
    assert_refused(tmp_path, "Normalize", {3: 0}, np.zeros((3, 4, 5), np.float32))
