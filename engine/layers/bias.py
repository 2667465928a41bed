"""Bias: adds one value per channel (c only: a 1-D or 2-D blob is one channel and gets bias[0])."""
from __future__ import annotations

import numpy as np

from ..formats.ncnn_bin import WeightReader
from ..layer import INT, Layer, Param
from ..option import Option


class Bias(Layer):
    type_name = "Bias"
    bias_data_size = Param(0, INT, 0)

    def check_params(self) -> None:
        if self.bias_data_size <= 0:  # ncnn's load of a 0-sized weight fails
            raise self.param_error(f"bias_data_size must be positive, got {self.bias_data_size}")

    def load_model(self, reader: WeightReader) -> None:
        self.load_weight(reader, "bias_data", self.bias_data_size, tagged=False)

    def forward_one(self, x: np.ndarray, opt: Option) -> np.ndarray:
        bias = self.weights["bias_data"]
        if x.ndim <= 2:
            return x + bias[0]
        c = x.shape[0]
        if c > bias.shape[0]:
            raise self.runtime_error(f"{c} channels but only {bias.shape[0]} bias values", [x])
        return x + bias[:c].reshape((c,) + (1,) * (x.ndim - 1))
