"""ReLU: x < 0 ? x * slope : x (slope 0 = plain ReLU)."""
from __future__ import annotations

import numpy as np

from ..layer import FLOAT, Layer, Param
from ..option import Option


class ReLU(Layer):
    type_name = "ReLU"
    slope = Param(0, FLOAT, 0.0)

    def forward_one(self, x: np.ndarray, opt: Option) -> np.ndarray:
        if self.slope == 0:
            return np.maximum(x, np.float32(0))
        return np.where(x < 0, x * np.float32(self.slope), x)
