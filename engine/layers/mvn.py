"""MVN: subtract the mean (per channel, or over the whole blob with across_channels) and optionally
divide by sqrt(mean of squares of the centred values) + eps (eps outside the sqrt).

ncnn always creates a 3-D (or 4-D) output: a 1-D (w) input comes back as (1, 1, w), a 2-D (h, w)
input as (1, h, w). Sums are float32 in the order of ncnn's compiler-vectorised loops, and its
per-channel divisions by the count are multiplications by its reciprocal (ncnn's -ffast-math build).
"""
from __future__ import annotations

import numpy as np

from ..kernels.norm import F32, sse_sum
from ..layer import FLOAT, INT, Layer, Param
from ..option import Option


class MVN(Layer):
    type_name = "MVN"
    normalize_variance = Param(0, INT, 0)
    across_channels = Param(1, INT, 0)
    eps = Param(2, FLOAT, 0.0001)

    def forward_one(self, x: np.ndarray, opt: Option) -> np.ndarray:
        shape = x.shape if x.ndim >= 3 else (1,) * (3 - x.ndim) + x.shape
        flat = x.reshape(shape[0], -1)
        c, size = flat.shape
        sums = sse_sum(flat)
        if self.across_channels:
            mean = sse_sum(sums[None, :])[0] / F32(c * size)
            y = flat - mean
        else:
            y = flat - (sums * (F32(1) / F32(size)))[:, None]
        if self.normalize_variance:
            sq = sse_sum(y * y)
            if self.across_channels:
                sqmean = sse_sum(sq[None, :]) / F32(c * size)
            else:
                sqmean = sq * (F32(1) / F32(size))
            inv = F32(1) / (np.sqrt(sqmean) + F32(self.eps))
            y *= inv[:, None]
        return y.reshape(shape)
