import numpy as np
import pytest

from engine import Net
from engine.errors import LayerRuntimeError, ModelFormatError
from tests.support.layer_check import check_layer, one_layer_model, run_layerscope
from tests.support.oracle import OracleError, run_ncnn

pytestmark = pytest.mark.oracle

# (kernel_w, kernel_h, stride_w, stride_h, pad_left, pad_right, pad_top, pad_bottom); None = param default
WINDOWS = [
    (3, None, 2, None, 1, None, None, None),  # k3 s2 p1, every default copied
    (2, None, 2, None, 0, None, None, None),  # the 2x2 s2 fast path
    (3, 2, 2, 1, 1, 0, 0, 2),  # asymmetric everything
    (3, None, 1, None, 0, None, None, None),
    (1, 4, 3, 2, 0, 2, 1, None),  # kernel smaller than the stride along w
]


def window_params(ptype, win, pad_mode, include_pad):
    ids = (1, 11, 2, 12, 3, 14, 13, 15)
    params = {0: ptype, 5: pad_mode, 6: include_pad}
    params.update({pid: v for pid, v in zip(ids, win) if v is not None})
    return params


def assert_ncnn_refuses(param):
    with pytest.raises(OracleError, match="refused the param"):
        run_ncnn(param, None, {}, [])


def rand(shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape).astype(np.float32)


@pytest.mark.parametrize("shape", [(3, 5, 7), (8, 6, 9), (4, 7, 5)])  # c=8 / c=4: ncnn's packed x86 paths
# SAME padding with kernel < stride is undefined in ncnn (tested as refused below).
@pytest.mark.parametrize("win,pad_mode", [(w, m) for w in WINDOWS for m in range(4) if m < 2 or w[0] >= w[2]])
@pytest.mark.parametrize("ptype,include_pad", [(0, 0), (1, 0), (1, 1)])
def test_windows_match_ncnn(tmp_path, shape, win, pad_mode, ptype, include_pad):
    check_layer(tmp_path, "Pooling", window_params(ptype, win, pad_mode, include_pad), [rand(shape)])


@pytest.mark.parametrize("shape", [(5, 7), (7,)])  # ncnn treats them as (1, h, w) / (1, 1, w)
@pytest.mark.parametrize("ptype,include_pad", [(0, 0), (1, 0), (1, 1)])
@pytest.mark.parametrize("pad_mode", [0, 1, 2])
def test_low_rank_inputs(tmp_path, shape, ptype, include_pad, pad_mode):
    win = (3, 1 if len(shape) == 1 else 2, 2, 1, 1, None, 0, None)
    (y,) = check_layer(tmp_path, "Pooling", window_params(ptype, win, pad_mode, include_pad), [rand(shape)])
    assert y.ndim == 3 and y.shape[0] == 1


@pytest.mark.parametrize("shape", [(3, 5, 7), (8, 6, 9), (16, 1, 1), (4, 13, 11), (5, 7), (7,)])
@pytest.mark.parametrize("ptype", [0, 1])
def test_global(tmp_path, shape, ptype):
    x = rand(shape, 1)
    (y,) = check_layer(tmp_path, "Pooling", {0: ptype, 4: 1, 1: 3}, [x])
    c = shape[0] if len(shape) == 3 else 1
    flat = x.reshape(c, -1)
    np.testing.assert_allclose(y, flat.max(1) if ptype == 0 else flat.mean(1), rtol=1e-5, atol=1e-6)


# Adaptive pooling turns ncnn's packing off, so 1-D / 2-D sizes that are multiples of 4 are safe here.
@pytest.mark.parametrize("shape", [(3, 5, 7), (8, 6, 9), (3, 7), (8, 4), (8,)])
@pytest.mark.parametrize("out", [(2, 3), (3, None), (-233, 4), (4, -233), (11, 13), (1, 1)])  # (out_w, out_h)
@pytest.mark.parametrize("ptype", [0, 1])
def test_adaptive(tmp_path, shape, out, ptype):
    params = {0: ptype, 7: 1, 8: out[0]}
    if out[1] is not None:
        params[18] = out[1]
    check_layer(tmp_path, "Pooling", params, [rand(shape, 2)])


def test_adaptive_same_size_is_passthrough(tmp_path):
    x = rand((3, 5, 7))
    (y,) = check_layer(tmp_path, "Pooling", {0: 1, 7: 1, 8: 7, 18: 5}, [x])
    np.testing.assert_array_equal(y, x)


def test_hand_computed(tmp_path):
    x = np.arange(2 * 4 * 6, dtype=np.float32).reshape(2, 4, 6)
    (y,) = check_layer(tmp_path, "Pooling", {0: 0, 1: 2, 2: 2}, [x])
    np.testing.assert_array_equal(y, x.reshape(2, 2, 2, 3, 2).max(axis=(2, 4)))
    # 6 -> 4 with k3 s2 p1 in "full" mode; the divisor leaves out the explicit and the tail pads.
    x = np.ones((1, 6, 6), np.float32)
    (y,) = check_layer(tmp_path, "Pooling", {0: 1, 1: 3, 2: 2, 3: 1}, [x])
    assert y.shape == (1, 4, 4)
    np.testing.assert_allclose(y, 1.0)
    (y,) = check_layer(tmp_path, "Pooling", {0: 1, 1: 3, 2: 2, 3: 1, 6: 1}, [x])
    np.testing.assert_allclose(y[0, 0], [4 / 9, 6 / 9, 6 / 9, 2 / 9], rtol=1e-6)


def test_quirks(tmp_path):
    x = rand((3, 6, 7), 3)
    # SAME padding with param pads: the params still decide which cells are averaged (real data excluded).
    check_layer(tmp_path, "Pooling", {0: 1, 1: 3, 2: 2, 3: 1, 5: 2}, [x])
    check_layer(tmp_path, "Pooling", {0: 1, 1: 2, 2: 1, 3: 2, 5: 3}, [x])
    # Windows wholly inside the padding: max gives -FLT_MAX, average 0/0 = NaN.
    (y,) = check_layer(tmp_path, "Pooling", {0: 0, 1: 2, 2: 1, 3: 3, 5: 1}, [x])
    assert y.min() == -np.finfo(np.float32).max
    (y,) = check_layer(tmp_path, "Pooling", {0: 1, 1: 2, 2: 1, 3: 3, 5: 1}, [x])
    assert np.isnan(y).any()
    # "Full" mode with an input smaller than the kernel: C's negative remainder still adds a tail pad.
    check_layer(tmp_path, "Pooling", {0: 1, 1: 3, 2: 2}, [rand((2, 2, 2), 4)])
    # Global and adaptive pooling ignore kernel, stride and pad_mode (ncnn does not check them then).
    check_layer(tmp_path, "Pooling", {0: 1, 4: 1, 1: 0, 5: 9}, [x])
    check_layer(tmp_path, "Pooling", {0: 0, 7: 1, 8: 2, 1: 0, 5: 9}, [x])


@pytest.mark.parametrize("params", [
    {0: 2, 1: 2},  # unknown pooling type
    {0: 0, 1: 0},  # no kernel
    {0: 0, 1: 2, 2: 0},  # no stride
    {0: 0, 1: 2, 3: -1},  # negative pad (ncnn accepts it, then corrupts its heap)
    {0: 0, 1: 2, 5: 4},  # unknown pad_mode
    {0: 3, 4: 1},  # unknown pooling type, even when global
    {0: 1, 7: 1},  # adaptive without an output size
    {0: 1, 7: 1, 8: 2, 18: -234},  # adaptive: only -233 means "as the input"
])
def test_refused_params(tmp_path, params):
    param, _ = one_layer_model(tmp_path, "Pooling", params, 1, 1)
    with pytest.raises(ModelFormatError):
        Net().load_param(param)
    if params != {0: 0, 1: 2, 3: -1}:  # the others ncnn accepts, then misbehaves or we cannot run
        assert_ncnn_refuses(param)


@pytest.mark.parametrize("params,shape", [
    ({0: 0, 1: 5, 5: 1}, (3, 4, 7)),  # input smaller than the kernel
    ({0: 0, 1: 1, 2: 2, 11: 3, 5: 2}, (3, 6, 6)),  # SAME with kernel < stride on one axis only
    ({0: 0, 1: 2}, (2, 3, 4, 5)),  # 4-D
    ({0: 0, 7: 1, 8: 200000}, (3, 4, 4)),  # a hostile adaptive size: refused before allocating
])
def test_runtime_errors(tmp_path, params, shape):
    param, binf = one_layer_model(tmp_path, "Pooling", params, 1, 1)
    with pytest.raises(LayerRuntimeError):
        run_layerscope(param, binf, {"in0": np.zeros(shape, np.float32)}, ["out0"])
