"""Requantize: int32 in, y = float2int8(act(x * scale_in + bias) * scale_out), int8 out.

Each vector holds one value or one per outermost index (1-D blobs use element 0). ncnn's x86 kernels
fuse `x * scale_in + bias` into one FMA; float64 reproduces that single rounding (the int32->float32
value times a float32 scale is exact in float64), which matters because the result is rounded to int.
"""
from __future__ import annotations

import numpy as np

from ..formats.ncnn_bin import WeightReader
from ..kernels.activation import apply_activation
from ..kernels.int8 import float2int8, outer_values, reinterpret
from ..layer import FLOATS, INT, Layer, Param
from ..option import Option

ACTIVATION_PARAMS = {0: 0, 1: 0, 2: 1, 3: 2, 4: 0, 5: 0, 6: 2}  # type -> params it reads


class Requantize(Layer):
    type_name = "Requantize"
    scale_in_data_size = Param(0, INT, 1)
    scale_out_data_size = Param(1, INT, 1)
    bias_data_size = Param(2, INT, 0)
    activation_type = Param(3, INT, 0)
    activation_params = Param(4, FLOATS, ())

    def check_params(self) -> None:
        for name in ("scale_in_data_size", "scale_out_data_size"):
            if getattr(self, name) < 1:  # ncnn's load_model fails on the empty blob
                raise self.param_error(f"{name} must be >= 1, got {getattr(self, name)}")
        if self.bias_data_size < 0:
            raise self.param_error(f"bias_data_size (2) must be >= 0, got {self.bias_data_size}")
        n_act = ACTIVATION_PARAMS.get(self.activation_type)
        if n_act is None:
            raise self.param_error(f"activation_type (3) {self.activation_type} is not one of 0..6")
        if len(self.activation_params) < n_act:
            raise self.param_error(f"activation_type {self.activation_type} needs {n_act} activation_params "
                                   f"(4), got {len(self.activation_params)}")

    def load_model(self, reader: WeightReader) -> None:
        self.load_weight(reader, "scale_in_data", self.scale_in_data_size, tagged=False)
        self.load_weight(reader, "scale_out_data", self.scale_out_data_size, tagged=False)
        if self.bias_data_size:
            self.load_weight(reader, "bias_data", self.bias_data_size, tagged=False)

    def forward_one(self, x: np.ndarray, opt: Option) -> np.ndarray:
        xi = reinterpret(x, np.int32)
        if xi is None:
            raise self.runtime_error(f"expects an int32 blob, got {x.dtype}", [x])
        try:
            scale_in = outer_values(self.weights["scale_in_data"], xi)
            scale_out = outer_values(self.weights["scale_out_data"], xi)
            bias = outer_values(self.weights["bias_data"], xi) if self.bias_data_size else None
        except ValueError as e:
            raise self.runtime_error(f"scale/bias data: {e}", [x]) from None
        xf = xi.astype(np.float32)
        if bias is None:
            v = xf * scale_in
        else:
            v = (xf.astype(np.float64) * np.asarray(scale_in, np.float64) + bias).astype(np.float32)
        v = apply_activation(v, self.activation_type, self.activation_params)
        return float2int8(v * scale_out)
