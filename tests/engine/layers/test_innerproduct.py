"""InnerProduct against ncnn: every input rank, the 2-D row-batch case, bias, fp16 weights,
fused activations, and the int8 weight handling."""
import numpy as np
import pytest

from engine import Net, Option
from engine.errors import LayerRuntimeError, ModelFormatError
from engine.formats.ncnn_writer import BinWriter, LayerLine, write_model
from tests.engine.layers.conv_support import ACTIVATIONS, act_params
from tests.support.layer_check import check_layer, one_layer_model, run_layerscope
from tests.support.oracle import assert_blob_close, run_ncnn

pytestmark = pytest.mark.oracle


def model(rng, num_output, num_input, bias, storage="fp32"):
    w = rng.standard_normal(num_output * num_input).astype(np.float32)
    if storage == "fp16":
        w = w.astype(np.float16).astype(np.float32)
    bw = BinWriter().tagged(w, storage)
    b = None
    if bias:
        b = rng.standard_normal(num_output).astype(np.float32)
        bw.raw(b)
    return bw, w.reshape(num_output, num_input), b


# (input shape, whether ncnn treats it as rows: 2-D with w == num_input)
CASES = [((105,), False), ((7, 15), True), ((15, 7), False), ((3, 5, 7), False), ((3, 1, 5, 7), False),
         ((1, 105), True), ((2, 3, 4, 5), False)]


@pytest.mark.parametrize("shape,rows", CASES)
@pytest.mark.parametrize("bias", [0, 1])
@pytest.mark.parametrize("num_output", [1, 13])
def test_innerproduct_ranks(tmp_path, shape, rows, bias, num_output):
    rng = np.random.default_rng(num_output + 7 * bias)
    num_input = shape[-1] if rows else int(np.prod(shape))
    bw, w, b = model(rng, num_output, num_input, bias)
    x = rng.standard_normal(shape).astype(np.float32)
    params = {0: num_output, 1: bias, 2: w.size}
    (y,) = check_layer(tmp_path, "InnerProduct", params, [x], weights=bw)
    flat = x.astype(np.float64) if rows else x.reshape(-1).astype(np.float64)
    want = flat @ w.T.astype(np.float64) + (0 if b is None else b)
    assert y.shape == want.shape
    np.testing.assert_allclose(y, want, rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("act,extra", ACTIVATIONS)
@pytest.mark.parametrize("shape", [(3, 5, 7), (6, 35)])
def test_innerproduct_activations(tmp_path, act, extra, shape):
    rng = np.random.default_rng(act)
    bw, w, _ = model(rng, 16, shape[-1] if len(shape) == 2 else int(np.prod(shape)), 1)
    x = rng.standard_normal(shape).astype(np.float32) * 0.5
    check_layer(tmp_path, "InnerProduct", {0: 16, 1: 1, 2: w.size, **act_params(act, extra)}, [x], weights=bw)


@pytest.mark.parametrize("shape", [(64,), (9, 64)])
def test_innerproduct_fp16_weights(tmp_path, shape):
    rng = np.random.default_rng(3)
    bw, w, _ = model(rng, 24, 64, 1, "fp16")
    x = rng.standard_normal(shape).astype(np.float32)
    check_layer(tmp_path, "InnerProduct", {0: 24, 1: 1, 2: w.size}, [x], weights=bw)


def test_innerproduct_large(tmp_path):
    rng = np.random.default_rng(4)
    bw, w, _ = model(rng, 1000, 2048, 1)
    x = rng.standard_normal((2048,)).astype(np.float32)
    check_layer(tmp_path, "InnerProduct", {0: 1000, 1: 1, 2: w.size, 9: 1}, [x], weights=bw)


def test_innerproduct_wrong_input_size(tmp_path):
    rng = np.random.default_rng(5)
    bw, w, _ = model(rng, 4, 10, 0)
    param, binf = one_layer_model(tmp_path, "InnerProduct", {0: 4, 2: w.size}, 1, 1, bw)
    with pytest.raises(LayerRuntimeError, match="expect 10 input values"):
        run_layerscope(param, binf, {"in0": np.zeros((3, 4), np.float32)}, ["out0"])


@pytest.mark.parametrize("params", [{0: 0, 2: 10}, {0: 3, 2: 10}, {0: 2, 2: 10, 9: 2}, {0: 2, 2: 10, 9: 7}])
def test_innerproduct_bad_params_refused(tmp_path, params):
    param, binf = one_layer_model(tmp_path, "InnerProduct", params, 1, 1, BinWriter().tagged(np.zeros(10)))
    with pytest.raises(ModelFormatError):
        Net().load_param(param)


def _int8_model(tmp_path, int8_weights):
    """ip1 (35 -> 6, int8 scales) then ip2 (6 -> 3) whose weights follow in the .bin, so a misread of
    ip1's scales shows in ip2. 210 int8 weights need 2 bytes of padding."""
    rng = np.random.default_rng(11)
    w1 = rng.standard_normal((6, 35)).astype(np.float32)
    b1, w2, b2 = (rng.standard_normal(n).astype(np.float32) for n in (6, 18, 3))
    scales = rng.uniform(50, 100, 6).astype(np.float32)
    bw = BinWriter()
    if int8_weights:
        bw.tagged(np.clip(np.round(w1 * scales[:, None]), -127, 127).astype(np.int8).ravel(), "int8")
    else:
        bw.tagged(w1)
    bw.raw(b1).raw(scales).raw(np.array([20.0], np.float32)).tagged(w2).raw(b2)
    lines = [LayerLine("Input", "input", [], ["in0"]),
             LayerLine("InnerProduct", "ip1", ["in0"], ["h"], {0: 6, 1: 1, 2: 210, 8: 1}),
             LayerLine("InnerProduct", "ip2", ["h"], ["out0"], {0: 3, 1: 1, 2: 18})]
    write_model(tmp_path / "m.param", tmp_path / "m.bin", lines, bw)
    return tmp_path / "m.param", tmp_path / "m.bin", w1, b1, w2, b2


def test_innerproduct_int8_scales_consumed_fp32_weights_run_fp32(tmp_path):
    param, binf, w1, b1, w2, b2 = _int8_model(tmp_path, False)
    x = np.random.default_rng(12).standard_normal((5, 7)).astype(np.float32)
    ours = run_layerscope(param, binf, {"in0": x}, ["out0"])["out0"]
    want = w2.reshape(3, 6) @ (w1 @ x.reshape(-1) + b1) + b2
    np.testing.assert_allclose(ours, want, rtol=1e-4, atol=1e-4)


def test_innerproduct_int8_weights(tmp_path):
    param, binf, *_ = _int8_model(tmp_path, True)
    net = Net()
    net.opt = Option(num_threads=1)
    net.load_param(param)
    net.load_model(binf)
    x = np.random.default_rng(13).standard_normal((35,)).astype(np.float32)
    ex = net.create_extractor()
    ex.input("in0", x)
    # int8 inference runs ncnn's int8 path (checked in depth in test_innerproduct_int8.py).
    assert_blob_close(ex.extract("h"), run_ncnn(param, binf, {"in0": x}, ["h"])["h"], "int8 ip1", 1e-5)
    net.opt = Option(use_int8_inference=False, num_threads=1)
    ex = net.create_extractor()
    ex.input("in0", x)
    ip1 = net.layers[1]
    w = ip1.weights["weight_data"].reshape(6, 35) / ip1.weights["weight_data_int8_scales"][:, None]
    np.testing.assert_allclose(ex.extract("h"), w @ x + ip1.weights["bias_data"], rtol=1e-5, atol=1e-5)
    assert ex.extract("out0").shape == (3,)


def test_innerproduct_int8_weights_without_scales_refused(tmp_path):
    bw = BinWriter().tagged(np.ones(12, np.int8), "int8")
    param, binf = one_layer_model(tmp_path, "InnerProduct", {0: 4, 2: 12}, 1, 1, bw)
    net = Net()
    net.load_param(param)
    with pytest.raises(ModelFormatError, match="int8"):
        net.load_model(binf)
