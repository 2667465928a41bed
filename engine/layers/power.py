"""Power: (shift + x * scale) ^ power, float32 (C powf semantics, NaN for a negative base
with a non-integer power), any rank."""
from __future__ import annotations

import numpy as np

from ..layer import FLOAT, Layer, Param
from ..option import Option


class Power(Layer):
    type_name = "Power"
    power = Param(0, FLOAT, 1.0)
    scale = Param(1, FLOAT, 1.0)
    shift = Param(2, FLOAT, 0.0)

    def forward_one(self, x: np.ndarray, opt: Option) -> np.ndarray:
        y = np.multiply(x, np.float32(self.scale))
        y += np.float32(self.shift)
        if self.power == 1.0:  # powf(v, 1) == v
            return y
        with np.errstate(all="ignore"):
            return np.power(y, np.float32(self.power), out=y)
