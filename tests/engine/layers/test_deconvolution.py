import numpy as np
import pytest

from engine import Net
from engine.errors import LayerRuntimeError, ModelFormatError
from engine.formats.ncnn_writer import BinWriter
from tests.engine.layers.conv_support import (
    ACTIVATIONS,
    act_params,
    naive_deconv,
    run,
)
from tests.support.layer_check import check_layer, one_layer_model, run_layerscope

pytestmark = pytest.mark.oracle


@pytest.mark.parametrize("stride", [1, 2, 3])
@pytest.mark.parametrize("dilation", [1, 2])
@pytest.mark.parametrize("kernel", [(1, 1), (3, 3), (4, 4), (2, 3)])
def test_stride_dilation_kernels(tmp_path, stride, dilation, kernel):
    kh, kw = kernel
    params = {0: 5, 1: kw, 11: kh, 2: dilation, 3: stride}
    y, x, w, b = run(tmp_path, "Deconvolution", params, (7, 5, 6), 5 * 7 * kh * kw)
    ref = naive_deconv(x, w.reshape(5, 7, kh, kw), b, (stride, stride), (dilation, dilation))
    np.testing.assert_allclose(y, ref, rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("pads", [{4: 1}, {4: 2, 15: 0, 14: 1, 16: 3}, {4: 0, 15: 1}])
@pytest.mark.parametrize("output_pad", [{}, {18: 1}, {18: 1, 19: 0}, {18: 0, 19: 2}])
def test_pads_crop_and_output_pad(tmp_path, pads, output_pad):
    params = {0: 4, 1: 3, 3: 2, 13: 3, 12: 2, **pads, **output_pad, 9: 1}
    run(tmp_path, "Deconvolution", params, (3, 5, 6), 4 * 3 * 9)


@pytest.mark.parametrize("pad", [-233, -234])
@pytest.mark.parametrize("out_size", [(10, 12), (9, 11), (7, 13)])
@pytest.mark.parametrize("output_pad", [0, 1])
def test_output_size_trimming(tmp_path, pad, out_size, output_pad):
    params = {0: 4, 1: 3, 3: 2, 4: pad, 18: output_pad, 21: out_size[0], 20: out_size[1]}
    y, *_ = run(tmp_path, "Deconvolution", params, (3, 5, 6), 4 * 3 * 9)
    assert y.shape[1:] == out_size


def test_sentinel_pads_without_output_size_keep_full_map(tmp_path):
    y, *_ = run(tmp_path, "Deconvolution", {0: 4, 1: 3, 3: 2, 4: -233}, (3, 5, 6), 4 * 3 * 9)
    assert y.shape == (4, 11, 13)


@pytest.mark.parametrize("act,extra", ACTIVATIONS)
@pytest.mark.parametrize("bias", [False, True])
def test_fused_activation_and_bias(tmp_path, act, extra, bias):
    params = {0: 5, 1: 4, 3: 2, 4: 1, **act_params(act, extra)}
    run(tmp_path, "Deconvolution", params, (4, 5, 7), 5 * 4 * 16, bias=bias, seed=act)


def test_fp16_weights(tmp_path):
    run(tmp_path, "Deconvolution", {0: 5, 1: 3, 3: 2, 4: 1, 18: 1}, (4, 5, 7), 5 * 4 * 9, storage="fp16")


def test_2d_input_is_one_channel(tmp_path):
    run(tmp_path, "Deconvolution", {0: 3, 1: 3, 3: 2}, (5, 7), 3 * 9)


def test_hand_computed(tmp_path):
    # One input pixel of 2 spreads the 2x2 kernel (1..4) times 2, plus bias 1.
    bw = BinWriter().tagged(np.arange(1, 5, dtype=np.float32)).raw(np.array([1.0], np.float32))
    (y,) = check_layer(tmp_path, "Deconvolution", {0: 1, 1: 2, 5: 1, 6: 4}, [np.full((1, 1, 1), 2, np.float32)],
                       weights=bw)
    np.testing.assert_array_equal(y, [[[3, 5], [7, 9]]])


@pytest.mark.parametrize("bias", [False, True])
def test_dynamic_weight(tmp_path, bias):
    rng = np.random.default_rng(4)
    x = rng.standard_normal((3, 5, 6)).astype(np.float32)
    w = rng.standard_normal((3, 4, 3, 2)).astype(np.float32)  # (in, out, kh, kw): PyTorch's layout
    inputs = [x, w] + ([rng.standard_normal(4).astype(np.float32)] if bias else [])
    check_layer(tmp_path, "Deconvolution", {0: 4, 1: 2, 11: 3, 3: 2, 4: 1, 5: int(bias), 28: 1}, inputs)


@pytest.mark.parametrize("params", [{9: 8}, {6: 4 * 3 * 9 + 2}, {18: -1}, {20: -3}, {4: 1, 16: -233}])
def test_refused_params(tmp_path, params):
    param, _ = one_layer_model(tmp_path, "Deconvolution", {0: 4, 1: 3, 6: 4 * 3 * 9, **params}, 1, 1)
    with pytest.raises(ModelFormatError):
        Net().load_param(param)


def test_int8_weights_refused(tmp_path):
    bw = BinWriter().tagged(np.ones(4 * 3 * 9, np.int8), "int8")
    param, binf = one_layer_model(tmp_path, "Deconvolution", {0: 4, 1: 3, 6: 4 * 3 * 9}, 1, 1, bw)
    net = Net()
    net.load_param(param)
    with pytest.raises(ModelFormatError, match="int8"):
        net.load_model(binf)


@pytest.mark.parametrize("params", [{20: 8, 21: 8}, {4: -233, 20: 30, 21: 8}, {4: 5}])
def test_runtime_errors(tmp_path, params):
    # output size with pads 0 (ncnn returns an error too), a size larger than the map, a crop eating all.
    bw = BinWriter().tagged(np.zeros(4 * 3 * 9, np.float32))
    param, binf = one_layer_model(tmp_path, "Deconvolution", {0: 4, 1: 3, 6: 4 * 3 * 9, 3: 2, **params}, 1, 1, bw)
    with pytest.raises(LayerRuntimeError):
        run_layerscope(param, binf, {"in0": np.zeros((3, 3, 3), np.float32)}, ["out0"])
