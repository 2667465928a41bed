"""Threshold: x > threshold ? 1 : 0, any rank."""
from __future__ import annotations

import numpy as np

from ..layer import FLOAT, Layer, Param
from ..option import Option


class Threshold(Layer):
    type_name = "Threshold"
    threshold = Param(0, FLOAT, 0.0)

    def forward_one(self, x: np.ndarray, opt: Option) -> np.ndarray:
        return np.greater(x, np.float32(self.threshold)).astype(np.float32)
