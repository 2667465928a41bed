"""Sigmoid: 1 / (1 + exp(-x)), input clamped to ±88.376 first as ncnn does (no overflow, any rank)."""
from __future__ import annotations

import numpy as np

from ..kernels.activation import sigmoid
from ..layer import Layer
from ..option import Option


class Sigmoid(Layer):
    type_name = "Sigmoid"

    def forward_one(self, x: np.ndarray, opt: Option) -> np.ndarray:
        return sigmoid(x)
