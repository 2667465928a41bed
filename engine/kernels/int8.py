"""int8 quantisation helpers shared by Quantize/Requantize and the int8 inference paths.

ncnn's `float2int8` rounds half away from zero and clamps to [-127, 127] (never -128). The x86 SIMD
kernels, which run on every blob of 4+ elements, implement the rounding as "add ±0.5, truncate" and
convert with cvttps, whose overflow result (INT_MIN) also covers NaN and ±inf: everything with
|v + 0.5| >= 2**31 or NaN, +inf included, becomes -127. `float2int8` reproduces that form exactly.
"""
from __future__ import annotations

import numpy as np

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

