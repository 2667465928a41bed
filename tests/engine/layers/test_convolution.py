import numpy as np
import pytest

from engine import Net, Option
from engine.errors import LayerRuntimeError, ModelFormatError
from engine.formats.ncnn_bin import FileWeights
from engine.formats.ncnn_writer import BinWriter, LayerLine, write_model
from tests.engine.layers.conv_support import (
    ACTIVATIONS,
    act_params,
    naive_conv,
    run,
)
from tests.support.layer_check import check_layer, one_layer_model, run_layerscope
from tests.support.oracle import assert_blob_close, run_ncnn

pytestmark = pytest.mark.oracle


@pytest.mark.parametrize("pad", [0, 1, 2, -233, -234])
@pytest.mark.parametrize("stride", [1, 2, 3])
@pytest.mark.parametrize("dilation", [1, 2])
def test_padding_stride_dilation(tmp_path, pad, stride, dilation):
    params = {0: 5, 1: 3, 2: dilation, 3: stride, 4: pad}
    run(tmp_path, "Convolution", params, (7, 9, 11), 5 * 7 * 9, seed=stride * 10 + dilation)


@pytest.mark.parametrize("kernel", [(1, 1), (3, 3), (5, 5), (1, 3), (3, 1), (5, 2)])
@pytest.mark.parametrize("out_c", [3, 7, 16])  # fewer / equal-ish / more outputs than the 7 inputs
@pytest.mark.parametrize("stride", [1, 2])
def test_kernels_and_channels(tmp_path, kernel, out_c, stride):
    kh, kw = kernel
    params = {0: out_c, 1: kw, 11: kh, 3: stride, 4: -233}
    run(tmp_path, "Convolution", params, (7, 9, 10), out_c * 7 * kh * kw)


def test_asymmetric_params(tmp_path):
    # Every height param differs from its width twin; pads 4/15/14/16 all distinct, pad_value set.
    params = {0: 4, 1: 3, 11: 2, 2: 1, 12: 2, 3: 2, 13: 1, 4: 1, 15: 2, 14: 0, 16: 3, 18: -0.75}
    y, x, w, b = run(tmp_path, "Convolution", params, (3, 6, 8), 4 * 3 * 6)
    xp = np.pad(x, ((0, 0), (0, 3), (1, 2)), constant_values=-0.75)
    np.testing.assert_allclose(y, naive_conv(xp, w.reshape(4, 3, 2, 3), b, (1, 2), (2, 1)), rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("pads", [{4: 1, 14: 0}, {4: 0, 15: 2}, {4: 2, 16: 0}, {4: -233, 14: 0}])
def test_pad_defaults_chain(tmp_path, pads):
    # pad_right defaults to pad_left, pad_top to pad_left, pad_bottom to pad_top; a partial
    # -233 (top/bottom given as 0) means no padding at all, as in ncnn.
    run(tmp_path, "Convolution", {0: 3, 1: 3, 3: 2, **pads}, (2, 7, 8), 3 * 2 * 9)


@pytest.mark.parametrize("pad", [-233, -234])
@pytest.mark.parametrize("size", [(6, 6), (7, 9), (5, 8)])
def test_same_padding_odd_even(tmp_path, pad, size):
    for stride, dilation in ((1, 1), (2, 1), (3, 2)):
        run(tmp_path, "Convolution", {0: 3, 1: 4, 11: 3, 2: dilation, 3: stride, 4: pad, 18: 0.5},
            (2, *size), 3 * 2 * 12)


@pytest.mark.parametrize("act,extra", ACTIVATIONS)
@pytest.mark.parametrize("bias", [False, True])
def test_fused_activation_and_bias(tmp_path, act, extra, bias):
    params = {0: 5, 1: 3, 4: 1, **act_params(act, extra)}
    run(tmp_path, "Convolution", params, (4, 7, 9), 5 * 4 * 9, bias=bias, seed=act)


@pytest.mark.parametrize("kernel", [1, 3])
def test_fp16_weights(tmp_path, kernel):
    run(tmp_path, "Convolution", {0: 6, 1: kernel, 4: 1}, (5, 7, 9), 6 * 5 * kernel * kernel, storage="fp16")


@pytest.mark.parametrize("shape,kernel", [((9, 11), 3), ((13,), 1)])
def test_lower_rank_input_is_one_channel(tmp_path, shape, kernel):
    # ncnn reads a 2-D blob as (c=1, h, w) and a 1-D blob as (c=1, h=1, w).
    y, *_ = run(tmp_path, "Convolution", {0: 4, 1: 3, 11: kernel}, shape, 4 * 3 * kernel)
    assert y.shape[0] == 4 and y.ndim == 3


def test_flat_input_1x1_is_inner_product(tmp_path):
    y, x, w, b = run(tmp_path, "Convolution", {0: 6, 1: 1, 9: 1}, (10,), 60)
    assert y.shape == (6,)
    np.testing.assert_allclose(y, np.maximum(w.reshape(6, 10) @ x + b, 0), rtol=1e-5, atol=1e-5)
    # Another length gives an undefined result in ncnn: refused.
    param, binf = one_layer_model(tmp_path, "Convolution", {0: 6, 1: 1, 6: 60}, 1, 1,
                                  BinWriter().tagged(np.zeros(60, np.float32)))
    with pytest.raises(LayerRuntimeError):
        run_layerscope(param, binf, {"in0": np.zeros(7, np.float32)}, ["out0"])


def test_hand_computed(tmp_path):
    # 1 input channel of ones, a 2x2 kernel of 1..4, bias 0.5, pad 1 with pad_value 2.
    x = np.ones((1, 2, 2), np.float32)
    bw = BinWriter().tagged(np.arange(1, 5, dtype=np.float32)).raw(np.array([0.5], np.float32))
    (y,) = check_layer(tmp_path, "Convolution", {0: 1, 1: 2, 4: 1, 18: 2.0, 5: 1, 6: 4}, [x], weights=bw)
    # top-left window: [[2,2],[2,1]] . [[1,2],[3,4]] = 2+4+6+4 = 16; centre: all ones -> 10.
    assert y.shape == (1, 3, 3)
    assert y[0, 0, 0] == 16.5 and y[0, 1, 1] == 10.5


@pytest.mark.parametrize("bias", [False, True])
@pytest.mark.parametrize("pad", [0, -233])
def test_dynamic_weight(tmp_path, bias, pad):
    rng = np.random.default_rng(3)
    x = rng.standard_normal((3, 7, 8)).astype(np.float32)
    w = rng.standard_normal((5, 3, 3, 2)).astype(np.float32)  # (out, in, kh, kw)
    inputs = [x, w] + ([rng.standard_normal(5).astype(np.float32)] if bias else [])
    params = {0: 5, 1: 2, 11: 3, 3: 2, 4: pad, 5: int(bias), 6: w.size, 19: 1, 9: 1}
    check_layer(tmp_path, "Convolution", params, inputs)


def test_wide_map_tap_gemm(tmp_path):
    # Fewer outputs than inputs with stride 1: the tap-GEMM path (see kernels/conv.py).
    run(tmp_path, "Convolution", {0: 8, 1: 3, 4: 1}, (16, 40, 50), 8 * 16 * 9)


@pytest.mark.parametrize("params", [
    {9: 7},  # unknown activation (ncnn's x86 layer refuses it too)
    {9: 2},  # LeakyReLU without its slope
    {9: 3, 10: [0.0]},  # Clip needs two params
    {6: 5 * 3 * 9 + 1},  # weight_data_size not a multiple of num_output*kh*kw
    {4: 1, 15: -233},  # positive and negative pads mixed
    {3: 0},  # stride 0
    {2: 0},  # dilation 0
    {4: -5},  # a negative pad that is no sentinel
])
def test_refused_params(tmp_path, params):
    param, _ = one_layer_model(tmp_path, "Convolution", {0: 5, 1: 3, 6: 5 * 3 * 9, **params}, 1, 1)
    with pytest.raises(ModelFormatError):
        Net().load_param(param)


def test_runtime_errors(tmp_path):
    bw = BinWriter().tagged(np.zeros(5 * 3 * 9, np.float32))
    param, binf = one_layer_model(tmp_path, "Convolution", {0: 5, 1: 3, 6: 5 * 3 * 9}, 1, 1, bw)
    for bad in (np.zeros((4, 5, 5), np.float32), np.zeros((3, 2, 5), np.float32)):  # channels; smaller than kernel
        with pytest.raises(LayerRuntimeError):
            run_layerscope(param, binf, {"in0": bad}, ["out0"])


# -- int8 ------------------------------------------------------------------------------------------

def _two_conv_model(tmp_path, term, int8_weights, seed):
    """conv1 (3->5, 3x3, int8 scales as int8_scale_term says) then conv2 (5->2, 1x1) whose weights
    follow in the .bin, so a misread of conv1's scales shows in conv2. 135 int8 weights need padding."""
    rng = np.random.default_rng(seed)
    w1 = rng.standard_normal(5 * 3 * 9).astype(np.float32)
    b1, w2, b2 = (rng.standard_normal(n).astype(np.float32) for n in (5, 10, 2))
    scales = rng.uniform(50, 100, 5).astype(np.float32)
    bw = BinWriter()
    if int8_weights:
        bw.tagged(np.clip(np.round(w1.reshape(5, -1) * scales[:, None]), -127, 127).astype(np.int8).ravel(), "int8")
    else:
        bw.tagged(w1)
    bw.raw(b1)
    if term:
        bw.raw(scales).raw(np.array([20.0], np.float32))
    if term > 100:
        bw.raw(np.array([30.0], np.float32))
    bw.tagged(w2).raw(b2)
    p1 = {0: 5, 1: 3, 4: 1, 5: 1, 6: w1.size, **({8: term} if term else {})}
    lines = [LayerLine("Input", "input", [], ["in0"]), LayerLine("Convolution", "conv1", ["in0"], ["c1"], p1),
             LayerLine("Convolution", "conv2", ["c1"], ["out0"], {0: 2, 1: 1, 5: 1, 6: 10})]
    tmp_path.mkdir(exist_ok=True)
    write_model(tmp_path / "m.param", tmp_path / "m.bin", lines, bw)
    return tmp_path / "m.param", tmp_path / "m.bin"


def _load_counting(param, binf):
    """A loaded Net, and the bytes its layers leave unread when they replay their loads once more."""
    net = Net()
    net.load_param(param)
    net.load_model(binf)
    reader = FileWeights(binf)
    for layer in net.layers:
        layer.load_model(reader)
    return net, reader.remaining()


@pytest.mark.parametrize("term", [1, 2, 102])
def test_int8_scales_are_read_and_bin_consumed(tmp_path, term):
    param, binf = _two_conv_model(tmp_path, term, False, term)
    net, left = _load_counting(param, binf)
    assert left == 0
    conv1 = net.layers[1]
    assert conv1.weights["weight_data_int8_scales"].shape == (5,)
    assert conv1.weights["bottom_blob_int8_scales"].tolist() == [20.0]
    assert ("top_blob_int8_scales" in conv1.weights) == (term > 100)
    # fp32 weights with scales run the fp32 path: the same result as the model without int8 scales,
    # which matches ncnn (ncnn itself would quantise these weights at load and run int8).
    x = np.random.default_rng(9).standard_normal((3, 6, 7)).astype(np.float32)
    ours = run_layerscope(param, binf, {"in0": x}, ["out0"])["out0"]
    p2, b2 = _two_conv_model(tmp_path / "plain", 0, False, term)
    ref = run_ncnn(p2, b2, {"in0": x}, ["out0"])["out0"]
    assert_blob_close(ours, ref, "two convolutions")


def test_int8_weights(tmp_path):
    param, binf = _two_conv_model(tmp_path, 2, True, 7)
    net, left = _load_counting(param, binf)
    assert left == 0
    assert net.weight_info(net.layers[1])[0].storage == "int8"
    x = np.random.default_rng(7).standard_normal((3, 6, 7)).astype(np.float32)
    ex = net.create_extractor()
    ex.input("in0", x)
    # int8 inference runs ncnn's int8 path (checked in depth in tests/engine/int8 and test_*_int8.py).
    assert_blob_close(ex.extract("c1"), run_ncnn(param, binf, {"in0": x}, ["c1"])["c1"], "int8 conv1", 1e-5)
    # Without int8 inference the weights are dequantised (w_q / scale) and run in fp32.
    net.opt = Option(use_int8_inference=False, num_threads=1)
    ex = net.create_extractor()
    ex.input("in0", x)
    conv1 = net.layers[1]
    w = conv1.weights["weight_data"].reshape(5, 3, 3, 3) / conv1.weights["weight_data_int8_scales"][:, None, None, None]
    ref = naive_conv(np.pad(x, ((0, 0), (1, 1), (1, 1))), w, conv1.weights["bias_data"])
    np.testing.assert_allclose(ex.extract("c1"), ref, rtol=1e-5, atol=1e-5)


def test_int8_weights_without_scales_refused(tmp_path):
    bw = BinWriter().tagged(np.ones(4 * 3 * 9, np.int8), "int8")
    param, binf = one_layer_model(tmp_path, "Convolution", {0: 4, 1: 3, 6: 4 * 3 * 9}, 1, 1, bw)
    net = Net()
    net.load_param(param)
    with pytest.raises(ModelFormatError, match="int8"):
        net.load_model(binf)
