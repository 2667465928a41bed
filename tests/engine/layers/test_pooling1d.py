import numpy as np
import pytest

from engine import Net
from engine.errors import LayerRuntimeError, ModelFormatError
from tests.support.layer_check import check_layer, one_layer_model, run_layerscope
from tests.support.oracle import OracleError, run_ncnn

pytestmark = pytest.mark.oracle

# (kernel_w, stride_w, pad_left, pad_right); None = param default
WINDOWS = [(3, 2, 1, None), (2, 2, 0, None), (3, 1, 0, 2), (4, 3, 2, 1), (1, 3, 0, None)]


def assert_ncnn_refuses(param):
    with pytest.raises(OracleError, match="refused the param"):
        run_ncnn(param, None, {}, [])


def rand(shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape).astype(np.float32)


def window_params(ptype, win, pad_mode, include_pad):
    params = {0: ptype, 5: pad_mode, 6: include_pad}
    params.update({pid: v for pid, v in zip((1, 2, 3, 14), win) if v is not None})
    return params


@pytest.mark.parametrize("shape", [(5, 7), (8, 9), (7,), (3, 2)])
# SAME padding with kernel < stride makes ncnn pad by a negative amount: not compared.
@pytest.mark.parametrize("win,pad_mode", [(w, m) for w in WINDOWS for m in range(4) if m < 2 or w[0] >= w[1]])
@pytest.mark.parametrize("ptype,include_pad", [(0, 0), (1, 0), (1, 1)])
def test_windows_match_ncnn(tmp_path, shape, win, pad_mode, ptype, include_pad):
    x = rand(shape)
    params = window_params(ptype, win, pad_mode, include_pad)
    if shape[-1] + win[2] + (win[2] if win[3] is None else win[3]) < win[0] and pad_mode == 1:
        param, binf = one_layer_model(tmp_path, "Pooling1D", params, 1, 1)
        with pytest.raises(LayerRuntimeError):  # ncnn reads out of bounds here
            run_layerscope(param, binf, {"in0": x}, ["out0"])
        return
    (y,) = check_layer(tmp_path, "Pooling1D", params, [x])
    assert y.ndim == 2 and y.shape[0] == (shape[0] if len(shape) == 2 else 1)


@pytest.mark.parametrize("shape", [(5, 7), (8, 9), (7,), (16, 1)])
@pytest.mark.parametrize("ptype", [0, 1])
def test_global(tmp_path, shape, ptype):
    x = rand(shape, 1)
    (y,) = check_layer(tmp_path, "Pooling1D", {0: ptype, 4: 1}, [x])
    rows = x.reshape(-1, shape[-1])
    np.testing.assert_allclose(y, rows.max(1) if ptype == 0 else rows.mean(1), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("shape", [(5, 7), (7,)])
@pytest.mark.parametrize("out_w", [1, 3, 7, 11])
@pytest.mark.parametrize("ptype", [0, 1])
def test_adaptive(tmp_path, shape, out_w, ptype):
    check_layer(tmp_path, "Pooling1D", {0: ptype, 7: 1, 8: out_w, 5: 9}, [rand(shape, 2)])


def test_hand_computed(tmp_path):
    x = np.arange(2 * 6, dtype=np.float32).reshape(2, 6)
    (y,) = check_layer(tmp_path, "Pooling1D", {0: 0, 1: 2, 2: 2}, [x])
    np.testing.assert_array_equal(y, [[1, 3, 5], [7, 9, 11]])
    # Full mode, k3 s2 p1: 6 -> 4 windows; the divisor excludes the explicit and the tail pads.
    (y,) = check_layer(tmp_path, "Pooling1D", {0: 1, 1: 3, 2: 2, 3: 1}, [x])
    np.testing.assert_allclose(y[0], [0.5, 2, 4, 5], rtol=1e-6)
    (y,) = check_layer(tmp_path, "Pooling1D", {0: 1, 1: 3, 2: 2, 3: 1, 6: 1}, [x])
    np.testing.assert_allclose(y[0], [1 / 3, 2, 4, 5 / 3], rtol=1e-6)


@pytest.mark.parametrize("params", [
    {0: 2, 1: 2},  # unknown pooling type
    {0: 0, 1: 0},  # no kernel
    {0: 0, 1: 2, 2: 0},  # no stride
    {0: 0, 1: 2, 5: 4},  # unknown pad_mode
    {0: 0, 1: 2, 3: -1},  # negative pad
    {0: 0, 7: 1},  # adaptive without out_w
    {0: 0, 7: 1, 8: -233},  # no "same as input" in Pooling1D
])
def test_refused_params(tmp_path, params):
    param, _ = one_layer_model(tmp_path, "Pooling1D", params, 1, 1)
    with pytest.raises(ModelFormatError):
        Net().load_param(param)
    if params != {0: 0, 1: 2, 3: -1}:  # the others ncnn accepts, then misbehaves or we cannot run
        assert_ncnn_refuses(param)


@pytest.mark.parametrize("params,shape", [
    ({0: 0, 1: 5, 5: 1}, (3, 4)),  # input smaller than the kernel
    ({0: 0, 1: 2}, (2, 3, 4)),  # 3-D: ncnn would pool only the first channel's rows
])
def test_runtime_errors(tmp_path, params, shape):
    param, binf = one_layer_model(tmp_path, "Pooling1D", params, 1, 1)
    with pytest.raises(LayerRuntimeError):
        run_layerscope(param, binf, {"in0": np.zeros(shape, np.float32)}, ["out0"])
