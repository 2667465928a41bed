"""int8 quantisation helpers shared by Quantize/Requantize and the int8 inference paths.

ncnn's `float2int8` rounds half away from zero and clamps to [-127, 127] (never -128). The x86 SIMD
kernels, which run on every blob of 4+ elements, implement the rounding as "add ±0.5, truncate" and
convert with cvttps, whose overflow result (INT_MIN) also covers NaN and ±inf: everything with
|v + 0.5| >= 2**31 or NaN, +inf included, becomes -127. `float2int8` reproduces that form exactly.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .conv import ConvWeights, conv2d, prepare_conv

_HALF = np.float32(0.5)
_INT32_LIMIT = np.float32(2.0 ** 31)


def float2int8(v: np.ndarray) -> np.ndarray:
    """float32 array -> int8 array, as ncnn's x86 float2int8 (see the module docstring)."""
    v = np.asarray(v, dtype=np.float32)
    t = v + np.copysign(_HALF, v)  # float32 add: rounds like the SIMD path at the one-ulp edge
    np.trunc(t, out=t)
    overflow = ~(np.abs(t) < _INT32_LIMIT)  # NaN compares False, so it lands here too
    np.clip(t, -127, 127, out=t)
    if overflow.any():
        t[overflow] = -127
    return t.astype(np.int8)


def per_outer(values: np.ndarray, ndim: int) -> np.ndarray:
    """A per-channel vector shaped to broadcast along the outermost axis of an `ndim`-D blob."""
    return np.asarray(values, dtype=np.float32).reshape((-1,) + (1,) * (ndim - 1))


def outer_values(data: np.ndarray, x: np.ndarray) -> np.ndarray | np.float32:
    """ncnn's "one value or one per outermost index" lookup for a Quantize/Dequantize/Requantize vector.

    A single value is shared; otherwise there must be (at least) one per index of the outermost axis.
    1-D blobs use element 0 only: ncnn's 1-D paths ignore the rest.
    """
    if data.size == 1 or x.ndim == 1:
        return np.float32(data.reshape(-1)[0])
    if data.size < x.shape[0]:
        raise ValueError(f"{data.size} values for an outermost axis of {x.shape[0]}")
    return per_outer(data[:x.shape[0]], x.ndim)


def reinterpret(x: np.ndarray, dtype: type) -> np.ndarray | None:
    """A 4-byte blob as `dtype` (np.int32 or np.float32), bits unchanged, as ncnn (whose Mats carry no
    dtype, only an element size) reads it; None for any other element size."""
    if x.dtype == dtype:
        return x
    if x.dtype.itemsize == 4 and x.dtype in (np.int32, np.float32):
        return x.view(dtype)
    return None



# -- int8 convolution / inner product (ncnn's forward_int8 paths) ------------------------------------

# float32 holds every integer up to 2**24 exactly, and 1024 products of int8 values (|q| <= 128,
# -128 included for foreign files) sum to at most 1024 * 128 * 128 = 2**24. So a float32 GEMM over at
# most EXACT_K terms is exact whatever order BLAS adds in; longer sums are split into such chunks
# and the chunk results added in int32 (ncnn's accumulator, wrapping the same way on overflow).
EXACT_K = 1024


def quantize(x: np.ndarray, scale: np.ndarray | float) -> np.ndarray:
    """ncnn's Quantize as the int8 layers call it: float2int8(x * scale) in float32."""
    return float2int8(np.asarray(x, np.float32) * np.asarray(scale, np.float32))


def dequant_scales(bottom_scale: np.ndarray | float, weight_scales: np.ndarray, zero_guard: bool = True
                   ) -> np.ndarray:
    """Per output channel `1 / (s_in * s_w)` in float32; 0 where the weight scale is 0 (ncnn's rule)
    unless zero_guard is off (the few ncnn kernels that divide unguarded get inf there)."""
    ws = np.asarray(weight_scales, np.float32)
    prod = np.float32(bottom_scale) * ws
    with np.errstate(divide="ignore", over="ignore"):
        inv = np.float32(1) / prod
    return np.where(ws == 0, np.float32(0), inv).astype(np.float32) if zero_guard else inv.astype(np.float32)


def dequantize(acc: np.ndarray, scale_in: np.ndarray, bias: np.ndarray | None, fused: bool = True) -> np.ndarray:
    """float32(acc) * scale_in + bias. fused: one rounding, as the x86 Dequantize/Requantize kernels' FMA
    (the product of two float32 values is exact in float64, so only the final cast rounds); else
    rounded after the product and after the sum, as ncnn's plain C loops. scale_in/bias broadcast."""
    accf = np.asarray(acc, np.float32)  # int32 -> float32 rounds to nearest, as cvtepi32_ps
    if bias is None:
        return accf * scale_in
    if not fused:
        y = accf * scale_in
        y += bias
        return y
    y = accf.astype(np.float64)  # in place from here: the same arithmetic, two temporaries fewer
    y *= np.asarray(scale_in, np.float64)
    y += np.asarray(bias, np.float64)
    return y.astype(np.float32)


def int_matmul(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Exact int32 product of integer-valued arrays (..., m, k) @ (..., k, n), through float32 BLAS
    on chunks of EXACT_K along k."""
    k = a.shape[-1]
    af = np.asarray(a, np.float32)
    bf = np.asarray(b, np.float32)
    if k <= EXACT_K:
        return np.matmul(af, bf).astype(np.int32)
    acc = None
    for k0 in range(0, k, EXACT_K):
        part = np.matmul(af[..., k0:k0 + EXACT_K], bf[..., k0:k0 + EXACT_K, :]).astype(np.int32)
        acc = part if acc is None else np.add(acc, part, out=acc)
    assert acc is not None
    return acc


@dataclass(frozen=True, eq=False)
class Int8ConvWeights:
    """int8 weights of a grouped convolution, split along the input channels of each group into
    chunks of at most EXACT_K products per output value, each prepared for kernels/conv.py."""

    group: int
    in_per_group: int
    chunks: tuple[tuple[int, int, ConvWeights], ...]  # (first, end) channel within each group, weights


def prepare_int8_conv(wq: np.ndarray, group: int, stride: tuple[int, int]) -> Int8ConvWeights:
    """wq: (out, in/group, kh, kw) integer weights (int8, or any integer-valued array)."""
    _, in_g, kh, kw = wq.shape
    if kh * kw > EXACT_K:
        raise ValueError(f"a {kh}x{kw} kernel has more than {EXACT_K} taps per channel")
    step = max(1, EXACT_K // (kh * kw))
    chunks = tuple((lo, min(in_g, lo + step),
                    prepare_conv(np.asarray(wq[:, lo:lo + step], np.float32), None, group, stride))
                   for lo in range(0, in_g, step))
    return Int8ConvWeights(group, in_g, chunks)


def int8_conv2d(xp: np.ndarray, iw: Int8ConvWeights, stride: tuple[int, int],
                dilation: tuple[int, int]) -> np.ndarray:
    """Exact sums of the convolution of an already padded (in, hp, wp) integer-valued array: int32, or,
    when one chunk covers the whole sum, the float32 GEMM result itself (every value an exact integer
    of at most 2**24, i.e. already the float32 conversion of the int32 sum that ncnn dequantises)."""
    xf = np.asarray(xp, np.float32)
    if len(iw.chunks) == 1:
        return conv2d(xf, iw.chunks[0][2], stride, dilation)
    _, hp, wp = xf.shape
    xg = xf.reshape(iw.group, iw.in_per_group, hp, wp)
    acc = None
    for lo, hi, cw in iw.chunks:
        sub = np.ascontiguousarray(xg[:, lo:hi]).reshape(iw.group * (hi - lo), hp, wp)
        part = conv2d(sub, cw, stride, dilation).astype(np.int32)
        acc = part if acc is None else np.add(acc, part, out=acc)
    assert acc is not None
    return acc
