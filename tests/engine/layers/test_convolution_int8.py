"""Convolution's int8 path (int8 weights + int8_scale_term under opt.use_int8_inference) against the
real ncnn: float outputs within 1e-5 relative, requantised int8 outputs bit-exact."""
from __future__ import annotations

import numpy as np
import pytest

from engine.errors import LayerRuntimeError
from engine.kernels.int8 import EXACT_K, dequant_scales, quantize
from engine.formats.ncnn_writer import BinWriter, LayerLine, write_model
from tests.engine.int8.int8_support import (
    check_int8_layer, compare, int8_layer_model, int_reference_conv, quantize_weights, run_ncnn_int8, run_ours,
    weight_scales, with_activation)

pytestmark = pytest.mark.oracle


def _case(seed, cin, cout, k, x_hw=(13, 11), bound=127.0):
    rng = np.random.default_rng(seed)
    wf = rng.standard_normal((cout, cin, k, k)).astype(np.float32)
    ws = weight_scales(wf, bound)
    x = (rng.standard_normal((cin, *x_hw)) * 3).astype(np.float32)
    return rng, quantize_weights(wf, ws), ws, rng.standard_normal(cout).astype(np.float32), x


# (cin, cout, kernel, stride, dilation, pad, weight bound): 3x3 s1 uses 31/absmax as ncnn2table does
# (ncnn's int8 Winograd relies on it); the others 127/absmax.
SHAPES = [(3, 5, 3, 1, 1, 1, 31.0), (16, 16, 3, 1, 1, 1, 31.0), (16, 16, 3, 2, 1, 1, 127.0),
          (16, 24, 1, 1, 1, 0, 127.0), (8, 12, 5, 1, 2, 2, 127.0), (12, 8, 3, 2, 1, 0, 127.0)]


@pytest.mark.parametrize("shape", SHAPES, ids=lambda s: "x".join(map(str, s[:6])))
@pytest.mark.parametrize("term", [2, 102])
def test_conv_int8_matches_ncnn(tmp_path, shape, term):
    cin, cout, k, stride, dilation, pad, bound = shape
    _, wq, ws, b, x = _case(cin * cout + k, cin, cout, k, bound=bound)
    s_in = np.float32(127 / np.abs(x).max())
    params = {0: cout, 1: k, 2: dilation, 3: stride, 4: pad, 5: 1, 6: wq.size, 8: term}
    check_int8_layer(tmp_path, "Convolution", params, wq, b, ws, s_in, 9.5 if term > 100 else None, x)


@pytest.mark.parametrize("act", range(7))
@pytest.mark.parametrize("term", [2, 102])
def test_conv_int8_fused_activations(tmp_path, act, term):
    _, wq, ws, b, x = _case(act, 8, 8, 3)
    params = with_activation({0: 8, 1: 3, 3: 2, 4: 1, 5: 1, 6: wq.size, 8: term}, act)
    check_int8_layer(tmp_path, "Convolution", params, wq, b, ws, 40.0, 12.0 if term > 100 else None, x)


def test_conv_int8_sums_are_exact_beyond_float32(tmp_path):
    """K = 300*3*3 = 2700 products of up to 127*127: sums far beyond 2**24, where a float32 GEMM
    rounds. The int32 sums must equal a direct int64 convolution exactly. (Stride 2: ncnn's int8
    Winograd for 3x3 stride 1 overflows with 8-bit weights, hence ncnn2table's 6-bit rule there.)"""
    rng = np.random.default_rng(3)
    cin, cout = 300, 4
    wq = np.where(rng.random((cout, cin, 3, 3)) < 0.5, 127, 126).astype(np.int8)
    x = np.full((cin, 7, 9), 127, np.float32) - rng.integers(0, 3, (cin, 7, 9)).astype(np.float32)
    assert cin * 9 > EXACT_K
    ws = np.ones(cout, np.float32)
    params = {0: cout, 1: 3, 3: 2, 5: 0, 6: wq.size, 8: 2}
    y = check_int8_layer(tmp_path, "Convolution", params, wq.reshape(-1), None, ws, 1.0, None, x)
    exact = int_reference_conv(x.astype(np.int64), wq, stride=(2, 2))
    assert exact.max() > 2 ** 24
    np.testing.assert_array_equal(y, exact.astype(np.float32))  # scale 1/(1*1): the sum, rounded once
    # Stride 1 against ncnn's direct/GEMM int8 path (its Winograd one overflows on such 8-bit weights).
    param, binf = int8_layer_model(tmp_path / "s1", "Convolution", {**params, 3: 1}, wq.reshape(-1), None, ws, 1.0)
    ours = run_ours(param, binf, {"in0": x}, ["out0"])["out0"]
    compare(ours, run_ncnn_int8(param, binf, {"in0": x}, ["out0"], winograd=False)["out0"], "stride 1")
    np.testing.assert_array_equal(ours, int_reference_conv(x.astype(np.int64), wq).astype(np.float32))


def test_conv_int8_same_padding_and_pad_value(tmp_path):
    _, wq, ws, b, x = _case(5, 6, 4, 3, x_hw=(9, 10))
    for pads, pad_value in (({4: -233}, 0.0), ({4: -234}, 0.0), ({4: 1, 15: 2, 14: 0, 16: 1}, 3.7)):
        params = {0: 4, 1: 3, 3: 2, 5: 1, 6: wq.size, 8: 2, 18: pad_value, **pads}
        check_int8_layer(tmp_path, "Convolution", params, wq, b, ws, 30.0, None, x)


def test_conv_int8_hand_computed(tmp_path):
    """One output value by hand: x = [0.5, -1.26, 2.0] * s_in 2 -> [1, -3, 4] (half away from zero),
    weights [2, 1, -1] with scale 4: (2 - 3 - 4) / (2 * 4) + bias 0.25 = -0.375."""
    wq = np.array([2, 1, -1], np.int8)
    x = np.array([0.5, -1.26, 2.0], np.float32).reshape(3, 1, 1)
    params = {0: 1, 1: 1, 5: 1, 6: 3, 8: 2}
    y = check_int8_layer(tmp_path, "Convolution", params, wq, np.array([0.25], np.float32),
                         np.array([4.0], np.float32), 2.0, None, x)
    assert y.reshape(-1).tolist() == [-0.375]
    assert quantize(x.reshape(-1), 2.0).tolist() == [1, -3, 4]
    assert dequant_scales(2.0, np.array([4.0, 0.0], np.float32)).tolist() == [0.125, 0.0]


def test_conv_int8_chain_passes_int8_blobs(tmp_path):
    """conv1 requantises (int8_scale_term 102) into conv2, which must take the int8 blob as is:
    ncnn2int8's fused layout. Both blobs compared, the int8 one bit for bit."""
    rng, wq1, ws1, b1, x = _case(11, 4, 8, 3, bound=31.0)
    wf2 = rng.standard_normal((6, 8, 1, 1)).astype(np.float32)
    ws2 = weight_scales(wf2)
    wq2, b2 = quantize_weights(wf2, ws2), rng.standard_normal(6).astype(np.float32)
    bw = BinWriter().tagged(wq1, "int8").raw(b1).raw(ws1).raw(np.array([25.0], np.float32)) \
        .raw(np.array([14.0], np.float32))
    bw.tagged(wq2, "int8").raw(b2).raw(ws2).raw(np.array([14.0], np.float32))
    lines = [LayerLine("Input", "input", [], ["in0"]),
             LayerLine("Convolution", "conv1", ["in0"], ["mid"], {0: 8, 1: 3, 4: 1, 5: 1, 6: wq1.size, 8: 102, 9: 1}),
             LayerLine("Convolution", "conv2", ["mid"], ["out0"], {0: 6, 1: 1, 5: 1, 6: wq2.size, 8: 2})]
    write_model(tmp_path / "m.param", tmp_path / "m.bin", lines, bw)
    ours = run_ours(tmp_path / "m.param", tmp_path / "m.bin", {"in0": x}, ["mid", "out0"])
    assert ours["mid"].dtype == np.int8 and ours["mid"].min() >= 0  # ReLU before requantisation
    for packing in (True, False):
        ref = run_ncnn_int8(tmp_path / "m.param", tmp_path / "m.bin", {"in0": x}, ["mid", "out0"], packing=packing)
        for name in ("mid", "out0"):
            compare(ours[name], ref[name], f"{name} packing={packing}")


def test_conv_int8_flattened_input_1x1_refused(tmp_path):
    """ncnn's fp32 path runs a 1-D blob through a 1x1 convolution as an InnerProduct; its int8 path
    has no such case (it reads the blob as one channel of a different size: undefined output). We
    refuse it clearly instead."""
    _, wq, ws, b, _ = _case(2, 10, 7, 1)
    x = np.random.default_rng(4).standard_normal(10).astype(np.float32)
    param, binf = int8_layer_model(tmp_path, "Convolution", {0: 7, 1: 1, 5: 1, 6: wq.size, 8: 2}, wq, b, ws, 50.0)
    with pytest.raises(LayerRuntimeError, match="c=10"):
        run_ours(param, binf, {"in0": x}, ["out0"])
