"""GELU: exact 0.5*x*(1 + erf(x/sqrt2)) (0=fast_gelu 0), or ncnn's tanh approximation
0.5*x*(1 + tanh(0.79788452*(x + 0.044715*x^3))) when fast_gelu is non-zero; any rank."""
from __future__ import annotations

import numpy as np

from ..kernels.special import gelu
from ..layer import INT, Layer, Param
from ..option import Option


class GELU(Layer):
    type_name = "GELU"
    fast_gelu = Param(0, INT, 0)

    def forward_one(self, x: np.ndarray, opt: Option) -> np.ndarray:
        return gelu(x, bool(self.fast_gelu))
