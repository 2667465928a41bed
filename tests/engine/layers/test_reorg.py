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


def reference(x, s, mode):
    """Straight from the definition: out[p, i, j] = x[q, i*s+sh, j*s+sw]."""
    c, h, w = x.shape
    outh, outw = h // s, w // s
    out = np.zeros((c * s * s, outh, outw), np.float32)
    for q in range(c):
        for sh in range(s):
            for sw in range(s):
                p = q * s * s + sh * s + sw if mode == 0 else (sh * s + sw) * c + q
                out[p] = x[q, sh:outh * s:s, sw:outw * s:s]
    return out


# Odd sizes drop their trailing rows / columns.
@pytest.mark.parametrize("s,shape", [(1, (3, 5, 7)), (2, (3, 6, 8)), (2, (3, 5, 7)), (3, (2, 7, 10)),
                                     (4, (5, 9, 8)), (2, (8, 4, 6))])
@pytest.mark.parametrize("mode", [None, 0, 1])
def test_matches_ncnn(tmp_path, s, shape, mode):
    x = rand(shape)
    params = {0: s} if mode is None else {0: s, 1: mode}
    (y,) = check_layer(tmp_path, "Reorg", params, [x])
    np.testing.assert_array_equal(y, reference(x, s, mode or 0))


@pytest.mark.parametrize("s,shape", [(2, (5, 7)), (3, (6, 7)), (1, (7,))])
@pytest.mark.parametrize("mode", [0, 1])
def test_low_rank_is_one_channel(tmp_path, s, shape, mode):
    x = rand(shape, 1)
    (y,) = check_layer(tmp_path, "Reorg", {0: s, 1: mode}, [x])
    np.testing.assert_array_equal(y, reference(x.reshape((1,) * (3 - x.ndim) + x.shape), s, mode))


@pytest.mark.parametrize("params", [{0: 0}, {0: -1}, {0: 2, 1: 2}, {0: 2, 1: -1}])
def test_refused_params(tmp_path, params):
    param, _ = one_layer_model(tmp_path, "Reorg", params, 1, 1)
    with pytest.raises(ModelFormatError):
        Net().load_param(param)
    assert_ncnn_refuses(param)


@pytest.mark.parametrize("shape", [(3, 1, 4), (2, 4, 1), (6,), (2, 2, 4, 4)])  # smaller than the stride; 4-D
def test_runtime_errors(tmp_path, shape):
    param, binf = one_layer_model(tmp_path, "Reorg", {0: 2}, 1, 1)
    with pytest.raises(LayerRuntimeError):
        run_layerscope(param, binf, {"in0": np.zeros(shape, np.float32)}, ["out0"])
