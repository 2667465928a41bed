"""Log: log(shift + scale*x), divided (times 1/log(base), in float32) for base != -1;
0=base(-1) 1=scale(1) 2=shift(0). Like ncnn, log(0) = -inf and negative arguments give NaN. Any rank."""
from __future__ import annotations

import numpy as np

from ..layer import FLOAT, Layer, Param
from ..option import Option


class Log(Layer):
    type_name = "Log"
    base = Param(0, FLOAT, -1.0)
    scale = Param(1, FLOAT, 1.0)
    shift = Param(2, FLOAT, 0.0)

    def forward_one(self, x: np.ndarray, opt: Option) -> np.ndarray:
        z = x * np.float32(self.scale)
        z += np.float32(self.shift)
        with np.errstate(divide="ignore", invalid="ignore"):
            np.log(z, out=z)
            if np.float32(self.base) != np.float32(-1):
                z *= np.float32(1) / np.log(np.float32(self.base))
        return z
