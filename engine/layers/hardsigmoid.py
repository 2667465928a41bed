"""HardSigmoid: clamp(alpha*x + beta, 0, 1); 0=alpha(0.2) 1=beta(0.5) (PyTorch uses 1/6, 0.5).

ncnn's scalar code branches on lower = -beta/alpha, upper = 1/alpha + lower; its x86 SIMD code (the
path almost every element takes) clamps. We clamp: the two differ only by rounding right at the
thresholds (alpha*x + beta within an ulp or so of 0 or 1)."""
from __future__ import annotations

import numpy as np

from ..layer import FLOAT, Layer, Param
from ..option import Option


class HardSigmoid(Layer):
    type_name = "HardSigmoid"
    alpha = Param(0, FLOAT, 0.2)
    beta = Param(1, FLOAT, 0.5)

    def forward_one(self, x: np.ndarray, opt: Option) -> np.ndarray:
        y = x * np.float32(self.alpha)
        y += np.float32(self.beta)
        np.maximum(y, np.float32(0), out=y)
        return np.minimum(y, np.float32(1), out=y)
