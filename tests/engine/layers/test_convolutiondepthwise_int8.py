"""ConvolutionDepthWise's int8 path against the real ncnn: float outputs within 1e-5 relative,
requantised int8 outputs bit-exact.

ncnn's x86 depthwise kernel for the packed layout (channels a multiple of 8) dequantises with
_mm_rcp_ps, an approximate reciprocal (12 bits, CPU-specific); Layerscope computes 1 / (s_in * s_w)
exactly as ncnn's reference and unpacked paths do, so those shapes are compared with ncnn's packed
layout off. So are grouped layers with 8k channels per group: there ncnn's packed int8 path returns
garbage for 3x3 kernels (NaN, 3e38, measured with pip ncnn 1.0.20261020), while its unpacked path
agrees with ours bit for bit. Other shapes are compared in both layouts."""
from __future__ import annotations

import numpy as np
import pytest

from tests.engine.int8.int8_support import (
    check_int8_layer, quantize_weights, run_ncnn_int8, weight_scales, with_activation)

pytestmark = pytest.mark.oracle


def _case(seed, channels, group, cout, k):
    rng = np.random.default_rng(seed)
    wf = rng.standard_normal((group, cout // group * channels // group * k * k)).astype(np.float32)
    ws = weight_scales(wf)
    x = (rng.standard_normal((channels, 12, 11)) * 2).astype(np.float32)
    return quantize_weights(wf, ws), ws, rng.standard_normal(cout).astype(np.float32), x


# (channels, group, num_output, kernel, stride, dilation, pad)
SHAPES = [(6, 6, 6, 3, 1, 1, 1), (6, 6, 6, 3, 2, 1, 1), (6, 6, 6, 5, 1, 1, 2), (6, 6, 6, 3, 1, 2, 2),
          (16, 16, 16, 3, 1, 1, 1), (16, 16, 16, 5, 2, 1, 2), (4, 4, 8, 3, 1, 1, 1), (8, 2, 6, 3, 1, 1, 1),
          (16, 2, 16, 3, 2, 1, 1)]


@pytest.mark.parametrize("shape", SHAPES, ids=lambda s: "x".join(map(str, s)))
@pytest.mark.parametrize("term", [1, 101])
def test_dw_int8_matches_ncnn(tmp_path, shape, term):
    channels, group, cout, k, stride, dilation, pad = shape
    wq, ws, b, x = _case(sum(shape), channels, group, cout, k)
    params = {0: cout, 1: k, 2: dilation, 3: stride, 4: pad, 5: 1, 6: wq.size, 7: group, 8: term}
    packings = (False,) if (channels // group) % 8 == 0 or (channels == group and channels % 8 == 0) else (True, False)
    check_int8_layer(tmp_path, "ConvolutionDepthWise", params, wq, b, ws, 127 / np.abs(x).max(),
                     11.0 if term > 100 else None, x, packings)


@pytest.mark.parametrize("act", range(7))
@pytest.mark.parametrize("k,stride", [(3, 1), (3, 2), (5, 1)])
@pytest.mark.parametrize("term", [1, 101])
def test_dw_int8_activations_and_kernels(tmp_path, act, k, stride, term):
    """The x86 code picks a kernel per (3x3 s1/s2, activation none/ReLU) vs generic, each with its
    own rounding of `acc * scale + bias`: all must agree bit for bit."""
    wq, ws, b, x = _case(act + 10 * k, 6, 6, 6, k)
    params = with_activation({0: 6, 1: k, 3: stride, 4: k // 2, 5: 1, 6: wq.size, 7: 6, 8: term}, act)
    check_int8_layer(tmp_path, "ConvolutionDepthWise", params, wq, b, ws, 127 / np.abs(x).max(),
                     9.0 if term > 100 else None, x)


@pytest.mark.parametrize("term", [2, 102])
def test_dw_int8_one_shared_weight_scale(tmp_path, term):
    wq, ws, b, x = _case(7, 6, 6, 6, 3)
    shared = ws[:1]
    wq = quantize_weights(wq.reshape(6, -1).astype(np.float32) / ws[:, None], np.repeat(shared, 6))
    params = {0: 6, 1: 3, 4: 1, 5: 1, 6: wq.size, 7: 6, 8: term}
    check_int8_layer(tmp_path, "ConvolutionDepthWise", params, wq, b, shared, 20.0,
                     10.0 if term > 100 else None, x)


def test_dw_int8_packed_layout_differs_only_by_ncnn_approximate_reciprocal(tmp_path):
    """With ncnn's packed layout (16 channels) the dequantisation scale is _mm_rcp_ps(s_in * s_w), whose
    relative error is at most 1.5 * 2**-12 (Intel's documented bound): every value must be within that
    much of ours on the scaled sum (output minus bias), and the packed path must be the one differing."""
    wq, ws, b, x = _case(3, 16, 16, 16, 3)
    params = {0: 16, 1: 3, 4: 1, 5: 1, 6: wq.size, 7: 16, 8: 1}
    ours = check_int8_layer(tmp_path, "ConvolutionDepthWise", params, wq, b, ws, 127 / np.abs(x).max(), None, x,
                            packings=(False,))
    ref = run_ncnn_int8(tmp_path / "m.param", tmp_path / "m.bin", {"in0": x}, ["out0"], packing=True)["out0"]
    scaled = np.abs(ours - b[:, None, None]).astype(np.float64)
    err = np.abs(ours.astype(np.float64) - ref)
    assert np.all(err <= 1.5 * 2 ** -12 * scaled + 2 ** -22 * np.maximum(1, np.abs(ref)))
    assert err.max() > 0
