"""Clip: min(max(x, min), max), any rank (min > max gives max everywhere, as in ncnn)."""
from __future__ import annotations

import numpy as np

from ..layer import FLOAT, FLT_MAX, Layer, Param
from ..option import Option


class Clip(Layer):
    type_name = "Clip"
    min = Param(0, FLOAT, -FLT_MAX)
    max = Param(1, FLOAT, FLT_MAX)

    def forward_one(self, x: np.ndarray, opt: Option) -> np.ndarray:
        y = np.maximum(x, np.float32(self.min))
        return np.minimum(y, np.float32(self.max), out=y)
