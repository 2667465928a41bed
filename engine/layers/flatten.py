"""Flatten: any blob becomes 1-D `[w*h*d*c]`, data in C order (ncnn drops the channel padding)."""
from __future__ import annotations

import numpy as np

from ..layer import Layer
from ..option import Option


class Flatten(Layer):
    type_name = "Flatten"

    def forward_one(self, x: np.ndarray, opt: Option) -> np.ndarray:
        # a C-contiguous blob reshapes as a view; ncnn copies, but blobs are read-only here
        return x.reshape(-1)
