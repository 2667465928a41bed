"""Swish (SiLU): x / (1 + exp(-x)) as ncnn computes it (no clamp: exp overflows to inf and the
result is -0 for x below about -88.7), any rank."""
from __future__ import annotations

import numpy as np

from ..layer import Layer
from ..option import Option


class Swish(Layer):
    type_name = "Swish"

    def forward_one(self, x: np.ndarray, opt: Option) -> np.ndarray:
        d = np.negative(x)
        with np.errstate(over="ignore"):
            np.exp(d, out=d)
        d += np.float32(1)
        return np.divide(x, d, out=d)
