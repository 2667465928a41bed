"""ELU: x < 0 ? alpha*(exp(x) - 1) : x, alpha default 0.1 (ncnn's, not ONNX's 1.0); any rank.

Computed as max(x, 0) + alpha*(exp(min(x, 0)) - 1), ncnn's x86 SIMD form: identical values (the unused
term is exactly 0), no exp overflow, and no slow masked select."""
from __future__ import annotations

import numpy as np

from ..layer import FLOAT, Layer, Param
from ..option import Option


class ELU(Layer):
    type_name = "ELU"
    alpha = Param(0, FLOAT, 0.1)

    def forward_one(self, x: np.ndarray, opt: Option) -> np.ndarray:
        e = np.minimum(x, np.float32(0))
        np.exp(e, out=e)
        e -= np.float32(1)
        e *= np.float32(self.alpha)
        e += np.maximum(x, np.float32(0))
        return e
