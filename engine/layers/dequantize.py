"""Dequantize: int32 in, y = x * scale + bias (one value or one per outermost index; 1-D blobs: [0])."""
from __future__ import annotations

import numpy as np

from ..formats.ncnn_bin import WeightReader
from ..kernels.int8 import outer_values, reinterpret
from ..layer import INT, Layer, Param
from ..option import Option


class Dequantize(Layer):
    type_name = "Dequantize"
    scale_data_size = Param(0, INT, 1)
    bias_data_size = Param(1, INT, 0)

    def check_params(self) -> None:  # ncnn's load_model fails on an empty or negative-sized blob
        if self.scale_data_size < 1:
            raise self.param_error(f"scale_data_size (0) must be >= 1, got {self.scale_data_size}")
        if self.bias_data_size < 0:
            raise self.param_error(f"bias_data_size (1) must be >= 0, got {self.bias_data_size}")

    def load_model(self, reader: WeightReader) -> None:
        self.load_weight(reader, "scale_data", self.scale_data_size, tagged=False)
        if self.bias_data_size:
            self.load_weight(reader, "bias_data", self.bias_data_size, tagged=False)

    def forward_one(self, x: np.ndarray, opt: Option) -> np.ndarray:
        xi = reinterpret(x, np.int32)
        if xi is None:
            raise self.runtime_error(f"expects an int32 blob, got {x.dtype}", [x])
        try:
            y = xi.astype(np.float32) * outer_values(self.weights["scale_data"], xi)
            if self.bias_data_size:
                y += outer_values(self.weights["bias_data"], xi)
        except ValueError as e:
            raise self.runtime_error(f"scale/bias data: {e}", [x]) from None
        return y
