"""Dropout (inference): y = x * scale; the default scale 1 is an identity (ncnn returns the blob as is)."""
from __future__ import annotations

import numpy as np

from ..layer import FLOAT, Layer, Param
from ..option import Option


class Dropout(Layer):
    type_name = "Dropout"
    scale = Param(0, FLOAT, 1.0)

    def forward_one(self, x: np.ndarray, opt: Option) -> np.ndarray:
        if np.float32(self.scale) == np.float32(1.0):
            return x
        return x * np.float32(self.scale)
