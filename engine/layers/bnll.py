"""BNLL: x > 0 ? x + log(1 + exp(-x)) : log(1 + exp(x)), i.e. max(x, 0) + log(1 + exp(-|x|)),
overflow-free softplus; any rank."""
from __future__ import annotations

import numpy as np

from ..layer import Layer
from ..option import Option


class BNLL(Layer):
    type_name = "BNLL"

    def forward_one(self, x: np.ndarray, opt: Option) -> np.ndarray:
        t = np.abs(x)
        np.negative(t, out=t)
        np.exp(t, out=t)
        t += np.float32(1)
        np.log(t, out=t)
        t += np.maximum(x, np.float32(0))
        return t
