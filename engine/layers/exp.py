"""Exp: base == -1 ? exp(shift + scale*x) : base^(shift + scale*x); 0=base(-1) 1=scale(1) 2=shift(0).
Like ncnn, overflow gives inf and a negative base with a non-integer exponent NaN. Any rank."""
from __future__ import annotations

import numpy as np

from ..layer import FLOAT, Layer, Param
from ..option import Option


class Exp(Layer):
    type_name = "Exp"
    base = Param(0, FLOAT, -1.0)
    scale = Param(1, FLOAT, 1.0)
    shift = Param(2, FLOAT, 0.0)

    def forward_one(self, x: np.ndarray, opt: Option) -> np.ndarray:
        z = x * np.float32(self.scale)
        z += np.float32(self.shift)
        with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
            if np.float32(self.base) == np.float32(-1):
                return np.exp(z, out=z)
            return np.power(np.float32(self.base), z, out=z)
