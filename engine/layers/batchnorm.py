"""BatchNorm: y = b * x + a per channel, with a and b folded from slope/mean/var/bias at load time.

The per-channel axis is the outermost one: w for 1-D blobs, h (rows) for 2-D, c for 3-D/4-D.
"""
from __future__ import annotations

import numpy as np

from ..formats.ncnn_bin import WeightReader
from ..kernels.norm import fma
from ..layer import FLOAT, INT, Layer, Param
from ..option import Option


class BatchNorm(Layer):
    type_name = "BatchNorm"
    channels = Param(0, INT, 0)
    eps = Param(1, FLOAT, 0.0)

    def check_params(self) -> None:
        if self.channels <= 0:  # ncnn's load of a 0-sized weight fails
            raise self.param_error(f"channels must be positive, got {self.channels}")

    def load_model(self, reader: WeightReader) -> None:
        for what in ("slope_data", "mean_data", "var_data", "bias_data"):
            self.load_weight(reader, what, self.channels, tagged=False)

    def create_pipeline(self, opt: Option) -> None:
        w = self.weights
        slope, mean, var, bias = w["slope_data"], w["mean_data"], w["var_data"], w["bias_data"]
        sqrt_var = np.sqrt(var + np.float32(self.eps))
        sqrt_var[sqrt_var == 0] = np.float32(0.0001)  # ncnn's guard against a division by zero
        # same float32 rounding order as ncnn: bias - (slope * mean) / sqrt_var
        self.a_data = (bias - slope * mean / sqrt_var).astype(np.float32)
        self.b_data = (slope / sqrt_var).astype(np.float32)

    def forward_one(self, x: np.ndarray, opt: Option) -> np.ndarray:
        n = x.shape[0]
        if n > self.channels:
            raise self.runtime_error(f"the channel axis has {n} entries but the layer has {self.channels}", [x])
        shape = (n,) + (1,) * (x.ndim - 1)
        # ncnn's x86 kernel uses a fused multiply-add; it matters when b*x and a nearly cancel
        return fma(x, self.b_data[:n].reshape(shape), self.a_data[:n].reshape(shape))
