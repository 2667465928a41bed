"""Quantize: y = float2int8(x * scale), one scale or one per outermost index (1-D blobs: scale[0])."""
from __future__ import annotations

import numpy as np

from ..formats.ncnn_bin import WeightReader
from ..kernels.int8 import float2int8, outer_values, reinterpret
from ..layer import INT, Layer, Param
from ..option import Option


class Quantize(Layer):
    type_name = "Quantize"
    scale_data_size = Param(0, INT, 1)

    def check_params(self) -> None:
        if self.scale_data_size < 1:  # ncnn's load_model fails on the empty scale blob
            raise self.param_error(f"scale_data_size (0) must be >= 1, got {self.scale_data_size}")

    def load_model(self, reader: WeightReader) -> None:
        self.load_weight(reader, "scale_data", self.scale_data_size, tagged=False)

    def forward_one(self, x: np.ndarray, opt: Option) -> np.ndarray:
        v = reinterpret(x, np.float32)
        if v is None:
            raise self.runtime_error(f"expects a float32 blob, got {x.dtype}", [x])
        try:
            scale = outer_values(self.weights["scale_data"], v)
        except ValueError as e:
            raise self.runtime_error(f"scale_data: {e}", [x]) from None
        return float2int8(v * scale)
