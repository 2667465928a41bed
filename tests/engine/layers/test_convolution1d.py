import numpy as np
import pytest

from engine import Net
from engine.errors import LayerRuntimeError, ModelFormatError
from engine.formats.ncnn_writer import BinWriter
from tests.engine.layers.conv_support import (
    ACTIVATIONS,
    act_params,
    naive_conv,
    run,
)
from tests.support.layer_check import check_layer, one_layer_model, run_layerscope

pytestmark = pytest.mark.oracle


@pytest.mark.parametrize("pad", [0, 1, 2, -233, -234])
@pytest.mark.parametrize("stride", [1, 2, 3])
@pytest.mark.parametrize("dilation", [1, 2])
def test_padding_stride_dilation(tmp_path, pad, stride, dilation):
    run(tmp_path, "Convolution1D", {0: 5, 1: 3, 2: dilation, 3: stride, 4: pad, 18: 0.5}, (7, 11), 5 * 7 * 3)


@pytest.mark.parametrize("kernel", [1, 3, 5])
@pytest.mark.parametrize("out_c", [3, 7, 9])
def test_kernels_and_channels(tmp_path, kernel, out_c):
    run(tmp_path, "Convolution1D", {0: out_c, 1: kernel, 4: 1, 15: 2}, (7, 12), out_c * 7 * kernel)


def test_hand_checked(tmp_path):
    y, x, w, b = run(tmp_path, "Convolution1D", {0: 2, 1: 3, 4: 2, 15: 0, 18: -1.0}, (3, 6), 2 * 3 * 3)
    xp = np.pad(x, ((0, 0), (2, 0)), constant_values=-1.0)[:, None, :]
    np.testing.assert_allclose(y, naive_conv(xp, w.reshape(2, 3, 1, 3), b)[:, 0], rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("act,extra", ACTIVATIONS)
@pytest.mark.parametrize("bias", [False, True])
def test_fused_activation_and_bias(tmp_path, act, extra, bias):
    run(tmp_path, "Convolution1D", {0: 4, 1: 3, 4: -233, **act_params(act, extra)}, (5, 9), 4 * 5 * 3, bias=bias)


def test_fp16_weights(tmp_path):
    run(tmp_path, "Convolution1D", {0: 4, 1: 3, 3: 2}, (5, 9), 4 * 5 * 3, storage="fp16")


def test_1d_input_is_one_channel(tmp_path):
    y, *_ = run(tmp_path, "Convolution1D", {0: 4, 1: 3}, (9,), 4 * 3)
    assert y.shape == (4, 7)


@pytest.mark.parametrize("bias", [False, True])
def test_dynamic_weight(tmp_path, bias):
    rng = np.random.default_rng(2)
    x = rng.standard_normal((3, 10)).astype(np.float32)
    w = rng.standard_normal((5, 3, 3)).astype(np.float32)  # (out, in, kw)
    inputs = [x, w] + ([rng.standard_normal(5).astype(np.float32)] if bias else [])
    check_layer(tmp_path, "Convolution1D", {0: 5, 1: 3, 3: 2, 4: -234, 5: int(bias), 19: 1}, inputs)


@pytest.mark.parametrize("params", [{9: 9}, {6: 31}, {3: -1}, {4: 1, 15: -234}])
def test_refused_params(tmp_path, params):
    param, _ = one_layer_model(tmp_path, "Convolution1D", {0: 5, 1: 3, 6: 30, **params}, 1, 1)
    with pytest.raises(ModelFormatError):
        Net().load_param(param)


def test_runtime_errors(tmp_path):
    param, binf = one_layer_model(tmp_path, "Convolution1D", {0: 5, 1: 3, 6: 30}, 1, 1,
                                  BinWriter().tagged(np.zeros(30, np.float32)))
    for bad in (np.zeros((3, 9), np.float32), np.zeros((2, 2), np.float32), np.zeros((2, 3, 9), np.float32)):
        with pytest.raises(LayerRuntimeError):
            run_layerscope(param, binf, {"in0": bad}, ["out0"])
