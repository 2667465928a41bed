"""Cast: converts a blob's element type, `0=type_from 1=type_to` (1 fp32, 2 fp16, 3 int8, 4 bf16).

ncnn converts only fp32→fp16, fp16→fp32, int8→fp32, fp32→bf16 and bf16→fp32; equal types pass the
blob through; any other pair leaves the output uninitialised in ncnn and is refused here.

Blobs: fp16 is a float16 array. bf16 has no numpy type, so a bf16 blob is a float32 array holding
bf16 values exactly (low 16 bits zero): it reads correctly anywhere and bf16→fp32 is then exact.

Rounding matched to the pip ncnn on x86 (an F16C CPU), found by probing it: fp32→fp16 rounds to
nearest-even (F16C) in blocks of 4 elements, but the last `size % 4` elements of each channel go
through ncnn's scalar conversion, which rounds ties away from zero and flushes anything below the fp16
normal range to zero. A channel is the whole blob for 1-D/2-D; a 3-D/4-D blob whose c is a multiple
of 4 is packed (use_packing_layout) and has no tail. fp32→bf16 adds 0x8000 and keeps the high 16 bits
(ties away from zero) everywhere. (ncnn's source at the time of writing truncated both; the pip
build rounds.)
"""
from __future__ import annotations

import numpy as np

from ..layer import INT, Layer, Param
from ..option import Option

FP32, FP16, INT8, BF16 = 1, 2, 3, 4
_SUPPORTED = {(FP32, FP16), (FP16, FP32), (INT8, FP32), (FP32, BF16), (BF16, FP32)}
_NAMES = {0: "auto", FP32: "fp32", FP16: "fp16", INT8: "int8", BF16: "bf16"}


def fp16_scalar_ncnn(x: np.ndarray) -> np.ndarray:
    """ncnn's scalar float32_to_float16 (the pip build): rounds half away from zero on the mantissa,
    but whatever falls below the fp16 normal range (by the fp32 exponent) becomes a signed zero."""
    u = np.ascontiguousarray(x, dtype=np.float32).view(np.uint32)
    sign = ((u >> 16) & 0x8000).astype(np.uint16)
    exponent = ((u >> 23) & 0xFF).astype(np.int32)
    mantissa = u & np.uint32(0x7FFFFF)
    newexp = exponent - 112  # rebias 127 → 15
    # a carry out of the mantissa rolls into the exponent, up to inf (0x7C00)
    normal = (np.clip(newexp, 0, 31).astype(np.uint32) << 10 | mantissa >> 13) + ((mantissa >> 12) & 1)
    normal = sign | normal.astype(np.uint16)
    inf_nan = sign | np.uint16(0x7C00) | np.where(mantissa != 0, np.uint16(0x200), np.uint16(0))
    out = np.where(newexp >= 31, sign | np.uint16(0x7C00), np.where(newexp <= 0, sign, normal))
    out = np.where(exponent == 0xFF, inf_nan, np.where(exponent == 0, sign, out))
    return out.astype(np.uint16).view(np.float16)


def fp32_to_fp16_ncnn_x86(x: np.ndarray, packed: bool) -> np.ndarray:
    """fp32→fp16 as ncnn's x86 Cast: F16C (nearest-even, subnormals kept) in blocks of 4, ncnn's
    scalar conversion for each channel's last size % 4 elements."""
    with np.errstate(over="ignore"):
        y = x.astype(np.float16)
    if x.ndim >= 3:
        if packed and x.shape[0] % 4 == 0:
            return y  # packed channels: every channel's size is a multiple of 4
        flat_x, flat_y = x.reshape(x.shape[0], -1), y.reshape(x.shape[0], -1)
    else:
        flat_x, flat_y = x.reshape(1, -1), y.reshape(1, -1)
    tail = flat_x.shape[1] % 4
    if tail:
        flat_y[:, -tail:] = fp16_scalar_ncnn(flat_x[:, -tail:])
    return y


def bf16_round(x: np.ndarray) -> np.ndarray:
    """fp32→bf16 as the pip ncnn does it: add half an ulp (0x8000) and keep the high 16 bits
    (ties away from zero), returned as a float32 array holding the bf16 values."""
    u = np.ascontiguousarray(x, dtype=np.float32).view(np.uint32)
    return ((u + np.uint32(0x8000)) & np.uint32(0xFFFF0000)).view(np.float32)


class Cast(Layer):
    type_name = "Cast"
    type_from = Param(0, INT, 0)
    type_to = Param(1, INT, 0)

    def forward_one(self, x: np.ndarray, opt: Option) -> np.ndarray:
        src, dst = self.type_from, self.type_to
        if src == dst:
            return x
        if (src, dst) not in _SUPPORTED:
            raise self.runtime_error(f"ncnn does not convert {_NAMES.get(src, src)} to {_NAMES.get(dst, dst)} "
                                     "(its output would be uninitialised)", [x])
        expected = {FP32: np.float32, FP16: np.float16, INT8: np.int8, BF16: np.float32}[src]
        if x.dtype != expected:
            raise self.runtime_error(f"type_from {_NAMES[src]} but the blob holds {x.dtype}", [x])
        if dst == FP16:
            return fp32_to_fp16_ncnn_x86(x, opt.use_packing_layout)
        if dst == BF16:
            return bf16_round(x)
        if src == BF16:
            return x  # a bf16 blob already holds its exact float32 values
        return x.astype(np.float32)
