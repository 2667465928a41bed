"""kernels/int8.py against independent references: int64 sums, exact rationals, hand values."""
from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest

from engine.kernels.int8 import (
    EXACT_K, dequant_scales, dequantize, int8_conv2d, int_matmul, prepare_int8_conv, quantize)
from tests.engine.int8.int8_support import int_reference_conv


def test_quantize_rounds_half_away_from_zero_and_clamps():
    x = np.array([0.25, 0.75, -0.75, 1.25, -200.0, 100.0], np.float32)
    assert quantize(x, 2.0).tolist() == [1, 2, -2, 3, -127, 127]


def test_int_matmul_is_exact_where_float32_is_not():
    rng = np.random.default_rng(0)
    k = 5 * EXACT_K + 17
    a = rng.choice(np.array([-128, -127, 126, 127], np.int8), (3, k), p=[0.05, 0.05, 0.45, 0.45])
    b = rng.choice(np.array([-128, 125, 127], np.int8), (k, 4), p=[0.05, 0.5, 0.45])
    exact = a.astype(np.int64) @ b.astype(np.int64)
    assert np.abs(exact).min() > 2 ** 25  # far beyond 2**24, where float32 stops holding every integer
    np.testing.assert_array_equal(int_matmul(a, b), exact)
    # the same product done in one float32 GEMM loses the low bits: the chunking is what makes it exact
    one_gemm = a.astype(np.float32) @ b.astype(np.float32)
    assert np.any(one_gemm.astype(np.int64) != exact)


@pytest.mark.parametrize("group,in_g,out_g,k,stride,dilation", [
    (1, 200, 3, 3, (1, 1), (1, 1)),   # 1800 products: two chunks
    (2, 130, 2, 3, (2, 1), (1, 2)),   # grouped, chunked inside each group
    (4, 1, 2, 5, (2, 2), (1, 1)),     # depthwise with a channel multiplier
    (1, 3000, 2, 1, (1, 1), (1, 1)),  # pointwise, three chunks
])
def test_int8_conv2d_is_exact(group, in_g, out_g, k, stride, dilation):
    rng = np.random.default_rng(in_g + k)
    wq = rng.integers(-128, 128, (group * out_g, in_g, k, k)).astype(np.int8)
    xq = rng.integers(-127, 128, (group * in_g, 11, 12)).astype(np.int8)
    acc = int8_conv2d(xq, prepare_int8_conv(wq, group, stride), stride, dilation)
    np.testing.assert_array_equal(acc, int_reference_conv(xq, wq, stride, dilation, group))


def _round_to_float32(v: Fraction) -> np.float32:
    """The float32 nearest to an exact rational (ties to even), found among float32 neighbours."""
    c = np.float32(float(v))
    cands = [np.nextafter(c, np.float32(-np.inf)), c, np.nextafter(c, np.float32(np.inf))]
    best = min(cands, key=lambda f: (abs(Fraction(float(f)) - v), int(f.view(np.int32)) & 1))
    return np.float32(best)


def test_dequantize_fused_rounds_once_plain_rounds_twice():
    rng = np.random.default_rng(1)
    acc = rng.integers(-2 ** 20, 2 ** 20, 2000).astype(np.int32)
    scale = np.float32(1) / np.float32(37.7)
    bias = rng.standard_normal(2000).astype(np.float32)
    fused = dequantize(acc, scale, bias)
    plain = dequantize(acc, scale, bias, fused=False)
    for i in range(0, 2000, 97):
        exact = Fraction(int(acc[i])) * Fraction(float(scale)) + Fraction(float(bias[i]))
        assert fused[i] == _round_to_float32(exact)
        product = _round_to_float32(Fraction(int(acc[i])) * Fraction(float(scale)))
        assert plain[i] == _round_to_float32(Fraction(float(product)) + Fraction(float(bias[i])))
    assert np.any(fused != plain)  # the two roundings do differ on some of these


def test_dequant_scales():
    s = dequant_scales(4.0, np.array([0.5, 0.0, 3.0], np.float32))
    assert s.tolist() == [0.5, 0.0, np.float32(1) / np.float32(12)]
    assert np.isinf(dequant_scales(4.0, np.array([0.0], np.float32), zero_guard=False)[0])
