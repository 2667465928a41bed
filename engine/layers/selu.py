"""SELU: x < 0 ? (exp(x) - 1) * alpha*lambda : x*lambda, alpha 1.67326324, lambda 1.050700987.

Computed as lambda*(max(x, 0) + alpha*(exp(min(x, 0)) - 1)), ncnn's x86 SIMD form (its scalar tail
multiplies by alpha*lambda rounded once: at most an ulp apart); no exp overflow, no masked select."""
from __future__ import annotations

import numpy as np

from ..layer import FLOAT, Layer, Param
from ..option import Option


class SELU(Layer):
    type_name = "SELU"
    alpha = Param(0, FLOAT, 1.67326324)
    lambda_ = Param(1, FLOAT, 1.050700987)  # ncnn's `lambda`, a Python keyword

    def forward_one(self, x: np.ndarray, opt: Option) -> np.ndarray:
        e = np.minimum(x, np.float32(0))
        np.exp(e, out=e)
        e -= np.float32(1)
        e *= np.float32(self.alpha)
        e += np.maximum(x, np.float32(0))
        e *= np.float32(self.lambda_)
        return e
