"""Erf: the error function, float32 (our own approximation, ~1 ulp; see kernels/special.py); any rank."""
from __future__ import annotations

import numpy as np

from ..kernels.special import erf
from ..layer import Layer
from ..option import Option


class Erf(Layer):
    type_name = "Erf"

    def forward_one(self, x: np.ndarray, opt: Option) -> np.ndarray:
        return erf(x)
