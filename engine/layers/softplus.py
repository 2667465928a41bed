"""Softplus: log(exp(x) + 1) exactly as ncnn writes it, with no threshold: exp overflows, so the
result is +inf for x above about 88.72 (and 0 below about -17, where exp(x) + 1 rounds to 1)."""
from __future__ import annotations

import numpy as np

from ..layer import Layer
from ..option import Option


class Softplus(Layer):
    type_name = "Softplus"

    def forward_one(self, x: np.ndarray, opt: Option) -> np.ndarray:
        with np.errstate(over="ignore"):
            y = np.exp(x)
        y += np.float32(1)
        return np.log(y, out=y)
