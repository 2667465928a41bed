"""HardSwish: x < lower -> 0, x > upper -> x, else x*(alpha*x + beta), lower = -beta/alpha,
upper = 1/alpha + lower (float32). Defaults alpha 0.2, beta 0.5 (PyTorch's is 1/6, 0.5)."""
from __future__ import annotations

import numpy as np

from ..kernels.activation import hardswish
from ..layer import FLOAT, Layer, Param
from ..option import Option


class HardSwish(Layer):
    type_name = "HardSwish"
    alpha = Param(0, FLOAT, 0.2)
    beta = Param(1, FLOAT, 0.5)

    def forward_one(self, x: np.ndarray, opt: Option) -> np.ndarray:
        with np.errstate(divide="ignore", invalid="ignore"):  # alpha 0: ncnn divides anyway
            return hardswish(x, self.alpha, self.beta)
