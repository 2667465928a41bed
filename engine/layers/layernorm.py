"""LayerNorm: normalise over the innermost values, then gamma/beta per element of that span.

The span, as ncnn picks it: 1-D the whole blob; 2-D each row; 3-D each row when affine_size == w,
else each whole channel (h*w); 4-D each row (affine_size == w), each h*w slice (affine_size == w*h),
else each whole channel (d*h*w).
"""
from __future__ import annotations

import numpy as np

from ..formats.ncnn_bin import WeightReader
from ..kernels.norm import F32, fma, fms, mean_var, x86_packed_sum, x86_sum
from ..layer import FLOAT, INT, Layer, Param
from ..option import Option


class LayerNorm(Layer):
    type_name = "LayerNorm"
    affine_size = Param(0, INT, 0)
    eps = Param(1, FLOAT, 0.001)
    affine = Param(2, INT, 1)

    def check_params(self) -> None:
        if self.affine and self.affine_size <= 0:  # ncnn's load of a 0-sized weight fails
            raise self.param_error(f"affine_size must be positive with affine, got {self.affine_size}")

    def load_model(self, reader: WeightReader) -> None:
        if self.affine:
            self.load_weight(reader, "gamma_data", self.affine_size, tagged=False)
            self.load_weight(reader, "beta_data", self.affine_size, tagged=False)

    def span(self, shape: tuple[int, ...]) -> int:
        """How many innermost values one normalisation covers, for this input shape."""
        w = shape[-1]
        if len(shape) <= 2:
            return w
        h = shape[-2]
        if self.affine_size == w:
            return w
        if len(shape) == 3 or self.affine_size == w * h:
            return w * h
        return w * h * shape[1]

    @staticmethod
    def row_sum(rows: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
        """Sum of each row in ncnn's order. Its x86 kernel sees 2-D+ blobs packed 16/8/4 rows (or
        channels) to a pixel along the outermost axis when that axis allows, and then sums each
        packed lane on its own; unpacked rows go through the 16/8/4-wide loops."""
        outer = shape[0] if len(shape) >= 2 else 1
        pack = next(p for p in (16, 8, 4, 1) if outer % p == 0) if len(shape) >= 2 else 1
        n = rows.shape[1]
        if pack == 1:
            return x86_sum(rows[:, None, :], tail_first=True)
        k = rows.shape[0] // outer  # rows per outer index
        stream = rows.reshape(outer // pack, pack, k, n).transpose(0, 2, 3, 1).reshape(-1, 1, n * pack)
        lanes = x86_packed_sum(stream, pack).reshape(outer // pack, k, pack)
        return lanes.transpose(0, 2, 1).reshape(-1)

    def forward_one(self, x: np.ndarray, opt: Option) -> np.ndarray:
        n = self.span(x.shape)
        if self.affine and n > self.affine_size:  # ncnn would read gamma/beta out of bounds
            raise self.runtime_error(f"normalises over {n} values but affine_size is {self.affine_size}", [x])
        rows = x.reshape(-1, n)
        # this kernel divides by the count (no shared reciprocal)
        mean, var = mean_var(rows, lambda r: self.row_sum(r, x.shape), recip=False)
        # ncnn (x86): r = 1/sqrt(var + eps), m = mean * r; y = (x * r - m) * gamma + beta
        r = F32(1) / np.sqrt(var + F32(self.eps))
        m = mean * r
        y = fms(rows, r[:, None], m[:, None])
        if self.affine:
            y = fma(y, self.weights["gamma_data"][:n], self.weights["beta_data"][:n])
        return y.reshape(x.shape)
