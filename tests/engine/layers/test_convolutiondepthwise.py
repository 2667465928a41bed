import numpy as np
import pytest

from engine import Net, Option
from engine.errors import LayerRuntimeError, ModelFormatError
from engine.formats.ncnn_bin import FileWeights
from engine.formats.ncnn_writer import BinWriter
from tests.engine.layers.conv_support import (
    ACTIVATIONS,
    act_params,
    naive_conv,
    run,
)
from tests.support.layer_check import check_layer, one_layer_model, run_layerscope
from tests.support.oracle import assert_blob_close, run_ncnn

pytestmark = pytest.mark.oracle

# (in channels, num_output, group): depthwise, depthwise with multiplier, plain grouped, group 1.
GROUPINGS = [(5, 5, 5), (4, 8, 4), (4, 4, 2), (4, 6, 2), (6, 3, 3), (3, 4, 1)]


def weight_count(cin, cout, group, kh, kw):
    return cout * (cin // group) * kh * kw


@pytest.mark.parametrize("cin,cout,group", GROUPINGS)
@pytest.mark.parametrize("pad", [0, 1, -233, -234])
@pytest.mark.parametrize("stride", [1, 2, 3])
def test_groupings_padding_stride(tmp_path, cin, cout, group, pad, stride):
    params = {0: cout, 1: 3, 3: stride, 4: pad, 7: group}
    y, x, w, b = run(tmp_path, "ConvolutionDepthWise", params, (cin, 7, 9), weight_count(cin, cout, group, 3, 3))
    if pad == 1:
        ref = naive_conv(np.pad(x, ((0, 0), (1, 1), (1, 1))), w.reshape(cout, cin // group, 3, 3), b,
                         (stride, stride), group=group)
        np.testing.assert_allclose(y, ref, rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("cin,cout,group", GROUPINGS)
@pytest.mark.parametrize("kernel", [(1, 1), (5, 5), (3, 2)])
@pytest.mark.parametrize("dilation", [1, 2])
def test_kernels_dilation(tmp_path, cin, cout, group, kernel, dilation):
    kh, kw = kernel
    params = {0: cout, 1: kw, 11: kh, 2: dilation, 12: 1, 4: 2, 14: 1, 18: 0.25, 7: group}
    run(tmp_path, "ConvolutionDepthWise", params, (cin, 8, 9), weight_count(cin, cout, group, kh, kw))


@pytest.mark.parametrize("act,extra", ACTIVATIONS)
@pytest.mark.parametrize("bias", [False, True])
def test_fused_activation_and_bias(tmp_path, act, extra, bias):
    params = {0: 6, 1: 3, 4: 1, 7: 6, **act_params(act, extra)}
    run(tmp_path, "ConvolutionDepthWise", params, (6, 7, 9), 6 * 9, bias=bias, seed=act)


@pytest.mark.parametrize("cin,cout,group", [(5, 5, 5), (4, 6, 2)])
def test_fp16_weights(tmp_path, cin, cout, group):
    run(tmp_path, "ConvolutionDepthWise", {0: cout, 1: 3, 3: 2, 4: -233, 7: group}, (cin, 9, 7),
        weight_count(cin, cout, group, 3, 3), storage="fp16")


def test_many_channels_in_chunks(tmp_path):
    # Enough channels that the depthwise kernel works in several cache-sized chunks.
    run(tmp_path, "ConvolutionDepthWise", {0: 96, 1: 3, 4: 1, 7: 96}, (96, 30, 31), 96 * 9)


def test_lower_rank_input(tmp_path):
    run(tmp_path, "ConvolutionDepthWise", {0: 3, 1: 3, 7: 1}, (6, 7), 3 * 9)


@pytest.mark.parametrize("cin,cout,group", [(4, 4, 4), (4, 6, 2)])
@pytest.mark.parametrize("bias", [False, True])
def test_dynamic_weight(tmp_path, cin, cout, group, bias):
    rng = np.random.default_rng(cin + cout)
    x = rng.standard_normal((cin, 7, 8)).astype(np.float32)
    w = rng.standard_normal((cout, cin // group, 3, 3)).astype(np.float32)
    inputs = [x, w] + ([rng.standard_normal(cout).astype(np.float32)] if bias else [])
    check_layer(tmp_path, "ConvolutionDepthWise", {0: cout, 1: 3, 4: 1, 5: int(bias), 7: group, 19: 1}, inputs)


@pytest.mark.parametrize("params", [
    {0: 6, 7: 4},  # num_output % group != 0: ncnn's load_param refuses it
    {0: 4, 7: 0},
    {0: 4, 7: 4, 9: 6, 10: [0.2]},  # HardSwish needs alpha and beta
])
def test_refused_params(tmp_path, params):
    param, _ = one_layer_model(tmp_path, "ConvolutionDepthWise", {1: 3, 6: 36, **params}, 1, 1)
    with pytest.raises(ModelFormatError):
        Net().load_param(param)


def test_channels_not_divisible_by_group(tmp_path):
    bw = BinWriter().tagged(np.zeros(4 * 9, np.float32))
    param, binf = one_layer_model(tmp_path, "ConvolutionDepthWise", {0: 4, 1: 3, 6: 36, 7: 4}, 1, 1, bw)
    with pytest.raises(LayerRuntimeError):  # ncnn itself crashes here
        run_layerscope(param, binf, {"in0": np.zeros((6, 5, 5), np.float32)}, ["out0"])


# -- int8 ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("term,n_weight_scales,has_top", [(1, 3, False), (101, 3, True), (2, 1, False),
                                                          (102, 1, True)])
def test_int8_scales_are_read(tmp_path, term, n_weight_scales, has_top):
    rng = np.random.default_rng(term)
    w = rng.standard_normal(6 * 2 * 9).astype(np.float32)
    b = rng.standard_normal(6).astype(np.float32)
    scales = rng.uniform(50, 100, n_weight_scales).astype(np.float32)
    bw = BinWriter().tagged(w).raw(b).raw(scales).raw(np.array([20.0], np.float32))
    if has_top:
        bw.raw(np.array([30.0], np.float32))
    params = {0: 6, 1: 3, 4: 1, 5: 1, 6: w.size, 7: 3}
    param, binf = one_layer_model(tmp_path, "ConvolutionDepthWise", {**params, 8: term}, 1, 1, bw)
    net = Net()
    net.load_param(param)
    reader = FileWeights(binf)
    for layer in net.layers:
        layer.load_model(reader)
    assert reader.remaining() == 0
    assert net.layers[1].weights["weight_data_int8_scales"].shape == (n_weight_scales,)
    # fp32 weights with scales run in fp32: same as the model without int8 scales, checked with ncnn.
    x = rng.standard_normal((6, 5, 7)).astype(np.float32)
    ours = run_layerscope(param, binf, {"in0": x}, ["out0"])["out0"]
    (tmp_path / "plain").mkdir()
    (ref,) = check_layer(tmp_path / "plain", "ConvolutionDepthWise", params, [x],
                         weights=BinWriter().tagged(w).raw(b))
    np.testing.assert_array_equal(ours, ref)


@pytest.mark.parametrize("term", [1, 2])
def test_int8_weights(tmp_path, term):
    rng = np.random.default_rng(5)
    q = rng.integers(-127, 128, 4 * 9).astype(np.int8)
    scales = np.array([50.0, 0.0, 80.0, 120.0] if term == 1 else [64.0], np.float32)
    bw = BinWriter().tagged(q, "int8").raw(scales).raw(np.array([20.0], np.float32))
    param, binf = one_layer_model(tmp_path, "ConvolutionDepthWise", {0: 4, 1: 3, 6: 36, 7: 4, 8: term}, 1, 1, bw)
    net = Net()
    net.load_param(param)
    net.load_model(binf)
    x = rng.standard_normal((4, 5, 6)).astype(np.float32)
    ex = net.create_extractor()
    ex.input("in0", x)
    # int8 inference runs ncnn's int8 path (checked in depth in test_convolutiondepthwise_int8.py).
    assert_blob_close(ex.extract("out0"), run_ncnn(param, binf, {"in0": x}, ["out0"])["out0"], "int8 dw", 1e-5)
    net.opt = Option(use_int8_inference=False, num_threads=1)
    ex = net.create_extractor()
    ex.input("in0", x)
    per_group = np.broadcast_to(scales, (4,))
    inv = np.where(per_group != 0, 1 / np.where(per_group != 0, per_group, 1), 0)  # a zero scale gives 0
    w = q.reshape(4, 1, 3, 3) * inv[:, None, None, None]
    np.testing.assert_allclose(ex.extract("out0"), naive_conv(x, w, None, group=4), rtol=1e-5, atol=1e-5)
