"""AbsVal: |x|, any rank."""
from __future__ import annotations

import numpy as np

from ..layer import Layer
from ..option import Option


class AbsVal(Layer):
    type_name = "AbsVal"

    def forward_one(self, x: np.ndarray, opt: Option) -> np.ndarray:
        return np.abs(x)
