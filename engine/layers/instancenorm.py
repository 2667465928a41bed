"""InstanceNorm: each channel normalised over its own h*w(*d) values, then gamma/beta per channel.

A 1-D or 2-D blob is a single channel (ncnn loops over c only).
"""
from __future__ import annotations

import numpy as np

from ..formats.ncnn_bin import WeightReader
from ..kernels.norm import F32, fma, mean_var, x86_sum
from ..layer import FLOAT, INT, Layer, Param
from ..option import Option


class InstanceNorm(Layer):
    type_name = "InstanceNorm"
    channels = Param(0, INT, 0)
    eps = Param(1, FLOAT, 0.001)
    affine = Param(2, INT, 1)

    def check_params(self) -> None:
        if self.affine and self.channels <= 0:  # ncnn's load of a 0-sized weight fails
            raise self.param_error(f"channels must be positive with affine, got {self.channels}")

    def load_model(self, reader: WeightReader) -> None:
        if self.affine:
            self.load_weight(reader, "gamma_data", self.channels, tagged=False)
            self.load_weight(reader, "beta_data", self.channels, tagged=False)

    def forward_one(self, x: np.ndarray, opt: Option) -> np.ndarray:
        c = x.shape[0] if x.ndim >= 3 else 1
        if self.affine and c > self.channels:
            raise self.runtime_error(f"{c} channels but gamma/beta hold {self.channels}", [x])
        flat = x.reshape(c, -1)
        # ncnn adds the scalar tail last and shares 1/size between mean and variance
        mean, var = mean_var(flat, lambda r: x86_sum(r[:, None, :], tail_first=False), recip=True)
        # ncnn: a = gamma / sqrt(var + eps), b = -mean * a + beta, y = x * a + b
        a = np.sqrt(var + F32(self.eps))
        if self.affine:
            a = self.weights["gamma_data"][:c] / a
            b = fma(-mean, a, self.weights["beta_data"][:c])  # contracted to an FMA in ncnn's build
        else:
            a = F32(1) / a
            b = -mean * a
        return fma(flat, a[:, None], b[:, None]).reshape(x.shape)
