"""TanH: tanh(x), float32, any rank."""
from __future__ import annotations

import numpy as np

from ..layer import Layer
from ..option import Option


class TanH(Layer):
    type_name = "TanH"

    def forward_one(self, x: np.ndarray, opt: Option) -> np.ndarray:
        return np.tanh(x)
