"""Mish: x * tanh(softplus(x)), any rank (shares the fused-activation kernel)."""
from __future__ import annotations

import numpy as np

from ..kernels.activation import mish
from ..layer import Layer
from ..option import Option


class Mish(Layer):
    type_name = "Mish"

    def forward_one(self, x: np.ndarray, opt: Option) -> np.ndarray:
        # logaddexp(x, 0) is the overflow-free softplus; ncnn's ±20 thresholds change nothing in float32.
        return mish(x).astype(np.float32, copy=False)
