import numpy as np
import pytest

from engine import Net
from engine.errors import LayerRuntimeError, ModelFormatError
from tests.support.layer_check import check_layer, one_layer_model, run_layerscope
from tests.support.oracle import OracleError, run_ncnn

pytestmark = pytest.mark.oracle


def assert_ncnn_refuses(param):
    with pytest.raises(OracleError, match="refused the param"):
        run_ncnn(param, None, {}, [])


def rand(shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape).astype(np.float32)


def reference(x, r, mode):
    """Straight from the definition: out[p, i*r+sh, j*r+sw] = x[q(p, sh, sw), i, j]."""
    c, h, w = x.shape
    outc = c // (r * r)
    out = np.zeros((outc, h * r, w * r), np.float32)
    for p in range(outc):
        for sh in range(r):
            for sw in range(r):
                q = p * r * r + sh * r + sw if mode == 0 else (sh * r + sw) * outc + p
                out[p, sh::r, sw::r] = x[q]
    return out


# r = 2 and 4 take ncnn's x86 fast path, others the generic one; 9 and 13 channels leave some unused.
@pytest.mark.parametrize("r,shape", [(1, (3, 5, 7)), (2, (8, 5, 7)), (2, (9, 3, 11)), (3, (18, 5, 7)),
                                     (4, (16, 3, 9)), (4, (32, 2, 13)), (3, (13, 4, 4))])
@pytest.mark.parametrize("mode", [None, 0, 1])
def test_matches_ncnn(tmp_path, r, shape, mode):
    x = rand(shape)
    params = {0: r} if mode is None else {0: r, 1: mode}
    (y,) = check_layer(tmp_path, "PixelShuffle", params, [x])
    np.testing.assert_array_equal(y, reference(x, r, mode or 0))


@pytest.mark.parametrize("shape", [(5, 7), (7,)])
def test_low_rank_is_one_channel(tmp_path, shape):
    x = rand(shape, 1)
    (y,) = check_layer(tmp_path, "PixelShuffle", {0: 1}, [x])
    assert y.shape == (1,) + (1,) * (2 - len(shape)) + shape


def test_default_is_identity(tmp_path):
    x = rand((3, 4, 5), 2)
    (y,) = check_layer(tmp_path, "PixelShuffle", {}, [x])
    np.testing.assert_array_equal(y, x)


@pytest.mark.parametrize("params", [{0: 0}, {0: -2}, {0: 2, 1: 2}, {0: 2, 1: -1}])
def test_refused_params(tmp_path, params):
    param, _ = one_layer_model(tmp_path, "PixelShuffle", params, 1, 1)
    with pytest.raises(ModelFormatError):
        Net().load_param(param)
    assert_ncnn_refuses(param)


@pytest.mark.parametrize("shape", [(3, 4, 4), (5, 7), (4, 2, 3, 3)])  # too few channels; 2-D; 4-D
def test_runtime_errors(tmp_path, shape):
    param, binf = one_layer_model(tmp_path, "PixelShuffle", {0: 2}, 1, 1)
    with pytest.raises(LayerRuntimeError):
        run_layerscope(param, binf, {"in0": np.zeros(shape, np.float32)}, ["out0"])
